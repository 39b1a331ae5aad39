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


def wait_stable(observe, quiet_seconds, timeout, interval=POLL_INTERVAL):
    """Wait until observe() has returned one value for quiet_seconds.

    Observes every interval, so the wait ends about quiet_seconds after
    the last change, not after the next whole quiet period. Returns
    (done, last observation), like wait_for.
    """
    deadline = time.monotonic() + timeout
    unchanged_since, last = None, None
    while True:
        moment = time.monotonic()
        observation = observe()
        if unchanged_since is None or observation != last:
            unchanged_since, last = moment, observation
        elif moment - unchanged_since >= quiet_seconds:
            return True, observation
        if moment >= deadline:
            return False, observation
        time.sleep(interval)
