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

"""A lab host's wires into its Open vSwitch bridges."""

import fixtures
import testtools

from dvr_lab import computes
from dvr_lab import settings


class TestCreateBridges(testtools.TestCase):

    def commands(self, host):
        self.useFixture(fixtures.MockPatch('dvr_lab.computes.vsctl'))
        run = self.useFixture(fixtures.MockPatch(
            'dvr_lab.namespaces.run')).mock
        computes.create_bridges(host)
        return [call[0][1] for call in run.call_args_list]

    def test_the_kernel_answers_no_arp_on_the_wires(self):
        # Else a peer may resolve the tunnel address to tun0's MAC, and
        # this host's OVS does not decapsulate what is sent to it.
        host = settings.LAYOUTS['article'][0]
        commands = self.commands(host)
        for port in ('tun0', 'pub0'):
            self.assertIn(['ip', 'link', 'set', 'dev', port, 'arp', 'off'],
                          commands)
        self.assertIn(['ip', 'addr', 'replace', '%s/%d' % (
            host.tunnel_ip, settings.TUNNEL_PREFIXLEN), 'dev', 'br-vx'],
            commands)

    def test_a_host_without_external_link_has_no_public_wire(self):
        host = settings.Host('cpnw9', tunnel_ip='10.251.0.19',
                             l3_agent_mode='dvr_no_external')
        commands = self.commands(host)
        self.assertNotIn(['ip', 'link', 'set', 'dev', 'pub0', 'arp', 'off'],
                         commands)
