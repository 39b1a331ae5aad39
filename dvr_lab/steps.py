"""Printing each step of a command with its duration, and failing clearly."""

import contextlib
import sys
import time

from dvr_lab import processes
from dvr_tempest_plugin.common import polling


class StepFailed(Exception):
    pass


def tail(path, lines=15):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return '(no log at %s)\n' % path


@contextlib.contextmanager
def step(title, log_of=None):
    """Run a block as a named step, quoting log_of's log when it fails."""
    started = time.monotonic()
    print('==> %s ...' % title, flush=True)
    try:
        yield
    except Exception as exc:
        elapsed = time.monotonic() - started
        message = ['FAILED: %s after %.1fs: %s' % (title, elapsed, exc)]
        if log_of:
            path = processes.log_file(log_of)
            message.append('log: %s, last lines:\n%s' % (path, tail(path)))
        raise StepFailed('\n'.join(message)) from exc
    print('    done: %s (%.1fs)' % (title, time.monotonic() - started),
          flush=True)


def wait_for(what, check, timeout, interval=0.5, service=None):
    """Poll check() until it returns truthy; fail naming what and the log."""
    errors = []

    def observe():
        if service and not processes.running(service):
            raise StepFailed('%s exited while waiting for %s; log %s:\n%s' % (
                service, what, processes.log_file(service),
                tail(processes.log_file(service))))
        try:
            return check()
        except Exception as exc:  # the last one is reported on timeout
            errors.append(exc)
            return None

    done, result = polling.wait_for(observe, bool, timeout, interval)
    if done:
        return result
    detail = ' (last error: %s)' % errors[-1] if errors else ''
    raise StepFailed('timed out after %ss waiting for %s%s'
                     % (timeout, what, detail))


def out(*args):
    print(*args, flush=True)
    sys.stdout.flush()
