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

TUNNEL_BRIDGE = 'br-tun'
# neutron/plugins/ml2/drivers/openvswitch/agent/common/constants.py
FLOOD_TO_TUN = '22'
TAP_PREFIX = 'tap'          # nova/network/model.py NIC_NAME_LEN 14
NIC_NAME_LEN = 14
OVS_TIMEOUT = '--timeout=10'

_FLOOD_RE = re.compile(r'\bdl_vlan=(\d+)\b.*\bactions=(\S+)')
_OUTPUT_RE = re.compile(r'output:(\d+)')
_REMOTE_IP_RE = re.compile(r'\bremote_ip=(\S+)')


def tap_device(port_id):
    """The guest's tap in br-int, as nova names it."""
    return (TAP_PREFIX + port_id)[:NIC_NAME_LEN]


def local_vlan(host_client, port_id):
    """br-int's tag of the guest's tap: the network's local VLAN."""
    tag = host_client.run(['ovs-vsctl', OVS_TIMEOUT, 'get', 'Port',
                           tap_device(port_id), 'tag']).stdout.strip()
    if not tag.isdigit():
        raise ValueError('port %s has no VLAN tag in br-int: %r' % (
            tap_device(port_id), tag))
    return int(tag)


def flood_ofports(flows_text, vlan):
    """The ofports table 22 floods vlan to ([] without a flood flow)."""
    for line in flows_text.splitlines():
        found = _FLOOD_RE.search(line)
        if found and int(found.group(1)) == vlan and 'arp' not in line:
            return [int(port) for port in _OUTPUT_RE.findall(
                found.group(2))]
    return []


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


def flooded_remote_ips(host_client, vlan):
    """The remote tunnel IPs host floods vlan's broadcasts to."""
    flows = host_client.run(['ovs-ofctl', 'dump-flows', TUNNEL_BRIDGE,
                             'table=%s' % FLOOD_TO_TUN]).stdout
    remotes = tunnel_ports(host_client)
    return sorted(remotes.get(port, 'ofport %d' % port)
                  for port in flood_ofports(flows, vlan))


def tunnel_ip_of(agents_client, host):
    """The host's OVS agent's tunneling_ip, or None."""
    agent = agents.find_agent(agents_client, host, agents.OVS_AGENT)
    return (agent or {}).get('configurations', {}).get('tunneling_ip')


def evidence(networks_client, agents_client, host_client_of, vm,
             network_id):
    """Where vm's DHCP broadcasts can go, as text, for a failure.

    Evidence only: what cannot be read says why; nothing is raised.
    """
    try:
        dhcp_agents = networks_client.list_dhcp_agents_on_hosting_network(
            network_id)['agents']
    except Exception as exc:  # evidence only, never the outcome
        return 'DHCP of network %s: its DHCP agents not read (%s)' % (
            network_id, exc)
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
    return '\n'.join(lines)


def _flood_line(agents_client, host_client_of, vm, dhcp_hosts):
    try:
        client = host_client_of(vm.host)
        vlan = local_vlan(client, vm.port_id)
        flooded = flooded_remote_ips(client, vlan)
        wanted = {host: tunnel_ip_of(agents_client, host)
                  for host in dhcp_hosts}
    except Exception as exc:  # evidence only, never the outcome
        return 'host %s: its %s flood flow for %s not read (%s)' % (
            vm.host, TUNNEL_BRIDGE, vm.name, exc)
    missing = ['%s (%s)' % (host, ip) for host, ip in sorted(wanted.items())
               if ip not in flooded]
    line = ('host %s, %s table %s, local VLAN %d of %s: broadcasts go to '
            'tunnels %s' % (vm.host, TUNNEL_BRIDGE, FLOOD_TO_TUN, vlan,
                            vm.name, ', '.join(flooded) or 'none'))
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
