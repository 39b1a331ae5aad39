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


import re

from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.tests.unit import base

ROUTER_ID = '4d3f1c2e-9a7b-4c1d-8e2f-0a1b2c3d4e5f'
NETWORK_ID = 'b6a3c9d8-1e2f-4a5b-9c8d-7e6f5a4b3c2d'
PORT_ID = '8f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'


class TestNamespaceNames(base.TestCase):

    def test_namespaces_keep_the_whole_id(self):
        self.assertEqual('qrouter-' + ROUTER_ID,
                         naming.qrouter_namespace(ROUTER_ID))
        self.assertEqual('snat-' + ROUTER_ID,
                         naming.snat_namespace(ROUTER_ID))
        self.assertEqual('fip-' + NETWORK_ID,
                         naming.fip_namespace(NETWORK_ID))


class TestDeviceNames(base.TestCase):

    def test_port_devices(self):
        self.assertEqual('qr-8f1e2d3c-4b', naming.qr_device(PORT_ID))
        self.assertEqual('qg-8f1e2d3c-4b', naming.qg_device(PORT_ID))
        self.assertEqual('sg-8f1e2d3c-4b', naming.sg_device(PORT_ID))
        self.assertEqual('ha-8f1e2d3c-4b', naming.ha_device(PORT_ID))
        self.assertEqual('fg-8f1e2d3c-4b', naming.fg_device(PORT_ID))

    def test_router_devices(self):
        self.assertEqual('rfp-4d3f1c2e-9', naming.rfp_device(ROUTER_ID))
        self.assertEqual('fpr-4d3f1c2e-9', naming.fpr_device(ROUTER_ID))

    def test_every_device_fits_the_kernel_limit(self):
        for func, identifier in ((naming.qr_device, PORT_ID),
                                 (naming.qg_device, PORT_ID),
                                 (naming.sg_device, PORT_ID),
                                 (naming.fg_device, PORT_ID),
                                 (naming.rfp_device, ROUTER_ID),
                                 (naming.fpr_device, ROUTER_ID)):
            name = func(identifier)
            self.assertEqual(naming.DEV_NAME_LEN, len(name))
            self.assertLess(len(name), 16)
            self.assertTrue(re.match(r'^[a-z]{2,3}-[0-9a-f-]+$', name), name)

    def test_short_ids_are_not_padded(self):
        self.assertEqual('qr-abc', naming.qr_device('abc'))
