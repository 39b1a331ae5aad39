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
import subprocess
import sys

from fasteners import process_lock
import fixtures

from dvr_tempest_plugin.tests.scenario import serial_tests
from dvr_tempest_plugin.tests.unit import base

# Another process (fcntl locks are per process): can it read-lock path?
OTHER_READER = '''
import sys
from fasteners import process_lock
lock = process_lock.InterProcessReaderWriterLock(sys.argv[1])
sys.exit(0 if lock.acquire_read_lock(blocking=False) else 3)
'''

# A worker running one class after another: read lock after read lock,
# with next to no gap between them, for 20 s.
BUSY_READER = '''
import sys, time
from fasteners import process_lock
lock = process_lock.InterProcessReaderWriterLock(sys.argv[1])
for cycle in range(100):
    lock.acquire_read_lock()
    if not cycle:
        print('reading', flush=True)
    time.sleep(0.2)
    lock.release_read_lock()
'''


class RecordingLock(object):

    path = '/nonexistent/tempest-serial-rw-lock'

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda: self.calls.append(name)


class FakeTempestClass(object):
    """What tempest's BaseTestCase does around the mixin, recorded."""

    events = None

    def setUp(self):
        self.events.append('setUp')

    @classmethod
    def resource_cleanup(cls):
        cls.events.append('resource_cleanup')


def disruptive_class(lock):
    events = []

    class Disruptive(serial_tests.SerialTests, FakeTempestClass):
        serial_rw_lock = lock

    Disruptive.events = events
    lock.calls = events
    return Disruptive


class TestSerialTests(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'dvr_tempest_plugin.tests.scenario.serial_tests.'
            'take_write_lock', lambda path: self.events.append(
                'take_write_lock') or 'handle'))
        self.useFixture(fixtures.MonkeyPatch(
            'dvr_tempest_plugin.tests.scenario.serial_tests.'
            'release_write_lock', lambda handle: self.events.append(
                'release_write_lock')))

    def disruptive_class(self):
        cls = disruptive_class(RecordingLock())
        self.events = cls.events
        return cls

    def test_first_test_trades_the_read_lock_for_the_write_lock(self):
        cls = self.disruptive_class()
        cls().setUp()
        cls().setUp()
        self.assertEqual(['release_read_lock', 'take_write_lock',
                          'setUp', 'setUp'], cls.events)

    def test_cleanup_trades_it_back_before_the_resources_go(self):
        cls = self.disruptive_class()
        cls().setUp()
        del cls.events[:]
        cls.resource_cleanup()
        self.assertEqual(['release_write_lock', 'acquire_read_lock',
                          'resource_cleanup'], cls.events)

    def test_a_class_that_ran_no_test_keeps_its_read_lock(self):
        cls = self.disruptive_class()
        cls.resource_cleanup()
        self.assertEqual(['resource_cleanup'], cls.events)


class TestSerialTestsLock(base.TestCase):

    def lock_path(self):
        return os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'tempest-serial-rw-lock')

    def test_other_processes_wait_for_the_tests_only(self):
        path = self.lock_path()
        lock = process_lock.InterProcessReaderWriterLock(path)

        def other_reads():
            return subprocess.run(
                [sys.executable, '-c', OTHER_READER, path],
                timeout=60).returncode == 0

        class Disruptive(serial_tests.SerialTests, FakeTempestClass):
            serial_rw_lock = lock
            events = []

        lock.acquire_read_lock()   # tempest's setUpClass
        self.assertTrue(other_reads(), 'the setup must not exclude others')
        Disruptive().setUp()
        self.assertFalse(other_reads(), 'the tests must run alone')
        Disruptive.resource_cleanup()
        self.assertTrue(other_reads(), 'the cleanup must not exclude others')
        lock.release_read_lock()   # tempest's tearDownClass

    def test_a_busy_reader_does_not_starve_the_tests(self):
        path = self.lock_path()
        reader = subprocess.Popen([sys.executable, '-c', BUSY_READER, path],
                                  stdout=subprocess.PIPE, text=True)
        self.addCleanup(reader.wait, 60)
        self.addCleanup(reader.kill)
        self.assertEqual('reading\n', reader.stdout.readline())
        handle = serial_tests.take_write_lock(path)
        self.addCleanup(serial_tests.release_write_lock, handle)
        self.assertIsNone(reader.poll(),
                          'the write lock came only once the reader ended')
