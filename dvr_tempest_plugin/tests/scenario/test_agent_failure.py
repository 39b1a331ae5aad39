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

"""Agent failures under continuous probes: is SNAT still a weak point?

The article asked whether the network node stays a single point of
failure; these tests stop and kill agents on the SNAT host, and on the
compute host of a floating IP, and count the probes lost. They disrupt
the cloud, so they run only with [dvr] disruptive_tests = True. All tests
are in one class marked @decorators.serial: tempest's inter-process lock
runs a serial class alone, its setup included (no other class runs, or
has resources in the cloud, while it holds the write lock), and stestr's
group_regex keeps a class on one worker, so no disruption overlaps
another test.
"""

import contextlib
import time

from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import agent_control
from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import l3_ha
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import timeline as events
from dvr_tempest_plugin.common import vms
from dvr_tempest_plugin.tests.scenario import base
from dvr_tempest_plugin.tests.scenario import host_failure
from dvr_tempest_plugin.tests.scenario import probing

CONF = config.CONF

BURST_SECONDS = probing.BURST_SECONDS
SETTLE_SECONDS = 6
MAX_BLIP_SECONDS = probing.MAX_BLIP_SECONDS


class AgentFailureBase(probing.ContinuousProbing, base.DvrScenarioTest):
    """Disruptions under continuous probes (no tests of its own).

    VM1 (host A, subnet1) and VM2 (host B, subnet2) have floating IPs;
    VM3 (host B, subnet1) and VM4 (host A, subnet2) have none and are
    reached through a VM with one; whichever host holds the SNAT when a
    whole host fails, one of them stays off it to probe SNAT. Host A is
    the SNAT host whenever it also runs VMs (the article's layout). The
    agents of two hosts are disrupted at once: the SNAT host's, and those
    of the compute host of a floating IP that is not the SNAT host (host
    B on the article's layout, host A on the standard one), where DVR
    makes its promise.
    """

    requires_host_access = True
    vm_specs = (vms.VmSpec('vm1', discovery.HOST_A, 'subnet1', True),
                vms.VmSpec('vm2', discovery.HOST_B, 'subnet2', True),
                vms.VmSpec('vm3', discovery.HOST_B, 'subnet1', False),
                vms.VmSpec('vm4', discovery.HOST_A, 'subnet2', False))

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not settings.disruptive_tests():
            raise cls.skipException(
                '[dvr] disruptive_tests is False: these tests stop and kill '
                'Neutron agents, keepalived and whole hosts')

    # -- probes --------------------------------------------------------------

    def data_plane_probes(self):
        """Tester to both floating IPs, and VM1 to VM2 across hosts."""
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        return [
            self.floating_ip_probe(vm1),
            self.floating_ip_probe(vm2),
            self.vm_probe('%s -> %s (east-west)' % (vm1, vm2), vm1,
                          vm2.fixed_ip),
        ]

    # -- the cloud after a disruption ---------------------------------------

    def wait_namespaces_in_sync(self):
        """qrouter- on the VM hosts, snat- only where the API puts it."""
        snat_host = polling.wait_for(self.current_snat_host, bool,
                                     settings.convergence_timeout())[1]
        self.assertIsNotNone(snat_host, 'router %s: no single SNAT binding '
                             'after the disruption' % self.router['id'])
        qrouter = naming.qrouter_namespace(self.router['id'])
        for host in sorted(set(self.vm_hosts.values())):
            self.assert_namespace(host, qrouter, self.qrouter_devices())
        snat = naming.snat_namespace(self.router['id'])
        self.assert_namespace(snat_host, snat, self.snat_devices())
        others = (set(self.dvr_snat_hosts()) |
                  set(self.vm_hosts.values())) - {snat_host}
        self.require_host_access(others)
        for host in sorted(others):
            self.assert_no_namespace(host, snat)

    def wait_snat_moved(self, old_host):
        """The new SNAT host, or None if it stays on old_host."""
        # Neutron reschedules routers of agents silent for twice
        # agent_down_time, checking every agent_down_time / 2.
        done, host = polling.wait_for(
            self.current_snat_host,
            lambda host: host not in (None, old_host),
            2 * settings.agent_down_timeout())
        return host if done else None

    def wait_snat_ports_on(self, host):
        owners = (router_api.CENTRALIZED_SNAT, router_api.ROUTER_GATEWAY)
        done, ports = polling.wait_for(
            lambda: [p for owner in owners for p in self.router_ports(owner)],
            lambda ports: all(p['binding:host_id'] == host for p in ports),
            settings.convergence_timeout())
        self.assertTrue(done, 'expected the SNAT ports bound to %s; found '
                        '%s' % (host, ', '.join(
                            '%s on %r' % (p['device_owner'],
                                          p['binding:host_id'])
                            for p in ports)))

    # -- the disruption ------------------------------------------------------

    @contextlib.contextmanager
    def interrupted(self, kind, action, *hosts):
        """The agents of kind on hosts stopped or killed inside.

        On exit they are started and alive again; whatever happens, the
        test then waits for the namespaces to be back in sync with the API
        before it ends.
        """
        self.addCleanup(self.wait_namespaces_in_sync)
        with agent_control.interrupted_together(
                [self.agent(kind, host) for host in hosts],
                action) as agent_list:
            yield agent_list

    def agent(self, kind, host):
        return agent_control.Agent(self.host(host), kind,
                                   self.admin_agents_client)

    def wait_agent_dead(self, kind, host):
        self.agent(kind, host).wait_dead()

    def disrupt(self, kind, action, hosts, timeline):
        """Stop or kill the agents of hosts, wait until dead, restore them.

        Returns the moments (time.monotonic) the first agent went down,
        the agents were started again, and all were reported alive again.
        """
        with self.interrupted(kind, action, *hosts) as agent_list:
            for agent in agent_list:
                # what the command said, e.g. that a stop ended in SIGKILL
                said = agent.interruption.stdout.strip()
                timeline.mark('%s %s agent on %s (the command took %.1f s)%s'
                              % (action, kind, agent.host_client.name,
                                 agent.interruption_seconds,
                                 ': %s' % said if said else ''),
                              events.DISRUPTED, at=agent.interrupted_at)
            down = min(agent.interrupted_at for agent in agent_list)
            for host in hosts:
                self.wait_agent_dead(kind, host)
                timeline.mark('API reports the %s agent of %s dead' % (
                    kind, host), events.DEAD_IN_API)
            restarting = timeline.mark('starting the %s agents of %s again'
                                       % (kind, ', '.join(hosts)),
                                       events.RESTORING)
        alive = timeline.mark('%s agents of %s started again, alive in the '
                              'API' % (kind, ', '.join(hosts)),
                              events.ALIVE_IN_API)
        return down, restarting, alive

    def agent_state(self, kind, host):
        """A fingerprint of what the agent of kind configured on host.

        L3 agent: the router's namespaces, addresses, routes, rules and
        NAT rules; OVS agent: the flows of every bridge. While the agent
        resyncs after a restart, this keeps changing.
        """
        client = self.host(host)
        if kind == 'ovs':
            return hoststate.ovs_flows(client)
        return hoststate.router_plumbing(client, self.router['id'],
                                         CONF.network.public_network_id)

    def wait_agent_settled(self, kind, *hosts):
        """Wait until the agents on hosts have finished with the router.

        A restarted agent resyncs for a while after the API reports it
        alive; disrupting it in the middle measures a half-done resync,
        and stopping the probes in the middle misses what the resync
        does. Settled: the agents' state on their hosts is unchanged over
        SETTLE_SECONDS.
        """
        done, states = polling.wait_stable(
            lambda: [self.agent_state(kind, host) for host in hosts],
            SETTLE_SECONDS, settings.convergence_timeout())
        if not done:
            for host, state in zip(hosts, states or ()):
                self.attach_text('%s-agent-state-%s' % (kind, host), state)
            self.fail('router %s on %s: the %s agents were still changing '
                      'their configuration after %s s' % (
                          self.router['id'], ', '.join(hosts), kind,
                          settings.convergence_timeout()))

    def disrupted_hosts(self):
        """[(host, its role)]: the SNAT host, a floating IP's compute host.

        The compute host is that of a VM with a floating IP that is not
        the SNAT host, where DVR makes its promise.
        """
        snat_host = self.current_snat_host()
        vm = next(vm for vm in self.vms.values()
                  if vm.floating_ip and vm.host != snat_host)
        return [(snat_host, 'the SNAT host'),
                (vm.host, 'the compute host of %s\'s floating IP' % vm.name)]

    def check_data_plane_survives(self, kind, action):
        """Disrupt the agents of disrupted_hosts() under probes at once.

        Asserts no outage over MAX_BLIP_SECONDS from before the
        disruption until the agents are back and settled.
        """
        targets = self.disrupted_hosts()
        hosts = [host for host, _ in targets]
        running = self.data_plane_probes()
        # The probes warm up while the agents settle from the last test.
        self.wait_agent_settled(kind, *hosts)
        since = self.wait_answering(running)
        timeline = events.Timeline()
        moments = None
        try:
            moments = self.disrupt(kind, action, hosts, timeline)
            self.wait_agent_settled(kind, *hosts)
            settled = timeline.mark('%s agents of %s settled (unchanged for '
                                    '%d s)' % (kind, ', '.join(hosts),
                                               SETTLE_SECONDS),
                                    events.SETTLED)
            self.wait_next_burst(running, settled)
        finally:
            # Even when an agent could not be restored: stop the probes
            # and show what they saw.
            reports = self.stop_probes(running, since, timeline)
            self.attach_api_bindings()
            if moments is None:
                self.attach_text('lost-probes', '\n'.join(
                    r.summary() for r in reports))
        restarting = moments[1]
        self.attach_text('lost-probes', '\n'.join(
            '%s; before the restart: %d lost; from the restart until the '
            'agents settled: longest outage %.1f s' % (
                r.summary(), r.lost_between(0, restarting),
                r.longest_outage_after(restarting))
            for r in reports))
        state = 'killed' if action == 'kill' else 'stopped'
        interrupted = self.outage_problems(reports, MAX_BLIP_SECONDS)
        if interrupted:
            self.fail(
                'expected traffic to keep flowing (no outage over %.1f s) '
                'while the %s agents of %s were %s, and after their restart '
                'until they settled; found:\n%s' % (
                    MAX_BLIP_SECONDS, kind, ' and of '.join(
                        '%s %s' % (role, host) for host, role in targets),
                    state, '\n'.join(interrupted)))

    # -- SNAT failure -------------------------------------------------------

    def snat_hosts(self, expect_failover=False):
        """The SNAT host now, and the other hosts with a dvr_snat agent up.

        Fails when failover is expected and no other such host is up.
        """
        old_host = self.current_snat_host()
        if old_host is None:
            self.fail('router %s: expected one host holding its SNAT before '
                      'the disruption; found none (its L3 agents: %s)' % (
                          self.router['id'],
                          l3_ha.describe_states(self.router_l3_agents())))
        standby = sorted(set(self.dvr_snat_hosts()) - {old_host})
        if expect_failover and not standby:
            self.fail('[dvr] expect_snat_failover is True, but no other '
                      'dvr_snat L3 agent is up to take the SNAT of router '
                      '%s from %s' % (self.router['id'], old_host))
        self.require_host_access(set(standby) | {old_host})
        return old_host, standby

    def kill_snat_host_agent(self, old_host, standby, running, snat_probe,
                             timeline):
        """Kill the SNAT host's L3 agent, follow Neutron, bring it back.

        Waits, with the agent dead, for the SNAT to move (and for it to
        recover on its new host) or for twice [dvr] agent_down_timeout;
        then starts the agent again and waits until it settled, marking
        timeline as it goes. Returns (new SNAT host or None, moment the
        agent was started).
        """
        with self.interrupted('l3', 'kill', old_host):
            timeline.mark('kill l3 agent on the SNAT host %s' % old_host,
                          events.DISRUPTED)
            self.wait_agent_dead('l3', old_host)
            timeline.mark('API reports it dead; dvr_snat agents up '
                          'elsewhere: %s' % (', '.join(standby) or 'none'),
                          events.DEAD_IN_API)
            new_host = self.wait_snat_moved(old_host) if standby else None
            if new_host:
                self.follow_snat_move(new_host, snat_probe, timeline)
            else:
                timeline.mark('SNAT still bound to %s after %d s' % (
                    old_host, 2 * settings.agent_down_timeout()))
                self.wait_next_burst(running, time.monotonic())
            restarting = timeline.mark('starting the l3 agent of %s again'
                                       % old_host, events.RESTORING)
        timeline.mark('l3 agent of %s alive again' % old_host,
                      events.ALIVE_IN_API)
        self.wait_agent_settled('l3', old_host)
        self.wait_next_burst(running, timeline.mark(
            'l3 agent of %s settled' % old_host, events.SETTLED))
        self.attach_api_bindings()
        return new_host, restarting

    @staticmethod
    def outages_before(reports, moment, max_seconds):
        return [report.summary() for report in reports
                if report.longest_outage_before(moment) > max_seconds]

    @staticmethod
    def outages_after(reports, moment, max_seconds):
        return ['%s; from the restart on: longest outage %.1f s' % (
                    report.summary(), report.longest_outage_after(moment))
                for report in reports
                if report.longest_outage_after(moment) > max_seconds]

    def snat_problems(self, expected, old_host, standby, new_host, report):
        """What the SNAT did against what [dvr] expect_snat_failover says."""
        if expected:
            problems = [] if new_host else [
                'expected the SNAT to move off %s to one of %s within %d s '
                'of the agent\'s death ([dvr] expect_snat_failover = True); '
                'it stayed' % (old_host, ', '.join(standby),
                               2 * settings.agent_down_timeout())]
            return problems + [
                'expected SNAT to recover with no outage over %d s ([dvr] '
                'snat_failover_max_outage); found: %s' % (
                    settings.snat_failover_max_outage(), summary)
                for summary in self.outage_problems(
                    [report], settings.snat_failover_max_outage())]
        problems = [] if not new_host else [
            'expected the SNAT to stay on %s ([dvr] expect_snat_failover = '
            'False); Neutron moved it to %s' % (old_host, new_host)]
        return problems + [
            'expected SNAT traffic to keep flowing (no outage over %.1f s) '
            'while the L3 agent of %s was dead and after its restart; '
            'found: %s' % (MAX_BLIP_SECONDS, old_host, summary)
            for summary in self.outage_problems([report], MAX_BLIP_SECONDS)]

    def follow_snat_move(self, new_host, snat_probe, timeline):
        """Check the new SNAT host and wait for SNAT traffic to recover."""
        moved = timeline.mark('API: SNAT bound to %s' % new_host,
                              events.SNAT_MOVED)
        self.assert_namespace(
            new_host, naming.snat_namespace(self.router['id']),
            self.snat_devices())
        timeline.mark('snat namespace complete on %s' % new_host)
        self.wait_snat_ports_on(new_host)
        timeline.mark('SNAT ports bound to %s' % new_host)
        if snat_probe is not None:
            recovered, _ = polling.wait_for(
                lambda: self.full_bursts_since(snat_probe, moved), bool,
                settings.convergence_timeout())
            timeline.mark('SNAT probe: a whole burst answered after the '
                          'move: %s' % recovered,
                          events.RECOVERED if recovered else events.NOTE)


@decorators.serial
class AgentFailureTest(host_failure.HostFailure, AgentFailureBase):
    """Agents, then the SNAT host, disrupted under continuous probes.

    The whole host failure shares this class's topology and comes last
    (test_whole_...): it takes the guests of the failed host down.
    """

    @decorators.idempotent_id('8d4825e8-2ba7-44f0-b885-eae2d43fd3e2')
    def test_l3_agent_kill_keeps_fip_and_east_west(self):
        """SIGKILL of the L3 agents: no floating-IP or east-west outage.

        DVR's promise (the article's reason to use it): with floating IPs
        and east-west traffic routed on the VMs' own hosts, losing an L3
        agent does not cut them; a killed agent leaves its namespaces and
        rules in place. Killed at once: the SNAT host's agent, and that of
        the compute host of a floating IP which is not the SNAT host
        (where the floating IP's DNAT and the east-west routing live in
        qrouter- and fip-). Probes (tester to both floating IPs, VM1 to
        VM2) run from before the kill until the agents are dead in the
        API, restarted, alive and settled (their resync done). Asserted:
        no run of lost probes longer than 1 s; every lost probe is
        reported in the "lost-probes" and "probes" details.
        """
        self.check_data_plane_survives('l3', 'kill')

    @decorators.idempotent_id('3143d483-049c-4caa-9273-b11afd996114')
    def test_l3_agent_stop_keeps_fip_and_east_west(self):
        """A clean stop of the L3 agents: no outage over 1 s.

        Same hosts, probes and assertion as the kill, with the agents' own
        shutdown (the L3 agent does not tear routers down on stop unless
        cleanup_on_shutdown is set).
        """
        self.check_data_plane_survives('l3', 'stop')

    @decorators.idempotent_id('79d47659-0e97-4011-b9f0-5037ca0f8e5b')
    def test_ovs_agent_kill_keeps_fip_and_east_west(self):
        """SIGKILL of the OVS agents: no outage over 1 s.

        The OVS agent programs flows; ovs-vswitchd forwards. Killing the
        agents of the SNAT host and of a floating IP's compute host (whose
        br-int and br-tun carry the floating IP's and the east-west
        traffic) leaves the flows, DVR's included, in place; after their
        restart the probes run until their flows are unchanged for 6 s.
        """
        self.check_data_plane_survives('ovs', 'kill')

    @decorators.idempotent_id('200cc6d9-4351-4a92-b8a8-a0da147f76ef')
    def test_ovs_agent_stop_keeps_fip_and_east_west(self):
        """A clean stop of the OVS agents: no outage over 1 s.

        The agent does not remove its flows on stop, and resyncs them
        without a cut when it starts again.
        """
        self.check_data_plane_survives('ovs', 'stop')

    @decorators.idempotent_id('a562e650-b96c-414a-8124-5ca6cfe9bca0')
    def test_snat_when_snat_host_l3_agent_dies(self):
        """SNAT when the SNAT host's L3 agent dies, as [dvr] says it should.

        The article's open question (b): SNAT lives in one snat namespace,
        a single point of failure. Neutron does not show whether it
        reschedules a router from a dead L3 agent
        (allow_automatic_l3agent_failover), so [dvr] expect_snat_failover
        says it. Probes: VM3 (no floating IP) to the outside address
        through SNAT, the tester to both floating IPs, VM1 to VM2.

        Failover expected: the API binds the SNAT to another dvr_snat
        agent, snat-<router> is complete there with its sg-/qg-, the SNAT
        ports are bound there, and SNAT traffic recovers, its longest
        outage (until the old agent is back and settled) within [dvr]
        snat_failover_max_outage (reported). Failover not expected: the
        binding stays for twice [dvr] agent_down_timeout after the agent
        is dead, and SNAT traffic keeps flowing (no outage over 1 s),
        because a dead agent leaves its namespace in place. Either way,
        the floating-IP and east-west probes have no outage over 1 s while
        the agent is dead. What they do once the old SNAT host's agent
        comes back to a moved router is
        test_fip_survives_old_snat_host_agent_return's assertion; here it
        is reported in the "after-agent-return" detail.
        """
        outside = self.outside_address()
        expected = settings.expect_snat_failover()
        old_host, standby = self.snat_hosts(expected)
        vm1, vm3 = self.vms['vm1'], self.vms['vm3']
        snat_probe = self.vm_probe('%s -> outside %s (SNAT)' % (vm3, outside),
                                   vm3, outside, via=vm1)
        running = [snat_probe] + self.data_plane_probes()
        since = self.wait_answering(running)
        timeline = events.Timeline()
        try:
            new_host, restarting = self.kill_snat_host_agent(
                old_host, standby, running, snat_probe, timeline)
        finally:
            reports = self.stop_probes(running, since, timeline)
        longest = reports[0].longest_outage()
        self.attach_text('snat-outcome', '%s; SNAT outage %.1f s; %s' % (
            'SNAT moved %s -> %s' % (old_host, new_host) if new_host
            else 'SNAT stayed on %s' % old_host,
            longest[1] if longest else 0.0, reports[0].summary()))
        self.attach_text('after-agent-return', '\n'.join(
            '%s: longest outage %.1f s from the restart until settled' % (
                report.name, report.longest_outage_after(restarting))
            for report in reports))
        problems = self.snat_problems(expected, old_host, standby, new_host,
                                      reports[0])
        problems += ['expected floating-IP and east-west traffic to keep '
                     'flowing (no outage over %.1f s) while the L3 agent of '
                     '%s was dead; found: %s' % (MAX_BLIP_SECONDS, old_host,
                                                 summary)
                     for summary in self.outages_before(
                         reports[1:], restarting, MAX_BLIP_SECONDS)]
        if problems:
            self.fail('\n'.join(problems))

    @decorators.idempotent_id('e1c7a3f5-2b84-4d6e-9f0a-8c5b7d3e1f24')
    def test_fip_survives_old_snat_host_agent_return(self):
        """Floating IPs on the old SNAT host survive its agent's return.

        After SNAT failed over off a dead L3 agent, the agent comes back
        to a router whose SNAT lives elsewhere and removes its stale
        snat- namespace. Floating IPs of VMs on that host must keep
        flowing: probes from the tester to both floating IPs, VM1 to VM2,
        and VM1 to the outside through its floating IP run from before
        the kill until the agent settled. Asserted: no outage over 1 s
        from the agent's restart on.

        Neutron's L3 agent (29.0.0 and master) fails this: on restart,
        DvrEdgeRouter.external_gateway_added finds the stale snat-
        namespace and calls external_gateway_removed, which deletes the
        rfp-/fpr- pair (FipNamespace.delete_rtr_2_fip_link), taking the
        floating IPs' routes with it until a later router update
        recreates them (the fix of bug 1894843 covered only
        external_gateway_updated). README, "Neutron defects this suite
        found".
        """
        outside = self.outside_address()
        if not settings.expect_snat_failover():
            raise self.skipException(
                '[dvr] expect_snat_failover is False: SNAT does not move '
                'off a dead L3 agent, so its agent never returns to a moved '
                'router')
        old_host, standby = self.snat_hosts()
        if not standby:
            raise self.skipException(
                'no other dvr_snat L3 agent is up: the SNAT of router %s '
                'cannot move off %s' % (self.router['id'], old_host))
        vm1 = next((vm for vm in self.vms.values()
                    if vm.floating_ip and vm.host == old_host), None)
        if vm1 is None:
            raise self.skipException(
                'no VM with a floating IP on the SNAT host %s (it runs no '
                'VM of this test)' % old_host)
        running = self.data_plane_probes() + [self.vm_probe(
            '%s -> outside %s (floating IP)' % (vm1, outside), vm1, outside)]
        since = self.wait_answering(running)
        timeline = events.Timeline()
        try:
            new_host, restarting = self.kill_snat_host_agent(
                old_host, standby, running, None, timeline)
        finally:
            reports = self.stop_probes(running, since, timeline)
        if not new_host:
            self.fail('expected the SNAT of router %s to move off %s to one '
                      'of %s; it stayed' % (self.router['id'], old_host,
                                            ', '.join(standby)))
        interrupted = self.outages_after(reports, restarting,
                                         MAX_BLIP_SECONDS)
        if interrupted:
            self.fail('expected floating-IP and east-west traffic to keep '
                      'flowing (no outage over %.1f s) after the L3 agent of '
                      'the old SNAT host %s came back to router %s, whose '
                      'SNAT had moved to %s, until it settled; found:\n%s'
                      % (MAX_BLIP_SECONDS, old_host, self.router['id'],
                         new_host, '\n'.join(interrupted)))

    @decorators.idempotent_id('5d0c1f7e-6a41-4f2b-9e3c-8b7a2d1c4e90')
    def test_whole_snat_host_failure(self):
        """Fail the SNAT host: what keeps flowing, what moves, what stops.

        Skips, naming the option, without [dvr] host_fail_command and
        host_restore_command. See HostFailure.check_snat_host_failure.
        """
        self.check_snat_host_failure()
