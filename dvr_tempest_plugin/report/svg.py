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

"""A few SVG shapes built with xml.etree, and the colours of the pictures.

Every picture is self-contained: colours and fonts are attributes, no
stylesheet, no external reference, so it shows the same as a testtools
detail, a file, or inline in the report page.
"""

import xml.etree.ElementTree as etree

SVG_NS = 'http://www.w3.org/2000/svg'
CONTENT_TYPE = 'image/svg+xml'

INK = '#333333'
PAPER = '#ffffff'
REQUEST = '#1f5fbf'
REPLY = '#2a8a2a'
UNSEEN_FILL = '#d9d9d9'
UNSEEN_INK = '#888888'
RED = '#d62728'
RED_FILL = '#f8d0d0'
ANSWERED = '#2a8a2a'
LOST = '#d62728'
HOST_FILL = '#f4f4f4'
NAMESPACE_FILL = '#fbfbe8'
FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace'
CHAR_WIDTH = 6.2    # of FONT at 10 px, to size boxes around text


def _attributes(attrs):
    """Python keyword names to SVG attribute names (stroke_width: ...)."""
    return {key.rstrip('_').replace('_', '-'): str(value)
            for key, value in attrs.items() if value is not None}


class Drawing(object):
    """An <svg> root with helpers that append shapes to it or to a group."""

    def __init__(self, width, height, title):
        self.root = etree.Element('svg', _attributes(dict(
            xmlns=SVG_NS, width=int(width), height=int(height),
            viewBox='0 0 %d %d' % (width, height), font_family=FONT,
            font_size=10)))
        etree.SubElement(self.root, 'title').text = title
        self.root.append(self._markers())
        etree.SubElement(self.root, 'rect', _attributes(dict(
            x=0, y=0, width=int(width), height=int(height), fill=PAPER)))

    @staticmethod
    def _markers():
        defs = etree.Element('defs')
        for name, colour in (('request', REQUEST), ('reply', REPLY),
                             ('red', RED), ('ink', INK)):
            marker = etree.SubElement(defs, 'marker', _attributes(dict(
                id='arrow-%s' % name, viewBox='0 0 10 10', refX=9, refY=5,
                markerWidth=7, markerHeight=7, orient='auto')))
            etree.SubElement(marker, 'path', _attributes(dict(
                d='M0,0 L10,5 L0,10 z', fill=colour)))
        return defs

    def group(self, parent=None, **attrs):
        return etree.SubElement(self.root if parent is None else parent, 'g',
                                _attributes(attrs))

    def add(self, parent, tag, text=None, **attrs):
        element = etree.SubElement(self.root if parent is None else parent,
                                   tag, _attributes(attrs))
        if text is not None:
            element.text = str(text)
        return element

    def rect(self, parent, x, y, width, height, **attrs):
        return self.add(parent, 'rect', x=round(x, 1), y=round(y, 1),
                        width=round(width, 1), height=round(height, 1),
                        **attrs)

    def text(self, parent, x, y, text, **attrs):
        return self.add(parent, 'text', text, x=round(x, 1), y=round(y, 1),
                        **attrs)

    def line(self, parent, x1, y1, x2, y2, **attrs):
        return self.add(parent, 'line', x1=round(x1, 1), y1=round(y1, 1),
                        x2=round(x2, 1), y2=round(y2, 1), **attrs)

    def tooltip(self, element, text):
        self.add(element, 'title', text)

    def to_string(self):
        return etree.tostring(self.root, encoding='unicode')


def text_width(text, size=10):
    return len(text) * CHAR_WIDTH * size / 10.0


def shorten(text, length):
    return text if len(text) <= length else text[:length - 1] + '\u2026'
