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

"""A router's extra routes, and where DVR's L3 agent programs them.

RouterInfo.routes_updated writes each route of router['routes'] into the
router's qrouter- on every host that hosts the router
(router_info.update_routing_table); a DvrEdgeRouter also into its snat-
on the SNAT host when the router has a gateway
(dvr_edge_router._should_update_snat_routing_table); a DvrLocalRouter
also into the fip- namespace, only when the next hop is on the external
network's agent gateway subnet (not the case for routes to tenant
subnets). A DVR router is hosted wherever a DVR router connected to it
through a network is (l3_dvrscheduler_db
_get_other_dvr_router_ids_connected_router). All in neutron/agent/l3/
and neutron/db/.
"""

import dataclasses


def route(destination, nexthop):
    """One entry of a router's routes, as the API takes it."""
    return {'destination': destination, 'nexthop': nexthop}


def describe(entry):
    return '%s via %s' % (entry['destination'], entry['nexthop'])


def find_route(lines, entry):
    """The `ip -4 route` line of entry (destination via nexthop), or None."""
    for line in lines:
        words = line.split()
        if (words[:1] == [entry['destination']] and 'via' in words and
                words.index('via') + 1 < len(words) and
                words[words.index('via') + 1] == entry['nexthop']):
            return line.strip()
    return None


@dataclasses.dataclass(frozen=True, eq=False)
class Place:
    """A namespace on a host that must carry a router's routes."""

    host: str
    namespace: str
    routes: tuple

    def problems(self, lines):
        """What is wrong with lines (`ip -4 route`; None: no namespace)."""
        if lines is None:
            return ['host %s: expected namespace %s with the route(s) %s, '
                    'found no such namespace' % (
                        self.host, self.namespace,
                        ', '.join(describe(r) for r in self.routes))]
        return ['host %s, namespace %s: expected the route %s, found: %s' % (
            self.host, self.namespace, describe(entry),
            '; '.join(line.strip() for line in lines) or 'no routes')
            for entry in self.routes if find_route(lines, entry) is None]
