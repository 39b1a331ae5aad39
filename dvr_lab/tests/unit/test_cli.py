"""dvr-lab's command line, where it needs neither root nor a lab."""

import io
from unittest import mock

import fixtures
import testtools

from dvr_lab.breakages import catalogue
from dvr_lab import cli
from dvr_lab import settings


class TestBreakCommand(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(cli, '_continue_in_lab_venv'))
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=1000))
        # main() adds the lab to them, for what the command talks to
        self.useFixture(fixtures.EnvironmentVariable('no_proxy'))
        self.useFixture(fixtures.EnvironmentVariable('NO_PROXY'))
        self.out = self.useFixture(fixtures.MockPatch(
            'sys.stdout', new_callable=io.StringIO)).mock
        self.err = self.useFixture(fixtures.MockPatch(
            'sys.stderr', new_callable=io.StringIO)).mock

    def test_list_needs_no_root(self):
        self.assertEqual(0, cli.main(['break', '--list']))
        self.assertEqual(catalogue.listing(), self.out.getvalue())

    def test_a_breakage_without_tests_shows_the_list(self):
        self.assertRaises(SystemExit, cli.main, ['break', 'no-snat'])
        with mock.patch('os.geteuid', return_value=0):
            self.assertEqual(2, cli.main(['break', 'no-snat']))
        self.assertIn('no-snat', self.out.getvalue())

    def test_unknown_breakage_is_refused_by_name(self):
        with mock.patch('os.geteuid', return_value=0):
            self.assertEqual(2, cli.main(['break', 'test_x=no-such']))
        self.assertIn("unknown breakage 'no-such'", self.err.getvalue())


class TestPathsCommand(testtools.TestCase):

    def test_paths_are_shell_assignments_from_settings(self):
        out = self.useFixture(fixtures.MockPatch(
            'sys.stdout', new_callable=io.StringIO)).mock
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=1000))
        self.assertEqual(0, cli.main(['paths']))
        lines = out.getvalue().splitlines()
        self.assertIn('DVR_LAB_VENV_BIN=' + settings.VENV_BIN, lines)
        self.assertIn('DVR_LAB_TEMPEST_DIR=' + settings.TEMPEST_DIR, lines)
        self.assertEqual(len(settings.paths()), len(lines))
