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

"""The lab's passwords: random per `up`, in files only root can read."""

import configparser
import os
import stat

import fixtures
import testtools

from dvr_lab import configs
from dvr_lab import credentials
from dvr_lab import inifile
from dvr_lab import private_files
from dvr_lab import settings
from dvr_lab import tempest_workspace
from dvr_lab.tests.unit import lab_fixtures


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class TestSecrets(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = self.useFixture(lab_fixtures.LabStateDir())

    def test_each_up_draws_new_distinct_passwords(self):
        first = credentials.load()
        second = credentials.create()
        self.assertEqual(second, credentials.load())
        values = [getattr(first, f) for f in first.__dataclass_fields__]
        self.assertEqual(len(values), len(set(values)))
        for name in first.__dataclass_fields__:
            self.assertNotEqual(getattr(first, name), getattr(second, name))
            self.assertGreaterEqual(len(getattr(second, name)), 32)

    def test_the_file_is_0600_even_with_an_open_umask(self):
        old = os.umask(0)
        self.addCleanup(os.umask, old)
        credentials.create()
        self.assertEqual(0o600, mode(settings.SECRETS_FILE))

    def test_passwords_never_show_in_a_repr(self):
        secrets = credentials.load()
        for name in secrets.__dataclass_fields__:
            self.assertNotIn(getattr(secrets, name), repr(secrets))

    def test_no_file_says_up_draws_them(self):
        os.unlink(settings.SECRETS_FILE)
        error = self.assertRaises(credentials.NoSecrets, credentials.load)
        self.assertIn(settings.SECRETS_FILE, str(error))
        self.assertIn('dvr-lab up', str(error))

    def test_there_is_a_metadata_proxy_secret(self):
        nova = configs.nova()
        self.assertEqual(self.lab.secrets.metadata,
                         nova['neutron']['metadata_proxy_shared_secret'])


class TestPasswordsReachTheirReaders(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.secrets = self.useFixture(lab_fixtures.LabStateDir()).secrets

    def test_database_and_rabbit_urls(self):
        self.assertIn(':%s@' % self.secrets.database,
                      configs.db_url('neutron'))
        self.assertIn(':%s@' % self.secrets.rabbit, configs.transport_url())

    def test_service_users(self):
        self.assertEqual(self.secrets.service,
                         configs.neutron_server()['nova']['password'])

    def test_tempest_admin(self):
        conf = tempest_workspace.tempest_conf(
            settings.layout('article'), 'i', 'f', 'n')
        self.assertEqual(self.secrets.admin,
                         conf['auth']['admin_password'])

    def test_cell0_mapping_derives_nova_cell0_as_nova_manage_does(self):
        # nova-manage cell_v2 map_cell0 appends '_cell0' to the database
        # name of [database] connection.
        url = configs.nova_cell0_mapping()['database']['connection']
        path, query = url.rsplit('/', 1)[1].split('?')
        derived = url.replace('/%s?' % path, '/%s_cell0?' % path)
        self.assertEqual(configs.db_url('nova_cell0'), derived)


class TestPrivateFiles(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        old = os.umask(0)
        self.addCleanup(os.umask, old)

    def test_new_file_is_0600(self):
        path = private_files.write(os.path.join(self.dir, 'a', 'x.conf'),
                                   'secret\n')
        self.assertEqual(0o600, mode(path))
        with open(path) as f:
            self.assertEqual('secret\n', f.read())

    def test_a_wider_file_is_replaced_by_a_0600_one(self):
        path = os.path.join(self.dir, 'x.conf')
        with open(path, 'w') as f:
            f.write('old\n')
        os.chmod(path, 0o644)
        private_files.write(path, 'new\n')
        self.assertEqual(0o600, mode(path))
        self.assertEqual(['x.conf'], os.listdir(self.dir))

    def test_ini_files_are_0600(self):
        path = inifile.write(os.path.join(self.dir, 'nova.conf'),
                             {'database': {'connection': 'x'}})
        self.assertEqual(0o600, mode(path))
        parser = configparser.RawConfigParser()
        parser.read(path)
        self.assertEqual('x', parser.get('database', 'connection'))
