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

"""One self-contained HTML page for a run: statuses, messages, pictures.

The SVG pictures of the details are put inline, after dropping anything
that could run or load (scripts, event attributes, outside links); the
text details fold under each test; binary captures are linked to the
files written next to the page.
"""

import html
import xml.etree.ElementTree as etree

from defusedxml import ElementTree as safe_etree

from dvr_tempest_plugin.report import artifacts
from dvr_tempest_plugin.report import svg

STATUS_ORDER = ('fail', 'uxsuccess', 'inprogress', 'success', 'xfail',
                'skip')
STATUS_WORDS = {'success': 'passed', 'fail': 'failed', 'skip': 'skipped',
                'xfail': 'expected failure',
                'uxsuccess': 'unexpected success',
                'inprogress': 'did not finish'}
STATUS_COLOURS = {'success': '#2a8a2a', 'fail': '#d62728',
                  'skip': '#888888', 'xfail': '#2a8a2a',
                  'uxsuccess': '#d62728', 'inprogress': '#d62728'}
PICTURE_ORDER = ('path.svg', 'timeline.svg', 'placement.svg')
NOT_SHOWN_AS_TEXT = ('traceback', 'reason')
_FORBIDDEN_TAGS = ('script', 'foreignObject', 'iframe', 'image', 'use')
STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto;
      font-size: 12px; }
.status { color: #fff; padding: .1em .5em; border-radius: .3em;
          font-size: 90%; }
section { border-top: 1px solid #ccc; margin-top: 1.5em; }
.picture { overflow-x: auto; margin: .8em 0; }
td { padding: .1em .8em .1em 0; }
"""

etree.register_namespace('', svg.SVG_NS)


def _escape(text):
    return html.escape(text, quote=True)


def clean_svg(text):
    """The <svg> of text without anything that runs or loads; None if bad."""
    try:
        root = safe_etree.fromstring(text)
    except Exception:   # defusedxml raises several kinds; all mean "bad"
        return None
    if root.tag.rsplit('}', 1)[-1] != 'svg':
        return None
    for parent in root.iter():
        for child in list(parent):
            if child.tag.rsplit('}', 1)[-1] in _FORBIDDEN_TAGS:
                parent.remove(child)
        for name in list(parent.attrib):
            local = name.rsplit('}', 1)[-1].lower()
            value = parent.attrib[name].strip().lower()
            if local.startswith('on') or (
                    local == 'href' and not value.startswith('#')) or (
                    'url(' in value and not value.startswith('url(#')):
                del parent.attrib[name]
    return etree.tostring(root, encoding='unicode')


def _status(record):
    return '<span class="status" style="background:%s">%s</span>' % (
        STATUS_COLOURS.get(record.status, '#888888'),
        _escape(STATUS_WORDS.get(record.status, record.status)))


def _anchor(record):
    return 'test-' + artifacts.safe_name(record.name)


def _pictures(record):
    names = [n for n in PICTURE_ORDER if n in record.details]
    names += sorted(n for n, d in record.details.items()
                    if artifacts.is_svg(d) and n not in names)
    parts = []
    for name in names:
        picture = clean_svg(b''.join(record.details[name].iter_bytes()))
        if picture is None:
            parts.append('<p>%s: not a picture that can be shown</p>' %
                         _escape(name))
        else:
            parts.append('<div class="picture" data-detail="%s">%s</div>' %
                         (_escape(name), picture))
    return parts


def _text_details(record):
    parts = []
    for name, detail in sorted(record.details.items()):
        if name in NOT_SHOWN_AS_TEXT or detail.content_type.type != 'text':
            continue
        parts.append('<details><summary>%s</summary><pre>%s</pre>'
                     '</details>' % (_escape(name),
                                     _escape(detail.as_text())))
    return parts


def _files(record, links):
    found = sorted((name, href) for (test_id, name), href in links.items()
                   if test_id == record.test_id)
    if not found:
        return []
    return ['<p>Raw captures: %s</p>' % ', '.join(
        '<a href="%s">%s</a>' % (_escape(href), _escape(name))
        for name, href in found)]


def _test_section(record, links):
    seconds = record.seconds
    parts = ['<section id="%s">' % _anchor(record),
             '<h2>%s %s</h2>' % (_status(record), _escape(record.name)),
             '<p>%s%s</p>' % (_escape(record.test_id),
                              ' &middot; %.1f s' % seconds
                              if seconds is not None else '')]
    if record.message:
        parts.append('<pre class="message">%s</pre>' %
                     _escape(record.message))
    parts += _pictures(record) + _files(record, links)
    parts += _text_details(record)
    parts.append('</section>')
    return '\n'.join(parts)


def _sort_key(record):
    rank = (STATUS_ORDER.index(record.status)
            if record.status in STATUS_ORDER else 0)
    return rank, record.name


def render(records, title, where, links=None):
    """The HTML page of records (results.TestRecord).

    links maps (test id, detail name) to the href of a file written for
    that detail.
    """
    links = links or {}
    ordered = sorted(records, key=_sort_key)
    counts = {}
    for record in records:
        counts[record.status] = counts.get(record.status, 0) + 1
    summary = ', '.join('%d %s' % (counts[s], STATUS_WORDS.get(s, s))
                        for s in STATUS_ORDER if s in counts) or 'no test'
    rows = ''.join(
        '<tr><td>%s</td><td><a href="#%s">%s</a></td></tr>' % (
            _status(record), _anchor(record), _escape(record.name))
        for record in ordered)
    body = '\n'.join(_test_section(record, links) for record in ordered)
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>%(title)s</title><style>%(style)s</style></head>\n'
            '<body><h1>%(title)s</h1><p>%(where)s: %(summary)s</p>\n'
            '<table>%(rows)s</table>\n%(body)s\n</body></html>\n' % {
                'title': _escape(title), 'style': STYLE,
                'where': _escape(where), 'summary': _escape(summary),
                'rows': rows, 'body': body})
