# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""ICMP redirects a router's qrouter- namespace has sent to guests.

A DVR qrouter- forwards a guest's traffic for the outside to the SNAT
port (sg-) on the guest's own subnet, out of the device it came in on:
where Linux sends an ICMP redirect, unless send_redirects is off for
"all" (the kernel ORs "all" with the device). Neutron turns it off, but
only once the router's external gateway is processed, after the internal
ports; a guest redirected meanwhile sends to the SNAT port directly,
past the qrouter and its metadata proxy, until its route cache forgets
(300 s on Linux). The namespace's own counter keeps the evidence.
"""

import dataclasses

from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import known_defects

SNMP_FILE = '/proc/net/snmp'
SEND_REDIRECTS_FILE = '/proc/sys/net/ipv4/conf/all/send_redirects'


class SentBeforeSwitchedOff(known_defects.KnownDefectSeen):
    """Redirects were sent, and send_redirects is off now everywhere."""


def out_redirects(snmp_text):
    """Icmp OutRedirects from /proc/net/snmp's text."""
    rows = [line.split()[1:] for line in snmp_text.splitlines()
            if line.startswith('Icmp:')]
    if len(rows) != 2 or 'OutRedirects' not in rows[0]:
        raise ValueError('no "Icmp: ... OutRedirects" rows in %s: %r' % (
            SNMP_FILE, snmp_text[:200]))
    return int(rows[1][rows[0].index('OutRedirects')])


@dataclasses.dataclass
class RedirectCount:
    host: str
    namespace: str
    sent: int
    send_redirects: str     # net.ipv4.conf.all.send_redirects now

    def text(self):
        return ('host %s, %s: %d ICMP redirects sent; '
                'net.ipv4.conf.all.send_redirects = %s now' % (
                    self.host, self.namespace, self.sent,
                    self.send_redirects))


def count(host_client, namespace):
    """RedirectCount of namespace on the host; None without it.

    A read that fails in a namespace that is there raises
    hosts.HostAccessError.
    """
    present = host_client.namespaces()
    snmp = hoststate.listing(host_client, namespace, ['cat', SNMP_FILE],
                             present)
    if snmp is None:
        return None
    switch = hoststate.listing(host_client, namespace,
                               ['cat', SEND_REDIRECTS_FILE], present)
    if switch is None:
        return None
    return RedirectCount(host_client.name, namespace,
                         out_redirects(snmp.stdout), switch.stdout.strip())


def problem(counts):
    """Why counts fail the "no redirect" check, or None when they pass.

    Raises SentBeforeSwitchedOff when every namespace that sent one has
    send_redirects off now: what Neutron's own ordering leaves.
    """
    sent = [c for c in counts if c.sent]
    if not sent:
        return None
    message = ('expected no ICMP redirect from the router\'s qrouter- '
               'namespaces; found: %s' % '; '.join(c.text() for c in sent))
    if all(c.send_redirects == '0' for c in sent):
        raise SentBeforeSwitchedOff(message)
    return message


def evidence(host_client_of, host_names, namespace):
    """The counters of namespace on host_names as text, for a failure.

    Evidence only: a host that cannot be read says why, and nothing is
    raised.
    """
    lines, sent = [], False
    for name in host_names:
        try:
            found = count(host_client_of(name), namespace)
        except Exception as exc:  # evidence only, never the outcome
            lines.append('host %s, %s: not read (%s)' % (
                name, namespace, exc))
            continue
        if found is None:
            lines.append('host %s: no namespace %s' % (name, namespace))
            continue
        sent = sent or found.sent > 0
        lines.append(found.text())
    if sent:
        lines.append('a guest redirected to the SNAT port reaches no '
                     'metadata (hence has no SSH key) for up to 300 s: %s'
                     % known_defects.QROUTER_ICMP_REDIRECTS)
    return 'ICMP redirects of the router:\n' + '\n'.join(
        '  ' + line for line in lines)
