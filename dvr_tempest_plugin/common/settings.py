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

from dvr_tempest_plugin import options

GROUP = options.GROUP
HOST_KEY_POLICIES = options.HOST_KEY_POLICIES
AGENT_KINDS = options.AGENT_KINDS
AGENT_ACTIONS = options.AGENT_ACTIONS
agent_command_option = options.agent_command_option

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
    addresses = option(options.HOST_SSH_ADDRESSES, conf) or {}
    for name, address in addresses.items():
        if not name:
            raise ConfigError(options.HOST_SSH_ADDRESSES,
                              'entry with an empty host name')
        if not address:
            raise ConfigError(options.HOST_SSH_ADDRESSES,
                              'host %r has an empty address' % name)
        if not _ADDRESS_RE.match(address):
            raise ConfigError(
                options.HOST_SSH_ADDRESSES,
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
    user = option(options.HOST_SSH_USER, conf)
    if not user:
        raise ConfigError(options.HOST_SSH_USER, 'is empty')
    jump_value = option(options.HOST_SSH_JUMP_HOST, conf)
    jump_host = None
    if jump_value:
        try:
            jump_host = parse_jump_host(jump_value, user)
        except ValueError as exc:
            raise ConfigError(options.HOST_SSH_JUMP_HOST, str(exc)) from None
    policy = option(options.HOST_KEY_POLICY, conf)
    if policy not in HOST_KEY_POLICIES:
        raise ConfigError(options.HOST_KEY_POLICY, '%r is not one of %s' %
                          (policy, ', '.join(HOST_KEY_POLICIES)))
    return HostAccess(
        user=user,
        key_file=_readable_file(options.HOST_SSH_KEY_FILE, conf),
        port=option(options.HOST_SSH_PORT, conf),
        jump_host=jump_host,
        known_hosts_file=_readable_file(
            options.HOST_SSH_KNOWN_HOSTS_FILE, conf),
        host_key_policy=policy,
        command_prefix=tuple(split_words(options.HOST_COMMAND_PREFIX, conf)),
        connect_timeout=option(options.HOST_CONNECT_TIMEOUT, conf),
        command_timeout=option(options.HOST_COMMAND_TIMEOUT, conf))


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
        (lambda name=name: split_words(name, conf, allow_empty=False))
        for name in options.AGENT_COMMAND_OPTIONS]
    checks += [(lambda name=name: option(name, conf)) for name in (
        options.OUTSIDE_ADDRESS, options.CONVERGENCE_TIMEOUT,
        options.AGENT_DOWN_TIMEOUT, options.CAPTURE_SECONDS,
        options.DISRUPTIVE_TESTS, options.EXPECT_SNAT_FAILOVER,
        options.SNAT_FAILOVER_MAX_OUTAGE, options.HA_FAILOVER_MAX_OUTAGE,
        options.REPORT_DIR)]
    found = []
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            found.append(str(exc))
    return found


def outside_address(conf=None):
    """[dvr] outside_address, or None when unset."""
    return option(options.OUTSIDE_ADDRESS, conf)


def convergence_timeout(conf=None):
    return option(options.CONVERGENCE_TIMEOUT, conf)


def agent_down_timeout(conf=None):
    return option(options.AGENT_DOWN_TIMEOUT, conf)


def capture_seconds(conf=None):
    return option(options.CAPTURE_SECONDS, conf)


def disruptive_tests(conf=None):
    return option(options.DISRUPTIVE_TESTS, conf)


def expect_snat_failover(conf=None):
    return option(options.EXPECT_SNAT_FAILOVER, conf)


def snat_failover_max_outage(conf=None):
    return option(options.SNAT_FAILOVER_MAX_OUTAGE, conf)


def ha_failover_max_outage(conf=None):
    return option(options.HA_FAILOVER_MAX_OUTAGE, conf)


def host_failure_command(action, host, conf=None):
    """argv of [dvr] host_<action>_command for host, [] when unset."""
    name = {'fail': options.HOST_FAIL_COMMAND,
            'restore': options.HOST_RESTORE_COMMAND}[action]
    return [word.replace('{host}', host)
            for word in split_words(name, conf)]


def host_failure_timeout(conf=None):
    return option(options.HOST_FAILURE_TIMEOUT, conf)


def node_failure_max_snat_recovery(conf=None):
    return option(options.NODE_FAILURE_MAX_SNAT_RECOVERY, conf)


def report_dir(conf=None):
    """[dvr] report_dir, or None when unset (pictures only attached)."""
    return option(options.REPORT_DIR, conf) or None
