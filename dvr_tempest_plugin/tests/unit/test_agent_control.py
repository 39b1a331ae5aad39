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
from dvr_tempest_plugin.tests.unit.test_agents import agent
from dvr_tempest_plugin.tests.unit.test_agents import FakeAgentsClient


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


class AgentTestCase(base.TestCase):
    """The lab's agent commands configured; agents of hosts in the API."""

    hosts = ('cpnw1',)

    def setUp(self):
        super().setUp()
        self.use_conf(
            'l3_agent_stop_command = /opt/dvr-lab/bin/dvr-lab-agent stop l3\n'
            'l3_agent_start_command = /opt/dvr-lab/bin/dvr-lab-agent start '
            'l3\n'
            'l3_agent_kill_command = /opt/dvr-lab/bin/dvr-lab-agent kill l3\n'
            'agent_down_timeout = 1\n')
        self.agents_client = FakeAgentsClient([agent(h) for h in self.hosts])
        patcher = testtools.monkey.MonkeyPatcher(
            (agents, 'POLL_INTERVAL', 0.01))
        patcher.patch()
        self.addCleanup(patcher.restore)

    def agent(self, host, kind='l3'):
        return agent_control.Agent(host, kind, self.agents_client)


class TestAgentControl(AgentTestCase):

    def test_runs_the_configured_command(self):
        host = RecordingHost()
        self.agent(host, 'ovs').kill()
        self.assertEqual([['sudo', 'systemctl', 'kill', '--signal=SIGKILL',
                           'devstack@q-agt.service']], host.calls)

    def test_agent_commands_run_without_the_prefix(self):
        host = RecordingHost()
        with self.agent(host).interrupted('kill'):
            pass
        self.agent(host, 'ovs').stop()
        self.assertEqual([False] * 3, host.prefixes)

    def test_restores_when_the_interruption_fails(self):
        host = RecordingHost(fail_on='kill')

        def interrupt():
            with self.agent(host).interrupted('kill'):
                self.fail('the body must not run')
        self.assertRaises(hosts.HostAccessError, interrupt)
        self.assertEqual(
            [['/opt/dvr-lab/bin/dvr-lab-agent', 'kill', 'l3'],
             ['/opt/dvr-lab/bin/dvr-lab-agent', 'start', 'l3']], host.calls)

    def test_restores_when_the_body_fails(self):
        host = RecordingHost()

        def interrupt():
            with self.agent(host).interrupted('stop'):
                raise RuntimeError('body')
        self.assertRaises(RuntimeError, interrupt)
        self.assertEqual(['stop', 'start'], [c[1] for c in host.calls])

    def test_keeps_what_the_interruption_said(self):
        with self.agent(RecordingHost()).interrupted('stop') as agent:
            self.assertTrue(agent.interruption.command.endswith(' stop l3'))

    def test_interrupt_refuses_start(self):
        def interrupt():
            with self.agent(RecordingHost()).interrupted('start'):
                pass
        self.assertRaises(ValueError, interrupt)

    def test_unknown_kind(self):
        self.assertRaises(ValueError, agent_control.Agent, RecordingHost(),
                          'dhcp', self.agents_client)

    def test_restore_waits_until_alive(self):
        self.agents_client.agents[0]['alive'] = False

        def revive(client):
            if len(client.filters) == 2:
                client.agents[0]['alive'] = True
        self.agents_client.on_list = revive
        host = RecordingHost()
        found = self.agent(host).restore()
        self.assertTrue(found['alive'])
        self.assertEqual(['start'], [c[1] for c in host.calls])

    def test_restore_times_out_with_agent_down_timeout(self):
        self.agents_client.agents[0]['alive'] = False
        exc = self.assertRaises(lib_exc.TimeoutException,
                                self.agent(RecordingHost()).restore)
        self.assertIn('still dead after 1 s', str(exc))

    def test_context_manager_restores(self):
        host = RecordingHost()
        with self.agent(host).interrupted('stop'):
            self.assertEqual(1, len(host.calls))
        self.assertEqual(['stop', 'start'], [c[1] for c in host.calls])

    def test_missing_start_command_leaves_the_agent_alone(self):
        self.use_conf('ovs_agent_start_command =\n')
        host = RecordingHost()

        def interrupt():
            with self.agent(host, 'ovs').interrupted('stop'):
                pass
        exc = self.assertRaises(hosts.HostAccessError, interrupt)
        self.assertEqual('host cpnw1: [dvr] ovs_agent_start_command: is '
                         'empty', str(exc))
        self.assertEqual([], host.calls)

    def test_wait_dead(self):
        self.agents_client.agents[0]['alive'] = False
        found = self.agent(RecordingHost()).wait_dead()
        self.assertFalse(found['alive'])

    def test_explicit_timeout(self):
        self.agents_client.agents[0]['alive'] = True
        exc = self.assertRaises(
            lib_exc.TimeoutException, agent_control.Agent(
                RecordingHost(), 'l3', self.agents_client, 0.01).wait_dead)
        self.assertIn('still alive after 0 s', str(exc))


class TestInterruptedTogether(AgentTestCase):

    hosts = ('cpnw1', 'cpnw2')

    def setUp(self):
        super().setUp()
        self.order = []

    def host(self, name, fail_on=None):
        host = RecordingHost(fail_on)
        host.name = name
        order = self.order
        run = host.run

        def recorded(argv, **kwargs):
            order.append((name, argv[-2]))
            return run(argv, **kwargs)
        host.run = recorded
        return host

    def test_starts_every_agent_before_waiting(self):
        waits = []
        agent_list = [self.agent(self.host('cpnw1')),
                      self.agent(self.host('cpnw2'))]
        for one in agent_list:
            one.wait_alive = lambda one=one: waits.append(
                (one.host_client.name, len(self.order)))
        with agent_control.interrupted_together(agent_list, 'kill'):
            self.assertCountEqual([('cpnw1', 'kill'), ('cpnw2', 'kill')],
                                  self.order)
            for one in agent_list:
                self.assertIsNotNone(one.interrupted_at)
                self.assertTrue(one.interruption.command.endswith(' kill l3'))
        self.assertEqual([('cpnw1', 'start'), ('cpnw2', 'start')],
                         self.order[2:])
        self.assertEqual([('cpnw1', 4), ('cpnw2', 4)], waits)

    def test_a_failed_start_still_starts_the_others(self):
        agent_list = [self.agent(self.host('cpnw1', fail_on='start')),
                      self.agent(self.host('cpnw2'))]

        def interrupt():
            with agent_control.interrupted_together(agent_list, 'stop'):
                pass
        self.assertRaises(hosts.HostAccessError, interrupt)
        self.assertEqual([('cpnw1', 'start'), ('cpnw2', 'start')],
                         self.order[2:])

    def test_a_failed_interruption_still_restores_every_agent(self):
        agent_list = [self.agent(self.host('cpnw1', fail_on='kill')),
                      self.agent(self.host('cpnw2'))]

        def interrupt():
            with agent_control.interrupted_together(agent_list, 'kill'):
                self.fail('the body must not run')
        self.assertRaises(hosts.HostAccessError, interrupt)
        self.assertCountEqual([('cpnw1', 'kill'), ('cpnw2', 'kill')],
                              self.order[:2])
        self.assertEqual([('cpnw1', 'start'), ('cpnw2', 'start')],
                         self.order[2:])
