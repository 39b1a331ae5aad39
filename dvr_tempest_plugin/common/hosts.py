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

"""Commands on the hypervisor and agent hosts, over SSH.

Commands are argument lists: each word is quoted, the whole is bounded
remotely by `timeout` and locally by a channel deadline, and put after
[dvr] host_command_prefix.
"""

import atexit
import collections
import json
import logging
import shlex
import threading
import time

from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import ssh

LOG = logging.getLogger(__name__)

KILL_AFTER = 5
LOCAL_MARGIN = 10
TIMEOUT_EXIT_STATUS = 124
KILLED_EXIT_STATUS = 128 + 9
STDERR_TAIL = 2000

CommandResult = collections.namedtuple(
    'CommandResult', 'host command exit_status stdout stderr')


class HostAccessError(Exception):
    """A host could not be reached, or a command on it failed."""


def build_command(argv, timeout, prefix=()):
    """The remote command line: prefix, `timeout -k 5 <t>`, then argv."""
    if isinstance(argv, (str, bytes)) or not argv:
        raise ValueError('argv must be a non-empty list of words, got %r' %
                         (argv,))
    timeout = int(timeout)
    if timeout < 1:
        raise ValueError('timeout must be at least 1 second, got %r' %
                         (timeout,))
    words = list(prefix) + ['timeout', '-k', str(KILL_AFTER), str(timeout)]
    return shlex.join(words + [str(word) for word in argv])


def _tail(text):
    text = text.strip()
    return text if len(text) <= STDERR_TAIL else '...' + text[-STDERR_TAIL:]


def configured_hosts():
    """Host name -> SSH address from [dvr] host_ssh_addresses."""
    return settings.host_addresses()


def missing_host_access(hosts):
    """Why the hosts cannot be reached (naming the option), else None."""
    try:
        addresses = settings.host_addresses()
        settings.host_access()
    except settings.ConfigError as exc:
        return str(exc)
    missing = sorted(set(hosts) - set(addresses))
    if not missing:
        return None
    return ('[dvr] host_ssh_addresses has no address for host(s) %s '
            '(it lists: %s)' % (', '.join(missing),
                                ', '.join(sorted(addresses)) or 'none'))


class HostClient(object):

    def __init__(self, name, address, access=None):
        self.name = name
        self.address = address
        self._access = access
        self._client = None
        self._jump_client = None
        self._lock = threading.RLock()

    def __repr__(self):
        return 'HostClient(%r, %r)' % (self.name, self.address)

    def _where(self):
        return 'host %s (%s)' % (self.name, self.address)

    def _error(self, what):
        return HostAccessError('%s: %s' % (self._where(), what))

    @property
    def access(self):
        if self._access is None:
            try:
                self._access = settings.host_access()
            except settings.ConfigError as exc:
                raise self._error(exc) from None
        return self._access

    def _connection(self):
        if not ssh.is_active(self._client):
            self.close()
            try:
                self._client, self._jump_client = ssh.connect(
                    self.address, self.access)
            except ssh.SSHError as exc:
                raise self._error(exc) from None
        return self._client

    def run(self, argv, timeout=None, check=True, prefix=True,
            binary=False):
        """Run argv on the host; a CommandResult.

        stdout is text, or bytes as sent when binary is True (stderr is
        always text).
        """
        access = self.access
        if timeout is None:
            timeout = access.command_timeout
        command = build_command(
            argv, timeout, access.command_prefix if prefix else ())
        with self._lock:
            LOG.debug('%s: running %s', self._where(), command)
            client = self._connection()
            started = time.monotonic()
            try:
                status, stdout, stderr = ssh.execute(
                    client, command, timeout + KILL_AFTER + LOCAL_MARGIN)
            except ssh.CommandTimeout:
                self.close()
                raise self._error(
                    'command %s did not end within %d s and was abandoned' %
                    (command, timeout)) from None
            except ssh.SSHError as exc:
                self.close()
                raise self._error('command %s: %s' % (command, exc)) from None
            elapsed = time.monotonic() - started
        result = CommandResult(
            self.name, command, status,
            stdout if binary else stdout.decode('utf-8', 'replace'),
            stderr.decode('utf-8', 'replace'))
        if status == -1:
            self.close()
            raise self._error('command %s ended without an exit status '
                              '(connection lost or killed by a signal)' %
                              command)
        if status == TIMEOUT_EXIT_STATUS or (
                status == KILLED_EXIT_STATUS and elapsed >= timeout):
            raise self._error('command %s timed out after %d s' %
                              (command, timeout))
        if check and status != 0:
            raise self._error('command %s exited with status %d: %s' %
                              (command, status,
                               _tail(result.stderr) or '(no stderr)'))
        return result

    def run_in_namespace(self, namespace, argv, **kwargs):
        return self.run(['ip', 'netns', 'exec', namespace] + list(argv),
                        **kwargs)

    def namespaces(self):
        """Names of the network namespaces on the host."""
        output = self.run(['ip', 'netns', 'list']).stdout
        return {line.split()[0] for line in output.splitlines()
                if line.strip()}

    def devices(self, namespace=None):
        """Device name -> {'addresses', 'state', 'mac'} in a namespace.

        namespace None means the host's own namespace.
        """
        argv = ['ip', '-j', 'addr', 'show']
        if namespace is None:
            result = self.run(argv)
        else:
            result = self.run_in_namespace(namespace, argv)
        try:
            links = json.loads(result.stdout or '[]')
        except ValueError as exc:
            raise self._error('command %s printed no JSON (%s): %s' %
                              (result.command, exc,
                               _tail(result.stdout))) from None
        return {link['ifname']: parse_link(link) for link in links
                if 'ifname' in link}

    def close(self):
        with self._lock:
            for client in (self._client, self._jump_client):
                if client is not None:
                    client.close()
            self._client = self._jump_client = None


def parse_link(link):
    """One `ip -j addr` entry as {'addresses', 'state', 'mac'}."""
    return {
        'addresses': ['%s/%s' % (info['local'], info['prefixlen'])
                      for info in link.get('addr_info', ())
                      if 'local' in info],
        'state': link.get('operstate'),
        'mac': link.get('address'),
    }


_clients = {}
_clients_lock = threading.Lock()


def host_client(name):
    """The HostClient of a host, one per host name in this process."""
    with _clients_lock:
        client = _clients.get(name)
        if client is None:
            try:
                addresses = configured_hosts()
            except settings.ConfigError as exc:
                raise HostAccessError('host %s: %s' % (name, exc)) from None
            if name not in addresses:
                raise HostAccessError(
                    'host %s: [dvr] host_ssh_addresses has no address for '
                    'it (it lists: %s)' %
                    (name, ', '.join(sorted(addresses)) or 'none'))
            client = _clients[name] = HostClient(name, addresses[name])
        return client


@atexit.register
def close_all():
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
