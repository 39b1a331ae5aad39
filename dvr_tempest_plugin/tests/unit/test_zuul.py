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


import glob
import os
import re
import unittest

import yaml

from dvr_tempest_plugin import config as dvr_config
from dvr_tempest_plugin import plugin
from dvr_tempest_plugin.tests.unit import base

JOB = 'dvr-tempest-plugin-multinode-dvr'
# Checked against tempest's and devstack's zuul configuration.
KNOWN_PARENTS = ('tempest-multinode-full-py3', 'devstack-tempest')
KNOWN_LABELS = ('ubuntu-noble', 'ubuntu-jammy')
KNOWN_CHECK_JOBS = ('openstack-tox-pep8', 'openstack-tox-py311')
SCENARIO_DIR = os.path.join(base.REPO_ROOT, 'dvr_tempest_plugin', 'tests',
                            'scenario')
UNIT_DIR = os.path.dirname(os.path.abspath(__file__))
SAMPLE_SCENARIO_ID = ('dvr_tempest_plugin.tests.scenario.test_traffic_path.'
                      'TrafficPathTest.test_east_west_routed_on_sender_host')


def zuul_config():
    items = []
    for path in sorted(glob.glob(os.path.join(base.REPO_ROOT, 'zuul.d',
                                              '*.yaml'))):
        with open(path) as f:
            items.extend(yaml.safe_load(f))
    return items


def flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from flatten(item)
        else:
            yield item.id()


def module_ids(directory, package):
    return [package + '.' + os.path.basename(path)[:-3]
            for path in sorted(glob.glob(os.path.join(directory,
                                                      'test_*.py')))]


def scenario_test_ids():
    """Ids tempest would list: loaded if importable, else module paths."""
    if os.path.isfile(os.path.join(SCENARIO_DIR, '__init__.py')):
        test_dir, top_dir = plugin.get_test_dir()
        ids = list(flatten(unittest.TestLoader().discover(
            test_dir, top_level_dir=top_dir)))
        if ids and not any(i.startswith('unittest.') for i in ids):
            return ids
    return module_ids(SCENARIO_DIR, 'dvr_tempest_plugin.tests.scenario')


def unit_test_ids():
    return list(flatten(unittest.TestLoader().discover(
        UNIT_DIR, top_level_dir=base.REPO_ROOT)))


class TestZuulJob(base.TestCase):

    def setUp(self):
        super().setUp()
        config = zuul_config()
        jobs = [item['job'] for item in config if 'job' in item]
        self.jobs = {job['name']: job for job in jobs}
        self.assertEqual(len(jobs), len(self.jobs), 'duplicate job names')
        self.job = self.jobs[JOB]
        self.vars = self.job['vars']
        self.projects = [item['project'] for item in config
                         if 'project' in item]

    def test_parent_exists_upstream(self):
        self.assertIn(self.job['parent'], KNOWN_PARENTS)

    def test_nodeset(self):
        nodeset = self.job['nodeset']
        nodes = [node['name'] for node in nodeset['nodes']]
        self.assertEqual(3, len(set(nodes)))
        self.assertIn('controller', nodes)
        for node in nodeset['nodes']:
            self.assertIn(node['label'], KNOWN_LABELS)
        groups = {group['name']: group['nodes']
                  for group in nodeset['groups']}
        for members in groups.values():
            self.assertLessEqual(set(members), set(nodes))
        self.assertEqual(['controller'], groups['tempest'])
        subnodes = set(nodes) - {'controller'}
        self.assertEqual(subnodes, set(groups['subnode']))
        self.assertEqual(subnodes, set(groups['compute']))

    def test_every_node_is_dvr_snat_like_the_article(self):
        subnode = self.job['group-vars']['subnode']
        for localrc in (self.vars['devstack_localrc'],
                        subnode['devstack_localrc']):
            self.assertEqual('dvr_snat', localrc['Q_DVR_MODE'])
            self.assertEqual('openvswitch', localrc['Q_AGENT'])
        for service in ('q-agt', 'q-l3', 'q-dhcp', 'q-meta', 'n-cpu'):
            self.assertIs(True, subnode['devstack_services'][service],
                          service)
        self.assertIs(False, self.vars['devstack_services']['n-cpu'])
        agent = (subnode['devstack_local_conf']['post-config']
                 ['/$NEUTRON_CORE_PLUGIN_CONF']['agent'])
        self.assertIs(True, agent['enable_distributed_routing'])
        self.assertIs(True, agent['arp_responder'])

    def test_plugin_is_installed_from_this_repository(self):
        # devstack installs each tempest_plugins entry from
        # /opt/stack/<entry>, where Zuul puts each required project under
        # its short name: an entry must be the short name of a required
        # project, this repository's, not the setup.cfg name.
        projects = [project if isinstance(project, str) else project['name']
                    for project in self.job['required-projects']]
        short_names = {project.split('/')[-1]: project
                       for project in projects}
        [plugin] = self.vars['tempest_plugins']
        self.assertIn(plugin, short_names)
        self.assertNotIn(short_names[plugin],
                         ('openstack/neutron', 'openstack/tempest'))
        self.assertEqual('all', self.vars['tox_envlist'])

    def test_test_config_uses_real_options(self):
        dvr = (self.vars['devstack_local_conf']['test-config']
               ['$TEMPEST_CONFIG']['dvr'])
        names = {opt.name for opt in dvr_config.DvrGroup}
        self.assertLessEqual(set(dvr), names)
        self.assertEqual('stack', dvr['host_ssh_user'])
        self.assertEqual('sudo', dvr['host_command_prefix'])
        self.assertIn('host_ssh_addresses', dvr)
        self.assertIn('host_ssh_key_file', dvr)
        # the job's cloud is its own: the agent-failure tests must run
        self.assertIs(True, dvr['disruptive_tests'])

    def test_pre_run_playbooks(self):
        playbooks = self.job['pre-run']
        if isinstance(playbooks, str):
            playbooks = [playbooks]
        for playbook in playbooks:
            with open(os.path.join(base.REPO_ROOT, playbook)) as f:
                plays = yaml.safe_load(f)
            self.assertIsInstance(plays, list)
            for play in plays:
                self.assertIn('hosts', play)
                self.assertTrue(play.get('tasks') or play.get('roles'))

    def test_project_runs_the_jobs(self):
        [project] = self.projects
        check = project['check']['jobs']
        gate = project['gate']['jobs']
        self.assertIn(JOB, check)
        for job in KNOWN_CHECK_JOBS:
            self.assertIn(job, check)
            self.assertIn(job, gate)

    def test_dvr_job_is_non_voting_in_check_only(self):
        # like neutron-tempest-plugin's own DVR job
        self.assertIs(False, self.job['voting'])
        [project] = self.projects
        for pipeline, config in project.items():
            if pipeline != 'check' and isinstance(config, dict):
                names = [job if isinstance(job, str) else list(job)[0]
                         for job in config.get('jobs', [])]
                self.assertNotIn(JOB, names, pipeline)


class TestTestRegex(base.TestCase):

    def setUp(self):
        super().setUp()
        job = [item['job'] for item in zuul_config()
               if item.get('job', {}).get('name') == JOB][0]
        self.regex = re.compile(job['vars']['tempest_test_regex'])

    def test_selects_scenario_tests(self):
        for test_id in scenario_test_ids() + [SAMPLE_SCENARIO_ID]:
            self.assertTrue(self.regex.search(test_id), test_id)

    def test_selects_no_unit_test(self):
        ids = unit_test_ids()
        self.assertIn(self.id(), ids)
        self.assertEqual([], [i for i in ids if self.regex.search(i)])
