"""Detached lab processes, remembered by PID and ended by PID."""

import os
import signal
import subprocess
import time

from dvr_lab import settings


def pid_file(name):
    return os.path.join(settings.RUN_DIR, name + '.pid')


def log_file(name):
    return os.path.join(settings.LOG_DIR, name + '.log')


def start(name, argv, env=None, cwd='/'):
    """Start argv in its own session, output to the service's log."""
    os.makedirs(settings.RUN_DIR, exist_ok=True)
    os.makedirs(settings.LOG_DIR, exist_ok=True)
    with open(log_file(name), 'ab') as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                start_new_session=True)
    with open(pid_file(name), 'w') as f:
        f.write('%d %d\n' % (proc.pid, start_time(proc.pid)))
    return proc.pid


def start_time(pid):
    """The kernel's start time of pid: tells a reused PID from ours."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return int(f.read().rsplit(')', 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return 0


def recorded_pid(name):
    """The PID we started as `name` if it still runs, else None."""
    try:
        with open(pid_file(name)) as f:
            pid, started = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    if start_time(pid) != started:
        return None
    try:
        with open('/proc/%d/stat' % pid) as f:
            if f.read().rsplit(')', 1)[1].split()[0] == 'Z':
                return None
    except OSError:
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
    terminate_all([pid], timeout)


def terminate_all(pids, timeout=10):
    """SIGTERM each PID's group at once, SIGKILL whatever outlives timeout."""
    for pid in pids:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in pids:
            _reap(pid)
        if not any(_alive(pid) for pid in pids):
            return
        time.sleep(0.1)
    for pid in pids:
        _signal_group(pid, signal.SIGKILL)
        _reap(pid)


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


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def pids_in_namespace(ns_path, kind='net'):
    """PIDs of every process whose `kind` namespace is the one at ns_path."""
    try:
        target = os.stat(ns_path).st_ino
    except OSError:
        return []
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if os.stat('/proc/%s/ns/%s' % (entry, kind)).st_ino == target:
                found.append(int(entry))
        except OSError:
            continue
    return found


def rss_kib(pid):
    return _smaps_rollup(pid).get('Rss', 0)


def pss_kib(pid):
    """Proportional set size: pages shared between forks counted once."""
    return _smaps_rollup(pid).get('Pss', 0)


def _smaps_rollup(pid):
    found = {}
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                key, _, value = line.partition(':')
                if value.strip().endswith('kB'):
                    found[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return found
