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

"""One lab command at a time (a temporary lock file, never /run's)."""

import fcntl
import io
import os

import fixtures
import testtools

from dvr_lab import cli
from dvr_lab import lab_lock
from dvr_lab.tests.unit import lab_fixtures


class TestLabLock(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'dvr-lab.lock')
        self.useFixture(fixtures.EnvironmentVariable(lab_lock.FD_VARIABLE))

    def test_the_holder_writes_its_pid_and_command(self):
        with lab_lock.held('up', self.path, wait=0):
            self.assertEqual('pid %d (dvr-lab up)' % os.getpid(),
                             lab_lock.holder(self.path))

    def test_a_second_command_waits_then_fails_naming_the_holder(self):
        waited_for = []
        with lab_lock.held('up', self.path, wait=0):
            error = self.assertRaises(
                lab_lock.LabBusy, self.enter, 'down', 0.3, waited_for.append)
        self.assertIn('pid %d (dvr-lab up)' % os.getpid(), str(error))
        self.assertIn(self.path, str(error))
        self.assertEqual(['pid %d (dvr-lab up)' % os.getpid()], waited_for)

    def enter(self, command, wait, on_wait=None):
        with lab_lock.held(command, self.path, wait=wait, on_wait=on_wait):
            pass

    def test_released_when_the_command_ends(self):
        with lab_lock.held('up', self.path, wait=0):
            pass
        with lab_lock.held('down', self.path, wait=0):
            self.assertIn('(dvr-lab down)', lab_lock.holder(self.path))

    def test_released_when_the_command_fails(self):
        def fail():
            with lab_lock.held('up', self.path, wait=0):
                raise RuntimeError('boom')
        self.assertRaises(RuntimeError, fail)
        self.enter('down', 0)

    def test_an_exec_d_up_adopts_the_lock_it_was_handed(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.environ[lab_lock.FD_VARIABLE] = str(fd)
        with lab_lock.held('up', self.path, wait=0):
            self.assertNotIn(lab_lock.FD_VARIABLE, os.environ)
            self.assertFalse(os.get_inheritable(fd))
            self.assertRaises(lab_lock.LabBusy, self.enter, 'down', 0)
        self.assertRaises(OSError, os.fstat, fd)
        self.enter('down', 0)

    def test_keep_across_exec_hands_the_descriptor_over(self):
        with lab_lock.held('up', self.path, wait=0) as lock:
            lock.keep_across_exec()
            self.assertTrue(os.get_inheritable(lock.fd))
            self.assertEqual(str(lock.fd),
                             os.environ[lab_lock.FD_VARIABLE])

    def test_a_descriptor_of_another_file_is_not_adopted(self):
        other = os.path.join(os.path.dirname(self.path), 'other')
        fd = os.open(other, os.O_RDWR | os.O_CREAT, 0o644)
        self.addCleanup(os.close, fd)
        os.environ[lab_lock.FD_VARIABLE] = str(fd)
        with lab_lock.held('up', self.path, wait=0):
            pass
        os.fstat(fd)  # still open: not ours to close


class TestCommandsTakeTheLock(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = self.useFixture(lab_fixtures.LabStateDir())
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=0))
        self.useFixture(fixtures.MockPatchObject(lab_lock, 'WAIT_SECONDS',
                                                 0.2))
        self.useFixture(fixtures.EnvironmentVariable('no_proxy'))
        self.useFixture(fixtures.EnvironmentVariable('NO_PROXY'))
        self.err = self.useFixture(fixtures.MockPatch(
            'sys.stderr', new_callable=io.StringIO)).mock
        self.useFixture(fixtures.MockPatch('sys.stdout',
                                           new_callable=io.StringIO))
        self.down = self.useFixture(fixtures.MockPatch(
            'dvr_lab.lab.down', return_value=0)).mock

    def test_down_runs_under_the_lock(self):
        holders = []
        self.down.side_effect = lambda: holders.append(lab_lock.holder())
        cli.main(['down'])
        self.assertEqual(['pid %d (dvr-lab down)' % os.getpid()], holders)

    def test_down_fails_while_another_command_holds_it(self):
        with lab_lock.held('up', wait=0):
            self.assertEqual(1, cli.main(['down']))
        self.down.assert_not_called()
        self.assertIn('pid %d (dvr-lab up)' % os.getpid(),
                      self.err.getvalue())
        self.assertIn(self.lab.lock_file, self.err.getvalue())

    def test_down_says_why_it_stopped(self):
        from dvr_lab import procfs
        from dvr_lab import steps
        self.down.side_effect = steps.StepFailed(
            'FAILED: stopping: %s' % procfs.MachineNamespace('refusing'))
        self.assertEqual(1, cli.main(['down']))
        self.assertIn('dvr-lab down: FAILED: stopping: refusing',
                      self.err.getvalue())
