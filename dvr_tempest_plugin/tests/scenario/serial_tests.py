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

"""Disruptive test classes: their tests run alone, their setup does not.

tempest's @decorators.serial takes its inter-process lock for writing in
setUpClass, before the class builds its topology, so while a disruptive
class boots its VMs no other class runs. The classes here take tempest's
lock for reading during their setup, as every other class does: their
setup overlaps other classes' tests, and no disruption (always under the
write lock) can overlap their setup. Before their first test they trade
the read lock for the write lock, so their tests run alone; they trade it
back before their resource cleanup, once every disrupted agent and host
has been restored by the tests' own cleanups.

The write lock is waited for in the kernel (a blocking lockf on tempest's
lock file), not polled as fasteners does: a worker that runs one class
after another holds the read lock almost without a gap, and a writer
polling every 0.1 s waited there for minutes. A blocked lockf is woken
the moment the reader lets go.

Nothing is held while a class waits for the other lock, so two such
classes cannot deadlock, and stestr's group_regex keeps a class on one
worker as for @decorators.serial.
"""

import fcntl
import logging
import time

LOG = logging.getLogger(__name__)


def take_write_lock(path):
    """Block until this process holds path's lock alone; its open file."""
    handle = open(path, 'a')
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX)
    except BaseException:
        handle.close()
        raise
    return handle


def release_write_lock(handle):
    fcntl.lockf(handle, fcntl.LOCK_UN)
    handle.close()


class SerialTests(object):
    """Mixin for a disruptive test class (see the module docstring)."""

    _write_lock = None

    def setUp(self):
        cls = type(self)
        if cls._write_lock is None:
            waiting = time.monotonic()
            cls.serial_rw_lock.release_read_lock()
            cls._write_lock = take_write_lock(cls.serial_rw_lock.path)
            LOG.info('%s took the write lock after %.1f s', cls.__name__,
                     time.monotonic() - waiting)
        super().setUp()

    @classmethod
    def resource_cleanup(cls):
        if cls._write_lock is not None:
            release_write_lock(cls._write_lock)
            cls._write_lock = None
            LOG.info('%s released the write lock', cls.__name__)
            # tempest's tearDownClass releases the read lock at the end.
            cls.serial_rw_lock.acquire_read_lock()
        super().resource_cleanup()
