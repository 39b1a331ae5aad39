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

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import known_defects
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.tests.scenario import base


class ApiPlacementTest(base.DvrScenarioTest):
    """Where the Networking API places the parts of a distributed router.

    No host access needed: everything here is read from the API, as an
    operator would with `openstack network agent list --router` and
    `openstack port list --device-owner ...`.
    """

    @decorators.idempotent_id('7f84c46b-2499-4359-afd2-09f30065fac0')
    def test_router_is_distributed(self):
        """The router is a distributed (and not an HA) router.

        The article set router_distributed = True in neutron.conf; here
        admin asks for distributed=True explicitly, and the API must keep it.
        """
        router = self.admin_routers_client.show_router(
            self.router['id'])['router']
        self.attach_json('api-router', router)
        self.assertTrue(router['distributed'],
                        'router %s: expected distributed=True, found %s' %
                        (router['id'], router['distributed']))
        self.assertFalse(router.get('ha', False),
                         'router %s: expected ha=False, found %s' %
                         (router['id'], router.get('ha')))

    @decorators.idempotent_id('dcff9378-c221-4b4c-8a92-c870f0145f7e')
    def test_snat_bound_to_one_dvr_snat_agent(self):
        """The router's SNAT is bound to exactly one dvr_snat L3 agent.

        DVR distributes routing to every host but keeps SNAT central: the
        article found one snat namespace, on one of its two dvr_snat hosts.
        Today `GET /v2.0/routers/{id}/l3-agents` of a non-HA distributed
        router lists only that agent (the scheduler never binds a router
        to a dvr-mode agent; get_l3_agent_candidates skips them).
        """
        self.attach_api_bindings()
        found = self.router_l3_agents()
        self.assertEqual(
            1, len(found),
            'router %s: expected exactly one L3 agent hosting its SNAT, '
            'found %d: %s' % (self.router['id'], len(found),
                              ', '.join(a['host'] for a in found)))
        agent = found[0]
        self.assertEqual(
            'dvr_snat', agents.agent_mode(agent),
            'router %s: expected its SNAT on a dvr_snat agent, found the '
            '%s agent of host %s' % (self.router['id'],
                                     agents.agent_mode(agent),
                                     agent['host']))
        self.assertTrue(agent['alive'],
                        'L3 agent of the SNAT host %s is dead' %
                        agent['host'])

    @decorators.idempotent_id('7b7b1d66-9be4-4a07-9ca6-1d6ddc252eb6')
    def test_snat_ports_bound_to_snat_host(self):
        """One centralized SNAT port per subnet, bound to the SNAT host.

        The article's snat namespace held sg-1, sg-2 (one per subnet) and
        qg-ext. In the API they are the network:router_centralized_snat
        ports, one per subnet, and the network:router_gateway port; the
        server binds them all to the host of the SNAT agent
        (l3_rpc._ensure_host_set_on_ports). The qr- interfaces are one
        network:router_interface_distributed port per subnet, not bound to
        a single host.
        """
        self.attach_api_bindings()
        snat_host = self.current_snat_host()
        self.assertIsNotNone(snat_host, 'router %s: no single SNAT agent' %
                             self.router['id'])
        snat_ports = self.router_ports(router_api.CENTRALIZED_SNAT)
        gateway_ports = self.router_ports(router_api.ROUTER_GATEWAY)
        interfaces = self.router_ports(router_api.DVR_INTERFACE)
        self.assertEqual(len(topology.SUBNETS), len(snat_ports),
                         'expected one %s port per subnet, found %d' %
                         (router_api.CENTRALIZED_SNAT, len(snat_ports)))
        self.assertEqual(len(topology.SUBNETS), len(interfaces),
                         'expected one %s port per subnet, found %d' %
                         (router_api.DVR_INTERFACE, len(interfaces)))
        for name in topology.SUBNETS:
            port = self.port_on_subnet(snat_ports, self.subnets[name])
            self.assertIsNotNone(port, 'no %s port on %s' %
                                 (router_api.CENTRALIZED_SNAT, name))
            self.assertEqual(
                snat_host, port['binding:host_id'],
                '%s port %s of %s: expected bound to the SNAT host %s, '
                'found %r' % (router_api.CENTRALIZED_SNAT, port['id'], name,
                              snat_host, port['binding:host_id']))
        self.assertEqual(1, len(gateway_ports),
                         'expected one %s port, found %d' %
                         (router_api.ROUTER_GATEWAY, len(gateway_ports)))
        self.assertEqual(
            snat_host, gateway_ports[0]['binding:host_id'],
            '%s port %s: expected bound to the SNAT host %s, found %r' % (
                router_api.ROUTER_GATEWAY, gateway_ports[0]['id'], snat_host,
                gateway_ports[0]['binding:host_id']))

    @decorators.idempotent_id('70da1114-d8b8-4bf4-845d-be989ba3a1eb')
    @known_defects.neutron_defect(router_api.DuplicatePorts,
                                  known_defects.DUPLICATE_FIP_GATEWAY)
    def test_fip_agent_gateway_port_on_vm_host(self):
        """VM1's host has exactly one floating IP agent gateway port.

        The article's fip namespace on CPNW1 held fg-ext, the host's own
        address on the external network, created when VM1 got its floating
        IP. In the API it is the host's network:floatingip_agent_gateway
        port, owned by (device_id) the host's L3 agent. Today the L3 agent
        also asks for it on every dvr/dvr_snat host that serves a router
        with a gateway, floating IP or not, so other hosts may have one
        too: they are listed in the details, not asserted. One port per
        L3 agent and external network is Neutron's own rule (its
        dvr_fip_gateway_port_network binding); a second one for the host
        fails the test.
        """
        self.attach_api_bindings()
        vm = self.vms['vm1']
        fip = self.admin_floating_ips_client.show_floatingip(
            vm.floating_ip['id'])['floatingip']
        self.assertEqual('ACTIVE', fip['status'],
                         'floating IP %s of %s: expected ACTIVE, found %s' %
                         (fip['floating_ip_address'], vm, fip['status']))
        gateway = self.fip_agent_gateway_port(vm.host, owner=vm)
        agent = agents.find_agent(self.admin_agents_client, vm.host,
                                  agents.L3_AGENT)
        self.assertEqual(
            agent['id'], gateway['device_id'],
            '%s port of %s: expected owned by its L3 agent %s, found '
            'device_id %s' % (router_api.FIP_AGENT_GATEWAY, vm.host,
                              agent['id'], gateway['device_id']))
