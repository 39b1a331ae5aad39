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

"""A disruption's timeline: one lane per continuous probe, and its events.

Each lane shows the probes of one probes.ProbeReport in time, answered
green and lost red, with its figures (sent, lost, longest outage) beside
it and the length of every outage over the allowed blip above it. The
events of a timeline.Timeline are vertical lines across all lanes,
labelled with their kind; the list under the lanes gives each one's time
and words. Times are seconds from the timeline's start.
"""

from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import timeline as timeline_mod
from dvr_tempest_plugin.report import svg

WIDTH = 1100
LABEL_WIDTH = 300
MARGIN = 20
LANE_HEIGHT = 44
BAR_HEIGHT = 14
EVENT_ROWS = 3
EVENT_ROW_HEIGHT = 13
LINE = 14
TICK_STEPS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200)
EVENT_COLOURS = {
    timeline_mod.DISRUPTED: '#d62728',
    timeline_mod.DEAD_IN_API: '#ff7f0e',
    timeline_mod.RESTORING: '#1f5fbf',
    timeline_mod.ALIVE_IN_API: '#17becf',
    timeline_mod.SETTLED: '#7f7f7f',
    timeline_mod.SNAT_MOVED: '#9467bd',
    timeline_mod.RECOVERED: '#2a8a2a',
    timeline_mod.HA_FLIPPED: '#e377c2',
    timeline_mod.ADDRESSES_MOVED: '#8c564b',
    timeline_mod.PROBES_STOPPED: '#333333',
    timeline_mod.NOTE: '#aaaaaa',
}


def runs(outcomes):
    """[(start, end, answered)] of consecutive probes with one outcome."""
    found = []
    for when, answered in outcomes:
        end = when + probes.INTERVAL
        if found and found[-1][2] == answered and (
                when - found[-1][1] < probes.INTERVAL):
            found[-1] = (found[-1][0], end, answered)
        else:
            found.append((when, end, answered))
    return found


def figures(report):
    longest = report.longest_outage()
    text = '%d sent, %d lost' % (report.sent, report.lost)
    if longest:
        text += ', longest outage %.1f s%s' % (
            longest[1], '' if longest[2] else ' (not recovered)')
    return text


class TimelinePicture(object):

    def __init__(self, timeline, reports, title, max_blip=None):
        self.timeline = timeline
        self.reports = reports
        self.title = title
        self.max_blip = max_blip
        times = [timeline.start] + [e.monotonic for e in timeline.events]
        for report in reports:
            times += [when for when, _ in report.probe_outcomes()]
            times += [when + probes.INTERVAL
                      for when, _ in report.probe_outcomes()[-1:]]
        self.t0, self.t1 = min(times), max(times)
        if self.t1 - self.t0 < 1:
            self.t1 = self.t0 + 1
        self.plot_x = MARGIN + LABEL_WIDTH
        self.plot_width = WIDTH - self.plot_x - MARGIN

    def x(self, when):
        return self.plot_x + (when - self.t0) / (self.t1 - self.t0) * (
            self.plot_width)

    def relative(self, when):
        return when - self.timeline.start

    def draw(self):
        events_top = MARGIN + 30
        lanes_top = events_top + EVENT_ROWS * EVENT_ROW_HEIGHT + 10
        lanes_bottom = lanes_top + LANE_HEIGHT * len(self.reports)
        legend = self.legend_lines()
        height = lanes_bottom + 30 + LINE * len(legend) + MARGIN
        drawing = svg.Drawing(WIDTH, height, self.title)
        drawing.text(None, MARGIN, MARGIN + 6, self.title, font_size=12,
                     font_weight='bold', fill=svg.INK)
        for index, report in enumerate(self.reports):
            self.draw_lane(drawing, report, lanes_top + index * LANE_HEIGHT)
        self.draw_axis(drawing, lanes_bottom)
        self.draw_events(drawing, events_top, lanes_top, lanes_bottom)
        y = lanes_bottom + 30 + LINE
        for line, colour in legend:
            drawing.text(None, MARGIN, y, line, fill=colour)
            y += LINE
        return drawing.to_string()

    def draw_lane(self, drawing, report, top):
        lane = drawing.group(class_='lane', data_probe=report.name)
        bar_y = top + (LANE_HEIGHT - BAR_HEIGHT) / 2.0 + 4
        drawing.text(lane, MARGIN, bar_y + 4, svg.shorten(report.name, 48),
                     fill=svg.INK)
        longest = report.longest_outage()
        too_long = bool(longest and self.max_blip is not None and
                        longest[1] > self.max_blip)
        drawing.text(lane, MARGIN, bar_y + 17, figures(report),
                     fill=svg.RED if too_long else svg.UNSEEN_INK,
                     class_='figures')
        drawing.rect(lane, self.plot_x, bar_y, self.plot_width, BAR_HEIGHT,
                     fill=svg.HOST_FILL, stroke='#cccccc')
        for start, end, answered in runs(report.probe_outcomes()):
            run = drawing.rect(
                lane, self.x(start), bar_y,
                max(1.0, self.x(end) - self.x(start)), BAR_HEIGHT,
                fill=svg.ANSWERED if answered else svg.LOST,
                class_='answered' if answered else 'lost')
            drawing.tooltip(run, '%s: %s from t+%.1f s to t+%.1f s' % (
                report.name, 'answered' if answered else 'lost',
                self.relative(start), self.relative(end)))
        for start, seconds, recovered in report.outages():
            if self.max_blip is not None and seconds <= self.max_blip:
                continue
            drawing.text(lane, self.x(start), bar_y - 3,
                         '%.1f s%s' % (seconds, '' if recovered else '+'),
                         fill=svg.RED, class_='outage')

    def draw_axis(self, drawing, y):
        span = self.t1 - self.t0
        step = next((s for s in TICK_STEPS if span / s <= 12),
                    TICK_STEPS[-1])
        axis = drawing.group(class_='axis')
        drawing.line(axis, self.plot_x, y, self.plot_x + self.plot_width, y,
                     stroke=svg.INK)
        first = self.relative(self.t0)
        tick = (int(first // step) + 1) * step if first % step else first
        while tick <= self.relative(self.t1):
            x = self.x(tick + self.timeline.start)
            drawing.line(axis, x, y, x, y + 4, stroke=svg.INK)
            drawing.text(axis, x, y + 15, 't+%g s' % tick, fill=svg.INK,
                         text_anchor='middle')
            tick += step

    def draw_events(self, drawing, top, lanes_top, lanes_bottom):
        for index, event in enumerate(self.timeline.events):
            colour = EVENT_COLOURS[event.kind]
            x = self.x(event.monotonic)
            group = drawing.group(class_='event', data_kind=event.kind)
            drawing.line(group, x, top + (index % EVENT_ROWS) *
                         EVENT_ROW_HEIGHT + 2, x, lanes_bottom, stroke=colour,
                         stroke_width=1.5, stroke_dasharray='4,3')
            near_end = x > self.plot_x + self.plot_width - 100
            drawing.text(group, x - 3 if near_end else x + 3,
                         top + (index % EVENT_ROWS) * EVENT_ROW_HEIGHT,
                         event.kind, fill=colour, font_size=9,
                         text_anchor='end' if near_end else None)
            drawing.tooltip(group, 't+%.1f s %s' % (
                self.relative(event.monotonic), event.what))

    def legend_lines(self):
        lines = [('green: answered probes; red: lost (%.1f s apart); '
                  'red figures above a lane: outages%s' % (
                      probes.INTERVAL, ' over %.1f s' % self.max_blip
                      if self.max_blip is not None else ''), svg.INK)]
        for event in self.timeline.events:
            lines.append(('t+%.1f s, %s: %s' % (
                self.relative(event.monotonic), event.kind, event.what),
                EVENT_COLOURS[event.kind]))
        return lines


def draw(timeline, reports, title, max_blip=None):
    """The SVG text of the timeline picture of reports (ProbeReports)."""
    return TimelinePicture(timeline, reports, title, max_blip).draw()
