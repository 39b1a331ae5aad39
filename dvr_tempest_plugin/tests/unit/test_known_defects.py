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

import testtools

from dvr_tempest_plugin.common import known_defects
from dvr_tempest_plugin.common import router_api


def example(error):
    """A test meeting error, built here so the loader does not run it."""
    class Example(testtools.TestCase):

        @known_defects.neutron_defect(router_api.DuplicatePorts, 'defect X')
        def test_port(self):
            if error:
                raise error

    return Example('test_port')


class TestNeutronDefect(testtools.TestCase):

    def outcome(self, error):
        result = testtools.TestResult()
        example(error).run(result)
        return result

    def test_the_known_failure_skips_naming_the_defect(self):
        result = self.outcome(router_api.DuplicatePorts('found 2: p1, p2'))
        [(reason, tests)] = result.skip_reasons.items()
        self.assertEqual('defect X; seen here: found 2: p1, p2', reason)
        self.assertTrue(result.wasSuccessful())

    def test_any_other_failure_stays_a_failure(self):
        for error in (router_api.UnexpectedPorts('no port'),
                      AssertionError('expected qg-, found none')):
            result = self.outcome(error)
            self.assertFalse(result.wasSuccessful())
            self.assertEqual({}, result.skip_reasons)

    def test_a_pass_stays_a_pass(self):
        result = self.outcome(None)
        self.assertTrue(result.wasSuccessful())
        self.assertEqual({}, result.skip_reasons)
