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

"""A warm up loads the databases the first up migrated, minus secrets."""

import os
import stat

import fixtures
import testtools

from dvr_lab import controller
from dvr_lab import db_snapshot
from dvr_lab.tests.unit import lab_fixtures


class TestDbSnapshot(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = self.useFixture(lab_fixtures.LabStateDir())
        self.useFixture(fixtures.MonkeyPatch(
            'dvr_lab.db_snapshot.SNAPSHOT_DIR',
            os.path.join(self.lab.root, 'snapshot')))
        self.run = self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.run', return_value='-- dump\n cell1 ')).mock

    def commands(self):
        return [call.args[1] for call in self.run.call_args_list]

    def test_cell_mappings_rows_stay_out(self):
        argv = db_snapshot.dump_argv(controller.DATABASES)
        self.assertIn('--ignore-table=nova_api.cell_mappings', argv)
        schema, = db_snapshot.secret_tables_schema_argv()
        self.assertIn('--no-data', schema)
        self.assertEqual(['nova_api', 'cell_mappings'], schema[-2:])

    def test_first_up_migrates_and_keeps_a_0600_dump(self):
        said = controller.prepare_databases()
        self.assertIn('migrated', said)
        commands = [' '.join(argv) for argv in self.commands()]
        self.assertTrue(any('neutron-db-manage' in c for c in commands))
        self.assertTrue(any('mariadb-dump' in c for c in commands))
        path = db_snapshot.path(controller.DATABASES)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))

    def test_next_up_loads_the_dump_and_maps_the_cells_again(self):
        controller.prepare_databases()
        self.run.reset_mock()
        said = controller.prepare_databases()
        self.assertIn('loaded', said)
        commands = [' '.join(argv) for argv in self.commands()]
        self.assertFalse(any('neutron-db-manage' in c or 'db_sync' in c
                             for c in commands))
        self.assertTrue(any('map_cell0' in c for c in commands))
        self.assertIn('-- dump', self.run.call_args_list[0].kwargs['input'])

    def test_other_pins_other_dump(self):
        self.assertNotEqual(db_snapshot.key(controller.DATABASES),
                            db_snapshot.key(controller.DATABASES[:-1]))
