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

"""The article's tenant topology: networks, subnets, a distributed router.

Two tenant networks with one subnet each (subnet1, subnet2) and one
distributed router with an external gateway and an interface on both.

Ownership follows what the APIs allow: the networks and subnets belong
to the primary project; the router is created by admin, because only
admin may ask for distributed=True, for the primary project. The keypair
and the security group belong to the admin project, which boots the VMs
(see vms.py).
"""

import ipaddress

from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import router_api

SUBNETS = ('subnet1', 'subnet2')


def subnet_cidrs(project_network_cidr, mask_bits, count=len(SUBNETS)):
    network = ipaddress.ip_network(project_network_cidr)
    subnets = network.subnets(new_prefix=mask_bits)
    return [str(next(subnets)) for _ in range(count)]


class TopologyBuilder(object):
    """Creates the resources; each registers its own cleanup.

    clients holds the tempest service clients under the names the test
    base gives them (networks_client, subnets_client,
    admin_routers_client, admin_keypairs_client,
    admin_security_groups_client, admin_security_group_rules_client);
    add_cleanup is the test class's addClassResourceCleanup; names are
    name_prefix-<owner>-<role>-<random>.
    """

    def __init__(self, clients, add_cleanup, name_prefix, owner):
        self.clients = clients
        self.add_cleanup = add_cleanup
        self.name_prefix = name_prefix
        self.owner = owner

    def name(self, role):
        return data_utils.rand_name(prefix=self.name_prefix,
                                    name='%s-%s' % (self.owner, role))

    def _delete_later(self, delete, *args, **kwargs):
        self.add_cleanup(test_utils.call_and_ignore_notfound_exc, delete,
                         *args, **kwargs)

    def create_keypair(self):
        client = self.clients.admin_keypairs_client
        name = self.name('keypair')
        keypair = client.create_keypair(name=name)['keypair']
        self._delete_later(client.delete_keypair, name)
        return keypair

    def create_security_group(self):
        groups_client = self.clients.admin_security_groups_client
        group = groups_client.create_security_group(
            name=self.name('secgroup'),
            description='ICMP and SSH in, for DVR tests')['security_group']
        self._delete_later(groups_client.delete_security_group, group['id'])
        rules = ({'protocol': 'icmp'},
                 {'protocol': 'tcp', 'port_range_min': 22,
                  'port_range_max': 22})
        rules_client = self.clients.admin_security_group_rules_client
        for rule in rules:
            rules_client.create_security_group_rule(
                security_group_id=group['id'], direction='ingress',
                ethertype='IPv4', **rule)
        return group

    def create_network(self, role):
        client = self.clients.networks_client
        network = client.create_network(name=self.name(role))['network']
        self._delete_later(client.delete_network, network['id'])
        return network

    def create_subnet(self, network, cidr):
        client = self.clients.subnets_client
        subnet = client.create_subnet(
            network_id=network['id'], cidr=cidr, ip_version=4,
            name=network['name'])['subnet']
        self._delete_later(client.delete_subnet, subnet['id'])
        return subnet

    def create_router(self, project_id, public_network_id, ha_extension,
                      ha=False, distributed=True, role='router'):
        """The distributed router with its external gateway.

        distributed=False: a legacy (centralized) router instead.
        public_network_id None: no external gateway.

        ha: ask for a DVR+HA router (needs the l3-ha extension; the caller
        checks it). Without it, and when the cloud offers l3-ha, ha=False
        is asked for explicitly: with l3_ha = True in neutron.conf a
        router would otherwise be HA by default.
        """
        if ha and not ha_extension:
            raise ValueError('an HA router needs the l3-ha extension')
        kwargs = {
            'name': self.name(role),
            'distributed': bool(distributed),
            'project_id': project_id,
        }
        if public_network_id:
            kwargs['external_gateway_info'] = {'network_id':
                                               public_network_id}
        if ha_extension:
            # A DVR+HA router has a snat- namespace on several hosts;
            # only the tests that ask for it get one.
            kwargs['ha'] = bool(ha)
        client = self.clients.admin_routers_client
        router = client.create_router(**kwargs)['router']
        self._delete_later(client.delete_router, router['id'])
        return router

    def create_routed_subnets(self, router, cidrs):
        """A network and subnet per name of SUBNETS, on router.

        Returns (networks, subnets), each name -> resource.
        """
        networks, subnets = {}, {}
        for name, cidr in zip(SUBNETS, cidrs):
            networks[name] = self.create_network(name)
            subnets[name] = self.create_subnet(networks[name], cidr)
            self.add_router_interface(router, subnets[name])
        return networks, subnets

    def create_port(self, network, role, **attributes):
        """A port on network, of the network's project.

        For a router interface, or bound to a host through attributes.
        """
        client = self.clients.admin_ports_client
        port = client.create_port(network_id=network['id'],
                                  name=self.name(role),
                                  project_id=network['project_id'],
                                  **attributes)['port']
        self._delete_later(client.delete_port, port['id'])
        return port

    def add_router_interface(self, router, subnet=None, port=None):
        """Attach router to subnet (its gateway IP) or to port."""
        client = self.clients.admin_routers_client
        where = ({'port_id': port['id']} if port else
                 {'subnet_id': subnet['id']})
        client.add_router_interface(router['id'], **where)
        self._delete_later(client.remove_router_interface, router['id'],
                           **where)


def wait_snat_host(routers_client, router_id, timeout):
    """The host of the one L3 agent the router's SNAT is bound to."""
    done, found = polling.wait_for(
        lambda: router_api.l3_agents(routers_client, router_id),
        lambda found: len(found) == 1, timeout)
    if not done:
        raise lib_exc.TimeoutException(
            'router %s: expected its SNAT bound to exactly one L3 agent '
            'within %d s, found %d: %s' % (
                router_id, timeout, len(found), router_api.as_json(found)))
    return found[0]['host']
