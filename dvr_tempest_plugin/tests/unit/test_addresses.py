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

from dvr_tempest_plugin.common import addresses
from dvr_tempest_plugin.tests.unit import base

# The router gateway of devstack's dual-stack public network, as
# `openstack router show` gives external_fixed_ips (IPv6 listed first).
DUAL_STACK_GATEWAY = [
    {'subnet_id': '8d3a5c4e-6e0f-4b8a-9d1f-2f4e7c1b9a01',
     'ip_address': '2001:db8::1a7'},
    {'subnet_id': '0c6f2a47-3b1e-4d8c-a6e5-91f0b2d7c3e4',
     'ip_address': '172.24.4.187'},
]
IPV6_ONLY = [
    {'subnet_id': '8d3a5c4e-6e0f-4b8a-9d1f-2f4e7c1b9a01',
     'ip_address': '2001:db8::1a7'},
    {'subnet_id': 'b0e1c2d3-4f5a-6b7c-8d9e-0f1a2b3c4d5e',
     'ip_address': 'fd12:3456:789a::5'},
]


class TestIpv4Address(base.TestCase):

    def test_ipv4_after_ipv6(self):
        self.assertEqual('172.24.4.187', addresses.ipv4_address(
            DUAL_STACK_GATEWAY, 'router gateway'))

    def test_ipv4_only(self):
        self.assertEqual('10.1.0.5', addresses.ipv4_address(
            [{'subnet_id': 'x', 'ip_address': '10.1.0.5'}], 'port'))

    def test_first_ipv4_of_several(self):
        fixed_ips = DUAL_STACK_GATEWAY + [
            {'subnet_id': 'y', 'ip_address': '172.24.4.200'}]
        self.assertEqual('172.24.4.187',
                         addresses.ipv4_address(fixed_ips, 'port'))

    def test_ipv6_only_names_what_and_what_it_has(self):
        error = self.assertRaises(
            addresses.NoIpv4Address, addresses.ipv4_address, IPV6_ONLY,
            'fg- port 5c2e1b0e on compute1')
        self.assertEqual(
            'fg- port 5c2e1b0e on compute1: expected an IPv4 address in its '
            'fixed IPs, found 2001:db8::1a7, fd12:3456:789a::5', str(error))

    def test_no_fixed_ips(self):
        for empty in ([], None):
            error = self.assertRaises(addresses.NoIpv4Address,
                                      addresses.ipv4_address, empty,
                                      'router gateway')
            self.assertEqual('router gateway: expected an IPv4 address in '
                             'its fixed IPs, found none', str(error))

    def test_default_instead_of_error(self):
        self.assertEqual('no IPv4', addresses.ipv4_address(
            IPV6_ONLY, 'port', default='no IPv4'))
        self.assertIsNone(addresses.ipv4_address([], 'port', default=None))
        self.assertEqual('172.24.4.187', addresses.ipv4_address(
            DUAL_STACK_GATEWAY, 'port', default=None))
