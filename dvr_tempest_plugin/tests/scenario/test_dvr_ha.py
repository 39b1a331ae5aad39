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

"""DVR+HA routers: Neutron's answer to the article's open question (b).

The article left SNAT in one snat namespace, a single point of failure.
A router created with distributed=True and ha=True keeps its routing
distributed (qrouter- and fip- as for any DVR router) and puts its SNAT
part on two or more dvr_snat agents: snat-<router> on each, keepalived
(VRRP over the router's HA network, the ha- device) keeping the qg-/sg-
addresses on the active one only and moving them when it fails
(common/l3_ha.py says where in Neutron's code).

DvrHaTest reads the API and the hosts and disturbs nothing;
DvrHaFailoverTest ([dvr] disruptive_tests = True only) ends the active
host's keepalived for its own router under continuous probes, once as a
crash (SIGKILL) and once as a clean stop (SIGTERM), then, last on the
same topology, makes the whole active host fail (host_failure).
"""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import expected_devices
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import known_defects
from dvr_tempest_plugin.common import l3_ha
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import timeline as events
from dvr_tempest_plugin.tests.scenario import base
from dvr_tempest_plugin.tests.scenario import host_failure
from dvr_tempest_plugin.tests.scenario import probing
from dvr_tempest_plugin.tests.scenario import test_agent_failure
from dvr_tempest_plugin.tests.scenario import tracing

CONF = config.CONF

ADDRESS_POLL_INTERVAL = 1

KILLED = 'died'
STOPPED = 'stopped'
# How the active host's keepalived ends: (signal, the l3_ha function).
KEEPALIVED_ENDINGS = {
    KILLED: ('SIGKILL', l3_ha.kill_keepalived),
    STOPPED: ('SIGTERM', l3_ha.stop_keepalived),
}


class DvrHaTestBase(base.DvrScenarioTest):
    """The article's topology on a DVR+HA router (no tests of its own).

    Skips, naming the need, without the l3-ha extension or with fewer
    than two alive dvr_snat L3 agents. Host A is the router's first
    active host when it is a compute (the article's layout).
    """

    requires_host_access = True
    router_ha = True

    @classmethod
    def wait_initial_snat_host(cls):
        """The router's active host, once the API shows one."""
        timeout = settings.convergence_timeout()
        done, found = polling.wait_for(cls.router_l3_agents,
                                       l3_ha.active_host, timeout)
        if not done:
            raise lib_exc.TimeoutException(
                'router %s: expected one active L3 agent within %d s, found '
                '%s' % (cls.router['id'], timeout,
                        l3_ha.describe_states(found)))
        return l3_ha.active_host(found)

    @classmethod
    def current_snat_host(cls):
        """The router's active host now, or None when not exactly one."""
        return l3_ha.active_host(cls.router_l3_agents())

    # -- the API -------------------------------------------------------------

    def wait_ha_settled(self, timeout=None):
        """The router's L3 agents once one is active and the rest standby.

        Fails, saying each problem and every agent's state, when the
        states do not settle within timeout ([dvr] convergence_timeout).
        """
        timeout = timeout or settings.convergence_timeout()
        done, found = polling.wait_for(
            self.router_l3_agents,
            lambda agents: not l3_ha.state_problems(agents), timeout)
        self.attach_json('api-router-l3-agents-ha', found)
        if not done:
            self.attach_api_bindings()
            self.fail('router %s, GET /v2.0/routers/{id}/l3-agents after '
                      '%d s: %s; found: %s' % (
                          self.router['id'], timeout,
                          '; '.join(l3_ha.state_problems(found)),
                          l3_ha.describe_states(found)))
        return found

    def wait_flip(self, old_host):
        """(new active host or None, the L3 agents last seen)."""
        done, found = polling.wait_for(
            self.router_l3_agents,
            lambda agents: set(l3_ha.hosts_in_state(
                agents, l3_ha.ACTIVE)) - {old_host},
            settings.convergence_timeout(), interval=ADDRESS_POLL_INTERVAL)
        if not done:
            return None, found
        return sorted(set(l3_ha.hosts_in_state(found, l3_ha.ACTIVE)) -
                      {old_host})[0], found

    def ha_devices(self, host):
        return self._expected(expected_devices.ha_devices,
                              self.router_ports(router_api.HA_INTERFACE),
                              host)

    def active_devices(self, host):
        """qg-/sg- with their addresses, and host's ha-."""
        devices = dict(self.snat_devices())
        devices.update(self.ha_devices(host))
        return devices

    def standby_devices(self, host):
        """qg-/sg- and host's ha-, addresses not required."""
        devices = {name: hoststate.Device(device.role, None)
                   for name, device in self.snat_devices().items()}
        devices.update(self.ha_devices(host))
        return devices

    # -- the hosts -----------------------------------------------------------

    @property
    def snat_namespace(self):
        return naming.snat_namespace(self.router['id'])

    def standby_view(self, host):
        """(done, view): host's snat- without qg-/sg- addresses, or not."""
        client = self.host(host)
        expected = self.snat_devices()
        done, view = polling.wait_for(
            lambda: hoststate.namespace_view(client, self.snat_namespace),
            lambda view: not l3_ha.standby_address_problems(view, expected),
            settings.convergence_timeout())
        self.placement_record.add(host, self.snat_namespace,
                                  self.standby_devices(host), view)
        self.attach_text('%s-%s' % (host, self.snat_namespace), view.text())
        return done, view

    def assert_standby_without_addresses(self, host):
        done, view = self.standby_view(host)
        if not done:
            self.attach_hosts('%s-dvr-namespaces' % host, [host],
                              [self.snat_namespace])
            self.fail('router %s, standby: %s' % (self.router['id'], '; '.join(
                '%s on host %s' % (problem, host) for problem in
                l3_ha.standby_address_problems(view, self.snat_devices()))))


class DvrHaTest(DvrHaTestBase):
    """A DVR+HA router's agents, namespaces and addresses, read only."""

    @decorators.idempotent_id('5b0e8f43-6c1d-4b7a-9e25-3f8a1d6c0b97')
    def test_one_active_and_standby_l3_agents(self):
        """The API shows one active and at least one standby dvr_snat agent.

        Neutron schedules the SNAT part of an HA router to up to
        max_l3_agents_per_router dvr_snat agents, and each agent reports
        the state keepalived gives its host (neutron-keepalived-state-
        change). GET /v2.0/routers/{id}/l3-agents must settle on exactly
        one active and the others standby: two actives mean two hosts
        answer for the router's gateway and SNAT addresses (split brain),
        none means SNAT has no home. Polled until settled, within [dvr]
        convergence_timeout.
        """
        found = self.wait_ha_settled()
        snat_hosts = set(self.dvr_snat_hosts())
        hosting = {agent['host'] for agent in found}
        self.assertLessEqual(
            hosting, snat_hosts, 'router %s: expected its L3 agents on '
            'alive dvr_snat hosts (%s), found them on %s' % (
                self.router['id'], ', '.join(sorted(snat_hosts)),
                ', '.join(sorted(hosting))))

    @decorators.idempotent_id('a3c71e52-0d94-4f6b-8b1e-7c2d5e9f4a06')
    def test_snat_namespace_with_ha_port_on_each_ha_host(self):
        """snat-<router> with its ha- device on every host hosting it.

        Unlike a plain DVR router (one snat- on the SNAT host), the
        DvrEdgeHaRouter creates snat-<router> on each dvr_snat agent the
        router is scheduled to, with the qg-/sg- devices and the ha-
        device of that host's port on the HA network (VRRP runs there).
        No other dvr_snat or VM host may have it.
        """
        hosting = {agent['host'] for agent in self.wait_ha_settled()}
        others = (set(self.dvr_snat_hosts()) |
                  set(self.vm_hosts.values())) - hosting
        self.require_host_access(hosting | others)
        self.attach_api_bindings()
        for host in sorted(hosting):
            self.assert_namespace(host, self.snat_namespace,
                                  self.standby_devices(host))
        for host in sorted(others):
            self.assert_no_namespace(host, self.snat_namespace)

    @decorators.idempotent_id('e6f2b9d4-1a37-4c58-a0e9-2d4b6c8f1e73')
    def test_gateway_addresses_only_on_active_host(self):
        """qg-/sg- addresses on the active host only.

        keepalived holds the router's gateway address (qg-) and its
        centralized SNAT addresses (sg-, one per subnet) as virtual
        addresses: the active host has them, a standby has the same
        devices without any address, ready to take them over. An address
        on a standby would answer for the router from two hosts.
        """
        found = self.wait_ha_settled()
        active = l3_ha.active_host(found)
        standby = l3_ha.hosts_in_state(found, l3_ha.STANDBY)
        self.require_host_access(set(standby) | {active})
        self.attach_api_bindings()
        self.assert_namespace(active, self.snat_namespace,
                              self.active_devices(active))
        for host in standby:
            self.assert_standby_without_addresses(host)

    @decorators.idempotent_id('0c4d8a1f-5e62-47b9-b3d0-9a6e1f2c7b58')
    @known_defects.neutron_defect(router_api.DuplicatePorts,
                                  known_defects.DUPLICATE_FIP_GATEWAY)
    def test_qrouter_and_fip_as_for_dvr(self):
        """qrouter- and fip- are those of a plain DVR router.

        HA concerns the SNAT part only: routing stays distributed.
        qrouter-<router> on each VM host and each host of the router's
        SNAT part, with qr- per subnet and rfp-; fip-<external network>
        on each VM host with its fg- and fpr-; VM1's floating IP plumbed
        on host A only (HostPlacementTest's assertions, on this router).
        """
        hosting = {agent['host'] for agent in self.router_l3_agents()}
        qrouter = naming.qrouter_namespace(self.router['id'])
        fip_ns = naming.fip_namespace(CONF.network.public_network_id)
        self.attach_api_bindings()
        for host in sorted(set(self.vm_hosts.values()) | hosting):
            self.assert_namespace(host, qrouter, self.qrouter_devices())
        for host in sorted(set(self.vm_hosts.values())):
            self.assert_namespace(host, fip_ns, self.fip_devices(host))
        vm = self.vms['vm1']
        self.assert_plumbing(vm.host, vm, vm.floating_ip, present=True)
        self.assert_plumbing(self.vm_hosts[discovery.HOST_B], vm,
                             vm.floating_ip, present=False)


@decorators.serial
class DvrHaFailoverTest(host_failure.HostFailure,
                        test_agent_failure.AgentFailureBase,
                        tracing.PathTracing, DvrHaTestBase):
    """The active host's keepalived ended, then the whole host failed.

    Serial, like AgentFailureTest: no other test class runs while it
    disrupts. The keepalived tests kill only the keepalived of this
    class's own router, by the PIDs its pid files name, on the active
    host. The whole host failure shares the topology and comes last
    (test_whole_...): it takes the guests of the failed host down. VRRP,
    not the L3 agent scheduler, moves the SNAT: a standby's keepalived
    takes the qg-/sg- addresses after three missed advertisements.
    """

    snat_outage_option = 'ha_failover_max_outage'

    def snat_client(self):
        """(VM without floating IP, VM with one to reach it by)."""
        return self.snat_probe_vm(failed_host=None)

    # -- keepalived ----------------------------------------------------------

    def wait_keepalived_back(self, host, old_pid):
        """(respawned keepalived or None, seconds waited for it)."""
        client = self.host(host)
        done, found = polling.wait_for(
            lambda: l3_ha.running_keepalived(client, self.router['id']),
            lambda k: k is not None and k.pid != old_pid,
            l3_ha.respawn_timeout())
        return found if done else None

    def ensure_keepalived_back(self, host, old_pid):
        """Cleanup: fail, naming it, unless keepalived runs again on host."""
        if self.wait_keepalived_back(host, old_pid) is None:
            raise AssertionError(
                'router %s: expected the L3 agent of host %s to respawn its '
                'keepalived (process monitor, check_child_processes_interval '
                '%d s by default) within %d s of the kill; found none running '
                'in %s' % (self.router['id'], host,
                           l3_ha.CHECK_CHILD_PROCESSES_INTERVAL,
                           l3_ha.respawn_timeout(), self.snat_namespace))

    def wait_addresses_on(self, host):
        """(done, problems) of the qg-/sg- addresses on host's snat-."""
        client = self.host(host)
        expected = self.snat_devices()
        done, view = polling.wait_for(
            lambda: hoststate.namespace_view(client, self.snat_namespace),
            lambda view: not hoststate.namespace_problems(view, expected),
            settings.convergence_timeout(), interval=ADDRESS_POLL_INTERVAL)
        self.attach_text('%s-%s-after-failover' % (host, self.snat_namespace),
                         view.text())
        return done, hoststate.namespace_problems(view, expected)

    def fail_over(self, old_host, keepalived, how, snat_probe, timeline):
        """Signal keepalived; follow the API, the addresses and the traffic.

        how is one of KEEPALIVED_ENDINGS. Returns (new active host or
        None, problems found).
        """
        client = self.host(old_host)
        signal_name, end = KEEPALIVED_ENDINGS[how]
        killed = timeline.mark('%s %s' % (signal_name, keepalived),
                               events.DISRUPTED)
        end(client, keepalived)
        new_host, found = self.wait_flip(old_host)
        if new_host is None:
            return None, [
                'expected another L3 agent of router %s to become active in '
                'the API within %d s of the %s of keepalived on host %s, '
                'found: %s' % (self.router['id'],
                               settings.convergence_timeout(), signal_name,
                               old_host, l3_ha.describe_states(found))]
        timeline.mark('API: %s' % l3_ha.describe_states(found),
                      events.HA_FLIPPED)
        problems = []
        moved, missing = self.wait_addresses_on(new_host)
        if moved:
            timeline.mark('qg-/sg- addresses on the new active host %s' %
                          new_host, events.ADDRESSES_MOVED)
        else:
            problems.append('expected the qg-/sg- addresses to move to the '
                            'new active host, found: %s on host %s' % (
                                '; '.join(missing), new_host))
        recovered, _ = polling.wait_for(
            lambda: self.full_bursts_since(snat_probe, killed), bool,
            settings.convergence_timeout())
        timeline.mark('SNAT probe: a whole burst answered after the kill: %s'
                      % bool(recovered),
                      events.RECOVERED if recovered else events.NOTE)
        return new_host, problems

    def restore(self, old_host, keepalived, timeline):
        """Wait for keepalived's respawn and the states to settle again."""
        back = self.wait_keepalived_back(old_host, keepalived.pid)
        if back is None:
            return ['expected the L3 agent of host %s to respawn keepalived '
                    'of router %s within %d s, found none running' % (
                        old_host, self.router['id'],
                        l3_ha.respawn_timeout())]
        timeline.mark('the L3 agent respawned %s' % back, events.RESTORING)
        found = self.wait_ha_settled()
        timeline.mark('API settled: %s' % l3_ha.describe_states(found),
                      events.SETTLED)
        if l3_ha.ACTIVE == l3_ha.ha_states(found).get(old_host):
            return ['expected the respawned keepalived on host %s to stay '
                    'standby (Neutron configures nopreempt), found it active '
                    'again' % old_host]
        done, view = self.standby_view(old_host)
        if not done:
            return ['%s on host %s' % (problem, old_host) for problem in
                    l3_ha.standby_address_problems(view, self.snat_devices())]
        return []

    @decorators.idempotent_id('7d91c3e5-b2a8-4f06-8c47-e1b5a0d9f362')
    def test_snat_fails_over_when_active_keepalived_dies(self):
        """Kill the active host's keepalived: SNAT moves, DVR keeps flowing.

        keepalived gets SIGKILL (a crash: no goodbye advertisement, its
        addresses stay where they are), so the standby takes over after
        three missed advertisements. See check_failover for the probes
        and what is asserted.
        """
        self.check_failover(KILLED)

    @decorators.idempotent_id('46c8aefe-6c6e-4dcf-81f5-ddc9abe7e02e')
    def test_snat_fails_over_when_active_keepalived_stops(self):
        """Stop the active host's keepalived: SNAT moves, DVR keeps flowing.

        keepalived gets SIGTERM (its own shutdown, as when an operator
        or a package upgrade stops it): it sends a priority-0
        advertisement and removes its addresses, so the standby takes
        over at once. See check_failover for the probes and what is
        asserted.
        """
        self.check_failover(STOPPED)

    def check_failover(self, how):
        """End the active host's keepalived (how) under probes; assert.

        Probes: the tester to both floating IPs, VM1 to VM2 (east-west
        across hosts), VM3 (no floating IP) to [dvr] outside_address
        through SNAT. The keepalived of this router on the active host is
        found by the PIDs its pid files name
        (<ha_confs_path>/<router>.pid.keepalived and -vrrp) among the
        processes of that host's snat-<router>.

        Asserted: a standby becomes active in the API; the qg-/sg-
        addresses appear in its snat-; the SNAT probe's longest outage is
        within [dvr] ha_failover_max_outage; floating-IP and east-west
        probes, served by the hosts' own qrouter- and fip-, lose nothing
        over 1 s; the L3 agent's process monitor respawns keepalived on
        the old host within check_child_processes_interval (60 s by
        default) plus a margin, and that host then stays standby, without
        addresses. The timeline detail (and timeline.svg) says when
        keepalived ended, when the API noticed, when the addresses moved
        and when SNAT traffic recovered. Then a traced ping shows SNAT
        leaving through the new active's qg- (check_snat_leaves_through).
        """
        outside = self.outside_address()
        old_host = l3_ha.active_host(self.wait_ha_settled())
        self.require_host_access({old_host})
        try:
            keepalived = l3_ha.find_keepalived(self.host(old_host),
                                               self.router['id'])
        except l3_ha.KeepalivedNotFound as exc:
            self.fail(str(exc))
        self.attach_text('keepalived-%s' % how, '%s %s' % (
            KEEPALIVED_ENDINGS[how][0], keepalived))
        vm, jump = self.snat_client()
        snat_probe = self.vm_probe('%s -> outside %s (SNAT)' % (vm, outside),
                                   vm, outside, via=jump)
        running = [snat_probe] + self.data_plane_probes()
        since = self.wait_answering(running)
        timeline = events.Timeline()
        self.addCleanup(self.ensure_keepalived_back, old_host,
                        keepalived.pid)
        try:
            new_host, problems = self.fail_over(old_host, keepalived, how,
                                                snat_probe, timeline)
            problems += self.restore(old_host, keepalived, timeline)
            self.wait_next_burst(running, timeline.mark('restored'))
        finally:
            reports = self.stop_probes(running, since, timeline)
            self.attach_api_bindings()
        longest = reports[0].longest_outage()
        outage = longest[1] if longest else 0.0
        self.attach_text('ha-failover-outcome', '\n'.join(
            ['keepalived %s on %s; active %s -> %s; SNAT outage %.1f s '
             '(limit %d s)' % (how, old_host, old_host, new_host, outage,
                               settings.ha_failover_max_outage())] +
            [report.summary() for report in reports]))
        if outage > settings.ha_failover_max_outage():
            problems.append(
                'expected a SNAT outage of at most %d s ([dvr] '
                'ha_failover_max_outage) when keepalived %s on host %s, '
                'found %.1f s: %s' % (settings.ha_failover_max_outage(),
                                      how, old_host, outage,
                                      reports[0].summary()))
        problems += [
            'expected floating-IP and east-west traffic to keep flowing (no '
            'outage over %.1f s) while keepalived of host %s %s and was '
            'respawned, found: %s' % (probing.MAX_BLIP_SECONDS, old_host,
                                      how, summary)
            for summary in self.outage_problems(reports[1:],
                                                probing.MAX_BLIP_SECONDS)]
        if problems:
            self.fail('router %s:\n%s' % (self.router['id'],
                                          '\n'.join(problems)))
        self.check_snat_leaves_through(new_host, old_host)

    def check_snat_leaves_through(self, new_host, old_host):
        """Traced SNAT client -> outside: through the new active's snat-.

        The SNAT client is a VM without floating IP (snat_client). Request
        in on its qr- on its host, in on the new active's sg- of its
        subnet, out of its qg- from the router's gateway address; the
        reply back in on that qg- and out of that sg-; nothing of the
        probe on the old active's sg-/qg- (standby now).
        """
        outside = self.outside_address()
        vm, jump = self.snat_client()
        gateway_ip = self.router_gateway_ip()
        qr = self.qr_point(vm.host, vm.subnet)
        sg, qg = self.sg_point(new_host, vm.subnet), self.qg_point(new_host)
        old = [self.sg_point(old_host, vm.subnet), self.qg_point(old_host)]

        def send(probe):
            return probes.ping_from_vm(self.ssh_client(vm, via=jump), probe,
                                       outside, tracing.PROBES, str(vm))

        self.warm_up(lambda: self.ping_from_vm(vm, outside, via=jump))
        seen = self.trace([qr, sg, qg], [qg, sg], old, send,
                          self.endpoint(vm), self.outside_endpoint(outside))
        self.check_path(seen, [
            paths.seen(qr, tracing.REQUEST, vm.fixed_ip, outside,
                       tracing.IN),
            paths.seen(sg, tracing.REQUEST, vm.fixed_ip, outside,
                       tracing.IN),
            paths.seen(qg, tracing.REQUEST, gateway_ip, outside,
                       tracing.OUT),
            paths.seen(qg, tracing.REPLY, outside, gateway_ip, tracing.IN),
            paths.seen(sg, tracing.REPLY, outside, vm.fixed_ip,
                       tracing.OUT)] +
            [paths.untouched(point) for point in old])

    # -- the whole active host fails -----------------------------------------

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
    def test_whole_active_host_failure(self):
        """Fail the DVR+HA router's active host: VRRP moves the SNAT.

        As AgentFailureTest.test_whole_snat_host_failure (skips, naming
        them, without [dvr] host_fail_command and host_restore_command),
        with the SNAT outage bound by [dvr] ha_failover_max_outage (10 s
        by default): a
        standby turns active in the API and holds the qg-/sg- addresses;
        after the restore the old host is a standby without addresses.
        """
        self.check_snat_host_failure()
