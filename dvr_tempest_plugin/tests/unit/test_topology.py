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

from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit.test_router_api import FakeRoutersClient


class TestTopology(base.TestCase):

    def test_subnet_cidrs(self):
        self.assertEqual(['10.100.0.0/28', '10.100.0.16/28'],
                         topology.subnet_cidrs('10.100.0.0/16', 28))

    def test_wait_snat_host(self):
        self.assertEqual('cpnw1', topology.wait_snat_host(
            FakeRoutersClient([{'host': 'cpnw1'}]), 'r1', 1))

    def test_wait_snat_host_says_what_it_found(self):
        exc = self.assertRaises(lib_exc.TimeoutException,
                                topology.wait_snat_host,
                                FakeRoutersClient([]), 'r1', 0)
        self.assertIn('router r1: expected its SNAT bound to exactly one L3 '
                      'agent within 0 s, found 0: []', str(exc))


def fake_builder(add_cleanup=lambda *a, **k: None, **clients):
    """A TopologyBuilder over the given fake clients, by attribute name."""
    holder = type('Clients', (), clients)()
    return holder, topology.TopologyBuilder(holder, add_cleanup, 'tempest',
                                            'Test')


class FakeRouterCreator(object):

    def __init__(self):
        self.created = []

    def create_router(self, **kwargs):
        self.created.append(kwargs)
        return {'router': dict(kwargs, id='r1')}

    def delete_router(self, router_id):
        pass


class TestCreateRouter(base.TestCase):

    def create(self, ha_extension, **kwargs):
        clients, builder = fake_builder(
            admin_routers_client=FakeRouterCreator())
        builder.create_router('p1', 'ext', ha_extension, **kwargs)
        return clients.admin_routers_client.created[0]

    def test_plain_dvr_router_asks_for_no_ha(self):
        asked = self.create(True)
        self.assertIs(True, asked['distributed'])
        self.assertIs(False, asked['ha'])
        self.assertNotIn('ha', self.create(False))

    def test_dvr_ha_router(self):
        asked = self.create(True, ha=True)
        self.assertIs(True, asked['distributed'])
        self.assertIs(True, asked['ha'])
        self.assertEqual({'network_id': 'ext'},
                         asked['external_gateway_info'])

    def test_ha_needs_the_extension(self):
        self.assertRaises(ValueError, self.create, False, ha=True)

    def test_no_public_network_no_gateway(self):
        clients, builder = fake_builder(
            admin_routers_client=FakeRouterCreator())
        builder.create_router('p1', None, True, distributed=False,
                              role='legacy-router')
        asked = clients.admin_routers_client.created[0]
        self.assertNotIn('external_gateway_info', asked)
        self.assertIs(False, asked['distributed'])
        self.assertIn('Test-legacy-router', asked['name'])


class FakeInterfaces(object):

    def __init__(self):
        self.added = []

    def add_router_interface(self, router_id, **kwargs):
        self.added.append((router_id, kwargs))

    def remove_router_interface(self, router_id, **kwargs):
        pass


class TestRouterInterface(base.TestCase):

    def test_by_subnet_or_by_port(self):
        cleanups = []
        clients, builder = fake_builder(
            lambda *a, **k: cleanups.append((a, k)),
            admin_routers_client=FakeInterfaces())
        builder.add_router_interface({'id': 'r1'}, {'id': 's1'})
        builder.add_router_interface({'id': 'r1'}, port={'id': 'p1'})
        self.assertEqual([('r1', {'subnet_id': 's1'}),
                          ('r1', {'port_id': 'p1'})],
                         clients.admin_routers_client.added)
        self.assertEqual({'port_id': 'p1'}, cleanups[1][1])


class FakePortCreator(object):

    def __init__(self):
        self.created = []

    def create_port(self, **kwargs):
        self.created.append(kwargs)
        return {'port': dict(kwargs, id='p1')}

    def delete_port(self, port_id):
        pass


class TestCreatePort(base.TestCase):

    def test_in_the_networks_project_with_extra_attributes(self):
        clients, builder = fake_builder(
            admin_ports_client=FakePortCreator())
        builder.create_port({'id': 'n1', 'project_id': 'p'}, 'on-cpnw1',
                            device_owner='compute:nova',
                            **{'binding:host_id': 'cpnw1'})
        asked = clients.admin_ports_client.created[0]
        self.assertEqual(('n1', 'p', 'compute:nova', 'cpnw1'), (
            asked['network_id'], asked['project_id'], asked['device_owner'],
            asked['binding:host_id']))
        self.assertIn('Test-on-cpnw1', asked['name'])
