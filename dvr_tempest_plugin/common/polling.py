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

"""The one poller: observe until done or timeout, keep the last look."""

import time

POLL_INTERVAL = 2


def wait_for(observe, done, timeout, interval=POLL_INTERVAL):
    """Call observe() until done(observation) or timeout.

    Returns (done, last observation), so callers can report what they
    found when it never converged.
    """
    deadline = time.monotonic() + timeout
    while True:
        observation = observe()
        if done(observation):
            return True, observation
        if time.monotonic() >= deadline:
            return False, observation
        time.sleep(interval)


def wait_stable(observe, quiet_seconds, timeout):
    """Wait until observe() returns the same value twice, quiet_seconds apart.

    Returns (done, last observation), like wait_for.
    """
    previous = []

    def unchanged(current):
        same = bool(previous) and previous[-1] == current
        previous.append(current)
        return same

    return wait_for(observe, unchanged, timeout, interval=quiet_seconds)
