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

"""One recorded east-west probe, VM1 -> VM2, as each qr- device saw it.

Two requests and two replies, id 31: the pcaps are built frame by frame
as tcpdump -w writes them (Ethernet), and once without link-layer headers
(raw IP), where no direction can be read.
"""

from dvr_tempest_plugin.common import capture
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.tests.unit import pcap

QROUTER = 'qrouter-5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
SNAT = 'snat-5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
QR1_MAC = 'fa:16:3e:11:11:11'
QR2_MAC = 'fa:16:3e:22:22:22'
SG2_MAC = 'fa:16:3e:33:33:33'
VM1_MAC = 'fa:16:3e:aa:aa:01'
VM2_MAC = 'fa:16:3e:bb:bb:02'
VM1_IP = '10.100.0.5'
VM2_IP = '10.100.1.7'
PROBE = probes.Probe(size=612, pattern=0xa7)

A1 = paths.Point('compute1', QROUTER, 'qr-8b1d2c3e-4f', 'qr- subnet1')
A2 = paths.Point('compute1', QROUTER, 'qr-9c2e3d4f-50', 'qr- subnet2')
B2 = paths.Point('compute2', QROUTER, 'qr-9c2e3d4f-50', 'qr- subnet2')
B1 = paths.Point('compute2', QROUTER, 'qr-8b1d2c3e-4f', 'qr- subnet1')
SG2 = paths.Point('compute1', SNAT, 'sg-2a3b4c5d-6e', 'sg- subnet2')
MACS = {A1: QR1_MAC, A2: QR2_MAC, B2: QR2_MAC, B1: QR1_MAC, SG2: SG2_MAC}
VM1 = paths.Endpoint('vm1', 'compute1', VM1_IP)
VM2 = paths.Endpoint('vm2', 'compute2', VM2_IP)


def request(src_mac, dst_mac, seq):
    return pcap.echo_frame(src_mac, dst_mac, VM1_IP, VM2_IP, False, 31, seq)


def reply(src_mac, dst_mac, seq):
    return pcap.echo_frame(src_mac, dst_mac, VM2_IP, VM1_IP, True, 31, seq)


def raw_ip(frame):
    return frame[14:]


A1_PCAP = pcap.pcap_bytes([request(VM1_MAC, QR1_MAC, 1),
                           request(VM1_MAC, QR1_MAC, 2)], step_us=200000)
A2_PCAP = pcap.pcap_bytes([request(QR2_MAC, VM2_MAC, 1),
                           request(QR2_MAC, VM2_MAC, 2)], step_us=200000)
B2_PCAP = pcap.pcap_bytes([reply(VM2_MAC, QR2_MAC, 1)])
B1_PCAP = pcap.pcap_bytes([reply(QR1_MAC, VM1_MAC, 1)])
# B's qr- of subnet1 read without link-layer headers: no way to tell
# whether it received these or sent them out.
B1_HEADERLESS_PCAP = pcap.pcap_bytes(
    [raw_ip(reply(QR1_MAC, VM1_MAC, 1)),
     raw_ip(request(VM1_MAC, QR1_MAC, 1))], linktype=101)
# The snat namespace forwarding a request it should never see.
SG2_FORWARDED_PCAP = pcap.pcap_bytes([request(QR2_MAC, SG2_MAC, 1),
                                      request(SG2_MAC, VM2_MAC, 1)])
EMPTY_PCAP = pcap.pcap_bytes([])


def observations(pcaps, points=(A1, A2, B2, B1)):
    """Observations of the points from their pcaps (empty when missing)."""
    pcaps = {point: pcaps.get(point, EMPTY_PCAP) for point in points}
    packets = {point: capture.parse_pcap(data, MACS[point])
               for point, data in pcaps.items()}
    return paths.Observations(list(points), PROBE, packets, pcaps)


def east_west(pcaps, points=(A1, A2, B2, B1)):
    """observations() as the east-west test fills them in."""
    seen = observations(pcaps, points)
    seen.path_order[paths.REQUEST] = [A1, A2]
    seen.path_order[paths.REPLY] = [B2, B1]
    seen.source, seen.destination = VM1, VM2
    seen.answered = 2
    return seen


EAST_WEST_EXPECTATIONS = [
    paths.seen(A1, paths.REQUEST, VM1_IP, VM2_IP, paths.IN),
    paths.seen(A2, paths.REQUEST, VM1_IP, VM2_IP, paths.OUT),
    paths.seen(B2, paths.REPLY, VM2_IP, VM1_IP, paths.IN),
    paths.seen(B1, paths.REPLY, VM2_IP, VM1_IP, paths.OUT),
    paths.not_forwarded(B2, paths.REQUEST),
    paths.not_forwarded(A1, paths.REPLY),
]
