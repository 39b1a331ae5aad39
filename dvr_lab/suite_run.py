"""`dvr-lab run`: the whole suite against the lab, then its report."""

import os
import re
import subprocess
import sys
import time

from dvr_lab import install
from dvr_lab import proxy
from dvr_lab import settings as s

KNOWN_DEFECTS = os.path.join(install.REPO_ROOT, 'tools',
                             'known-neutron-defects.txt')
REPORTS_DIR = os.path.join(s.CACHE_DIR, 'reports')
FAILURES_FILE = 'failures.txt'
FAILURE_TAIL_LINES = 4
FAILURE_MESSAGE_LINES = 40
FAILURE_HEAD_LINES = 5
_TOTAL_RE = re.compile(r'^ - (Passed|Failed|Skipped): (\d+)$', re.MULTILINE)


def known_defects():
    with open(KNOWN_DEFECTS) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


def tempest_argv(extra):
    """tempest run: the whole suite unless extra names tests."""
    argv = [s.venv_bin('tempest'), 'run', '--concurrency', '2']
    if not any(a in ('-r', '--regex', '--include-list', '--list-tests')
               or a.startswith(('--regex=', '--include-list='))
               for a in extra):
        argv += ['-r', 'dvr', '--exclude-list', KNOWN_DEFECTS]
    return argv + list(extra)


def summary(output):
    """'N passed, N failed, N skipped' from tempest run's totals."""
    totals = dict(_TOTAL_RE.findall(output))
    return '%s passed, %s failed, %s skipped' % tuple(
        totals.get(k, '?') for k in ('Passed', 'Failed', 'Skipped'))


def report_path(started):
    return os.path.join(REPORTS_DIR, time.strftime(
        '%Y%m%dT%H%M%SZ', time.gmtime(started)), 'dvr-report.html')


def run(extra, report_dir=None):
    """Run tempest in the lab's workspace, print totals and the report."""
    argv = tempest_argv(extra)
    if '--exclude-list' in argv:
        print('excluded, failing on a known Neutron defect (%s):'
              % KNOWN_DEFECTS)
        for test in known_defects():
            print('  ' + test)
    started = time.time()
    env = proxy.environment()
    output = []
    with subprocess.Popen(argv, cwd=s.TEMPEST_DIR, env=env, text=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        for line in proc.stdout:
            sys.stdout.write(line)
            output.append(line)
    print('scenario: %s' % summary(''.join(output)), flush=True)
    from dvr_tempest_plugin.report import cli as report_cli
    out = (os.path.join(report_dir, 'dvr-report.html') if report_dir
           else report_path(started))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    print('report: %s' % report_cli.write_report(s.TEMPEST_DIR, out),
          flush=True)
    failures = failure_lines(s.TEMPEST_DIR)
    if failures:
        path = os.path.join(os.path.dirname(out), FAILURES_FILE)
        with open(path, 'w') as f:
            f.write(failures)
        print(failures, end='', flush=True)
    return proc.returncode


def failure_lines(workspace):
    """Each failed test of the last run and the end of its traceback."""
    from dvr_tempest_plugin.report import results
    try:
        records, _ = results.read_source(workspace)
    except results.NoRun:
        return ''
    lines = []
    for record in records:
        if record.status != 'fail':
            continue
        lines.append('failed: %s\n' % record.test_id)
        lines += ['    %s\n' % line.strip()[:400]
                  for line in traceback_end(record.message)]
    return ''.join(lines)


def traceback_end(message):
    """The innermost frame and the whole exception message, bounded.

    An exception message can be long (a VM's console log): past
    FAILURE_MESSAGE_LINES, its first lines (what failed, where) and its
    end are kept.
    """
    lines = [line for line in message.splitlines() if line.strip()]
    frames = [i for i, line in enumerate(lines)
              if line.strip().startswith('File "')]
    if not frames:
        return lines[-FAILURE_TAIL_LINES:]
    end = lines[frames[-1]:]
    if len(end) <= FAILURE_MESSAGE_LINES:
        return end
    head = FAILURE_HEAD_LINES
    return (end[:head] + ['...'] +
            end[-(FAILURE_MESSAGE_LINES - head - 1):])
