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

"""One lab command at a time: up, down, break and image hold this lock.

An flock on settings.LOCK_FILE, outside the state directory `down`
removes. The holder writes its PID and command into the file; another
command waits a bounded time, then fails naming the holder. `up` keeps
the lock across its exec into the lab venv.
"""

import contextlib
import fcntl
import os
import time

from dvr_lab import settings

# Set by Lock.keep_across_exec: the descriptor an exec'd `up` inherits.
FD_VARIABLE = 'DVR_LAB_LOCK_FD'
WAIT_SECONDS = 30
POLL_SECONDS = 0.2


class LabBusy(RuntimeError):
    pass


class Lock:

    def __init__(self, fd):
        self.fd = fd

    def keep_across_exec(self):
        """Let the program this process execs next hold the lock on."""
        os.set_inheritable(self.fd, True)
        os.environ[FD_VARIABLE] = str(self.fd)


def holder(path=None):
    """What the lock file says about its holder."""
    try:
        with open(path or settings.LOCK_FILE) as f:
            return f.read().strip() or 'unknown'
    except OSError:
        return 'unknown'


@contextlib.contextmanager
def held(command, path=None, wait=None, on_wait=None):
    """Hold the lab lock as `command`, waiting at most wait seconds.

    wait defaults to WAIT_SECONDS; on_wait(holder) is called once when
    another command holds it.
    """
    path = path or settings.LOCK_FILE
    wait = WAIT_SECONDS if wait is None else wait
    fd = _inherited(path)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, ('pid %d (dvr-lab %s)\n' % (os.getpid(), command))
                  .encode(), 0)
        yield Lock(fd)
    finally:
        os.close(fd)


def _acquire(fd, path, wait, on_wait):
    deadline = time.monotonic() + wait
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LabBusy('another dvr-lab command holds the lab lock '
                              '%s: %s (waited %ss)'
                              % (path, holder(path), wait))
            if on_wait and not waiting:
                on_wait(holder(path))
            waiting = True
            time.sleep(POLL_SECONDS)


def _inherited(path):
    """The lock descriptor the process that exec'd this one handed over."""
    value = os.environ.pop(FD_VARIABLE, None)
    if value is None:
        return None
    try:
        fd = int(value)
        if not os.path.samestat(os.fstat(fd), os.stat(path)):
            return None
    except (ValueError, OSError):
        return None
    os.set_inheritable(fd, False)
    return fd
