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

"""no_proxy for the lab's addresses wherever something talks to the lab."""

import os
import subprocess

import fixtures
import testtools

from dvr_lab import processes
from dvr_lab import proxy
from dvr_lab import services
from dvr_lab import settings
from dvr_lab import tempest_workspace
from dvr_lab.tests.unit import lab_fixtures

LAB = ['localhost', '127.0.0.1', '10.250.0.1', '10.250.0.0/24',
       '10.251.0.0/24', '172.24.4.0/24']


class TestNoProxy(testtools.TestCase):

    def test_the_lab_ranges_controller_and_localhost(self):
        self.assertEqual(LAB, proxy.no_proxy({}).split(','))

    def test_existing_entries_come_first_once(self):
        value = proxy.no_proxy({'no_proxy': 'example.org, 10.250.0.0/24',
                                'NO_PROXY': 'example.org,.corp'})
        self.assertEqual(['example.org', '10.250.0.0/24', '.corp'] +
                         [d for d in LAB if d != '10.250.0.0/24'],
                         value.split(','))

    def test_both_spellings_are_set_and_the_rest_is_kept(self):
        env = proxy.environment({'http_proxy': 'http://proxy:3128',
                                 'PATH': '/bin'})
        self.assertEqual(env['no_proxy'], env['NO_PROXY'])
        self.assertEqual('http://proxy:3128', env['http_proxy'])
        self.assertEqual('/bin', env['PATH'])

    def test_default_is_this_process_environment_untouched(self):
        self.useFixture(fixtures.EnvironmentVariable('no_proxy', 'a.b'))
        env = proxy.environment()
        self.assertTrue(env['no_proxy'].startswith('a.b,'))
        self.assertEqual('a.b', os.environ['no_proxy'])


class TestEveryLabServiceSkipsProxies(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lab_fixtures.LabStateDir())
        self.useFixture(fixtures.EnvironmentVariable(
            'http_proxy', 'http://proxy.invalid:3128'))
        self.useFixture(fixtures.EnvironmentVariable('no_proxy'))
        self.useFixture(fixtures.EnvironmentVariable('NO_PROXY'))
        self.popen = self.useFixture(fixtures.MockPatchObject(
            subprocess, 'Popen')).mock
        self.popen.return_value.pid = 4242
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.procfs.start_time', return_value=1))
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.enter', return_value=['nsenter', '--']))

    def started_env(self):
        return self.popen.call_args.kwargs['env']

    def test_a_service_inheriting_the_environment(self):
        services.start(services.mariadb())
        self.assertEqual(LAB, self.started_env()['no_proxy'].split(','))
        self.assertEqual(LAB, self.started_env()['NO_PROXY'].split(','))

    def test_a_service_with_its_own_environment(self):
        services.start(services.rabbitmq())
        env = self.started_env()
        self.assertEqual(LAB, env['no_proxy'].split(','))
        self.assertIn('RABBITMQ_CONFIG_FILE', env)

    def test_every_service_of_both_layouts(self):
        for name in settings.LAYOUTS:
            for svc in services.all_services(settings.layout(name)):
                services.start(svc)
                self.assertIn('172.24.4.0/24',
                              self.started_env()['no_proxy'], svc.name)

    def test_processes_start_directly(self):
        processes.start('host-cpnw1', ['true'])
        self.assertIn('10.251.0.0/24', self.started_env()['NO_PROXY'])


class TestTempestGuidance(testtools.TestCase):

    def test_env_script_exports_both_spellings(self):
        lines = proxy.exports({'no_proxy': 'x y'}).splitlines()
        value = "'x y,%s'" % ','.join(LAB)
        self.assertEqual(['export no_proxy=' + value,
                          'export NO_PROXY=' + value], lines)

    def test_the_workspace_has_it(self):
        self.useFixture(lab_fixtures.LabStateDir())
        os.makedirs(os.path.join(settings.TEMPEST_DIR, '.stestr'))
        tempest_workspace.write(settings.layout('article'), 'i', 'f', 'n')
        with open(tempest_workspace.env_script()) as f:
            self.assertIn('export no_proxy=', f.read())
