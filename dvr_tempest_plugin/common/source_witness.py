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

"""A listener on the tester that records the source of each connection.

What the outside sees of a VM's traffic is what DVR promises: the
floating IP of a VM that has one, the router's SNAT (qg-) address of a
VM that has none, never a fixed IP. A VM sends a token over TCP to the
tester; the witness records the token with the source address the
connection arrived from. It needs no privilege and no route from the
tester to the tenant subnets.
"""

import logging
import shlex
import socket
import threading
import uuid

LOG = logging.getLogger(__name__)

ACCEPT_POLL = 0.5
READ_TIMEOUT = 5
MAX_TOKEN = 128
SEND_TIMEOUT = 5


def address_toward(destination):
    """The tester's own address on its route to destination.

    A UDP socket's connect() picks it without sending anything.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((destination, 9))
        return probe.getsockname()[0]


def new_token(label):
    return '%s-%s' % (label, uuid.uuid4().hex[:12])


def send_command(address, port, token):
    """The shell command a VM runs to send token (busybox or OpenBSD nc)."""
    return 'echo %s | nc -w %d %s %d' % (
        shlex.quote(token), SEND_TIMEOUT, shlex.quote(address), port)


class SourceWitness(object):
    """TCP listener on (address, ephemeral port), until stopped."""

    def __init__(self, address):
        self.address = address
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind((address, 0))
        self._socket.listen(16)
        self._socket.settimeout(ACCEPT_POLL)
        self.port = self._socket.getsockname()[1]
        self._seen = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, daemon=True,
            name='source witness %s:%d' % (address, self.port))

    def start(self):
        self._thread.start()
        return self

    def _serve(self):
        while not self._stopping.is_set():
            try:
                connection, (source, _) = self._socket.accept()
            except socket.timeout:
                continue
            except OSError:
                if not self._stopping.is_set():
                    LOG.exception('source witness: accept failed')
                return
            with connection:
                token = self._read_token(connection)
            with self._lock:
                self._seen.append((token, source))

    @staticmethod
    def _read_token(connection):
        connection.settimeout(READ_TIMEOUT)
        data = b''
        try:
            while b'\n' not in data and len(data) < MAX_TOKEN:
                chunk = connection.recv(MAX_TOKEN)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        return data.decode('ascii', 'replace').strip()

    def sources(self, token):
        """Source addresses of the connections that carried token."""
        with self._lock:
            return [source for seen, source in self._seen if seen == token]

    def seen(self):
        with self._lock:
            return list(self._seen)

    def stop(self):
        self._stopping.set()
        self._socket.close()
        if self._thread.is_alive():
            self._thread.join(ACCEPT_POLL * 4)
