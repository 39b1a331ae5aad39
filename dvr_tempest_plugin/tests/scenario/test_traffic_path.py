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

import collections

from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.tests.scenario import base

CONF = config.CONF

PROBES = 5
MAX_PACKETS = 4 * PROBES + 20
REQUEST = paths.REQUEST
REPLY = paths.REPLY
IN = paths.IN
OUT = paths.OUT


class TrafficPathTest(base.DvrScenarioTest):
    """The article's tcpdump tracing, as assertions on hop lists.

    Each test pings with a Probe of its own (payload size and byte) and
    captures only that probe, inside the namespaces, on the devices that
    matter, on every host involved. The hop list (host / namespace /
    device in path order, with packet counts and directions) and the raw
    captures are attached to the result. VM1 (host A, subnet1) has a
    floating IP; VM2 (host B, subnet2) has none.
    """

    requires_host_access = True

    # -- points, from the API ------------------------------------------------

    def qr_point(self, host, subnet):
        port = self.port_on_subnet(self.router_ports(router_api.DVR_INTERFACE),
                                   self.subnets[subnet])
        return paths.Point(host, naming.qrouter_namespace(self.router['id']),
                           naming.qr_device(port['id']), 'qr- %s' % subnet)

    def rfp_point(self, host):
        return paths.Point(host, naming.qrouter_namespace(self.router['id']),
                           naming.rfp_device(self.router['id']), 'rfp-')

    def fpr_point(self, host):
        return paths.Point(
            host, naming.fip_namespace(CONF.network.public_network_id),
            naming.fpr_device(self.router['id']), 'fpr-')

    def fg_point(self, host):
        port = self.fip_agent_gateway_port(host)
        return paths.Point(
            host, naming.fip_namespace(CONF.network.public_network_id),
            naming.fg_device(port['id']), 'fg-')

    def fip_path_points(self, host, subnet):
        return [self.qr_point(host, subnet), self.rfp_point(host),
                self.fpr_point(host), self.fg_point(host)]

    def sg_point(self, snat_host, subnet):
        port = self.port_on_subnet(
            self.router_ports(router_api.CENTRALIZED_SNAT),
            self.subnets[subnet])
        return paths.Point(snat_host,
                           naming.snat_namespace(self.router['id']),
                           naming.sg_device(port['id']), 'sg- %s' % subnet)

    def qg_point(self, snat_host):
        gateway = self.router_ports(router_api.ROUTER_GATEWAY)[0]
        return paths.Point(snat_host,
                           naming.snat_namespace(self.router['id']),
                           naming.qg_device(gateway['id']), 'qg-')

    def snat_points(self, snat_host):
        """sg- of each subnet, then qg-, in the snat namespace."""
        return ([self.sg_point(snat_host, subnet)
                 for subnet in topology.SUBNETS]
                + [self.qg_point(snat_host)])

    # -- tracing -------------------------------------------------------------

    def wait_points_exist(self, points):
        """Wait until every capture point's device is in its namespace.

        The agent may still be plugging a new router's devices; a capture
        on a device that never comes fails with the namespace's listing.
        """
        devices = collections.defaultdict(dict)
        for point in points:
            devices[point.host, point.namespace][point.device] = (
                hoststate.Device(point.role, None))
        for (host, namespace), expected in sorted(devices.items()):
            self.assert_namespace(host, namespace, expected)

    def trace(self, points, send, reply_path):
        """Capture a fresh Probe at points while send(probe) pings.

        points are in the order requests should travel them; reply_path
        lists the points replies should travel, in order (for the hop list).
        """
        self.wait_points_exist(points)
        probe = probes.Probe.unique()
        trace = paths.PathTrace(points, probe, self.host, MAX_PACKETS)
        trace.start(self.addCleanup)
        result = send(probe)
        observations = trace.stop()
        observations.path_order[REPLY] = reply_path
        self.attach_text('probe',
                         '%s\nfilter: %s' % (probe, probe.bpf_filter()))
        self.attach_text('ping', result.summary() + '\n\n' + result.output)
        self.attach_text('hop-list', observations.hop_lists())
        self.attach_text('captures', observations.raw_text())
        self.assertGreater(result.received, 0,
                           'the traced ping got no reply: %s' %
                           result.summary())
        return observations

    def warm_up(self, send, diagnose=lambda: ''):
        """Ping until answered, so that the traced burst meets no ARP."""
        result = self.ping_until_answered(send)
        if not result.received:
            self.fail('expected replies before tracing, found none: %s%s'
                      % (result.summary(), diagnose()))

    def assert_seen(self, observations, point, icmp_type, src=None,
                    dst=None, direction=None):
        if observations.count(point, icmp_type, src=src, dst=dst,
                              direction=direction):
            return
        self.fail('expected the %s %s > %s %sat %s; not seen there.\n%s' % (
            icmp_type, src or '*', dst or '*',
            'going %s ' % direction if direction else '', point,
            observations.hop_lists()))

    def assert_not_forwarded(self, observations, point, icmp_type):
        """point never sent the probe's icmp_type out (it did not route it)."""
        unread = observations.direction_unread(point, icmp_type)
        if unread:
            self.fail('expected no %s sent out of %s; cannot tell: %s.\n%s' %
                      (icmp_type, point, unread, observations.hop_lists()))
        sent = observations.matching(point, icmp_type, direction=OUT)
        if sent:
            self.fail('expected no %s sent out of %s; it sent %d.\n%s' % (
                icmp_type, point, len(sent), observations.hop_lists()))

    def assert_untouched(self, observations, points):
        """None of the probe's packets at any of points."""
        touched = ['%s: %d' % (point, observations.any_probe_packets(point))
                   for point in points
                   if observations.any_probe_packets(point)]
        if touched:
            self.fail('expected none of the probe packets off the path; '
                      'found them at %s.\n%s' % (
                          '; '.join(touched), observations.hop_lists()))

    # -- tests ---------------------------------------------------------------

    @decorators.idempotent_id('1caf5af7-9516-4b7c-a47e-0ed1afb9cc3f')
    def test_east_west_routed_on_sender_host(self):
        """East-west: each direction is routed on its sender's host.

        The article pinged VM1 (CPNW1) -> VM2 (CPNW2): the request went in
        qr-1 and out qr-2 of CPNW1's qrouter, the reply was routed by
        CPNW2's qrouter. Asserted: requests in on A's qr- of subnet1, out
        on A's qr- of subnet2, never sent out of B's qrouter; replies in
        on B's qr- of subnet2, out on B's qr- of subnet1, never sent out
        of A's qrouter; nothing forwarded by the snat namespace (out of
        sg-/qg-) and nothing on qg-. How many probe frames the snat
        namespace saw at all (the article's open question) is reported in
        the "snat-namespace-saw" detail.
        """
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        host_a, host_b = vm1.host, vm2.host
        snat_host = self.current_snat_host()
        a1, a2 = (self.qr_point(host_a, 'subnet1'),
                  self.qr_point(host_a, 'subnet2'))
        b2, b1 = (self.qr_point(host_b, 'subnet2'),
                  self.qr_point(host_b, 'subnet1'))
        snat = self.snat_points(snat_host)

        def send(probe):
            return probes.ping_from_vm(self.ssh_client(vm1), probe,
                                       vm2.fixed_ip, PROBES, str(vm1))

        self.warm_up(lambda: self.ping_from_vm(vm1, vm2.fixed_ip),
                     lambda: self.east_west_diagnosis(vm1, vm2))
        seen = self.trace([a1, a2, b2, b1] + snat, send, [b2, b1])
        self.attach_text('snat-namespace-saw', '\n'.join(
            '%s: %d probe packet(s)' % (p, seen.any_probe_packets(p))
            for p in snat))

        self.assert_seen(seen, a1, REQUEST, vm1.fixed_ip, vm2.fixed_ip, IN)
        self.assert_seen(seen, a2, REQUEST, vm1.fixed_ip, vm2.fixed_ip, OUT)
        self.assert_seen(seen, b2, REPLY, vm2.fixed_ip, vm1.fixed_ip, IN)
        self.assert_seen(seen, b1, REPLY, vm2.fixed_ip, vm1.fixed_ip, OUT)
        for point in (b1, b2):
            self.assert_not_forwarded(seen, point, REQUEST)
        for point in (a1, a2):
            self.assert_not_forwarded(seen, point, REPLY)
        for point in snat:
            self.assert_not_forwarded(seen, point, REQUEST)
            self.assert_not_forwarded(seen, point, REPLY)
        self.assert_untouched(seen, [self.qg_point(snat_host)])

    @decorators.idempotent_id('a5654f12-4f74-4850-b5fa-1a3668c090d8')
    def test_floating_ip_traffic_stays_on_its_host(self):
        """Floating IP: VM1 -> outside leaves through host A's fip- only.

        The article traced VM1 -> an Internet host: qr-1 -> rfp-1 in
        CPNW1's qrouter, fpr-1 -> fg-ext in CPNW1's fip namespace, then
        the host's NIC; the snat namespace was not used. Asserted: request
        in on A's qr- (from VM1's fixed IP), out of rfp-, in on fpr-, out
        of fg- (from the floating IP); reply in on fg- (to the floating
        IP) and out of qr- (to the fixed IP); none of the probe in any
        snat namespace device nor on host B's rfp-/fpr-/fg-.
        """
        outside = self.outside_address()
        vm1 = self.vms['vm1']
        host_a, host_b = vm1.host, self.vm_hosts[discovery.HOST_B]
        fip = vm1.floating_ip_address
        qr, rfp, fpr, fg = self.fip_path_points(host_a, vm1.subnet)
        elsewhere = ([self.rfp_point(host_b), self.fpr_point(host_b),
                      self.fg_point(host_b)] +
                     self.snat_points(self.current_snat_host()))

        def send(probe):
            return probes.ping_from_vm(self.ssh_client(vm1), probe, outside,
                                       PROBES, str(vm1))

        self.warm_up(lambda: self.ping_from_vm(vm1, outside))
        seen = self.trace([qr, rfp, fpr, fg] + elsewhere, send,
                          [fg, fpr, rfp, qr])

        self.assert_seen(seen, qr, REQUEST, vm1.fixed_ip, outside, IN)
        self.assert_seen(seen, rfp, REQUEST, fip, outside, OUT)
        self.assert_seen(seen, fpr, REQUEST, fip, outside, IN)
        self.assert_seen(seen, fg, REQUEST, fip, outside, OUT)
        self.assert_seen(seen, fg, REPLY, outside, fip, IN)
        self.assert_seen(seen, qr, REPLY, outside, vm1.fixed_ip, OUT)
        self.assert_untouched(seen, elsewhere)

    @decorators.idempotent_id('c2483447-6b0f-4905-87d6-8c4b5e158fea')
    def test_snat_traffic_goes_through_snat_namespace(self):
        """SNAT: VM2 (no floating IP) -> outside goes through snat-.

        What the article called the remaining single point of failure:
        traffic of a VM without a floating IP is routed by its host's
        qrouter to the sg- port of its subnet, and leaves from qg- of the
        snat namespace on the SNAT host, source-NATed to the router's
        gateway address. Asserted: request in on B's qr- of subnet2, in
        on sg- of subnet2, out of qg- from the gateway address; reply in
        on qg- to the gateway address and out of sg- to VM2; none of it
        through any fip namespace (rfp-/fpr-/fg- of hosts A and B).
        """
        outside = self.outside_address()
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        host_b = vm2.host
        snat_host = self.current_snat_host()
        gateway_ip = self.router_gateway_ip()
        qr = self.qr_point(host_b, vm2.subnet)
        sg, qg = self.sg_point(snat_host, vm2.subnet), self.qg_point(snat_host)
        other_sg = [self.sg_point(snat_host, subnet)
                    for subnet in topology.SUBNETS if subnet != vm2.subnet]
        fip_paths = []
        for host in sorted(set(self.vm_hosts.values())):
            fip_paths += [self.rfp_point(host), self.fpr_point(host),
                          self.fg_point(host)]

        def send(probe):
            return probes.ping_from_vm(self.ssh_client(vm2, via=vm1), probe,
                                       outside, PROBES, str(vm2))

        self.warm_up(lambda: self.ping_from_vm(vm2, outside, via=vm1))
        seen = self.trace([qr, sg, qg] + other_sg + fip_paths, send,
                          [qg, sg])

        self.assert_seen(seen, qr, REQUEST, vm2.fixed_ip, outside, IN)
        self.assert_seen(seen, sg, REQUEST, vm2.fixed_ip, outside, IN)
        self.assert_seen(seen, qg, REQUEST, gateway_ip, outside, OUT)
        self.assert_seen(seen, qg, REPLY, outside, gateway_ip, IN)
        self.assert_seen(seen, sg, REPLY, outside, vm2.fixed_ip, OUT)
        self.assert_untouched(seen, fip_paths)
