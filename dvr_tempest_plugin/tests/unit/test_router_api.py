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

from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.tests.unit import base

EXT_NET = 'ext-net'


def port(port_id, host, address='172.24.4.10', device_id='agent-1'):
    return {'id': port_id, 'binding:host_id': host, 'device_id': device_id,
            'fixed_ips': [{'subnet_id': 'sub-' + port_id,
                           'ip_address': address}]}


class FakePortsClient(object):

    def __init__(self, ports):
        self.ports = ports
        self.filters = []

    def list_ports(self, **filters):
        self.filters.append(filters)
        return {'ports': self.ports}


class FakeRoutersClient(object):

    def __init__(self, agents):
        self.agents = agents

    def list_l3_agents_hosting_router(self, router_id):
        return {'agents': self.agents}


class TestRouterApi(base.TestCase):

    def test_snat_host_only_when_one_binding(self):
        one = FakeRoutersClient([{'host': 'cpnw1'}])
        two = FakeRoutersClient([{'host': 'cpnw1'}, {'host': 'cpnw2'}])
        self.assertEqual('cpnw1', router_api.snat_host(one, 'r'))
        self.assertIsNone(router_api.snat_host(two, 'r'))

    def test_port_on_subnet(self):
        ports = [port('p1', 'a'), port('p2', 'b')]
        self.assertEqual('p2', router_api.port_on_subnet(
            ports, {'id': 'sub-p2'})['id'])
        self.assertIsNone(router_api.port_on_subnet(ports, {'id': 'other'}))

    def test_fip_agent_gateway_ports_by_host(self):
        client = FakePortsClient([port('p1', 'a'), port('p2', 'a'),
                                  port('p3', 'b')])
        by_host = router_api.fip_agent_gateway_ports(client, EXT_NET)
        self.assertEqual({'a': ['p1', 'p2'], 'b': ['p3']},
                         {h: [p['id'] for p in ps]
                          for h, ps in by_host.items()})
        self.assertEqual([{'device_owner': router_api.FIP_AGENT_GATEWAY,
                           'network_id': EXT_NET}], client.filters)

    def test_one_fip_agent_gateway_port(self):
        by_host = {'a': [port('p1', 'a')]}
        self.assertEqual('p1', router_api.one_fip_agent_gateway_port(
            by_host, 'a', EXT_NET)['id'])

    def test_missing_fip_agent_gateway_port_names_the_owner(self):
        exc = self.assertRaises(
            router_api.UnexpectedPorts,
            router_api.one_fip_agent_gateway_port,
            {'a': [port('p1', 'a')]}, 'b', EXT_NET, 'vm2')
        self.assertEqual('expected a network:floatingip_agent_gateway port '
                         'bound to b, the host of vm2; found ports for: a',
                         str(exc))

    def test_two_fip_agent_gateway_ports_are_listed(self):
        exc = self.assertRaises(
            router_api.UnexpectedPorts,
            router_api.one_fip_agent_gateway_port,
            {'a': [port('p1', 'a'), port('p2', 'a', '172.24.4.11')]}, 'a',
            EXT_NET)
        self.assertEqual(
            'host a: expected one network:floatingip_agent_gateway port on '
            'the external network ext-net, found 2: p1 (172.24.4.10, '
            'device_id agent-1), p2 (172.24.4.11, device_id agent-1)',
            str(exc))


class TestDuplicateFipAgentGatewayPorts(base.TestCase):

    def test_duplicates_are_their_own_error(self):
        ports = [{'id': 'p%d' % i, 'device_id': 'agent',
                  'fixed_ips': [{'ip_address': '172.24.4.%d' % i,
                                 'subnet_id': 's'}]} for i in (1, 2)]
        error = self.assertRaises(
            router_api.DuplicatePorts, router_api.one_fip_agent_gateway_port,
            {'cpnw1': ports}, 'cpnw1', 'net')
        self.assertIn('found 2: p1 (172.24.4.1, device_id agent)', str(error))
        self.assertNotIsInstance(self.assertRaises(
            router_api.UnexpectedPorts,
            router_api.one_fip_agent_gateway_port, {}, 'cpnw1', 'net'),
            router_api.DuplicatePorts)
