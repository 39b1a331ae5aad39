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


import json
import logging
import os
import socket
import time

import fixtures
import paramiko
import testtools

from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import ssh
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import fake_ssh

IP_ADDR_JSON = json.dumps([
    {"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP"],
     "operstate": "UNKNOWN", "address": "00:00:00:00:00:00",
     "addr_info": [{"family": "inet", "local": "127.0.0.1",
                    "prefixlen": 8, "scope": "host"}]},
    {"ifindex": 12, "link_index": 11, "ifname": "rfp-4d3f1c2e-9",
     "flags": ["BROADCAST", "UP", "LOWER_UP"], "operstate": "UP",
     "address": "fa:16:3e:11:22:33", "link_netnsid": 1,
     "addr_info": [{"family": "inet", "local": "169.254.106.114",
                    "prefixlen": 31, "scope": "global"},
                   {"family": "inet6", "local": "fe80::f816:3eff:fe11:2233",
                    "prefixlen": 64, "scope": "link"}]},
    {"ifindex": 13, "ifname": "qr-8f1e2d3c-4b", "flags": ["BROADCAST"],
     "operstate": "DOWN", "address": "fa:16:3e:44:55:66", "addr_info": []},
])


class TestBuildCommand(base.TestCase):

    def test_timeout_wraps_argv(self):
        self.assertEqual('timeout -k 5 60 ip netns list',
                         hosts.build_command(['ip', 'netns', 'list'], 60))

    def test_prefix_comes_first(self):
        self.assertEqual(
            'docker exec -u root l3 timeout -k 5 9 ip netns list',
            hosts.build_command(['ip', 'netns', 'list'], 9,
                                ('docker', 'exec', '-u', 'root', 'l3')))

    def test_every_word_is_quoted(self):
        command = hosts.build_command(
            ['echo', 'a b', '$(reboot)', "it's", '; rm -rf /', 7], 5,
            ('sudo',))
        self.assertEqual(
            "sudo timeout -k 5 5 echo 'a b' '$(reboot)' 'it'\"'\"'s' "
            "'; rm -rf /' 7", command)

    def test_rejects_strings_and_empty_argv(self):
        self.assertRaises(ValueError, hosts.build_command, 'ip netns', 5)
        self.assertRaises(ValueError, hosts.build_command, [], 5)

    def test_rejects_useless_timeout(self):
        self.assertRaises(ValueError, hosts.build_command, ['true'], 0)


class HostClientTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.server = fake_ssh.FakeServer(self.respond)
        self.responses = {}
        self.home_dir = self.useFixture(fixtures.TempDir()).path
        patcher = testtools.monkey.MonkeyPatcher(
            (ssh.paramiko, 'SSHClient', self.server.client_class()),
            (ssh, 'SYSTEM_KNOWN_HOSTS',
             os.path.join(self.home_dir, 'ssh_known_hosts')),
            (ssh, 'USER_KNOWN_HOSTS',
             os.path.join(self.home_dir, 'known_hosts')))
        patcher.patch()
        self.addCleanup(patcher.restore)

    def respond(self, command):
        for suffix, response in self.responses.items():
            if command.endswith(suffix):
                return response
        return fake_ssh.Response(0, b'', b'')

    def client(self, text='', **overrides):
        access = settings.host_access(self.make_conf(text, **overrides))
        client = hosts.HostClient('cpnw1', '10.250.0.11', access)
        self.addCleanup(client.close)
        return client


class TestRun(HostClientTestCase):

    def test_success(self):
        self.responses['hostname'] = fake_ssh.Response(0, b'cpnw1\n', b'')
        result = self.client().run(['hostname'])
        self.assertEqual(
            hosts.CommandResult('cpnw1', 'sudo timeout -k 5 60 hostname', 0,
                                'cpnw1\n', ''), result)
        self.assertEqual(['sudo timeout -k 5 60 hostname'],
                         self.server.commands)

    def test_timeout_and_prefix_arguments(self):
        client = self.client()
        client.run(['true'], timeout=7, prefix=False)
        self.assertEqual(['timeout -k 5 7 true'], self.server.commands)

    def test_empty_prefix(self):
        self.client('host_command_prefix =\n').run(['true'])
        self.assertEqual(['timeout -k 5 60 true'], self.server.commands)

    def test_large_output(self):
        big = b'x' * 300000 + b'\n'
        self.responses['cat'] = fake_ssh.Response(0, big, b'')
        self.assertEqual(big.decode(), self.client().run(['cat']).stdout)

    def test_binary_output_stays_bytes(self):
        data = b'\xd4\xc3\xb2\xa1\x02\x00\x04\x00\xff\xfe\x00'
        self.responses['cat /tmp/x.pcap'] = fake_ssh.Response(
            0, data, b'\xe2\x9c\x97')
        result = self.client().run(['cat', '/tmp/x.pcap'], binary=True)
        self.assertEqual(data, result.stdout)
        self.assertEqual('\u2717', result.stderr)

    def test_nonzero_exit_raises_with_stderr(self):
        self.responses['exec nope true'] = fake_ssh.Response(
            2, b'', b'ip: command failed\nCannot open network namespace '
                    b'"nope": No such file or directory\n')
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['ip', 'netns', 'exec', 'nope', 'true'])
        self.assertEqual(
            'host cpnw1 (10.250.0.11): command sudo timeout -k 5 60 ip netns '
            'exec nope true exited with status 2: ip: command failed\n'
            'Cannot open network namespace "nope": No such file or '
            'directory', str(exc))

    def test_nonzero_exit_without_check(self):
        self.responses['false'] = fake_ssh.Response(1, b'', b'')
        result = self.client().run(['false'], check=False)
        self.assertEqual(1, result.exit_status)

    def test_stderr_tail_is_bounded(self):
        self.responses['noisy'] = fake_ssh.Response(
            1, b'', b'a' * 10000 + b'END')
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['noisy'])
        self.assertLess(len(str(exc)), hosts.STDERR_TAIL + 200)
        self.assertTrue(str(exc).endswith('aaaEND'))

    def test_remote_timeout_raises_even_without_check(self):
        self.responses['sleep 99'] = fake_ssh.Response(124, b'', b'')
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['sleep', '99'], timeout=3, check=False)
        self.assertEqual('host cpnw1 (10.250.0.11): command sudo timeout -k '
                         '5 3 sleep 99 timed out after 3 s', str(exc))

    def test_sigkill_before_the_timeout_is_an_ordinary_exit(self):
        self.responses['victim'] = fake_ssh.Response(137, b'', b'')
        result = self.client().run(['victim'], check=False)
        self.assertEqual(137, result.exit_status)

    def test_lost_connection(self):
        self.responses['reboot'] = fake_ssh.Response(-1, b'', b'')
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['reboot'], check=False)
        self.assertIn('ended without an exit status', str(exc))

    def test_local_deadline(self):
        def hang(client, command, timeout):
            self.assertEqual(60 + hosts.KILL_AFTER + hosts.LOCAL_MARGIN,
                             timeout)
            raise ssh.CommandTimeout('no exit status within 75 s')
        patcher = testtools.monkey.MonkeyPatcher((ssh, 'execute', hang))
        patcher.patch()
        self.addCleanup(patcher.restore)
        client = self.client()
        exc = self.assertRaises(hosts.HostAccessError, client.run, ['x'])
        self.assertEqual('host cpnw1 (10.250.0.11): command sudo timeout -k '
                         '5 60 x did not end within 60 s and was abandoned',
                         str(exc))
        self.assertEqual(1, self.server.closed)

    def test_connection_is_reused_and_renewed(self):
        client = self.client()
        client.run(['true'])
        client.run(['true'])
        self.assertEqual(1, len(self.server.connects))
        client._client.get_transport().active = False
        client.run(['true'])
        self.assertEqual(2, len(self.server.connects))


class TestExecute(base.TestCase):

    def test_hanging_command_is_abandoned(self):
        server = fake_ssh.FakeServer(lambda command: fake_ssh.HANG)
        client = fake_ssh.FakeSSHClient(server)
        client.connect('10.0.0.1')
        started = time.monotonic()
        self.assertRaises(ssh.CommandTimeout, ssh.execute, client,
                          'sleep 1000', 0.3)
        self.assertLess(time.monotonic() - started, 2)

    def test_closed_connection(self):
        client = fake_ssh.FakeSSHClient(fake_ssh.FakeServer())
        self.assertRaises(ssh.SSHError, ssh.execute, client, 'true', 1)


class TestConnect(HostClientTestCase):

    def test_connect_arguments(self):
        key = self.write_file('-----BEGIN OPENSSH PRIVATE KEY----- SECRET')
        self.client('host_ssh_key_file = %s\nhost_ssh_port = 2222\n'
                    'host_connect_timeout = 4\nhost_ssh_user = root\n'
                    % key).run(['true'])
        [kwargs] = self.server.connects
        self.assertEqual('10.250.0.11', kwargs['hostname'])
        self.assertEqual(2222, kwargs['port'])
        self.assertEqual('root', kwargs['username'])
        self.assertEqual(key, kwargs['key_filename'])
        self.assertFalse(kwargs['allow_agent'])
        self.assertFalse(kwargs['look_for_keys'])
        for name in ('timeout', 'banner_timeout', 'auth_timeout',
                     'channel_timeout'):
            self.assertEqual(4, kwargs[name], name)
        self.assertIsNone(kwargs['sock'])

    def test_agent_and_default_keys_without_key_file(self):
        self.client().run(['true'])
        [kwargs] = self.server.connects
        self.assertTrue(kwargs['allow_agent'])
        self.assertTrue(kwargs['look_for_keys'])

    def test_host_key_policies(self):
        for policy, expected in (('warn', 'WarningPolicy'),
                                 ('reject', 'RejectPolicy'),
                                 ('auto-add', 'AutoAddPolicy')):
            self.client('host_key_policy = %s\n' % policy).run(['true'])
            self.assertEqual(expected, self.server.policies[-1])
        self.client().run(['true'])
        self.assertEqual('RejectPolicy', self.server.policies[-1])

    def test_no_known_hosts_file_is_read_when_none_exists(self):
        self.client().run(['true'])
        self.assertEqual([], self.server.host_key_files)

    def test_connect_timeout_message(self):
        self.server.connect_errors['10.250.0.11'] = socket.timeout()
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['true'])
        self.assertEqual('host cpnw1 (10.250.0.11): cannot connect as stack '
                         'to 10.250.0.11 port 22: timed out', str(exc))

    def test_authentication_failure_message(self):
        self.server.connect_errors['10.250.0.11'] = (
            paramiko.AuthenticationException('Authentication failed.'))
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['true'])
        self.assertEqual('host cpnw1 (10.250.0.11): cannot connect as stack '
                         'to 10.250.0.11 port 22: authentication failed '
                         '(Authentication failed.)', str(exc))

    def test_unknown_host_key_rejected(self):
        self.server.connect_errors['10.250.0.11'] = paramiko.SSHException(
            "Server '10.250.0.11' not found in known_hosts")
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['true'])
        self.assertIn('not found in known_hosts', str(exc))

    def test_refused(self):
        self.server.connect_errors['10.250.0.11'] = ConnectionRefusedError(
            111, 'Connection refused')
        exc = self.assertRaises(hosts.HostAccessError, self.client().run,
                                ['true'])
        self.assertIn('port 22: ConnectionRefusedError: [Errno 111] '
                      'Connection refused', str(exc))

    def test_secrets_are_never_logged(self):
        key = self.write_file('-----BEGIN OPENSSH PRIVATE KEY----- SECRET')
        records = []
        handler = logging.Handler(logging.DEBUG)
        handler.emit = records.append
        logger = logging.getLogger()
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        self.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.DEBUG)
        self.server.connect_errors['10.250.0.11'] = (
            paramiko.AuthenticationException('Authentication failed.'))
        exc = self.assertRaises(hosts.HostAccessError, self.client(
            'host_ssh_key_file = %s\n' % key).run, ['true'])
        logged = ' '.join(record.getMessage() for record in records)
        self.assertNotIn('SECRET', logged + str(exc))


class TestHostKeys(HostClientTestCase):

    def setUp(self):
        super().setUp()
        self.key = paramiko.ECDSAKey.generate()
        self.server.host_keys['10.250.0.11'] = self.key
        other = paramiko.ECDSAKey.generate()
        self.other_line = '10.250.0.99 %s %s\n' % (other.get_name(),
                                                   other.get_base64())

    def known_line(self, key=None, host='10.250.0.11'):
        key = key or self.key
        return '%s %s %s\n' % (host, key.get_name(), key.get_base64())

    def write_home_file(self, name, content):
        path = os.path.join(self.home_dir, name)
        with open(path, 'w') as f:
            f.write(content)
        return path

    def connect(self, text=''):
        return self.client(text).run(['true'])

    def test_files_read_are_system_user_and_configured(self):
        system = self.write_home_file('ssh_known_hosts', self.other_line)
        user = self.write_home_file('known_hosts', self.other_line)
        configured = self.write_file(self.known_line())
        self.connect('host_ssh_known_hosts_file = %s\n' % configured)
        self.assertEqual([('system', system), ('system', user),
                          ('system', configured)],
                         self.server.host_key_files)

    def test_key_known_from_any_file_is_accepted(self):
        for name in ('ssh_known_hosts', 'known_hosts'):
            path = self.write_home_file(name, self.known_line())
            self.connect()
            os.unlink(path)
        self.connect('host_ssh_known_hosts_file = %s\n' %
                     self.write_file(self.known_line()))
        self.assertEqual(3, len(self.server.connects))

    def test_unknown_key_is_rejected_by_default(self):
        self.write_home_file('known_hosts', self.other_line)
        exc = self.assertRaises(hosts.HostAccessError, self.connect)
        self.assertIn('not found in known_hosts', str(exc))

    def test_changed_key_is_refused_whatever_the_policy(self):
        self.write_home_file('known_hosts', self.known_line(
            paramiko.ECDSAKey.generate()))
        for policy in settings.HOST_KEY_POLICIES:
            exc = self.assertRaises(hosts.HostAccessError, self.connect,
                                    'host_key_policy = %s\n' % policy)
            self.assertIn('host key mismatch', str(exc))

    def test_no_policy_writes_a_known_hosts_file(self):
        system = self.write_home_file('ssh_known_hosts', self.other_line)
        user = self.write_home_file('known_hosts', self.other_line)
        configured = self.write_file(self.other_line)
        for policy in settings.HOST_KEY_POLICIES:
            try:
                self.connect('host_ssh_known_hosts_file = %s\n'
                             'host_key_policy = %s\n' % (configured, policy))
            except hosts.HostAccessError:
                self.assertEqual('reject', policy)
            for path in (system, user, configured):
                with open(path) as f:
                    self.assertEqual(self.other_line, f.read(),
                                     '%s after %s' % (path, policy))

    def test_auto_add_accepts_the_unknown_key_in_memory(self):
        configured = self.write_file('')
        self.connect('host_ssh_known_hosts_file = %s\n'
                     'host_key_policy = auto-add\n' % configured)
        self.assertEqual(1, len(self.server.connects))
        self.assertEqual(0, os.path.getsize(configured))

    def test_unreadable_known_hosts_file_is_named(self):
        path = self.write_home_file('known_hosts', self.known_line())
        os.chmod(path, 0)
        if os.access(path, os.R_OK):
            self.skipTest('running as root: every file is readable')
        exc = self.assertRaises(hosts.HostAccessError, self.connect)
        self.assertIn('cannot read the known_hosts file %s' % path,
                      str(exc))


class TestJumpHost(HostClientTestCase):

    def test_tunnel_through_jump_host(self):
        self.client('host_ssh_jump_host = ops@bastion:2200\n').run(['true'])
        jump, target = self.server.connects
        self.assertEqual(('bastion', 2200, 'ops', None),
                         (jump['hostname'], jump['port'], jump['username'],
                          jump['sock']))
        self.assertEqual([('bastion', 'direct-tcpip', ('10.250.0.11', 22),
                           10)], self.server.tunnels)
        self.assertEqual(('10.250.0.11', 'stack',
                          ('tunnel', ('10.250.0.11', 22))),
                         (target['hostname'], target['username'],
                          target['sock']))

    def test_tunnel_failure_names_both_hosts(self):
        self.server.connect_errors[('tunnel', '10.250.0.11')] = (
            paramiko.ChannelException(2, 'Connect failed'))
        exc = self.assertRaises(
            hosts.HostAccessError,
            self.client('host_ssh_jump_host = bastion\n').run, ['true'])
        self.assertEqual(
            'host cpnw1 (10.250.0.11): jump host bastion port 22 cannot open '
            'a tunnel to 10.250.0.11 port 22: channel refused by the '
            'server: Connect failed (code 2)', str(exc))
        self.assertEqual(1, self.server.closed)

    def test_target_failure_mentions_jump_host(self):
        self.server.connect_errors['10.250.0.11'] = socket.timeout()
        exc = self.assertRaises(
            hosts.HostAccessError,
            self.client('host_ssh_jump_host = bastion\n').run, ['true'])
        self.assertIn('timed out (through jump host bastion port 22)',
                      str(exc))


class TestHostQueries(HostClientTestCase):

    def test_namespaces(self):
        self.responses['ip netns list'] = fake_ssh.Response(
            0, b'qrouter-4d3f (id: 2)\nsnat-4d3f (id: 1)\nfip-b6a3\n\n', b'')
        self.assertEqual({'qrouter-4d3f', 'snat-4d3f', 'fip-b6a3'},
                         self.client().namespaces())

    def test_devices(self):
        self.responses['ip -j addr show'] = fake_ssh.Response(
            0, IP_ADDR_JSON.encode(), b'')
        devices = self.client().devices('qrouter-4d3f')
        self.assertEqual(
            ['sudo timeout -k 5 60 ip netns exec qrouter-4d3f ip -j addr '
             'show'], self.server.commands)
        self.assertEqual(
            {'lo': {'addresses': ['127.0.0.1/8'], 'state': 'UNKNOWN',
                    'mac': '00:00:00:00:00:00'},
             'rfp-4d3f1c2e-9': {
                 'addresses': ['169.254.106.114/31',
                               'fe80::f816:3eff:fe11:2233/64'],
                 'state': 'UP', 'mac': 'fa:16:3e:11:22:33'},
             'qr-8f1e2d3c-4b': {'addresses': [], 'state': 'DOWN',
                                'mac': 'fa:16:3e:44:55:66'}},
            devices)

    def test_devices_of_the_host_namespace(self):
        self.client().devices()
        self.assertEqual(['sudo timeout -k 5 60 ip -j addr show'],
                         self.server.commands)

    def test_devices_bad_output(self):
        self.responses['ip -j addr show'] = fake_ssh.Response(
            0, b'Usage: ip address', b'')
        exc = self.assertRaises(hosts.HostAccessError,
                                self.client().devices, 'ns')
        self.assertIn('printed no JSON', str(exc))


class TestConfiguredHosts(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(hosts.close_all)

    def test_missing_host_access(self):
        self.use_conf('host_ssh_addresses = cpnw1:10.0.0.1,cpnw2:10.0.0.2\n')
        self.assertIsNone(hosts.missing_host_access(['cpnw1', 'cpnw2']))
        self.assertEqual(
            '[dvr] host_ssh_addresses has no address for host(s) cpnw3, '
            'cpnw4 (it lists: cpnw1, cpnw2)',
            hosts.missing_host_access(['cpnw4', 'cpnw1', 'cpnw3']))

    def test_missing_host_access_without_any_host(self):
        self.use_conf()
        self.assertEqual(
            '[dvr] host_ssh_addresses has no address for host(s) cpnw1 '
            '(it lists: none)', hosts.missing_host_access(['cpnw1']))

    def test_missing_host_access_reports_bad_options(self):
        self.use_conf('host_ssh_addresses = cpnw1:10.0.0.1\n'
                      'host_ssh_key_file = /nonexistent\n')
        self.assertEqual('[dvr] host_ssh_key_file: /nonexistent does not '
                         'exist or is not a file',
                         hosts.missing_host_access(['cpnw1']))

    def test_host_client_is_cached(self):
        self.use_conf('host_ssh_addresses = cpnw1:10.0.0.1\n')
        client = hosts.host_client('cpnw1')
        self.assertEqual(('cpnw1', '10.0.0.1'), (client.name, client.address))
        self.assertIs(client, hosts.host_client('cpnw1'))

    def test_unknown_host(self):
        self.use_conf('host_ssh_addresses = cpnw1:10.0.0.1\n')
        exc = self.assertRaises(hosts.HostAccessError, hosts.host_client,
                                'cpnw9')
        self.assertEqual('host cpnw9: [dvr] host_ssh_addresses has no '
                         'address for it (it lists: cpnw1)', str(exc))

    def test_bad_access_options_surface_on_first_use(self):
        self.use_conf('host_ssh_addresses = cpnw1:10.0.0.1\n'
                      'host_ssh_jump_host = a@b@c\n')
        client = hosts.host_client('cpnw1')
        exc = self.assertRaises(hosts.HostAccessError, client.run, ['true'])
        self.assertTrue(str(exc).startswith(
            'host cpnw1 (10.0.0.1): [dvr] host_ssh_jump_host: '))
