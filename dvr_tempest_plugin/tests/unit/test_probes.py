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

from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.tests.unit import base

# `ping -n -c 5 -i 0.2 -W 1 -w 3 -s 612 -p a7 10.0.0.5`, iputils 20211215
# (the tester, Ubuntu): probes numbered from 1; 2 and 5 lost.
IPUTILS_OUTPUT = """\
PATTERN: 0xa7
PING 10.0.0.5 (10.0.0.5) 612(640) bytes of data.
620 bytes from 10.0.0.5: icmp_seq=1 ttl=63 time=1.21 ms
620 bytes from 10.0.0.5: icmp_seq=3 ttl=63 time=0.874 ms
620 bytes from 10.0.0.5: icmp_seq=4 ttl=63 time=0.912 ms

--- 10.0.0.5 ping statistics ---
5 packets transmitted, 3 received, 40% packet loss, time 804ms
rtt min/avg/max/mdev = 0.874/0.998/1.208/0.148 ms
"""
# The same from a CirrOS VM (busybox ping): probes numbered from 0; the
# first one (seq 0) and the third lost.
BUSYBOX_OUTPUT = """\
PING 10.0.0.5 (10.0.0.5): 612 data bytes
620 bytes from 10.0.0.5: seq=1 ttl=63 time=1.200 ms
620 bytes from 10.0.0.5: seq=3 ttl=63 time=0.874 ms
620 bytes from 10.0.0.5: seq=4 ttl=63 time=0.912 ms

--- 10.0.0.5 ping statistics ---
5 packets transmitted, 3 packets received, 40% packet loss
round-trip min/avg/max = 0.874/0.995/1.200 ms
"""
IPUTILS_ALL_LOST = """\
PATTERN: 0xa7
PING 10.0.2.7 (10.0.2.7) 612(640) bytes of data.

--- 10.0.2.7 ping statistics ---
5 packets transmitted, 0 received, 100% packet loss, time 815ms
"""
IPUTILS_UNREACHABLE_REPLIES = """\
PING 10.0.2.7 (10.0.2.7) 612(640) bytes of data.
From 10.0.1.1 icmp_seq=1 Destination Host Unreachable
From 10.0.1.1 icmp_seq=2 Destination Host Unreachable

--- 10.0.2.7 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1020ms
"""
IPUTILS_NO_ROUTE = 'connect: Network is unreachable\n'
BUSYBOX_NO_ROUTE = """\
PING 10.0.2.7 (10.0.2.7): 612 data bytes
ping: sendto: Network unreachable
"""
# iputils counts the probes it could not send as transmitted.
IPUTILS_SEND_FAILED = """\
PATTERN: 0xa7
PING 10.0.2.7 (10.0.2.7) 612(640) bytes of data.
ping: sendmsg: Operation not permitted
ping: sendmsg: Operation not permitted
ping: sendmsg: Operation not permitted

--- 10.0.2.7 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 410ms
"""


def parse(output, destination='10.0.0.5'):
    return probes.PingResult.parse('vm1 (10.0.1.5 on compute1)',
                                   destination, output)


class TestPingResult(base.TestCase):

    def test_iputils(self):
        result = parse(IPUTILS_OUTPUT)
        self.assertEqual((5, 3, 2), (result.sent, result.received,
                                     result.lost))
        self.assertEqual({1, 3, 4}, result.replied_seqs)
        self.assertEqual([True, False, True, True, False], result.outcomes())
        self.assertIsNone(result.error)
        self.assertTrue(result.looked)

    def test_busybox(self):
        result = parse(BUSYBOX_OUTPUT)
        self.assertEqual((5, 3, 2), (result.sent, result.received,
                                     result.lost))
        self.assertEqual({1, 3, 4}, result.replied_seqs)
        self.assertEqual([False, True, False, True, True], result.outcomes())
        self.assertTrue(result.looked)

    def test_busybox_first_answered(self):
        result = parse(BUSYBOX_OUTPUT.replace('seq=4', 'seq=0'))
        self.assertEqual([True, True, False, True, False], result.outcomes())

    def test_iputils_first_lost(self):
        result = parse(IPUTILS_OUTPUT.replace('icmp_seq=1 ', 'icmp_seq=5 '))
        self.assertEqual([False, False, True, True, True], result.outcomes())

    def test_all_lost_looked(self):
        result = parse(IPUTILS_ALL_LOST, '10.0.2.7')
        self.assertEqual((5, 0), (result.sent, result.received))
        self.assertEqual([False] * 5, result.outcomes())
        self.assertTrue(result.looked)
        probes.require_looked(result)

    def test_unreachable_replies_looked(self):
        result = parse(IPUTILS_UNREACHABLE_REPLIES, '10.0.2.7')
        self.assertEqual((2, 0), (result.sent, result.received))
        self.assertEqual(frozenset(), result.replied_seqs)
        self.assertTrue(result.looked)

    def test_no_statistics(self):
        for output, last in ((IPUTILS_NO_ROUTE,
                              'connect: Network is unreachable'),
                             (BUSYBOX_NO_ROUTE,
                              'ping: sendto: Network unreachable')):
            result = parse(output, '10.0.2.7')
            self.assertEqual((0, 0), (result.sent, result.received))
            self.assertEqual([], result.outcomes())
            self.assertEqual('no ping statistics in the output: %s' % last,
                             result.error)
            self.assertFalse(result.looked)
            self.assertEqual(output, result.output)

    def test_empty_output(self):
        result = parse('')
        self.assertEqual('no ping statistics in the output: no output',
                         result.error)
        self.assertFalse(result.looked)

    def test_send_errors_did_not_look(self):
        result = parse(IPUTILS_SEND_FAILED, '10.0.2.7')
        self.assertEqual((3, 0), (result.sent, result.received))
        self.assertEqual('could not send: ping: sendmsg: Operation not '
                         'permitted', result.error)
        self.assertFalse(result.looked)

    def test_failed_run_did_not_look(self):
        result = probes.PingResult.failed(
            'vm1', '10.0.2.7', 5, 'SSH to vm1 failed: timed out')
        self.assertEqual((5, 0, 5), (result.sent, result.received,
                                     result.lost))
        self.assertFalse(result.looked)

    def test_nothing_sent_did_not_look(self):
        result = probes.PingResult('tester', '10.0.2.7', 0, 0)
        self.assertFalse(result.looked)

    def test_require_looked_says_why(self):
        error = self.assertRaises(probes.ProbeDidNotLook,
                                  probes.require_looked,
                                  parse(IPUTILS_NO_ROUTE, '10.0.2.7'))
        self.assertEqual(
            'vm1 (10.0.1.5 on compute1) -> 10.0.2.7: the probe did not look '
            '(0 sent; no ping statistics in the output: connect: Network is '
            'unreachable)', str(error))
        error = self.assertRaises(probes.ProbeDidNotLook,
                                  probes.require_looked,
                                  probes.PingResult('tester', '10.0.2.7', 0,
                                                    0))
        self.assertEqual('tester -> 10.0.2.7: the probe did not look '
                         '(0 sent; no probe sent)', str(error))

    def test_require_looked_is_not_an_assertion(self):
        # A test calling it errors instead of failing or passing.
        self.assertFalse(issubclass(probes.ProbeDidNotLook, AssertionError))

    def test_summary(self):
        self.assertEqual(
            'vm1 (10.0.1.5 on compute1) -> 10.0.2.7: 0 sent, 0 received, '
            '0 lost (no ping statistics in the output: connect: Network is '
            'unreachable)', parse(IPUTILS_NO_ROUTE, '10.0.2.7').summary())


def burst(answered):
    """A 5-probe iputils burst answered where answered says so."""
    seqs = frozenset(i + 1 for i, ok in enumerate(answered) if ok)
    return probes.PingResult('vm1', '172.24.4.1', len(answered), len(seqs),
                             seqs)


T, F = True, False


class TestProbeReport(base.TestCase):

    def report(self, *bursts):
        return probes.ProbeReport('vm1 -> outside', list(bursts))

    def test_one_recovered_outage_across_bursts(self):
        # Probes every 0.2 s: lost from 100.4 to 102.0, answered at 102.2.
        report = self.report(
            (100.0, burst([T, T, F, F, F])),
            (101.0, probes.PingResult.failed('vm1', '172.24.4.1', 5,
                                             'SSH to vm1 failed')),
            (102.0, burst([F, T, T, T, T])))
        self.assertEqual((15, 6, 9), (report.sent, report.received,
                                      report.lost))
        [(start, seconds, recovered)] = report.outages()
        self.assertAlmostEqual(100.4, start)
        self.assertAlmostEqual(1.8, seconds)
        self.assertTrue(recovered)
        self.assertEqual(report.outages()[0], report.longest_outage())
        self.assertIn('longest outage 1.8 s;', report.summary())
        self.assertIn('errors: SSH to vm1 failed', report.summary())

    def test_unrecovered_outage_runs_to_the_last_probe(self):
        report = self.report((100.0, burst([T, T, T, F, T])),
                             (101.0, burst([T, F, F, F, F])))
        outages = report.outages()
        self.assertEqual(2, len(outages))
        self.assertAlmostEqual(100.6, outages[0][0])
        self.assertAlmostEqual(0.2, outages[0][1])
        self.assertTrue(outages[0][2])
        self.assertAlmostEqual(101.2, outages[1][0])
        self.assertAlmostEqual(0.8, outages[1][1])
        self.assertFalse(outages[1][2])
        self.assertEqual(outages[1], report.longest_outage())
        self.assertIn('(not recovered)', report.summary())

    def test_no_outage(self):
        report = self.report((100.0, burst([T] * 5)))
        self.assertEqual([], report.outages())
        self.assertIsNone(report.longest_outage())
        self.assertEqual(0.0, report.longest_outage_after(0))
        self.assertEqual('vm1 -> outside: 5 sent, 5 received, 0 lost',
                         report.summary())

    def test_no_bursts(self):
        report = self.report()
        self.assertEqual([], report.outages())
        self.assertFalse(report.answered_after(0))
        self.assertEqual(0, report.lost_between(0, 1000))

    def test_longest_outage_after(self):
        report = self.report((100.0, burst([F, F, F, F, T])),
                             (101.0, burst([T, F, T, T, T])),
                             (102.0, burst([T, T, F, F, T])))
        self.assertAlmostEqual(0.8, report.longest_outage_after(100.0))
        self.assertAlmostEqual(0.4, report.longest_outage_after(100.1))
        self.assertAlmostEqual(0.4, report.longest_outage_after(101.3))
        self.assertEqual(0.0, report.longest_outage_after(102.5))

    def test_longest_outage_before(self):
        report = self.report((100.0, burst([F, F, F, F, T])),
                             (101.0, burst([T, F, T, T, T])),
                             (102.0, burst([T, T, F, F, T])))
        self.assertEqual(0.0, report.longest_outage_before(100.0))
        # the run that began at 100.0 counts whole
        self.assertAlmostEqual(0.8, report.longest_outage_before(100.1))
        self.assertAlmostEqual(0.8, report.longest_outage_before(103.0))

    def test_lost_between(self):
        report = self.report((100.0, burst([F, F, F, F, T])),
                             (101.0, burst([T, F, T, T, T])))
        self.assertEqual(5, report.lost_between(0, 1000))
        self.assertEqual(4, report.lost_between(100.0, 100.8))
        self.assertEqual(2, report.lost_between(100.5, 101.3))
        self.assertEqual(0, report.lost_between(100.8, 101.2))

    def test_answered_after(self):
        report = self.report((100.0, burst([T, T, F, F, F])),
                             (101.0, burst([F, F, F, T, F])))
        self.assertTrue(report.answered_after(100.0))
        self.assertTrue(report.answered_after(101.5))
        self.assertFalse(report.answered_after(101.7))

    def test_busybox_bursts(self):
        seqs = frozenset({0, 1})
        first = probes.PingResult('vm2', '172.24.4.1', 5, 2, seqs,
                                  first_seq=0)
        report = self.report((100.0, first))
        [(start, seconds, recovered)] = report.outages()
        self.assertAlmostEqual(100.4, start)
        self.assertAlmostEqual(0.6, seconds)
        self.assertFalse(recovered)


class TestProbe(base.TestCase):

    def test_unique_probes_fill_with_zeros(self):
        # busybox ping copies -p's byte into the ICMP code field: only 0
        # keeps its echo requests valid.
        for _ in range(20):
            probe = probes.Probe.unique()
            self.assertEqual(0, probe.pattern)
            self.assertTrue(probes.MIN_SIZE <= probe.size <= probes.MAX_SIZE)
        self.assertIn('-p', probes.Probe(500).ping_argv('10.0.0.1', 3))
        self.assertIn('00', probes.Probe(500).ping_argv('10.0.0.1', 3))

    def test_filter_matches_size_and_fill(self):
        self.assertEqual('icmp and ip[2:2] == 528 and icmp[24] == 0x00',
                         probes.Probe(500).bpf_filter())
