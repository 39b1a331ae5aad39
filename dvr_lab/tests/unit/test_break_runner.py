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
