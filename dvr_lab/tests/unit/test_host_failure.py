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

"""`dvr-lab host fail|restore`: only agent hosts, never twice."""

import fixtures
import testtools

from dvr_lab import host_failure
from dvr_lab import settings
from dvr_lab.tests.unit import lab_fixtures


class TestHostFailure(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lab_fixtures.LabStateDir())
        self.useFixture(fixtures.MockPatchObject(
            host_failure, 'FAILED_FILE',
            self.useFixture(fixtures.TempDir()).path + '/failed.json'))
        self.useFixture(fixtures.MockPatchObject(
            settings, 'layout', return_value=settings.layout('article')))
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.holder_pid', return_value=4242))
        self.fabric = self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.fabric')).mock

    def test_only_agent_hosts(self):
        exc = self.assertRaises(host_failure.HostFailureError,
                                host_failure.fail, 'controller')
        self.assertIn('cpnw1, cpnw2', str(exc))

    def test_links_of_a_host(self):
        host = settings.layout('article').host('cpnw1')
        self.assertEqual(['m-cpnw1', 't-cpnw1', 'x-cpnw1'],
                         host_failure.fabric_links(host))

    def test_restore_refuses_a_host_that_runs(self):
        self.useFixture(fixtures.MockPatch('dvr_lab.processes.running',
                                           return_value=True))
        exc = self.assertRaises(host_failure.HostFailureError,
                                host_failure.restore, 'cpnw2')
        self.assertIn('has not failed', str(exc))
        self.fabric.assert_not_called()

    def test_fail_cuts_links_before_killing(self):
        order = []
        self.fabric.side_effect = lambda argv, **kw: order.append(argv[-1])
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.pids_inside',
            side_effect=lambda host: order.append('pids') or {1234}))
        kill = self.useFixture(fixtures.MockPatchObject(
            host_failure, '_kill_now')).mock
        self.useFixture(fixtures.MockPatchObject(host_failure,
                                                 '_forget_memory'))
        self.assertEqual(1, host_failure.fail('cpnw1'))
        self.assertEqual(['down', 'down', 'down', 'pids'], order)
        kill.assert_called_once_with([1234])
        self.assertEqual({'cpnw1'}, host_failure.failed_hosts())

    def test_restore_cleans_the_switch_before_the_agents_start(self):
        order = []
        self.useFixture(fixtures.MockPatch('dvr_lab.processes.running',
                                           return_value=False))
        for name in ('start_ovs', 'create_bridges'):
            self.useFixture(fixtures.MockPatch(
                'dvr_lab.computes.' + name,
                side_effect=lambda host, name=name: order.append(name)))
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.computes.start_services',
            side_effect=lambda host, which: order.append(which.__name__)))
        run = self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.run',
            side_effect=lambda host, argv, **kw: order.append(
                argv[0].rsplit('/', 1)[-1]))).mock
        host_failure.restore('cpnw2')
        self.assertEqual(['start_ovs', 'create_bridges', 'neutron-ovs-cleanup',
                          'host_base_daemons', 'host_cloud_daemons'], order)
        argv = run.call_args[0][1]
        self.assertIn('/hosts/cpnw2/', argv[-1])
        self.assertTrue(argv[-1].endswith('openvswitch_agent.ini'))
