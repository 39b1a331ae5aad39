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

"""Can a guest's DHCP broadcast reach its network's DHCP servers?

A guest's DHCPDISCOVER is a broadcast. From a host without a DHCP server
of the network it leaves through br-tun's flood flow for the network's
local VLAN, which sends it to one tunnel per remote host: l2population
fills that list, a host at a time, when ports of the network become
ACTIVE. A DHCP host missing from it never hears the guest. Evidence for
a guest that got no lease: the API's DHCP agents of its network, and the
tunnels its host floods to.
"""

import re

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import naming

TUNNEL_BRIDGE = 'br-tun'
# neutron/plugins/ml2/drivers/openvswitch/agent/common/constants.py
TUN_TO_VLAN = '4'           # VXLAN_TUN_TO_LV: tunnel id -> local VLAN
FLOOD_TO_TUN = '22'
TUNNEL_TYPES = ('vxlan', 'gre', 'geneve')
OVS_TIMEOUT = '--timeout=10'

_FLOOD_RE = re.compile(r'\bdl_vlan=(\d+)\b.*\bactions=(\S+)')
_PACKETS_RE = re.compile(r'\bn_packets=(\d+)')
_TUN_ID_RE = re.compile(r'\btun_id=(0x[0-9a-f]+)\b.*\bactions=(\S+)')
_VLAN_ACTION_RE = re.compile(r'mod_vlan_vid:(\d+)')
_OUTPUT_RE = re.compile(r'output:(\d+)')
_REMOTE_IP_RE = re.compile(r'\bremote_ip=(\S+)')


def local_vlan(host_client, port_id):
    """br-int's tag of the guest's tap: the network's local VLAN."""
    tag = host_client.run(['ovs-vsctl', OVS_TIMEOUT, 'get', 'Port',
                           naming.tap_device(port_id), 'tag']).stdout.strip()
    if not tag.isdigit():
        raise ValueError('port %s has no VLAN tag in br-int: %r' % (
            naming.tap_device(port_id), tag))
    return int(tag)


def _packets(line):
    found = _PACKETS_RE.search(line)
    return int(found.group(1)) if found else None


def flood_flow(flows_text, vlan):
    """(ofports table 22 floods vlan to, its n_packets); ([], None)."""
    for line in flows_text.splitlines():
        found = _FLOOD_RE.search(line)
        if found and int(found.group(1)) == vlan and 'arp' not in line:
            return ([int(port) for port in _OUTPUT_RE.findall(
                found.group(2))], _packets(line))
    return [], None


def tunnel_to_vlan(flows_text, segmentation_id):
    """(local VLAN, n_packets) of table 4's flow for the tunnel id."""
    for line in flows_text.splitlines():
        found = _TUN_ID_RE.search(line)
        if found and int(found.group(1), 16) == segmentation_id:
            vlan = _VLAN_ACTION_RE.search(found.group(2))
            return (int(vlan.group(1)) if vlan else None), _packets(line)
    return None, None


def tunnel_remote_ips(interfaces_csv):
    """{ofport: remote IP} from `ovs-vsctl --format=csv ... find`."""
    remotes = {}
    for line in interfaces_csv.splitlines():
        ofport, _, options = line.partition(',')
        found = _REMOTE_IP_RE.search(options)
        if ofport.strip().isdigit() and found:
            remotes[int(ofport)] = found.group(1)
    return remotes


def tunnel_ports(host_client):
    """{ofport: remote IP} of the host's tunnel ports."""
    return tunnel_remote_ips(host_client.run([
        'ovs-vsctl', OVS_TIMEOUT, '--format=csv', '--data=bare',
        '--no-headings', '--columns=ofport,options', 'find', 'Interface',
        'options:remote_ip!=[]']).stdout)


def tunnel_flows(host_client, table):
    return host_client.run(['ovs-ofctl', 'dump-flows', TUNNEL_BRIDGE,
                            'table=%s' % table]).stdout


def flooded_remote_ips(host_client, vlan):
    """(remote tunnel IPs host floods vlan's broadcasts to, n_packets)."""
    ofports, packets = flood_flow(tunnel_flows(host_client, FLOOD_TO_TUN),
                                  vlan)
    remotes = tunnel_ports(host_client)
    return sorted(remotes.get(port, 'ofport %d' % port)
                  for port in ofports), packets


def tunnel_ip_of(agents_client, host):
    """The host's OVS agent's tunneling_ip, or None."""
    agent = agents.find_agent(agents_client, host, agents.OVS_AGENT)
    return (agent or {}).get('configurations', {}).get('tunneling_ip')


def evidence(networks_client, agents_client, host_client_of, vm,
             network_id):
    """Where vm's DHCP broadcasts can go, as text, for a failure.

    Evidence only: what cannot be read says why; nothing is raised.
    """
    lines = _evidence(networks_client, agents_client, host_client_of, vm,
                      network_id)
    return '\n'.join(lines)


def _evidence(networks_client, agents_client, host_client_of, vm,
              network_id):
    try:
        dhcp_agents = networks_client.list_dhcp_agents_on_hosting_network(
            network_id)['agents']
    except Exception as exc:  # evidence only, never the outcome
        return ['DHCP of network %s: its DHCP agents not read (%s)' % (
            network_id, exc)]
    lines = ['DHCP agents of network %s (API): %s' % (
        network_id, ', '.join('%s (%s)' % (
            a['host'], 'alive' if a['alive'] else 'dead')
            for a in dhcp_agents) or 'none')]
    remote = sorted({a['host'] for a in dhcp_agents} - {vm.host})
    if remote:
        lines.append(_flood_line(agents_client, host_client_of, vm,
                                 remote))
        lines.extend(_return_tunnel_line(agents_client, host_client_of, vm,
                                         host) for host in remote)
        segment, why_not = _tunnel_segment(networks_client, network_id)
        if why_not:
            lines.append(why_not)
        else:
            lines.extend(_arrival_line(host_client_of, segment, host)
                         for host in remote)
    return lines


def _flood_line(agents_client, host_client_of, vm, dhcp_hosts):
    try:
        client = host_client_of(vm.host)
        vlan = local_vlan(client, vm.port_id)
        flooded, packets = flooded_remote_ips(client, vlan)
        wanted = {host: tunnel_ip_of(agents_client, host)
                  for host in dhcp_hosts}
    except Exception as exc:  # evidence only, never the outcome
        return 'host %s: its %s flood flow for %s not read (%s)' % (
            vm.host, TUNNEL_BRIDGE, vm.name, exc)
    missing = ['%s (%s)' % (host, ip) for host, ip in sorted(wanted.items())
               if ip not in flooded]
    line = ('host %s, %s table %s, local VLAN %d of %s: broadcasts go to '
            'tunnels %s (%s packets so far)' % (
                vm.host, TUNNEL_BRIDGE, FLOOD_TO_TUN, vlan, vm.name,
                ', '.join(flooded) or 'none',
                'no flood flow, no' if packets is None else packets))
    if missing:
        line += ('; none to the DHCP host %s: %s\'s DHCPDISCOVER cannot '
                 'reach its DHCP server' % (', '.join(missing), vm.name))
    return line


def _return_tunnel_line(agents_client, host_client_of, vm, dhcp_host):
    """Whether dhcp_host has a tunnel port from vm's host.

    Without one, its br-tun drops what comes from there.
    """
    try:
        remotes = set(tunnel_ports(host_client_of(dhcp_host)).values())
        vm_host_ip = tunnel_ip_of(agents_client, vm.host)
    except Exception as exc:  # evidence only, never the outcome
        return 'host %s: its tunnel ports not read (%s)' % (dhcp_host, exc)
    if vm_host_ip in remotes:
        return 'host %s has a tunnel port to %s (%s)' % (
            dhcp_host, vm.host, vm_host_ip)
    return ('host %s has no tunnel port to %s (%s): it drops what comes '
            'from there' % (dhcp_host, vm.host, vm_host_ip))


def _tunnel_segment(networks_client, network_id):
    """(the network's tunnel id, None), or (None, why there is none)."""
    try:
        network = networks_client.show_network(network_id)['network']
    except Exception as exc:  # evidence only, never the outcome
        return None, 'network %s: its type and tunnel id not read (%s)' % (
            network_id, exc)
    network_type = network.get('provider:network_type')
    if network_type not in TUNNEL_TYPES:
        return None, 'network %s is of type %s: no tunnel to read' % (
            network_id, network_type)
    return network['provider:segmentation_id'], None


def _arrival_line(host_client_of, segmentation_id, dhcp_host):
    """What dhcp_host's br-tun does with the network's tunnel id."""
    try:
        vlan, packets = tunnel_to_vlan(
            tunnel_flows(host_client_of(dhcp_host), TUN_TO_VLAN),
            segmentation_id)
    except Exception as exc:  # evidence only, never the outcome
        return 'host %s: its %s table %s not read (%s)' % (
            dhcp_host, TUNNEL_BRIDGE, TUN_TO_VLAN, exc)
    if packets is None:
        return ('host %s, %s table %s: no flow for tunnel id %s: it drops '
                'what tunnels bring for this network' % (
                    dhcp_host, TUNNEL_BRIDGE, TUN_TO_VLAN, segmentation_id))
    return ('host %s, %s table %s: tunnel id %s to local VLAN %s (%d '
            'packets so far)' % (dhcp_host, TUNNEL_BRIDGE, TUN_TO_VLAN,
                                 segmentation_id, vlan, packets))
