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

"""The active host of a DVR+HA router fails as a whole.

The article's open question: can SNAT's single point of failure go?
Neutron's answer is DVR+HA. Here the router's active host fails as a
whole under continuous probes (host_failure.HostFailure), and VRRP must
move the SNAT. The plain DVR router's SNAT host failure is
test_agent_failure.AgentFailureTest.test_whole_snat_host_failure.
"""

from tempest.lib import decorators

from dvr_tempest_plugin.common import l3_ha
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import timeline as events
from dvr_tempest_plugin.tests.scenario import host_failure
from dvr_tempest_plugin.tests.scenario import test_agent_failure
from dvr_tempest_plugin.tests.scenario import test_dvr_ha


@decorators.serial
class HaNodeFailureTest(host_failure.HostFailure,
                        test_agent_failure.AgentFailureBase,
                        test_dvr_ha.DvrHaTestBase):
    """The active host of a DVR+HA router fails, then boots again.

    VRRP, not the L3 agent scheduler, moves the SNAT: a standby's
    keepalived takes the qg-/sg- addresses after three missed
    advertisements. Skips, naming the need, without l3-ha or with fewer
    than two alive dvr_snat agents.
    """

    snat_outage_option = 'ha_failover_max_outage'

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        missing = cls.missing_host_failure_commands()
        if missing:
            raise cls.skipException(missing)

    def expect_failover(self):
        return True

    def wait_snat_moved(self, old_host):
        """The first host other than old_host the API shows active."""
        new_host, found = self.wait_flip(old_host)
        self.attach_text('api-router-l3-agents-after-failure',
                         l3_ha.describe_states(found))
        return new_host

    def follow_snat_move(self, new_host, snat_probe, timeline):
        """The addresses on the new active host, then SNAT traffic."""
        moved = timeline.mark('API: %s active' % new_host,
                              events.HA_FLIPPED)
        self.assert_namespace(new_host, self.snat_namespace,
                              self.active_devices(new_host))
        timeline.mark('qg-/sg- addresses on the new active host %s' %
                      new_host, events.ADDRESSES_MOVED)
        recovered, _ = polling.wait_for(
            lambda: self.full_bursts_since(snat_probe, moved), bool,
            settings.convergence_timeout())
        timeline.mark('SNAT probe: a whole burst answered after the flip: '
                      '%s' % bool(recovered),
                      events.RECOVERED if recovered else events.NOTE)

    def wait_namespaces_in_sync(self):
        """One active with the addresses, the restored host standby."""
        found = self.wait_ha_settled()
        active = l3_ha.active_host(found)
        qrouter = naming.qrouter_namespace(self.router['id'])
        for host in sorted(set(self.vm_hosts.values())):
            self.assert_namespace(host, qrouter, self.qrouter_devices())
        self.assert_namespace(active, self.snat_namespace,
                              self.active_devices(active))
        for host in l3_ha.hosts_in_state(found, l3_ha.STANDBY):
            self.assert_standby_without_addresses(host)

    @decorators.idempotent_id('76508733-d32b-4423-ab8a-3098c35442ae')
    def test_active_host_failure(self):
        """Fail the DVR+HA router's active host: VRRP moves the SNAT.

        As AgentFailureTest.test_whole_snat_host_failure, with the SNAT outage
        bound by [dvr] ha_failover_max_outage (10 s by default): a
        standby turns active in the API and holds the qg-/sg- addresses;
        after the restore the old host is a standby without addresses.
        """
        self.check_snat_host_failure()
