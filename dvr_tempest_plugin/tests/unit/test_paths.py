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

from dvr_tempest_plugin.common import capture
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import recorded as r

QROUTER = r.QROUTER


class TestUndirected(base.TestCase):

    def test_headerless_frames_are_undirected(self):
        seen = r.observations({r.B1: r.B1_HEADERLESS_PCAP})
        self.assertEqual(1, len(seen.undirected(r.B1, paths.REPLY)))
        self.assertEqual(1, len(seen.undirected(r.B1, paths.REQUEST)))
        self.assertEqual([], seen.matching(r.B1, paths.REPLY,
                                           direction=paths.OUT))
        self.assertEqual(
            'the direction of 1 echo reply packet(s) could not be read at '
            'compute2 / %s / qr-8b1d2c3e-4f (qr- subnet1) (no link-layer '
            'header, or the device MAC unknown)' % QROUTER,
            seen.direction_unread(r.B1, paths.REPLY))

    def test_frames_with_header_have_a_direction(self):
        seen = r.observations({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                               r.B1: r.B1_PCAP})
        for point in (r.A1, r.A2, r.B1):
            for icmp_type in (paths.REQUEST, paths.REPLY):
                self.assertEqual([], seen.undirected(point, icmp_type))
                self.assertIsNone(seen.direction_unread(point, icmp_type))
        self.assertEqual(2, seen.count(r.A1, paths.REQUEST,
                                       direction=paths.IN))
        self.assertEqual(2, seen.count(r.A2, paths.REQUEST,
                                       direction=paths.OUT))
        self.assertEqual(1, seen.count(r.B1, paths.REPLY, direction=paths.OUT,
                                       src=r.VM2_IP, dst=r.VM1_IP))

    def test_unknown_device_mac(self):
        packets = {r.B1: capture.parse_pcap(r.B1_PCAP, None)}
        seen = paths.Observations([r.B1], r.PROBE, packets,
                                  {r.B1: r.B1_PCAP})
        self.assertEqual(1, len(seen.undirected(r.B1, paths.REPLY)))

    def test_nothing_seen(self):
        seen = r.observations({})
        self.assertEqual([], seen.undirected(r.B1, paths.REQUEST))
        self.assertIsNone(seen.direction_unread(r.B1, paths.REQUEST))


class TestExpectations(base.TestCase):

    def test_not_forwarded_fails_on_undirected_packets(self):
        seen = r.observations({r.B1: r.B1_HEADERLESS_PCAP})
        self.assertIn(
            'expected no echo request sent out of compute2 / %s / '
            'qr-8b1d2c3e-4f (qr- subnet1); cannot tell: the direction of 1 '
            'echo request packet(s) could not be read at' % QROUTER,
            paths.not_forwarded(r.B1, paths.REQUEST).problem(seen))

    def test_not_forwarded_passes_on_received_only(self):
        seen = r.observations({r.A1: r.A1_PCAP, r.B2: r.B2_PCAP})
        for point, icmp_type in ((r.A1, paths.REQUEST), (r.B2, paths.REPLY),
                                 (r.B1, paths.REPLY)):
            self.assertIsNone(
                paths.not_forwarded(point, icmp_type).problem(seen))

    def test_not_forwarded_fails_when_sent_out(self):
        seen = r.observations({r.A2: r.A2_PCAP})
        self.assertIn('it sent 2', paths.not_forwarded(
            r.A2, paths.REQUEST).problem(seen))

    def test_seen(self):
        seen = r.observations({r.A1: r.A1_PCAP})
        self.assertIsNone(paths.seen(r.A1, paths.REQUEST, r.VM1_IP, r.VM2_IP,
                                     paths.IN).problem(seen))
        self.assertEqual(
            'expected the echo request %s > %s going out at %s; not seen '
            'there.' % (r.VM1_IP, r.VM2_IP, r.A1),
            paths.seen(r.A1, paths.REQUEST, r.VM1_IP, r.VM2_IP,
                       paths.OUT).problem(seen))

    def test_untouched(self):
        seen = r.observations({r.A1: r.A1_PCAP})
        self.assertIsNone(paths.untouched(r.B1).problem(seen))
        self.assertEqual(
            'expected none of the probe packets at %s (off the path); '
            'found 2.' % r.A1, paths.untouched(r.A1).problem(seen))

    def test_check_keeps_every_verdict(self):
        seen = r.east_west({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP,
                            r.B2: r.B2_PCAP})
        problems = seen.check(r.EAST_WEST_EXPECTATIONS)
        self.assertEqual(1, len(problems))
        self.assertIn('echo reply %s > %s going out at %s' % (
            r.VM2_IP, r.VM1_IP, r.B1), problems[0])
        self.assertEqual(len(r.EAST_WEST_EXPECTATIONS), len(seen.verdicts))
        self.assertEqual(problems, seen.problems_at(r.B1))
        self.assertEqual([], seen.problems_at(r.A1))


class TestHopList(base.TestCase):

    def test_in_given_order(self):
        seen = r.observations({r.A1: r.A1_PCAP, r.A2: r.A2_PCAP})
        self.assertEqual(
            'echo request (%s):\n'
            '  1. compute1 / %s / qr-8b1d2c3e-4f (qr- subnet1): 2 packet(s), '
            'in, 10.100.0.5 > 10.100.1.7\n'
            '  2. compute1 / %s / qr-9c2e3d4f-50 (qr- subnet2): 2 packet(s), '
            'out, 10.100.0.5 > 10.100.1.7\n'
            '  not seen at:\n'
            '    compute2 / %s / qr-9c2e3d4f-50 (qr- subnet2)\n'
            '    compute2 / %s / qr-8b1d2c3e-4f (qr- subnet1)' % (
                r.PROBE, QROUTER, QROUTER, QROUTER, QROUTER),
            seen.hop_list(paths.REQUEST))

    def test_in_path_order(self):
        seen = r.observations({r.B2: r.B2_PCAP, r.B1: r.B1_PCAP})
        seen.path_order[paths.REPLY] = [r.B2, r.B1]
        lines = seen.hop_list(paths.REPLY).splitlines()
        self.assertEqual('echo reply (%s):' % r.PROBE, lines[0])
        self.assertTrue(lines[1].startswith('  1. compute2 / %s / '
                                            'qr-9c2e3d4f-50' % QROUTER))
        self.assertTrue(lines[1].endswith(': 1 packet(s), in, '
                                          '10.100.1.7 > 10.100.0.5'))
        self.assertTrue(lines[2].startswith('  2. compute2 / %s / '
                                            'qr-8b1d2c3e-4f' % QROUTER))
        self.assertTrue(lines[2].endswith(', out, 10.100.1.7 > 10.100.0.5'))
        self.assertEqual(['  not seen at:',
                          '    compute1 / %s / qr-8b1d2c3e-4f (qr- subnet1)'
                          % QROUTER,
                          '    compute1 / %s / qr-9c2e3d4f-50 (qr- subnet2)'
                          % QROUTER], lines[3:])
        self.assertEqual([r.B2, r.B1], seen.seen_hops(paths.REPLY))

    def test_seen_nowhere(self):
        seen = r.observations({})
        lines = seen.hop_list(paths.REPLY).splitlines()
        self.assertEqual('  seen nowhere', lines[1])
        self.assertEqual('  not seen at:', lines[2])
        self.assertEqual(4, len(lines[3:]))

    def test_unread_direction_is_said(self):
        seen = r.observations({r.B1: r.B1_HEADERLESS_PCAP})
        self.assertIn(': 1 packet(s), direction unread, '
                      '10.100.1.7 > 10.100.0.5',
                      seen.hop_list(paths.REPLY))

    def test_both_lists_and_raw(self):
        seen = r.observations({r.A1: r.A1_PCAP})
        self.assertIn('\n\necho reply (', seen.hop_lists())
        self.assertIn(
            '== %s\n1700000000.000000 in 10.100.0.5 > 10.100.1.7: ICMP echo '
            'request, id 31, seq 1\n1700000000.200000 in 10.100.0.5 > '
            '10.100.1.7: ICMP echo request, id 31, seq 2' % r.A1,
            seen.raw_text())
        self.assertIn('== %s\n(no packets)' % r.B1, seen.raw_text())
        self.assertEqual(r.A1_PCAP, seen.pcaps[r.A1])
