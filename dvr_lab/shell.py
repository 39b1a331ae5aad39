"""Running commands with a time bound and an error that says what failed."""

import logging
import shlex
import subprocess

LOG = logging.getLogger(__name__)


class CommandError(Exception):
    pass


def run(argv, timeout=120, check=True, env=None, input=None, cwd=None):
    """Run argv (a list, never a shell string) and return its stdout."""
    LOG.debug('run: %s', shlex.join(argv))
    try:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout, env=env, input=input,
                              cwd=cwd,
                              stdin=None if input is not None
                              else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise CommandError('%s: no answer within %ss'
                           % (shlex.join(argv), timeout))
    except FileNotFoundError as exc:
        raise CommandError('%s: %s' % (shlex.join(argv), exc))
    if check and proc.returncode != 0:
        raise CommandError('%s: exit %d: %s' % (
            shlex.join(argv), proc.returncode,
            (proc.stderr or proc.stdout).strip()[-2000:]))
    return proc.stdout


def succeeds(argv, timeout=30):
    try:
        run(argv, timeout=timeout)
    except CommandError:
        return False
    return True
