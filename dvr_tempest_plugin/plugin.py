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

import os

from tempest.test_discover import plugins

from dvr_tempest_plugin import config as dvr_config

SCENARIO_TEST_DIR = os.path.join('dvr_tempest_plugin', 'tests', 'scenario')


def get_test_dir():
    """Return (test_dir, top_level_dir) for unittest discovery.

    Only the scenario package is handed to tempest, so the unit tests next
    to it are never collected by `tempest run`.
    """
    top_level_dir = os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(top_level_dir, SCENARIO_TEST_DIR), top_level_dir


class DvrTempestPlugin(plugins.TempestPlugin):

    def load_tests(self):
        return get_test_dir()

    def register_opts(self, conf):
        dvr_config.register_opts(conf)

    def get_opt_lists(self):
        return [(dvr_config.dvr_group.name, dvr_config.DvrGroup)]
