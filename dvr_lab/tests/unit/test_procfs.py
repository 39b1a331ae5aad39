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

"""The namespace sweep of `down` never reaches the machine's own processes.

A fake /proc: namespaces are files, processes sharing one are hard links.
"""

import os

import fixtures
import testtools

from dvr_lab import namespaces
from dvr_lab import procfs
from dvr_lab import settings

HOLDER, INSIDE, ELSEWHERE = 2000, 2001, 3000


class FakeProc(fixtures.Fixture):
    """Two sets of namespaces: the machine's and a lab host's.

    PID 1, this process and ELSEWHERE live in the machine's; HOLDER and
    INSIDE in the lab host's.
    """

    def _setUp(self):
        self.root = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MonkeyPatch('dvr_lab.procfs.PROC',
                                             self.root))
        for kind in ('net', 'mnt'):
            machine = self.namespace('machine-' + kind)
            host = self.namespace('host-' + kind)
            for pid in (1, os.getpid(), ELSEWHERE):
                self.join(pid, kind, machine)
            for pid in (HOLDER, INSIDE):
                self.join(pid, kind, host)

    def namespace(self, name):
        path = os.path.join(self.root, name)
        open(path, 'w').close()
        return path

    def join(self, pid, kind, namespace):
        directory = os.path.join(self.root, str(pid), 'ns')
        os.makedirs(directory, exist_ok=True)
        os.link(namespace, os.path.join(directory, kind))


class TestSweepGuard(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.proc = self.useFixture(FakeProc())
        self.terminate = self.useFixture(fixtures.MockPatch(
            'dvr_lab.processes.terminate_all')).mock
        self.useFixture(fixtures.MockPatch('dvr_lab.processes.stop'))
        self.holder = self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.holder_pid', return_value=HOLDER)).mock

    def test_a_lab_host_namespace_lists_its_processes(self):
        self.assertEqual([HOLDER, INSIDE], sorted(procfs.pids_in_namespace(
            procfs.namespace_path(HOLDER, 'net'), 'net')))
        self.assertEqual({INSIDE}, namespaces.pids_inside(settings.OUTSIDE))

    def test_pid_1_namespace_is_refused(self):
        for kind in ('net', 'mnt'):
            error = self.assertRaises(
                procfs.MachineNamespace, procfs.pids_in_namespace,
                procfs.namespace_path(1, kind), kind)
            self.assertIn("machine's own %s namespace" % kind, str(error))

    def test_this_process_namespace_is_refused(self):
        self.assertRaises(procfs.MachineNamespace, procfs.pids_in_namespace,
                          procfs.namespace_path(os.getpid(), 'mnt'), 'mnt')

    def test_a_holder_in_the_machine_namespace_ends_nothing(self):
        # e.g. `unshare` recorded but not yet (or never) in its namespaces
        self.holder.return_value = ELSEWHERE
        self.assertRaises(procfs.MachineNamespace, namespaces.destroy_hosts,
                          settings.layout('article').hosts)
        self.terminate.assert_not_called()

    def test_one_bad_host_among_good_ones_ends_nothing(self):
        self.holder.side_effect = lambda host: (
            ELSEWHERE if host.name == 'cpnw2' else HOLDER)
        self.assertRaises(procfs.MachineNamespace, namespaces.destroy_hosts,
                          settings.layout('article').hosts)
        self.terminate.assert_not_called()

    def test_no_holder_means_no_process(self):
        self.holder.return_value = None
        self.assertEqual(set(), namespaces.pids_inside(settings.CONTROLLER))

    def test_good_hosts_are_swept(self):
        namespaces.destroy_hosts(settings.layout('article').hosts)
        self.terminate.assert_called_once_with([INSIDE], timeout=10)

    def test_an_unreadable_own_namespace_refuses_rather_than_guesses(self):
        os.unlink(os.path.join(self.proc.root, str(os.getpid()), 'ns',
                               'net'))
        self.assertRaises(procfs.MachineNamespace, procfs.pids_in_namespace,
                          procfs.namespace_path(HOLDER, 'net'), 'net')

    def test_a_hidden_pid_1_still_leaves_our_own_namespace_guarded(self):
        # sandboxes hide PID 1's namespaces, even from root
        os.unlink(os.path.join(self.proc.root, '1', 'ns', 'net'))
        self.assertEqual([HOLDER, INSIDE], sorted(procfs.pids_in_namespace(
            procfs.namespace_path(HOLDER, 'net'), 'net')))
        self.assertRaises(procfs.MachineNamespace, procfs.pids_in_namespace,
                          procfs.namespace_path(os.getpid(), 'net'), 'net')

    def test_a_missing_namespace_has_no_process(self):
        self.assertEqual([], procfs.pids_in_namespace(
            os.path.join(self.proc.root, 'no-such-namespace')))
