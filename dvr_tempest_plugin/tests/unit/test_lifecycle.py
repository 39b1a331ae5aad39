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

from dvr_tempest_plugin.common import lifecycle
from dvr_tempest_plugin.tests.unit import base


def port(port_id, owner, host, subnet='s1', status='ACTIVE'):
    return {'id': port_id, 'device_owner': owner, 'binding:host_id': host,
            'status': status, 'fixed_ips': [{'subnet_id': subnet,
                                             'ip_address': '10.0.0.9'}]}


class TestQrouterKeepers(base.TestCase):

    def test_dvr_serviced_ports_of_the_router_subnets_on_the_host(self):
        ports = [port('vm', 'compute:nova', 'b'),
                 port('dhcp', 'network:dhcp', 'b'),
                 port('other-subnet', 'compute:nova', 'b', subnet='s9'),
                 port('other-host', 'compute:nova', 'a'),
                 port('down', 'compute:nova', 'b', status='DOWN'),
                 port('router', 'network:router_interface_distributed', 'b'),
                 port('snat', 'network:router_centralized_snat', 'b')]
        keepers = lifecycle.qrouter_keepers(ports, ['s1', 's2'], 'b')
        self.assertEqual(['vm', 'dhcp'], [p['id'] for p in keepers])
        self.assertEqual('vm (compute:nova), dhcp (network:dhcp)',
                         lifecycle.describe_ports(keepers))

    def test_none(self):
        self.assertEqual([], lifecycle.qrouter_keepers(
            [port('vm', 'compute:nova', 'a')], ['s1'], 'b'))
        self.assertEqual('none', lifecycle.describe_ports([]))


class TestFipDeleteRace(base.TestCase):

    def test_fg_without_fpr_is_what_the_race_leaves(self):
        self.assertTrue(lifecycle.left_by_fip_delete_race(
            ['fg-591d31d8-9b', 'lo']))

    def test_an_fpr_left_is_something_else(self):
        self.assertFalse(lifecycle.left_by_fip_delete_race(
            ['fg-591d31d8-9b', 'fpr-80b593e0-9', 'lo']))

    def test_no_fg_is_something_else(self):
        self.assertFalse(lifecycle.left_by_fip_delete_race(['lo']))
