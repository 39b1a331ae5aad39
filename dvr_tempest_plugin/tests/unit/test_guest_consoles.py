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

"""A failing test carries its guests' console logs."""

import sys
from unittest import mock

import fixtures
from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import vms
from dvr_tempest_plugin.tests.scenario import base as scenario_base
from dvr_tempest_plugin.tests.unit import base


class FakeScenario(object):
    attach_guest_consoles = scenario_base.DvrScenarioTest.attach_guest_consoles
    attach_text = scenario_base.DvrScenarioTest.attach_text
    skipException = scenario_base.DvrScenarioTest.skipException

    def __init__(self, console):
        self.details = {}
        self.vms = {'vm2': vms.Vm('vm2', 'cpnw2', 'subnet2', 'id-2'),
                    'vm1': vms.Vm('vm1', 'cpnw1', 'subnet1', 'id-1')}
        self.admin_servers_client = mock.Mock()
        self.admin_servers_client.get_console_output.side_effect = console

    def addDetail(self, name, content):
        self.details[name] = content.as_text()


def exc_info(exception):
    try:
        raise exception
    except Exception:
        return sys.exc_info()


class TestGuestConsoles(base.TestCase):

    def setUp(self):
        super().setUp()
        conf = mock.patch.object(scenario_base.CONF,
                                 'compute_feature_enabled',
                                 console_output=True)
        conf.start()
        self.addCleanup(conf.stop)

    def test_each_vm_console_on_failure(self):
        test = FakeScenario(lambda server_id, length: {
            'output': 'dvr-lab-guest: console of %s' % server_id})
        test.attach_guest_consoles(exc_info(AssertionError('x')))
        self.assertEqual({'console-vm1': 'dvr-lab-guest: console of id-1',
                          'console-vm2': 'dvr-lab-guest: console of id-2'},
                         test.details)

    def test_unreadable_console_is_said(self):
        test = FakeScenario(RuntimeError('nova said no'))
        test.attach_guest_consoles(exc_info(AssertionError('x')))
        self.assertIn('nova said no', test.details['console-vm1'])

    def test_nothing_on_skip(self):
        test = FakeScenario(lambda server_id, length: {'output': 'x'})
        test.attach_guest_consoles(exc_info(test.skipException('no')))
        self.assertEqual({}, test.details)


class TestUnreachableVm(base.TestCase):

    def failing_login(self, console, address):
        """A VmBuilder whose SSH logins time out; the ssh_client mock."""
        clients = mock.Mock()
        clients.admin_servers_client.get_console_output.return_value = {
            'output': console}
        login = mock.Mock()
        login.validate_authentication.side_effect = lib_exc.SSHTimeout(
            host=address, user='root', password=None)
        ssh = self.useFixture(fixtures.MockPatchObject(
            vms, 'ssh_client', return_value=login)).mock
        self.useFixture(fixtures.MockPatchObject(
            vms.CONF, 'compute_feature_enabled', console_output=True))
        return vms.VmBuilder(clients, None, None, None, 1), ssh

    def test_ssh_timeout_names_the_vm_host_and_console(self):
        vm = vms.Vm('vm1', 'cpnw1', 'subnet1', 'id-1',
                    floating_ip={'floating_ip_address': '172.24.4.9'})
        builder, _ = self.failing_login('eth0: no DHCP lease\nlogin:',
                                        '172.24.4.9')
        exc = self.assertRaises(vms.VmUnreachable, builder._wait_ssh_login,
                                vm, {'private_key': 'k'})
        self.assertIn('vm1 on cpnw1: no SSH login as', str(exc))
        self.assertIn('at floating IP 172.24.4.9', str(exc))
        self.assertTrue(str(exc).endswith('eth0: no DHCP lease\nlogin:'))

    def test_a_vm_without_floating_ip_is_checked_through_one(self):
        vm3 = vms.Vm('vm3', 'cpnw2', 'subnet1', 'id-3', fixed_ip='10.0.0.7')
        vm1 = vms.Vm('vm1', 'cpnw1', 'subnet1', 'id-1',
                     floating_ip={'floating_ip_address': '172.24.4.9'})
        builder, ssh = self.failing_login('metadata: no SSH key', '10.0.0.7')
        exc = self.assertRaises(vms.VmUnreachable, builder._wait_ssh_login,
                                vm3, {'private_key': 'k'}, via=vm1)
        self.assertIs(vm1, ssh.call_args.kwargs['via'])
        self.assertIn('vm3 on cpnw2: no SSH login as', str(exc))
        self.assertIn('at 10.0.0.7 through vm1', str(exc))
