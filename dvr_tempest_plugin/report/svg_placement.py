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

"""The article's table of namespaces and devices per host, as a picture.

One box per host: on the left what the host showed (each namespace the
test looked for, its devices with state and addresses), on the right
what the API says should be there (devices with their roles and
addresses, or the namespace's absence). What disagrees is red: a
namespace missing or present against the API, a device missing or
lacking its address. Devices the API does not name are grey.
"""

from dvr_tempest_plugin.report import svg

WIDTH = 1000
MARGIN = 20
PAD = 14
LINE = 14
TITLE = 24
HOST_GAP = 16
COLUMN = (WIDTH - 2 * MARGIN) / 2.0


def _ips(view, device):
    return [address.split('/')[0] for address in view.addresses(device)]


def found_lines(check):
    """[(text, colour, class)] of what the host showed for one check."""
    view = check.found
    if not view.exists:
        return [(check.namespace, svg.RED if check.wanted else svg.UNSEEN_INK,
                 'namespace absent%s' % (' wrong' if check.wanted else '')),
                ('  (no such namespace)', svg.RED if check.wanted
                 else svg.UNSEEN_INK, 'note')]
    if not check.wanted:
        return [(check.namespace, svg.RED, 'namespace present wrong'),
                ('  present, the API puts it elsewhere', svg.RED, 'note')]
    lines = [(check.namespace, svg.INK, 'namespace present')]
    for name in sorted(view.devices):
        info = view.devices[name]
        known = name in check.expected
        lines.append(('  %-14s %-7s %s' % (
            name, info.get('state') or '?',
            ' '.join(info.get('addresses') or ()) or '-'),
            svg.INK if known else svg.UNSEEN_INK,
            'device found%s' % ('' if known else ' extra')))
    return lines


def api_lines(check):
    """[(text, colour, class)] of what the API says for one check."""
    view = check.found
    if not check.wanted:
        return [('no %s' % check.namespace,
                 svg.RED if view.exists else svg.INK, 'namespace unwanted')]
    lines = [(check.namespace, svg.RED if not view.exists else svg.INK,
              'namespace wanted')]
    for name, device in sorted(check.expected.items()):
        present = view.exists and name in view.devices
        address_ok = not device.address or device.address in _ips(view, name)
        wrong = not (present and address_ok)
        suffix = ''
        if view.exists and not present:
            suffix = '  MISSING'
        elif present and not address_ok:
            suffix = '  lacks its address'
        lines.append(('  %-14s %s%s%s' % (
            name, device.role,
            ' %s' % device.address if device.address else '', suffix),
            svg.RED if wrong else svg.INK,
            'device expected%s' % (' wrong' if wrong else '')))
    return lines


def draw(placement, title):
    """The SVG text of a placement.Placement's picture."""
    hosts = placement.hosts()
    boxes = []
    for host in hosts:
        left, right = [], []
        for check in placement.checks(host):
            left += found_lines(check) + [('', svg.INK, 'gap')]
            right += api_lines(check) + [('', svg.INK, 'gap')]
        boxes.append((host, left, right,
                      TITLE + LINE * max(len(left), len(right)) + PAD))
    problems = placement.problems()
    legend = [('left: what the host showed; right: what the API says; red: '
               'they disagree; grey: not named by the API', svg.INK)]
    legend += [('\u2717 %s' % problem, svg.RED) for problem in problems]
    if not problems:
        legend.append(('host and API agree', svg.REPLY))
    height = (MARGIN + 30 + sum(box[3] + HOST_GAP for box in boxes) +
              LINE * len(legend) + MARGIN)
    drawing = svg.Drawing(WIDTH, height, title)
    drawing.text(None, MARGIN, MARGIN + 6, title, font_size=12,
                 font_weight='bold', fill=svg.INK)
    y = MARGIN + 24
    for host, left, right, box_height in boxes:
        group = drawing.group(class_='host', data_host=host)
        drawing.rect(group, MARGIN, y, WIDTH - 2 * MARGIN, box_height,
                     fill=svg.HOST_FILL, stroke=svg.INK, rx=6)
        drawing.text(group, MARGIN + PAD, y + 17, 'host %s' % host,
                     font_weight='bold', fill=svg.INK)
        drawing.text(group, MARGIN + COLUMN + PAD, y + 17, 'the API says',
                     font_weight='bold', fill=svg.INK)
        drawing.line(group, MARGIN + COLUMN, y + 6, MARGIN + COLUMN,
                     y + box_height - 6, stroke='#cccccc')
        for x, lines in ((MARGIN + PAD, left),
                         (MARGIN + COLUMN + PAD, right)):
            line_y = y + TITLE + LINE
            for text, colour, kind in lines:
                if text:
                    indent = 16 if text.startswith('  ') else 0
                    drawing.text(group, x + indent, line_y, svg.shorten(
                        text.strip(), 72).replace(' ', '\u00a0'),
                        fill=colour, class_=kind)
                line_y += LINE
        y += box_height + HOST_GAP
    y += LINE
    for text, colour in legend:
        drawing.text(None, MARGIN, y, text, fill=colour)
        y += LINE
    return drawing.to_string()
