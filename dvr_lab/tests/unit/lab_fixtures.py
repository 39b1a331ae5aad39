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

"""Fixtures for the lab's unit tests: never the real state directory."""

import os

import fixtures

from dvr_lab import credentials

_STATE_PATHS = {
    'ETC_DIR': 'etc', 'LOG_DIR': 'log', 'RUN_DIR': 'run',
    'DATA_DIR': 'data', 'HOSTS_DIR': 'hosts', 'SSH_DIR': 'ssh',
    'TEMPEST_DIR': 'tempest', 'GUEST_IMAGE_DIR': 'guest-image',
    'SECRETS_FILE': 'secrets.json', 'LAYOUT_FILE': 'layout',
}
_SERVICE_PATHS = {
    'MYSQL_SOCKET': 'data/mysql.sock', 'MYSQL_DIR': 'data/mysql',
    'RABBIT_DIR': 'data/rabbitmq',
}


class LabStateDir(fixtures.Fixture):
    """Every lab path, and the lock, under a temporary directory.

    With passwords drawn (self.secrets), as `up` draws them.
    """

    def _setUp(self):
        self.root = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(self.root, 'state')
        os.makedirs(self.state)
        self._patch('dvr_lab.settings.STATE_DIR', self.state)
        for name, sub in _STATE_PATHS.items():
            self._patch('dvr_lab.settings.' + name,
                        os.path.join(self.state, sub))
        for name, sub in _SERVICE_PATHS.items():
            self._patch('dvr_lab.services.' + name,
                        os.path.join(self.state, sub))
        self.lock_file = os.path.join(self.root, 'dvr-lab.lock')
        self._patch('dvr_lab.settings.LOCK_FILE', self.lock_file)
        self.secrets = credentials.create()

    def _patch(self, name, value):
        self.useFixture(fixtures.MonkeyPatch(name, value))
