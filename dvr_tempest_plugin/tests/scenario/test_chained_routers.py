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

"""Routers joined to routers, through extra routes.

Two distributed routers joined by a transit network, each with an extra
route to the other's subnet through the other's transit port; and a
legacy (centralized) router on a subnet of a distributed router, reached
through an extra route. Where DVR programs the routes is in
common/extra_routes.py.

The topology: router A (the class's router) with subnet1 (VM1, host A,
floating IP) and subnet2 (VM2, host B); router B, distributed, with its
own gateway and subnet3 (VM3, host B, floating IP); a transit network on
which A has the gateway IP and B a port; a legacy router L with no
gateway, on a port of subnet1 and on the gateway IP of a fourth subnet.
"""

from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import discovery
from dvr_tempest_plugin.common import extra_routes
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.common import vms
from dvr_tempest_plugin.tests.scenario import base

CONF = config.CONF

ADDED_SUBNETS = ('subnet3', 'transit', 'legacy-side')
LEGACY_CAPABLE_MODES = ('legacy', 'dvr_snat')


def first_ip(port):
    return port['fixed_ips'][0]['ip_address']


class ChainedRoutersTest(base.DvrScenarioTest):
    """Extra routes between routers: two DVR routers, and DVR beside legacy.

    Each test sets the routers' routes and clears them in its cleanup;
    the two tests share the topology and run one after the other.
    """

    requires_host_access = True
    vm_specs = (vms.VmSpec('vm1', discovery.HOST_A, 'subnet1', True),
                vms.VmSpec('vm2', discovery.HOST_B, 'subnet2', False),
                vms.VmSpec('vm3', discovery.HOST_B, 'subnet3', True))

    @classmethod
    def extend_topology(cls, builder):
        cidrs = dict(zip(ADDED_SUBNETS, topology.subnet_cidrs(
            CONF.network.project_network_cidr,
            CONF.network.project_network_mask_bits,
            len(topology.SUBNETS) + len(ADDED_SUBNETS))[
                len(topology.SUBNETS):]))
        project_id = cls.os_primary.credentials.project_id
        ha_extension = 'l3-ha' in cls.api_extensions
        cls.router_b = builder.create_router(
            project_id, CONF.network.public_network_id, ha_extension,
            role='router-b')
        cls.networks['subnet3'] = builder.create_network('subnet3')
        cls.subnets['subnet3'] = builder.create_subnet(
            cls.networks['subnet3'], cidrs['subnet3'])
        builder.add_router_interface(cls.router_b, cls.subnets['subnet3'])
        transit = builder.create_network('transit')
        cls.transit_subnet = builder.create_subnet(transit, cidrs['transit'])
        builder.add_router_interface(cls.router, cls.transit_subnet)
        cls.transit_port_b = builder.create_port(transit, 'transit-b')
        builder.add_router_interface(cls.router_b, port=cls.transit_port_b)
        cls.legacy_router = builder.create_router(
            project_id, None, ha_extension, distributed=False,
            role='legacy-router')
        legacy_side = builder.create_network('legacy-side')
        cls.legacy_subnet = builder.create_subnet(legacy_side,
                                                  cidrs['legacy-side'])
        builder.add_router_interface(cls.legacy_router, cls.legacy_subnet)
        cls.legacy_port = builder.create_port(cls.networks['subnet1'],
                                              'legacy-on-subnet1')
        builder.add_router_interface(cls.legacy_router, port=cls.legacy_port)

    # -- routes --------------------------------------------------------------

    def set_routes(self, router, routes):
        client = self.admin_routers_client
        client.update_router(router['id'], routes=list(routes))
        self.addCleanup(client.update_router, router['id'], routes=[])

    def bound_host(self, router):
        """The host of the router's one L3 agent binding (SNAT, legacy)."""
        return topology.wait_snat_host(self.admin_routers_client,
                                       router['id'],
                                       settings.convergence_timeout())

    def dvr_places(self, router, routes):
        """qrouter- on each VM host and the SNAT host; snat- on the latter.

        Both DVR routers are on every VM host: each has VMs there or is
        connected through the transit network to one that has.
        """
        snat_host = self.bound_host(router)
        hosts = {vm.host for vm in self.vms.values()} | {snat_host}
        places = [extra_routes.Place(host, naming.qrouter_namespace(
            router['id']), tuple(routes)) for host in sorted(hosts)]
        places.append(extra_routes.Place(
            snat_host, naming.snat_namespace(router['id']), tuple(routes)))
        return places

    def wait_routes(self, places):
        """Problems left when places do not all carry their routes in time."""
        def read():
            return {place: hoststate.route_lines(self.host(place.host),
                                                 place.namespace)
                    for place in places}

        def problems(found):
            return [problem for place in places
                    for problem in place.problems(found[place])]

        _, found = polling.wait_for(read, lambda found: not problems(found),
                                    settings.convergence_timeout())
        self.attach_text('extra-routes-on-hosts', '\n\n'.join(
            'host %s, %s, ip -4 route:\n%s' % (
                place.host, place.namespace,
                '\n'.join(found[place]) if found[place] is not None
                else '(no namespace)') for place in places))
        return problems(found)

    def legacy_router_off(self, avoid):
        """L's host, after moving L off host avoid when another can hold it.

        A legacy router goes to an L3 agent in legacy or dvr_snat mode;
        where the scheduler put it decides whether VM1's traffic to it
        crosses hosts, so the test makes it cross whenever it can.
        """
        host = self.bound_host(self.legacy_router)
        found = agents.l3_agents(self.admin_agents_client)
        others = [agent for agent in found
                  if agent['alive'] and agent['admin_state_up'] and
                  agent['host'] != avoid and
                  agents.agent_mode(agent) in LEGACY_CAPABLE_MODES]
        if host != avoid or not others:
            return host
        current = next(agent for agent in found if agent['host'] == host)
        client = self.admin_agents_client
        client.delete_router_from_l3_agent(current['id'],
                                           self.legacy_router['id'])
        client.create_router_on_l3_agent(others[0]['id'],
                                         router_id=self.legacy_router['id'])
        return self.bound_host(self.legacy_router)

    # -- traffic -------------------------------------------------------------

    def ping_problems(self, vm, destination, what, via=None):
        result = self.ping_until_answered(
            lambda: self.ping_from_vm(vm, destination, via=via))
        self.attach_text('ping-%s' % what.replace(' ', '-'),
                         result.summary() + '\n\n' + result.output)
        if result.received:
            return []
        return ['%s: expected replies within %d s, found none (%s)' % (
            what, CONF.validation.ping_timeout, result.summary())]

    def fail_with_hosts(self, problems, routers):
        if not problems:
            return
        namespaces = [naming.qrouter_namespace(router['id'])
                      for router in routers] + [
            naming.snat_namespace(router['id']) for router in routers]
        self.attach_hosts('hosts-after-failure',
                          {vm.host for vm in self.vms.values()},
                          namespaces)
        self.fail('\n'.join(problems))

    @decorators.idempotent_id('56d00d9d-2e7a-47f0-a2b9-4cebebb83356')
    def test_extra_routes_join_two_distributed_routers(self):
        """VM1 (router A, host A) and VM3 (router B, host B) ping each other.

        Routes: A has subnet3 via B's transit port, B has subnet1 via A's
        transit port. Asserted: each route is in its router's qrouter-
        on every VM host and on its SNAT host, and in its snat- there;
        VM1 pings VM3's fixed IP (request routed by A, reply by B) and
        VM3 pings VM1's (the other way round).
        """
        vm1, vm3 = self.vms['vm1'], self.vms['vm3']
        a_routes = [extra_routes.route(self.subnets['subnet3']['cidr'],
                                       first_ip(self.transit_port_b))]
        b_routes = [extra_routes.route(self.subnets['subnet1']['cidr'],
                                       self.transit_subnet['gateway_ip'])]
        self.set_routes(self.router, a_routes)
        self.set_routes(self.router_b, b_routes)
        problems = self.wait_routes(self.dvr_places(self.router, a_routes) +
                                    self.dvr_places(self.router_b, b_routes))
        problems += self.ping_problems(
            vm1, vm3.fixed_ip,
            '%s to %s through routers A then B' % (vm1, vm3))
        problems += self.ping_problems(
            vm3, vm1.fixed_ip,
            '%s to %s through routers B then A' % (vm3, vm1))
        self.fail_with_hosts(problems, (self.router, self.router_b))

    @decorators.idempotent_id('15c6e569-7a7c-4b39-bb13-057583bd8aa5')
    def test_subnet_shared_with_a_legacy_router(self):
        """subnet1 on distributed A and legacy L: both keep routing.

        L is on another host than VM1 whenever an L3 agent can hold it
        there (legacy_router_off). Routes: A has the legacy side's subnet
        via L's port on subnet1; L has subnet2 via subnet1's gateway (A).
        Asserted: A's route on every VM host's qrouter- and in snat-, L's
        in its one qrouter-; VM1 (subnet1) and VM2 (subnet2) ping L's
        address on the legacy side; VM1 still reaches VM2 through A, and
        the tester VM1's floating IP.

        Fails on Neutron when VM1's traffic crosses hosts: A's qrouter-
        on VM1's host sends it to L with its host's DVR MAC as source,
        and L's host's br-int drops it (DVR_TO_SRC_MAC has flows only for
        DVR-serviced ports, not a legacy router's interface;
        doc/source/neutron-defects.rst).
        """
        vm1, vm2 = self.vms['vm1'], self.vms['vm2']
        legacy_side = self.legacy_subnet['gateway_ip']
        a_routes = [extra_routes.route(self.legacy_subnet['cidr'],
                                       first_ip(self.legacy_port))]
        l_routes = [extra_routes.route(self.subnets['subnet2']['cidr'],
                                       self.subnets['subnet1']['gateway_ip'])]
        legacy_host = self.legacy_router_off(vm1.host)
        self.set_routes(self.router, a_routes)
        self.set_routes(self.legacy_router, l_routes)
        self.attach_text('legacy-router-host', legacy_host)
        problems = self.wait_routes(
            self.dvr_places(self.router, a_routes) +
            [extra_routes.Place(legacy_host, naming.qrouter_namespace(
                self.legacy_router['id']), tuple(l_routes))])
        problems += self.ping_problems(
            vm1, legacy_side, '%s to legacy router %s on %s through A' % (
                vm1, legacy_side, legacy_host))
        problems += self.ping_problems(
            vm2, legacy_side, '%s to legacy router %s on %s through A' % (
                vm2, legacy_side, legacy_host), via=vm1)
        problems += self.ping_problems(
            vm1, vm2.fixed_ip, '%s to %s east-west through A' % (vm1, vm2))
        fip = self.ping_from_tester(vm1.floating_ip_address)
        if not fip.received:
            problems.append('tester to %s floating IP %s: expected replies, '
                            'found none (%s)' % (vm1, vm1.floating_ip_address,
                                                 fip.summary()))
        self.fail_with_hosts(problems, (self.router, self.legacy_router))
