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

"""What must stay on a host, and what must go, as a router is torn down.

Neutron's rules (neutron/db/l3_dvrscheduler_db.py,
get_dvr_routers_to_remove; neutron/db/l3_dvr_db.py,
_delete_dvr_internal_ports):

- a host keeps a distributed router (its qrouter- namespace) while an
  ACTIVE port of the router's subnets bound to it is "DVR serviced": a
  compute:* port, or a network:dhcp port when host_dvr_for_dhcp is True
  (the default, which the API does not show), or while it hosts the
  router's SNAT;
- a floating IP agent gateway port goes only with the last router gateway
  port on its external network, for every host at once, not with the
  host's last floating IP.
"""

from dvr_tempest_plugin.common import naming

DHCP = 'network:dhcp'
COMPUTE_PREFIX = 'compute:'


def is_dvr_serviced(port):
    owner = port.get('device_owner') or ''
    return owner.startswith(COMPUTE_PREFIX) or owner == DHCP


def qrouter_keepers(ports, subnet_ids, host):
    """The ports that keep the router's qrouter- on host, per Neutron.

    ports: the ports of the router's networks; subnet_ids: its interface
    subnets.
    """
    subnet_ids = set(subnet_ids)
    return [port for port in ports
            if port.get('binding:host_id') == host and
            port.get('status') == 'ACTIVE' and is_dvr_serviced(port) and
            any(ip['subnet_id'] in subnet_ids for ip in port['fixed_ips'])]


def describe_ports(ports):
    return ', '.join('%s (%s)' % (port['id'], port['device_owner'])
                     for port in ports) or 'none'


def left_by_fip_delete_race(devices):
    """True for a fip- namespace as the known delete race leaves it.

    Neutron's FipNamespace._delete removes the fpr- devices, then
    unplugs fg-, then the namespace; an fpr- removed meanwhile by its
    router aborts it there (NetworkInterfaceNotFound), leaving fg- and
    no fpr-.
    """
    names = list(devices)
    return (any(n.startswith(naming.FIP_EXT_DEV_PREFIX) for n in names) and
            not any(n.startswith(naming.FIP_2_ROUTER_DEV_PREFIX)
                    for n in names))
