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

from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import icmp_redirects
from dvr_tempest_plugin.common import known_defects
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.tests.scenario import base

CONF = config.CONF


class HostPlacementTest(base.DvrScenarioTest):
    """Namespaces and devices of the router on the hosts, read over SSH.

    This is the article's table of namespaces and NICs per CPNW, with the
    names Neutron derives from ids: namespaces qrouter-<router>,
    snat-<router>, fip-<external network>; devices qr-/sg-/qg-/fg- and the
    port id, rfp-/fpr- and the router id, cut to 14 characters.
    """

    requires_host_access = True

    # -- tests ---------------------------------------------------------------

    @decorators.idempotent_id('1b37a26e-c2c6-4b98-a9a0-0fbd7137b5ff')
    def test_qrouter_namespace_on_vm_hosts(self):
        """qrouter-<router> on each VM host and on the SNAT host.

        Routing is distributed: the article found a qrouter namespace on
        both CPNWs with qr-1, qr-2 (the subnets' gateways) and rfp- (the
        link to the fip namespace). Today's agent creates it on every host
        serving a port of the router's subnets (VMs, DHCP) and on the
        SNAT host, and, as it creates fip- proactively, rfp- exists
        whether or not a floating IP lives on the host.
        """
        namespace = naming.qrouter_namespace(self.router['id'])
        expected = self.qrouter_devices()
        self.attach_api_bindings()
        for host in sorted(set(self.vm_hosts.values()) |
                           {self.current_snat_host()}):
            self.assert_namespace(host, namespace, expected)

    @decorators.idempotent_id('80396ad2-9318-40ee-a93f-fb656f2adfce')
    @known_defects.neutron_defect(icmp_redirects.SentBeforeSwitchedOff,
                                  known_defects.QROUTER_ICMP_REDIRECTS)
    def test_qrouter_sends_no_icmp_redirects(self):
        """No qrouter-<router> redirects a guest to the SNAT port.

        VM2's traffic for the outside leaves its host's qrouter through
        the qr- it came in on, toward the SNAT port: a hop Linux would
        tell the guest to skip with an ICMP redirect, unless
        net.ipv4.conf.all.send_redirects is 0, as Neutron sets it. A
        redirected guest sends to the SNAT port directly, past the
        qrouter's routes and metadata proxy. Each namespace's counter
        covers its whole life, the guests' boot included.
        """
        outside = self.outside_address()
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        result = self.ping_until_answered(
            lambda: self.ping_from_vm(vm2, outside, via=vm1))
        self.assert_answered(
            result, '%s (SNAT) to outside %s' % (vm2.name, outside),
            lambda: ': no traffic took the hop a redirect is for')
        namespace = naming.qrouter_namespace(self.router['id'])
        counts = []
        for host in sorted(set(self.vm_hosts.values()) |
                           {self.current_snat_host()}):
            found = icmp_redirects.count(self.host(host), namespace)
            if found is None:
                self.fail('host %s: expected namespace %s, found none' % (
                    host, namespace))
            counts.append(found)
        self.attach_text('icmp-redirects',
                         '\n'.join(c.text() for c in counts))
        problem = icmp_redirects.problem(counts)
        if problem:
            self.fail(problem)

    @decorators.idempotent_id('ad2850a3-b97c-4bcc-acab-b2269f287ca3')
    def test_snat_namespace_only_on_snat_host(self):
        """snat-<router> on the host the API names and on no other.

        The article found one snat namespace (sg-1, sg-2, qg-ext) on one of
        its two dvr_snat hosts: SNAT is not distributed. The host is the
        one of the router's only L3 agent binding; only dvr_snat agents
        can host it, so every dvr_snat host (and both VM hosts) is read.
        """
        namespace = naming.snat_namespace(self.router['id'])
        snat_host = self.current_snat_host()
        others = (set(self.dvr_snat_hosts()) |
                  set(self.vm_hosts.values())) - {snat_host}
        self.require_host_access(others | {snat_host})
        self.attach_api_bindings()
        self.assert_namespace(snat_host, namespace, self.snat_devices())
        for host in sorted(others):
            self.assert_no_namespace(host, namespace)

    @decorators.idempotent_id('4db00867-749e-46c8-9047-0cceb9ba79fe')
    @known_defects.neutron_defect(router_api.DuplicatePorts,
                                  known_defects.DUPLICATE_FIP_GATEWAY)
    def test_fip_namespace_on_vm_hosts(self):
        """fip-<external network> on each VM host, with fg- and fpr-.

        The article found a fip namespace only on the host of a VM with a
        floating IP, created when the floating IP was set. Today's agent
        creates it proactively on every dvr/dvr_snat host serving a router
        with a gateway (release note dvr-fip-namespace-on-all-nodes), so
        it is asserted on host B too, although VM2 has no floating IP.
        """
        namespace = naming.fip_namespace(CONF.network.public_network_id)
        self.attach_api_bindings()
        for host in sorted(set(self.vm_hosts.values())):
            self.assert_namespace(host, namespace, self.fip_devices(host))

    @decorators.idempotent_id('15166653-841a-4792-9a41-d7726eacbb41')
    def test_floating_ip_plumbing_only_on_its_host(self):
        """A floating IP is plumbed on its VM's host only.

        The article saw VM1's floating IP handled on CPNW1 alone (rfp-1,
        fpr-1). With fip- and rfp-/fpr- now on every host, what is
        specific to the floating IP is: the rule sending VM1's traffic to
        table 16 in qrouter- and the route to the floating IP via fpr- in
        fip- (its NAT rules live next to the rule). They must be on host A
        and not on host B.
        """
        vm = self.vms['vm1']
        other = self.vm_hosts[discovery.HOST_B]
        self.plumbed_fip_agent_gateway_port(vm.host, owner=vm)
        self.assert_plumbing(vm.host, vm, vm.floating_ip, present=True)
        self.assert_plumbing(other, vm, vm.floating_ip, present=False)

    @decorators.idempotent_id('c487b1db-f132-4779-91dc-0843b70a9aaf')
    def test_floating_ip_plumbing_removed_after_disassociation(self):
        """Disassociating a floating IP removes its plumbing from its host.

        A floating IP given to VM2 is plumbed on host B (and not on A);
        once disassociated its rule and route are gone from B, while
        VM1's floating IP on host A stays in place.
        """
        vm = self.vms['vm2']
        vm1 = self.vms['vm1']
        fip = self.create_floating_ip(vm, cleanup=self.addCleanup)
        self.assert_plumbing(vm.host, vm, fip, present=True)
        self.assert_plumbing(self.vm_hosts[discovery.HOST_A], vm, fip,
                             present=False)
        self.admin_floating_ips_client.update_floatingip(fip['id'],
                                                         port_id=None)
        self.wait_floating_ip_status(fip, 'DOWN')
        self.assert_plumbing(vm.host, vm, fip, present=False)
        self.assert_plumbing(vm1.host, vm1, vm1.floating_ip, present=True)
