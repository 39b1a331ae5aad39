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

from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import icmp_redirects
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit.test_hoststate import FakeHost

QROUTER = 'qrouter-e293f733-7807-4d0c-98dc-f13e271fe791'
# /proc/net/snmp of a Linux 6.1 namespace, cut to its Icmp rows.
SNMP = (
    'Ip: Forwarding DefaultTTL\nIp: 1 64\n'
    'Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds '
    'InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps '
    'InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors '
    'OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds '
    'OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps '
    'OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps\n'
    'Icmp: 4 0 0 0 0 0 0 0 4 0 0 0 0 0 7 0 0 0 0 0 0 0 %d 0 4 0 0 0 0\n'
    'IcmpMsg: InType8 OutType0\nIcmpMsg: 4 4\n')


def counts(sent, switch):
    return icmp_redirects.count(FakeHost([QROUTER], {
        (QROUTER, 'cat /proc/net/snmp'): SNMP % sent,
        (QROUTER, 'cat /proc/sys/net/ipv4/conf/all/send_redirects'):
            switch + '\n'}), QROUTER)


class TestOutRedirects(base.TestCase):

    def test_the_counter_of_the_icmp_rows(self):
        self.assertEqual(3, icmp_redirects.out_redirects(SNMP % 3))

    def test_text_without_the_rows_is_an_error(self):
        self.assertRaises(ValueError, icmp_redirects.out_redirects,
                          'Ip: Forwarding\nIp: 1\n')


class TestCount(base.TestCase):

    def test_counter_and_switch(self):
        found = counts(2, '0')
        self.assertEqual((2, '0'), (found.sent, found.send_redirects))
        self.assertEqual(
            'host compute1, %s: 2 ICMP redirects sent; '
            'net.ipv4.conf.all.send_redirects = 0 now' % QROUTER,
            found.text())

    def test_no_namespace_is_none(self):
        self.assertIsNone(icmp_redirects.count(FakeHost([]), QROUTER))

    def test_failed_read_is_an_error(self):
        host = FakeHost([QROUTER], {
            (QROUTER, 'cat /proc/net/snmp'): (1, '', 'Permission denied\n')})
        self.assertRaises(hosts.HostAccessError, icmp_redirects.count,
                          host, QROUTER)


class TestProblem(base.TestCase):

    def test_none_sent_passes(self):
        self.assertIsNone(icmp_redirects.problem([counts(0, '1')]))

    def test_sent_while_still_on_fails(self):
        problem = icmp_redirects.problem([counts(0, '0'), counts(5, '1')])
        self.assertIn('5 ICMP redirects sent', problem)
        self.assertIn('send_redirects = 1 now', problem)

    def test_sent_and_off_now_is_the_known_defect(self):
        self.assertRaises(icmp_redirects.SentBeforeSwitchedOff,
                          icmp_redirects.problem, [counts(1, '0')])


class TestEvidence(base.TestCase):

    def host_of(self, sent):
        def client(name):
            if name == 'broken':
                raise hosts.HostAccessError('host broken: no route')
            host = FakeHost([QROUTER] if name != 'bare' else [], {
                (QROUTER, 'cat /proc/net/snmp'): SNMP % sent.get(name, 0),
                (QROUTER, 'cat /proc/sys/net/ipv4/conf/all/send_redirects'):
                    '0\n'})
            host.name = name
            return host
        return client

    def test_every_host_and_the_defect_when_sent(self):
        text = icmp_redirects.evidence(
            self.host_of({'a': 2, 'b': 0}), ['a', 'b', 'bare', 'broken'],
            QROUTER)
        self.assertEqual([
            'ICMP redirects of the router:',
            '  host a, %s: 2 ICMP redirects sent; '
            'net.ipv4.conf.all.send_redirects = 0 now' % QROUTER,
            '  host b, %s: 0 ICMP redirects sent; '
            'net.ipv4.conf.all.send_redirects = 0 now' % QROUTER,
            '  host bare: no namespace %s' % QROUTER,
            '  host broken, %s: not read (host broken: no route)' % QROUTER,
        ], text.splitlines()[:5])
        self.assertIn('qrouter-icmp-redirects', text.splitlines()[5])

    def test_no_defect_named_when_none_sent(self):
        text = icmp_redirects.evidence(self.host_of({'a': 0}), ['a'],
                                       QROUTER)
        self.assertNotIn('known Neutron defect', text)
