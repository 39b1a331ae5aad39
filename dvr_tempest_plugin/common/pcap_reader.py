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

"""ICMP packets read from the bytes of a pcap file, with dpkt.

A capture on one device (tcpdump -i <device> -w) is Ethernet; a frame is
OUT when the device's MAC sent it, IN otherwise. Linux cooked captures
say which way themselves; raw IP captures cannot tell (direction None).
"""

import collections
import io
import socket

import dpkt

IN = 'in'
OUT = 'out'

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
LINKTYPE_RAW = (12, 14, 101)
SLL_OUTGOING = 4
PCAP_MAGICS = (b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\xc3\xd4',   # microseconds
               b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')   # nanoseconds

IcmpPacket = collections.namedtuple(
    'IcmpPacket', 'direction src dst icmp_type icmp_id seq time',
    defaults=(None,))

ECHO_TYPES = {(4, 8): 'echo request', (4, 0): 'echo reply',
              (6, 128): 'echo request', (6, 129): 'echo reply'}
UNREACHABLE = {0: 'net unreachable', 1: 'host unreachable',
               2: 'protocol unreachable', 3: 'port unreachable',
               4: 'fragmentation needed', 13: 'administratively prohibited'}
OTHER_TYPES = {(4, 11): 'time exceeded', (4, 5): 'redirect',
               (6, 1): 'destination unreachable', (6, 2): 'packet too big',
               (6, 3): 'time exceeded'}


class PcapError(ValueError):
    """The bytes are not a pcap file dpkt can read."""


def is_pcap(data):
    return bytes(data[:4]) in PCAP_MAGICS


def _mac(raw):
    return ':'.join('%02x' % octet for octet in raw)


def _address(raw):
    family = socket.AF_INET6 if len(raw) == 16 else socket.AF_INET
    return socket.inet_ntop(family, raw)


def _icmp_name(version, icmp):
    echo = ECHO_TYPES.get((version, icmp.type))
    if echo:
        return echo
    if version == 4 and icmp.type == 3:
        return UNREACHABLE.get(icmp.code, 'unreachable code %d' % icmp.code)
    return OTHER_TYPES.get((version, icmp.type),
                           'ICMP%s type %d code %d' % (
                               '' if version == 4 else '6', icmp.type,
                               icmp.code))


def _icmp_of(ip):
    """(IP version, ICMP message) carried by ip, or None."""
    if isinstance(ip, dpkt.ip.IP) and isinstance(ip.data, dpkt.icmp.ICMP):
        return 4, ip.data
    if isinstance(ip, dpkt.ip6.IP6) and isinstance(ip.data,
                                                   dpkt.icmp6.ICMP6):
        return 6, ip.data
    return None


def _network_layer(linktype, frame, device_mac):
    """(direction, IP packet) of one captured frame."""
    if linktype == LINKTYPE_ETHERNET:
        ethernet = dpkt.ethernet.Ethernet(frame)
        direction = None
        if device_mac:
            direction = OUT if _mac(ethernet.src) == device_mac else IN
        return direction, ethernet.data
    if linktype == LINKTYPE_LINUX_SLL:
        cooked = dpkt.sll.SLL(frame)
        return OUT if cooked.type == SLL_OUTGOING else IN, cooked.data
    if linktype in LINKTYPE_RAW:
        version = frame[0] >> 4 if frame else 0
        return None, (dpkt.ip6.IP6 if version == 6 else dpkt.ip.IP)(frame)
    raise PcapError('link type %d is not Ethernet, Linux cooked or raw IP'
                    % linktype)


def read_icmp(data, device_mac=None):
    """The ICMP packets of a pcap file's bytes, in order, as IcmpPackets.

    icmp_id and seq are None for ICMP messages other than echoes; frames
    that are not ICMP, or are cut short, are left out.
    """
    if not is_pcap(data):
        raise PcapError('not a pcap file (starts with %r)' % bytes(data[:8]))
    try:
        reader = dpkt.pcap.Reader(io.BytesIO(data))
    except (ValueError, dpkt.UnpackError) as exc:
        raise PcapError('unreadable pcap header: %s' % exc) from None
    mac = device_mac.lower() if device_mac else None
    linktype = reader.datalink()
    packets = []
    for timestamp, frame in reader:
        try:
            direction, ip = _network_layer(linktype, frame, mac)
        except (dpkt.UnpackError, IndexError):
            continue
        found = _icmp_of(ip)
        if found is None:
            continue
        version, icmp = found
        icmp_id = seq = None
        if (version, icmp.type) in ECHO_TYPES:
            icmp_id, seq = icmp.data.id, icmp.data.seq
        packets.append(IcmpPacket(direction, _address(ip.src),
                                  _address(ip.dst), _icmp_name(version, icmp),
                                  icmp_id, seq, float(timestamp)))
    return packets


def describe(packet):
    """One line per packet, in the manner of `tcpdump -n -tt`."""
    echo = (', id %d, seq %d' % (packet.icmp_id, packet.seq)
            if packet.seq is not None else '')
    when = '%.6f ' % packet.time if packet.time is not None else ''
    return '%s%s %s > %s: ICMP %s%s' % (
        when, packet.direction or '?', packet.src, packet.dst,
        packet.icmp_type, echo)
