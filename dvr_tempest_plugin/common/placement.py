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

"""Which host has which namespace and device, against what the API says.

Every namespace check a test makes on a host (present with the devices
the router's ports in the API call for, or absent) is kept with what the
host showed; report/svg_placement.py draws them, disagreements in red.
"""

import dataclasses

from dvr_tempest_plugin.common import hoststate


@dataclasses.dataclass
class NamespaceCheck:
    """One namespace on one host: expected (None: must be absent), found.

    expected maps a device name to its hoststate.Device, from the API;
    found is the hoststate.NamespaceView the host showed.
    """

    host: str
    namespace: str
    expected: dict
    found: hoststate.NamespaceView

    @property
    def wanted(self):
        return self.expected is not None

    def problems(self):
        if not self.wanted:
            return (['namespace %s present, expected absent' % self.namespace]
                    if self.found.exists else [])
        return hoststate.namespace_problems(self.found, self.expected)

    def missing_devices(self):
        if not self.wanted:
            return set()
        return set(self.expected) - set(self.found.devices or ())


class Placement(object):
    """The namespace checks of one test, the latest per host and namespace."""

    def __init__(self):
        self._checks = {}

    def add(self, host, namespace, expected, found):
        self._checks[host, namespace] = NamespaceCheck(host, namespace,
                                                       expected, found)

    def hosts(self):
        return sorted({host for host, _ in self._checks})

    def checks(self, host):
        return [check for (name, _), check in sorted(self._checks.items())
                if name == host]

    def __bool__(self):
        return bool(self._checks)

    def problems(self):
        return ['host %s: %s' % (check.host, problem)
                for _, check in sorted(self._checks.items())
                for problem in check.problems()]
