"""Emulated hosts: a network, mount and UTS namespace held open by a process.

Inside a host, /run/netns and /run/openvswitch are the host's own tmpfs and
/etc/openvswitch, /var/lib/openvswitch and /var/log/openvswitch are the
host's own directories, so `ip netns` and OVS behave as on a real machine.
"""

import os
import shlex

from dvr_lab import processes
from dvr_lab import procfs
from dvr_lab import settings
from dvr_lab import shell
from dvr_tempest_plugin.common import polling

PRIVATE_FILES = ('/etc/hosts',)
PRIVATE_DIRS = ('/etc/openvswitch', '/var/lib/openvswitch',
                '/var/log/openvswitch', '/etc/libvirt', '/var/lib/libvirt',
                '/var/log/libvirt', '/var/cache/libvirt')
PRIVATE_TMPFS = ('/run/netns', '/run/openvswitch', '/run/libvirt')
IDENTITY_DIR = os.path.join(settings.STATE_DIR, 'this-host')
HOST_START_TIMEOUT = 10


def holder_name(host):
    return 'host-' + host.name


def holder_pid(host):
    return processes.recorded_pid(holder_name(host))


def _setup_script(host):
    lines = ['set -e', 'umount -l /sys', 'mount -t sysfs sysfs /sys']
    for path in PRIVATE_TMPFS:
        lines.append('mount -t tmpfs -o mode=0755 tmpfs %s' % path)
    for path in PRIVATE_DIRS + PRIVATE_FILES + (IDENTITY_DIR,):
        lines.append('mount --bind %s %s' % (
            shlex.quote(private_dir(host, path)), shlex.quote(path)))
    lines += ['hostname %s' % shlex.quote(host.name),
              'ip link set lo up',
              'touch %s' % shlex.quote(_ready_file(host)),
              'exec sleep infinity']
    return '\n'.join(lines)


def private_dir(host, path):
    """Where the host's own copy of the machine's path lives."""
    return os.path.join(host.dir, 'root', path.strip('/').replace('/', '-'))


def _ready_file(host):
    return os.path.join(host.dir, 'ready')


def _hosts_file(host, layout):
    lines = ['127.0.0.1 localhost', '127.0.1.1 %s' % host.name]
    lines += ['%s %s' % (h.mgmt_ip, h.name) for h in layout.hosts
              if h.mgmt_ip and h.name != host.name]
    return '\n'.join(lines) + '\n'


def create_host(host, layout):
    for path in PRIVATE_TMPFS + PRIVATE_DIRS + (IDENTITY_DIR,):
        os.makedirs(path, exist_ok=True)
    for path in PRIVATE_DIRS + (IDENTITY_DIR,):
        os.makedirs(private_dir(host, path), exist_ok=True)
    with open(private_dir(host, '/etc/hosts'), 'w') as f:
        f.write(_hosts_file(host, layout))
    with open(os.path.join(private_dir(host, IDENTITY_DIR), 'name'),
              'w') as f:
        f.write(host.name + '\n')
    try:
        os.unlink(_ready_file(host))
    except FileNotFoundError:
        pass
    processes.start(holder_name(host), [
        'unshare', '--net', '--mount', '--uts', '--propagation', 'private',
        '--', '/bin/sh', '-c', _setup_script(host)])
    ready, _ = polling.wait_for(
        lambda: os.path.exists(_ready_file(host)) or not holder_pid(host),
        bool, HOST_START_TIMEOUT, interval=0.05)
    if not (ready and os.path.exists(_ready_file(host))):
        raise shell.CommandError(
            'host %s did not come up: see %s'
            % (host.name, processes.log_file(holder_name(host))))


def enter(host):
    """argv prefix that runs a command inside host."""
    pid = holder_pid(host)
    if pid is None:
        raise shell.CommandError('lab host %s is not running' % host.name)
    return ['nsenter', '--target', str(pid), '--net', '--mount', '--uts',
            '--wd=/', '--']


def run(host, argv, **kwargs):
    return shell.run(enter(host) + list(argv), **kwargs)


def nested_netns_paths(pid):
    """The network namespaces `ip netns` made inside a host.

    qrouter-, snat-, fip-, qdhcp-: the host's own /run/netns, seen
    through its holder.
    """
    directory = os.path.join(procfs.PROC, str(pid), 'root', 'run', 'netns')
    try:
        return [os.path.join(directory, name)
                for name in sorted(os.listdir(directory))]
    except OSError:
        return []


def pids_inside(host):
    """Every process of the host: in its network or mount namespace.

    Or in a network namespace made inside the host: those are the
    daemons the agents start with `ip netns exec` (dnsmasq, haproxy,
    keepalived, conntrackd), which gives them a mount namespace of their
    own too. procfs.pids_in_namespace
    refuses when a namespace is the machine's own (MachineNamespace):
    nothing is ended then.
    """
    pid = holder_pid(host)
    if pid is None:
        return set()
    inside = set()
    for ns_kind in ('net', 'mnt'):
        inside.update(procfs.pids_in_namespace(
            procfs.namespace_path(pid, ns_kind), ns_kind))
    for path in nested_netns_paths(pid):
        inside.update(procfs.pids_in_namespace(path, 'net'))
    inside.discard(pid)
    return inside


def destroy_hosts(hosts):
    """End every process of the hosts at once, then their holders."""
    inside = set()
    for host in hosts:
        inside |= pids_inside(host)
    processes.terminate_all(sorted(inside), timeout=10)
    for host in hosts:
        processes.stop(holder_name(host))


def fabric_exists():
    return os.path.exists('/run/netns/' + settings.FABRIC_NS)


def fabric(argv, **kwargs):
    return shell.run(['ip', 'netns', 'exec', settings.FABRIC_NS] + argv,
                     **kwargs)


def create_fabric():
    """The lab's wires: three Linux bridges inside a namespace of their own."""
    shell.run(['ip', 'netns', 'add', settings.FABRIC_NS])
    fabric(['ip', 'link', 'set', 'lo', 'up'])
    for bridge in (settings.MGMT_BRIDGE, settings.TUNNEL_BRIDGE,
                   settings.EXTERNAL_BRIDGE):
        fabric(['ip', 'link', 'add', bridge, 'type', 'bridge'])
        fabric(['ip', 'link', 'set', bridge, 'up'])


def destroy_fabric():
    if fabric_exists():
        processes.terminate_all(procfs.pids_in_namespace(
            '/run/netns/' + settings.FABRIC_NS), timeout=5)
        shell.run(['ip', 'netns', 'delete', settings.FABRIC_NS], check=False)


def wire(bridge, fabric_end, target_pid, target_end, address=None):
    """A veth from a fabric bridge to target_end inside target_pid's netns.

    target_pid None means this (the root) namespace: the tester's side.
    """
    target = ['netns', str(target_pid)] if target_pid else []
    shell.run(['ip', 'link', 'add', fabric_end, 'netns', settings.FABRIC_NS,
               'type', 'veth', 'peer', 'name', target_end] + target)
    fabric(['ip', 'link', 'set', fabric_end, 'master', bridge, 'up'])
    fabric(['ethtool', '-K', fabric_end, 'tx', 'off'])
    inside = (['nsenter', '--target', str(target_pid), '--net', '--']
              if target_pid else [])
    shell.run(inside + ['ethtool', '-K', target_end, 'tx', 'off'])
    if address:
        shell.run(inside + ['ip', 'addr', 'add', address, 'dev', target_end])
    shell.run(inside + ['ip', 'link', 'set', target_end, 'up'])
