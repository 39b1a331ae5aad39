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

"""`up` refuses a machine that already routes the lab's ranges."""

import json

import fixtures
import testtools

from dvr_lab import routes
from dvr_lab import settings

LAB_LINKS = ('dvrlab-mgmt', 'dvrlab-pub')
# As `ip -j route show table all` prints them.
MACHINE = [
    {'dst': 'default', 'gateway': '192.0.2.1', 'dev': 'eth0', 'flags': []},
    {'dst': '192.0.2.0/24', 'dev': 'eth0', 'protocol': 'kernel',
     'scope': 'link', 'prefsrc': '192.0.2.2', 'flags': []},
    {'type': 'local', 'dst': '127.0.0.0/8', 'dev': 'lo', 'table': 'local',
     'protocol': 'kernel', 'scope': 'host', 'prefsrc': '127.0.0.1',
     'flags': []},
    {'type': 'unreachable', 'dst': 'default', 'table': '100', 'flags': []},
]
THE_LABS_OWN = [
    {'dst': '10.250.0.0/24', 'dev': 'dvrlab-mgmt', 'protocol': 'kernel',
     'scope': 'link', 'prefsrc': '10.250.0.254', 'flags': []},
    {'dst': '172.24.4.0/24', 'dev': 'dvrlab-pub', 'protocol': 'kernel',
     'scope': 'link', 'prefsrc': '172.24.4.1', 'flags': []},
    {'type': 'broadcast', 'dst': '10.250.0.255', 'dev': 'dvrlab-mgmt',
     'table': 'local', 'protocol': 'kernel', 'scope': 'link',
     'prefsrc': '10.250.0.254', 'flags': []},
]


def foreign(extra):
    return routes.foreign_routes(MACHINE + THE_LABS_OWN + extra,
                                 settings.LAB_CIDRS, LAB_LINKS)


class TestForeignRoutes(testtools.TestCase):

    def test_a_machine_with_only_the_lab_and_its_own_networks_is_clear(self):
        self.assertEqual([], foreign([]))

    def test_a_wider_network_holding_a_lab_range(self):
        route = {'dst': '10.0.0.0/8', 'gateway': '192.0.2.254',
                 'dev': 'eth0', 'flags': []}
        self.assertEqual([route], foreign([route]))

    def test_a_narrower_route_inside_a_lab_range(self):
        route = {'dst': '172.24.4.128/25', 'dev': 'wg0', 'flags': []}
        self.assertEqual([route], foreign([route]))

    def test_a_host_route_in_another_table(self):
        route = {'type': 'local', 'dst': '10.251.0.7', 'dev': 'eth1',
                 'table': 'local', 'flags': []}
        self.assertEqual([route], foreign([route]))

    def test_a_blackhole_without_a_device(self):
        route = {'type': 'blackhole', 'dst': '10.250.0.0/24', 'flags': []}
        self.assertEqual([route], foreign([route]))

    def test_a_multipath_route_names_no_device_of_the_lab(self):
        route = {'dst': '10.251.0.0/24', 'flags': [], 'nexthops': [
            {'gateway': '192.0.2.3', 'dev': 'eth0'}]}
        self.assertEqual([route], foreign([route]))

    def test_neighbouring_networks_are_no_conflict(self):
        self.assertEqual([], foreign([
            {'dst': '10.249.0.0/24', 'dev': 'eth0', 'flags': []},
            {'dst': '10.250.1.0/24', 'dev': 'eth0', 'flags': []},
            {'dst': '172.24.5.0/24', 'dev': 'eth0', 'flags': []},
            {'dst': 'fe80::/64', 'dev': 'eth0', 'flags': []}]))


class TestRefusal(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.run = self.useFixture(fixtures.MockPatch(
            'dvr_lab.shell.run')).mock

    def test_the_message_names_each_foreign_route(self):
        self.run.return_value = json.dumps(MACHINE + [
            {'dst': '10.250.0.0/16', 'gateway': '192.0.2.9', 'dev': 'eth0',
             'protocol': 'static', 'flags': []}])
        error = self.assertRaises(routes.RangesTaken,
                                  routes.refuse_if_taken, LAB_LINKS)
        self.assertIn("'10.250.0.0/16 via 192.0.2.9 dev eth0 proto static'",
                      str(error))
        self.assertIn('10.250.0.0/24, 10.251.0.0/24, 172.24.4.0/24',
                      str(error))
        self.assertEqual(['ip', '-j', 'route', 'show', 'table', 'all'],
                         self.run.call_args.args[0])

    def test_a_clear_machine_passes(self):
        self.run.return_value = json.dumps(MACHINE + THE_LABS_OWN)
        routes.refuse_if_taken(LAB_LINKS)
