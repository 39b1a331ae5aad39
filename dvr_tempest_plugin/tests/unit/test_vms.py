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

from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import vms
from dvr_tempest_plugin.tests.unit import base


class FakeFloatingIpsClient(object):

    def __init__(self, status):
        self.status = status

    def show_floatingip(self, fip_id):
        return {'floatingip': {'id': fip_id, 'status': self.status,
                               'floating_ip_address': '172.24.4.5'}}


class TestVms(base.TestCase):

    def test_vm_text(self):
        vm = vms.Vm('vm1', 'cpnw1', 'subnet1', 'server-1',
                    fixed_ip='10.100.0.5',
                    floating_ip={'floating_ip_address': '172.24.4.5'})
        self.assertEqual('vm1 (10.100.0.5 on cpnw1)', str(vm))
        self.assertEqual('172.24.4.5', vm.floating_ip_address)

    def test_floating_ip_status(self):
        fip = {'id': 'f1', 'floating_ip_address': '172.24.4.5'}
        self.assertEqual('ACTIVE', vms.wait_floating_ip_status(
            FakeFloatingIpsClient('ACTIVE'), fip, 'ACTIVE', 1)['status'])
        exc = self.assertRaises(lib_exc.TimeoutException,
                                vms.wait_floating_ip_status,
                                FakeFloatingIpsClient('DOWN'), fip,
                                'ACTIVE', 0)
        self.assertIn('floating IP 172.24.4.5: expected status ACTIVE '
                      'within 0 s, found DOWN', str(exc))

    def test_no_floating_ip_needs_a_jump_vm(self):
        vm = vms.Vm('vm3', 'cpnw2', 'subnet1', 'server-3')
        exc = self.assertRaises(ValueError, vms.ssh_client, vm,
                                {'private_key': 'k'}, None)
        self.assertEqual('vm3 has no floating IP: name a VM to reach it '
                         'through', str(exc))
