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

"""What Neutron's API says about a router, its ports and its SNAT host."""

import collections
import json

from dvr_tempest_plugin.common import addresses
from dvr_tempest_plugin.common import agents

DVR_INTERFACE = 'network:router_interface_distributed'
LEGACY_INTERFACE = 'network:router_interface'
CENTRALIZED_SNAT = 'network:router_centralized_snat'
ROUTER_GATEWAY = 'network:router_gateway'
FIP_AGENT_GATEWAY = 'network:floatingip_agent_gateway'
HA_INTERFACE = 'network:router_ha_interface'


class UnexpectedPorts(Exception):
    """The API shows missing or extra ports where exactly one is meant."""


class DuplicatePorts(UnexpectedPorts):
    """More than one floating IP agent gateway port for one host.

    A known Neutron race (doc/source/neutron-defects.rst).
    """


def as_json(value):
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def l3_agents(routers_client, router_id):
    """The L3 agents the router is bound to (its SNAT part, for DVR)."""
    return routers_client.list_l3_agents_hosting_router(router_id)['agents']


def snat_host(routers_client, router_id):
    """Host of the router's SNAT binding now, or None when not one."""
    found = l3_agents(routers_client, router_id)
    return found[0]['host'] if len(found) == 1 else None


def router_ports(ports_client, router_id, device_owner):
    return ports_client.list_ports(
        device_id=router_id, device_owner=device_owner)['ports']


def port_on_subnet(ports, subnet):
    for port in ports:
        if any(ip['subnet_id'] == subnet['id']
               for ip in port['fixed_ips']):
            return port
    return None


def gateway_ip(routers_client, router_id):
    router = routers_client.show_router(router_id)['router']
    return addresses.ipv4_address(
        router['external_gateway_info']['external_fixed_ips'],
        'router %s gateway' % router_id)


def fip_agent_gateway_ports(ports_client, network_id):
    """Host -> its network:floatingip_agent_gateway ports (one is right).

    Neutron means one per L3 agent and external network; a race
    between its API and RPC workers can leave two.
    """
    ports = ports_client.list_ports(device_owner=FIP_AGENT_GATEWAY,
                                    network_id=network_id)['ports']
    by_host = collections.defaultdict(list)
    for port in ports:
        by_host[port['binding:host_id']].append(port)
    return dict(by_host)


def one_fip_agent_gateway_port(by_host, host, network_id, owner=None):
    """The one port of host in by_host; UnexpectedPorts otherwise.

    owner names the VM that brought the host here, for the message.
    """
    ports = by_host.get(host, [])
    if len(ports) == 1:
        return ports[0]
    if not ports:
        raise UnexpectedPorts(
            'expected a %s port bound to %s%s; found ports for: %s' % (
                FIP_AGENT_GATEWAY, host,
                ', the host of %s' % owner if owner else '',
                ', '.join(sorted(by_host)) or 'no host'))
    raise DuplicatePorts(
        'host %s: expected one %s port on the external network %s, '
        'found %d: %s' % (
            host, FIP_AGENT_GATEWAY, network_id, len(ports), ', '.join(
                '%s (%s, device_id %s)' % (
                    p['id'], addresses.ipv4_address(
                        p['fixed_ips'], p['id'], 'no IPv4'),
                    p['device_id'])
                for p in ports)))


def bindings(routers_client, ports_client, router_id, network_id):
    """Detail name -> the router's agents and ports, with their hosts."""
    ports = ports_client.list_ports(device_id=router_id)['ports']
    return {
        'api-router-l3-agents': [
            {'host': a['host'], 'id': a['id'], 'alive': a['alive'],
             'agent_mode': agents.agent_mode(a)}
            for a in l3_agents(routers_client, router_id)],
        'api-router-ports': [
            {'id': p['id'], 'device_owner': p['device_owner'],
             'binding:host_id': p.get('binding:host_id'),
             'fixed_ips': p['fixed_ips']} for p in ports],
        'api-fip-agent-gateway-ports': {
            host: [{'id': p['id'], 'fixed_ips': p['fixed_ips'],
                    'device_id': p['device_id']} for p in host_ports]
            for host, host_ports in fip_agent_gateway_ports(
                ports_client, network_id).items()},
    }
