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

"""The article's topology, built once per test class, and what tests share.

Every test class gets its own: two tenant networks with one subnet each
(subnet1, subnet2), one distributed router with an external gateway and
an interface on both subnets, and VMs placed on two chosen hosts, host A
and host B (VM1 on A in subnet1, VM2 on B in subnet2, as in the article).

Ownership follows what the APIs allow. The tenant topology (networks,
subnets, router) belongs to the primary project; the router is created by
admin because only admin may ask for distributed=True. Putting a VM on a
chosen host is admin-only in Nova, and Nova boots a VM only with a keypair
of the booting user and with ports of the VM's project, so the keypair,
the security group, the VMs and their floating IPs belong to the admin
project.

Hosts come from the API: compute hosts with an alive L3 agent in dvr or
dvr_snat mode. Host A is the router's SNAT host when that host also runs
VMs (the article's layout, where every host is dvr_snat); otherwise A
and B are simply the first two candidates (network node dvr_snat,
computes dvr).
"""

import collections
import dataclasses
import ipaddress
import json
import logging

import testtools

from tempest.common import utils
from tempest.common import waiters
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils.linux import remote_client
from tempest.lib.common.utils import test_utils
from tempest.lib import exceptions as lib_exc
from tempest import test

from dvr_tempest_plugin.common import addresses
from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import hoststate
from dvr_tempest_plugin.common import inventory
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import probes

CONF = config.CONF
LOG = logging.getLogger(__name__)

DVR_INTERFACE = 'network:router_interface_distributed'
CENTRALIZED_SNAT = 'network:router_centralized_snat'
ROUTER_GATEWAY = 'network:router_gateway'
FIP_AGENT_GATEWAY = 'network:floatingip_agent_gateway'
SUBNETS = ('subnet1', 'subnet2')
REQUIRED_EXTENSIONS = ('router', 'dvr', 'agent', 'l3_agent_scheduler',
                       'binding')
HOST_A = 'A'
HOST_B = 'B'

VmSpec = collections.namedtuple('VmSpec', 'name host subnet floating_ip')
Device = hoststate.Device


@dataclasses.dataclass
class Vm:
    """One VM of the topology, with what tests need to reach it."""

    name: str
    host: str
    subnet: str
    server_id: str
    port_id: str = None
    fixed_ip: str = None
    mac_address: str = None
    floating_ip: dict = None

    @property
    def floating_ip_address(self):
        return self.floating_ip['floating_ip_address']

    def __str__(self):
        return '%s (%s on %s)' % (self.name, self.fixed_ip, self.host)


class ProxiedRemoteClient(remote_client.RemoteClient):
    """A RemoteClient that reaches its VM through another VM (ssh + nc).

    For VMs without a floating IP: the jump VM must be able to reach the
    target's fixed address and have `nc`.
    """

    def __init__(self, ip_address, username, jump, **kwargs):
        super().__init__(ip_address, username, **kwargs)
        self.ssh_client.proxy_client = jump.ssh_client


wait_for = polling.wait_for
wait_stable = polling.wait_stable


def as_json(value):
    return json.dumps(value, indent=2, sort_keys=True, default=str)


class DvrScenarioTest(test.BaseTestCase):
    """Base class of the DVR scenario tests: one topology per class."""

    credentials = ['primary', 'admin']

    # The VMs of the topology: host 'A' or 'B', subnet, floating IP or not.
    vm_specs = (VmSpec('vm1', HOST_A, 'subnet1', True),
                VmSpec('vm2', HOST_B, 'subnet2', False))
    # True when the tests of the class read or act on hosts over SSH.
    requires_host_access = False

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        for service in ('neutron', 'nova'):
            if not getattr(CONF.service_available, service):
                raise cls.skipException(
                    '[service_available] %s is False' % service)
        for extension in REQUIRED_EXTENSIONS:
            if not utils.is_extension_enabled(extension, 'network'):
                raise cls.skipException(
                    '[network-feature-enabled] api_extensions does not '
                    'list %s' % extension)
        if not CONF.network.public_network_id:
            raise cls.skipException('[network] public_network_id is unset')
        if not CONF.network_feature_enabled.floating_ips:
            raise cls.skipException(
                '[network-feature-enabled] floating_ips is False')
        if not CONF.validation.run_validation:
            raise cls.skipException('[validation] run_validation is False')
        if cls.requires_host_access and not hosts.configured_hosts():
            raise cls.skipException(
                '[dvr] host_ssh_addresses is empty: these tests read the '
                'hosts over SSH')

    @classmethod
    def setup_credentials(cls):
        # The tests build their own networks; no default ones.
        cls.set_network_resources()
        super().setup_credentials()

    @classmethod
    def setup_clients(cls):
        super().setup_clients()
        network = cls.os_primary.network
        cls.networks_client = network.NetworksClient()
        cls.subnets_client = network.SubnetsClient()
        admin_network = cls.os_admin.network
        cls.admin_routers_client = admin_network.RoutersClient()
        cls.admin_ports_client = admin_network.PortsClient()
        cls.admin_floating_ips_client = admin_network.FloatingIPsClient()
        cls.admin_agents_client = admin_network.AgentsClient()
        cls.admin_extensions_client = admin_network.ExtensionsClient()
        cls.admin_security_groups_client = (
            admin_network.SecurityGroupsClient())
        cls.admin_security_group_rules_client = (
            admin_network.SecurityGroupRulesClient())
        admin_compute = cls.os_admin.compute
        cls.admin_servers_client = admin_compute.ServersClient()
        # The key type must be the one RemoteClient expects (ecdsa keys
        # are generated by the client, rsa ones by Nova).
        cls.admin_keypairs_client = admin_compute.KeyPairsClient(
            ssh_key_type=CONF.validation.ssh_key_type)
        cls.admin_services_client = admin_compute.ServicesClient()

    @classmethod
    def resource_setup(cls):
        super().resource_setup()
        extensions = cls._api_extensions()
        if 'dvr' not in extensions:
            raise cls.skipException(
                'the Networking API does not offer the dvr extension')
        cls.inventory = cls._discover_inventory()
        candidates = cls._candidate_hosts(cls.inventory)
        cls.keypair = cls._create_keypair()
        cls.security_group = cls._create_security_group()
        cls.networks = {}
        cls.subnets = {}
        for name, cidr in zip(SUBNETS, cls._subnet_cidrs()):
            cls.networks[name] = cls._create_network(name)
            cls.subnets[name] = cls._create_subnet(cls.networks[name], cidr)
        cls.router = cls._create_router(ha_extension='l3-ha' in extensions)
        for name in SUBNETS:
            cls._add_router_interface(cls.subnets[name])
        cls.initial_snat_host = cls._wait_snat_host()
        cls.vm_hosts = cls._choose_vm_hosts(candidates, cls.initial_snat_host)
        if cls.requires_host_access:
            cls._require_host_access(
                set(cls.vm_hosts.values()) | {cls.initial_snat_host})
        cls.vms = cls._create_vms(cls.vm_specs)

    # -- discovery ---------------------------------------------------------

    @classmethod
    def _api_extensions(cls):
        body = cls.admin_extensions_client.list_extensions()
        return {extension['alias'] for extension in body['extensions']}

    @classmethod
    def _discover_inventory(cls):
        """Compute hosts and agents; skip when missing, fail when broken."""
        found = inventory.discover(cls.admin_services_client,
                                   cls.admin_agents_client)
        for note in found.notes:
            LOG.info('%s', note)
        try:
            found.check()
        except inventory.CapabilityMissing as exc:
            raise cls.skipException(str(exc))
        return found

    @classmethod
    def _candidate_hosts(cls, found):
        """Hosts VMs may go to: with host access, those it can reach."""
        candidates = found.candidates()
        if not cls.requires_host_access:
            return candidates
        configured = hosts.configured_hosts()
        reachable = [host for host in candidates if host in configured]
        if len(reachable) < 2:
            raise hosts.HostAccessError(
                'these tests read the hosts over SSH and need two compute '
                'hosts to do so; the cloud offers %s, but [dvr] '
                'host_ssh_addresses lists only %s' % (
                    ', '.join(candidates),
                    ', '.join(sorted(configured))))
        return reachable

    @staticmethod
    def _choose_vm_hosts(candidates, snat_host):
        if snat_host in candidates:
            first = snat_host
        else:
            first = candidates[0]
        second = next(host for host in candidates if host != first)
        return {HOST_A: first, HOST_B: second}

    @classmethod
    def _require_host_access(cls, host_names):
        reason = hosts.missing_host_access(sorted(host_names))
        if reason:
            raise hosts.HostAccessError(reason)

    @staticmethod
    def _subnet_cidrs():
        network = ipaddress.ip_network(CONF.network.project_network_cidr)
        subnets = network.subnets(
            new_prefix=CONF.network.project_network_mask_bits)
        return [str(next(subnets)) for _ in SUBNETS]

    @classmethod
    def _name(cls, role):
        return data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                    name='%s-%s' % (cls.__name__, role))

    # -- topology builders: each registers its own cleanup ----------------

    @classmethod
    def _create_keypair(cls):
        name = cls._name('keypair')
        keypair = cls.admin_keypairs_client.create_keypair(
            name=name)['keypair']
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.admin_keypairs_client.delete_keypair, name)
        return keypair

    @classmethod
    def _create_security_group(cls):
        group = cls.admin_security_groups_client.create_security_group(
            name=cls._name('secgroup'),
            description='ICMP and SSH in, for DVR tests')['security_group']
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.admin_security_groups_client.delete_security_group,
            group['id'])
        rules = ({'protocol': 'icmp'},
                 {'protocol': 'tcp', 'port_range_min': 22,
                  'port_range_max': 22})
        for rule in rules:
            cls.admin_security_group_rules_client.create_security_group_rule(
                security_group_id=group['id'], direction='ingress',
                ethertype='IPv4', **rule)
        return group

    @classmethod
    def _create_network(cls, role):
        network = cls.networks_client.create_network(
            name=cls._name(role))['network']
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.networks_client.delete_network, network['id'])
        return network

    @classmethod
    def _create_subnet(cls, network, cidr):
        subnet = cls.subnets_client.create_subnet(
            network_id=network['id'], cidr=cidr, ip_version=4,
            name=network['name'])['subnet']
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.subnets_client.delete_subnet, subnet['id'])
        return subnet

    @classmethod
    def _create_router(cls, ha_extension):
        kwargs = {
            'name': cls._name('router'),
            'distributed': True,
            'project_id': cls.os_primary.credentials.project_id,
            'external_gateway_info': {
                'network_id': CONF.network.public_network_id},
        }
        if ha_extension:
            # A DVR+HA router has a snat- namespace on several hosts;
            # these tests are about the plain distributed router.
            kwargs['ha'] = False
        router = cls.admin_routers_client.create_router(**kwargs)['router']
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.admin_routers_client.delete_router, router['id'])
        return router

    @classmethod
    def _add_router_interface(cls, subnet):
        cls.admin_routers_client.add_router_interface(
            cls.router['id'], subnet_id=subnet['id'])
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.admin_routers_client.remove_router_interface,
            cls.router['id'], subnet_id=subnet['id'])

    @classmethod
    def _wait_snat_host(cls):
        """The host of the one L3 agent the router's SNAT is bound to."""
        done, found = wait_for(cls.router_l3_agents,
                               lambda found: len(found) == 1,
                               CONF.dvr.convergence_timeout)
        if not done:
            raise lib_exc.TimeoutException(
                'router %s: expected its SNAT bound to exactly one L3 agent '
                'within %d s, found %d: %s' % (
                    cls.router['id'], CONF.dvr.convergence_timeout,
                    len(found), as_json(found)))
        return found[0]['host']

    @classmethod
    def _create_vms(cls, specs):
        vms = {spec.name: cls._create_server(spec) for spec in specs}
        for vm in vms.values():
            cls._wait_server_on_host(vm)
            cls._fill_port(vm)
        for spec in specs:
            if spec.floating_ip:
                vms[spec.name].floating_ip = cls.create_floating_ip(
                    vms[spec.name])
        for vm in vms.values():
            if vm.floating_ip:
                cls.ssh_client(vm).validate_authentication()
        return vms

    @classmethod
    def _create_server(cls, spec):
        host = cls.vm_hosts[spec.host]
        server = cls.admin_servers_client.create_server(
            name=cls._name(spec.name),
            imageRef=CONF.compute.image_ref,
            flavorRef=CONF.compute.flavor_ref,
            networks=[{'uuid': cls.networks[spec.subnet]['id']}],
            key_name=cls.keypair['name'],
            security_groups=[{'name': cls.security_group['name']}],
            availability_zone='%s:%s' % (cls.inventory.zone(host),
                                         cls.inventory.nova_host(host)),
        )['server']
        cls.addClassResourceCleanup(
            waiters.wait_for_server_termination,
            cls.admin_servers_client, server['id'])
        cls.addClassResourceCleanup(
            test_utils.call_and_ignore_notfound_exc,
            cls.admin_servers_client.delete_server, server['id'])
        return Vm(spec.name, host, spec.subnet, server['id'])

    @classmethod
    def _wait_server_on_host(cls, vm):
        waiters.wait_for_server_status(cls.admin_servers_client,
                                       vm.server_id, 'ACTIVE')
        server = cls.admin_servers_client.show_server(
            vm.server_id)['server']
        landed = server.get('OS-EXT-SRV-ATTR:host')
        if landed != cls.inventory.nova_host(vm.host):
            raise lib_exc.TempestException(
                '%s: asked Nova for host %s, the VM landed on %s' % (
                    vm.name, vm.host, landed))

    @classmethod
    def _fill_port(cls, vm):
        def port():
            ports = cls.admin_ports_client.list_ports(
                device_id=vm.server_id)['ports']
            return ports[0] if ports else {}
        done, found = wait_for(
            port, lambda p: p.get('status') == 'ACTIVE',
            CONF.dvr.convergence_timeout)
        if not done:
            raise lib_exc.TimeoutException(
                '%s on %s: expected its port ACTIVE, found %s' % (
                    vm.name, vm.host, as_json(found)))
        vm.port_id = found['id']
        vm.fixed_ip = addresses.ipv4_address(
            found['fixed_ips'], '%s on %s: port %s' % (vm.name, vm.host,
                                                       found['id']))
        vm.mac_address = found['mac_address']

    @classmethod
    def create_floating_ip(cls, vm, cleanup=None):
        """A floating IP for vm, ACTIVE; deleted by cleanup (class's)."""
        cleanup = cleanup or cls.addClassResourceCleanup
        client = cls.admin_floating_ips_client
        fip = client.create_floatingip(
            floating_network_id=CONF.network.public_network_id,
            port_id=vm.port_id)['floatingip']
        cleanup(test_utils.call_and_ignore_notfound_exc,
                client.delete_floatingip, fip['id'])
        return cls.wait_floating_ip_status(fip, 'ACTIVE')

    @classmethod
    def wait_floating_ip_status(cls, fip, status):
        client = cls.admin_floating_ips_client
        done, found = wait_for(
            lambda: client.show_floatingip(fip['id'])['floatingip'],
            lambda f: f['status'] == status, CONF.dvr.convergence_timeout)
        if not done:
            raise lib_exc.TimeoutException(
                'floating IP %s: expected status %s within %d s, found %s' %
                (fip['floating_ip_address'], status,
                 CONF.dvr.convergence_timeout, found['status']))
        return found

    # -- what the API says about the router --------------------------------

    @classmethod
    def router_l3_agents(cls):
        return cls.admin_routers_client.list_l3_agents_hosting_router(
            cls.router['id'])['agents']

    @classmethod
    def current_snat_host(cls):
        """Host of the router's SNAT binding now, or None when not one."""
        found = cls.router_l3_agents()
        return found[0]['host'] if len(found) == 1 else None

    @classmethod
    def router_ports(cls, device_owner):
        return cls.admin_ports_client.list_ports(
            device_id=cls.router['id'], device_owner=device_owner)['ports']

    @classmethod
    def port_on_subnet(cls, ports, subnet):
        for port in ports:
            if any(ip['subnet_id'] == subnet['id']
                   for ip in port['fixed_ips']):
                return port
        return None

    @classmethod
    def fip_agent_gateway_ports(cls):
        """Host -> its network:floatingip_agent_gateway ports (one is right).

        Neutron means one per L3 agent and external network; a race
        between its API and RPC workers can leave two.
        """
        ports = cls.admin_ports_client.list_ports(
            device_owner=FIP_AGENT_GATEWAY,
            network_id=CONF.network.public_network_id)['ports']
        by_host = collections.defaultdict(list)
        for port in ports:
            by_host[port['binding:host_id']].append(port)
        return dict(by_host)

    def fip_agent_gateway_port(self, host, owner=None):
        """The one floating IP agent gateway port of host; fail otherwise."""
        by_host = self.fip_agent_gateway_ports()
        ports = by_host.get(host, [])
        if len(ports) == 1:
            return ports[0]
        self.attach_api_bindings()
        if not ports:
            self.fail('expected a %s port bound to %s%s; found ports for: '
                      '%s' % (FIP_AGENT_GATEWAY, host,
                              ', the host of %s' % owner if owner else '',
                              ', '.join(sorted(by_host)) or 'no host'))
        self.fail('host %s: expected one %s port on the external network %s, '
                  'found %d: %s' % (
                      host, FIP_AGENT_GATEWAY,
                      CONF.network.public_network_id, len(ports), ', '.join(
                          '%s (%s, device_id %s)' % (
                              p['id'], addresses.ipv4_address(
                                  p['fixed_ips'], p['id'], 'no IPv4'),
                              p['device_id'])
                          for p in ports)))

    @classmethod
    def router_gateway_ip(cls):
        router = cls.admin_routers_client.show_router(
            cls.router['id'])['router']
        return addresses.ipv4_address(
            router['external_gateway_info']['external_fixed_ips'],
            'router %s gateway' % cls.router['id'])

    @classmethod
    def dvr_snat_hosts(cls):
        """Hosts with an L3 agent up in dvr_snat mode, now."""
        return agents.dvr_snat_hosts(cls.admin_agents_client)

    # -- VMs ---------------------------------------------------------------

    @classmethod
    def ssh_client(cls, vm, via=None, ssh_timeout=None):
        """RemoteClient to vm: by its floating IP, or through VM via."""
        kwargs = dict(
            pkey=cls.keypair['private_key'],
            server={'id': vm.server_id},
            servers_client=cls.admin_servers_client,
            ssh_timeout=ssh_timeout or CONF.validation.ssh_timeout,
            connect_timeout=CONF.validation.connect_timeout,
            console_output_enabled=(
                CONF.compute_feature_enabled.console_output),
            ssh_key_type=CONF.validation.ssh_key_type)
        user = CONF.validation.image_ssh_user
        if vm.floating_ip:
            return remote_client.RemoteClient(vm.floating_ip_address, user,
                                              **kwargs)
        if via is None:
            raise ValueError('%s has no floating IP: name a VM to reach it '
                             'through' % vm.name)
        jump = cls.ssh_client(via, ssh_timeout=ssh_timeout)
        return ProxiedRemoteClient(vm.fixed_ip, user, jump, **kwargs)

    def ping_until_answered(self, send, timeout=None):
        """Call send() (a PingResult) until a reply comes; return the last."""
        timeout = timeout or CONF.validation.ping_timeout
        return wait_for(send, lambda result: result.received > 0,
                        timeout)[1]

    def ping_from_tester(self, destination, count=5, probe=None):
        return probes.ping_from_tester(probe or probes.Probe.unique(),
                                       destination, count)

    def ping_from_vm(self, vm, destination, count=5, probe=None, via=None):
        return probes.ping_from_vm(self.ssh_client(vm, via=via),
                                   probe or probes.Probe.unique(),
                                   destination, count, str(vm))

    def outside_address(self):
        address = CONF.dvr.outside_address
        if not address:
            raise self.skipException(
                '[dvr] outside_address is unset: no address outside the '
                'cloud to reach')
        return address

    # -- hosts -------------------------------------------------------------

    def host(self, name):
        return hosts.host_client(name)

    def require_host_access(self, host_names):
        """Fail unless [dvr] host_ssh_addresses reaches every host named."""
        reason = hosts.missing_host_access(sorted(host_names))
        if reason:
            self.fail(reason)

    def attach_hosts(self, detail_name, host_names, namespaces):
        """Attach a listing of the hosts' DVR namespaces and devices."""
        text = '\n\n'.join(
            hoststate.describe_host(self.host(name), namespaces)
            for name in sorted(host_names))
        self.attach_text(detail_name, text)

    def east_west_diagnosis(self, source, destination):
        """Each sender host's neighbour entry for the other VM, as text.

        Attaches the qrouter neighbours and routes of both VMs' hosts.
        Empty without host access (the ping result is all there is).
        """
        if hosts.missing_host_access(sorted({source.host,
                                             destination.host})):
            return ''
        found, listings = [], []
        for sender, peer in ((source, destination), (destination, source)):
            entry, text = hoststate.neighbour_entry(
                self.host(sender.host), self.router['id'], peer.fixed_ip)
            listings.append(text)
            found.append('host %s, qrouter: neighbour entry for %s: '
                         'expected lladdr %s, found %s' % (
                             sender.host, peer, peer.mac_address,
                             entry or 'none'))
        self.attach_text('qrouter-neighbours', '\n\n'.join(listings))
        return '\n' + '\n'.join(found)

    # -- expected devices, from the API ------------------------------------

    def qrouter_devices(self):
        devices = {}
        interfaces = self.router_ports(DVR_INTERFACE)
        for name in SUBNETS:
            subnet = self.subnets[name]
            port = self.port_on_subnet(interfaces, subnet)
            self.assertIsNotNone(port, 'no %s port on %s' %
                                 (DVR_INTERFACE, name))
            devices[naming.qr_device(port['id'])] = Device(
                'qr- of %s' % name, subnet['gateway_ip'])
        devices[naming.rfp_device(self.router['id'])] = Device(
            'rfp- to the fip namespace', None)
        return devices

    def snat_devices(self):
        devices = {}
        snat_ports = self.router_ports(CENTRALIZED_SNAT)
        for name in SUBNETS:
            port = self.port_on_subnet(snat_ports, self.subnets[name])
            self.assertIsNotNone(port, 'no %s port on %s' %
                                 (CENTRALIZED_SNAT, name))
            devices[naming.sg_device(port['id'])] = Device(
                'sg- of %s' % name, addresses.ipv4_address(
                    port['fixed_ips'], '%s port %s' % (CENTRALIZED_SNAT,
                                                       port['id'])))
        gateway = self.router_ports(ROUTER_GATEWAY)[0]
        devices[naming.qg_device(gateway['id'])] = Device(
            'qg- gateway', addresses.ipv4_address(
                gateway['fixed_ips'], '%s port %s' % (ROUTER_GATEWAY,
                                                      gateway['id'])))
        return devices

    def fip_devices(self, host):
        port = self.fip_agent_gateway_port(host)
        return {
            naming.fg_device(port['id']): Device(
                'fg- on the external network',
                addresses.ipv4_address(
                    port['fixed_ips'], '%s port %s of %s' % (
                        FIP_AGENT_GATEWAY, port['id'], host))),
            naming.fpr_device(self.router['id']): Device(
                'fpr- to the qrouter namespace', None),
        }

    # -- namespace assertions ----------------------------------------------

    def assert_namespace(self, host, namespace, expected):
        """Wait until host has namespace with the expected devices."""
        client = self.host(host)
        done, view = wait_for(
            lambda: hoststate.namespace_view(client, namespace),
            lambda view: not hoststate.namespace_problems(view, expected),
            CONF.dvr.convergence_timeout)
        self.attach_text('%s-%s' % (host, namespace), view.text())
        if not done:
            self.attach_hosts('%s-dvr-namespaces' % host, [host], [])
            self.fail('host %s, namespace %s: expected devices %s; found: '
                      '%s' % (host, namespace, ', '.join(
                          '%s (%s)' % (name, device.role)
                          for name, device in sorted(expected.items())),
                          '; '.join(hoststate.namespace_problems(
                              view, expected))))

    def assert_no_namespace(self, host, namespace):
        client = self.host(host)
        done, present = wait_for(
            lambda: namespace in client.namespaces(),
            lambda present: not present, CONF.dvr.convergence_timeout)
        if not done:
            self.attach_hosts('%s-dvr-namespaces' % host, [host],
                              [namespace])
            self.fail('host %s: expected no namespace %s, found it' %
                      (host, namespace))

    # -- details -------------------------------------------------------------

    def attach_text(self, name, text):
        self.addDetail(name, testtools.content.text_content(text))

    def attach_json(self, name, value):
        self.attach_text(name, as_json(value))

    def attach_api_bindings(self):
        """Attach the router's L3 agents and its ports with their hosts."""
        ports = self.admin_ports_client.list_ports(
            device_id=self.router['id'])['ports']
        self.attach_json('api-router-l3-agents', [
            {'host': a['host'], 'id': a['id'], 'alive': a['alive'],
             'agent_mode': agents.agent_mode(a)}
            for a in self.router_l3_agents()])
        self.attach_json('api-router-ports', [
            {'id': p['id'], 'device_owner': p['device_owner'],
             'binding:host_id': p.get('binding:host_id'),
             'fixed_ips': p['fixed_ips']} for p in ports])
        self.attach_json('api-fip-agent-gateway-ports', {
            host: [{'id': p['id'], 'fixed_ips': p['fixed_ips'],
                    'device_id': p['device_id']} for p in ports]
            for host, ports in self.fip_agent_gateway_ports().items()})
