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

"""The host-failure tests run its host commands on the tester, bounded."""

from dvr_tempest_plugin.tests.scenario import host_failure as nf
from dvr_tempest_plugin.tests.unit import base


class TestRunHostCommand(base.TestCase):

    def test_output(self):
        self.assertEqual('cpnw1 failed\n',
                         nf.run_host_command(['echo', 'cpnw1 failed'], 5))

    def test_exit_status_and_stderr_are_said(self):
        exc = self.assertRaises(
            nf.HostCommandFailed, nf.run_host_command,
            ['sh', '-c', 'echo no such host >&2; exit 3'], 5)
        self.assertIn('exit 3: no such host', str(exc))

    def test_missing_program(self):
        exc = self.assertRaises(nf.HostCommandFailed, nf.run_host_command,
                                ['/nonexistent/ipmitool'], 5)
        self.assertIn('/nonexistent/ipmitool', str(exc))

    def test_bounded_in_time(self):
        exc = self.assertRaises(nf.HostCommandFailed, nf.run_host_command,
                                ['sleep', '5'], 0.2)
        self.assertIn('no end within', str(exc))
