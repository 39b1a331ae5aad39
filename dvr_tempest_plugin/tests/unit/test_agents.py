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


import testtools

from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.tests.unit import base


def agent(host, agent_type=agents.L3_AGENT, mode='dvr_snat', alive=True,
          admin_state_up=True):
    configurations = {'agent_mode': mode} if agent_type == agents.L3_AGENT \
        else {'bridge_mappings': {'public': 'br-ex'}}
    return {'id': '%s-%s' % (host, agent_type), 'host': host,
            'agent_type': agent_type, 'alive': alive,
            'admin_state_up': admin_state_up,
            'configurations': configurations}


class FakeAgentsClient(object):
    """list_agents over a list that tests (or a callback) can change."""

    def __init__(self, agent_list, on_list=None):
        self.agents = agent_list
        self.on_list = on_list
        self.filters = []

    def list_agents(self, **filters):
        self.filters.append(filters)
        if self.on_list:
            self.on_list(self)
        return {'agents': [a for a in self.agents
                           if all(a[k] == v for k, v in filters.items())]}


class TestAgents(base.TestCase):

    def setUp(self):
        super().setUp()
        self.client = FakeAgentsClient([
            agent('ct1', mode='dvr_snat'),
            agent('cpnw1', mode='dvr_snat'),
            agent('cpnw2', mode='dvr'),
            agent('cpnw3', mode='dvr', alive=False),
            agent('cpnw4', mode='legacy'),
            agent('cpnw5', mode='dvr', admin_state_up=False),
            agent('cpnw1', agents.OVS_AGENT),
        ])

    def test_l3_agents(self):
        self.assertEqual(
            ['ct1', 'cpnw1', 'cpnw2', 'cpnw3', 'cpnw4', 'cpnw5'],
            [a['host'] for a in agents.l3_agents(self.client)])
        self.assertEqual({'agent_type': 'L3 agent'}, self.client.filters[0])

    def test_agent_mode(self):
        self.assertEqual('dvr', agents.agent_mode(agent('x', mode='dvr')))

    def test_dvr_snat_hosts(self):
        self.assertEqual(['cpnw1', 'ct1'], agents.dvr_snat_hosts(self.client))

    def test_find_agent(self):
        self.assertEqual('cpnw1-Open vSwitch agent', agents.find_agent(
            self.client, 'cpnw1', agents.OVS_AGENT)['id'])
        self.assertIsNone(agents.find_agent(self.client, 'cpnw9',
                                            agents.L3_AGENT))


class TestWaitAgentAlive(base.TestCase):

    def setUp(self):
        super().setUp()
        patcher = testtools.monkey.MonkeyPatcher(
            (agents, 'POLL_INTERVAL', 0.01))
        patcher.patch()
        self.addCleanup(patcher.restore)

    def test_waits_for_the_state(self):
        def revive_on_third_poll(client):
            if len(client.filters) == 3:
                client.agents[0]['alive'] = True
        client = FakeAgentsClient([agent('cpnw1', alive=False)],
                                  revive_on_third_poll)
        found = agents.wait_agent_alive(client, 'cpnw1', agents.L3_AGENT,
                                        True, 5)
        self.assertTrue(found['alive'])
        self.assertEqual(3, len(client.filters))
        self.assertEqual({'agent_type': 'L3 agent', 'host': 'cpnw1'},
                         client.filters[0])

    def test_timeout_says_what_it_saw(self):
        client = FakeAgentsClient([agent('cpnw1', alive=True)])
        exc = self.assertRaises(lib_exc.TimeoutException,
                                agents.wait_agent_alive, client, 'cpnw1',
                                agents.L3_AGENT, False, 0.05)
        self.assertIn('L3 agent on host cpnw1 is still alive after 0 s; '
                      'expected it dead', str(exc))

    def test_unregistered_agent(self):
        exc = self.assertRaises(lib_exc.TimeoutException,
                                agents.wait_agent_alive,
                                FakeAgentsClient([]), 'cpnw1',
                                agents.OVS_AGENT, True, 0.01)
        self.assertIn('Open vSwitch agent on host cpnw1 is still not '
                      'registered', str(exc))
