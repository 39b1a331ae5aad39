"""Finding the scenario tests `dvr-lab break` is asked to run."""

import testtools

from dvr_lab.breakages import catalogue
from dvr_lab.breakages import runner


class TestTestIds(testtools.TestCase):

    def test_scenario_modules_exist(self):
        modules = runner.scenario_modules()
        self.assertIn(runner.SCENARIO_PACKAGE + '.test_reachability',
                      modules)
        for module in modules:
            __import__(module)

    def test_unknown_test_name_is_refused_not_dropped(self):
        error = self.assertRaises(runner.UnknownTest, runner.test_ids,
                                  'test_no_such_scenario')
        self.assertIn("no scenario test or class named "
                      "'test_no_such_scenario'", str(error))

    def test_dotted_paths_are_taken_as_they_are(self):
        name = runner.SCENARIO_PACKAGE + '.test_x.TestX.test_y'
        self.assertEqual([name], runner.test_ids(name))

    def test_each_test_gets_its_breakage(self):
        name = runner.SCENARIO_PACKAGE + '.test_x.TestX.test_y'
        found = runner.breakages_by_test(
            catalogue.requests([name + '=no-fpr']))
        self.assertEqual(['no-fpr'], [b.name for b in found.values()])


class TestReport(testtools.TestCase):

    def test_a_skip_says_its_reason_from_the_details(self):
        import io
        from unittest import mock

        from testtools import content

        class Skipped(testtools.TestCase):
            def test_it(self):
                pass

        out = io.StringIO()
        with mock.patch('sys.stdout', out):
            runner.Report().addSkip(
                Skipped('test_it'),
                details={'reason': content.text_content('known defect')})
        self.assertIn('== skipped: ', out.getvalue())
        self.assertIn(': known defect', out.getvalue())

    def test_a_class_setup_error_prints_its_traceback(self):
        import io
        import sys
        import tempfile
        import unittest
        from unittest import mock

        holder = unittest.suite._ErrorHolder(
            'setUpClass (%s.test_x.TestX)' % runner.SCENARIO_PACKAGE)
        try:
            raise ValueError('vm1 on cpnw1: no SSH login')
        except ValueError:
            err = sys.exc_info()
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as where, \
                mock.patch.object(runner, 'DETAILS_DIR', where), \
                mock.patch('sys.stdout', out):
            runner.Report().addError(holder, err=err)
            with open('%s/TestX/traceback' % where) as saved:
                self.assertIn('no SSH login', saved.read())
        self.assertIn('ValueError: vm1 on cpnw1: no SSH login',
                      out.getvalue())

    def test_a_class_setup_id_is_its_class(self):
        holder = mock_id('setUpClass (pkg.test_x.TestX)')
        self.assertEqual('pkg.test_x.TestX', runner.plain_id(holder))
        test = mock_id('pkg.test_x.TestX.test_y[id-1,smoke]')
        self.assertEqual('pkg.test_x.TestX.test_y', runner.plain_id(test))


def mock_id(test_id):
    from unittest import mock
    return mock.Mock(id=mock.Mock(return_value=test_id))
