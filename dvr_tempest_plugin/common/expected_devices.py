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

"""The devices a router's namespaces should hold, from its ports in the API.

Each function returns device name -> hoststate.Device (role, IPv4
address or None), as hoststate.namespace_problems expects.
"""

from dvr_tempest_plugin.common import addresses
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import router_api

Device = hoststate.Device


def _port_on_subnet(ports, subnets, name, device_owner):
    port = router_api.port_on_subnet(ports, subnets[name])
    if port is None:
        raise router_api.UnexpectedPorts('no %s port on %s' %
                                         (device_owner, name))
    return port


def _qr_devices(subnets, interface_ports, device_owner):
    """qr- of each subnet, with the subnet's gateway address."""
    devices = {}
    for name, subnet in subnets.items():
        port = _port_on_subnet(interface_ports, subnets, name, device_owner)
        devices[naming.qr_device(port['id'])] = Device(
            'qr- of %s' % name, subnet['gateway_ip'])
    return devices


def qrouter_devices(router_id, subnets, interface_ports):
    """qr- of each subnet (its gateway address) and rfp-."""
    devices = _qr_devices(subnets, interface_ports, router_api.DVR_INTERFACE)
    devices[naming.rfp_device(router_id)] = Device(
        'rfp- to the fip namespace', None)
    return devices


def legacy_qrouter_devices(subnets, interface_ports, gateway_port):
    """A legacy router's qrouter-: qr- of each subnet, and qg-."""
    devices = _qr_devices(subnets, interface_ports,
                          router_api.LEGACY_INTERFACE)
    devices[naming.qg_device(gateway_port['id'])] = Device(
        'qg- gateway', addresses.ipv4_address(
            gateway_port['fixed_ips'], '%s port %s' % (
                router_api.ROUTER_GATEWAY, gateway_port['id'])))
    return devices


def snat_devices(subnets, snat_ports, gateway_port):
    """sg- of each subnet and qg-, with their addresses."""
    devices = {}
    for name in subnets:
        port = _port_on_subnet(snat_ports, subnets, name,
                               router_api.CENTRALIZED_SNAT)
        devices[naming.sg_device(port['id'])] = Device(
            'sg- of %s' % name, addresses.ipv4_address(
                port['fixed_ips'], '%s port %s' % (
                    router_api.CENTRALIZED_SNAT, port['id'])))
    devices[naming.qg_device(gateway_port['id'])] = Device(
        'qg- gateway', addresses.ipv4_address(
            gateway_port['fixed_ips'], '%s port %s' % (
                router_api.ROUTER_GATEWAY, gateway_port['id'])))
    return devices


def fip_devices(router_id, fip_agent_gateway_port, host):
    """fg- on the external network and fpr-, in host's fip- namespace."""
    port = fip_agent_gateway_port
    return {
        naming.fg_device(port['id']): Device(
            'fg- on the external network',
            addresses.ipv4_address(
                port['fixed_ips'], '%s port %s of %s' % (
                    router_api.FIP_AGENT_GATEWAY, port['id'], host))),
        naming.fpr_device(router_id): Device(
            'fpr- to the qrouter namespace', None),
    }


def ha_devices(ha_ports, host):
    """ha- of host's port on the router's HA network (DVR+HA snat-).

    ha_ports are the router's network:router_ha_interface ports; exactly
    one must be bound to host.
    """
    mine = [port for port in ha_ports if port.get('binding:host_id') == host]
    if len(mine) != 1:
        raise router_api.UnexpectedPorts(
            'expected one %s port of the router bound to host %s, found %d '
            '(bound to: %s)' % (
                router_api.HA_INTERFACE, host, len(mine), ', '.join(sorted(
                    str(port.get('binding:host_id')) for port in ha_ports))
                or 'none'))
    return {naming.ha_device(mine[0]['id']): Device(
        'ha- on the HA network (VRRP)', None)}
