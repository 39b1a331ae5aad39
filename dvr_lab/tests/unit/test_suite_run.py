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

"""Passwords reach the controller's commands by stdin, environment or file.

Never as an argument, which anyone reads in /proc/<pid>/cmdline.
"""

from unittest import mock

import testtools

from dvr_lab import controller
from dvr_lab import suite_run

TEMPEST_TOTALS = """
======
Totals
======
Ran: 27 tests in 612.0000 sec.
 - Passed: 25
 - Skipped: 1
 - Expected Fail: 0
 - Unexpected Success: 0
 - Failed: 1
Sum of execute time for each test: 1200.1 sec.
"""


class TestSuiteRun(testtools.TestCase):

    def test_whole_suite_without_the_known_defects_by_default(self):
        argv = suite_run.tempest_argv([])
        self.assertEqual(['run', '--concurrency', '2', '-r', 'dvr',
                          '--exclude-list', suite_run.KNOWN_DEFECTS],
                         argv[1:])

    def test_tests_named_by_the_user_run_as_named(self):
        argv = suite_run.tempest_argv(['-r', 'test_snat_when'])
        self.assertNotIn('--exclude-list', argv)
        self.assertEqual(['-r', 'test_snat_when'], argv[-2:])
        argv = suite_run.tempest_argv(['--regex=Reachability'])
        self.assertNotIn('dvr', argv)

    def test_other_options_pass_through(self):
        argv = suite_run.tempest_argv(['--serial'])
        self.assertIn('--exclude-list', argv)
        self.assertEqual('--serial', argv[-1])

    def test_summary_from_the_totals(self):
        self.assertEqual('25 passed, 1 failed, 1 skipped',
                         suite_run.summary(TEMPEST_TOTALS))
        self.assertEqual('? passed, ? failed, ? skipped',
                         suite_run.summary('tempest crashed'))

    def test_known_defects_name_scenario_tests(self):
        import importlib
        for pattern in suite_run.known_defects():
            name = pattern.replace('\\.', '.')
            module, cls, method = name.rsplit('.', 2)
            self.assertTrue(module.startswith(
                'dvr_tempest_plugin.tests.scenario.'), pattern)
            test_class = getattr(importlib.import_module(module), cls)
            self.assertTrue(callable(getattr(test_class, method)), pattern)

    def test_failures_name_the_test_and_end_of_its_traceback(self):
        from dvr_tempest_plugin.report import results
        traceback = ('Traceback (most recent call last):\n'
                     '  File "x.py", line 1, in f\n\n'
                     'AssertionError: expected 2 pongs, found 0\n')
        failed = mock.Mock(status='fail', test_id='a.B.test_c[id-1]',
                           message=traceback)
        passed = mock.Mock(status='success', test_id='a.B.test_d[id-2]')
        with mock.patch.object(results, 'read_source',
                               return_value=([passed, failed], 'x')):
            lines = suite_run.failure_lines('/nowhere').splitlines()
        self.assertEqual('failed: a.B.test_c[id-1]', lines[0])
        self.assertEqual('AssertionError: expected 2 pongs, found 0',
                         lines[-1].strip())
        self.assertEqual(3, len(lines))

    def test_a_long_exception_message_is_kept_to_its_end(self):
        console = ['console line %d' % i for i in range(100)]
        frames = ['Traceback (most recent call last):',
                  '  File "a.py", line 1, in f', '    g()',
                  '  File "b.py", line 2, in g', '    raise X',
                  'VmUnreachable: vm1 on cpnw1: no SSH login']
        message = '\n'.join(frames + console)
        tail = suite_run.traceback_end(message)
        self.assertEqual(suite_run.FAILURE_MESSAGE_LINES, len(tail))
        self.assertEqual('console line 99', tail[-1])
        self.assertIn('VmUnreachable: vm1 on cpnw1: no SSH login', tail)
        self.assertIn('...', tail)
        short = suite_run.traceback_end('\n'.join(message.splitlines()[:8]))
        self.assertEqual('File "b.py", line 2, in g', short[0].strip())
        self.assertEqual('console line 1', short[-1])

    def test_no_run_no_failures(self):
        from dvr_tempest_plugin.report import results
        with mock.patch.object(results, 'read_source',
                               side_effect=results.NoRun('none')):
            self.assertEqual('', suite_run.failure_lines('/nowhere'))


class TestRpcReadiness(testtools.TestCase):

    def test_queues_with_consumers(self):
        output = ('q-plugin\t1\nq-l3-plugin\t0\nq-reports-plugin\t2\n'
                  'reply_abc\t1\nnot a row\n')
        self.assertEqual({'q-plugin', 'q-reports-plugin', 'reply_abc'},
                         controller.queues_with_consumers(output))
