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

"""Validated access to the [dvr] options.

Every error names the option ("[dvr] host_ssh_key_file: ...") so that a
misconfigured cloud gives one readable line instead of a traceback.
"""

import collections
import os
import re
import shlex

from oslo_config import cfg

GROUP = 'dvr'
HOST_KEY_POLICIES = ('reject', 'warn', 'auto-add')
AGENT_KINDS = ('l3', 'ovs')
AGENT_ACTIONS = ('stop', 'start', 'kill')

_ADDRESS_RE = re.compile(r'^[A-Za-z0-9._%:-]+$')
_JUMP_HOST_RE = re.compile(
    r'^(?:(?P<user>[^@\s]+)@)?'
    r'(?:\[(?P<ipv6>[0-9A-Fa-f:.%]+)\]|(?P<host>[A-Za-z0-9._-]+))'
    r'(?::(?P<port>\d{1,5}))?$')

JumpHost = collections.namedtuple('JumpHost', 'user host port')

HostAccess = collections.namedtuple(
    'HostAccess',
    'user key_file port jump_host known_hosts_file host_key_policy '
    'command_prefix connect_timeout command_timeout')


class ConfigError(Exception):
    """A [dvr] option has a value the plugin cannot use."""

    def __init__(self, option, problem):
        self.option = option
        self.problem = problem
        super().__init__('[%s] %s: %s' % (GROUP, option, problem))


def dvr_conf():
    from tempest import config
    return config.CONF.dvr


def option(name, conf=None):
    """Value of [dvr] name; an unparsable value raises ConfigError."""
    conf = dvr_conf() if conf is None else conf
    try:
        return getattr(conf, name)
    except (cfg.Error, ValueError) as exc:
        raise ConfigError(name, 'invalid value (%s)' % exc) from None


def host_addresses(conf=None):
    addresses = option('host_ssh_addresses', conf) or {}
    for name, address in addresses.items():
        if not name:
            raise ConfigError('host_ssh_addresses',
                              'entry with an empty host name')
        if not address:
            raise ConfigError('host_ssh_addresses',
                              'host %r has an empty address' % name)
        if not _ADDRESS_RE.match(address):
            raise ConfigError(
                'host_ssh_addresses',
                'host %r: %r is not a host name or IP address' %
                (name, address))
    return dict(addresses)


def parse_jump_host(value, default_user, default_port=22):
    """Parse "[user@]host[:port]" ("[v6addr]" for IPv6) into a JumpHost."""
    match = _JUMP_HOST_RE.match(value.strip())
    if not match:
        raise ValueError('%r is not of the form [user@]host[:port]' % value)
    port = int(match.group('port') or default_port)
    if not 0 < port < 65536:
        raise ValueError('port %d of %r is out of range' % (port, value))
    return JumpHost(user=match.group('user') or default_user,
                    host=match.group('ipv6') or match.group('host'),
                    port=port)


def split_words(name, conf=None, allow_empty=True):
    """[dvr] name split like a shell word list."""
    value = option(name, conf) or ''
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise ConfigError(name, 'cannot split %r into words (%s)' %
                          (value, exc)) from None
    if not words and not allow_empty:
        raise ConfigError(name, 'is empty')
    return words


def _readable_file(name, conf):
    path = option(name, conf)
    if path is None:
        return None
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise ConfigError(name, '%s does not exist or is not a file' % path)
    if not os.access(path, os.R_OK):
        raise ConfigError(name, '%s is not readable by this user' % path)
    return path


def host_access(conf=None):
    """Everything needed to reach a host, validated, as a HostAccess."""
    conf = dvr_conf() if conf is None else conf
    user = option('host_ssh_user', conf)
    if not user:
        raise ConfigError('host_ssh_user', 'is empty')
    jump_value = option('host_ssh_jump_host', conf)
    jump_host = None
    if jump_value:
        try:
            jump_host = parse_jump_host(jump_value, user)
        except ValueError as exc:
            raise ConfigError('host_ssh_jump_host', str(exc)) from None
    policy = option('host_key_policy', conf)
    if policy not in HOST_KEY_POLICIES:
        raise ConfigError('host_key_policy', '%r is not one of %s' %
                          (policy, ', '.join(HOST_KEY_POLICIES)))
    return HostAccess(
        user=user,
        key_file=_readable_file('host_ssh_key_file', conf),
        port=option('host_ssh_port', conf),
        jump_host=jump_host,
        known_hosts_file=_readable_file('host_ssh_known_hosts_file', conf),
        host_key_policy=policy,
        command_prefix=tuple(split_words('host_command_prefix', conf)),
        connect_timeout=option('host_connect_timeout', conf),
        command_timeout=option('host_command_timeout', conf))


def agent_command_option(kind, action):
    if kind not in AGENT_KINDS:
        raise ValueError('agent kind %r is not one of %s' %
                         (kind, ', '.join(AGENT_KINDS)))
    if action not in AGENT_ACTIONS:
        raise ValueError('agent action %r is not one of %s' %
                         (action, ', '.join(AGENT_ACTIONS)))
    return '%s_agent_%s_command' % (kind, action)


def agent_command(kind, action, host, conf=None):
    """argv of the [dvr] <kind>_agent_<action>_command for host."""
    name = agent_command_option(kind, action)
    words = split_words(name, conf, allow_empty=False)
    return [word.replace('{host}', host) for word in words]


def problems(conf=None):
    """Every [dvr] problem found, one readable line each."""
    conf = dvr_conf() if conf is None else conf
    checks = [lambda: host_addresses(conf), lambda: host_access(conf)]
    checks += [
        (lambda n=agent_command_option(k, a):
            split_words(n, conf, allow_empty=False))
        for k in AGENT_KINDS for a in AGENT_ACTIONS]
    checks += [(lambda n=n: option(n, conf)) for n in (
        'outside_address', 'convergence_timeout', 'agent_down_timeout',
        'capture_seconds')]
    found = []
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            found.append(str(exc))
    return found
