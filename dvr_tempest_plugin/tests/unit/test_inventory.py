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

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import inventory
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit.test_agents import agent


def service(host, state='up', status='enabled', zone='nova'):
    return {'binary': 'nova-compute', 'host': host, 'state': state,
            'status': status, 'zone': zone}


def host_agents(host, mode='dvr', l3_alive=True, ovs_alive=True,
                l3_admin_up=True):
    return [agent(host, mode=mode, alive=l3_alive,
                  admin_state_up=l3_admin_up),
            agent(host, agents.OVS_AGENT, alive=ovs_alive)]


def article(**cpnw2):
    """Two compute+network hosts in dvr_snat mode; cpnw2's agents vary."""
    return ([service('cpnw1'), service('cpnw2')],
            host_agents('cpnw1', mode='dvr_snat') +
            host_agents('cpnw2', mode='dvr_snat', **cpnw2))


def standard():
    """A dvr_snat network node and two dvr computes."""
    return ([service('cmp1'), service('cmp2')],
            host_agents('net1', mode='dvr_snat') + host_agents('cmp1') +
            host_agents('cmp2'))


def no_external():
    """A dvr_snat network node and two dvr_no_external computes."""
    return ([service('cmp1'), service('cmp2')],
            host_agents('net1', mode='dvr_snat') +
            host_agents('cmp1', mode=agents.NO_EXTERNAL_MODE) +
            host_agents('cmp2', mode=agents.NO_EXTERNAL_MODE))


class TestInventory(base.TestCase):

    def check(self, services, agent_list):
        return inventory.build(services, agent_list).check()

    def test_healthy_layouts_give_their_computes(self):
        self.assertEqual(['cpnw1', 'cpnw2'], self.check(*article()))
        self.assertEqual(['cmp1', 'cmp2'], self.check(*standard()))

    def test_no_external_computes_only_for_tests_that_ask(self):
        exc = self.assertRaises(inventory.CapabilityMissing, self.check,
                                *no_external())
        self.assertIn('two enabled compute hosts whose L3 agent is in dvr '
                      'or dvr_snat mode; found none', str(exc))
        self.assertEqual(['cmp1', 'cmp2'], inventory.build(
            *no_external()).check((agents.NO_EXTERNAL_MODE,)))

    def test_dead_l3_agent_on_a_compute_is_broken_not_missing(self):
        exc = self.assertRaises(inventory.CloudBroken, self.check,
                                *article(l3_alive=False))
        self.assertIn('compute host cpnw2: L3 agent dvr_snat, dead',
                      str(exc))
        # every host and agent is named with its state
        self.assertIn('cpnw1: nova-compute up/enabled, L3 agent dvr_snat, '
                      'alive, Open vSwitch agent alive', str(exc))

    def test_admin_down_l3_agent_on_a_compute_is_broken(self):
        exc = self.assertRaises(inventory.CloudBroken, self.check,
                                *article(l3_admin_up=False))
        self.assertIn('L3 agent dvr_snat, alive, admin-down', str(exc))

    def test_dead_ovs_agent_on_a_compute_is_broken(self):
        exc = self.assertRaises(inventory.CloudBroken, self.check,
                                *article(ovs_alive=False))
        self.assertIn('compute host cpnw2: Open vSwitch agent dead',
                      str(exc))

    def test_nova_compute_down_is_broken(self):
        services, agent_list = standard()
        services[1]['state'] = 'down'
        exc = self.assertRaises(inventory.CloudBroken, self.check,
                                services, agent_list)
        self.assertIn('compute host cmp2: nova-compute is down', str(exc))

    def test_dvr_snat_registered_but_none_alive_is_broken(self):
        services, agent_list = standard()
        agent_list[0]['alive'] = False
        exc = self.assertRaises(inventory.CloudBroken, self.check,
                                services, agent_list)
        self.assertIn('dvr_snat L3 agents are registered but none is up: '
                      'net1 (dvr_snat, dead)', str(exc))

    def test_disabled_compute_is_out_of_service_not_broken(self):
        services, agent_list = standard()
        services.append(service('cmp3', state='down', status='disabled'))
        agent_list += host_agents('cmp3', l3_alive=False)
        self.assertEqual(['cmp1', 'cmp2'], self.check(services, agent_list))

    def test_one_compute_registered_is_missing(self):
        services, agent_list = standard()
        exc = self.assertRaises(inventory.CapabilityMissing, self.check,
                                services[:1], agent_list)
        self.assertIn('two compute hosts; 1 registered', str(exc))

    def test_computes_without_l3_agents_are_missing_dvr(self):
        services = [service('cmp1'), service('cmp2')]
        agent_list = (host_agents('net1', mode='dvr_snat') +
                      [agent('cmp1', agents.OVS_AGENT),
                       agent('cmp2', agents.OVS_AGENT)])
        exc = self.assertRaises(inventory.CapabilityMissing, self.check,
                                services, agent_list)
        self.assertIn('found none', str(exc))

    def test_legacy_computes_are_missing_dvr(self):
        services = [service('cmp1'), service('cmp2')]
        agent_list = host_agents('cmp1', mode='legacy') + host_agents(
            'cmp2', mode='legacy')
        self.assertRaises(inventory.CapabilityMissing, self.check,
                          services, agent_list)

    def test_no_dvr_snat_agent_is_missing(self):
        services = [service('cmp1'), service('cmp2')]
        agent_list = host_agents('cmp1') + host_agents('cmp2')
        exc = self.assertRaises(inventory.CapabilityMissing, self.check,
                                services, agent_list)
        self.assertIn('no L3 agent in dvr_snat mode', str(exc))

    def test_names_differing_only_by_domain_are_matched(self):
        services = [service('cmp1.cloud.example'),
                    service('cmp2.cloud.example')]
        agent_list = (host_agents('net1', mode='dvr_snat') +
                      host_agents('cmp1') + host_agents('cmp2'))
        found = inventory.build(services, agent_list)
        self.assertEqual(['cmp1', 'cmp2'], found.check())
        self.assertEqual('cmp1.cloud.example', found.nova_host('cmp1'))
        self.assertIn('nova host cmp1.cloud.example is neutron host cmp1 '
                      '(the names differ only by domain)', found.notes)

    def test_short_nova_names_match_fqdn_agents(self):
        services = [service('cmp1'), service('cmp2')]
        agent_list = (host_agents('net1.example', mode='dvr_snat') +
                      host_agents('cmp1.example') +
                      host_agents('cmp2.example'))
        found = inventory.build(services, agent_list)
        self.assertEqual(['cmp1.example', 'cmp2.example'], found.check())

    def test_other_mismatch_fails_with_both_lists(self):
        services = [service('compute-a'), service('compute-b')]
        agent_list = host_agents('cmp1') + host_agents('cmp2')
        exc = self.assertRaises(inventory.CloudBroken, inventory.build,
                                services, agent_list)
        self.assertEqual(
            'compute host(s) compute-a, compute-b match no Neutron agent '
            'host (neither exactly nor by the name without its domain). '
            'nova-compute hosts: compute-a, compute-b. Neutron agent hosts: '
            'cmp1, cmp2', str(exc))

    def test_zone_and_nova_name_of_a_host(self):
        services = [service('cmp1.x', zone='az1'), service('cmp2.x')]
        found = inventory.build(services, host_agents('cmp1') +
                                host_agents('cmp2'))
        self.assertEqual('az1', found.zone('cmp1'))
        self.assertEqual('cmp2.x', found.nova_host('cmp2'))
