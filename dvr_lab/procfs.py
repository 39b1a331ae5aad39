"""Reading processes from /proc: state, start time, group, namespaces, memory.

The one reader of /proc/<pid>/stat and smaps_rollup in the lab.
"""

import os

ZOMBIE = 'Z'
# Fields of /proc/<pid>/stat after "pid (comm)", counted from 0 (proc(5)).
_STATE, _SESSION, _START_TIME = 0, 3, 19


def _stat_fields(pid):
    """The fields after the command name, None when pid is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None


def _field(pid, index):
    fields = _stat_fields(pid)
    try:
        return fields[index] if fields else None
    except IndexError:
        return None


def alive(pid):
    """pid exists and is not a zombie."""
    state = _field(pid, _STATE)
    return state is not None and state != ZOMBIE


def start_time(pid):
    """The kernel's start time of pid (0 when gone): tells a reused PID."""
    try:
        return int(_field(pid, _START_TIME) or 0)
    except ValueError:
        return 0


def session(pid):
    try:
        return int(_field(pid, _SESSION))
    except (TypeError, ValueError):
        return None


def all_pids():
    return [int(entry) for entry in os.listdir('/proc') if entry.isdigit()]


def session_members(leader):
    """Every PID of the session leader leads, but the leader."""
    return [pid for pid in all_pids()
            if pid != leader and session(pid) == leader]


def _namespace_id(path):
    st = os.stat(path)
    return st.st_dev, st.st_ino


def pids_in_namespace(ns_path, kind='net'):
    """PIDs (but this one) whose `kind` namespace is the one at ns_path."""
    try:
        wanted = _namespace_id(ns_path)
    except OSError:
        return []
    found = []
    for pid in all_pids():
        if pid == os.getpid():
            continue
        try:
            if _namespace_id('/proc/%d/ns/%s' % (pid, kind)) == wanted:
                found.append(pid)
        except OSError:
            continue
    return found


def memory_kib(pid):
    """{'Rss': KiB, 'Pss': KiB, ...} from smaps_rollup, {} when gone."""
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
