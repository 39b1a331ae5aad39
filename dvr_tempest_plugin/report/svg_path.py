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

"""The article's figure of one traced probe, drawn from paths.Observations.

One box per host holds the qrouter-, fip- and snat- namespaces the test
captured in, their devices on the edges (tenant side on top: qr-, sg-,
fpr-; outward below: rfp-, qg-, fg-); the VMs sit in their host, the
outside below all hosts. Arrows join the points that saw the probe, in
hop list order: numbered solid ones for the request, dashed ones for the
reply. A device that saw none of the probe is grey; one where an
expectation failed (a hop expected and not seen, or seen and not wanted)
is red, and so is the arrow into it.
"""

import math
import textwrap

from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.report import svg

DEVICE_WIDTH = 100
DEVICE_HEIGHT = 20
DEVICE_GAP = 36
NAMESPACE_HEIGHT = 56
NAMESPACE_GAP = 44
COLUMN_GAP = 28
HOST_PAD = 16
HOST_TITLE = 26
HOST_GAP = 40
VM_HEIGHT = 24
MARGIN = 20
LEGEND_LINE = 14

# Namespace kinds: the column they go in (0 left, 1 right), their row.
_LAYOUT = {naming.QROUTER_NS_PREFIX: (0, 0), naming.FIP_NS_PREFIX: (0, 1),
           naming.SNAT_NS_PREFIX: (1, 0)}
_BOTTOM_EDGE = (naming.ROUTER_2_FIP_DEV_PREFIX, naming.EXTERNAL_DEV_PREFIX,
                naming.FIP_EXT_DEV_PREFIX)
_STYLES = {paths.REQUEST: ('request', svg.REQUEST, None),
           paths.REPLY: ('reply', svg.REPLY, '6,4')}


class _Box(object):
    """A node arrows can join: its centre and half sizes."""

    def __init__(self, x, y, width, height):
        self.x, self.y, self.width, self.height = x, y, width, height

    @property
    def centre(self):
        return self.x + self.width / 2.0, self.y + self.height / 2.0

    def edge_towards(self, x, y):
        """Where the line from the centre to (x, y) leaves the box."""
        cx, cy = self.centre
        dx, dy = x - cx, y - cy
        if not dx and not dy:
            return cx, cy
        scale = min(self.width / 2.0 / abs(dx) if dx else math.inf,
                    self.height / 2.0 / abs(dy) if dy else math.inf)
        return cx + dx * scale, cy + dy * scale


def _layout_key(namespace):
    for prefix, place in _LAYOUT.items():
        if namespace.startswith(prefix):
            return place
    return (0, 2)


def _namespace_width(devices):
    top = [d for d in devices if not d.startswith(_BOTTOM_EDGE)]
    bottom = [d for d in devices if d.startswith(_BOTTOM_EDGE)]
    count = max(1, len(top), len(bottom))
    return count * (DEVICE_WIDTH + DEVICE_GAP) + DEVICE_GAP, top, bottom


class PathPicture(object):
    """Lays out and draws one Observations."""

    def __init__(self, observations, title):
        self.seen = observations
        self.title = title
        self.boxes = {}     # Point or Endpoint -> _Box
        self.endpoints = [e for e in (observations.source,
                                      observations.destination) if e]

    def hosts(self):
        names = []
        for host in ([e.host for e in self.endpoints if e.host] +
                     [point.host for point in self.seen.points]):
            if host not in names:
                names.append(host)
        return names

    def namespaces(self, host):
        """namespace -> its devices (in point order), for one host."""
        found = {}
        for point in self.seen.points:
            if point.host == host:
                found.setdefault(point.namespace, []).append(point.device)
        return found

    # -- layout --------------------------------------------------------------

    def host_size(self, host):
        columns = {0: [], 1: []}
        for namespace, devices in self.namespaces(host).items():
            column, row = _layout_key(namespace)
            columns[column].append((row, namespace, devices))
        widths = {column: max([_namespace_width(d)[0]
                               for _, _, d in entries] or [0])
                  for column, entries in columns.items()}
        vms = [e for e in self.endpoints if e.host == host]
        vm_width = sum(svg.text_width(str(vm)) + 30 for vm in vms)
        inner = widths[0] + (COLUMN_GAP + widths[1] if widths[1] else 0)
        rows = max([len(entries) for entries in columns.values()] or [0])
        height = (HOST_TITLE + (VM_HEIGHT + 34 if vms else 8) +
                  rows * (NAMESPACE_HEIGHT + NAMESPACE_GAP))
        return (max(inner, vm_width, 180) + 2 * HOST_PAD, height, columns,
                widths, vms)

    def draw(self):
        hosts = self.hosts()
        sizes = {host: self.host_size(host) for host in hosts}
        hosts_width = (sum(size[0] for size in sizes.values()) +
                       HOST_GAP * max(0, len(hosts) - 1))
        host_height = max([size[1] for size in sizes.values()] or [0])
        outside = [e for e in self.endpoints if not e.host]
        top = MARGIN + 24
        outside_y = top + host_height + 40
        legend = self.legend_lines()
        width = max(hosts_width + 2 * MARGIN, 760,
                    max(svg.text_width(line) for line, _ in legend) +
                    2 * MARGIN)
        height = (outside_y + (VM_HEIGHT + 40 if outside else 0) +
                  LEGEND_LINE * len(legend) + MARGIN)
        drawing = svg.Drawing(width, height, self.title)
        drawing.text(None, MARGIN, MARGIN + 6, self.title, font_size=12,
                     font_weight='bold', fill=svg.INK)
        x = MARGIN + (width - 2 * MARGIN - hosts_width) / 2.0
        for host in hosts:
            self.draw_host(drawing, host, x, top, sizes[host], host_height)
            x += sizes[host][0] + HOST_GAP
        x = (width - sum(svg.text_width(str(e)) + 40 for e in outside)) / 2.0
        for endpoint in outside:
            self.draw_endpoint(drawing, endpoint, x, outside_y)
            x += svg.text_width(str(endpoint)) + 40
        for icmp_type in (paths.REQUEST, paths.REPLY):
            self.draw_hops(drawing, icmp_type)
        y = height - MARGIN - LEGEND_LINE * (len(legend) - 1)
        for line, colour in legend:
            drawing.text(None, MARGIN, y, line, fill=colour)
            y += LEGEND_LINE
        return drawing.to_string()

    def draw_host(self, drawing, host, x, y, size, height):
        width, _, columns, widths, vms = size
        group = drawing.group(class_='host', data_host=host)
        drawing.rect(group, x, y, width, height, fill=svg.HOST_FILL,
                     stroke=svg.INK, rx=6)
        drawing.text(group, x + HOST_PAD, y + 17, 'host %s' % host,
                     font_weight='bold', fill=svg.INK)
        cursor = y + HOST_TITLE
        vm_x = x + HOST_PAD
        for vm in vms:
            self.draw_endpoint(drawing, vm, vm_x, cursor + 4)
            vm_x += svg.text_width(str(vm)) + 30
        cursor += VM_HEIGHT + 34 if vms else 8
        column_x = {0: x + HOST_PAD,
                    1: x + HOST_PAD + widths[0] + COLUMN_GAP}
        for column, entries in columns.items():
            for index, (_, namespace, devices) in enumerate(sorted(entries)):
                self.draw_namespace(
                    drawing, group, host, namespace, devices,
                    column_x[column], cursor + DEVICE_HEIGHT / 2.0 +
                    index * (NAMESPACE_HEIGHT + NAMESPACE_GAP),
                    widths[column])

    def draw_endpoint(self, drawing, endpoint, x, y):
        label = str(endpoint)
        width = svg.text_width(label) + 20
        group = drawing.group(class_='endpoint', data_endpoint=endpoint.name)
        drawing.rect(group, x, y, width, VM_HEIGHT, fill=svg.PAPER,
                     stroke=svg.INK, rx=12)
        drawing.text(group, x + 10, y + 16, label, fill=svg.INK)
        self.boxes[endpoint] = _Box(x, y, width, VM_HEIGHT)

    def draw_namespace(self, drawing, parent, host, namespace, devices, x, y,
                       width):
        group = drawing.group(parent, class_='namespace',
                              data_namespace=namespace)
        drawing.rect(group, x, y, width, NAMESPACE_HEIGHT,
                     fill=svg.NAMESPACE_FILL, stroke=svg.INK, rx=4)
        drawing.text(group, x + width / 2.0, y + NAMESPACE_HEIGHT / 2.0 + 4,
                     svg.shorten(namespace, 26), fill=svg.INK,
                     text_anchor='middle')
        _, top, bottom = _namespace_width(devices)
        for edge_y, edge in ((y, top), (y + NAMESPACE_HEIGHT, bottom)):
            for index, device in enumerate(edge):
                point = next(p for p in self.seen.points
                             if (p.host, p.namespace, p.device) ==
                             (host, namespace, device))
                self.draw_device(drawing, group, point,
                                 x + DEVICE_GAP +
                                 index * (DEVICE_WIDTH + DEVICE_GAP),
                                 edge_y - DEVICE_HEIGHT / 2.0)

    def device_state(self, point):
        if self.seen.problems_at(point):
            return 'wrong', svg.RED_FILL, svg.RED, svg.RED
        if not self.seen.any_probe_packets(point):
            return 'unseen', svg.UNSEEN_FILL, svg.UNSEEN_INK, svg.UNSEEN_INK
        return 'seen', svg.PAPER, svg.INK, svg.INK

    def draw_device(self, drawing, parent, point, x, y):
        state, fill, stroke, ink = self.device_state(point)
        group = drawing.group(parent, class_='device %s' % state,
                              data_point=str(point))
        drawing.rect(group, x, y, DEVICE_WIDTH, DEVICE_HEIGHT, fill=fill,
                     stroke=stroke, stroke_width=2 if state == 'wrong' else 1,
                     rx=3)
        drawing.text(group, x + DEVICE_WIDTH / 2.0, y + 14, point.device,
                     fill=ink, text_anchor='middle')
        counts = ', '.join('%d %s' % (self.seen.count(point, icmp_type),
                                      icmp_type)
                           for icmp_type in (paths.REQUEST, paths.REPLY))
        drawing.tooltip(group, '\n'.join(
            ['%s: %s' % (point, counts)] + self.seen.problems_at(point)))
        self.boxes[point] = _Box(x, y, DEVICE_WIDTH, DEVICE_HEIGHT)

    # -- hops ----------------------------------------------------------------

    def chain(self, icmp_type):
        """[(node, number or None)] the icmp_type travelled, in order.

        The hops are the points that saw it; the endpoint it left from
        comes first once a hop saw it, the one it reached last only when
        the ping was answered (so it did get there).
        """
        hops = self.seen.seen_hops(icmp_type)
        start, end = self.seen.source, self.seen.destination
        if icmp_type == paths.REPLY:
            start, end = end, start
        nodes = [(point, number) for number, point in enumerate(hops, 1)]
        if hops and start:
            nodes.insert(0, (start, None))
        if hops and end and self.seen.answered:
            nodes.append((end, None))
        return nodes

    def draw_hops(self, drawing, icmp_type):
        name, colour, dashes = _STYLES[icmp_type]
        nodes = self.chain(icmp_type)
        # The same side of each arrow's own direction: a reply going back
        # along a request's hop is drawn beside it, not on it.
        offset = -6
        for (origin, _), (target, number) in zip(nodes, nodes[1:]):
            wrong = (isinstance(target, paths.Point) and
                     self.seen.problems_at(target))
            ink = svg.RED if wrong else colour
            group = drawing.group(
                class_='hop %s%s' % (name, ' wrong' if wrong else ''),
                data_hop=number or '', data_to=str(target))
            self.draw_arrow(drawing, group, self.boxes[origin],
                            self.boxes[target], offset, ink, dashes,
                            'red' if wrong else name, number)

    @staticmethod
    def draw_arrow(drawing, group, origin, target, offset, ink, dashes,
                   marker, number):
        (ox, oy), (tx, ty) = origin.centre, target.centre
        length = math.hypot(tx - ox, ty - oy) or 1.0
        nx, ny = -(ty - oy) / length * offset, (tx - ox) / length * offset
        x1, y1 = origin.edge_towards(tx, ty)
        x2, y2 = target.edge_towards(ox, oy)
        drawing.line(group, x1 + nx, y1 + ny, x2 + nx, y2 + ny, stroke=ink,
                     stroke_width=2, stroke_dasharray=dashes,
                     marker_end='url(#arrow-%s)' % marker)
        if number:
            mx, my = x1 + (x2 - x1) * 0.35 + nx, y1 + (y2 - y1) * 0.35 + ny
            drawing.add(group, 'circle', cx=round(mx, 1), cy=round(my, 1),
                        r=8, fill=svg.PAPER, stroke=ink)
            drawing.text(group, mx, my + 3.5, number, fill=ink,
                         text_anchor='middle', font_weight='bold')

    # -- legend --------------------------------------------------------------

    def legend_lines(self):
        lines = [('probe: %s' % self.seen.probe, svg.INK),
                 ('numbered solid arrows: the echo request, in hop list '
                  'order; dashed: the echo reply', svg.INK),
                 ('grey device: saw none of the probe; red: an expectation '
                  'failed there', svg.UNSEEN_INK)]
        problems = [problem for _, problem in self.seen.verdicts if problem]
        if not self.seen.verdicts:
            lines.append(('no expectation was checked', svg.UNSEEN_INK))
        elif not problems:
            lines.append(('all %d expectations met' %
                          len(self.seen.verdicts), svg.REPLY))
        for problem in problems:
            for index, line in enumerate(textwrap.wrap(problem, 140)):
                lines.append(('%s %s' % ('\u2717' if not index else ' ',
                                         line), svg.RED))
        return lines


def draw(observations, title):
    """The SVG text of observations' picture."""
    return PathPicture(observations, title).draw()
