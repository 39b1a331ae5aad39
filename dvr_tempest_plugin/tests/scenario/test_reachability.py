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
from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import source_witness
from dvr_tempest_plugin.tests.scenario import base

CONF = config.CONF


class ReachabilityTest(base.DvrScenarioTest):
    """Who can reach whom through a distributed router.

    VM1 (host A, subnet1) has a floating IP, VM2 (host B, subnet2) has
    none. No host access needed: the pings come from the tester (the
    machine running tempest, outside the cloud) and from the VMs over SSH.
    """

    def assert_unanswered(self, result, what):
        """No reply to probes that went out (else the test errors)."""
        self.attach_text('ping-%s' % what.replace(' ', '-'),
                         result.summary() + '\n\n' + result.output)
        probes.require_looked(result)
        self.assertEqual(
            0, result.received,
            '%s: expected no reply, found %d (%s)' % (
                what, result.received, result.summary()))

    def sources_seen_outside(self, witness, vm, via=None):
        """Source addresses the tester's listener saw for vm's connections.

        vm connects until the listener has seen it, within ping_timeout.
        """
        token = source_witness.new_token(vm.name)
        command = source_witness.send_command(witness.address,
                                              witness.port, token)
        client = self.ssh_client(vm, via=via)
        outputs = []

        def send():
            try:
                outputs.append(client.exec_command(command + ' 2>&1; true'))
            except lib_exc.SSHExecCommandFailed as exc:
                outputs.append(str(exc))
            return witness.sources(token)

        done, found = polling.wait_for(send, bool,
                                       CONF.validation.ping_timeout)
        self.attach_text('outside-view-%s' % vm.name, '%s\nsent: %s\n'
                         'seen: %s\nnc output: %s' % (
                             vm, command, ', '.join(found) or 'nothing',
                             ''.join(outputs[-3:]) or '(none)'))
        if not done:
            self.fail('%s: expected its connection to the tester\'s '
                      'listener %s:%d, none arrived within %d s' % (
                          vm, witness.address, witness.port,
                          CONF.validation.ping_timeout))
        return found

    @decorators.idempotent_id('fcc1a6d4-0bdc-44ff-8b33-b278c305ab41')
    def test_east_west_across_subnets_and_hosts(self):
        """VM1 (subnet1, host A) reaches VM2 (subnet2, host B).

        The article's first traffic pattern: routing between subnets of
        one distributed router, across hosts, needs no network node.
        """
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        result = self.ping_until_answered(
            lambda: self.ping_from_vm(vm1, vm2.fixed_ip))
        self.assert_answered(
            result, 'east-west %s to %s' % (vm1.name, vm2.name),
            lambda: self.east_west_diagnosis(vm1, vm2))

    @decorators.idempotent_id('485cee94-ab45-446a-baaf-c0f2e52af36d')
    def test_floating_ip_reachable_from_outside(self):
        """The tester reaches VM1 through its floating IP.

        North-south inbound with a floating IP: DNAT in host A's qrouter,
        reached through host A's fip namespace (the article's second
        pattern, in the other direction). SSH to VM1 already worked
        during the class setup; ICMP is checked here.
        """
        vm1 = self.vms['vm1']
        result = self.ping_until_answered(
            lambda: self.ping_from_tester(vm1.floating_ip_address))
        self.assert_answered(result, 'tester to %s floating IP %s' % (
            vm1.name, vm1.floating_ip_address))

    @decorators.idempotent_id('73db2d53-7218-4d3f-a4b8-39f17bfcc572')
    def test_vm_with_floating_ip_reaches_outside(self):
        """VM1 reaches the outside address through its floating IP.

        The article's second pattern: VM1 to a host on the Internet,
        leaving through host A's own fip namespace.
        """
        outside = self.outside_address()
        vm1 = self.vms['vm1']
        result = self.ping_until_answered(
            lambda: self.ping_from_vm(vm1, outside))
        self.assert_answered(result, '%s to outside %s' % (vm1.name,
                                                           outside))

    @decorators.idempotent_id('b4fd85c7-6f8f-4592-8155-40976b05fc2e')
    def test_vm_without_floating_ip_reaches_outside(self):
        """VM2, without a floating IP, reaches the outside through SNAT.

        Traffic of VMs without a floating IP is source-NATed to the
        router's gateway address in the one snat namespace: the part of
        DVR the article found still centralized. VM2 is reached over SSH
        through VM1.
        """
        outside = self.outside_address()
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        result = self.ping_until_answered(
            lambda: self.ping_from_vm(vm2, outside, via=vm1))
        self.assert_answered(result, '%s (SNAT) to outside %s' % (
            vm2.name, outside))

    @decorators.idempotent_id('2b6f0d43-9a1c-4e57-8f3a-6d0c1b7e5a94')
    def test_outside_sees_floating_ip_and_snat_addresses(self):
        """Outside, VM traffic comes from a floating IP or the SNAT address.

        What DVR guarantees to the outside, observed where it happens: at
        the receiving end. VM1 (floating IP) and VM2 (none) each open a
        TCP connection to a listener on the tester, on the tester's address
        toward the floating IPs. Asserted: every connection of VM1 comes
        from its floating IP (source NAT in host A's qrouter), every one
        of VM2 from the router's gateway address, the qg- address of the
        snat namespace (SNAT); neither from its fixed IP. Unlike a ping to
        a fixed IP, this does not depend on the tester's routing table.
        """
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        witness = source_witness.SourceWitness(
            source_witness.address_toward(vm1.floating_ip_address))
        self.addCleanup(witness.stop)
        witness.start()
        gateway_ip = self.router_gateway_ip()
        seen = {vm1.name: self.sources_seen_outside(witness, vm1),
                vm2.name: self.sources_seen_outside(witness, vm2, via=vm1)}
        expected = {vm1.name: vm1.floating_ip_address,
                    vm2.name: gateway_ip}
        wrong = ['%s (fixed IP %s): expected every connection from %s, '
                 'found %s' % (vm, vm.fixed_ip, expected[vm.name],
                               ', '.join(seen[vm.name]))
                 for vm in (vm1, vm2)
                 if set(seen[vm.name]) != {expected[vm.name]}]
        if wrong:
            self.fail('what the outside (the tester) sees of VM traffic:\n%s'
                      % '\n'.join(wrong))

    @decorators.idempotent_id('5c3e8a71-0d4b-4f6e-9b2a-7e1f0c9d8b36')
    def test_disassociated_floating_ip_stops_answering(self):
        """A floating IP answers while associated, and not after.

        A floating IP given to VM2 answers the tester's pings; once
        disassociated (status DOWN) it answers no more: no DNAT is left
        behind. The negative counts the probes it sent: a ping that sent
        none (no route, no statistics) is an error, not a pass.
        """
        vm2 = self.vms['vm2']
        fip = self.create_floating_ip(vm2, cleanup=self.addCleanup)
        address = fip['floating_ip_address']
        self.assert_answered(
            self.ping_until_answered(lambda: self.ping_from_tester(address)),
            'tester to %s floating IP %s while associated' % (vm2.name,
                                                              address))
        self.admin_floating_ips_client.update_floatingip(fip['id'],
                                                         port_id=None)
        self.wait_floating_ip_status(fip, 'DOWN')
        _, result = polling.wait_for(
            lambda: self.ping_from_tester(address, count=5),
            lambda r: r.looked and r.received == 0,
            settings.convergence_timeout())
        self.assert_unanswered(
            result, 'tester to %s after disassociation from %s' % (
                address, vm2.name))
