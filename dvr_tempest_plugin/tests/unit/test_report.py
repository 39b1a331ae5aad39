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

import io
import os
import unittest

import fixtures
import subunit
import testtools

from dvr_tempest_plugin.report import artifacts
from dvr_tempest_plugin.report import cli
from dvr_tempest_plugin.report import html
from dvr_tempest_plugin.report import results
from dvr_tempest_plugin.report import svg_path
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import recorded as r

PCAP_NAME = 'capture-compute2-qr-8b1d2c3e-4f.pcap'


def path_picture():
    seen = r.east_west({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP, r.B2: r.B2_PCAP})
    seen.check(r.EAST_WEST_EXPECTATIONS)
    return svg_path.draw(seen, 'test_east_west_routed_on_sender_host')


class RecordedRun(object):
    """Stands for a tempest run: what its tests attach, how they end.

    Not a TestCase, so that this module's own run does not collect it;
    recorded_stream() makes one of it.
    """

    def test_east_west_routed_on_sender_host(self):
        self.addDetail('path.svg', artifacts.detail(artifacts.SVG,
                                                    path_picture()))
        self.addDetail(PCAP_NAME, artifacts.detail(artifacts.PCAP,
                                                   r.B2_PCAP))
        self.addDetail('hop-list', testtools.content.text_content(
            'echo request (probe):\n  1. compute1 / qr- <subnet1>'))
        self.fail('expected the echo reply 10.100.1.7 > 10.100.0.5 going out '
                  'at compute2; not seen there.')

    def test_snat_when_snat_host_l3_agent_dies(self):
        self.skipTest('[dvr] disruptive_tests is False')

    def test_qrouter_namespace_on_vm_hosts(self):
        pass


def recorded_stream():
    """The subunit v2 bytes of RecordedRun, as stestr stores a run."""
    stream = io.BytesIO()
    output = subunit.StreamResultToBytes(stream)
    case = type('RecordedRun', (RecordedRun, testtools.TestCase), {})
    suite = testtools.ConcurrentStreamTestSuite(lambda: [(
        unittest.TestLoader().loadTestsFromTestCase(case), None)])
    output.startTestRun()
    suite.run(output)
    output.stopTestRun()
    return stream.getvalue()


class TestResults(base.TestCase):

    def test_records_of_a_stream(self):
        records = {record.name.rsplit('.', 1)[-1]: record for record in
                   results.read_stream(io.BytesIO(recorded_stream()))}
        self.assertEqual(
            {'test_east_west_routed_on_sender_host': 'fail',
             'test_snat_when_snat_host_l3_agent_dies': 'skip',
             'test_qrouter_namespace_on_vm_hosts': 'success'},
            {name: record.status for name, record in records.items()})
        failed = records['test_east_west_routed_on_sender_host']
        self.assertIn('not seen there.', failed.message)
        self.assertTrue(artifacts.is_svg(failed.details['path.svg']))
        self.assertTrue(artifacts.is_pcap(failed.details[PCAP_NAME]))
        self.assertEqual(r.B2_PCAP,
                         b''.join(failed.details[PCAP_NAME].iter_bytes()))
        self.assertEqual('[dvr] disruptive_tests is False',
                         records['test_snat_when_snat_host_l3_agent_dies']
                         .message)
        self.assertIsNotNone(failed.seconds)

    def test_last_run_of_a_workspace(self):
        workspace = self.useFixture(fixtures.TempDir()).path
        repository = os.path.join(workspace, '.stestr')
        os.mkdir(repository)
        for name in ('0', '1', '10', '2', 'next-stream', 'format'):
            open(os.path.join(repository, name), 'w').close()
        self.assertEqual(os.path.join(repository, '10'),
                         results.last_run_file(workspace))
        self.assertEqual(os.path.join(repository, '10'),
                         results.last_run_file(repository))

    def test_no_run(self):
        workspace = self.useFixture(fixtures.TempDir()).path
        self.assertRaises(results.NoRun, results.last_run_file, workspace)
        os.mkdir(os.path.join(workspace, '.stestr'))
        exc = self.assertRaises(results.NoRun, results.last_run_file,
                                workspace)
        self.assertIn('holds no run', str(exc))


class TestReport(base.TestCase):

    def setUp(self):
        super().setUp()
        self.workspace = self.useFixture(fixtures.TempDir()).path
        repository = os.path.join(self.workspace, '.stestr')
        os.mkdir(repository)
        with open(os.path.join(repository, '0'), 'wb') as f:
            f.write(recorded_stream())
        with open(os.path.join(repository, 'next-stream'), 'w') as f:
            f.write('1\n')

    def read(self, path):
        with open(path, encoding='utf-8') as f:
            return f.read()

    def test_write_report_of_a_workspace(self):
        path = cli.write_report(self.workspace)
        self.assertEqual(os.path.join(self.workspace, 'dvr-report.html'),
                         path)
        page = self.read(path)
        self.assertIn('1 failed, 1 passed, 1 skipped', page)
        self.assertIn('>failed</span> %s.RecordedRun.'
                      'test_east_west_routed_on_sender_host' % __name__,
                      page)
        self.assertIn('>skipped</span>', page)
        self.assertIn('>passed</span>', page)
        self.assertIn('[dvr] disruptive_tests is False', page)
        self.assertIn('going out at compute2; not seen there.', page)
        self.assertIn('<div class="picture" data-detail="path.svg"><svg '
                      'xmlns="http://www.w3.org/2000/svg"', page)
        self.assertIn('data-point="%s"' % r.B1, page)
        self.assertIn('<summary>hop-list</summary><pre>echo request '
                      '(probe):\n  1. compute1 / qr- &lt;subnet1&gt;</pre>',
                      page)
        # Failures come first.
        self.assertLess(page.index('id="test-%s.RecordedRun.test_east' %
                                   __name__),
                        page.index('id="test-%s.RecordedRun.test_qrouter' %
                                   __name__))

    def test_captures_are_files_next_to_the_page(self):
        out = os.path.join(self.workspace, 'out', 'run.html')
        cli.report(self.workspace, out)
        href = 'run-files/%s.RecordedRun.test_east_west_routed_on_sender_' \
            'host/%s' % (__name__, PCAP_NAME)
        self.assertIn('<a href="%s">%s</a>' % (href, PCAP_NAME),
                      self.read(out))
        with open(os.path.join(os.path.dirname(out), href), 'rb') as f:
            self.assertEqual(r.B2_PCAP, f.read())

    def test_page_is_self_contained(self):
        page = self.read(cli.write_report(self.workspace))
        for outside in ('<script', '<link', 'src=', '@import', 'http://',
                        'https://'):
            self.assertNotIn(outside, page.replace(
                'xmlns="http://www.w3.org/2000/svg"', ''))

    def test_main_reads_a_subunit_file_and_standard_input(self):
        stream = os.path.join(self.workspace, '.stestr', '0')
        out = os.path.join(self.workspace, 'from-file.html')
        stdout = self.useFixture(fixtures.MockPatch(
            'sys.stdout', new_callable=io.StringIO)).mock
        self.assertEqual(0, cli.main([stream, '-o', out]))
        self.assertEqual(out + '\n', stdout.getvalue())
        self.assertIn('1 failed, 1 passed, 1 skipped', self.read(out))
        stdin = io.TextIOWrapper(io.BytesIO(recorded_stream()))
        self.useFixture(fixtures.MockPatch('sys.stdin', stdin))
        out = os.path.join(self.workspace, 'from-stdin.html')
        self.assertEqual(0, cli.main(['-', '-o', out]))
        self.assertIn('standard input: 1 failed', self.read(out))

    def test_main_cannot_write(self):
        blocker = self.write_file('')
        stderr = self.useFixture(fixtures.MockPatch(
            'sys.stderr', new_callable=io.StringIO)).mock
        self.assertEqual(1, cli.main([self.workspace, '-o', os.path.join(
            blocker, 'report.html')]))
        self.assertIn('dvr-report: cannot write', stderr.getvalue())

    def test_main_without_a_run(self):
        empty = self.useFixture(fixtures.TempDir()).path
        stderr = self.useFixture(fixtures.MockPatch(
            'sys.stderr', new_callable=io.StringIO)).mock
        self.assertEqual(1, cli.main([empty, '-o',
                                      os.path.join(empty, 'x.html')]))
        self.assertIn('no stestr repository', stderr.getvalue())


class TestCleanSvg(base.TestCase):

    def test_our_pictures_pass_unchanged_in_substance(self):
        cleaned = html.clean_svg(path_picture())
        self.assertIn('url(#arrow-request)', cleaned)
        self.assertIn('data-point="%s"' % r.A1, cleaned)

    def test_what_could_run_or_load_is_dropped(self):
        cleaned = html.clean_svg(
            '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            '<script>alert(2)</script><a href="javascript:x()"><rect '
            'fill="url(http://example.org/x)" onclick="y()"/></a>'
            '<foreignObject><div/></foreignObject></svg>')
        for bad in ('alert', 'javascript', 'onclick', 'example.org',
                    'foreignObject'):
            self.assertNotIn(bad, cleaned)
        self.assertIn('<rect', cleaned)

    def test_not_svg(self):
        self.assertIsNone(html.clean_svg('<html/>'))
        self.assertIsNone(html.clean_svg('not xml'))
        self.assertIsNone(html.clean_svg(
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><svg>&a;</svg>'))
