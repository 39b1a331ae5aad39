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

from dvr_tempest_plugin.common import expected_devices
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import l3_ha
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.tests.unit import base

ROUTER = '4d3f1c2e-9a7b-4c1d-8e2f-0a1b2c3d4e5f'
SNAT = 'snat-' + ROUTER
CONFS = '/var/lib/neutron/ha_confs'
PID_FILE = '%s/%s.pid.keepalived' % (CONFS, ROUTER)
ARGS = 'keepalived -P -f %s/%s/keepalived.conf -p %s -r %s-vrrp' % (
    CONFS, ROUTER, PID_FILE, PID_FILE)


def agent(host, state, mode='dvr_snat', alive=True):
    return {'host': host, 'ha_state': state, 'alive': alive,
            'configurations': {'agent_mode': mode}}


class TestStates(base.TestCase):

    def test_one_active_one_standby_is_settled(self):
        found = [agent('cpnw1', 'active'), agent('cpnw2', 'standby')]
        self.assertEqual([], l3_ha.state_problems(found))
        self.assertEqual('cpnw1', l3_ha.active_host(found))
        self.assertEqual({'cpnw1': 'active', 'cpnw2': 'standby'},
                         l3_ha.ha_states(found))

    def test_two_actives(self):
        found = [agent('cpnw1', 'active'), agent('cpnw2', 'active')]
        self.assertIsNone(l3_ha.active_host(found))
        self.assertEqual(
            ['expected exactly one active L3 agent, found 2 (on hosts '
             'cpnw1, cpnw2)',
             'expected at least one standby L3 agent, found none'],
            l3_ha.state_problems(found))

    def test_unknown_state_dead_agent_and_wrong_mode(self):
        found = [agent('cpnw1', 'active'),
                 agent('cpnw2', 'unknown', mode='dvr', alive=False)]
        self.assertEqual(
            ['expected only dvr_snat L3 agents to host the SNAT part, found '
             'a dvr agent on host cpnw2',
             'expected the L3 agent on host cpnw2 alive, found it dead',
             "expected ha_state active or standby, found 'unknown' on host "
             'cpnw2',
             'expected at least one standby L3 agent, found none'],
            l3_ha.state_problems(found))

    def test_none_at_all(self):
        self.assertEqual(['expected exactly one active L3 agent, found 0',
                          'expected at least one standby L3 agent, found '
                          'none'], l3_ha.state_problems([]))
        self.assertEqual('none', l3_ha.describe_states([]))

    def test_describe(self):
        self.assertEqual(
            'cpnw1 active (dvr_snat, alive), cpnw2 standby (dvr_snat, dead)',
            l3_ha.describe_states([agent('cpnw2', 'standby', alive=False),
                                   agent('cpnw1', 'active')]))


def snat_view(devices):
    return hoststate.NamespaceView('cpnw2', SNAT, {
        name: {'addresses': addresses, 'state': 'UP', 'mac': None}
        for name, addresses in devices.items()})


EXPECTED = {'qg-1': hoststate.Device('qg- gateway', '172.24.4.10'),
            'sg-1': hoststate.Device('sg- of subnet1', '10.1.0.5')}


class TestStandbyAddresses(base.TestCase):

    def test_devices_without_addresses(self):
        self.assertEqual([], l3_ha.standby_address_problems(
            snat_view({'qg-1': [], 'sg-1': [], 'ha-1': ['169.254.192.3/18']}),
            EXPECTED))

    def test_an_address_on_the_standby(self):
        self.assertEqual(
            ['expected device qg-1 (qg- gateway) without addresses (the '
             'standby), found 172.24.4.10/24'],
            l3_ha.standby_address_problems(
                snat_view({'qg-1': ['172.24.4.10/24'], 'sg-1': []}),
                EXPECTED))

    def test_missing_device_and_namespace(self):
        self.assertEqual(
            ['expected device sg-1 (sg- of subnet1), found none'],
            l3_ha.standby_address_problems(snat_view({'qg-1': []}),
                                           EXPECTED))
        self.assertEqual(
            ['expected namespace %s, found none' % SNAT],
            l3_ha.standby_address_problems(
                hoststate.NamespaceView('cpnw2', SNAT), EXPECTED))


class TestHaDevices(base.TestCase):

    def ports(self):
        return [{'id': 'aaaaaaaa-1111-2222', 'binding:host_id': 'cpnw1'},
                {'id': 'bbbbbbbb-1111-2222', 'binding:host_id': 'cpnw2'}]

    def test_the_hosts_own_port(self):
        self.assertEqual(['ha-bbbbbbbb-11'], list(
            expected_devices.ha_devices(self.ports(), 'cpnw2')))

    def test_no_port_for_the_host(self):
        exc = self.assertRaises(router_api.UnexpectedPorts,
                                expected_devices.ha_devices, self.ports(),
                                'network1')
        self.assertEqual('expected one network:router_ha_interface port of '
                         'the router bound to host network1, found 0 (bound '
                         'to: cpnw1, cpnw2)', str(exc))


class FakeHost(object):
    """run(argv) answers from a dict keyed by the argv's words."""

    name = 'cpnw1'

    def __init__(self, answers):
        self.answers = answers
        self.commands = []

    def run(self, argv, timeout=None, check=True):
        self.commands.append((list(argv), timeout))
        status, stdout = self.answers.get(' '.join(argv), (1, ''))
        if check and status:
            raise hosts.HostAccessError('%s failed' % argv)
        return hosts.CommandResult(self.name, ' '.join(argv), status,
                                   stdout, '')


def keepalived_host(pid_file_pid='101', pids='101 102 130\n'):
    return FakeHost({
        'ip netns pids ' + SNAT: (0, pids),
        'ps -ww -o pid=,args= -p 101,102,130': (0, (
            '  101 %s\n  102 %s\n  130 /usr/bin/python3 '
            'neutron-keepalived-state-change --router_id=%s\n' % (
                ARGS, ARGS, ROUTER))),
        'cat ' + PID_FILE: (0, pid_file_pid + '\n'),
        'cat %s-vrrp' % PID_FILE: (0, '102\n'),
    })


class TestKeepalived(base.TestCase):

    def test_parse_args(self):
        self.assertEqual((PID_FILE, PID_FILE + '-vrrp'),
                         l3_ha.parse_keepalived_args(ARGS))
        self.assertEqual((PID_FILE, None), l3_ha.parse_keepalived_args(
            '/usr/sbin/keepalived -p ' + PID_FILE))
        self.assertIsNone(l3_ha.parse_keepalived_args(
            'conntrackd -C /x -p ' + PID_FILE))
        self.assertIsNone(l3_ha.parse_keepalived_args('keepalived -P'))
        self.assertIsNone(l3_ha.parse_keepalived_args(''))

    def test_found_from_its_pid_files_in_the_namespace(self):
        host = keepalived_host()
        found = l3_ha.find_keepalived(host, ROUTER)
        self.assertEqual(l3_ha.Keepalived('cpnw1', ROUTER, 101, PID_FILE, 102,
                                          PID_FILE + '-vrrp'), found)
        self.assertEqual(CONFS, found.ha_confs_path)
        self.assertEqual([102, 101], found.pids)
        self.assertIn('pid 101 from %s, VRRP child 102' % PID_FILE,
                      str(found))

    def test_kill_is_a_bounded_argv_of_those_pids_only(self):
        host = keepalived_host()
        host.answers['kill -KILL 102 101'] = (0, '')
        l3_ha.kill_keepalived(host, l3_ha.find_keepalived(host, ROUTER))
        self.assertEqual((['kill', '-KILL', '102', '101'],
                          l3_ha.KILL_TIMEOUT), host.commands[-1])

    def test_stop_is_a_bounded_sigterm_of_the_main_process_only(self):
        host = keepalived_host()
        host.answers['kill -TERM 101'] = (0, '')
        l3_ha.stop_keepalived(host, l3_ha.find_keepalived(host, ROUTER))
        self.assertEqual((['kill', '-TERM', '101'], l3_ha.KILL_TIMEOUT),
                         host.commands[-1])

    def test_no_process_in_the_namespace(self):
        exc = self.assertRaises(l3_ha.KeepalivedNotFound,
                                l3_ha.find_keepalived,
                                keepalived_host(pids=''), ROUTER)
        self.assertIn('host cpnw1: expected keepalived of router %s in '
                      'namespace %s, found no process there' % (ROUTER, SNAT),
                      str(exc))
        self.assertIsNone(l3_ha.running_keepalived(keepalived_host(pids=''),
                                                   ROUTER))

    def test_pid_file_naming_another_process(self):
        exc = self.assertRaises(l3_ha.KeepalivedNotFound,
                                l3_ha.find_keepalived,
                                keepalived_host(pid_file_pid='999'), ROUTER)
        self.assertIn('expected the pid file %s to name a process of %s, '
                      'found 999' % (PID_FILE, SNAT), str(exc))

    def test_another_routers_keepalived_is_not_ours(self):
        host = keepalived_host()
        other = ARGS.replace(ROUTER, 'ffffffff-0000-0000-0000-000000000000')
        host.answers['ps -ww -o pid=,args= -p 101,102,130'] = (
            0, '  101 %s\n' % other)
        exc = self.assertRaises(l3_ha.KeepalivedNotFound,
                                l3_ha.find_keepalived, host, ROUTER)
        self.assertIn('expected one keepalived of router %s' % ROUTER,
                      str(exc))

    def test_unlistable_namespace(self):
        host = FakeHost({})
        exc = self.assertRaises(l3_ha.KeepalivedNotFound,
                                l3_ha.find_keepalived, host, ROUTER)
        self.assertIn('cannot list the processes of namespace %s' % SNAT,
                      str(exc))
