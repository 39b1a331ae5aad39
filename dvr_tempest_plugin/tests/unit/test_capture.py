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


import os
import shutil
import struct
import subprocess
import tempfile
import uuid

from dvr_tempest_plugin.common import capture
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import pcap_reader
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import pcap

MAC_A = 'fa:16:3e:00:00:01'
MAC_B = 'fa:16:3e:00:00:02'

T0 = 1700000000.0
EXPECTED_FROM_A = [
    capture.IcmpPacket('out', '10.0.1.5', '10.0.2.7', 'echo request', 4242,
                       1, T0),
    capture.IcmpPacket('in', '10.0.2.7', '10.0.1.5', 'echo reply', 4242, 1,
                       T0 + 0.001),
    capture.IcmpPacket('out', '192.168.100.11', '172.24.4.254',
                       'echo request', 7, 65535, T0 + 0.002),
    capture.IcmpPacket('in', '10.0.2.1', '10.0.1.5', 'host unreachable',
                       None, None, T0 + 0.003),
    capture.IcmpPacket('out', 'fd00:1::5', 'fd00:2::7', 'echo request', 17,
                       3, T0 + 0.004),
    capture.IcmpPacket('in', 'fd00:2::7', 'fd00:1::5', 'echo reply', 17, 3,
                       T0 + 0.005),
]


def sample_frames():
    unreachable_payload = pcap.ipv4(
        '10.0.1.5', '10.0.2.9', pcap.icmp_echo(8, 1, 1))[:28]
    return [
        pcap.ethernet(MAC_A, MAC_B, pcap.ETH_IPV4, pcap.ipv4(
            '10.0.1.5', '10.0.2.7', pcap.icmp_echo(8, 4242, 1))),
        pcap.ethernet(MAC_B, MAC_A, pcap.ETH_IPV4, pcap.ipv4(
            '10.0.2.7', '10.0.1.5', pcap.icmp_echo(0, 4242, 1))),
        pcap.ethernet(MAC_A, MAC_B, pcap.ETH_IPV4, pcap.ipv4(
            '192.168.100.11', '172.24.4.254', pcap.icmp_echo(8, 7, 65535)),
            vlan=100),
        pcap.ethernet(MAC_B, MAC_A, pcap.ETH_IPV4, pcap.ipv4(
            '10.0.2.1', '10.0.1.5',
            pcap.icmp(3, 1, b'\0\0\0\0', unreachable_payload))),
        pcap.ethernet(MAC_A, MAC_B, pcap.ETH_IPV6, pcap.ipv6_icmp_echo(
            'fd00:1::5', 'fd00:2::7', 128, 17, 3)),
        pcap.ethernet(MAC_B, MAC_A, pcap.ETH_IPV6, pcap.ipv6_icmp_echo(
            'fd00:2::7', 'fd00:1::5', 129, 17, 3)),
        pcap.ethernet(MAC_A, 'ff:ff:ff:ff:ff:ff', pcap.ETH_ARP,
                      pcap.arp_request(MAC_A, '10.0.1.5', '10.0.1.1')),
    ]


def sample_pcap(**kwargs):
    return pcap.pcap_bytes(sample_frames(), **kwargs)


class TestParse(base.TestCase):
    """ICMP packets from the bytes of a pcap, with dpkt."""

    def assertPacketsEqual(self, expected, found):
        self.assertEqual([p._replace(time=None) for p in expected],
                         [p._replace(time=None) for p in found])
        for want, got in zip(expected, found):
            self.assertAlmostEqual(want.time, got.time, places=6)

    def test_sample(self):
        self.assertPacketsEqual(EXPECTED_FROM_A,
                                capture.parse_pcap(sample_pcap(), MAC_A))

    def test_direction_follows_the_device_mac(self):
        directions = [p.direction for p in
                      capture.parse_pcap(sample_pcap(), MAC_B.upper())]
        self.assertEqual(['in', 'out', 'in', 'out', 'in', 'out'], directions)

    def test_unknown_mac_gives_no_direction(self):
        self.assertEqual(
            {None}, {p.direction for p in capture.parse_pcap(sample_pcap())})

    def test_raw_ip_capture_has_no_direction(self):
        frames = [frame[14:] for frame in sample_frames()[:2]]
        self.assertEqual(
            [(None, 'echo request'), (None, 'echo reply')],
            [(p.direction, p.icmp_type) for p in capture.parse_pcap(
                pcap.pcap_bytes(frames, linktype=101), MAC_A)])

    def test_linux_cooked_capture_says_its_direction(self):
        def cooked(packet_type, frame):
            return (struct.pack('!HHH8sH', packet_type, 1, 6, b'\0' * 8,
                                pcap.ETH_IPV4) + frame[14:])
        first, second = sample_frames()[:2]
        data = pcap.pcap_bytes([cooked(4, first), cooked(0, second)],
                               linktype=113)
        self.assertEqual(['out', 'in'], [
            p.direction for p in capture.parse_pcap(data, MAC_B)])

    def test_cut_short_frame_is_left_out(self):
        first, second = sample_frames()[:2]
        data = pcap.pcap_bytes([first[:30], second])
        self.assertEqual(['echo reply'], [
            p.icmp_type for p in capture.parse_pcap(data, MAC_A)])

    def test_no_packets(self):
        self.assertEqual([], capture.parse_pcap(pcap.pcap_bytes([]), MAC_A))

    def test_not_a_pcap(self):
        self.assertRaises(pcap_reader.PcapError, capture.parse_pcap,
                          b'tcpdump: error', MAC_A)
        self.assertRaises(pcap_reader.PcapError, capture.parse_pcap, b'',
                          MAC_A)

    def test_describe(self):
        self.assertEqual(
            '1700000000.000000 out 10.0.1.5 > 10.0.2.7: ICMP echo request, '
            'id 4242, seq 1', pcap_reader.describe(EXPECTED_FROM_A[0]))
        self.assertEqual('? 10.0.2.1 > 10.0.1.5: ICMP host unreachable',
                         pcap_reader.describe(EXPECTED_FROM_A[3]._replace(
                             direction=None, time=None)))

    def test_tcpdump_reads_the_same_pcap(self):
        tcpdump = shutil.which('tcpdump')
        if not tcpdump:
            self.skipTest('tcpdump is not installed')
        path = os.path.join(tempfile.mkdtemp(), 'sample.pcap')
        self.addCleanup(shutil.rmtree, os.path.dirname(path))
        pcap.write_pcap(path, sample_frames())
        output = subprocess.run(
            [tcpdump, '-r', path, '-n', '-tt'], check=True,
            capture_output=True, text=True).stdout
        self.assertEqual(len(EXPECTED_FROM_A), output.count('ICMP'))


class FakeHost(object):
    """Records argv lists; answers by the first word of a script or argv."""

    name = 'cpnw1'
    address = '10.250.0.11'

    def __init__(self, answers=None):
        self.calls = []
        self.binary_calls = []
        self.answers = answers or {}

    def devices(self, namespace):
        self.calls.append(('devices', namespace))
        return {'qr-8f1e2d3c-4b': {'addresses': [], 'state': 'UP',
                                   'mac': MAC_A}}

    def run(self, argv, timeout=None, check=True, prefix=True,
            binary=False):
        self.calls.append(argv)
        if binary:
            self.binary_calls.append(argv)
        key = argv[2] if argv[0] == 'sh' else argv[0]
        status, stdout, stderr = self.answers.get(key, (0, '', ''))
        if check and status:
            raise hosts.HostAccessError('failed: %s' % stderr)
        return hosts.CommandResult(self.name, ' '.join(argv), status, stdout,
                                   stderr)


class TestCaptureCommands(base.TestCase):

    def make(self, **answers):
        host = FakeHost({capture._SPAWN: (0, '4242\n', '')})
        host.answers.update(answers)
        return host, capture.Capture(host, 'qrouter-4d3f', 'qr-8f1e2d3c-4b',
                                     bpf_filter='icmp and host 10.0.1.5',
                                     count=20, seconds=15)

    def test_start_and_stop(self):
        host, cap = self.make(cat=(0, sample_pcap(), ''))
        self.assertIs(cap, cap.start())
        self.assertEqual(4242, cap.pid)
        self.assertTrue(cap.path.startswith('/tmp/dvr-capture-'))
        self.assertTrue(cap.path.endswith('.pcap'))
        self.assertEqual(
            [('devices', 'qrouter-4d3f'),
             ['sh', '-c', capture._SPAWN, 'sh', capture._RUNNER, '15',
              'qrouter-4d3f', 'qr-8f1e2d3c-4b', '20', cap.path,
              cap.pid_file, 'icmp and host 10.0.1.5'],
             ['sh', '-c', capture._WAIT_LISTENING, 'sh', '4242',
              cap.log_file, '100']],
            host.calls)
        del host.calls[:]
        self.assertEqual(EXPECTED_FROM_A, cap.packets())
        self.assertEqual(
            [['sh', '-c', capture._STOP, 'sh', '4242', cap.path, '50', '0.5'],
             ['cat', cap.path],
             ['rm', '-f', cap.path, cap.pid_file, cap.log_file]],
            host.calls)
        self.assertEqual([['cat', cap.path]], host.binary_calls)
        self.assertEqual(sample_pcap(), cap.stop())
        self.assertEqual(3, len(host.calls))

    def test_scripts_stop_by_pid_only(self):
        scripts = ' '.join((capture._SPAWN, capture._RUNNER,
                            capture._WAIT_LISTENING, capture._STOP))
        self.assertNotIn('pkill', scripts)
        self.assertNotIn('killall', scripts)
        self.assertIn('kill "$1"', capture._STOP)
        self.assertIn('/proc/$1/cmdline', capture._STOP)
        self.assertIn('exec timeout -k 5 "$1" ip netns exec "$2" tcpdump',
                      capture._RUNNER)

    def test_unknown_device(self):
        host, cap = self.make()
        cap.device = 'qr-nope'
        exc = self.assertRaises(capture.CaptureError, cap.start)
        self.assertEqual('host cpnw1 (10.250.0.11): capture on qr-nope in '
                         'qrouter-4d3f: no such device; the namespace has '
                         'qr-8f1e2d3c-4b', str(exc))

    def test_no_pid(self):
        host, cap = self.make(**{capture._SPAWN: (0, '\n', '')})
        self.assertRaises(capture.CaptureError, cap.start)
        self.assertEqual(['rm', '-f', cap.path, cap.pid_file, cap.log_file],
                         host.calls[-1])

    def test_not_listening(self):
        host, cap = self.make(**{capture._WAIT_LISTENING: (
            1, '', 'tcpdump: qr-8f1e2d3c-4b: No such device exists\n')})
        exc = self.assertRaises(capture.CaptureError, cap.start)
        self.assertIn('tcpdump is not listening: tcpdump: qr-8f1e2d3c-4b: '
                      'No such device exists', str(exc))
        self.assertEqual(capture._STOP, host.calls[-2][2])
        self.assertEqual('rm', host.calls[-1][0])
        self.assertEqual(b'', cap.stop())
        self.assertEqual([], cap.packets())

    def test_unreadable_file_is_still_removed(self):
        host, cap = self.make(cat=(1, b'', 'cat: No such file or directory'))
        cap.start()
        exc = self.assertRaises(capture.CaptureError, cap.stop)
        self.assertIn('cannot read %s: cat: No such file' % cap.path,
                      str(exc))
        self.assertEqual('rm', host.calls[-1][0])

    def test_file_that_is_no_pcap_is_an_error(self):
        host, cap = self.make(cat=(0, b'', ''))
        cap.start()
        exc = self.assertRaises(capture.CaptureError, cap.stop)
        self.assertIn('is not a pcap file (0 bytes)', str(exc))
        self.assertEqual('rm', host.calls[-1][0])

    def test_context_manager(self):
        host, cap = self.make(cat=(0, sample_pcap(), ''))
        with cap:
            pass
        self.assertEqual(sample_pcap(), cap.pcap)


class LocalHost(hosts.HostClient):
    """Runs host commands on this machine through bash, as sshd would."""

    def __init__(self):
        super().__init__('localhost', '127.0.0.1')

    def run(self, argv, timeout=30, check=True, prefix=True, binary=False):
        command = hosts.build_command(argv, timeout or 30)
        done = subprocess.run(['bash', '-c', command], capture_output=True,
                              timeout=timeout + 15)
        stdout = done.stdout if binary else done.stdout.decode()
        stderr = done.stderr.decode()
        if check and done.returncode:
            raise hosts.HostAccessError('%s: %s' % (command, stderr))
        return hosts.CommandResult(self.name, command, done.returncode,
                                   stdout, stderr)


class TestCaptureOnThisMachine(base.TestCase):
    """The capture scripts for real: two namespaces joined by a veth."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest('needs root for network namespaces')
        for tool in ('ip', 'tcpdump', 'ping', 'setsid', 'timeout'):
            if not shutil.which(tool):
                self.skipTest('%s is not installed' % tool)
        tag = uuid.uuid4().hex[:8]
        self.ns_a, self.ns_b = 'dvrut-%s-a' % tag, 'dvrut-%s-b' % tag
        for ns in (self.ns_a, self.ns_b):
            self._ip('netns', 'add', ns)
            self.addCleanup(self._ip, 'netns', 'del', ns)
        self._ip('link', 'add', 'ut' + tag, 'netns', self.ns_a, 'type',
                 'veth', 'peer', 'name', 'ut' + tag, 'netns', self.ns_b)
        self.device = 'ut' + tag
        for ns, address in ((self.ns_a, '10.255.0.1/30'),
                            (self.ns_b, '10.255.0.2/30')):
            self._ip('-n', ns, 'addr', 'add', address, 'dev', self.device)
            self._ip('-n', ns, 'link', 'set', self.device, 'up')

    def _ip(self, *args):
        subprocess.run(('ip',) + args, check=True, capture_output=True)

    def _ping(self, count):
        subprocess.run(['ip', 'netns', 'exec', self.ns_a, 'ping', '-c',
                        str(count), '-i', '0.2', '-W', '2', '10.255.0.2'],
                       check=True, capture_output=True)

    def test_capture_ping(self):
        host = LocalHost()
        cap = capture.Capture(host, self.ns_a, self.device,
                              bpf_filter='icmp', seconds=20).start()
        self.addCleanup(cap.stop)
        self._ping(3)
        packets = cap.packets()
        self.assertEqual(
            [('out', 'echo request', 1), ('in', 'echo reply', 1),
             ('out', 'echo request', 2), ('in', 'echo reply', 2),
             ('out', 'echo request', 3), ('in', 'echo reply', 3)],
            [(p.direction, p.icmp_type, p.seq) for p in packets])
        self.assertEqual({('10.255.0.1', '10.255.0.2')},
                         {(p.src, p.dst) for p in packets[::2]})
        for path in (cap.path, cap.pid_file, cap.log_file):
            self.assertFalse(os.path.exists(path), path)
        self.assertFalse(os.path.exists('/proc/%d' % cap.pid) and
                         cap.path in open('/proc/%d/cmdline' % cap.pid).read())

    def test_capture_ends_at_its_packet_count(self):
        cap = capture.Capture(LocalHost(), self.ns_a, self.device,
                              count=2, seconds=20).start()
        self.addCleanup(cap.stop)
        self._ping(2)
        self.assertEqual(2, len(cap.packets()))

    def test_bad_filter_is_reported(self):
        cap = capture.Capture(LocalHost(), self.ns_a, self.device,
                              bpf_filter='icmp and nonsense', seconds=5)
        exc = self.assertRaises(capture.CaptureError, cap.start)
        self.assertIn('syntax error', str(exc))
        self.assertFalse(os.path.exists(cap.path))
