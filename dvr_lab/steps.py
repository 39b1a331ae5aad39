"""Printing each step of a command with its duration, and failing clearly."""

import contextlib
import sys
import time

from dvr_lab import processes


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
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if service and not processes.running(service):
            raise StepFailed('%s exited while waiting for %s; log %s:\n%s' % (
                service, what, processes.log_file(service),
                tail(processes.log_file(service))))
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # the last one is reported on timeout
            last_error = exc
        time.sleep(interval)
    detail = ' (last error: %s)' % last_error if last_error else ''
    raise StepFailed('timed out after %ss waiting for %s%s'
                     % (timeout, what, detail))


def out(*args):
    print(*args, flush=True)
    sys.stdout.flush()
