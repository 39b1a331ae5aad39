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

"""What a host shows of a DVR router: namespaces, devices, FIP plumbing.

Read over SSH with common.hosts; every observation can render itself as
text for a testtools detail.
"""

import collections
import dataclasses
import re

from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import naming

FIP_RULE_TABLE = '16'   # neutron/agent/l3/dvr_fip_ns.py FIP_RT_TBL
# Address and route lifetimes count down: "valid_lft 86398sec",
# "preferred_lft forever", "expires 297sec".
_LIFETIME_RE = re.compile(r'\s+(?:valid_lft|preferred_lft|expires)\s+\S+')

# A device expected in a namespace: what it is for, and the address it
# must carry (None: any).
Device = collections.namedtuple('Device', 'role address')


@dataclasses.dataclass
class NamespaceView:
    """The devices of one namespace on one host (None: no namespace)."""

    host: str
    namespace: str
    devices: dict = None

    @property
    def exists(self):
        return self.devices is not None

    def addresses(self, device):
        return (self.devices or {}).get(device, {}).get('addresses', [])

    def text(self):
        if not self.exists:
            return '%s: no namespace %s' % (self.host, self.namespace)
        lines = ['%s: %s' % (self.host, self.namespace)]
        for name in sorted(self.devices):
            info = self.devices[name]
            lines.append('  %-14s %-8s %s' % (
                name, info.get('state') or '?',
                ' '.join(info.get('addresses') or ()) or '-'))
        return '\n'.join(lines)


def dvr_namespaces(host_client):
    """The qrouter-, snat- and fip- namespaces on a host."""
    prefixes = (naming.QROUTER_NS_PREFIX, naming.SNAT_NS_PREFIX,
                naming.FIP_NS_PREFIX)
    return sorted(ns for ns in host_client.namespaces()
                  if ns.startswith(prefixes))


def namespace_view(host_client, namespace):
    if namespace not in host_client.namespaces():
        return NamespaceView(host_client.name, namespace)
    return NamespaceView(host_client.name, namespace,
                         host_client.devices(namespace))


def namespace_problems(view, expected):
    """What a NamespaceView lacks of expected devices and addresses.

    expected maps a device name to its Device.
    """
    if not view.exists:
        return ['no namespace %s' % view.namespace]
    found = []
    for name, device in sorted(expected.items()):
        if name not in view.devices:
            found.append('no device %s (%s)' % (name, device.role))
            continue
        ips = [address.split('/')[0] for address in view.addresses(name)]
        if device.address and device.address not in ips:
            found.append('device %s (%s) lacks address %s, has %s' % (
                name, device.role, device.address, ', '.join(ips) or 'none'))
    return found


def describe_host(host_client, namespaces):
    """Text listing a host's DVR namespaces and the devices of some."""
    lines = ['host %s (%s)' % (host_client.name, host_client.address),
             'DVR namespaces: %s' % (
                 ', '.join(dvr_namespaces(host_client)) or 'none')]
    for namespace in namespaces:
        lines.append(namespace_view(host_client, namespace).text())
    return '\n'.join(lines)


@dataclasses.dataclass
class FloatingIpPlumbing:
    """The pieces of one floating IP that an L3 agent puts on its host.

    rule: `ip rule` "from <fixed> lookup 16" in qrouter- (sends the VM's
    traffic to rfp-); route: "<floating ip> via ... dev fpr-" in fip-
    (brings traffic for the floating IP to the router). Today's Neutron
    does not put the floating IP as an address on rfp- (see
    dvr_local_router.get_router_cidrs).
    """

    host: str
    rule: str = None
    route: str = None
    rules_text: str = ''
    routes_text: str = ''

    @property
    def present(self):
        return bool(self.rule and self.route)

    @property
    def absent(self):
        return not self.rule and not self.route

    def text(self):
        return ('%s:\n  qrouter rule for the fixed IP: %s\n'
                '  fip route for the floating IP: %s\n'
                '  ip rule (qrouter):\n%s\n  ip route (fip):\n%s' % (
                    self.host, self.rule or 'none', self.route or 'none',
                    _indent(self.rules_text), _indent(self.routes_text)))


def _indent(text):
    return '\n'.join('    ' + line for line in
                     (text.strip() or '(nothing)').splitlines())


def listing(host_client, namespace, argv, present=None):
    """The CommandResult of argv in namespace; None without the namespace.

    present: the host's namespaces, when just listed. A listing that fails
    in a namespace that is there raises HostAccessError: an unreadable
    host must not look like an empty one.
    """
    if present is None:
        present = host_client.namespaces()
    if namespace not in present:
        return None
    result = host_client.run_in_namespace(namespace, argv, check=False)
    if result.exit_status == 0:
        return result
    if namespace not in host_client.namespaces():
        return None     # removed while we listed it: absent after all
    raise hosts.HostAccessError(
        'host %s: listing %s exited with status %d: %s' % (
            host_client.name, result.command, result.exit_status,
            result.stderr.strip() or '(no stderr)'))


def route_lines(host_client, namespace):
    """`ip -4 route` lines of namespace on the host; None without it."""
    result = listing(host_client, namespace, ['ip', '-4', 'route'])
    return None if result is None else result.stdout.splitlines()


def _run_listing(host_client, namespace, argv):
    """The text argv prints in namespace, for details and parsing."""
    result = listing(host_client, namespace, argv)
    if result is None:
        return '(no namespace %s)' % namespace
    return result.stdout + result.stderr


def floating_ip_plumbing(host_client, router_id, ext_net_id, fixed_ip,
                         floating_ip):
    qrouter = naming.qrouter_namespace(router_id)
    fip_ns = naming.fip_namespace(ext_net_id)
    fpr = naming.fpr_device(router_id)
    rules = _run_listing(host_client, qrouter, ['ip', '-4', 'rule'])
    routes = _run_listing(host_client, fip_ns, ['ip', '-4', 'route'])
    rule = next((line.strip() for line in rules.splitlines()
                 if _is_fip_rule(line, fixed_ip)), None)
    route = next((line.strip() for line in routes.splitlines()
                  if _is_fip_route(line, floating_ip, fpr)), None)
    return FloatingIpPlumbing(host_client.name, rule, route, rules, routes)


def _is_fip_rule(line, fixed_ip):
    words = line.split()
    return ('from' in words and 'lookup' in words and
            words[words.index('from') + 1] in (fixed_ip, fixed_ip + '/32')
            and words[words.index('lookup') + 1] == FIP_RULE_TABLE)


def _is_fip_route(line, floating_ip, fpr_device):
    words = line.split()
    return (bool(words) and words[0] in (floating_ip, floating_ip + '/32')
            and 'dev' in words and
            words[words.index('dev') + 1] == fpr_device)


def neighbour_entry(host_client, router_id, address):
    """(entry or None, `ip neigh` and `ip route` text) of a host's qrouter.

    DVR's L3 agent writes a permanent neighbour entry in each host's
    qrouter for every port on the router's subnets, wherever it lives:
    without one, routed traffic to that address stops at the sender's host.
    """
    qrouter = naming.qrouter_namespace(router_id)
    neigh = _run_listing(host_client, qrouter, ['ip', '-4', 'neigh'])
    routes = _run_listing(host_client, qrouter, ['ip', '-4', 'route'])
    entry = next((line.strip() for line in neigh.splitlines()
                  if line.split()[:1] == [address]), None)
    return entry, '%s %s:\n  ip neigh:\n%s\n  ip route:\n%s' % (
        host_client.name, qrouter, _indent(neigh), _indent(routes))


def east_west_neighbours(host_client_of, router_id, source, destination):
    """Each VM host's qrouter neighbour entry for the other VM.

    source and destination are VMs (.host, .fixed_ip, .mac_address);
    host_client_of(name) gives a host's client. Returns one line per
    sender host, and the hosts' qrouter neighbours and routes as text.
    """
    found, listings = [], []
    for sender, peer in ((source, destination), (destination, source)):
        entry, text = neighbour_entry(host_client_of(sender.host),
                                      router_id, peer.fixed_ip)
        listings.append(text)
        found.append('host %s, qrouter: neighbour entry for %s: '
                     'expected lladdr %s, found %s' % (
                         sender.host, peer, peer.mac_address,
                         entry or 'none'))
    return found, '\n\n'.join(listings)


def router_plumbing(host_client, router_id, ext_net_id):
    """A fingerprint of what the L3 agent configured for a router on a host.

    The devices, addresses, routes, rules and NAT rules of its qrouter-,
    snat- and fip- namespaces: while the agent is still processing the
    router (after a restart, a full sync) this keeps changing. Lifetimes
    and iptables-save's comments and counters are left out: they change
    on their own.
    """
    present = host_client.namespaces()
    parts = []
    for namespace in (naming.qrouter_namespace(router_id),
                      naming.snat_namespace(router_id),
                      naming.fip_namespace(ext_net_id)):
        for argv in (['ip', '-o', 'addr'], ['ip', 'route', 'show',
                                            'table', 'all'],
                     ['ip', 'rule'], ['iptables-save', '-t', 'nat']):
            result = listing(host_client, namespace, argv, present)
            if result is None:
                parts.append('%s: absent' % namespace)
                break
            parts.append('%s %s:\n%s' % (namespace, ' '.join(argv),
                                         _fingerprint_lines(result.stdout)))
    return '\n'.join(parts)


def _fingerprint_lines(text):
    return '\n'.join(_LIFETIME_RE.sub('', line)
                     for line in text.splitlines()
                     if not line.startswith(('#', ':')))


def ovs_flows(host_client):
    """The OpenFlow flows of every OVS bridge of a host, without counters.

    What the Open vSwitch agent programs: while it resyncs after a
    restart (new cookies, stale flows removed) this keeps changing.
    """
    bridges = host_client.run(['ovs-vsctl', 'list-br']).stdout.split()
    parts = []
    for bridge in bridges:
        flows = host_client.run(['ovs-ofctl', '--no-stats', 'dump-flows',
                                 bridge]).stdout
        parts.append('%s:\n%s' % (bridge, '\n'.join(sorted(
            line.strip() for line in flows.splitlines()
            if 'NXST_FLOW' not in line and 'OFPST_FLOW' not in line))))
    return '\n'.join(parts)
