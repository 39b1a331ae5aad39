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

"""Pings that carry a mark of their own, from the tester or from a VM.

A Probe is an ICMP echo of a random payload size filled with zeros: a
capture filter built from it matches the test's own packets and nothing
that parallel tests or background traffic send. The fill is always zero:
busybox's ping (cirros and other small guests) writes the -p byte over
the ICMP header's code field too, and an echo request whose code is not
zero is invalid to Open vSwitch's userspace conntrack, which drops it.

A PingResult is what one bounded `ping` run reports; a ContinuousProbe
runs bounded bursts back to back on a thread and tells how many probes
were lost, and for how long in a row.
"""

import dataclasses
import logging
import random
import re
import shlex
import subprocess
import threading
import time

from tempest.lib import exceptions as lib_exc

LOG = logging.getLogger(__name__)

INTERVAL = 0.2          # seconds between probes; the smallest non-root value
REPLY_WAIT = 1          # seconds `ping -W` waits for each reply
LOCAL_MARGIN = 10       # seconds a local ping may overrun its deadline
IP_ICMP_HEADERS = 28    # IPv4 header (no options) + ICMP echo header
ICMP_HEADER = 8
# iputils puts a struct timeval (16 bytes on 64-bit) and busybox 4 bytes
# of timestamp at the start of the payload; the pattern is there after.
PATTERN_OFFSET = ICMP_HEADER + 16
# Payload sizes keep the packet below a VXLAN tenant MTU of 1450.
MIN_SIZE = 400
MAX_SIZE = 1100

_STATS_RE = re.compile(
    r'(?P<sent>\d+) packets transmitted, (?P<received>\d+) '
    r'(?:packets )?received')
# iputils numbers its probes from 1 (icmp_seq=1), busybox from 0 (seq=0).
_SEQ_RE = re.compile(r'bytes from .*?(?P<iputils>icmp_)?seq=(?P<seq>\d+)')
# iputils counts a probe it failed to send as transmitted, after saying so.
_SEND_ERROR_RE = re.compile(r'^ping: send(?:msg|to): .*$', re.MULTILINE)


class ProbeDidNotLook(Exception):
    """A ping that sent nothing or failed: its silence proves nothing."""


@dataclasses.dataclass(frozen=True)
class Probe:
    """ICMP echoes of one payload size, filled with one byte."""

    size: int
    pattern: int = 0

    @classmethod
    def unique(cls):
        return cls(size=random.randint(MIN_SIZE, MAX_SIZE))

    @property
    def ip_length(self):
        return self.size + IP_ICMP_HEADERS

    def bpf_filter(self):
        """tcpdump filter for these echoes (requests and replies alike)."""
        return 'icmp and ip[2:2] == %d and icmp[%d] == 0x%02x' % (
            self.ip_length, PATTERN_OFFSET, self.pattern)

    def ping_argv(self, destination, count, deadline=None):
        """`ping` bounded by count, by -W per reply and by -w overall."""
        if deadline is None:
            deadline = burst_deadline(count)
        return ['ping', '-n', '-c', str(count), '-i', str(INTERVAL),
                '-W', str(REPLY_WAIT), '-w', str(deadline),
                '-s', str(self.size), '-p', '%02x' % self.pattern,
                destination]

    def __str__(self):
        return ('ICMP echo with a %d-byte payload of 0x%02x (IP length %d)'
                % (self.size, self.pattern, self.ip_length))


def burst_deadline(count):
    """Seconds a burst of count probes needs, last reply wait included."""
    return int(count * INTERVAL) + REPLY_WAIT + 1


@dataclasses.dataclass
class PingResult:
    """What one ping run reported."""

    source: str
    destination: str
    sent: int
    received: int
    replied_seqs: frozenset = frozenset()
    output: str = ''
    error: str = None
    first_seq: int = 1

    @property
    def lost(self):
        return self.sent - self.received

    @property
    def looked(self):
        """Whether probes went out and ping counted them.

        Only then does "no reply" mean something.
        """
        return self.error is None and self.sent > 0

    @classmethod
    def parse(cls, source, destination, output):
        stats = _STATS_RE.search(output)
        if not stats:
            last = (output.strip().splitlines() or ['no output'])[-1]
            return cls.failed(source, destination, 0,
                              'no ping statistics in the output: %s' %
                              last.strip(), output)
        replies = list(_SEQ_RE.finditer(output))
        seqs = frozenset(int(m.group('seq')) for m in replies)
        first_seq = 0 if replies and not replies[0].group('iputils') else 1
        send_error = _SEND_ERROR_RE.search(output)
        return cls(source, destination, int(stats.group('sent')),
                   int(stats.group('received')), seqs, output,
                   send_error and 'could not send: %s' % send_error.group(),
                   first_seq)

    @classmethod
    def failed(cls, source, destination, count, error, output=''):
        """A run that could not be made: its count of probes is lost."""
        return cls(source, destination, count, 0, frozenset(), output, error)

    def outcomes(self):
        """One bool per probe sent, in order: True when it was answered."""
        return [self.first_seq + i in self.replied_seqs
                for i in range(self.sent)]

    def summary(self):
        text = '%s -> %s: %d sent, %d received, %d lost' % (
            self.source, self.destination, self.sent, self.received,
            self.lost)
        if self.error:
            text += ' (%s)' % self.error
        return text


def require_looked(result):
    """Raise ProbeDidNotLook unless result's probes went out and counted.

    For checks that expect no reply: a ping that could not send proves
    nothing, and must be a test error rather than a pass.
    """
    if result.looked:
        return
    if result.error:
        why = result.error
    else:
        why = 'no probe sent'
    raise ProbeDidNotLook('%s -> %s: the probe did not look (%d sent; %s)'
                          % (result.source, result.destination, result.sent,
                             why))


def ping_from_tester(probe, destination, count, source='tester'):
    """Ping from the machine running tempest; never raises on loss."""
    deadline = burst_deadline(count)
    argv = probe.ping_argv(destination, count, deadline)
    try:
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=deadline + LOCAL_MARGIN, check=False)
    except subprocess.TimeoutExpired:
        return PingResult.failed(source, destination, count,
                                 'ping did not end within %d s' %
                                 (deadline + LOCAL_MARGIN))
    except OSError as exc:
        return PingResult.failed(source, destination, count,
                                 'cannot run ping: %s' % exc)
    return PingResult.parse(source, destination, done.stdout + done.stderr)


def ping_from_vm(remote, probe, destination, count, source):
    """Ping from a VM over SSH (a RemoteClient); never raises on loss.

    An SSH failure is reported as a run whose probes were all lost.
    """
    command = shlex.join(probe.ping_argv(destination, count)) + ' || true'
    try:
        output = remote.exec_command(command)
    except (lib_exc.SSHTimeout, lib_exc.SSHExecCommandFailed,
            lib_exc.TimeoutException, OSError, EOFError) as exc:
        return PingResult.failed(source, destination, count,
                                 'SSH to %s failed: %s' % (source, exc))
    return PingResult.parse(source, destination, output)


@dataclasses.dataclass
class ProbeReport:
    """Bursts of one continuous probe, with the figures they add up to."""

    name: str
    bursts: list

    @property
    def sent(self):
        return sum(result.sent for _, result in self.bursts)

    @property
    def received(self):
        return sum(result.received for _, result in self.bursts)

    @property
    def lost(self):
        return self.sent - self.received

    def _timeline(self):
        """(time, answered) per probe, in the order they were sent."""
        for started, result in self.bursts:
            for i, answered in enumerate(result.outcomes()):
                yield started + i * INTERVAL, answered

    def probe_outcomes(self):
        """[(time.monotonic the probe was sent, answered)], in order."""
        return list(self._timeline())

    def outages(self):
        """[(start, seconds, recovered)] for each run of lost probes."""
        found = []
        start = None
        last = None
        for when, answered in self._timeline():
            if not answered and start is None:
                start = when
            elif answered and start is not None:
                found.append((start, when - start, True))
                start = None
            last = when
        if start is not None:
            found.append((start, last + INTERVAL - start, False))
        return found

    def longest_outage(self):
        outages = self.outages()
        return max(outages, key=lambda o: o[1]) if outages else None

    def lost_between(self, start, end):
        """Probes sent in [start, end) (time.monotonic) that got no reply."""
        return sum(1 for when, answered in self._timeline()
                   if start <= when < end and not answered)

    def longest_outage_after(self, moment):
        """Seconds of the longest run of lost probes sent after moment."""
        return max([seconds for start, seconds, _ in self.outages()
                    if start >= moment] or [0.0])

    def longest_outage_before(self, moment):
        """Seconds of the longest run of lost probes that began before moment.

        A run that began before moment counts whole, even when it lasted
        past it.
        """
        return max([seconds for start, seconds, _ in self.outages()
                    if start < moment] or [0.0])

    def answered_after(self, moment):
        """Whether any probe sent after moment (time.monotonic) answered."""
        return any(answered for when, answered in self._timeline()
                   if when >= moment)

    def summary(self):
        text = '%s: %d sent, %d received, %d lost' % (
            self.name, self.sent, self.received, self.lost)
        longest = self.longest_outage()
        if longest:
            text += '; longest outage %.1f s%s' % (
                longest[1], '' if longest[2] else ' (not recovered)')
        errors = sorted({r.error for _, r in self.bursts if r.error})
        if errors:
            text += '; errors: %s' % '; '.join(errors)
        return text

    def details(self):
        lines = [self.summary(), '']
        first = self.bursts[0][0] if self.bursts else 0
        for started, result in self.bursts:
            lines.append('t+%.1f s %s' % (started - first, result.summary()))
        return '\n'.join(lines)


class ContinuousProbe(object):
    """Bursts of pings, back to back on a thread, until stopped.

    send_burst(count) runs one bounded ping and returns a PingResult;
    its probes are counted lost when it fails.
    """

    def __init__(self, name, send_burst, burst_seconds=5):
        self.name = name
        self._send_burst = send_burst
        self._count = max(1, int(burst_seconds / INTERVAL))
        self._burst_seconds = burst_seconds
        self._bursts = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='probe %s' % name)

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                result = self._send_burst(self._count)
            except Exception as exc:  # a probe must never kill the test
                LOG.exception('probe %s: burst failed', self.name)
                result = PingResult.failed(self.name, '?', self._count,
                                           str(exc))
            spent = time.monotonic() - started
            if result.error:
                # A failed burst stands for every probe it could have sent.
                result.sent = max(result.sent, int(spent / INTERVAL))
            self._bursts.append((started, result))
            # Keep the pace when a burst ended early (errors, no route).
            self._stopping.wait(max(0, self._burst_seconds - spent))

    def stop(self, timeout=120):
        """Stop after the running burst; return the ProbeReport."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            LOG.warning('probe %s did not stop within %d s', self.name,
                        timeout)
        return self.report()

    def report(self):
        return ProbeReport(self.name, list(self._bursts))
