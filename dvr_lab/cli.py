"""dvr-lab: a two-host DVR OpenStack on this machine."""

import argparse
import contextlib
import os
import shlex
import sys

from dvr_lab import lab_lock
from dvr_lab import proxy
from dvr_lab import settings as s

PREPARED = 'DVR_LAB_PREPARED'  # set once installing is done, across exec


def _in_lab_venv():
    return os.path.realpath(sys.prefix) == os.path.realpath(s.VENV)


def _lab_lock(command):
    """The lab lock, saying so when another command holds it."""
    return lab_lock.held(command, on_wait=lambda holder: print(
        'dvr-lab %s: waiting up to %ds for the lab lock, held by %s'
        % (command, lab_lock.WAIT_SECONDS, holder), flush=True))


def _prepare_and_reexec(argv, lock):
    """Install what is missing, then continue inside the lab venv."""
    from dvr_lab import install
    from dvr_lab import steps
    with steps.step('Debian packages'):
        steps.out('    ' + install.install_apt_packages())
    with steps.step('services venv %s' % s.VENV):
        steps.out('    ' + install.install_venv())
    with steps.step('this project into the venv'):
        steps.out('    ' + install.install_project())
    if not _in_lab_venv():
        os.environ[PREPARED] = '1'
        lock.keep_across_exec()
        os.execv(install.venv_python(),
                 [install.venv_python(), '-m', 'dvr_lab.cli'] + argv)


def cmd_up(args, argv):
    from dvr_lab import lab
    from dvr_lab import steps
    try:
        s.layout(args.layout)
    except s.UnknownLayout as exc:
        print('dvr-lab up: %s' % exc, file=sys.stderr)
        return 2
    try:
        with _lab_lock('up') as lock:
            if not lab.healthy() and not os.environ.get(PREPARED):
                _prepare_and_reexec(argv, lock)
            return lab.up(args.layout)
    except (steps.StepFailed, lab_lock.LabBusy) as exc:
        print(exc, file=sys.stderr)
        return 1


def cmd_run(args, argv):
    """Bring the lab up if it is not, run the suite, write its report."""
    from dvr_lab import lab
    if lab.healthy():
        _continue_in_lab_venv(argv)
    from dvr_lab import steps
    from dvr_lab import suite_run
    try:
        with _lab_lock('run') as lock:
            if not lab.healthy() and not os.environ.get(PREPARED):
                _prepare_and_reexec(argv, lock)
            # a lab that is up runs the suite whatever layout it has,
            # unless --layout asks for another one
            layout = args.layout or (s.recorded_layout() if lab.healthy()
                                     else s.requested_layout())
            status = lab.up(layout)
            if status:
                return status
            return suite_run.run(args.tempest_args, args.report_dir)
    except (steps.StepFailed, lab_lock.LabBusy) as exc:
        print(exc, file=sys.stderr)
        return 1


def cmd_down(args, argv):
    from dvr_lab import lab
    from dvr_lab import steps
    try:
        with _lab_lock('down'):
            return lab.down()
    except (steps.StepFailed, lab_lock.LabBusy) as exc:
        print('dvr-lab down: %s' % exc, file=sys.stderr)
        return 1


def _continue_in_lab_venv(argv):
    """Run this command again in the lab venv, when there is one."""
    if not _in_lab_venv() and os.path.exists(s.venv_bin('python')):
        os.execv(s.venv_bin('python'),
                 [s.venv_bin('python'), '-m', 'dvr_lab.cli'] + argv)


def cmd_status(args, argv):
    _continue_in_lab_venv(argv)
    from dvr_lab import status
    if args.memory:
        return status.memory_report(s.layout())
    return status.report(s.layout())


def cmd_break(args, argv):
    _continue_in_lab_venv(argv)
    from dvr_lab.breakages import catalogue
    if args.list:
        sys.stdout.write(catalogue.listing())
        return 0
    from dvr_lab.breakages import runner
    try:
        requests = catalogue.requests(args.requests)
        if not requests:
            sys.stdout.write(catalogue.listing())
            return 2
        with _lab_lock('break'):
            return runner.run(requests)
    except (catalogue.UnknownBreakage, runner.UnknownTest) as exc:
        print('dvr-lab break: %s' % exc, file=sys.stderr)
        return 2
    except lab_lock.LabBusy as exc:
        print('dvr-lab break: %s' % exc, file=sys.stderr)
        return 1


def cmd_host(args, argv):
    """A whole agent host fails (power cut) or boots again."""
    _continue_in_lab_venv(argv)
    from dvr_lab import host_failure
    try:
        if args.action == 'fail':
            killed = host_failure.fail(args.name)
            print('%s failed: links down, %d processes killed, its '
                  'namespaces and /run gone' % (args.name, killed))
        else:
            host_failure.restore(args.name)
            print('%s restored: links up, Open vSwitch, sshd, libvirt, '
                  'neutron agents and nova-compute started' % args.name)
    except host_failure.HostFailureError as exc:
        print('dvr-lab host %s: %s' % (args.action, exc), file=sys.stderr)
        return 1
    return 0


def cmd_logs(args, argv):
    from dvr_lab import processes
    from dvr_lab import services
    from dvr_lab import steps
    if not args.service:
        for svc in services.all_services():
            print('%-34s %s' % (svc.name, processes.log_file(svc.name)))
        return 0
    path = processes.log_file(args.service)
    if not os.path.exists(path):
        print('no log for %r; `dvr-lab logs` lists them' % args.service,
              file=sys.stderr)
        return 1
    sys.stdout.write(steps.tail(path, args.lines))
    return 0


def cmd_image(args, argv):
    from dvr_lab import guest_image
    from dvr_lab import shell
    # As root it may build into the state directory `down` removes.
    lock = (_lab_lock('image') if os.geteuid() == 0
            else contextlib.nullcontext())
    try:
        with lock:
            image = guest_image.build(args.dir)
    except (guest_image.GuestImageError, shell.CommandError,
            lab_lock.LabBusy) as exc:
        print('dvr-lab image: %s' % exc, file=sys.stderr)
        return 1
    print('DVR_LAB_GUEST_KERNEL=%s' % shlex.quote(image.kernel))
    print('DVR_LAB_GUEST_INITRAMFS=%s' % shlex.quote(image.initramfs))
    if not args.boot_check:
        return 0
    seconds, transcript = guest_image.boot_check(image)
    sys.stdout.write(transcript)
    if seconds is None:
        print('\ndvr-lab image: no login: on the console', file=sys.stderr)
        return 1
    print('\nlogin: after %.1f s under TCG' % seconds)
    return 0


def cmd_paths(args, argv):
    for name, path in sorted(s.paths().items()):
        print('DVR_LAB_%s=%s' % (name, shlex.quote(path)))
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog='dvr-lab', description=__doc__)
    sub = parser.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up', help='install, configure and start the lab')
    up.add_argument(
        '--layout', choices=sorted(s.LAYOUTS), default=s.requested_layout(),
        help='article: two compute+network hosts, both dvr_snat (default, '
        'or $DVR_LAB_LAYOUT); standard: a dvr_snat network node and two '
        'dvr computes; no-external: the same with dvr_no_external computes '
        '(floating IPs centralized on the network node)')
    run = sub.add_parser(
        'run', help='up (unless up), the whole suite in the lab\'s '
        'workspace, its totals and the path of its HTML report; further '
        'arguments go to `tempest run`')
    run.add_argument(
        '--layout', choices=sorted(s.LAYOUTS),
        help='the layout to run on (default: the one that is up, else '
        '$%s or %s)' % (s.LAYOUT_VARIABLE, s.DEFAULT_LAYOUT))
    run.add_argument('--report-dir', help='where the report goes (default: '
                     'a new folder under %s)' % os.path.join(
                         s.CACHE_DIR, 'reports'))
    sub.add_parser('down', help='stop the lab and remove all it made')
    status = sub.add_parser('status', help='services, agents and hosts')
    status.add_argument('--memory', action='store_true',
                        help='instead: PSS and RSS of the lab\'s '
                        'processes, summed per program')
    host = sub.add_parser(
        'host', help='a whole agent host fails as in a power cut (fail), '
        'or boots again (restore); no lab lock: meant to run under a '
        'suite run')
    host.add_argument('action', choices=('fail', 'restore'))
    host.add_argument('name', help='an agent host, e.g. cpnw1 or network1')
    brk = sub.add_parser(
        'break', help='run scenario tests against a lab broken the way '
        'they check (--list: the breakages)')
    brk.add_argument('--list', action='store_true',
                     help='the breakages and how to ask for them')
    brk.add_argument('requests', nargs='*', metavar='BREAKAGE TEST... | '
                     'TEST=BREAKAGE...')
    sub.add_parser('paths', help='the lab\'s paths as shell assignments: '
                   'eval "$(python3 -m dvr_lab paths)"')
    image = sub.add_parser(
        'image', help='build the guest kernel and initramfs from Debian '
        'packages (cached by their versions) and print their paths')
    image.add_argument('--dir', default=s.GUEST_IMAGE_DIR,
                       help='where to build (default %(default)s)')
    image.add_argument('--boot-check', action='store_true',
                       help='then boot it once under QEMU (TCG, no way out) '
                       'and wait for login:')
    logs = sub.add_parser('logs', help='where the logs are, or a tail')
    logs.add_argument('service', nargs='?')
    logs.add_argument('-n', '--lines', type=int, default=40)
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != 'run':
        parser.error('unrecognized arguments: %s' % ' '.join(rest))
    args.tempest_args = rest
    listing = args.command == 'break' and (args.list or not args.requests)
    needs_no_root = ('paths', 'image')
    if (os.geteuid() != 0 and not listing
            and args.command not in needs_no_root):
        parser.error('the lab manages namespaces and services: run as root')
    # What this command and its children send to the lab skips any proxy.
    os.environ.update(proxy.environment())
    handler = {'up': cmd_up, 'run': cmd_run, 'down': cmd_down,
               'status': cmd_status,
               'host': cmd_host,
               'logs': cmd_logs, 'break': cmd_break,
               'paths': cmd_paths, 'image': cmd_image}[args.command]
    return handler(args, argv)


if __name__ == '__main__':
    sys.exit(main())
