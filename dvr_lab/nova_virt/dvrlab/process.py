"""Running commands: argv lists, no shell, bounded, nova exceptions."""

import shlex
import subprocess

from nova import exception
from nova.i18n import _
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30
STDERR_TAIL = 2000


class CommandFailed(exception.NovaException):
    msg_fmt = _("Command '%(cmd)s' failed (%(status)s): %(stderr)s")

    def __init__(self, message=None, **kwargs):
        super().__init__(message, **kwargs)
        self.cmd = kwargs.get('cmd')
        self.status = kwargs.get('status')
        self.stderr = kwargs.get('stderr')


def run(argv, timeout=DEFAULT_TIMEOUT, check=True, input=None):
    """Run argv; return CompletedProcess (text). Raise CommandFailed."""
    argv = [str(a) for a in argv]
    cmd = shlex.join(argv)
    LOG.debug('Running %s', cmd)
    try:
        result = subprocess.run(
            argv, input=input, capture_output=True, text=True,
            timeout=timeout, stdin=None if input is not None
            else subprocess.DEVNULL, close_fds=True)
    except subprocess.TimeoutExpired as e:
        stderr = e.stderr or b''
        if isinstance(stderr, bytes):
            stderr = stderr.decode(errors='replace')
        raise CommandFailed(cmd=cmd, status='timed out after %ss' % timeout,
                            stderr=stderr.strip()[-STDERR_TAIL:] or '-')
    except OSError as e:
        raise CommandFailed(cmd=cmd, status='could not run', stderr=str(e))
    if check and result.returncode != 0:
        raise CommandFailed(
            cmd=cmd, status='exit status %d' % result.returncode,
            stderr=(result.stderr.strip()[-STDERR_TAIL:] or
                    result.stdout.strip()[-STDERR_TAIL:] or '-'))
    return result


def in_netns(netns_file, argv):
    """argv run inside the network namespace bound to netns_file."""
    return ['nsenter', '--net=%s' % netns_file, '--'] + list(argv)
