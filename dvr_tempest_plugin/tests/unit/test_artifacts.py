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

import os

import fixtures
import testtools

from dvr_tempest_plugin.report import artifacts
from dvr_tempest_plugin.tests.scenario import base as scenario_base
from dvr_tempest_plugin.tests.scenario import test_traffic_path
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import recorded as r

TEST_ID = ('dvr_tempest_plugin.tests.scenario.test_traffic_path.'
           'TrafficPathTest.test_east_west_routed_on_sender_host'
           '[id-1caf5af7-9516-4b7c-a47e-0ed1afb9cc3f]')


class FakeTrafficTest(object):
    """The scenario methods under test, on a test without a cloud."""

    attach_artifact = scenario_base.DvrScenarioTest.attach_artifact
    attach_picture = scenario_base.DvrScenarioTest.attach_picture
    attach_text = scenario_base.DvrScenarioTest.attach_text
    attach_path_picture = (
        test_traffic_path.TrafficPathTest.attach_path_picture)
    check_path = test_traffic_path.TrafficPathTest.check_path

    def __init__(self):
        self.details = {}

    def id(self):
        return TEST_ID

    def addDetail(self, name, content):
        self.details[name] = content

    def fail(self, message):
        raise AssertionError(message)


class TestArtifacts(base.TestCase):

    def test_safe_name(self):
        self.assertEqual('a_b_.._c', artifacts.safe_name('a/b/../c'))
        self.assertEqual('hidden', artifacts.safe_name('.hidden'))
        self.assertEqual('_', artifacts.safe_name('..'))

    def test_details_and_kinds(self):
        svg_detail = artifacts.detail(artifacts.SVG, '<svg/>')
        pcap_detail = artifacts.detail(artifacts.PCAP, r.A1_PCAP)
        self.assertEqual([b'<svg/>'], list(svg_detail.iter_bytes()))
        self.assertTrue(artifacts.is_svg(svg_detail))
        self.assertFalse(artifacts.is_pcap(svg_detail))
        self.assertTrue(artifacts.is_pcap(pcap_detail))
        self.assertFalse(artifacts.is_svg(testtools.content.text_content(
            'x')))


class TestCheckPath(base.TestCase):

    def test_picture_attached_even_when_the_check_fails(self):
        self.use_conf()
        test = FakeTrafficTest()
        seen = r.east_west({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                            r.B2: r.B2_PCAP})
        error = self.assertRaises(AssertionError, test.check_path, seen,
                                  r.EAST_WEST_EXPECTATIONS)
        self.assertIn('going out at %s; not seen there.\necho request (' %
                      r.B1, str(error))
        self.assertTrue(artifacts.is_svg(test.details['path.svg']))
        picture = b''.join(test.details['path.svg'].iter_bytes()).decode()
        self.assertIn('test_east_west_routed_on_sender_host'
                      '[id-1caf5af7-9516-4b7c-a47e-0ed1afb9cc3f]', picture)

    def test_report_dir_gets_a_copy(self):
        folder = self.useFixture(fixtures.TempDir()).path
        self.use_conf(report_dir=folder)
        test = FakeTrafficTest()
        seen = r.east_west({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                            r.B2: r.B2_PCAP, r.B1: r.B1_PCAP})
        test.check_path(seen, r.EAST_WEST_EXPECTATIONS)
        path = os.path.join(folder, artifacts.safe_name(TEST_ID),
                            'path.svg')
        attached = b''.join(test.details['path.svg'].iter_bytes())
        with open(path, 'rb') as f:
            self.assertEqual(attached, f.read())

    def test_unwritable_report_dir_is_said_not_raised(self):
        folder = os.path.join(self.write_file(''), 'below-a-file')
        self.use_conf(report_dir=folder)
        test = FakeTrafficTest()
        test.attach_artifact('path.svg', artifacts.SVG, '<svg/>')
        self.assertIn('cannot write path.svg',
                      test.details['path.svg-not-written'].as_text())

    def test_a_picture_that_cannot_be_drawn_is_said_not_raised(self):
        self.use_conf()
        test = FakeTrafficTest()

        def broken():
            raise KeyError('no such point')

        test.attach_picture('path.svg', broken)
        self.assertNotIn('path.svg', test.details)
        self.assertIn("KeyError: 'no such point'",
                      test.details['path.svg-not-drawn'].as_text())
