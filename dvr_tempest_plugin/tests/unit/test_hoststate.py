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

from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.tests.scenario import hoststate
from dvr_tempest_plugin.tests.unit import base

ROUTER_ID = '5c2e1b0e-7f3a-4c1d-9b2e-8a6f0d4c3b21'
QROUTER = naming.qrouter_namespace(ROUTER_ID)


def view(devices):
    return hoststate.NamespaceView('compute1', QROUTER, devices)


QR_DEVICE = 'qr-8b1d2c3e-4f'
RFP_DEVICE = 'rfp-5c2e1b0e-7'
EXPECTED = {
    QR_DEVICE: hoststate.Device('qr- of subnet1', '10.100.0.1'),
    RFP_DEVICE: hoststate.Device('rfp- to the fip namespace', None),
}


class TestNamespaceProblems(base.TestCase):

    def test_no_namespace(self):
        self.assertEqual(['no namespace %s' % QROUTER],
                         hoststate.namespace_problems(view(None), EXPECTED))

    def test_missing_device(self):
        found = view({QR_DEVICE: {'addresses': ['10.100.0.1/28'],
                                  'state': 'UP'}})
        self.assertEqual(
            ['no device rfp-5c2e1b0e-7 (rfp- to the fip namespace)'],
            hoststate.namespace_problems(found, EXPECTED))

    def test_device_lacking_its_address(self):
        found = view({
            QR_DEVICE: {'addresses': ['10.100.0.17/28', 'fe80::1/64'],
                        'state': 'UP'},
            RFP_DEVICE: {'addresses': [], 'state': 'UP'}})
        self.assertEqual(
            ['device qr-8b1d2c3e-4f (qr- of subnet1) lacks address '
             '10.100.0.1, has 10.100.0.17, fe80::1'],
            hoststate.namespace_problems(found, EXPECTED))

    def test_device_without_addresses(self):
        found = view({QR_DEVICE: {'state': 'DOWN'},
                      RFP_DEVICE: {'addresses': ['169.254.106.114/31']}})
        self.assertEqual(
            ['device qr-8b1d2c3e-4f (qr- of subnet1) lacks address '
             '10.100.0.1, has none'],
            hoststate.namespace_problems(found, EXPECTED))

    def test_all_fine(self):
        found = view({
            'lo': {'addresses': ['127.0.0.1/8']},
            QR_DEVICE: {'addresses': ['10.100.0.1/28'], 'state': 'UP'},
            RFP_DEVICE: {'addresses': ['169.254.106.114/31'],
                         'state': 'UP'}})
        self.assertEqual([], hoststate.namespace_problems(found, EXPECTED))
