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

"""Addresses out of Neutron's fixed_ips lists.

A port or router gateway on a dual-stack network (devstack's public
network is IPv4 and IPv6) has one entry per subnet, in no promised
order; the DVR plumbing these tests check is IPv4.
"""

import ipaddress

_RAISE = object()


class NoIpv4Address(LookupError):
    """A fixed_ips list without an IPv4 entry."""


def ipv4_address(fixed_ips, what, default=_RAISE):
    """The IPv4 ip_address of a fixed_ips / external_fixed_ips list.

    what names the port or gateway for the error raised when there is
    none; with a default (for failure messages), that is returned instead.
    """
    for entry in fixed_ips or ():
        address = entry.get('ip_address')
        if address and ipaddress.ip_address(address).version == 4:
            return address
    if default is not _RAISE:
        return default
    raise NoIpv4Address('%s: expected an IPv4 address in its fixed IPs, '
                        'found %s' % (what, ', '.join(
                            str(entry.get('ip_address'))
                            for entry in fixed_ips or ()) or 'none'))
