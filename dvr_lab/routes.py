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

"""Refusing to build the lab where its address ranges are already routed.

A route of this machine into 10.250.0.0/24, 10.251.0.0/24 or
172.24.4.0/24 means a real network the lab would hide, or one that would
catch the lab's packets. Only the tester's own links may route them.
"""

import ipaddress
import json

from dvr_lab import settings as s
from dvr_lab import shell


class RangesTaken(RuntimeError):
    pass


def foreign_routes(routes, lab_cidrs, lab_links):
    """The routes reaching into lab_cidrs through anything but lab_links.

    routes as `ip -j route show table all` lists them; a default route
    reaches everywhere and is no conflict.
    """
    lab = [ipaddress.ip_network(cidr) for cidr in lab_cidrs]
    found = []
    for route in routes:
        if route.get('dev') in lab_links:
            continue
        try:
            destination = ipaddress.ip_network(route.get('dst', ''),
                                               strict=False)
        except ValueError:  # 'default' and whatever is no network
            continue
        if destination.prefixlen and any(
                destination.version == net.version and
                destination.overlaps(net) for net in lab):
            found.append(route)
    return found


def describe(route):
    """A route the way `ip route` prints it, roughly."""
    words = [route.get('type', ''), route.get('dst', '')]
    for key, label in (('gateway', 'via'), ('dev', 'dev'),
                       ('table', 'table'), ('protocol', 'proto')):
        if key in route:
            words += [label, str(route[key])]
    return ' '.join(word for word in words if word)


def refuse_if_taken(lab_links):
    """RangesTaken naming each foreign route into the lab's ranges."""
    listing = shell.run(['ip', '-j', 'route', 'show', 'table', 'all'])
    taken = foreign_routes(json.loads(listing or '[]'), s.LAB_CIDRS,
                           lab_links)
    if taken:
        raise RangesTaken(
            'this machine already routes into the lab\'s ranges (%s): %s. '
            'The lab would hide or capture that traffic: remove the '
            'routes, or run the lab on another machine.' % (
                ', '.join(s.LAB_CIDRS),
                '; '.join(repr(describe(r)) for r in taken)))
