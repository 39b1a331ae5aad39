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

"""A distributed router torn down, step by step: what leaves the hosts.

Operators rely on namespaces and devices going away when they should;
Neutron's bug history has qrouter- left behind and rfp-/fpr- pairs not
removed. The rules asserted are in common/lifecycle.py.
"""

from tempest.common import waiters
from tempest import config
from tempest.lib import decorators

from dvr_tempest_plugin.common import known_defects
from dvr_tempest_plugin.common import lifecycle
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import router_api
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.tests.scenario import base

CONF = config.CONF


class RouterLifecycleTest(base.DvrScenarioTest):
    """The article's topology, taken apart: VM2, the gateway, the router."""

    requires_host_access = True

    @decorators.idempotent_id('fee428bd-ed57-47c2-b487-fccaacf1955f')
    @known_defects.neutron_defect(known_defects.KnownDefectSeen,
                                  known_defects.FIP_NAMESPACE_DELETE_RACE)
    def test_teardown_removes_router_from_hosts(self):
        """Each step of a teardown removes what it should from the hosts.

        1. VM2, the router's last VM on host B, is deleted: qrouter- leaves
           B unless a DHCP port of the router's subnets or the router's
           SNAT keeps it there (the detail qrouter-keepers says which).
        2. VM1's floating IP is deleted and the gateway cleared: snat-
           leaves the SNAT host, rfp-/fpr- leave every host, the sg- and
           qg- ports leave the API; the floating IP agent gateway ports
           go only if no router gateway is left on the external network.
        3. The interfaces are removed and the router deleted: no qrouter-
           or snat- of it is left on any host.

        A fip- namespace left behind with its fg- once the last gateway
        went (a known Neutron race, FIP_NAMESPACE_DELETE_RACE) makes the
        test skip naming it, after the later steps passed; any other
        failure fails.
        """
        scope = self.hosts_the_router_can_reach()
        self.require_host_access(scope)
        router_hosts = self.last_vm_leaves_host_b()
        left_behind = self.gateway_cleared(router_hosts, scope)
        self.router_deleted(scope)
        if left_behind:
            raise known_defects.KnownDefectSeen(left_behind)

    # -- the steps -----------------------------------------------------------

    def last_vm_leaves_host_b(self):
        """Delete VM2; the hosts that keep qrouter- afterwards."""
        vm = self.vms['vm2']
        namespace = naming.qrouter_namespace(self.router['id'])
        snat_host = self.current_snat_host()
        self.delete_vm(vm)
        kept = {}
        for host in sorted(set(self.vm_hosts.values()) | {snat_host}):
            keepers = self.qrouter_keepers(host)
            if host == snat_host:
                kept[host] = 'hosts the router\'s SNAT'
            elif keepers:
                kept[host] = lifecycle.describe_ports(keepers)
        self.attach_text('qrouter-keepers', '\n'.join(
            '%s: %s' % (host, why) for host, why in sorted(kept.items()))
            or 'none')
        for host in sorted(kept):
            self.assert_namespace(host, namespace, self.qrouter_devices())
        if vm.host not in kept:
            self.assert_no_namespace(vm.host, namespace)
        return sorted(kept)

    def gateway_cleared(self, router_hosts, scope):
        vm1 = self.vms['vm1']
        router_id = self.router['id']
        ext_net_id = CONF.network.public_network_id
        snat_host = self.current_snat_host()
        self.admin_floating_ips_client.delete_floatingip(
            vm1.floating_ip['id'])
        self.admin_routers_client.update_router(
            router_id, external_gateway_info={})
        self.assert_no_router_ports(router_api.CENTRALIZED_SNAT,
                                    router_api.ROUTER_GATEWAY)
        for host in sorted(set(scope) | {snat_host}):
            self.assert_no_namespace(host, naming.snat_namespace(router_id))
        interfaces = self.qrouter_devices()
        del interfaces[naming.rfp_device(router_id)]
        for host in router_hosts:
            self.assert_namespace(host, naming.qrouter_namespace(router_id),
                                  interfaces)
            self.assert_no_device(host, naming.qrouter_namespace(router_id),
                                  naming.rfp_device(router_id))
            self.assert_no_device(host, naming.fip_namespace(ext_net_id),
                                  naming.fpr_device(router_id))
        return self.check_fip_agent_gateway_ports(router_hosts)

    def router_deleted(self, scope):
        router_id = self.router['id']
        client = self.admin_routers_client
        for subnet in self.subnets.values():
            client.remove_router_interface(router_id, subnet_id=subnet['id'])
        client.delete_router(router_id)
        for host in scope:
            self.assert_no_namespace(host, naming.qrouter_namespace(
                router_id))
            self.assert_no_namespace(host, naming.snat_namespace(router_id))

    # -- helpers -------------------------------------------------------------

    def hosts_the_router_can_reach(self):
        """Where a namespace of the router can be: read them all.

        The VMs' hosts, the hosts of DHCP ports on its subnets, and every
        dvr_snat host (SNAT can be scheduled to any of them).
        """
        dhcp_hosts = {port['binding:host_id']
                      for port in self.router_network_ports()
                      if port['device_owner'] == lifecycle.DHCP and
                      port.get('binding:host_id')}
        return sorted(set(self.vm_hosts.values()) | dhcp_hosts |
                      set(self.inventory.dvr_snat_hosts()))

    def router_network_ports(self):
        ports = []
        for network in self.networks.values():
            ports += self.admin_ports_client.list_ports(
                network_id=network['id'])['ports']
        return ports

    def delete_vm(self, vm):
        """Delete vm and wait until Nova and Neutron let it go."""
        client = self.admin_servers_client
        client.delete_server(vm.server_id)
        waiters.wait_for_server_termination(client, vm.server_id)
        timeout = settings.convergence_timeout()
        done, left = polling.wait_for(
            lambda: self.admin_ports_client.list_ports(
                device_id=vm.server_id)['ports'],
            lambda ports: not ports, timeout)
        if not done:
            self.fail('%s deleted: expected its port gone from the API '
                      'within %d s, found %s' % (
                          vm, timeout, lifecycle.describe_ports(left)))

    def qrouter_keepers(self, host):
        return lifecycle.qrouter_keepers(
            self.router_network_ports(),
            [subnet['id'] for subnet in self.subnets.values()], host)

    def assert_no_router_ports(self, *device_owners):
        timeout = settings.convergence_timeout()
        done, left = polling.wait_for(
            lambda: [port for owner in device_owners
                     for port in self.router_ports(owner)],
            lambda ports: not ports, timeout)
        if not done:
            self.attach_api_bindings()
            self.fail('router %s without gateway: expected no %s port '
                      'within %d s, found %s' % (
                          self.router['id'], ' or '.join(device_owners),
                          timeout, lifecycle.describe_ports(left)))

    def check_fip_agent_gateway_ports(self, router_hosts):
        """fg- ports stay while any router gateway is on the network.

        Neutron deletes them for every host at once with the last router
        gateway port of the external network; while one is left (another
        router of the cloud), each host's port must still be there. Once
        they are gone, so must be each host's fip- namespace: one left
        with its fg- and without fpr- is returned as the known race (see
        known_defects), anything else fails.
        """
        ext_net_id = CONF.network.public_network_id
        gateways = self.admin_ports_client.list_ports(
            network_id=ext_net_id,
            device_owner=router_api.ROUTER_GATEWAY)['ports']
        self.attach_text('router-gateways-left-on-external-network',
                         lifecycle.describe_ports(gateways))
        if gateways:
            by_host = self.fip_agent_gateway_ports()
            missing = [host for host in router_hosts if host not in by_host]
            if missing:
                self.attach_api_bindings()
                self.fail('router gateways are left on %s (%s): expected '
                          'the %s port of %s to stay, found none' % (
                              ext_net_id, lifecycle.describe_ports(gateways),
                              router_api.FIP_AGENT_GATEWAY,
                              ', '.join(missing)))
            return
        timeout = settings.convergence_timeout()
        done, left = polling.wait_for(self.fip_agent_gateway_ports,
                                      lambda by_host: not by_host, timeout)
        if not done:
            self.fail('no router gateway left on %s: expected no %s port '
                      'within %d s, found ports of %s' % (
                          ext_net_id, router_api.FIP_AGENT_GATEWAY,
                          timeout, ', '.join(sorted(left))))
        namespace = naming.fip_namespace(ext_net_id)
        left_behind = []
        for host in router_hosts:
            try:
                self.assert_no_namespace(host, namespace)
            except self.failureException as exc:
                devices = self.host(host).devices(namespace)
                if lifecycle.left_by_fip_delete_race(devices):
                    left_behind.append('%s (devices: %s)' % (
                        exc, ', '.join(sorted(devices))))
                else:
                    raise
        return '; '.join(left_behind)
