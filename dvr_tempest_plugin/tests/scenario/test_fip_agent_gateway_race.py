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

"""Router gateways set at once: one floating IP agent gateway port per host.

Neutron means one network:floatingip_agent_gateway port per (L3 agent,
external network). When several routers get their gateway on an
external network at the same moment, each host's L3 agent processes them
in parallel and asks the server for that port once per router
(get_agent_gateway_port); the workers that answer race in
create_fip_agent_gw_port_if_not_exists (neutron/db/l3_dvr_db.py). This
suite met that race (doc/source/neutron-defects.rst,
duplicate-fip-agent-gateway-ports): the test fails with it, and the
known-defect decorator turns exactly that failure into a skip naming it.

The test uses an external network of its own, so that no fg- port of
another router exists there before: the first ports on it are the ones
raced for.
"""

from concurrent import futures

from tempest import config
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators

from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import known_defects
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.common import topology
from dvr_tempest_plugin.tests.scenario import base

CONF = config.CONF

ROUTERS = 4
# Documentation range (RFC 5737): the network stays inside the cloud.
EXTERNAL_CIDR = '198.51.100.0/24'
COMPUTE_OWNER = 'compute:nova'


class FipAgentGatewayRaceTest(base.DvrScenarioTest):
    """ROUTERS distributed routers, each served on both VM hosts.

    Boots no VM: each router's subnet gets a port bound to each host as
    Nova binds a VM's (device_owner compute:nova, binding:host_id), which
    is what brings a DVR router to a host.
    """

    requires_host_access = True
    vm_specs = ()

    @classmethod
    def setup_clients(cls):
        super().setup_clients()
        cls.admin_networks_client = cls.os_admin.network.NetworksClient()
        cls.admin_subnets_client = cls.os_admin.network.SubnetsClient()

    def create_external_network(self, builder):
        """An external network of the test's own, with a subnet."""
        networks = self.admin_networks_client
        network = networks.create_network(
            name=builder.name('external'), **{'router:external': True}
        )['network']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        networks.delete_network, network['id'])
        subnet = self.admin_subnets_client.create_subnet(
            network_id=network['id'], cidr=EXTERNAL_CIDR, ip_version=4,
            name=network['name'])['subnet']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin_subnets_client.delete_subnet, subnet['id'])
        # Runs before the subnet's deletion: ports Neutron left behind.
        self.addCleanup(self.delete_fip_agent_gateway_ports, network['id'])
        return network

    def delete_fip_agent_gateway_ports(self, network_id):
        for port in self.admin_ports_client.list_ports(
                network_id=network_id,
                device_owner=router_api.FIP_AGENT_GATEWAY)['ports']:
            test_utils.call_and_ignore_notfound_exc(
                self.admin_ports_client.delete_port, port['id'])

    def router_served_on(self, builder, hosts, index):
        """A gatewayless DVR router whose subnet has a port on each host."""
        router = builder.create_router(
            self.os_primary.credentials.project_id, None,
            'l3-ha' in self.api_extensions, role='router%d' % index)
        network = builder.create_network('net%d' % index)
        subnet = builder.create_subnet(network, '10.%d.%d.0/24' % (
            200 + index // 256, index % 256))
        builder.add_router_interface(router, subnet)
        for host in hosts:
            builder.create_port(
                network, 'on-' + host, device_owner=COMPUTE_OWNER,
                **{'binding:host_id': self.inventory.nova_host(host)})
        return router

    def set_gateway(self, router, network):
        client = self.admin_routers_client
        client.update_router(router['id'], external_gateway_info={
            'network_id': network['id']})
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        client.update_router, router['id'],
                        external_gateway_info={})

    def wait_connected_to_fip(self, routers, hosts):
        """Fail unless every router's qrouter- has rfp- on every host.

        The L3 agent links a router to its host's fip- namespace
        (connect_rtr_2_fip) once it holds the host's floating IP agent
        gateway port: when every router has rfp-, every request for that
        port was answered.
        """
        wanted = [(host, router['id']) for host in hosts for router in routers]

        def missing():
            return [(host, router_id) for host, router_id in wanted
                    if naming.rfp_device(router_id) not in (
                        hoststate.namespace_view(
                            self.host(host),
                            naming.qrouter_namespace(router_id)).devices
                        or {})]
        timeout = settings.convergence_timeout()
        done, left = polling.wait_for(missing, lambda left: not left,
                                      timeout)
        if not done:
            self.fail('expected every router linked to its host\'s fip- '
                      'namespace (rfp- in qrouter-) within %d s; not yet: %s'
                      % (timeout, '; '.join(
                          'router %s on host %s' % (router_id, host)
                          for host, router_id in left)))

    @decorators.idempotent_id('9c0b62c5-0d33-42d6-bfad-fa95a163eb04')
    @known_defects.neutron_defect(router_api.DuplicatePorts,
                                  known_defects.DUPLICATE_FIP_GATEWAY)
    def test_parallel_gateways_give_one_port_per_host(self):
        """Set ROUTERS gateways at once: one fg port per host and network.

        ROUTERS distributed routers, each on both VM hosts (a bound port
        of its subnet there), get their gateway on a fresh external
        network from as many threads at once. Once every router is linked
        to its host's fip- namespace, the API must show exactly one
        network:floatingip_agent_gateway port on that network for each
        VM host, and no more than one for any other host.
        """
        hosts = sorted(set(self.vm_hosts.values()))
        self.require_host_access(hosts)
        builder = topology.TopologyBuilder(
            self, self.addCleanup, CONF.resource_name_prefix,
            type(self).__name__)
        external = self.create_external_network(builder)
        routers = [self.router_served_on(builder, hosts, index)
                   for index in range(ROUTERS)]
        with futures.ThreadPoolExecutor(len(routers)) as pool:
            list(pool.map(lambda router: self.set_gateway(router, external),
                          routers))
        self.wait_connected_to_fip(routers, hosts)
        by_host = router_api.fip_agent_gateway_ports(self.admin_ports_client,
                                                     external['id'])
        self.attach_json('fip-agent-gateway-ports', by_host)
        for host in sorted(set(hosts) | set(by_host)):
            router_api.one_fip_agent_gateway_port(by_host, host,
                                                  external['id'])
