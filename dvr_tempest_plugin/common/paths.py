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

"""Where a burst of probes went: captures at chosen points, as hop lists.

A Point is one device in one namespace on one host, as the article drew
them. A PathTrace captures a Probe's packets at many points around a
burst; its Observations answer "was this packet seen here, going which
way", check the test's Expectations, and render the hop list, the raw
captures and (report/svg_path.py) the picture attached to the test.
"""

import dataclasses

from dvr_tempest_plugin.common import capture
from dvr_tempest_plugin.common import pcap_reader

REQUEST = 'echo request'
REPLY = 'echo reply'
IN = capture.IN
OUT = capture.OUT
SEEN = 'seen'
NOT_FORWARDED = 'not forwarded'
UNTOUCHED = 'untouched'


@dataclasses.dataclass(frozen=True)
class Point:
    host: str
    namespace: str
    device: str
    role: str

    def __str__(self):
        return '%s / %s / %s (%s)' % (self.host, self.namespace,
                                      self.device, self.role)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where a probe starts or ends: a VM on a host, or outside (host None)."""

    name: str
    host: str
    address: str

    def __str__(self):
        return '%s (%s)' % (self.name, self.address)


@dataclasses.dataclass(frozen=True)
class Expectation:
    """What a test expects of one point; problem() says how it was not met.

    SEEN: icmp_type (with src, dst, direction when given) seen at point;
    NOT_FORWARDED: icmp_type never sent out of point; UNTOUCHED: none of
    the probe at point.
    """

    kind: str
    point: Point
    icmp_type: str = None
    src: str = None
    dst: str = None
    direction: str = None

    def __str__(self):
        if self.kind == SEEN:
            return 'the %s %s > %s %sat %s' % (
                self.icmp_type, self.src or '*', self.dst or '*',
                'going %s ' % self.direction if self.direction else '',
                self.point)
        if self.kind == NOT_FORWARDED:
            return 'no %s sent out of %s' % (self.icmp_type, self.point)
        return 'none of the probe packets at %s' % (self.point,)

    def problem(self, observations):
        """Why observations do not meet this expectation, or None."""
        if self.kind == SEEN:
            if observations.count(self.point, self.icmp_type, src=self.src,
                                  dst=self.dst, direction=self.direction):
                return None
            return 'expected %s; not seen there.' % self
        if self.kind == NOT_FORWARDED:
            unread = observations.direction_unread(self.point,
                                                   self.icmp_type)
            if unread:
                return 'expected %s; cannot tell: %s.' % (self, unread)
            sent = observations.matching(self.point, self.icmp_type,
                                         direction=OUT)
            if sent:
                return 'expected %s; it sent %d.' % (self, len(sent))
            return None
        found = observations.any_probe_packets(self.point)
        if found:
            return 'expected %s (off the path); found %d.' % (self, found)
        return None


def seen(point, icmp_type, src=None, dst=None, direction=None):
    return Expectation(SEEN, point, icmp_type, src, dst, direction)


def not_forwarded(point, icmp_type):
    return Expectation(NOT_FORWARDED, point, icmp_type)


def untouched(point):
    return Expectation(UNTOUCHED, point)


class PathTrace(object):
    """Captures of one Probe at several points, started before a burst."""

    def __init__(self, points, probe, host_client, max_packets):
        self.points = list(points)
        self.probe = probe
        self._host_client = host_client
        self._max_packets = max_packets
        self._captures = {}

    def start(self, add_cleanup):
        """Start every capture; each is stopped by add_cleanup if need be."""
        for point in self.points:
            trace = capture.Capture(self._host_client(point.host),
                                    point.namespace, point.device,
                                    bpf_filter=self.probe.bpf_filter(),
                                    count=self._max_packets)
            add_cleanup(trace.stop)
            trace.start()
            self._captures[point] = trace
        return self

    def stop(self):
        """Stop every capture; return the Observations."""
        pcaps = {point: trace.stop()
                 for point, trace in self._captures.items()}
        packets = {point: (capture.parse_pcap(pcaps[point], trace.device_mac)
                           if pcaps[point] else [])
                   for point, trace in self._captures.items()}
        return Observations(self.points, self.probe, packets, pcaps)


class Observations(object):
    """The probe's ICMP packets at each point, and the pcaps they came from.

    The test fills in what it knows for the hop list and the picture:
    path_order (icmp_type -> the points in the order that type should
    travel them), source and destination (Endpoints of the request),
    answered (replies the ping got), and check()s its Expectations, which
    are kept with their problems.
    """

    def __init__(self, points, probe, packets, pcaps=None):
        self.points = points
        self.probe = probe
        self.packets = packets
        self.pcaps = pcaps or {}
        self.path_order = {}
        self.source = None
        self.destination = None
        self.answered = 0       # replies the traced ping got
        self.verdicts = []

    def check(self, expectations):
        """Record each Expectation's problem (None when met); the problems."""
        found = []
        for expectation in expectations:
            problem = expectation.problem(self)
            self.verdicts.append((expectation, problem))
            if problem:
                found.append(problem)
        return found

    def problems_at(self, point):
        return [problem for expectation, problem in self.verdicts
                if problem and expectation.point == point]

    def matching(self, point, icmp_type, src=None, dst=None,
                 direction=None):
        """Packets at point of icmp_type (and src, dst, direction)."""
        return [packet for packet in self.packets.get(point, ())
                if packet.icmp_type == icmp_type
                and (src is None or packet.src == src)
                and (dst is None or packet.dst == dst)
                and (direction is None or packet.direction == direction)]

    def count(self, point, icmp_type, **kwargs):
        return len(self.matching(point, icmp_type, **kwargs))

    def undirected(self, point, icmp_type):
        """Packets at point of icmp_type whose direction could not be read.

        A filter on direction cannot tell what these did: without the
        link-layer header (or the device's MAC) IN and OUT look alike.
        """
        return [packet for packet in self.packets.get(point, ())
                if packet.icmp_type == icmp_type and packet.direction is None]

    def direction_unread(self, point, icmp_type):
        """Why point cannot say which way icmp_type went, or None."""
        found = self.undirected(point, icmp_type)
        if not found:
            return None
        return ('the direction of %d %s packet(s) could not be read at %s '
                '(no link-layer header, or the device MAC unknown)' % (
                    len(found), icmp_type, point))

    def any_probe_packets(self, point):
        return len(self.packets.get(point, ()))

    def ordered_points(self, icmp_type):
        """path_order[icmp_type] first, then the other points as given."""
        first = list(self.path_order.get(icmp_type, ()))
        return first + [point for point in self.points if point not in first]

    def hop_list(self, icmp_type):
        """Points that saw icmp_type, in path order, then those that did not.

        Path order is path_order[icmp_type] when the test set it (the path
        DVR promises), else the order the points were given in.
        """
        seen, unseen = [], []
        for point in self.ordered_points(icmp_type):
            found = self.matching(point, icmp_type)
            if not found:
                unseen.append(str(point))
                continue
            directions = sorted({p.direction or 'direction unread'
                                 for p in found})
            addresses = sorted({'%s > %s' % (p.src, p.dst) for p in found})
            seen.append('%d. %s: %d packet(s), %s, %s' % (
                len(seen) + 1, point, len(found), '/'.join(directions),
                ', '.join(addresses)))
        lines = ['%s (%s):' % (icmp_type, self.probe)]
        lines += ['  ' + line for line in seen] or ['  seen nowhere']
        if unseen:
            lines.append('  not seen at:')
            lines += ['    ' + line for line in unseen]
        return '\n'.join(lines)

    def hop_lists(self):
        return '\n\n'.join(self.hop_list(t) for t in (REQUEST, REPLY))

    def seen_hops(self, icmp_type):
        """The points that saw icmp_type, in hop list order."""
        return [point for point in self.ordered_points(icmp_type)
                if self.matching(point, icmp_type)]

    def raw_text(self):
        sections = []
        for point in self.points:
            lines = [pcap_reader.describe(packet)
                     for packet in self.packets.get(point, ())]
            sections.append('== %s\n%s' % (
                point, '\n'.join(lines) or '(no packets)'))
        return '\n\n'.join(sections)
