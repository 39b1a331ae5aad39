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

import itertools
from unittest import mock

from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.tests.unit import base


class TestWaitFor(base.TestCase):

    def test_returns_the_first_observation_done(self):
        counter = itertools.count()
        self.assertEqual((True, 3), polling.wait_for(
            lambda: next(counter), lambda n: n == 3, 5, interval=0))

    def test_timeout_keeps_the_last_observation(self):
        counter = itertools.count()
        done, last = polling.wait_for(lambda: next(counter), lambda n: False,
                                      0.05, interval=0.01)
        self.assertFalse(done)
        self.assertGreater(last, 0)


class TestWaitStable(base.TestCase):

    def test_same_value_twice(self):
        values = iter([1, 2, 2, 3])
        self.assertEqual((True, 2), polling.wait_stable(
            lambda: next(values), 0, 5, interval=0))

    def test_never_stable(self):
        counter = itertools.count()
        done, _ = polling.wait_stable(lambda: next(counter), 0.01, 0.05,
                                      interval=0.01)
        self.assertFalse(done)

    def test_quiet_counts_from_the_last_change(self):
        # One second a look; the value changes at the second look.
        clock = itertools.count()
        looks = []

        def observe():
            looks.append(next(clock))
            return 1 if len(looks) == 1 else 2

        with mock.patch.object(polling.time, 'monotonic',
                               lambda: len(looks)), \
                mock.patch.object(polling.time, 'sleep'):
            self.assertEqual((True, 2), polling.wait_stable(observe, 3, 100))
        # Quiet from the second look on: done at the fifth, 3 s later.
        self.assertEqual(5, len(looks))
