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

"""`dvr-lab status --memory` names what each lab process runs."""

import testtools

from dvr_lab import status

VENV = '/opt/dvr-lab/venv/bin/'


class TestProgramLabel(testtools.TestCase):

    def assertLabel(self, label, command_line):
        self.assertEqual(label, status.program_label(command_line))

    def test_python_console_script(self):
        self.assertLabel('nova-compute', VENV + 'python ' + VENV +
                         'nova-compute --config-file /x/nova.conf')

    def test_privsep_daemon_by_its_context(self):
        self.assertLabel(
            'privsep-helper neutron.privileged.link_cmd',
            VENV + 'python ' + VENV + 'privsep-helper --config-file a.conf '
            '--privsep_context neutron.privileged.link_cmd '
            '--privsep_sock_path /tmp/x')

    def test_uwsgi_by_its_application(self):
        self.assertLabel('uwsgi keystone.wsgi.api:application',
                         VENV + 'python ' + VENV + 'uwsgi --home /v '
                         '--module keystone.wsgi.api:application --master')

    def test_process_titles(self):
        self.assertLabel('neutron-l3-agent (worker)',
                         'neutron-l3-agent: ServiceWrapper worker(0)')
        self.assertLabel('neutron-l3-agent (master)',
                         'neutron-l3-agent: master process [' + VENV +
                         'neutron-l3-agent --config-file a]')
        self.assertLabel('neutron-openvswitch-agent',
                         'neutron-openvswitch-agent (' + VENV + 'python '
                         + VENV + 'neutron-openvswitch-agent)')

    def test_plain_program(self):
        self.assertLabel('dnsmasq', 'dnsmasq --no-hosts --no-resolv')
        self.assertLabel('?', '')
