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
