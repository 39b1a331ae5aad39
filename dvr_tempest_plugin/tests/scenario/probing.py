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

"""Continuous probes under a disruption, for the disruptive test classes.

A mixin of DvrScenarioTest subclasses: probes run in the background
(common/probes.py ContinuousProbe) from before a disruption until the
cloud settled; their reports, the timeline (common/timeline.py) and its
picture are attached to the test.
"""

from tempest import config

from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import timeline as events
from dvr_tempest_plugin.report import svg_timeline

CONF = config.CONF

BURST_SECONDS = 5
MAX_BLIP_SECONDS = 1.0
PROBE_SSH_TIMEOUT = 20


class ContinuousProbing(object):
    """Start, follow and stop continuous probes; judge their outages."""

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

    @staticmethod
    def full_bursts_since(probe, moment):
        return [started for started, result in probe.report().bursts
                if started >= moment and result.sent and not result.lost]

    def wait_answering(self, running):
        """Wait for a fully answered burst of each probe.

        Returns probe -> start of its latest fully answered burst: losses
        are counted from there on, so a probe's own warm-up (ARP, first
        SSH) is not blamed on the disruption that follows.
        """
        done, found = polling.wait_for(
            lambda: {probe: (self.full_bursts_since(probe, 0) or [None])[-1]
                     for probe in running},
            lambda found: None not in found.values(),
            CONF.validation.ping_timeout)
        self.assertTrue(done, 'probes not all answered before the '
                        'disruption:\n%s' % '\n'.join(
                            p.report().summary() for p in running))
        return found

    def wait_next_burst(self, running, moment):
        """Wait until each probe ran a whole burst started after moment."""
        # Bursts are recorded when they end, with the moment they started.
        polling.wait_for(
            lambda: [any(started > moment for started, _ in
                         p.report().bursts) for p in running],
            all, 3 * (BURST_SECONDS + PROBE_SSH_TIMEOUT))

    def stop_probes(self, running, since, timeline):
        """Stop the probes; their reports from since[probe] on.

        Attaches their details and the timeline, as text and as a picture
        (timeline.svg).
        """
        timeline.mark('probes stopped', events.PROBES_STOPPED)
        reports = []
        for probe in running:
            report = probe.stop()
            report.bursts = [burst for burst in report.bursts
                             if burst[0] >= since[probe]]
            reports.append(report)
        self.attach_text('probes', '\n\n'.join(r.details() for r in reports))
        self.attach_text('timeline', timeline.text())
        self.attach_picture('timeline.svg', lambda: svg_timeline.draw(
            timeline, reports, self.id().rsplit('.', 1)[-1],
            MAX_BLIP_SECONDS))
        return reports

    @staticmethod
    def outage_problems(reports, max_seconds):
        """Summaries of the reports with an outage over max_seconds.

        An outage still running when the probes stopped counts until then.
        """
        return [report.summary() for report in reports
                if report.longest_outage() and
                report.longest_outage()[1] > max_seconds]
