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

from dvr_tempest_plugin.common import extra_routes
from dvr_tempest_plugin.tests.unit import base

ROUTE = extra_routes.route('10.100.2.0/24', '10.100.3.14')
ROUTES = [
    '10.100.0.0/24 dev qr-a1 proto kernel scope link src 10.100.0.1',
    '10.100.2.0/24 via 10.100.3.14 dev qr-t1 proto static',
    '10.100.3.0/24 dev qr-t1 proto kernel scope link src 10.100.3.1',
]
PLACE = extra_routes.Place('cpnw1', 'qrouter-r', (ROUTE,))


class TestFindRoute(base.TestCase):

    def test_the_line_of_destination_via_nexthop(self):
        self.assertEqual(ROUTES[1], extra_routes.find_route(ROUTES, ROUTE))

    def test_another_nexthop_or_destination_is_not_it(self):
        self.assertIsNone(extra_routes.find_route(ROUTES, extra_routes.route(
            '10.100.2.0/24', '10.100.3.15')))
        self.assertIsNone(extra_routes.find_route(ROUTES, extra_routes.route(
            '10.100.9.0/24', '10.100.3.14')))
        self.assertIsNone(extra_routes.find_route(
            ['10.100.2.0/24 dev qr-t1 via'], ROUTE))


class TestPlace(base.TestCase):

    def test_no_problem_when_every_route_is_there(self):
        self.assertEqual([], PLACE.problems(ROUTES))

    def test_a_missing_route_names_host_namespace_and_what_is_there(self):
        problems = PLACE.problems(ROUTES[:1])
        self.assertEqual(
            ['host cpnw1, namespace qrouter-r: expected the route '
             '10.100.2.0/24 via 10.100.3.14, found: %s' % ROUTES[0]],
            problems)
        self.assertIn('found: no routes', PLACE.problems([])[0])

    def test_a_missing_namespace(self):
        self.assertEqual(
            ['host cpnw1: expected namespace qrouter-r with the route(s) '
             '10.100.2.0/24 via 10.100.3.14, found no such namespace'],
            PLACE.problems(None))

    def test_places_with_dict_routes_can_key_a_dict(self):
        self.assertEqual({PLACE: 1}[PLACE], 1)
