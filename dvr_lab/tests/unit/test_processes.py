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

import subprocess
import sys

import testtools

from dvr_lab import processes
from dvr_lab import procfs

IGNORES_SIGTERM = ('import signal, time\n'
                   'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
                   'print("ready", flush=True)\n'
                   'time.sleep(60)\n')


class TestKillGroup(testtools.TestCase):

    def start(self, code):
        proc = subprocess.Popen([sys.executable, '-c', code],
                                stdout=subprocess.PIPE,
                                start_new_session=True)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.stdout.close)
        return proc

    def test_a_process_that_exits_on_sigterm_is_not_killed(self):
        proc = self.start('import time; time.sleep(60)')
        self.assertFalse(processes.kill_group(proc.pid, timeout=5))

    def test_says_when_sigterm_was_not_enough(self):
        proc = self.start(IGNORES_SIGTERM)
        proc.stdout.readline()
        self.assertTrue(processes.kill_group(proc.pid, timeout=0.3))
        # kill_group may have reaped it already, so Popen cannot always
        # read -9; that it is gone is what counts.
        proc.wait(timeout=5)
        self.assertFalse(procfs.alive(proc.pid))
