"""Host-level operations for namespace servers (no nova objects here).

Everything runs in the caller's network and mount namespaces, i.e. the
emulated host nova-compute runs in: its OVS (default paths), its br-int.
"""

import errno
import json
import os
import signal
import subprocess
import threading
import time

from oslo_log import log as logging

from dvr_lab import procfs
from dvr_tempest_plugin.common import polling

from . import naming
from . import process

LOG = logging.getLogger(__name__)

OVS_TIMEOUT = 10
SSHD_START_TIMEOUT = 10
STOP_TIMEOUT = 5
PRIVSEP_DIR = '/run/sshd'

# sshd processes started by this process, kept to reap them (no zombies).
_children = {}
_children_lock = threading.Lock()


# -- network namespace bound to a file --------------------------------------

def netns_is_mounted(path):
    """True when path is a bind mount of a network namespace (nsfs)."""
    try:
        st = os.stat(path)
        parent = os.stat(os.path.dirname(path) or '.')
    except FileNotFoundError:
        return False
    return st.st_dev != parent.st_dev


def create_netns(path):
    """Bind a new network namespace to path (idempotent); lo up."""
    if not netns_is_mounted(path):
        with open(path, 'a'):
            pass
        process.run(['unshare', '--net=%s' % path, 'true'])
    process.run(process.in_netns(path, ['ip', 'link', 'set', 'lo', 'up']))


def delete_netns(path):
    """Unmount and remove the namespace file (idempotent)."""
    if netns_is_mounted(path):
        process.run(['umount', path])
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def netns_pids(path):
    """PIDs of the processes whose network namespace is the one at path."""
    if not netns_is_mounted(path) or os.path.samefile(
            path, '/proc/self/ns/net'):
        # Never treat the host's own namespace as a server's.
        return []
    return procfs.pids_in_namespace(path, 'net')


# -- processes ----------------------------------------------------------------

def reap_children():
    with _children_lock:
        for pid, proc in list(_children.items()):
            if proc.poll() is not None:
                del _children[pid]


def pid_alive(pid):
    reap_children()
    if not pid:
        return False
    return procfs.alive(pid)


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            raw = f.read()
    except OSError:
        return []
    return [a.decode(errors='replace') for a in raw.split(b'\0') if a]


def is_server_sshd(pid, paths):
    """pid is alive and is the sshd of this server (checked by cmdline)."""
    if not pid or not pid_alive(pid):
        return False
    # sshd rewrites its title ("sshd: /usr/sbin/sshd -D ... [listener] ..."),
    # so look at the words rather than at argv[0].
    words = ' '.join(cmdline(pid)).split()
    return (bool(words) and
            any(os.path.basename(w.rstrip(':')) == 'sshd' for w in words)
            and paths.sshd_config in words)


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wait_gone(pids, timeout):
    _, left = polling.wait_for(lambda: [p for p in pids if pid_alive(p)],
                               lambda alive: not alive, timeout,
                               interval=0.05)
    return left


def terminate(pids, timeout=STOP_TIMEOUT):
    """SIGTERM the given pids, SIGKILL those still alive after timeout."""
    pids = [p for p in pids if pid_alive(p)]
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    left = _wait_gone(pids, timeout)
    for pid in left:
        LOG.warning('PID %d ignored SIGTERM, killing it', pid)
        _signal(pid, signal.SIGKILL)
    left = _wait_gone(left, timeout)
    if left:
        LOG.error('PIDs %s survived SIGKILL', left)
    return left


# -- links --------------------------------------------------------------------

def _ip_links(netns=None):
    argv = ['ip', '-j', 'link', 'show']
    if netns:
        argv = process.in_netns(netns, argv)
    out = process.run(argv).stdout
    return {link['ifname']: link for link in json.loads(out or '[]')}


def host_links():
    return _ip_links()


def server_links(netns):
    if not netns_is_mounted(netns):
        return {}
    return _ip_links(netns)


def link_is_up(link):
    return link is not None and 'UP' in link.get('flags', [])


def _disable_ipv6(dev):
    path = '/proc/sys/net/ipv6/conf/%s/disable_ipv6' % dev
    try:
        with open(path, 'w') as f:
            f.write('1\n')
    except OSError as e:
        if e.errno != errno.ENOENT:
            LOG.debug('Could not disable IPv6 on %s: %s', dev, e)


def _tx_off(argv_prefix, dev):
    process.run(argv_prefix + ['ethtool', '-K', dev, 'tx', 'off'])


def _ip_batch(netns, lines):
    if lines:
        process.run(process.in_netns(netns, ['ip', '-batch', '-']),
                    input='\n'.join(lines) + '\n')


def ovs_add_port(plan, instance_uuid):
    tap = plan.tap
    process.run([
        'ovs-vsctl', '--timeout=%d' % OVS_TIMEOUT,
        '--may-exist', 'add-port', plan.bridge, tap, '--',
        'set', 'Interface', tap,
        'external_ids:iface-id=%s' % plan.iface_id,
        'external_ids:attached-mac=%s' % plan.mac,
        'external_ids:iface-status=active',
        'external_ids:vm-uuid=%s' % instance_uuid], timeout=OVS_TIMEOUT + 10)


def ovs_del_port(tap):
    process.run(['ovs-vsctl', '--timeout=%d' % OVS_TIMEOUT,
                 '--if-exists', 'del-port', tap], timeout=OVS_TIMEOUT + 10)


def ovs_port_owner(tap):
    """vm-uuid recorded on the OVS interface tap, or None."""
    out = process.run(['ovs-vsctl', '--timeout=%d' % OVS_TIMEOUT,
                       '--if-exists', 'get', 'Interface', tap,
                       'external_ids:vm-uuid'],
                      timeout=OVS_TIMEOUT + 10).stdout.strip().strip('"')
    return out or None


def ovs_ports_of_vms():
    """{port name: vm-uuid} for OVS interfaces carrying a vm-uuid."""
    out = process.run([
        'ovs-vsctl', '--timeout=%d' % OVS_TIMEOUT, '--format=json',
        '--columns=name,external_ids', 'list', 'Interface'],
        timeout=OVS_TIMEOUT + 10).stdout
    data = json.loads(out)
    ports = {}
    for name, ext in data.get('data', []):
        ids = dict(ext[1]) if ext and ext[0] == 'map' else {}
        if ids.get('vm-uuid'):
            ports[name] = ids['vm-uuid']
    return ports


def server_side_commands(plan, up):
    """ip -batch lines configuring the server end of one VIF."""
    lines = ['link set dev %s address %s mtu %d'
             % (plan.dev, plan.mac, plan.mtu)]
    lines += ['address replace %s dev %s' % (a, plan.dev)
              for a in plan.addresses]
    if up:
        lines.append('link set dev %s up' % plan.dev)
        if plan.gateway:
            lines.append('route replace default via %s dev %s'
                         % (plan.gateway, plan.dev))
    return lines


def plug_vif(netns, plan, instance_uuid, up=True):
    """Create (or repair) the veth of one VIF; plug its host end into OVS.

    Idempotent: when both ends exist only addresses, routes, link state
    and the OVS port are (re)applied.
    """
    hlinks = host_links()
    slinks = server_links(netns)
    fresh = not (plan.tap in hlinks and plan.dev in slinks)
    if fresh:
        if plan.tap in hlinks:
            owner = ovs_port_owner(plan.tap)
            if owner and owner != instance_uuid:
                raise process.CommandFailed(
                    cmd='plug %s' % plan.tap, status='refused',
                    stderr='%s is plugged for server %s' % (plan.tap, owner))
            process.run(['ip', 'link', 'del', 'dev', plan.tap])
        if plan.dev in slinks:
            process.run(process.in_netns(
                netns, ['ip', 'link', 'del', 'dev', plan.dev]))
        process.run(['ip', 'link', 'add', plan.tap, 'type', 'veth',
                     'peer', 'name', plan.dev, 'netns', netns])
        process.run(['ip', 'link', 'set', 'dev', plan.tap, 'address',
                     naming.host_side_mac(plan.mac), 'mtu', str(plan.mtu)])
        _disable_ipv6(plan.tap)
    process.run(['ip', 'link', 'set', 'dev', plan.tap, 'up'])
    _tx_off([], plan.tap)
    lines = server_side_commands(plan, up)
    if not fresh:
        lines = lines[1:]     # MAC/MTU are set once, while the link is down
    _ip_batch(netns, lines)
    _tx_off(process.in_netns(netns, []), plan.dev)
    ovs_add_port(plan, instance_uuid)
    return fresh


def plumbing_intact(netns, plans):
    """Namespace mounted and both ends of every planned VIF present."""
    if not netns_is_mounted(netns):
        return False
    hlinks = host_links()
    slinks = server_links(netns)
    return all(p.tap in hlinks and p.dev in slinks for p in plans)


def unplug_vif(tap, owner=None):
    """Remove the OVS port and the veth (its peer goes with it).

    With owner (an instance uuid), a port that OVS records as another
    server's is left alone. Returns False when it was left alone.
    """
    if owner:
        recorded = ovs_port_owner(tap)
        if recorded and recorded != owner:
            LOG.warning('Not unplugging %s: it belongs to server %s, not %s',
                        tap, recorded, owner)
            return False
    ovs_del_port(tap)
    if tap in host_links():
        process.run(['ip', 'link', 'del', 'dev', tap])
    return True


def set_server_links(netns, plans, up):
    """Set the server's VIF devices up (with default route) or down.

    Devices that are missing are skipped (a hard reboot recreates them).
    """
    if not netns_is_mounted(netns):
        return
    present = server_links(netns)
    lines = []
    for plan in plans:
        if plan.dev not in present:
            LOG.warning('%s is missing in %s', plan.dev, netns)
            continue
        if up:
            lines.append('link set dev %s up' % plan.dev)
            if plan.gateway:
                lines.append('route replace default via %s dev %s'
                             % (plan.gateway, plan.dev))
        else:
            lines.append('link set dev %s down' % plan.dev)
    _ip_batch(netns, lines)


# -- sshd ---------------------------------------------------------------

def write_file(path, content, mode=0o644):
    tmp = path + '.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as f:
        f.write(content)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def prepare_sshd(paths, key_data):
    """Host key (once), sshd_config and authorized_keys in the instance dir."""
    if not os.path.exists(paths.host_key):
        for stale in (paths.host_key, paths.host_key + '.pub'):
            if os.path.lexists(stale):
                os.unlink(stale)
        process.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '',
                     '-C', 'dvrlab-%s' % paths.uuid, '-f', paths.host_key])
    write_file(paths.sshd_config, naming.render_sshd_config(paths))
    write_file(paths.authorized_keys,
               naming.render_authorized_keys(key_data), 0o600)


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


def start_sshd(paths, netns):
    """Start the server's sshd detached inside netns; return its PID."""
    os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
    process.run([naming.SSHD, '-t', '-f', paths.sshd_config])
    try:
        os.unlink(paths.sshd_pid)
    except FileNotFoundError:
        pass
    argv = process.in_netns(netns, [naming.SSHD, '-D', '-e',
                                    '-f', paths.sshd_config])
    with open(paths.sshd_log, 'ab') as log:
        log.write(('--- %s starting sshd\n' % time.strftime(
            '%Y-%m-%d %H:%M:%S')).encode())
        log.flush()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, close_fds=True,
                                start_new_session=True, cwd='/')
    with _children_lock:
        _children[proc.pid] = proc

    def sshd_pid():
        if proc.poll() is not None:
            raise process.CommandFailed(
                cmd=' '.join(argv), status='exit status %s' % proc.returncode,
                stderr=tail(paths.sshd_log, 1000))
        pid = read_pidfile(paths.sshd_pid)
        return pid if pid and is_server_sshd(pid, paths) else None

    started, pid = polling.wait_for(sshd_pid, bool, SSHD_START_TIMEOUT,
                                    interval=0.05)
    if started:
        return pid
    # Never leave a half-started sshd behind.
    terminate([proc.pid])
    raise process.CommandFailed(
        cmd=' '.join(argv), status='no PID file after %ss'
        % SSHD_START_TIMEOUT, stderr=tail(paths.sshd_log, 1000))


def stop_server_processes(paths, netns, sshd_pid):
    """Stop the server's sshd by PID, then whatever else runs in netns."""
    pids = []
    for pid in (sshd_pid, read_pidfile(paths.sshd_pid)):
        if pid and pid not in pids and is_server_sshd(pid, paths):
            pids.append(pid)
    if pids:
        terminate(pids)
    others = netns_pids(netns)      # SSH sessions, pings, ... of the server
    if others:
        LOG.debug('Stopping processes left in %s: %s', netns, others)
        terminate(others)
    try:
        os.unlink(paths.sshd_pid)
    except FileNotFoundError:
        pass


def tail(path, limit):
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode(errors='replace')
    except OSError:
        return ''
