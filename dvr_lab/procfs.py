"""Reading processes from /proc: state, start time, group, namespaces, memory.

The one reader of /proc/<pid>/stat and smaps_rollup in the lab.
"""

import os

PROC = '/proc'
ZOMBIE = 'Z'
# Fields of /proc/<pid>/stat after "pid (comm)", counted from 0 (proc(5)).
_STATE, _SESSION, _START_TIME = 0, 3, 19


def _stat_fields(pid):
    """The fields after the command name, None when pid is gone."""
    try:
        with open(_path(pid, 'stat')) as f:
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


def _path(pid, *parts):
    return os.path.join(PROC, str(pid), *parts)


def all_pids():
    return [int(entry) for entry in os.listdir(PROC) if entry.isdigit()]


def session_members(leader):
    """Every PID of the session leader leads, but the leader."""
    return [pid for pid in all_pids()
            if pid != leader and session(pid) == leader]


def command_line(pid):
    """The process's argv joined by spaces, None when it is gone."""
    try:
        with open(_path(pid, 'cmdline'), 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(
                errors='replace').strip()
    except OSError:
        return None


def namespace_path(pid, kind):
    return _path(pid, 'ns', kind)


def _namespace_id(path):
    st = os.stat(path)
    return st.st_dev, st.st_ino


class MachineNamespace(RuntimeError):
    """A lab namespace turned out to be the machine's own."""


def _machine_namespaces(kind):
    """The `kind` namespaces of this process and, when readable, PID 1.

    A sandbox may hide PID 1's namespaces even from root; dvr-lab itself
    always runs in the machine's own.
    """
    try:
        found = {_namespace_id(namespace_path(os.getpid(), kind))}
    except OSError as exc:
        raise MachineNamespace('cannot tell the machine\'s own %s '
                               'namespace: %s' % (kind, exc))
    try:
        found.add(_namespace_id(namespace_path(1, kind)))
    except OSError:
        pass
    return found


def pids_in_namespace(ns_path, kind='net'):
    """PIDs (but this one) whose `kind` namespace is the one at ns_path.

    What the lab's teardown ends. Refused (MachineNamespace) when that
    namespace is PID 1's or this process's: the machine's own processes
    are never a lab host's.
    """
    try:
        wanted = _namespace_id(ns_path)
    except OSError:
        return []
    if wanted in _machine_namespaces(kind):
        raise MachineNamespace(
            'refusing to end the processes of %s: it is the machine\'s own '
            '%s namespace (that of PID 1 or of dvr-lab itself), not a lab '
            'host\'s' % (ns_path, kind))
    found = []
    for pid in all_pids():
        if pid in (1, os.getpid()):
            continue
        try:
            if _namespace_id(namespace_path(pid, kind)) == wanted:
                found.append(pid)
        except OSError:
            continue
    return found


def memory_kib(pid):
    """{'Rss': KiB, 'Pss': KiB, ...} from smaps_rollup, {} when gone."""
    found = {}
    try:
        with open(_path(pid, 'smaps_rollup')) as f:
            for line in f:
                key, _, value = line.partition(':')
                if value.strip().endswith('kB'):
                    found[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return found
