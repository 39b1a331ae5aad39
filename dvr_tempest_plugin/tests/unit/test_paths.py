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
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.tests.scenario import test_traffic_path
from dvr_tempest_plugin.tests.unit import base

QROUTER = 'qrouter-5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
QR1_MAC = 'fa:16:3e:11:11:11'
QR2_MAC = 'fa:16:3e:22:22:22'
VM1_MAC = 'fa:16:3e:aa:aa:01'
VM2_MAC = 'fa:16:3e:bb:bb:02'
PROBE = probes.Probe(size=612, pattern=0xa7)

A1 = paths.Point('compute1', QROUTER, 'qr-8b1d2c3e-4f', 'qr- subnet1')
A2 = paths.Point('compute1', QROUTER, 'qr-9c2e3d4f-50', 'qr- subnet2')
B2 = paths.Point('compute2', QROUTER, 'qr-9c2e3d4f-50', 'qr- subnet2')
B1 = paths.Point('compute2', QROUTER, 'qr-8b1d2c3e-4f', 'qr- subnet1')

# `tcpdump -r FILE -n -e -tt` of one east-west probe VM1 -> VM2 (two
# requests, two replies), as each qr- device saw it.
A1_TEXT = """\
1700000000.000000 fa:16:3e:aa:aa:01 > fa:16:3e:11:11:11, ethertype IPv4 \
(0x0800), length 654: 10.100.0.5 > 10.100.1.7: ICMP echo request, id 31, \
seq 1, length 620
1700000000.200000 fa:16:3e:aa:aa:01 > fa:16:3e:11:11:11, ethertype IPv4 \
(0x0800), length 654: 10.100.0.5 > 10.100.1.7: ICMP echo request, id 31, \
seq 2, length 620
"""
A2_TEXT = """\
1700000000.000100 fa:16:3e:22:22:22 > fa:16:3e:bb:bb:02, ethertype IPv4 \
(0x0800), length 654: 10.100.0.5 > 10.100.1.7: ICMP echo request, id 31, \
seq 1, length 620
1700000000.200100 fa:16:3e:22:22:22 > fa:16:3e:bb:bb:02, ethertype IPv4 \
(0x0800), length 654: 10.100.0.5 > 10.100.1.7: ICMP echo request, id 31, \
seq 2, length 620
"""
B2_TEXT = """\
1700000000.000400 fa:16:3e:bb:bb:02 > fa:16:3e:22:22:22, ethertype IPv4 \
(0x0800), length 654: 10.100.1.7 > 10.100.0.5: ICMP echo reply, id 31, \
seq 1, length 620
"""
# The same frame read without its link-layer header: no way to tell
# whether B's qr- of subnet1 received it or sent it out.
B1_HEADERLESS_TEXT = """\
1700000000.000500 IP 10.100.1.7 > 10.100.0.5: ICMP echo reply, id 31, \
seq 1, length 620
1700000000.000600 IP 10.100.0.5 > 10.100.1.7: ICMP echo request, id 31, \
seq 1, length 620
"""
B1_TEXT = """\
1700000000.000500 fa:16:3e:11:11:11 > fa:16:3e:aa:aa:01, ethertype IPv4 \
(0x0800), length 654: 10.100.1.7 > 10.100.0.5: ICMP echo reply, id 31, \
seq 1, length 620
"""
MACS = {A1: QR1_MAC, A2: QR2_MAC, B2: QR2_MAC, B1: QR1_MAC}


def observations(texts):
    points = [A1, A2, B2, B1]
    packets = {point: capture.parse_icmp(texts.get(point, ''), MACS[point])
               for point in points}
    return paths.Observations(points, PROBE, packets, dict(texts))


class TestUndirected(base.TestCase):

    def test_headerless_frames_are_undirected(self):
        seen = observations({B1: B1_HEADERLESS_TEXT})
        self.assertEqual(1, len(seen.undirected(B1, paths.REPLY)))
        self.assertEqual(1, len(seen.undirected(B1, paths.REQUEST)))
        self.assertEqual([], seen.matching(B1, paths.REPLY,
                                           direction=paths.OUT))
        self.assertEqual(
            'the direction of 1 echo reply packet(s) could not be read at '
            'compute2 / %s / qr-8b1d2c3e-4f (qr- subnet1) (no link-layer '
            'header, or the device MAC unknown)' % QROUTER,
            seen.direction_unread(B1, paths.REPLY))

    def test_frames_with_header_have_a_direction(self):
        seen = observations({A1: A1_TEXT, A2: A2_TEXT, B1: B1_TEXT})
        for point in (A1, A2, B1):
            for icmp_type in (paths.REQUEST, paths.REPLY):
                self.assertEqual([], seen.undirected(point, icmp_type))
                self.assertIsNone(seen.direction_unread(point, icmp_type))
        self.assertEqual(2, seen.count(A1, paths.REQUEST,
                                       direction=paths.IN))
        self.assertEqual(2, seen.count(A2, paths.REQUEST,
                                       direction=paths.OUT))
        self.assertEqual(1, seen.count(B1, paths.REPLY, direction=paths.OUT,
                                       src='10.100.1.7', dst='10.100.0.5'))

    def test_unknown_device_mac(self):
        packets = {B1: capture.parse_icmp(B1_TEXT, None)}
        seen = paths.Observations([B1], PROBE, packets, {B1: B1_TEXT})
        self.assertEqual(1, len(seen.undirected(B1, paths.REPLY)))

    def test_nothing_seen(self):
        seen = observations({})
        self.assertEqual([], seen.undirected(B1, paths.REQUEST))
        self.assertIsNone(seen.direction_unread(B1, paths.REQUEST))


class FakeTest(object):

    def fail(self, message):
        raise AssertionError(message)


class TestAssertNotForwarded(base.TestCase):

    def assert_not_forwarded(self, seen, point, icmp_type):
        test_traffic_path.TrafficPathTest.assert_not_forwarded(
            FakeTest(), seen, point, icmp_type)

    def test_undirected_packets_fail(self):
        seen = observations({B1: B1_HEADERLESS_TEXT})
        error = self.assertRaises(AssertionError, self.assert_not_forwarded,
                                  seen, B1, paths.REQUEST)
        self.assertIn('expected no echo request sent out of compute2 / %s / '
                      'qr-8b1d2c3e-4f (qr- subnet1); cannot tell: the '
                      'direction of 1 echo request packet(s) could not be '
                      'read at' % QROUTER, str(error))

    def test_received_only_passes(self):
        seen = observations({A1: A1_TEXT, B2: B2_TEXT})
        self.assert_not_forwarded(seen, A1, paths.REQUEST)
        self.assert_not_forwarded(seen, B2, paths.REPLY)
        self.assert_not_forwarded(seen, B1, paths.REPLY)

    def test_sent_out_fails(self):
        seen = observations({A2: A2_TEXT})
        error = self.assertRaises(AssertionError, self.assert_not_forwarded,
                                  seen, A2, paths.REQUEST)
        self.assertIn('it sent 2', str(error))


class TestHopList(base.TestCase):

    def test_in_given_order(self):
        seen = observations({A1: A1_TEXT, A2: A2_TEXT})
        self.assertEqual(
            'echo request (%s):\n'
            '  1. compute1 / %s / qr-8b1d2c3e-4f (qr- subnet1): 2 packet(s), '
            'in, 10.100.0.5 > 10.100.1.7\n'
            '  2. compute1 / %s / qr-9c2e3d4f-50 (qr- subnet2): 2 packet(s), '
            'out, 10.100.0.5 > 10.100.1.7\n'
            '  not seen at:\n'
            '    compute2 / %s / qr-9c2e3d4f-50 (qr- subnet2)\n'
            '    compute2 / %s / qr-8b1d2c3e-4f (qr- subnet1)' % (
                PROBE, QROUTER, QROUTER, QROUTER, QROUTER),
            seen.hop_list(paths.REQUEST))

    def test_in_path_order(self):
        seen = observations({B2: B2_TEXT, B1: B1_TEXT})
        seen.path_order[paths.REPLY] = [B2, B1]
        lines = seen.hop_list(paths.REPLY).splitlines()
        self.assertEqual('echo reply (%s):' % PROBE, lines[0])
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

    def test_seen_nowhere(self):
        seen = observations({})
        lines = seen.hop_list(paths.REPLY).splitlines()
        self.assertEqual('  seen nowhere', lines[1])
        self.assertEqual('  not seen at:', lines[2])
        self.assertEqual(4, len(lines[3:]))

    def test_unread_direction_is_said(self):
        seen = observations({B1: B1_HEADERLESS_TEXT})
        self.assertIn(': 1 packet(s), direction unread, '
                      '10.100.1.7 > 10.100.0.5',
                      seen.hop_list(paths.REPLY))

    def test_both_lists_and_raw(self):
        seen = observations({A1: A1_TEXT})
        self.assertIn('\n\necho reply (', seen.hop_lists())
        self.assertIn('== %s\n%s' % (A1, A1_TEXT.strip()), seen.raw_text())
        self.assertIn('== %s\n(no packets)' % B1, seen.raw_text())
