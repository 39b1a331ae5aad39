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

"""The topology's VMs: booted on chosen hosts, reached over SSH.

Putting a VM on a chosen host is admin-only in Nova, and Nova boots a VM
only with a keypair of the booting user and with ports of the VM's
project, so the keypair, the security group, the VMs and their floating
IPs belong to the admin project.
"""

import collections
import dataclasses

from tempest.common import waiters
from tempest import config
from tempest.lib.common.utils.linux import remote_client
from tempest.lib.common.utils import test_utils
from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import addresses
from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin.common import router_api

CONF = config.CONF

CONSOLE_LOG_LINES = 60

VmSpec = collections.namedtuple('VmSpec', 'name host subnet floating_ip')


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


def ssh_client(vm, keypair, servers_client, via=None, ssh_timeout=None):
    """RemoteClient to vm: by its floating IP, or through VM via."""
    kwargs = dict(
        pkey=keypair['private_key'],
        server={'id': vm.server_id},
        servers_client=servers_client,
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
    jump = ssh_client(via, keypair, servers_client, ssh_timeout=ssh_timeout)
    return ProxiedRemoteClient(vm.fixed_ip, user, jump, **kwargs)


class VmUnreachable(lib_exc.TempestException):
    message = '%(reason)s'

    def __init__(self, reason, vm=None):
        super().__init__(reason=reason)
        self.vm = vm


def console_tail(servers_client, vm, lines=CONSOLE_LOG_LINES):
    """The last lines of vm's console log, or why there are none."""
    if not CONF.compute_feature_enabled.console_output:
        return '(console output disabled: [compute-feature-enabled] ' \
            'console_output = False)'
    try:
        return servers_client.get_console_output(
            vm.server_id, length=lines)['output']
    except Exception as exc:  # evidence only, never the outcome
        return '(no console log: %s)' % exc


def create_floating_ip(client, vm, cleanup, timeout):
    """A floating IP for vm, ACTIVE; deleted by cleanup."""
    fip = client.create_floatingip(
        floating_network_id=CONF.network.public_network_id,
        port_id=vm.port_id)['floatingip']
    cleanup(test_utils.call_and_ignore_notfound_exc,
            client.delete_floatingip, fip['id'])
    return wait_floating_ip_status(client, fip, 'ACTIVE', timeout)


def wait_floating_ip_status(client, fip, status, timeout):
    done, found = polling.wait_for(
        lambda: client.show_floatingip(fip['id'])['floatingip'],
        lambda f: f['status'] == status, timeout)
    if not done:
        raise lib_exc.TimeoutException(
            'floating IP %s: expected status %s within %d s, found %s' %
            (fip['floating_ip_address'], status, timeout, found['status']))
    return found


class VmBuilder(object):
    """Boots the VMs of specs on their hosts, with ports and floating IPs.

    clients holds admin_servers_client, admin_ports_client and
    admin_floating_ips_client (the test class); add_cleanup is its
    addClassResourceCleanup; name(role) names a resource; placement
    is the inventory.Inventory the hosts come from.
    """

    def __init__(self, clients, add_cleanup, name, placement, timeout):
        self.clients = clients
        self.add_cleanup = add_cleanup
        self.name = name
        self.placement = placement
        self.timeout = timeout

    def create_vms(self, specs, vm_hosts, networks, keypair, security_group):
        vms = {spec.name: self._create_server(
            spec, vm_hosts[spec.host], networks[spec.subnet], keypair,
            security_group) for spec in specs}
        for vm in vms.values():
            self._wait_server_on_host(vm)
            self._fill_port(vm)
        for spec in specs:
            if spec.floating_ip:
                vms[spec.name].floating_ip = create_floating_ip(
                    self.clients.admin_floating_ips_client, vms[spec.name],
                    self.add_cleanup, self.timeout)
        reachable = [vm for vm in vms.values() if vm.floating_ip]
        for vm in reachable:
            self._wait_ssh_login(vm, keypair)
        for vm in vms.values():
            if not vm.floating_ip and reachable:
                self._wait_ssh_login(vm, keypair, via=reachable[0])
        return vms

    def _wait_ssh_login(self, vm, keypair, via=None):
        """Log in to vm (through VM via), or fail with its console log.

        An SSH timeout says neither whether the guest got its address and
        key nor on which host it runs; the console log and the host do.
        Every VM is checked here, so that a test never meets a guest that
        never came up.
        """
        client = self.clients.admin_servers_client
        try:
            ssh_client(vm, keypair, client, via=via).validate_authentication()
        except lib_exc.SSHTimeout as exc:
            if via is None:
                where = 'at floating IP %s' % vm.floating_ip_address
            else:
                where = 'at %s through %s' % (vm.fixed_ip, via)
            raise VmUnreachable(
                '%s on %s: no SSH login as %s %s within %d s (%s); its '
                'console log ends:\n%s' % (
                    vm.name, vm.host, CONF.validation.image_ssh_user, where,
                    CONF.validation.ssh_timeout, exc,
                    console_tail(client, vm)), vm) from exc

    def _create_server(self, spec, host, network, keypair, security_group):
        client = self.clients.admin_servers_client
        server = client.create_server(
            name=self.name(spec.name),
            imageRef=CONF.compute.image_ref,
            flavorRef=CONF.compute.flavor_ref,
            networks=[{'uuid': network['id']}],
            key_name=keypair['name'],
            security_groups=[{'name': security_group['name']}],
            availability_zone='%s:%s' % (self.placement.zone(host),
                                         self.placement.nova_host(host)),
        )['server']
        self.add_cleanup(waiters.wait_for_server_termination, client,
                         server['id'])
        self.add_cleanup(test_utils.call_and_ignore_notfound_exc,
                         client.delete_server, server['id'])
        return Vm(spec.name, host, spec.subnet, server['id'])

    def _wait_server_on_host(self, vm):
        client = self.clients.admin_servers_client
        waiters.wait_for_server_status(client, vm.server_id, 'ACTIVE')
        server = client.show_server(vm.server_id)['server']
        landed = server.get('OS-EXT-SRV-ATTR:host')
        if landed != self.placement.nova_host(vm.host):
            raise lib_exc.TempestException(
                '%s: asked Nova for host %s, the VM landed on %s' % (
                    vm.name, vm.host, landed))

    def _fill_port(self, vm):
        def port():
            ports = self.clients.admin_ports_client.list_ports(
                device_id=vm.server_id)['ports']
            return ports[0] if ports else {}
        done, found = polling.wait_for(
            port, lambda p: p.get('status') == 'ACTIVE', self.timeout)
        if not done:
            raise lib_exc.TimeoutException(
                '%s on %s: expected its port ACTIVE, found %s' % (
                    vm.name, vm.host, router_api.as_json(found)))
        vm.port_id = found['id']
        vm.fixed_ip = addresses.ipv4_address(
            found['fixed_ips'], '%s on %s: port %s' % (vm.name, vm.host,
                                                       found['id']))
        vm.mac_address = found['mac_address']
