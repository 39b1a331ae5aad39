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

import subprocess

from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.tests.scenario import base
from dvr_tempest_plugin.tests.scenario import probes

CONF = config.CONF


class ReachabilityTest(base.DvrScenarioTest):
    """Who can reach whom through a distributed router.

    VM1 (host A, subnet1) has a floating IP, VM2 (host B, subnet2) has
    none. No host access needed: the pings come from the tester (the
    machine running tempest, outside the cloud) and from the VMs over SSH.
    """

    def assert_answered(self, result, what, diagnose=lambda: ''):
        self.attach_text('ping-%s' % what.replace(' ', '-'),
                         result.summary() + '\n\n' + result.output)
        if not result.received:
            self.fail('%s: expected replies, found none (%s)%s' % (
                what, result.summary(), diagnose()))

    def assert_unanswered(self, result, what):
        """No reply to probes that went out (else the test errors)."""
        self.attach_text('ping-%s' % what.replace(' ', '-'),
                         result.summary() + '\n\n' + result.output)
        probes.require_looked(result)
        self.assertEqual(
            0, result.received,
            '%s: expected no reply, found %d (%s)' % (
                what, result.received, result.summary()))

    def attach_tester_route(self, destination):
        done = subprocess.run(['ip', 'route', 'get', destination],
                              capture_output=True, text=True, check=False,
                              timeout=10)
        self.attach_text('tester-route-to-%s' % destination,
                         done.stdout + done.stderr)

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

    @decorators.idempotent_id('9f05c15c-00ca-452d-af02-74583f5941e4')
    def test_vm_without_floating_ip_unreachable_from_outside(self):
        """Nothing outside reaches VM2 until it has a floating IP.

        The tester gets no reply from VM2's fixed address. A floating IP
        given to VM2 answers (so the cloud could have answered), and once
        disassociated it answers no more: no DNAT is left behind.
        """
        vm2 = self.vms['vm2']
        self.attach_tester_route(vm2.fixed_ip)
        self.assert_unanswered(self.ping_from_tester(vm2.fixed_ip, count=3),
                               'tester to %s fixed IP' % vm2.name)
        fip = self.create_floating_ip(vm2, cleanup=self.addCleanup)
        address = fip['floating_ip_address']
        self.assert_answered(
            self.ping_until_answered(lambda: self.ping_from_tester(address)),
            'tester to %s floating IP %s while associated' % (vm2.name,
                                                              address))
        self.admin_floating_ips_client.update_floatingip(fip['id'],
                                                         port_id=None)
        self.wait_floating_ip_status(fip, 'DOWN')
        _, result = base.wait_for(
            lambda: self.ping_from_tester(address, count=3),
            lambda r: r.looked and r.received == 0,
            CONF.dvr.convergence_timeout)
        self.assert_unanswered(
            result, 'tester to %s after disassociation from %s' % (
                address, vm2.name))
