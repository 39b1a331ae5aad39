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
failure; these tests stop and kill agents on the SNAT host and count the
probes lost. All tests are in one class marked @decorators.serial:
tempest's inter-process lock runs a serial class alone (no other test
class runs while it holds the write lock), and stestr's group_regex keeps
a class on one worker, so no disruption overlaps another test.
"""

import contextlib
import time

from oslo_config import cfg
from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import agent_control
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.tests.scenario import base
from dvr_tempest_plugin.tests.scenario import hoststate
from dvr_tempest_plugin.tests.scenario import probes

CONF = config.CONF

BURST_SECONDS = 5
SETTLE_SECONDS = 10
MAX_BLIP_SECONDS = 1.0
PROBE_SSH_TIMEOUT = 20


def snat_failover_expected():
    """[dvr] expect_snat_failover once config.py defines it, else False.

    With it True, a SNAT that does not move off a dead agent (while
    another dvr_snat agent is alive) fails the test instead of being
    recorded as the single point of failure the article found.
    """
    try:
        return CONF.dvr.expect_snat_failover
    except cfg.NoSuchOptError:
        return False


class Timeline(object):
    """Moments of a disruption, relative to its start, for the details."""

    def __init__(self):
        self.start = time.monotonic()
        self.events = []

    def mark(self, what):
        self.events.append((time.monotonic() - self.start, what))
        return time.monotonic()

    def text(self):
        return '\n'.join('t+%6.1f s  %s' % (offset, what)
                         for offset, what in self.events)


@decorators.serial
class AgentFailureTest(base.DvrScenarioTest):
    """Agents stopped or killed on the SNAT host under continuous probes.

    VM1 (host A, subnet1) and VM2 (host B, subnet2) have floating IPs;
    VM3 (host B, subnet1) has none and is reached through VM1. Host A is
    the SNAT host whenever it also runs VMs (the article's layout), so
    the disrupted host is one whose VM is being probed.
    """

    requires_host_access = True
    vm_specs = (base.VmSpec('vm1', base.HOST_A, 'subnet1', True),
                base.VmSpec('vm2', base.HOST_B, 'subnet2', True),
                base.VmSpec('vm3', base.HOST_B, 'subnet1', False))

    # -- probes --------------------------------------------------------------

    def start_probe(self, name, send_burst):
        probe = probes.ContinuousProbe(name, send_burst, BURST_SECONDS)
        self.addCleanup(probe.stop)
        return probe.start()

    def floating_ip_probe(self, vm):
        probe = probes.Probe.unique()
        address = vm.floating_ip_address
        return self.start_probe(
            'tester -> %s floating IP %s' % (vm.name, address),
            lambda count: probes.ping_from_tester(probe, address, count))

    def vm_probe(self, name, vm, destination, via=None):
        probe = probes.Probe.unique()
        client = self.ssh_client(vm, via=via, ssh_timeout=PROBE_SSH_TIMEOUT)
        return self.start_probe(
            name, lambda count: probes.ping_from_vm(client, probe,
                                                    destination, count,
                                                    str(vm)))

    def wait_answering(self, running):
        """Wait for a fully answered burst of each probe.

        Returns probe -> start of its latest fully answered burst: losses
        are counted from there on, so a probe's own warm-up (ARP, first
        SSH) is not blamed on the disruption that follows.
        """
        def answered_since(probe):
            full = [started for started, result in probe.report().bursts
                    if result.sent and not result.lost]
            return full[-1] if full else None

        done, found = base.wait_for(
            lambda: {probe: answered_since(probe) for probe in running},
            lambda found: None not in found.values(),
            CONF.validation.ping_timeout)
        self.assertTrue(done, 'probes not all answered before the '
                        'disruption:\n%s' % '\n'.join(
                            p.report().summary() for p in running))
        return found

    def wait_next_burst(self, running, moment):
        """Wait until each probe ran a whole burst started after moment."""
        # Bursts are recorded when they end, with the moment they started.
        base.wait_for(
            lambda: [any(started > moment for started, _ in
                         p.report().bursts) for p in running],
            all, 3 * (BURST_SECONDS + PROBE_SSH_TIMEOUT))

    def stop_probes(self, running, since):
        """Stop the probes; their reports from since[probe] on."""
        reports = []
        for probe in running:
            report = probe.stop()
            report.bursts = [burst for burst in report.bursts
                             if burst[0] >= since[probe]]
            reports.append(report)
        self.attach_text('probes', '\n\n'.join(r.details() for r in reports))
        return reports

    # -- the cloud after a disruption ---------------------------------------

    def wait_namespaces_in_sync(self):
        """qrouter- on the VM hosts, snat- only where the API puts it."""
        snat_host = base.wait_for(self.current_snat_host, bool,
                                  CONF.dvr.convergence_timeout)[1]
        self.assertIsNotNone(snat_host, 'router %s: no single SNAT binding '
                             'after the disruption' % self.router['id'])
        qrouter = naming.qrouter_namespace(self.router['id'])
        for host in sorted(set(self.vm_hosts.values())):
            self.assert_namespace(host, qrouter, self.qrouter_devices())
        snat = naming.snat_namespace(self.router['id'])
        self.assert_namespace(snat_host, snat, self.snat_devices())
        readable = set(self.dvr_snat_hosts()) | set(self.vm_hosts.values())
        for host in sorted(readable - {snat_host}):
            if not hosts.missing_host_access([host]):
                self.assert_no_namespace(host, snat)

    def wait_snat_moved(self, old_host):
        """The new SNAT host, or None if it stays on old_host."""
        # Neutron reschedules routers of agents silent for twice
        # agent_down_time, checking every agent_down_time / 2.
        done, host = base.wait_for(
            self.current_snat_host,
            lambda host: host not in (None, old_host),
            2 * CONF.dvr.agent_down_timeout)
        return host if done else None

    def wait_snat_ports_on(self, host):
        owners = (base.CENTRALIZED_SNAT, base.ROUTER_GATEWAY)
        done, ports = base.wait_for(
            lambda: [p for owner in owners for p in self.router_ports(owner)],
            lambda ports: all(p['binding:host_id'] == host for p in ports),
            CONF.dvr.convergence_timeout)
        self.assertTrue(done, 'expected the SNAT ports bound to %s; found '
                        '%s' % (host, ', '.join(
                            '%s on %r' % (p['device_owner'],
                                          p['binding:host_id'])
                            for p in ports)))

    # -- the disruption ------------------------------------------------------

    @contextlib.contextmanager
    def interrupted(self, kind, action, host):
        """Agent stopped or killed inside; started and alive on exit.

        Whatever happens, the test then waits for the namespaces to be
        back in sync with the API before it ends.
        """
        self.addCleanup(self.wait_namespaces_in_sync)
        with agent_control.agent_interrupted(self.host(host), kind, action,
                                             self.admin_agents_client):
            yield

    def wait_agent_dead(self, kind, host):
        agent_control.wait_agent_dead(self.host(host), kind,
                                      self.admin_agents_client)

    def disrupt(self, kind, action, host, timeline):
        """Stop or kill an agent, wait until dead in the API, restore it.

        Returns the moments (time.monotonic) the agent went down, was
        started again, and was reported alive again.
        """
        with self.interrupted(kind, action, host):
            down = timeline.mark('%s %s agent on %s' % (action, kind, host))
            self.wait_agent_dead(kind, host)
            restarting = timeline.mark('API reports the %s agent of %s '
                                       'dead; starting it again'
                                       % (kind, host))
        alive = timeline.mark('%s agent of %s started again, alive in the '
                              'API' % (kind, host))
        return down, restarting, alive

    def wait_router_settled(self, host):
        """Wait until the agent on host has finished with the router.

        A restarted L3 agent resyncs its routers for a while after the API
        reports it alive; disrupting it in the middle measures a half-done
        resync, not the disruption. Settled: the router's plumbing on the
        host is unchanged over SETTLE_SECONDS.
        """
        client = self.host(host)
        ext_net = CONF.network.public_network_id
        deadline = time.monotonic() + CONF.dvr.convergence_timeout
        previous = hoststate.router_plumbing(client, self.router['id'],
                                             ext_net)
        while time.monotonic() < deadline:
            time.sleep(SETTLE_SECONDS)
            current = hoststate.router_plumbing(client, self.router['id'],
                                                ext_net)
            if current == previous:
                return
            previous = current
        self.attach_text('plumbing-%s' % host, previous)
        self.fail('router %s on %s: the L3 agent was still changing its '
                  'namespaces after %ss' % (
                      self.router['id'], host, CONF.dvr.convergence_timeout))

    def check_data_plane_survives(self, kind, action):
        host = self.current_snat_host()
        self.wait_router_settled(host)
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        running = [
            self.floating_ip_probe(vm1),
            self.floating_ip_probe(vm2),
            self.vm_probe('%s -> %s (east-west)' % (vm1, vm2), vm1,
                          vm2.fixed_ip),
        ]
        since = self.wait_answering(running)
        timeline = Timeline()
        moments = None
        try:
            moments = self.disrupt(kind, action, host, timeline)
            self.wait_next_burst(running, moments[2])
        finally:
            # Even when the agent could not be restored: stop the probes
            # and show what they saw.
            timeline.mark('probes stopped')
            reports = self.stop_probes(running, since)
            self.attach_text('timeline', timeline.text())
            self.attach_api_bindings()
            if moments is None:
                self.attach_text('lost-probes', '\n'.join(
                    r.summary() for r in reports))
        restarting = moments[1]
        figures = ['%s; before the restart: %d lost; after it: longest '
                   'outage %.1f s' % (
                       r.summary(), r.lost_between(0, restarting),
                       r.longest_outage_after(restarting))
                   for r in reports]
        self.attach_text('lost-probes', '\n'.join(figures))
        state = 'killed' if action == 'kill' else 'stopped'
        # Traffic keeps flowing when no run of lost probes lasts longer
        # than a blip, while the agent is down and while it resyncs after
        # its restart. Every lost probe is reported above (expected: none).
        interrupted = [f for f, r in zip(figures, reports)
                       if r.longest_outage() and
                       r.longest_outage()[1] > MAX_BLIP_SECONDS]
        if interrupted:
            self.fail(
                'expected traffic to keep flowing (no outage over %.1f s) '
                'while the %s agent of the SNAT host %s was %s and after its '
                'restart; found:\n%s' % (
                    MAX_BLIP_SECONDS, kind, host, state,
                    '\n'.join(interrupted)))

    # -- tests ---------------------------------------------------------------

    @decorators.idempotent_id('8d4825e8-2ba7-44f0-b885-eae2d43fd3e2')
    def test_l3_agent_kill_keeps_fip_and_east_west(self):
        """SIGKILL of the SNAT host's L3 agent loses no FIP/east-west probe.

        DVR's promise (the article's reason to use it): with floating IPs
        and east-west traffic routed on the VMs' own hosts, losing the
        network node's agent does not cut them. A killed agent leaves its
        namespaces and rules in place; the probes (tester to both floating
        IPs, VM1 to VM2) run from before the kill until the agent is dead
        in the API, restarted and alive again. Figure reported: lost probes
        (expected 0).
        """
        self.check_data_plane_survives('l3', 'kill')

    @decorators.idempotent_id('3143d483-049c-4caa-9273-b11afd996114')
    def test_l3_agent_stop_keeps_fip_and_east_west(self):
        """A clean stop of the SNAT host's L3 agent loses no probe.

        Same as the kill, with the agent's own shutdown (the L3 agent does
        not tear routers down on stop unless cleanup_on_shutdown is set).
        """
        self.check_data_plane_survives('l3', 'stop')

    @decorators.idempotent_id('79d47659-0e97-4011-b9f0-5037ca0f8e5b')
    def test_ovs_agent_kill_keeps_fip_and_east_west(self):
        """SIGKILL of the SNAT host's OVS agent loses no probe.

        The OVS agent programs flows; ovs-vswitchd forwards. Killing the
        agent leaves the flows, including DVR's, in place.
        """
        self.check_data_plane_survives('ovs', 'kill')

    @decorators.idempotent_id('200cc6d9-4351-4a92-b8a8-a0da147f76ef')
    def test_ovs_agent_stop_keeps_fip_and_east_west(self):
        """A clean stop of the SNAT host's OVS agent loses no probe.

        The agent does not remove its flows on stop, and resyncs them
        without a cut when it starts again.
        """
        self.check_data_plane_survives('ovs', 'stop')

    @decorators.idempotent_id('a562e650-b96c-414a-8124-5ca6cfe9bca0')
    def test_snat_when_snat_host_l3_agent_dies(self):
        """What SNAT does when the SNAT host's L3 agent dies.

        The article's open question (b): SNAT lives in one snat namespace,
        a single point of failure. Today, with another alive dvr_snat
        agent and allow_automatic_l3agent_failover = True, Neutron
        reschedules the router from the dead agent: the API shows the new
        binding, snat-<router> appears on the new host with its sg-/qg-,
        the SNAT ports are bound there, and SNAT traffic (VM3, without a
        floating IP, to the outside address) recovers. The outage is
        measured. Without failover, the test records that SNAT stayed a
        single point of failure (and fails if [dvr] expect_snat_failover
        says it must move).
        """
        outside = self.outside_address()
        old_host = self.current_snat_host()
        standby = sorted(set(self.dvr_snat_hosts()) - {old_host})
        self.require_host_access(set(standby) | {old_host})
        vm1, vm3 = self.vms['vm1'], self.vms['vm3']
        snat_probe = self.vm_probe('%s -> outside %s (SNAT)' % (vm3, outside),
                                   vm3, outside, via=vm1)
        running = [snat_probe, self.floating_ip_probe(vm1)]
        since = self.wait_answering(running)
        timeline = Timeline()
        new_host = None
        recovered = False
        with self.interrupted('l3', 'kill', old_host):
            timeline.mark('kill l3 agent on the SNAT host %s' % old_host)
            self.wait_agent_dead('l3', old_host)
            timeline.mark('API reports it dead; alive dvr_snat standby: %s'
                          % (', '.join(standby) or 'none'))
            if standby:
                new_host = self.wait_snat_moved(old_host)
            if new_host:
                moved = timeline.mark('API: SNAT bound to %s' % new_host)
                self.assert_namespace(
                    new_host, naming.snat_namespace(self.router['id']),
                    self.snat_devices())
                timeline.mark('snat namespace complete on %s' % new_host)
                self.wait_snat_ports_on(new_host)
                recovered, _ = base.wait_for(
                    lambda: snat_probe.report().answered_after(moved),
                    bool, CONF.dvr.convergence_timeout)
                timeline.mark('SNAT probe answered after the move: %s' %
                              recovered)
            else:
                timeline.mark('SNAT still bound to %s' % old_host)
        timeline.mark('l3 agent of %s started again, alive' % old_host)
        reports = self.stop_probes(running, since)
        self.attach_text('timeline', timeline.text())
        self.attach_api_bindings()
        snat_report = reports[0]
        if new_host:
            self.attach_text('snat-outcome', 'SNAT moved %s -> %s; %s' % (
                old_host, new_host, snat_report.summary()))
            self.assertTrue(recovered, 'SNAT moved to %s but its traffic '
                            'did not recover within %d s: %s' % (
                                new_host, CONF.dvr.convergence_timeout,
                                snat_report.summary()))
            return
        outcome = ('SNAT stayed on %s while its L3 agent was dead: a single '
                   'point of failure, as the article found. %s. %s' % (
                       old_host,
                       'Alive dvr_snat agents on %s did not take it over '
                       'within %d s (allow_automatic_l3agent_failover is '
                       'probably False)' % (', '.join(standby),
                                            2 * CONF.dvr.agent_down_timeout)
                       if standby else 'No other alive dvr_snat agent',
                       snat_report.summary()))
        self.attach_text('snat-outcome', outcome)
        if snat_failover_expected():
            self.fail(outcome)
