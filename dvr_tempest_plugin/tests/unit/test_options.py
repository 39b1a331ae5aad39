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

from dvr_tempest_plugin import config as dvr_config
from dvr_tempest_plugin import options
from dvr_tempest_plugin.tests.unit import base


class TestOptions(base.TestCase):

    def test_every_name_is_a_defined_option(self):
        defined = {opt.name for opt in dvr_config.DvrGroup}
        names = {value for name, value in vars(options).items()
                 if name.isupper() and isinstance(value, str)
                 and name != 'GROUP'}
        names |= set(options.AGENT_COMMAND_OPTIONS)
        self.assertEqual(defined, names)

    def test_agent_command_option(self):
        self.assertEqual('ovs_agent_kill_command',
                         options.agent_command_option('ovs', 'kill'))
        self.assertEqual(6, len(options.AGENT_COMMAND_OPTIONS))

    def test_agent_command_option_refuses_unknown(self):
        self.assertRaises(ValueError, options.agent_command_option,
                          'dhcp', 'stop')
        self.assertRaises(ValueError, options.agent_command_option,
                          'l3', 'restart')
