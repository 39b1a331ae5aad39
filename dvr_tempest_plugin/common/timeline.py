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

"""What happened when, during a disruption: the tests mark, the report draws.

Each Event keeps its time twice: time.monotonic(), the clock the probes'
bursts are stamped with, and the wall clock, to find it in the cloud's
logs. Its kind says what the timeline picture marks it as.
"""

import bisect
import dataclasses
import time

DISRUPTED = 'disrupted'         # an agent stopped or killed
DEAD_IN_API = 'dead in API'     # the API reports the agent dead
RESTORING = 'restoring'         # the agent is being started again
ALIVE_IN_API = 'alive in API'   # the API reports it alive again
SETTLED = 'settled'             # its configuration stopped changing
SNAT_MOVED = 'SNAT moved'       # the API binds the SNAT to another host
RECOVERED = 'recovered'         # traffic answered again after a move
HA_FLIPPED = 'HA flipped'       # the API shows another host active (L3 HA)
ADDRESSES_MOVED = 'addresses moved'     # qg-/sg- addresses on the new active
PROBES_STOPPED = 'probes stopped'
NOTE = 'note'
KINDS = (DISRUPTED, DEAD_IN_API, RESTORING, ALIVE_IN_API, SETTLED,
         SNAT_MOVED, RECOVERED, HA_FLIPPED, ADDRESSES_MOVED, PROBES_STOPPED,
         NOTE)


@dataclasses.dataclass(frozen=True)
class Event:
    kind: str
    what: str
    monotonic: float
    wall: float


class Timeline(object):
    """Events of one disruption, in time order."""

    def __init__(self, clock=time.monotonic, wall_clock=time.time):
        self._clock = clock
        self._wall_clock = wall_clock
        self.start = clock()
        self.start_wall = wall_clock()
        self.events = []

    def mark(self, what, kind=NOTE, at=None):
        """Record an event now, or at an earlier time.monotonic() at.

        Returns its time.monotonic(). The events stay in time order.
        """
        if kind not in KINDS:
            raise ValueError('event kind %r is not one of %s' %
                             (kind, ', '.join(KINDS)))
        now, wall = self._clock(), self._wall_clock()
        if at is None:
            at = now
        event = Event(kind, what, at, wall - (now - at))
        self.events.insert(bisect.bisect_right(
            [e.monotonic for e in self.events], at), event)
        return event.monotonic

    def first(self, kind):
        return next((e for e in self.events if e.kind == kind), None)

    def text(self):
        return '\n'.join(
            't+%6.1f s  %s  %s' % (
                event.monotonic - self.start,
                time.strftime('%H:%M:%S', time.gmtime(event.wall)) +
                '.%03dZ' % (event.wall % 1 * 1000), event.what)
            for event in self.events)
