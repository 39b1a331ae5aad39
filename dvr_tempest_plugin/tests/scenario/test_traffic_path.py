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

from tempest.lib import decorators

from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.tests.scenario import base
from dvr_tempest_plugin.tests.scenario import tracing

PROBES = tracing.PROBES
REQUEST = paths.REQUEST
REPLY = paths.REPLY
IN = paths.IN
OUT = paths.OUT


class TrafficPathTest(tracing.PathTracing, base.DvrScenarioTest):
    """The article's tcpdump tracing, as assertions on hop lists.

    Each test pings with a Probe of its own (payload size and byte) and
    captures only that probe, inside the namespaces, on the devices that
    matter, on every host involved. The hop list (host / namespace /
    device in path order, with packet counts and directions) and the raw
    captures are attached to the result. VM1 (host A, subnet1) has a
    floating IP; VM2 (host B, subnet2) has none.
    """

    requires_host_access = True

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
        self.check_east_west_routed_on_sender_host()

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
        seen = self.trace([qr, rfp, fpr, fg], [fg, fpr, rfp, qr], elsewhere,
                          send, self.endpoint(vm1),
                          self.outside_endpoint(outside))

        self.check_path(seen, [
            paths.seen(qr, REQUEST, vm1.fixed_ip, outside, IN),
            paths.seen(rfp, REQUEST, fip, outside, OUT),
            paths.seen(fpr, REQUEST, fip, outside, IN),
            paths.seen(fg, REQUEST, fip, outside, OUT),
            paths.seen(fg, REPLY, outside, fip, IN),
            paths.seen(qr, REPLY, outside, vm1.fixed_ip, OUT)] +
            [paths.untouched(point) for point in elsewhere])

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
        seen = self.trace([qr, sg, qg], [qg, sg], other_sg + fip_paths, send,
                          self.endpoint(vm2), self.outside_endpoint(outside))

        self.check_path(seen, [
            paths.seen(qr, REQUEST, vm2.fixed_ip, outside, IN),
            paths.seen(sg, REQUEST, vm2.fixed_ip, outside, IN),
            paths.seen(qg, REQUEST, gateway_ip, outside, OUT),
            paths.seen(qg, REPLY, outside, gateway_ip, IN),
            paths.seen(sg, REPLY, outside, vm2.fixed_ip, OUT)] +
            [paths.untouched(point) for point in fip_paths])
