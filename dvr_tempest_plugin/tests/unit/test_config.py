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


import configparser
import importlib.metadata
import io
import os

from oslo_config import cfg
from oslo_config import generator

from dvr_tempest_plugin import config as dvr_config
from dvr_tempest_plugin import plugin
from dvr_tempest_plugin.tests.unit import base

CONTRACT_DEFAULTS = {
    'host_ssh_addresses': {},
    'host_ssh_user': 'stack',
    'host_ssh_key_file': None,
    'host_ssh_port': 22,
    'host_ssh_jump_host': None,
    'host_ssh_known_hosts_file': None,
    'host_key_policy': 'reject',
    'host_command_prefix': 'sudo',
    'host_connect_timeout': 10,
    'host_command_timeout': 60,
    'l3_agent_stop_command': 'sudo systemctl stop devstack@q-l3.service',
    'l3_agent_start_command': 'sudo systemctl start devstack@q-l3.service',
    'l3_agent_kill_command':
        'sudo systemctl kill --signal=SIGKILL devstack@q-l3.service',
    'ovs_agent_stop_command': 'sudo systemctl stop devstack@q-agt.service',
    'ovs_agent_start_command':
        'sudo systemctl start devstack@q-agt.service',
    'ovs_agent_kill_command':
        'sudo systemctl kill --signal=SIGKILL devstack@q-agt.service',
    'outside_address': None,
    'convergence_timeout': 120,
    'agent_down_timeout': 120,
    'capture_seconds': 30,
    'disruptive_tests': False,
    'expect_snat_failover': False,
    'snat_failover_max_outage': 30,
    'ha_failover_max_outage': 10,
    'report_dir': '',
    'host_fail_command': '',
    'host_restore_command': '',
    'host_failure_command_timeout': 120,
    'node_failure_max_snat_recovery': 60,
}
GENERATOR_CONF = os.path.join(
    base.REPO_ROOT, 'etc', 'dvr-tempest-plugin-config-generator.conf')
SAMPLE = os.path.join(base.REPO_ROOT, 'etc', 'dvr-tempest-plugin.conf.sample')


class TestOptions(base.TestCase):

    def test_defaults_are_the_contract(self):
        group = self.make_conf()
        self.assertEqual(
            CONTRACT_DEFAULTS,
            {opt.dest: getattr(group, opt.dest)
             for opt in dvr_config.DvrGroup})

    def test_every_option_has_help(self):
        for opt in dvr_config.DvrGroup:
            self.assertGreater(len(opt.help or ''), 20, opt.name)

    def test_list_opts(self):
        [(group, opts)] = dvr_config.list_opts()
        self.assertEqual('dvr', group.name)
        self.assertIs(dvr_config.DvrGroup, opts)

    def test_values_are_parsed(self):
        group = self.make_conf(
            'host_ssh_addresses = cpnw1:10.250.0.11,cpnw2:10.250.0.12\n'
            'host_command_prefix =\n'
            'host_key_policy = reject\n')
        self.assertEqual({'cpnw1': '10.250.0.11', 'cpnw2': '10.250.0.12'},
                         group.host_ssh_addresses)
        self.assertEqual('', group.host_command_prefix)
        self.assertEqual('reject', group.host_key_policy)


class TestPlugin(base.TestCase):

    def test_register_opts(self):
        conf = cfg.ConfigOpts()
        plugin.DvrTempestPlugin().register_opts(conf)
        conf([], default_config_files=[], default_config_dirs=[])
        self.assertEqual(120, conf.dvr.convergence_timeout)

    def test_get_opt_lists(self):
        self.assertEqual([('dvr', dvr_config.DvrGroup)],
                         plugin.DvrTempestPlugin().get_opt_lists())

    def test_tempest_only_sees_the_scenario_tests(self):
        test_dir, top_dir = plugin.DvrTempestPlugin().load_tests()
        self.assertEqual(base.REPO_ROOT, top_dir)
        self.assertEqual(
            os.path.join(base.REPO_ROOT, 'dvr_tempest_plugin', 'tests',
                         'scenario'),
            test_dir)


class TestPackaging(base.TestCase):

    def setUp(self):
        super().setUp()
        self.setup_cfg = configparser.ConfigParser()
        self.setup_cfg.read(os.path.join(base.REPO_ROOT, 'setup.cfg'))

    def _entry_points(self, group):
        lines = self.setup_cfg['entry_points'][group].strip().splitlines()
        return dict(tuple(part.strip() for part in line.split('=', 1))
                    for line in lines)

    def test_entry_points(self):
        self.assertEqual(
            {'dvr_tests': 'dvr_tempest_plugin.plugin:DvrTempestPlugin'},
            self._entry_points('tempest.test_plugins'))
        self.assertEqual(
            {'dvr_tempest_plugin': 'dvr_tempest_plugin.config:list_opts'},
            self._entry_points('oslo.config.opts'))


class TestSampleConfig(base.TestCase):

    def test_sample_is_up_to_date(self):
        installed = {ep.name for ep in importlib.metadata.entry_points(
            group='oslo.config.opts')}
        if 'dvr_tempest_plugin' not in installed:
            self.skipTest('dvr-tempest-plugin is not installed, so '
                          'oslo-config-generator cannot find its options')
        conf = cfg.ConfigOpts()
        generator.register_cli_opts(conf)
        conf(['--config-file', GENERATOR_CONF], default_config_files=[],
             default_config_dirs=[])
        output = io.StringIO()
        generator.generate(conf, output_file=output)
        with open(SAMPLE) as f:
            self.assertEqual(
                output.getvalue(), f.read(),
                'etc/dvr-tempest-plugin.conf.sample is stale: run '
                '"tox -e genconfig"')
