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

from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.report import svg
from dvr_tempest_plugin.report import svg_path
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import recorded as r

NS = {'svg': svg.SVG_NS}


def parse(text):
    return etree.fromstring(text)


def groups(root, cls):
    """<g> elements whose class list holds cls, in document order."""
    return [g for g in root.iter('{%s}g' % svg.SVG_NS)
            if cls in g.get('class', '').split()]


def device(root, point):
    [found] = [g for g in groups(root, 'device')
               if g.get('data-point') == str(point)]
    return found


def fill_of(group):
    return group.find('svg:rect', NS).get('fill')


class TestPathPicture(base.TestCase):

    def draw(self, pcaps, expectations=r.EAST_WEST_EXPECTATIONS,
             points=(r.A1, r.A2, r.B2, r.B1)):
        seen = r.east_west(pcaps, points)
        seen.check(expectations)
        return parse(svg_path.draw(seen, 'test_east_west'))

    def test_hops_in_order_from_the_observations(self):
        root = self.draw({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                          r.B2: r.B2_PCAP, r.B1: r.B1_PCAP})
        request = groups(root, 'request')
        self.assertEqual(
            [('1', str(r.A1)), ('2', str(r.A2)), ('', str(r.VM2))],
            [(g.get('data-hop'), g.get('data-to')) for g in request])
        reply = groups(root, 'reply')
        self.assertEqual(
            [('1', str(r.B2)), ('2', str(r.B1)), ('', str(r.VM1))],
            [(g.get('data-hop'), g.get('data-to')) for g in reply])
        numbers = [g.find('svg:text', NS).text for g in request
                   if g.get('data-hop')]
        self.assertEqual(['1', '2'], numbers)

    def test_styles_of_request_and_reply(self):
        root = self.draw({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                          r.B2: r.B2_PCAP, r.B1: r.B1_PCAP})
        request_line = groups(root, 'request')[0].find('svg:line', NS)
        reply_line = groups(root, 'reply')[0].find('svg:line', NS)
        self.assertEqual(svg.REQUEST, request_line.get('stroke'))
        self.assertIsNone(request_line.get('stroke-dasharray'))
        self.assertEqual(svg.REPLY, reply_line.get('stroke'))
        self.assertEqual('6,4', reply_line.get('stroke-dasharray'))

    def test_all_met_nothing_red(self):
        root = self.draw({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                          r.B2: r.B2_PCAP, r.B1: r.B1_PCAP})
        self.assertEqual([], groups(root, 'wrong'))
        for point in (r.A1, r.A2, r.B2, r.B1):
            self.assertEqual(svg.PAPER, fill_of(device(root, point)))
        self.assertIn('all 6 expectations met',
                      etree.tostring(root, encoding='unicode'))

    def test_unseen_device_is_grey(self):
        root = self.draw({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                          r.B2: r.B2_PCAP, r.B1: r.B1_PCAP},
                         points=(r.A1, r.A2, r.B2, r.B1, r.SG2))
        sg2 = device(root, r.SG2)
        self.assertIn('unseen', sg2.get('class'))
        self.assertEqual(svg.UNSEEN_FILL, fill_of(sg2))
        self.assertEqual(svg.UNSEEN_INK, sg2.find('svg:text', NS).get('fill'))

    def test_expected_hop_not_seen_is_red(self):
        root = self.draw({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                          r.B2: r.B2_PCAP})
        b1 = device(root, r.B1)
        self.assertIn('wrong', b1.get('class'))
        self.assertEqual(svg.RED_FILL, fill_of(b1))
        self.assertEqual(svg.RED, b1.find('svg:rect', NS).get('stroke'))
        text = etree.tostring(root, encoding='unicode')
        self.assertIn('expected the echo reply %s &gt; %s going out at %s; '
                      'not seen there.' % (r.VM2_IP, r.VM1_IP, r.B1), text)
        # The reply was answered, yet seen no further than B2: no arrow
        # is drawn into B1, and none from it.
        self.assertEqual([str(r.B2), str(r.VM1)],
                         [g.get('data-to') for g in groups(root, 'reply')])

    def test_hop_seen_that_should_not_be_is_red(self):
        expectations = r.EAST_WEST_EXPECTATIONS + [
            paths.not_forwarded(r.SG2, paths.REQUEST)]
        root = self.draw({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                          r.B2: r.B2_PCAP, r.B1: r.B1_PCAP,
                          r.SG2: r.SG2_FORWARDED_PCAP}, expectations,
                         points=(r.A1, r.A2, r.B2, r.B1, r.SG2))
        sg2 = device(root, r.SG2)
        self.assertEqual(svg.RED_FILL, fill_of(sg2))
        [into_sg2] = [g for g in groups(root, 'request')
                      if g.get('data-to') == str(r.SG2)]
        self.assertIn('wrong', into_sg2.get('class'))
        self.assertEqual('3', into_sg2.get('data-hop'))
        self.assertEqual(svg.RED, into_sg2.find('svg:line', NS).get('stroke'))
        self.assertEqual('url(#arrow-red)',
                         into_sg2.find('svg:line', NS).get('marker-end'))

    def test_hosts_namespaces_and_vms_are_drawn(self):
        root = self.draw({r.A1: r.A1_PCAP})
        self.assertEqual(['compute1', 'compute2'],
                         [g.get('data-host') for g in groups(root, 'host')])
        self.assertEqual([r.QROUTER, r.QROUTER],
                         [g.get('data-namespace')
                          for g in groups(root, 'namespace')])
        self.assertEqual(['vm1', 'vm2'], [g.get('data-endpoint')
                                          for g in groups(root, 'endpoint')])

    def test_outside_endpoint_and_unanswered_ping(self):
        seen = r.observations({r.A1: r.A1_PCAP})
        seen.source = r.VM1
        seen.destination = paths.Endpoint('outside', None, '198.51.100.1')
        root = parse(svg_path.draw(seen, 'test_floating_ip'))
        self.assertIn('outside', [g.get('data-endpoint')
                                  for g in groups(root, 'endpoint')])
        # Not answered: the request is drawn only as far as it was seen.
        self.assertEqual([str(r.A1)], [g.get('data-to') for g in
                                       groups(root, 'request')])
        self.assertIn('no expectation was checked',
                      etree.tostring(root, encoding='unicode'))
