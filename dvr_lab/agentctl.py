"""dvr-lab-agent ACTION AGENT: stop, start or kill a neutron agent of the
lab host this runs on (the lab's stand-in for systemctl on a real host)."""

import argparse
import os
import signal
import sys

from dvr_lab import namespaces
from dvr_lab import processes
from dvr_lab import services
from dvr_lab import settings as s

# How long a stop waits after SIGTERM before SIGKILL.
STOP_TIMEOUT = 20


def this_host():
    try:
        with open(os.path.join(namespaces.IDENTITY_DIR, 'name')) as f:
            return s.layout().host(f.read().strip())
    except (OSError, KeyError):
        sys.exit('dvr-lab-agent: not on a dvr-lab host (no %s/name)'
                 % namespaces.IDENTITY_DIR)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='dvr-lab-agent', description=__doc__)
    parser.add_argument('action', choices=('stop', 'start', 'kill', 'status'))
    parser.add_argument('agent', choices=sorted(services.AGENTS))
    args = parser.parse_args(argv)
    host = this_host()
    svc = services.agent(host, args.agent)
    pid = processes.recorded_pid(svc.name)
    if args.action == 'status':
        print('%s: %s' % (svc.name, 'running, pid %d' % pid if pid
                          else 'stopped'))
        return 0 if pid else 3
    if args.action == 'start':
        if pid:
            print('%s already running, pid %d' % (svc.name, pid))
            return 0
        new = services.start(svc)
        print('%s started, pid %d' % (svc.name, new))
        return 0
    if not pid:
        print('%s is not running' % svc.name)
        return 0
    if args.action == 'kill':
        os.killpg(pid, signal.SIGKILL)
        print('%s killed (SIGKILL), pid %d' % (svc.name, pid))
        return 0
    if processes.kill_group(pid, timeout=STOP_TIMEOUT):
        # as a service manager does (systemd's TimeoutStopSec)
        print('%s did not exit within %d s of SIGTERM: killed (SIGKILL), '
              'pid %d' % (svc.name, STOP_TIMEOUT, pid))
    else:
        print('%s stopped (exited on SIGTERM), pid %d' % (svc.name, pid))
    return 0


if __name__ == '__main__':
    sys.exit(main())
