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

import xml.etree.ElementTree as etree

from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import timeline
from dvr_tempest_plugin.report import svg
from dvr_tempest_plugin.report import svg_timeline
from dvr_tempest_plugin.tests.unit import base

NS = {'svg': svg.SVG_NS}


class Clock(object):

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def burst(started, count, lost=()):
    """A PingResult of count probes (iputils numbering) but the lost ones."""
    return started, probes.PingResult(
        'tester', '172.24.4.10', count, count - len(lost),
        frozenset(i + 1 for i in range(count) if i not in lost))


def recorded():
    """A kill at t+0, dead in the API at t+12, back at t+30, settled."""
    clock = Clock()
    marks = timeline.Timeline(clock, lambda: 1.7e9 + clock.now)
    for at, kind, what in (
            (1000, timeline.DISRUPTED, 'kill l3 agent on cpnw1'),
            (1012, timeline.DEAD_IN_API, 'API reports it dead'),
            (1013, timeline.SNAT_MOVED, 'API: SNAT bound to cpnw2'),
            (1030, timeline.RESTORING, 'starting the l3 agent again'),
            (1040, timeline.SETTLED, 'l3 agent of cpnw1 settled')):
        clock.now = at
        marks.mark(what, kind)
    # 5 s bursts of 25 probes from t-5 on; the SNAT probe loses 4 s.
    snat = probes.ProbeReport('vm3 -> outside (SNAT)', [
        burst(995 + 5 * i, 25, range(5, 25) if i == 3 else ())
        for i in range(9)])
    fip = probes.ProbeReport('tester -> vm1 floating IP', [
        burst(995.1 + 5 * i, 25) for i in range(9)])
    return marks, [snat, fip]


class TestTimeline(base.TestCase):

    def test_marks_keep_both_clocks(self):
        marks, _ = recorded()
        event = marks.first(timeline.DEAD_IN_API)
        self.assertEqual((1012, 1.7e9 + 1012),
                         (event.monotonic, event.wall))
        self.assertIsNone(marks.first(timeline.RECOVERED))
        self.assertEqual('t+  12.0 s  22:30:12.000Z  API reports it dead',
                         marks.text().splitlines()[1])

    def test_unknown_kind(self):
        self.assertRaises(ValueError, timeline.Timeline().mark, 'x', 'boom')

    def test_mark_returns_the_monotonic_time(self):
        clock = Clock(5.0)
        self.assertEqual(5.0, timeline.Timeline(clock).mark('now'))

    def test_a_mark_at_an_earlier_moment_goes_in_time_order(self):
        clock = Clock(10.0)
        marks = timeline.Timeline(clock, lambda: 1.7e9 + clock.now)
        marks.mark('first')
        clock.now = 20.0
        marks.mark('last')
        self.assertEqual(12.0, marks.mark('between', at=12.0))
        self.assertEqual(['first', 'between', 'last'],
                         [e.what for e in marks.events])
        self.assertEqual(1.7e9 + 12.0, marks.events[1].wall)


class TestTimelinePicture(base.TestCase):

    def draw(self):
        marks, reports = recorded()
        return etree.fromstring(svg_timeline.draw(
            marks, reports, 'test_snat_when_snat_host_l3_agent_dies', 1.0))

    def test_one_lane_per_probe_with_runs(self):
        root = self.draw()
        lanes = [g for g in root.iter('{%s}g' % svg.SVG_NS)
                 if g.get('class') == 'lane']
        self.assertEqual(['vm3 -> outside (SNAT)',
                          'tester -> vm1 floating IP'],
                         [g.get('data-probe') for g in lanes])
        snat_runs = [(rect.get('class'), rect.get('fill'))
                     for rect in lanes[0].findall('svg:rect', NS)
                     if rect.get('class')]
        self.assertEqual([('answered', svg.ANSWERED), ('lost', svg.LOST),
                          ('answered', svg.ANSWERED)], snat_runs)
        self.assertEqual(['answered'], [
            rect.get('class') for rect in lanes[1].findall('svg:rect', NS)
            if rect.get('class')])

    def test_outage_figures_are_written(self):
        root = self.draw()
        texts = {(t.get('class'), t.text) for t in root.iter(
            '{%s}text' % svg.SVG_NS)}
        self.assertIn(('outage', '4.0 s'), texts)
        self.assertIn(('figures', '225 sent, 20 lost, longest outage 4.0 s'),
                      texts)
        self.assertIn(('figures', '225 sent, 0 lost'), texts)

    def test_events_are_marked_in_order(self):
        root = self.draw()
        events = [g.get('data-kind') for g in root.iter('{%s}g' % svg.SVG_NS)
                  if g.get('class') == 'event']
        self.assertEqual([timeline.DISRUPTED, timeline.DEAD_IN_API,
                          timeline.SNAT_MOVED, timeline.RESTORING,
                          timeline.SETTLED], events)
        text = etree.tostring(root, encoding='unicode')
        self.assertIn('t+12.0 s, dead in API: API reports it dead', text)

    def test_runs_merge_consecutive_outcomes(self):
        self.assertEqual(
            [(0.0, 0.4, True), (0.4, 0.6000000000000001, False)],
            svg_timeline.runs([(0.0, True), (0.2, True), (0.4, False)]))
