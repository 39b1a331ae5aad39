"""Running scenario tests against a lab broken the way each checks.

It runs the tests in this process, with the lab's tempest workspace, and
wraps DvrScenarioTest.setUp: after the class built its topology, the
test's breakage is applied to its router, VMs and hosts, then kept applied
every second by a thread, and undone after the test (before the class
cleans up). Breakages that act through [dvr] options override them for
the test only.
"""

import os
import pkgutil
import threading
import time
import traceback as traceback_module
import unittest

import testtools
from testtools import content as testtools_content

from dvr_lab import settings

SCENARIO_PACKAGE = 'dvr_tempest_plugin.tests.scenario'
DETAILS_DIR = '/tmp/break-lab'
REAPPLY_SECONDS = 1


class UnknownTest(ValueError):

    def __init__(self, name):
        super().__init__('no scenario test or class named %r' % name)


class Keeper:
    """Applies a breakage now, then every second until stopped."""

    def __init__(self, breakage, test):
        self.breakage, self.test = breakage, test
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        self.breakage.apply(self.test)
        self.thread.start()

    def loop(self):
        while not self.stopped.wait(REAPPLY_SECONDS):
            try:
                self.breakage.apply(self.test)
            except Exception as exc:   # keep breaking; report once
                print('breakage %s: %s' % (self.breakage.name, exc))

    def stop(self):
        self.stopped.set()
        self.thread.join()
        self.breakage.undo(self.test)


def install(breakage_of):
    """Wrap DvrScenarioTest.setUp to break the lab for each test.

    breakage_of maps a test id to its Breakage.
    """
    from oslo_config import cfg

    from dvr_tempest_plugin.tests.scenario import base

    original = base.DvrScenarioTest.setUp

    def setUp(test):
        original(test)
        breakage = breakage_of[plain_id(test)]
        for option, value in breakage.conf.items():
            cfg.CONF.set_override(option, value, group='dvr')
            test.addCleanup(cfg.CONF.clear_override, option, group='dvr')
        keeper = Keeper(breakage, test)
        print('%s: breaking the lab: %s' % (test.id(), breakage.name))
        keeper.start()
        # Runs after the test's own cleanups (LIFO), before the class's.
        test.addCleanup(keeper.stop)

    base.DvrScenarioTest.setUp = setUp


class Report(testtools.TestResult):

    def _record(self, outcome, test, details, err=None):
        print('\n== %s: %s' % (outcome, test.id()))
        details = dict(details or {})
        if err is not None and 'traceback' not in details:
            # A class's setUpClass error comes as err, without details.
            details['traceback'] = testtools_content.text_content(''.join(
                traceback_module.format_exception(*err)))
        where = os.path.join(DETAILS_DIR, plain_id(test).rsplit('.', 1)[-1])
        os.makedirs(where, exist_ok=True)
        for name, content in details.items():
            with open(os.path.join(where, name.replace('/', '_')), 'wb') as f:
                f.write(b''.join(content.iter_bytes()))
        traceback = details.get('traceback')
        if traceback is not None:
            lines = traceback.as_text().rstrip().splitlines()
            print('\n'.join(lines[-12:]))
        print('   details in %s: %s' % (where, ', '.join(sorted(details))))

    def addSuccess(self, test, details=None):
        super().addSuccess(test, details=details)
        self._record('passed (the breakage went unnoticed)', test, details)

    def addFailure(self, test, err=None, details=None):
        super().addFailure(test, err=err, details=details)
        self._record('FAILED', test, details, err)

    def addError(self, test, err=None, details=None):
        super().addError(test, err=err, details=details)
        self._record('ERROR', test, details, err)

    def addSkip(self, test, reason=None, details=None):
        super().addSkip(test, reason=reason, details=details)
        if reason is None and details and 'reason' in details:
            reason = details['reason'].as_text()
        print('\n== skipped: %s: %s' % (test.id(), reason))


def plain_id(test):
    """The test's id without its [id-...] attributes: a loadable name.

    A class's setUpClass error is "setUpClass (module.Class)": the class.
    """
    test_id = test.id().split('[')[0]
    if test_id.endswith(')') and ' (' in test_id:
        return test_id.rstrip(')').split(' (', 1)[1]
    return test_id


def scenario_modules():
    import dvr_tempest_plugin.tests.scenario as package
    return sorted('%s.%s' % (SCENARIO_PACKAGE, module.name)
                  for module in pkgutil.iter_modules(package.__path__)
                  if module.name.startswith('test_'))


def test_ids(name):
    """The scenario tests a dotted path, a test_ or a Test name means."""
    if name.startswith(SCENARIO_PACKAGE):
        return [name]
    loader = unittest.TestLoader()
    found = []
    for module in scenario_modules():
        for case in testtools.iterate_tests(loader.loadTestsFromName(module)):
            if name in plain_id(case).split('.'):
                found.append(plain_id(case))
    if not found:
        raise UnknownTest(name)
    return found


def breakages_by_test(requests):
    """test id -> Breakage, from catalogue.requests()."""
    return {test_id: make_breakage()
            for test, make_breakage in requests
            for test_id in test_ids(test)}


def use_lab_workspace():
    os.environ.setdefault('TEMPEST_CONFIG_DIR',
                          os.path.join(settings.TEMPEST_DIR, 'etc'))
    os.environ.setdefault('TEMPEST_CONFIG', 'tempest.conf')
    os.chdir(settings.TEMPEST_DIR)


def run(requests):
    """Run the requested tests, each broken its way; 0 if none failed."""
    use_lab_workspace()
    breakage_of = breakages_by_test(requests)
    install(breakage_of)
    suite = unittest.TestLoader().loadTestsFromNames(list(breakage_of))
    result = Report()
    started = time.monotonic()
    suite.run(result)
    print('\n%d run in %.0f s: %d failed, %d errors, %d skipped' % (
        result.testsRun, time.monotonic() - started, len(result.failures),
        len(result.errors), len(result.skip_reasons)))
    return 0 if result.wasSuccessful() else 1
