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

"""A whole host fails: the article's thesis under a real failure.

The article's claim: with DVR, a failed network node no longer touches
the VMs on the compute nodes, except for SNAT. HostFailure makes the SNAT
host fail as a whole ([dvr] host_fail_command: every process stops,
links down, as in a power cut) under continuous probes, and boot again
([dvr] host_restore_command, also run in cleanup whatever happens).
"""

import subprocess
import time

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import timeline as events
from dvr_tempest_plugin.tests.scenario import probing

MAX_BLIP_SECONDS = probing.MAX_BLIP_SECONDS
COMMAND_OUTPUT_CHARS = 2000
HOST_AGENT_TYPES = ('L3 agent', 'Open vSwitch agent')


class HostCommandFailed(Exception):
    pass


def run_host_command(argv, timeout):
    """Run a [dvr] host_*_command on the tester; its output, or raise."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise HostCommandFailed('%s: no end within %d s' % (
            ' '.join(argv), timeout)) from None
    except OSError as exc:
        raise HostCommandFailed('%s: %s' % (' '.join(argv), exc)) from None
    if done.returncode:
        raise HostCommandFailed('%s: exit %d: %s' % (
            ' '.join(argv), done.returncode,
            (done.stderr or done.stdout).strip()[-COMMAND_OUTPUT_CHARS:]))
    return done.stdout


class HostFailure(object):
    """The SNAT host fails as a whole under probes (a mixin, no tests).

    Mixed into a class of test_agent_failure.AgentFailureBase, whose
    probes, SNAT host and namespace checks it uses.

    The agent-failure topology (VM1 on host A and VM2 on host B with
    floating IPs, VM3 on host B and VM4 on host A without); a VM without
    floating IP off the failed host reaches the outside through SNAT,
    reached through a VM with one off that host. On the standard layout
    the SNAT host is the network node, with no VMs; on the article's it
    is a compute: host A at first, host B once an earlier test of the
    class moved the SNAT.
    """

    # The [dvr] option bounding the SNAT outage when SNAT fails over.
    snat_outage_option = 'node_failure_max_snat_recovery'

    @staticmethod
    def missing_host_failure_commands():
        """Why whole hosts cannot fail here, or None."""
        for action in ('fail', 'restore'):
            if not settings.host_failure_command(action, '{host}'):
                return ('[dvr] host_%s_command is empty: no way to make a '
                        'whole host fail and boot again' % action)
        return None

    # -- the failure ---------------------------------------------------------

    def host_command(self, action, host):
        argv = settings.host_failure_command(action, host)
        output = run_host_command(argv, settings.host_failure_timeout())
        # its SSH connection died with it, unseen: open a new one next time
        self.host(host).close()
        self.attach_text('host-%s-%s' % (action, host), '$ %s\n%s' % (
            ' '.join(argv), output))

    def fail_host(self, host):
        """host_fail_command; host_restore_command in cleanup."""
        restored = []

        def restore_in_cleanup():
            if not restored:
                self.host_command('restore', host)
            self.wait_host_agents(host, True)
        self.addCleanup(self.wait_namespaces_in_sync)
        self.addCleanup(restore_in_cleanup)
        self.host_command('fail', host)
        return restored

    def wait_host_agents(self, host, alive):
        for agent_type in HOST_AGENT_TYPES:
            agents.wait_agent_alive(
                self.admin_agents_client, host, agent_type, alive,
                2 * settings.agent_down_timeout())

    def snat_probe_vm(self, failed_host):
        """(VM without floating IP, VM to reach it by), off failed_host.

        failed_host None: any such pair.
        """
        for vm in self.vms.values():
            if vm.floating_ip or vm.host == failed_host:
                continue
            for jump in self.vms.values():
                if jump.floating_ip and jump.host != failed_host:
                    return vm, jump
        self.fail('no VM without a floating IP, reachable through one on '
                  'another host, stays off %s' % failed_host)

    def survivor_probes(self, failed_host):
        """Probes of what must not notice failed_host's failure.

        The floating IPs of the VMs off failed_host, and east-west between
        two of them, across hosts when they are on different hosts.
        """
        survivors = sorted((vm for vm in self.vms.values()
                            if vm.host != failed_host),
                           key=lambda vm: (not vm.floating_ip, vm.name))
        running = [self.floating_ip_probe(vm) for vm in survivors
                   if vm.floating_ip]
        source = survivors[0]
        others = survivors[1:]
        target = next((vm for vm in others if vm.host != source.host),
                      others[0] if others else None)
        if target is not None and source.floating_ip:
            running.append(self.vm_probe(
                '%s -> %s (east-west)' % (source, target), source,
                target.fixed_ip))
        return running

    # -- the verdict ---------------------------------------------------------

    @staticmethod
    def lost_bursts_between(report, start, end):
        return [started for started, result in report.bursts
                if start <= started < end and result.sent and
                not result.received]

    def casualty_problems(self, reports, failed_host, failed, restoring):
        """A floating IP on the failed host must stop answering."""
        return ['%s: expected no answer while its host %s was down (the '
                'failure did not take it down?); found: %s' % (
                    report.name, failed_host, report.summary())
                for report in reports
                if not self.lost_bursts_between(report, failed, restoring)]

    # -- test ----------------------------------------------------------------

    def expect_failover(self):
        return settings.expect_snat_failover()

    def snat_outage_bound(self):
        return getattr(settings, self.snat_outage_option)()

    def check_snat_host_failure(self):
        """Fail the SNAT host: what keeps flowing, what moves, what stops.

        Probes: the tester to every floating IP, VM to VM (east-west) off
        the failed host, and a VM without floating IP to the outside
        (SNAT). With [dvr] expect_snat_failover (another dvr_snat agent,
        automatic failover) the SNAT moves and recovers while the host is
        still down, within [dvr] node_failure_max_snat_recovery; without,
        SNAT is down for the whole failure (the article's single point of
        failure) and recovers within that bound after the restore. Either
        way, floating IPs and east-west traffic off the failed host have
        no outage over 1 s, and a floating IP on the failed host stops
        answering (its VM is down with its host). After the restore the
        host's agents are alive and its namespaces match the API again.
        """
        missing = self.missing_host_failure_commands()
        if missing:
            self.skipTest(missing)
        outside = self.outside_address()
        expected = self.expect_failover()
        old_host, standby = self.snat_hosts(expected)
        casualties = sorted((vm for vm in self.vms.values()
                             if vm.host == old_host and vm.floating_ip),
                            key=lambda vm: vm.name)
        vm, jump = self.snat_probe_vm(old_host)
        snat_probe = self.vm_probe('%s -> outside %s (SNAT)' % (vm, outside),
                                   vm, outside, via=jump)
        survivors = self.survivor_probes(old_host)
        lost_with_host = [self.floating_ip_probe(vm) for vm in casualties]
        running = [snat_probe] + survivors + lost_with_host
        since = self.wait_answering(running)
        timeline = events.Timeline()
        new_host = recovered_at = None
        try:
            failed = timeline.mark('power cut of the SNAT host %s' % old_host,
                                   events.DISRUPTED)
            restored = self.fail_host(old_host)
            self.wait_host_agents(old_host, False)
            timeline.mark('API reports the agents of %s dead' % old_host,
                          events.DEAD_IN_API)
            if expected:
                new_host = self.wait_snat_moved(old_host)
                if new_host:
                    self.follow_snat_move(new_host, snat_probe, timeline)
            else:
                # SNAT has no other home: let the outage show for a while
                self.wait_next_burst(running, time.monotonic())
            restoring = timeline.mark('host %s booting (host_restore_'
                                      'command)' % old_host,
                                      events.RESTORING)
            self.host_command('restore', old_host)
            restored.append(True)
            self.wait_host_agents(old_host, True)
            timeline.mark('agents of %s alive in the API' % old_host,
                          events.ALIVE_IN_API)
            if not new_host:
                done, _ = polling.wait_for(
                    lambda: self.full_bursts_since(snat_probe, restoring),
                    bool, settings.node_failure_max_snat_recovery())
                if done:
                    recovered_at = timeline.mark(
                        'SNAT probe answered again after the restore',
                        events.RECOVERED)
            self.wait_next_burst(running, time.monotonic())
        finally:
            reports = self.stop_probes(running, since, timeline)
        snat_report = reports[0]
        survivor_reports = reports[1:1 + len(survivors)]
        casualty_reports = reports[1 + len(survivors):]
        outage = snat_report.longest_outage()
        self.attach_text('node-failure-outcome', '\n'.join([
            'failed host: %s (%s)' % (old_host, 'SNAT moved to %s' % new_host
                                      if new_host else 'SNAT did not move'),
            'SNAT outage: %.1f s (%s)' % (
                outage[1] if outage else 0.0, snat_report.summary()),
            'SNAT back after the restore: %s' % (
                '%.1f s' % (recovered_at - restoring) if recovered_at
                else 'n/a')] + [
            'lost with the host: %s' % r.summary()
            for r in casualty_reports]))
        problems = []
        bound = self.snat_outage_bound()
        if expected and not new_host:
            problems.append(
                'expected the SNAT to move off the failed host %s to one of '
                '%s ([dvr] expect_snat_failover = True); it stayed' % (
                    old_host, ', '.join(standby)))
        if expected and outage and outage[1] > bound:
            problems.append(
                'expected SNAT to recover within %d s of the failure ([dvr] '
                '%s); found: %s' % (bound, self.snat_outage_option,
                                    snat_report.summary()))
        if not expected:
            if not self.lost_bursts_between(snat_report, failed, restoring):
                problems.append(
                    'expected SNAT down while its only host %s was down; '
                    'found it answering: %s' % (old_host,
                                                snat_report.summary()))
            if recovered_at is None:
                problems.append(
                    'expected SNAT back within %d s of the restore of %s '
                    '([dvr] node_failure_max_snat_recovery); found: %s' % (
                        bound, old_host, snat_report.summary()))
        problems += [
            'expected traffic off the failed host %s to keep flowing (no '
            'outage over %.1f s); found: %s' % (old_host, MAX_BLIP_SECONDS,
                                                summary)
            for summary in self.outage_problems(survivor_reports,
                                                MAX_BLIP_SECONDS)]
        problems += self.casualty_problems(casualty_reports, old_host,
                                           failed, restoring)
        if problems:
            self.fail('\n'.join(problems))
