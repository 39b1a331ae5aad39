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

"""Packet captures with tcpdump inside a namespace on a host.

A capture runs in its own session on the host, bounded by `timeout` and a
packet count, and is known by the PID it wrote to a file. It is stopped
with `kill <pid>` (after a short settle time for packets in flight) only
when /proc/<pid>/cmdline shows it is still our capture; then its pcap
file is brought to the tester (`cat`, through host_command_prefix, so it
is read where tcpdump wrote it, container or not), removed from the host,
and read with dpkt (common/pcap_reader.py). The host needs tcpdump and a
shell only. The file name ends in .pcap because Ubuntu's AppArmor profile
for tcpdump only lets it write such files.
"""

import logging
import uuid

from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import pcap_reader
from dvr_tempest_plugin.common import settings

LOG = logging.getLogger(__name__)

CAPTURE_DIR = '/tmp'
DEFAULT_COUNT = 100
READY_SECONDS = 10
STOP_SECONDS = 5
SETTLE_SECONDS = 0.5
IN = pcap_reader.IN
OUT = pcap_reader.OUT

IcmpPacket = pcap_reader.IcmpPacket
parse_pcap = pcap_reader.read_icmp

# Positional parameters of both scripts: 1 seconds, 2 namespace,
# 3 device, 4 count, 5 capture file, 6 pid file, 7 filter.
_RUNNER = (
    'echo $$ >"$6"; '
    'exec timeout -k 5 "$1" ip netns exec "$2" '
    'tcpdump -l -n -e -U --immediate-mode -i "$3" -c "$4" -w "$5" ${7:+"$7"}')
_SPAWN = (
    'runner=$1; shift; '
    'setsid sh -c "$runner" sh "$@" </dev/null >"$5.log" 2>&1 & '
    'i=0; '
    'while [ ! -s "$6" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); '
    'done; '
    'cat "$6" 2>/dev/null || { cat "$5.log" >&2; exit 1; }')
_WAIT_LISTENING = (
    'i=0; '
    'while [ "$i" -lt "$3" ]; do '
    'grep -q "listening on" "$2" && exit 0; '
    'kill -0 "$1" 2>/dev/null || break; '
    'sleep 0.1; i=$((i + 1)); '
    'done; '
    'cat "$2" >&2; exit 1')
_OURS = 'grep -qaF -- "$2" "/proc/$1/cmdline" 2>/dev/null'
_STOP = (
    'sleep "$4"; '
    'if %(ours)s; then kill "$1"; fi; '
    'i=0; '
    'while [ "$i" -lt "$3" ] && %(ours)s; do sleep 0.1; i=$((i + 1)); done'
    % {'ours': _OURS})


class CaptureError(hosts.HostAccessError):
    """A capture could not be started or read."""


class Capture(object):

    def __init__(self, host_client, namespace, device, bpf_filter='icmp',
                 count=DEFAULT_COUNT, seconds=None):
        self.host = host_client
        self.namespace = namespace
        self.device = device
        self.bpf_filter = bpf_filter
        self.count = count
        self.seconds = seconds
        self.path = '%s/dvr-capture-%s.pcap' % (CAPTURE_DIR, uuid.uuid4().hex)
        self.pid = None
        self.device_mac = None
        self.pcap = None

    @property
    def pid_file(self):
        return self.path + '.pid'

    @property
    def log_file(self):
        return self.path + '.log'

    def _where(self):
        return 'host %s (%s): capture on %s in %s' % (
            self.host.name, self.host.address, self.device, self.namespace)

    def start(self):
        seconds = self.seconds
        if seconds is None:
            seconds = settings.capture_seconds()
        devices = self.host.devices(self.namespace)
        if self.device not in devices:
            raise CaptureError('%s: no such device; the namespace has %s' %
                               (self._where(), ', '.join(sorted(devices))))
        self.device_mac = devices[self.device]['mac']
        result = self.host.run(
            ['sh', '-c', _SPAWN, 'sh', _RUNNER, str(int(seconds)),
             self.namespace, self.device, str(int(self.count)), self.path,
             self.pid_file, self.bpf_filter or ''])
        pid = result.stdout.strip()
        if not pid.isdigit():
            self._remove_files()
            raise CaptureError('%s: no PID from the capture, got %r' %
                               (self._where(), pid))
        self.pid = int(pid)
        LOG.debug('%s: tcpdump started, pid %d, file %s',
                  self._where(), self.pid, self.path)
        self._wait_listening()
        return self

    def _wait_listening(self):
        result = self.host.run(
            ['sh', '-c', _WAIT_LISTENING, 'sh', str(self.pid), self.log_file,
             str(READY_SECONDS * 10)], check=False)
        if result.exit_status != 0:
            self._abort()
            raise CaptureError('%s: tcpdump is not listening: %s' %
                               (self._where(),
                                result.stderr.strip() or '(no output)'))

    def stop(self):
        """Stop the capture, fetch and remove its file; return its bytes.

        A capture that never started gives b''; every other gives the
        pcap file tcpdump wrote.
        """
        if self.pcap is not None:
            return self.pcap
        if self.pid is None:
            self._remove_files()
            self.pcap = b''
            return self.pcap
        try:
            self._kill()
            result = self.host.run(['cat', self.path], check=False,
                                   binary=True)
            if result.exit_status != 0:
                raise CaptureError('%s: cannot read %s: %s' % (
                    self._where(), self.path, result.stderr.strip()))
            if not pcap_reader.is_pcap(result.stdout):
                raise CaptureError('%s: %s is not a pcap file (%d bytes)' % (
                    self._where(), self.path, len(result.stdout)))
            self.pcap = result.stdout
        finally:
            self._remove_files()
        return self.pcap

    def _kill(self, check=True):
        self.host.run(['sh', '-c', _STOP, 'sh', str(self.pid), self.path,
                       str(STOP_SECONDS * 10), str(SETTLE_SECONDS)],
                      check=check)

    def _abort(self):
        try:
            self._kill(check=False)
        finally:
            self._remove_files()
            self.pcap = b''

    def _remove_files(self):
        self.host.run(['rm', '-f', self.path, self.pid_file, self.log_file],
                      check=False)

    def packets(self):
        """ICMP packets seen, as IcmpPacket records; stops the capture."""
        data = self.stop()
        if not data:
            return []
        return pcap_reader.read_icmp(data, self.device_mac)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc_value, traceback):
        try:
            self.stop()
        except hosts.HostAccessError:
            if exc_type is None:
                raise
            LOG.exception('%s: stopping failed', self._where())
