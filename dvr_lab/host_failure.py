"""`dvr-lab host fail|restore NAME`: a whole agent host fails, then boots.

fail is a power cut. The host's links to every lab network go down
first, so nothing it sends afterwards leaves it; then every process on it
is killed at once (SIGKILL: no agent or keepalived says goodbye); then
what lived only in its memory goes: the namespaces its agents made
(qrouter-, snat-, fip-, qdhcp-) and the rest of its /run. Its disk stays,
as a real disk does: the Open vSwitch database, libvirt's domains, nova's
instance files, the agents' state.

restore is its boot: links up, Open vSwitch with its bridges,
neutron-ovs-cleanup (as distributions run it at boot), sshd, libvirt,
then the neutron agents and nova-compute, which starts the
guests that ran (resume_guests_state_on_host_boot). It returns once
they are started; the cloud notices them as it would a booted node.

Neither takes the lab lock: they run under `dvr-lab run` (tempest runs
them through [dvr] host_fail_command and host_restore_command), which
holds it.
"""

import json
import os
import shutil
import signal

from dvr_lab import computes
from dvr_lab import namespaces
from dvr_lab import private_files
from dvr_lab import processes
from dvr_lab import procfs
from dvr_lab import services
from dvr_lab import settings as s
from dvr_tempest_plugin.common import polling

FAILED_FILE = os.path.join(s.STATE_DIR, 'failed-hosts.json')
LINK_PREFIXES = ('m-', 't-', 'x-')
# The host's own tmpfs mounts besides /run/netns (namespaces.PRIVATE_TMPFS)
VOLATILE_DIRS = ('/run/openvswitch', '/run/libvirt')
KILL_TIMEOUT = 10
CLEANUP_TIMEOUT = 60


class HostFailureError(Exception):
    pass


def agent_host(name):
    """The agent host called name in the lab that is up."""
    layout = s.layout()
    for host in layout.agent_hosts:
        if host.name == name:
            return host
    raise HostFailureError('no agent host named %r in the %s layout (agent '
                           'hosts: %s)' % (name, layout.name, ', '.join(
                               h.name for h in layout.agent_hosts)))


def failed_hosts():
    try:
        with open(FAILED_FILE) as f:
            return set(json.load(f))
    except (OSError, ValueError):
        return set()


def _record_failed(names):
    private_files.write(FAILED_FILE, json.dumps(sorted(names)))


def fabric_links(host):
    """The fabric ends of host's wires (management, tunnel, public)."""
    return [prefix + host.name for prefix in LINK_PREFIXES
            if prefix != 'x-' or host.external]


def _set_links(host, state):
    for link in fabric_links(host):
        namespaces.fabric(['ip', 'link', 'set', link, state], timeout=10)


def _kill_now(pids):
    """SIGKILL each PID, and wait until none is left."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def left():
        for pid in pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        return [pid for pid in pids if procfs.alive(pid)]

    gone, survivors = polling.wait_for(left, lambda found: not found,
                                       KILL_TIMEOUT, interval=0.1)
    if not gone:
        raise HostFailureError('processes %s outlived SIGKILL for %d s'
                               % (survivors, KILL_TIMEOUT))


def _forget_memory(host):
    """What a reboot loses: the agents' namespaces and the host's /run."""
    holder = namespaces.holder_pid(host)
    for path in namespaces.nested_netns_paths(holder):
        namespaces.run(host, ['ip', 'netns', 'delete',
                              os.path.basename(path)], timeout=10)
    for directory in VOLATILE_DIRS:
        seen = os.path.join(procfs.PROC, str(holder), 'root',
                            directory.lstrip('/'))
        for name in os.listdir(seen):
            path = os.path.join(seen, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)


def fail(name):
    """Cut host name's power; returns how many processes it killed."""
    host = agent_host(name)
    if namespaces.holder_pid(host) is None:
        raise HostFailureError('host %s is not running: is the lab up?'
                               % name)
    _record_failed(failed_hosts() | {name})
    _set_links(host, 'down')
    pids = sorted(namespaces.pids_inside(host))
    _kill_now(pids)
    _forget_memory(host)
    return len(pids)


def clean_switch(host):
    """neutron-ovs-cleanup, as a node's boot runs it before its agents.

    The database kept the ports of before the failure; internal ports
    that Open vSwitch makes again for them are not the devices the
    agents then move into their new namespaces (on the netdev datapath
    such a qr- receives but what it sends is lost). Distributions run
    neutron-ovs-cleanup at boot for this.
    """
    namespaces.run(host, [
        s.venv_bin('neutron-ovs-cleanup'),
        '--config-file', services.host_etc(host, 'neutron', 'neutron.conf'),
        '--config-file', services.host_etc(host, 'neutron',
                                           'openvswitch_agent.ini'),
    ], timeout=CLEANUP_TIMEOUT)


def restore(name):
    """Boot host name again: its links, switch and daemons."""
    host = agent_host(name)
    if namespaces.holder_pid(host) is None:
        raise HostFailureError('host %s is not running: is the lab up?'
                               % name)
    running = [svc.name for svc in services.agent_host_services(host)
               if processes.running(svc.name)]
    if running:
        raise HostFailureError('host %s has not failed: %s still running'
                               % (name, ', '.join(running)))
    _set_links(host, 'up')
    computes.start_ovs(host)
    computes.create_bridges(host)
    clean_switch(host)
    computes.start_services(host, services.host_base_daemons)
    computes.start_services(host, services.host_cloud_daemons)
    _record_failed(failed_hosts() - {name})
