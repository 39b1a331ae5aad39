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

from dvr_tempest_plugin.common import agent_control
from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import hosts
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


class RecordingHost(object):
    name = 'cpnw1'
    address = '10.250.0.11'

    def __init__(self, fail_on=None):
        self.calls = []
        self.prefixes = []
        self.fail_on = fail_on

    def run(self, argv, timeout=None, check=True, prefix=True):
        self.calls.append(argv)
        self.prefixes.append(prefix)
        if self.fail_on and self.fail_on in argv:
            raise hosts.HostAccessError('host cpnw1 (10.250.0.11): failed')
        return hosts.CommandResult(self.name, ' '.join(argv), 0, '', '')


class TestAgentControl(base.TestCase):

    def setUp(self):
        super().setUp()
        self.use_conf(
            'l3_agent_stop_command = /opt/dvr-lab/bin/dvr-lab-agent stop l3\n'
            'l3_agent_start_command = /opt/dvr-lab/bin/dvr-lab-agent start '
            'l3\n'
            'l3_agent_kill_command = /opt/dvr-lab/bin/dvr-lab-agent kill l3\n'
            'agent_down_timeout = 1\n')
        self.agents_client = FakeAgentsClient([agent('cpnw1')])
        patcher = testtools.monkey.MonkeyPatcher(
            (agents, 'POLL_INTERVAL', 0.01))
        patcher.patch()
        self.addCleanup(patcher.restore)

    def test_control_agent_runs_the_configured_command(self):
        host = RecordingHost()
        agent_control.control_agent(host, 'ovs', 'kill')
        self.assertEqual([['sudo', 'systemctl', 'kill', '--signal=SIGKILL',
                           'devstack@q-agt.service']], host.calls)

    def test_agent_commands_run_without_the_prefix(self):
        host = RecordingHost()
        with agent_control.agent_interrupted(host, 'l3', 'kill',
                                             self.agents_client):
            pass
        agent_control.control_agent(host, 'ovs', 'stop')
        self.assertEqual([False] * 3, host.prefixes)

    def test_interrupt_registers_restore_before_acting(self):
        host = RecordingHost(fail_on='kill')
        cleanups = []
        self.assertRaises(
            hosts.HostAccessError, agent_control.interrupt_agent, host, 'l3',
            'kill', self.agents_client,
            lambda *args: cleanups.append(args))
        [(func, *args)] = cleanups
        func(*args)
        self.assertEqual(
            [['/opt/dvr-lab/bin/dvr-lab-agent', 'kill', 'l3'],
             ['/opt/dvr-lab/bin/dvr-lab-agent', 'start', 'l3']], host.calls)

    def test_interrupt_refuses_start(self):
        self.assertRaises(ValueError, agent_control.interrupt_agent,
                          RecordingHost(), 'l3', 'start', self.agents_client,
                          lambda *args: None)

    def test_restore_waits_until_alive(self):
        self.agents_client.agents[0]['alive'] = False

        def revive(client):
            if len(client.filters) == 2:
                client.agents[0]['alive'] = True
        self.agents_client.on_list = revive
        host = RecordingHost()
        found = agent_control.restore_agent(host, 'l3', self.agents_client)
        self.assertTrue(found['alive'])

    def test_restore_times_out_with_agent_down_timeout(self):
        self.agents_client.agents[0]['alive'] = False
        exc = self.assertRaises(lib_exc.TimeoutException,
                                agent_control.restore_agent, RecordingHost(),
                                'l3', self.agents_client)
        self.assertIn('still dead after 1 s', str(exc))

    def test_context_manager_restores(self):
        host = RecordingHost()
        with agent_control.agent_interrupted(host, 'l3', 'stop',
                                             self.agents_client):
            self.assertEqual(1, len(host.calls))
        self.assertEqual(['stop', 'start'], [c[1] for c in host.calls])

    def test_missing_start_command_leaves_the_agent_alone(self):
        self.use_conf('ovs_agent_start_command =\n')
        host = RecordingHost()
        exc = self.assertRaises(
            hosts.HostAccessError, agent_control.interrupt_agent, host, 'ovs',
            'stop', self.agents_client, lambda *args: None)
        self.assertEqual('host cpnw1: [dvr] ovs_agent_start_command: is '
                         'empty', str(exc))
        self.assertEqual([], host.calls)

    def test_wait_agent_dead(self):
        self.agents_client.agents[0]['alive'] = False
        found = agent_control.wait_agent_dead(RecordingHost(), 'l3',
                                              self.agents_client)
        self.assertFalse(found['alive'])
