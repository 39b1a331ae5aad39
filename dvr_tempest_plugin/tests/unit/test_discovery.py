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

from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.tests.unit import base


class FakeInventory(object):

    def __init__(self, candidates):
        self._candidates = candidates

    def candidates(self, modes):
        return list(self._candidates)


class TestDiscovery(base.TestCase):

    def test_host_a_is_the_snat_host_when_a_candidate(self):
        self.assertEqual({'A': 'cpnw2', 'B': 'cpnw1'},
                         discovery.choose_vm_hosts(['cpnw1', 'cpnw2'],
                                                   'cpnw2'))
        self.assertEqual({'A': 'cpnw1', 'B': 'cpnw2'},
                         discovery.choose_vm_hosts(['cpnw1', 'cpnw2'],
                                                   'ct1'))

    def test_candidates_without_host_access(self):
        self.assertEqual(['a', 'b'], discovery.candidate_hosts(
            FakeInventory(['a', 'b']), False))

    def test_candidates_with_host_access_are_reachable(self):
        self.use_conf('host_ssh_addresses = a:10.0.0.1,d:10.0.0.4\n')
        exc = self.assertRaises(hosts.HostAccessError,
                                discovery.candidate_hosts,
                                FakeInventory(['a', 'b', 'c']), True)
        self.assertIn('the cloud offers a, b, c, but [dvr] '
                      'host_ssh_addresses lists only a, d', str(exc))

    def test_require_host_access_names_the_missing_hosts(self):
        self.use_conf('host_ssh_addresses = a:10.0.0.1\n')
        exc = self.assertRaises(hosts.HostAccessError,
                                discovery.require_host_access, {'a', 'b'})
        self.assertIn('has no address for host(s) b', str(exc))
