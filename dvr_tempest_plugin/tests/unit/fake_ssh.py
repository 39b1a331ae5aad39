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

"""In-memory stand-ins for paramiko's SSHClient, Transport and Channel."""

import collections
import logging

import paramiko

Response = collections.namedtuple('Response', 'exit_status stdout stderr')
HANG = object()


class FakeServer(object):
    """Scripted remote side shared by every FakeSSHClient it creates.

    respond(command) returns a Response, or HANG for a command that never
    ends; connect_errors maps an address to the exception connect raises;
    host_keys maps an address to the paramiko key it presents, checked
    like paramiko does against the known hosts and the policy.
    """

    def __init__(self, respond=None):
        self.respond = respond or (lambda command: Response(0, b'', b''))
        self.connect_errors = {}
        self.host_keys = {}
        self.connects = []
        self.commands = []
        self.tunnels = []
        self.host_key_files = []
        self.policies = []
        self.closed = 0

    def client_class(self):
        server = self

        def factory():
            return FakeSSHClient(server)
        return factory


class FakeChannel(object):

    def __init__(self, server):
        self.server = server
        self.response = None
        self.closed = False

    def exec_command(self, command):
        self.server.commands.append(command)
        self.response = self.server.respond(command)
        if self.response is not HANG:
            self.stdout = bytearray(self.response.stdout)
            self.stderr = bytearray(self.response.stderr)

    def shutdown_write(self):
        pass

    def _hung(self):
        return self.response is HANG

    def recv_ready(self):
        return not self._hung() and bool(self.stdout)

    def recv_stderr_ready(self):
        return not self._hung() and bool(self.stderr)

    def recv(self, size):
        data, self.stdout[:] = bytes(self.stdout[:size]), self.stdout[size:]
        return data

    def recv_stderr(self, size):
        data, self.stderr[:] = bytes(self.stderr[:size]), self.stderr[size:]
        return data

    def exit_status_ready(self):
        return not self._hung()

    def recv_exit_status(self):
        return self.response.exit_status

    def close(self):
        self.closed = True


class FakeTransport(object):

    def __init__(self, server, address):
        self.server = server
        self.address = address
        self.active = True

    def is_active(self):
        return self.active

    def open_session(self, timeout=None):
        return FakeChannel(self.server)

    def open_channel(self, kind, dest_addr, src_addr, timeout=None):
        self.server.tunnels.append((self.address, kind, dest_addr, timeout))
        error = self.server.connect_errors.get(('tunnel', dest_addr[0]))
        if error:
            raise error
        return ('tunnel', dest_addr)


class FakeSSHClient(paramiko.SSHClient):
    """paramiko's SSHClient with the network replaced by a FakeServer.

    Loading known_hosts files and the missing host key policies are
    paramiko's own, so a policy that writes a file really writes it.
    """

    def __init__(self, server):
        super().__init__()
        self.server = server
        self.transport = None

    def load_host_keys(self, filename):
        self.server.host_key_files.append(('host', filename))
        super().load_host_keys(filename)

    def load_system_host_keys(self, filename=None):
        self.server.host_key_files.append(('system', filename))
        super().load_system_host_keys(filename)

    def set_missing_host_key_policy(self, policy):
        self.server.policies.append(type(policy).__name__)
        super().set_missing_host_key_policy(policy)

    def _log(self, level, msg):
        # paramiko's logs through the transport, which the fake does not
        # have.
        logging.getLogger('paramiko.fake').log(level, msg)

    def _check_host_key(self, hostname, port):
        key = self.server.host_keys.get(hostname)
        if key is None:
            return
        name = hostname if port == 22 else '[%s]:%d' % (hostname, port)
        known = (self._system_host_keys.get(name) or
                 self._host_keys.get(name) or {})
        if key.get_name() not in known:
            self._policy.missing_host_key(self, name, key)
        elif known[key.get_name()] != key:
            raise paramiko.BadHostKeyException(name, key,
                                               known[key.get_name()])

    def connect(self, hostname, port=22, **kwargs):
        self.server.connects.append(dict(kwargs, hostname=hostname,
                                         port=port))
        error = self.server.connect_errors.get(hostname)
        if error:
            raise error
        self._check_host_key(hostname, port)
        self.transport = FakeTransport(self.server, hostname)

    def get_transport(self):
        return self.transport

    def close(self):
        self.server.closed += 1
        if self.transport:
            self.transport.active = False
