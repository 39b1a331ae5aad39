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

"""Build small pcap files of Ethernet frames, for dpkt and tcpdump to read."""

import socket
import struct

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86dd
ETH_ARP = 0x0806
ETH_VLAN = 0x8100


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def mac_bytes(mac):
    return bytes(int(part, 16) for part in mac.split(':'))


def ethernet(src, dst, ethertype, payload, vlan=None):
    header = mac_bytes(dst) + mac_bytes(src)
    if vlan is not None:
        header += struct.pack('!HH', ETH_VLAN, vlan)
    return header + struct.pack('!H', ethertype) + payload


def ipv4(src, dst, payload, protocol=1, ttl=64):
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0,
                         ttl, protocol, 0, socket.inet_aton(src),
                         socket.inet_aton(dst))
    header = header[:10] + struct.pack('!H', checksum(header)) + header[12:]
    return header + payload


def icmp(icmp_type, code, rest, data=b'x' * 56):
    body = struct.pack('!BBH', icmp_type, code, 0) + rest + data
    return body[:2] + struct.pack('!H', checksum(body)) + body[4:]


def icmp_echo(icmp_type, ident, seq):
    return icmp(icmp_type, 0, struct.pack('!HH', ident, seq))


def ipv6_icmp_echo(src, dst, icmp_type, ident, seq):
    body = struct.pack('!BBHHH', icmp_type, 0, 0, ident, seq) + b'y' * 56
    src = socket.inet_pton(socket.AF_INET6, src)
    dst = socket.inet_pton(socket.AF_INET6, dst)
    pseudo = src + dst + struct.pack('!IxxxB', len(body), 58)
    body = body[:2] + struct.pack('!H', checksum(pseudo + body)) + body[4:]
    return struct.pack('!IHBB', 6 << 28, len(body), 58, 64) + src + dst + body


def arp_request(src_mac, src_ip, target_ip):
    return struct.pack('!HHBBH6s4s6s4s', 1, ETH_IPV4, 6, 4, 1,
                       mac_bytes(src_mac), socket.inet_aton(src_ip),
                       b'\0' * 6, socket.inet_aton(target_ip))


def pcap_bytes(frames, start=1700000000, step_us=1000, linktype=1):
    """A pcap file of frames (link type 1 Ethernet, 101 raw IP)."""
    data = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for index, frame in enumerate(frames):
        data += struct.pack('<IIII', start, step_us * index, len(frame),
                            len(frame)) + frame
    return data


def write_pcap(path, frames, start=1700000000, step_us=1000, linktype=1):
    with open(path, 'wb') as f:
        f.write(pcap_bytes(frames, start, step_us, linktype))


def echo_frame(src_mac, dst_mac, src, dst, reply, ident, seq, size=56):
    """An Ethernet frame of one IPv4 echo request (or reply)."""
    body = icmp(0 if reply else 8, 0, struct.pack('!HH', ident, seq),
                b'\xa7' * size)
    return ethernet(src_mac, dst_mac, ETH_IPV4, ipv4(src, dst, body))
