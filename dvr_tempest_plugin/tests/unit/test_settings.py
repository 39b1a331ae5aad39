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


import os

from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.tests.unit import base


class TestHostAddresses(base.TestCase):

    def test_valid_map(self):
        group = self.make_conf(
            'host_ssh_addresses = cpnw1:10.250.0.11, cpnw2:node2.example,'
            'cpnw3:fd00::3\n')
        self.assertEqual(
            {'cpnw1': '10.250.0.11', 'cpnw2': 'node2.example',
             'cpnw3': 'fd00::3'},
            settings.host_addresses(group))

    def test_entry_without_address_names_the_option(self):
        group = self.make_conf('host_ssh_addresses = cpnw1\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_addresses, group)
        self.assertIn('[dvr] host_ssh_addresses: invalid value', str(exc))
        self.assertEqual('host_ssh_addresses', exc.option)

    def test_empty_address(self):
        group = self.make_conf('host_ssh_addresses = cpnw1:\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_addresses, group)
        self.assertEqual(
            "[dvr] host_ssh_addresses: host 'cpnw1' has an empty address",
            str(exc))

    def test_address_with_garbage(self):
        group = self.make_conf('host_ssh_addresses = cpnw1:10.0.0.1 x\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_addresses, group)
        self.assertIn('is not a host name or IP address', str(exc))


class TestJumpHost(base.TestCase):

    def test_forms(self):
        parse = settings.parse_jump_host
        self.assertEqual(('stack', 'bastion', 22), parse('bastion', 'stack'))
        self.assertEqual(('ops', 'bastion', 2222),
                         parse('ops@bastion:2222', 'stack'))
        self.assertEqual(('stack', 'fd00::1', 22),
                         parse('[fd00::1]', 'stack'))
        self.assertEqual(('ops', 'fd00::1', 2022),
                         parse('ops@[fd00::1]:2022', 'stack'))

    def test_malformed(self):
        for value in ('', 'a@', 'host:port', 'host:99999', 'fd00::1',
                      'a b'):
            self.assertRaises(ValueError, settings.parse_jump_host, value,
                              'stack')

    def test_option_error_is_named(self):
        group = self.make_conf('host_ssh_jump_host = ops@:22\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_access, group)
        self.assertTrue(str(exc).startswith('[dvr] host_ssh_jump_host: '))


class TestHostAccess(base.TestCase):

    def test_defaults(self):
        access = settings.host_access(self.make_conf())
        self.assertEqual('stack', access.user)
        self.assertIsNone(access.key_file)
        self.assertIsNone(access.jump_host)
        self.assertEqual(('sudo',), access.command_prefix)
        self.assertEqual('reject', access.host_key_policy)
        self.assertEqual((10, 60),
                         (access.connect_timeout, access.command_timeout))

    def test_full(self):
        key = self.write_file('not really a key')
        known = self.write_file('')
        access = settings.host_access(self.make_conf(
            'host_ssh_user = root\n'
            'host_ssh_key_file = %s\n'
            'host_ssh_known_hosts_file = %s\n'
            'host_ssh_jump_host = jump.example:2200\n'
            'host_command_prefix = docker exec -u root "l3 agent"\n'
            'host_key_policy = auto-add\n' % (key, known)))
        self.assertEqual(key, access.key_file)
        self.assertEqual(known, access.known_hosts_file)
        self.assertEqual(('root', 'jump.example', 2200), access.jump_host)
        self.assertEqual(('docker', 'exec', '-u', 'root', 'l3 agent'),
                         access.command_prefix)

    def test_missing_key_file_is_named(self):
        group = self.make_conf('host_ssh_key_file = /nonexistent/id_rsa\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_access, group)
        self.assertEqual('[dvr] host_ssh_key_file: /nonexistent/id_rsa does '
                         'not exist or is not a file', str(exc))

    def test_key_file_that_is_a_directory(self):
        group = self.make_conf('host_ssh_key_file = %s\n' %
                               os.path.dirname(__file__))
        self.assertRaises(settings.ConfigError, settings.host_access, group)

    def test_missing_known_hosts_file_is_named(self):
        group = self.make_conf('host_ssh_known_hosts_file = /nonexistent\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_access, group)
        self.assertIn('host_ssh_known_hosts_file', str(exc))

    def test_bad_policy_is_named(self):
        group = self.make_conf('host_key_policy = trust-me\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_access, group)
        self.assertTrue(str(exc).startswith('[dvr] host_key_policy: '))

    def test_unbalanced_prefix_is_named(self):
        group = self.make_conf('host_command_prefix = sudo "oops\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_access, group)
        self.assertIn('[dvr] host_command_prefix: cannot split', str(exc))

    def test_bad_port_is_named(self):
        group = self.make_conf('host_ssh_port = 70000\n')
        exc = self.assertRaises(settings.ConfigError,
                                settings.host_access, group)
        self.assertTrue(str(exc).startswith('[dvr] host_ssh_port: '))


class TestAgentCommands(base.TestCase):

    def test_default_is_devstack(self):
        self.assertEqual(
            ['sudo', 'systemctl', 'kill', '--signal=SIGKILL',
             'devstack@q-agt.service'],
            settings.agent_command('ovs', 'kill', 'cpnw1', self.make_conf()))

    def test_host_token(self):
        group = self.make_conf(
            'l3_agent_stop_command = /opt/bin/agent stop l3 --host {host}\n')
        self.assertEqual(
            ['/opt/bin/agent', 'stop', 'l3', '--host', 'cpnw2'],
            settings.agent_command('l3', 'stop', 'cpnw2', group))

    def test_empty_command_is_named(self):
        group = self.make_conf('l3_agent_start_command =\n')
        exc = self.assertRaises(settings.ConfigError, settings.agent_command,
                                'l3', 'start', 'cpnw1', group)
        self.assertEqual('[dvr] l3_agent_start_command: is empty', str(exc))

    def test_unknown_kind_or_action(self):
        self.assertRaises(ValueError, settings.agent_command,
                          'dhcp', 'stop', 'cpnw1', self.make_conf())


class TestHostFailureCommands(base.TestCase):

    def test_unset_by_default(self):
        conf = self.make_conf()
        self.assertEqual([], settings.host_failure_command('fail', 'cpnw1',
                                                           conf))
        self.assertEqual([], settings.host_failure_command('restore',
                                                           'cpnw1', conf))

    def test_host_token(self):
        conf = self.make_conf(
            'host_fail_command = virsh destroy {host}\n'
            'host_restore_command = virsh start {host}\n')
        self.assertEqual(['virsh', 'destroy', 'cpnw2'],
                         settings.host_failure_command('fail', 'cpnw2',
                                                       conf))
        self.assertEqual(['virsh', 'start', 'cpnw2'],
                         settings.host_failure_command('restore', 'cpnw2',
                                                       conf))


class TestProblems(base.TestCase):

    def test_none_for_defaults(self):
        self.assertEqual([], settings.problems(self.make_conf()))

    def test_all_problems_are_listed(self):
        found = settings.problems(self.make_conf(
            'host_ssh_addresses = cpnw1\n'
            'host_ssh_key_file = /nonexistent\n'
            'ovs_agent_kill_command =\n'
            'capture_seconds = 0\n'))
        self.assertEqual(
            ['host_ssh_addresses', 'host_ssh_key_file',
             'ovs_agent_kill_command', 'capture_seconds'],
            [line.split(':')[0][len('[dvr] '):] for line in found])


class TestNamedOptions(base.TestCase):

    def test_accessors_read_the_group(self):
        group = self.make_conf('convergence_timeout = 7\n'
                               'expect_snat_failover = true\n')
        self.assertEqual(7, settings.convergence_timeout(group))
        self.assertTrue(settings.expect_snat_failover(group))
        self.assertIsNone(settings.outside_address(group))
        self.assertFalse(settings.disruptive_tests(group))

    def test_lab_names_stay_importable(self):
        self.assertEqual(('l3', 'ovs'), settings.AGENT_KINDS)
        self.assertEqual(('stop', 'start', 'kill'), settings.AGENT_ACTIONS)
        self.assertEqual('l3_agent_start_command',
                         settings.agent_command_option('l3', 'start'))
