"""Detached lab processes, remembered by PID and ended by PID."""

import os
import signal
import subprocess

from dvr_lab import procfs
from dvr_lab import proxy
from dvr_lab import settings
from dvr_tempest_plugin.common import polling


def pid_file(name):
    return os.path.join(settings.RUN_DIR, name + '.pid')


def log_file(name):
    return os.path.join(settings.LOG_DIR, name + '.log')


def start(name, argv, env=None, cwd='/'):
    """Start argv in its own session, output to the service's log.

    env None: this process's environment. Either way no_proxy names the
    lab's addresses.
    """
    os.makedirs(settings.RUN_DIR, exist_ok=True)
    os.makedirs(settings.LOG_DIR, exist_ok=True)
    with open(log_file(name), 'ab') as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT,
                                env=proxy.environment(env), cwd=cwd,
                                start_new_session=True)
    with open(pid_file(name), 'w') as f:
        f.write('%d %d\n' % (proc.pid, procfs.start_time(proc.pid)))
    return proc.pid


def recorded_pid(name):
    """The PID we started as `name` if it still runs, else None."""
    try:
        with open(pid_file(name)) as f:
            pid, started = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    if procfs.start_time(pid) != started or not procfs.alive(pid):
        return None
    return pid


def running(name):
    return recorded_pid(name) is not None


def recorded_names():
    try:
        names = os.listdir(settings.RUN_DIR)
    except FileNotFoundError:
        return []
    return sorted(n[:-4] for n in names if n.endswith('.pid'))


def stop(name, timeout=15):
    """SIGTERM the process group we started, then SIGKILL what is left."""
    pid = recorded_pid(name)
    if pid is not None:
        kill_group(pid, timeout)
    try:
        os.unlink(pid_file(name))
    except FileNotFoundError:
        pass


def kill_group(pid, timeout=15):
    """SIGTERM pid's group, SIGKILL after timeout; True if it needed that."""
    return bool(terminate_all([pid], timeout))


def terminate_all(pids, timeout=10):
    """SIGTERM each PID's group at once, SIGKILL whatever outlives timeout.

    Returns the PIDs that had to be killed.
    """
    for pid in pids:
        _signal_group(pid, signal.SIGTERM)

    def alive():
        for pid in pids:
            _reap(pid)
        return [pid for pid in pids if procfs.alive(pid)]

    gone, _ = polling.wait_for(alive, lambda left: not left, timeout,
                               interval=0.1)
    if gone:
        return []
    survivors = alive()
    for pid in survivors:
        _signal_group(pid, signal.SIGKILL)
        _reap(pid)
    return survivors


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
