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

"""Computes in dvr_no_external mode: floating IPs centralized on SNAT.

Many clouds keep their computes off the external network: their L3
agents run in dvr_no_external mode. East-west routing stays distributed,
but a floating IP of a VM on such a compute is served by the router's
snat- namespace on the dvr_snat host: its address sits on qg- there, next
to the SNAT rules (neutron/agent/l3/dvr_edge_router.py,
add_centralized_floatingip), and the compute has no fip- namespace and no
floating IP agent gateway port (neutron/db/l3_dvr_db.py,
create_fip_agent_gw_port_if_not_exists).
"""

import time

from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import agent_control
from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import paths
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import probes
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.tests.scenario import base
from dvr_tempest_plugin.tests.scenario import tracing

CONF = config.CONF

REQUEST = tracing.REQUEST
REPLY = tracing.REPLY
IN = tracing.IN
OUT = tracing.OUT
# How long the floating IP must stay ACTIVE after its host's L3 agent is
# back: the agent's first full sync is done well within it.
AFTER_RESTART_SECONDS = 30
STATUS_POLL_SECONDS = 2


@decorators.serial
class CentralizedFloatingIpTest(tracing.PathTracing, base.DvrScenarioTest):
    """VM1 (host A) with a floating IP, VM2 (host B): dvr_no_external hosts.

    Serial: its last test restarts an L3 agent ([dvr] disruptive_tests).
    """

    vm_host_modes = (agents.NO_EXTERNAL_MODE,)
    requires_host_access = True

    # -- tests ---------------------------------------------------------------

    @decorators.idempotent_id('ca75127a-ca23-4479-bb0c-2413c633d80c')
    def test_floating_ip_on_snat_host_qg(self):
        """The floating IP is an address of qg- in snat- on the SNAT host.

        And nowhere on the computes: no fip- namespace, no rfp- in their
        qrouter-, and no floating IP agent gateway port bound to them.
        """
        vm1 = self.vms['vm1']
        fip = vm1.floating_ip_address
        snat_host = self.current_snat_host()
        self.attach_api_bindings()
        snat = naming.snat_namespace(self.router['id'])
        self.assert_namespace(snat_host, snat, self.snat_devices())
        gateway = self.router_ports(router_api.ROUTER_GATEWAY)[0]
        self.assert_address_on(snat_host, snat,
                               naming.qg_device(gateway['id']), fip)
        self.check_computes_have_no_external_plumbing()

    @decorators.idempotent_id('c15dff25-50c8-428c-8996-0d9b8aa1d035')
    def test_floating_ip_traffic_goes_through_snat(self):
        """VM1 -> outside: qr- on A, sg- and qg- of snat-, from the FIP.

        Asserted: request in on A's qr- (from VM1's fixed IP), in on sg-
        of subnet1, out of qg- from the floating IP (not the router's
        gateway address: that would be plain SNAT); reply in on qg- to the
        floating IP, out of sg- to the fixed IP (sg- is on VM1's subnet,
        so the reply goes to VM1 without its host's qrouter-).
        """
        outside = self.outside_address()
        vm1 = self.vms['vm1']
        fip = vm1.floating_ip_address
        snat_host = self.current_snat_host()
        qr = self.qr_point(vm1.host, vm1.subnet)
        sg, qg = self.sg_point(snat_host, vm1.subnet), self.qg_point(snat_host)

        def send(probe):
            return probes.ping_from_vm(self.ssh_client(vm1), probe, outside,
                                       tracing.PROBES, str(vm1))

        self.warm_up(lambda: self.ping_from_vm(vm1, outside))
        # the reply leaves sg- straight to VM1 on subnet1: no qrouter-
        seen = self.trace([qr, sg, qg], [qg, sg], [], send,
                          self.endpoint(vm1), self.outside_endpoint(outside))
        self.check_path(seen, [
            paths.seen(qr, REQUEST, vm1.fixed_ip, outside, IN),
            paths.seen(sg, REQUEST, vm1.fixed_ip, outside, IN),
            paths.seen(qg, REQUEST, fip, outside, OUT),
            paths.seen(qg, REPLY, outside, fip, IN),
            paths.seen(sg, REPLY, outside, vm1.fixed_ip, OUT)])

    @decorators.idempotent_id('70b5e5e8-0908-4706-b799-06c7c107c60f')
    def test_east_west_routed_on_sender_host(self):
        """East-west stays distributed on dvr_no_external computes."""
        self.check_east_west_routed_on_sender_host()

    @decorators.idempotent_id('dab70032-715e-4a50-bbf1-fe4329923f25')
    def test_l3_agent_restart_keeps_floating_ip_active(self):
        """Restarting VM1's host's L3 agent leaves its floating IP ACTIVE.

        Its status is read throughout the restart and for
        AFTER_RESTART_SECONDS after the agent is back; then the floating
        IP answers the tester.
        """
        if not settings.disruptive_tests():
            raise self.skipException('[dvr] disruptive_tests is False: this '
                                     'test restarts an L3 agent')
        vm1 = self.vms['vm1']
        fip = vm1.floating_ip
        agent = agent_control.Agent(self.host(vm1.host), 'l3',
                                    self.admin_agents_client)
        statuses = []

        def status():
            found = self.admin_floating_ips_client.show_floatingip(
                fip['id'])['floatingip']['status']
            statuses.append((time.monotonic(), found))
            return found

        with agent.interrupted('stop'):
            agent.wait_dead()
            status()
        back = time.monotonic()
        polling.wait_for(status, lambda _: False, AFTER_RESTART_SECONDS,
                         interval=STATUS_POLL_SECONDS)
        self.attach_text('floating-ip-status', '\n'.join(
            '%+6.1f s %s' % (at - back, found) for at, found in statuses))
        not_active = [(at - back, found) for at, found in statuses
                      if found != 'ACTIVE']
        if not_active:
            self.fail('floating IP %s of %s: expected ACTIVE while %s '
                      'restarted and %d s after, found %s' % (
                          fip['floating_ip_address'], vm1, agent,
                          AFTER_RESTART_SECONDS, ', '.join(
                              '%s at %+.1f s' % (found, at)
                              for at, found in not_active)))
        result = self.ping_until_answered(
            lambda: self.ping_from_tester(fip['floating_ip_address']))
        self.assertGreater(result.received, 0, 'floating IP %s after the '
                           'restart: %s' % (fip['floating_ip_address'],
                                            result.summary()))

    # -- checks --------------------------------------------------------------

    def check_computes_have_no_external_plumbing(self):
        router_id = self.router['id']
        ext_net_id = CONF.network.public_network_id
        interfaces = self.qrouter_devices()
        del interfaces[naming.rfp_device(router_id)]
        hosts = sorted(set(self.vm_hosts.values()))
        for host in hosts:
            self.assert_namespace(host, naming.qrouter_namespace(router_id),
                                  interfaces)
            self.assert_no_device(host, naming.qrouter_namespace(router_id),
                                  naming.rfp_device(router_id))
            self.assert_no_namespace(host, naming.fip_namespace(ext_net_id))
        wrong = sorted(set(self.fip_agent_gateway_ports()) & set(hosts))
        if wrong:
            self.attach_api_bindings()
            self.fail('expected no %s port for the %s hosts, found one for '
                      '%s' % (router_api.FIP_AGENT_GATEWAY,
                              agents.NO_EXTERNAL_MODE, ', '.join(wrong)))

    def assert_address_on(self, host, namespace, device, address):
        client = self.host(host)

        def addresses():
            if namespace not in client.namespaces():
                return []
            info = client.devices(namespace).get(device, {})
            return [a.split('/')[0] for a in info.get('addresses', [])]
        timeout = settings.convergence_timeout()
        done, found = polling.wait_for(addresses,
                                       lambda found: address in found,
                                       timeout)
        if not done:
            self.attach_hosts('%s-dvr-namespaces' % host, [host],
                              [namespace])
            self.fail('host %s, namespace %s: expected address %s on %s '
                      'within %d s, found %s' % (
                          host, namespace, address, device, timeout,
                          ', '.join(found) or 'none'))
