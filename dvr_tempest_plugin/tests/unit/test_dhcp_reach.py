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

from dvr_tempest_plugin.common import dhcp_reach
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import vms
from dvr_tempest_plugin.tests.unit import base

PORT_ID = '187e74ab-4412-4c5e-9d43-0c1f1a2b3c4d'
NETWORK_ID = 'b871f1f9-0000-4000-8000-000000000001'
# ovs-ofctl dump-flows br-tun table=22 on cpnw1, neutron master
FLOWS = (
    'NXST_FLOW reply (xid=0x8):\n'
    ' cookie=0xd36e, duration=24.1s, table=22, n_packets=6, '
    'priority=3,arp,dl_vlan=9,arp_tpa=10.199.0.1 actions=drop\n'
    ' cookie=0xd36e, duration=3.6s, table=22, n_packets=4, priority=1,'
    'dl_vlan=8 actions=strip_vlan,load:0x54->NXM_NX_TUN_ID[],output:3\n'
    ' cookie=0xd36e, duration=3.3s, table=22, n_packets=17, priority=1,'
    'dl_vlan=9 actions=strip_vlan,load:0x39e->NXM_NX_TUN_ID[],output:3,'
    'output:4\n'
    ' cookie=0xd36e, duration=174.4s, table=22, n_packets=114, '
    'priority=0 actions=drop\n')
# ovs-ofctl dump-flows br-tun table=4 on cpnw2
TUN_TO_VLAN = (
    'NXST_FLOW reply (xid=0x8):\n'
    ' cookie=0xa578, duration=9.2s, table=4, n_packets=7, priority=1,'
    'tun_id=0x39e actions=mod_vlan_vid:12,resubmit(,9)\n'
    ' cookie=0xa578, duration=970.0s, table=4, n_packets=0, priority=0 '
    'actions=drop\n')
INTERFACES = (
    '3,df_default=true egress_pkt_mark=0 in_key=flow local_ip=10.251.0.11 '
    'out_key=flow remote_ip=10.251.0.12\n'
    '4,df_default=true in_key=flow local_ip=10.251.0.11 out_key=flow '
    'remote_ip=10.251.0.13\n')


class FakeOvsHost(object):

    name = 'cpnw1'

    def __init__(self, tag='9', fail=None):
        self.answers = {'ovs-vsctl': tag, 'table=22': FLOWS,
                        'table=4': TUN_TO_VLAN}
        self.fail = fail

    def run(self, argv):
        if argv[0] == self.fail:
            raise hosts.HostAccessError('%s: exited with status 1' % argv[0])
        if argv[0] == 'ovs-vsctl' and 'find' in argv:
            return hosts.CommandResult(self.name, '', 0,
                                       self.answers.get('find', INTERFACES),
                                       '')
        key = argv[-1] if argv[0] == 'ovs-ofctl' else argv[0]
        return hosts.CommandResult(self.name, '', 0,
                                   self.answers[key] + '\n', '')


class FakeNetworks(object):

    def __init__(self, hosts_alive, network_type='vxlan'):
        self.hosts_alive = hosts_alive
        self.network_type = network_type

    def show_network(self, network_id):
        return {'network': {'id': network_id,
                            'provider:network_type': self.network_type,
                            'provider:segmentation_id': 0x39e}}

    def list_dhcp_agents_on_hosting_network(self, network_id):
        return {'agents': [{'host': host, 'alive': alive}
                           for host, alive in self.hosts_alive]}


class FakeAgents(object):

    TUNNEL_IPS = {'cpnw1': '10.251.0.11', 'cpnw2': '10.251.0.12',
                  'network1': '10.251.0.14'}

    def list_agents(self, **filters):
        host = filters.get('host')
        return {'agents': [{
            'host': host, 'agent_type': filters.get('agent_type'),
            'alive': True,
            'configurations': {'tunneling_ip': self.TUNNEL_IPS[host]}}]}


def vm():
    return vms.Vm('vm2', 'cpnw1', 'subnet2', 'server-2', port_id=PORT_ID)


def evidence(dhcp_hosts, host=None, network_type='vxlan'):
    return dhcp_reach.evidence(
        FakeNetworks(dhcp_hosts, network_type), FakeAgents(),
        lambda name: host or FakeOvsHost(), vm(), NETWORK_ID)


class TestParsing(base.TestCase):

    def test_tap_named_as_nova_does(self):
        self.assertEqual('tap187e74ab-44', naming.tap_device(PORT_ID))

    def test_flood_ports_of_the_vlan_only(self):
        self.assertEqual([3, 4], dhcp_reach.flood_flow(FLOWS, 9)[0])
        self.assertEqual([3], dhcp_reach.flood_flow(FLOWS, 8)[0])

    def test_no_flood_flow(self):
        self.assertEqual([], dhcp_reach.flood_flow(FLOWS, 7)[0])
        self.assertEqual(([], None), dhcp_reach.flood_flow(FLOWS, 7))

    def test_tunnel_id_to_vlan(self):
        self.assertEqual((12, 7), dhcp_reach.tunnel_to_vlan(TUN_TO_VLAN,
                                                            0x39e))
        self.assertEqual((None, None),
                         dhcp_reach.tunnel_to_vlan(TUN_TO_VLAN, 0x54))

    def test_remote_ips_by_ofport(self):
        self.assertEqual({3: '10.251.0.12', 4: '10.251.0.13'},
                         dhcp_reach.tunnel_remote_ips(INTERFACES))

    def test_untagged_port_is_an_error(self):
        self.assertRaises(ValueError, dhcp_reach.local_vlan,
                          FakeOvsHost(tag='[]'), PORT_ID)


class TestEvidence(base.TestCase):

    def test_dhcp_host_flooded_to(self):
        text = evidence([('cpnw2', True)])
        self.assertIn('DHCP agents of network %s (API): cpnw2 (alive)'
                      % NETWORK_ID, text)
        self.assertIn('local VLAN 9 of vm2: broadcasts go to tunnels '
                      '10.251.0.12, 10.251.0.13 (17 packets so far)', text)
        self.assertIn('host cpnw2, br-tun table 4: tunnel id 926 to local '
                      'VLAN 12 (7 packets so far)', text)
        self.assertNotIn('cannot reach', text)
        self.assertIn('host cpnw2 has no tunnel port to cpnw1 (10.251.0.11): '
                      'it drops what comes from there', text)

    def test_dhcp_host_with_a_tunnel_back(self):
        interfaces = INTERFACES.replace('10.251.0.13', '10.251.0.11')
        host = FakeOvsHost()
        host.answers['find'] = interfaces
        text = evidence([('cpnw2', True)], host)
        self.assertIn('host cpnw2 has a tunnel port to cpnw1 (10.251.0.11)',
                      text)

    def test_dhcp_host_missing_from_the_flood(self):
        text = evidence([('network1', False)])
        self.assertIn('network1 (dead)', text)
        self.assertIn('none to the DHCP host network1 (10.251.0.14): '
                      'vm2\'s DHCPDISCOVER cannot reach its DHCP server',
                      text)

    def test_no_tunnel_flow_on_the_dhcp_host(self):
        host = FakeOvsHost()
        host.answers['table=4'] = TUN_TO_VLAN.replace('0x39e', '0x54')
        self.assertIn('host cpnw2, br-tun table 4: no flow for tunnel id '
                      '926: it drops what tunnels bring for this network',
                      evidence([('cpnw2', True)], host))

    def test_vlan_network_has_no_tunnel_to_read(self):
        self.assertIn('is of type vlan: no tunnel to read',
                      evidence([('cpnw2', True)], network_type='vlan'))

    def test_dhcp_on_the_guest_host_needs_no_tunnel(self):
        text = evidence([('cpnw1', True)])
        self.assertEqual('DHCP agents of network %s (API): cpnw1 (alive)'
                         % NETWORK_ID, text)

    def test_no_dhcp_agent(self):
        self.assertIn('(API): none', evidence([]))

    def test_unreadable_host_is_said_not_raised(self):
        text = evidence([('cpnw2', True)], FakeOvsHost(fail='ovs-ofctl'))
        self.assertIn('host cpnw1: its br-tun flood flow for vm2 not read '
                      '(ovs-ofctl: exited with status 1)', text)
