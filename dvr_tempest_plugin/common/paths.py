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
way" and render the hop list and the raw captures attached to the test.
"""

import dataclasses

from dvr_tempest_plugin.common import capture

REQUEST = 'echo request'
REPLY = 'echo reply'
IN = capture.IN
OUT = capture.OUT


@dataclasses.dataclass(frozen=True)
class Point:
    host: str
    namespace: str
    device: str
    role: str

    def __str__(self):
        return '%s / %s / %s (%s)' % (self.host, self.namespace,
                                      self.device, self.role)


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
        raw = {point: trace.stop()
               for point, trace in self._captures.items()}
        packets = {point: capture.parse_icmp(raw[point], trace.device_mac)
                   for point, trace in self._captures.items()}
        return Observations(self.points, self.probe, packets, raw)


class Observations(object):

    def __init__(self, points, probe, packets, raw):
        self.points = points
        self.probe = probe
        self.packets = packets
        self.raw = raw
        # icmp_type -> points in the order that type should travel them.
        self.path_order = {}

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

    def raw_text(self):
        sections = []
        for point in self.points:
            text = self.raw.get(point, '').strip() or '(no packets)'
            sections.append('== %s\n%s' % (point, text))
        return '\n\n'.join(sections)
