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

"""SSH connections and command execution with paramiko, always bounded.

Connection and authentication are bounded by the connect timeout, a
command by the caller's deadline: the channel is closed when it passes.
Key material is handed to paramiko by file name only and never logged.
Host keys are read from the known_hosts files and never written back: a
key accepted by the host key policy is kept in memory only, so parallel
workers never rewrite a shared known_hosts file.
"""

import os
import socket
import time

import paramiko

_HOST_KEY_POLICIES = {
    'reject': paramiko.RejectPolicy,
    'warn': paramiko.WarningPolicy,
    'auto-add': paramiko.AutoAddPolicy,
}
SYSTEM_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts'
USER_KNOWN_HOSTS = '~/.ssh/known_hosts'
_READ_SIZE = 65536
_MAX_POLL_INTERVAL = 0.2


class SSHError(Exception):
    """The connection or the channel failed; the message says how."""


class CommandTimeout(SSHError):
    """The command did not report an exit status before the deadline."""


def describe(exc):
    if isinstance(exc, paramiko.BadHostKeyException):
        return ('host key mismatch: got %s %s, expected %s' %
                (exc.key.get_name(), exc.key.get_base64()[:16] + '...',
                 exc.expected_key.get_base64()[:16] + '...'))
    if isinstance(exc, paramiko.ChannelException):
        return 'channel refused by the server: %s (code %d)' % (exc.text,
                                                                exc.code)
    if isinstance(exc, paramiko.PasswordRequiredException):
        return 'the private key is encrypted and no passphrase is configured'
    if isinstance(exc, paramiko.AuthenticationException):
        return 'authentication failed (%s)' % exc
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return 'timed out'
    return '%s: %s' % (type(exc).__name__, exc)


def known_hosts_files(configured=None):
    """The known_hosts files read: system, user, configured; if they exist."""
    candidates = [SYSTEM_KNOWN_HOSTS, os.path.expanduser(USER_KNOWN_HOSTS)]
    if configured:
        candidates.append(configured)
    return [path for path in candidates if os.path.isfile(path)]


def _new_client(access):
    client = paramiko.SSHClient()
    # Never load_host_keys(): paramiko would remember the file and
    # AutoAddPolicy would rewrite it. "System" host keys are never saved.
    for path in known_hosts_files(access.known_hosts_file):
        try:
            client.load_system_host_keys(path)
        except OSError as exc:
            raise SSHError('cannot read the known_hosts file %s: %s' %
                           (path, exc.strerror or exc)) from None
    client.set_missing_host_key_policy(
        _HOST_KEY_POLICIES[access.host_key_policy]())
    return client


def _open(address, port, user, access, sock=None):
    client = _new_client(access)
    timeout = access.connect_timeout
    try:
        client.connect(hostname=address, port=port, username=user,
                       key_filename=access.key_file,
                       allow_agent=access.key_file is None,
                       look_for_keys=access.key_file is None,
                       timeout=timeout, banner_timeout=timeout,
                       auth_timeout=timeout, channel_timeout=timeout,
                       sock=sock)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        client.close()
        raise SSHError('cannot connect as %s to %s port %d: %s' %
                       (user, address, port, describe(exc))) from None
    return client


def connect(address, access):
    """Open an authenticated connection; returns (client, jump_client).

    jump_client is None without a jump host; close it after client.
    """
    jump = access.jump_host
    if jump is None:
        return _open(address, access.port, access.user, access), None
    jump_client = _open(jump.host, jump.port, jump.user, access)
    try:
        tunnel = jump_client.get_transport().open_channel(
            'direct-tcpip', (address, access.port), ('127.0.0.1', 0),
            timeout=access.connect_timeout)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        jump_client.close()
        raise SSHError('jump host %s port %d cannot open a tunnel to %s '
                       'port %d: %s' % (jump.host, jump.port, address,
                                        access.port, describe(exc))) from None
    try:
        client = _open(address, access.port, access.user, access, tunnel)
    except SSHError as exc:
        jump_client.close()
        raise SSHError('%s (through jump host %s port %d)' %
                       (exc, jump.host, jump.port)) from None
    return client, jump_client


def is_active(client):
    transport = client.get_transport() if client else None
    return bool(transport and transport.is_active())


def execute(client, command, timeout):
    """Run command; return (exit_status, stdout, stderr) as bytes.

    exit_status is -1 when the channel closed without one (connection lost
    or the remote process was killed by a signal).
    """
    deadline = time.monotonic() + timeout
    if not is_active(client):
        raise SSHError('the SSH connection is closed')
    try:
        channel = client.get_transport().open_session(timeout=timeout)
        channel.exec_command(command)
        channel.shutdown_write()
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise SSHError('cannot start the command: %s' %
                       describe(exc)) from None
    stdout, stderr = [], []
    interval = 0.01
    try:
        while True:
            got = False
            while channel.recv_ready():
                stdout.append(channel.recv(_READ_SIZE))
                got = True
            while channel.recv_stderr_ready():
                stderr.append(channel.recv_stderr(_READ_SIZE))
                got = True
            if (channel.exit_status_ready() and not channel.recv_ready()
                    and not channel.recv_stderr_ready()):
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CommandTimeout(
                    'no exit status within %.0f s' % timeout)
            interval = 0.01 if got else min(interval * 2, _MAX_POLL_INTERVAL)
            time.sleep(min(interval, remaining))
        status = channel.recv_exit_status()
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise SSHError('the command failed in transit: %s' %
                       describe(exc)) from None
    finally:
        channel.close()
    return status, b''.join(stdout), b''.join(stderr)
