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

from dvr_tempest_plugin.common import expected_devices
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit.test_router_api import port

ROUTER_ID = '5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
SUBNETS = {'subnet1': {'id': 'sub-p1', 'gateway_ip': '10.100.0.1'},
           'subnet2': {'id': 'sub-p2', 'gateway_ip': '10.100.1.1'}}


class TestExpectedDevices(base.TestCase):

    def test_qrouter_devices(self):
        devices = expected_devices.qrouter_devices(
            ROUTER_ID, SUBNETS, [port('p1', 'a'), port('p2', 'a')])
        self.assertEqual(
            {'qr-p1': ('qr- of subnet1', '10.100.0.1'),
             'qr-p2': ('qr- of subnet2', '10.100.1.1'),
             'rfp-5c2e1b0e-7': ('rfp- to the fip namespace', None)},
            {name: (d.role, d.address) for name, d in devices.items()})

    def test_legacy_qrouter_devices(self):
        devices = expected_devices.legacy_qrouter_devices(
            SUBNETS, [port('p1', 'a'), port('p2', 'a')],
            port('gw', 'a', address='172.24.4.7'))
        self.assertEqual(
            {'qr-p1': ('qr- of subnet1', '10.100.0.1'),
             'qr-p2': ('qr- of subnet2', '10.100.1.1'),
             'qg-gw': ('qg- gateway', '172.24.4.7')},
            {name: (d.role, d.address) for name, d in devices.items()})

    def test_missing_port_is_named(self):
        exc = self.assertRaises(
            router_api.UnexpectedPorts, expected_devices.snat_devices,
            SUBNETS, [port('p1', 'a')], port('gw', 'a'))
        self.assertEqual('no network:router_centralized_snat port on '
                         'subnet2', str(exc))

    def test_fip_devices(self):
        devices = expected_devices.fip_devices(ROUTER_ID, port('fg1', 'a'),
                                               'a')
        self.assertEqual({'fg-fg1', 'fpr-5c2e1b0e-7'}, set(devices))
