# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Passwords reach the controller's commands by stdin, environment or file.

Never as an argument, which anyone reads in /proc/<pid>/cmdline.
"""

import os
import stat

import fixtures
import testtools

from dvr_lab import controller
from dvr_lab import settings
from dvr_lab import tempest_workspace
from dvr_lab.tests.unit import lab_fixtures


class TestNoPasswordOnACommandLine(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = self.useFixture(lab_fixtures.LabStateDir())
        self.run = self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.run', return_value=' cell1 ')).mock
        self.start = self.useFixture(fixtures.MockPatch(
            'dvr_lab.services.start')).mock
        secrets = self.lab.secrets
        self.passwords = [getattr(secrets, name)
                          for name in secrets.__dataclass_fields__]

    def assertNoPasswordInArguments(self):
        self.assertTrue(self.run.call_args_list)
        for call in self.run.call_args_list:
            argv = ' '.join(call.args[1])
            for password in self.passwords:
                self.assertNotIn(password, argv)

    def test_sql_with_passwords_goes_on_stdin(self):
        controller.create_databases()
        self.assertNoPasswordInArguments()
        self.assertIn("IDENTIFIED BY '%s'" % self.lab.secrets.database,
                      self.run.call_args.kwargs['input'])

    def test_keystone_bootstrap_reads_the_password_from_its_environment(
            self):
        controller.keystone_bootstrap()
        self.assertNoPasswordInArguments()
        argv = self.run.call_args.args[1]
        self.assertIn('bootstrap', argv)
        self.assertNotIn('--bootstrap-password', argv)
        self.assertEqual(self.lab.secrets.admin, self.run.call_args.kwargs[
            'env']['OS_BOOTSTRAP_PASSWORD'])

    def test_cell0_is_mapped_from_a_config_file(self):
        controller.sync_databases()
        self.assertNoPasswordInArguments()
        map_cell0 = [c.args[1] for c in self.run.call_args_list
                     if 'map_cell0' in c.args[1]]
        self.assertEqual(1, len(map_cell0))
        self.assertNotIn('--database_connection', map_cell0[0])
        self.assertIn(os.path.join(settings.ETC_DIR, 'nova',
                                   controller.CELL0_MAPPING_CONF),
                      map_cell0[0])

    def test_rabbitmq_user_comes_from_its_0600_config_file(self):
        controller.start_rabbitmq()
        path = os.path.join(settings.ETC_DIR, 'rabbitmq', 'rabbitmq.conf')
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        with open(path) as f:
            self.assertIn('default_pass = %s\n' % self.lab.secrets.rabbit,
                          f.read())
        self.run.assert_not_called()


class TestFilesHoldingPasswords(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = self.useFixture(lab_fixtures.LabStateDir())
        venv = os.path.join(self.lab.root, 'venv')
        self.useFixture(fixtures.MonkeyPatch('dvr_lab.settings.VENV', venv))
        for project, paste in (('glance', 'glance-api-paste.ini'),
                               ('nova', 'api-paste.ini'),
                               ('neutron', 'api-paste.ini')):
            os.makedirs(os.path.join(venv, 'etc', project))
            with open(os.path.join(venv, 'etc', project, paste), 'w') as f:
                f.write('[pipeline:main]\n')

    def files_with_a_password(self):
        secrets = self.lab.secrets
        passwords = [getattr(secrets, n) for n in secrets.__dataclass_fields__]
        found = {}
        for directory, _, names in os.walk(self.lab.state):
            for name in names:
                path = os.path.join(directory, name)
                with open(path) as f:
                    text = f.read()
                if any(p in text for p in passwords):
                    found[path] = stat.S_IMODE(os.stat(path).st_mode)
        return found

    def test_every_file_holding_a_password_is_0600(self):
        old = os.umask(0o022)
        self.addCleanup(os.umask, old)
        controller.write_configs()
        os.makedirs(os.path.join(settings.TEMPEST_DIR, '.stestr'))
        tempest_workspace.write(settings.layout('article'), 'i', 'f', 'n')
        found = self.files_with_a_password()
        self.assertIn(os.path.join(settings.TEMPEST_DIR, 'etc',
                                   'tempest.conf'), found)
        self.assertIn(os.path.join(settings.ETC_DIR, 'nova', 'nova.conf'),
                      found)
        self.assertGreaterEqual(len(found), 8)
        self.assertEqual({0o600}, set(found.values()), found)
