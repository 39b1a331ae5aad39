"""Breakages through the API: the router's bindings and ports."""

from dvr_lab.breakages import base
from dvr_lab.breakages import hosts

CENTRALIZED_SNAT = 'network:router_centralized_snat'
FIP_AGENT_GATEWAY = 'network:floatingip_agent_gateway'


def router_l3_agents(test):
    return test.admin_routers_client.list_l3_agents_hosting_router(
        test.router['id'])['agents']


def port_on_subnet(ports, subnet):
    for port in ports:
        if any(ip['subnet_id'] == subnet['id'] for ip in port['fixed_ips']):
            return port
    return None


def public_network_id():
    from tempest import config
    return config.CONF.network.public_network_id


class RouterCentralized(base.Breakage):
    """Turn the test's router into a centralized (legacy) router."""

    name = 'router-centralized'

    def apply(self, test):
        client = test.admin_routers_client
        router = client.show_router(test.router['id'])['router']
        if router['distributed']:
            client.update_router(router['id'], admin_state_up=False)
            client.update_router(router['id'], distributed=False)
            client.update_router(router['id'], admin_state_up=True)


class SnatUnscheduled(base.Breakage):
    """Remove the router from the L3 agent hosting its SNAT."""

    name = 'snat-unscheduled'

    def apply(self, test):
        for agent in router_l3_agents(test):
            test.admin_agents_client.delete_router_from_l3_agent(
                agent['id'], test.router['id'])


class SnatPortElsewhere(base.Breakage):
    """Bind the SNAT port of subnet2 to a host that is not the SNAT host."""

    name = 'snat-port-elsewhere'

    def apply(self, test):
        snat_host = test.current_snat_host()
        port = port_on_subnet(test.router_ports(CENTRALIZED_SNAT),
                              test.subnets['subnet2'])
        other = sorted(set(hosts.agent_host_names()) - {snat_host})[0]
        if port['binding:host_id'] != other:
            test.admin_ports_client.update_port(
                port['id'], **{'binding:host_id': other})


class NoFipGatewayPort(base.Breakage):
    """Delete VM1's host's floating IP agent gateway port (fg-) from the API.

    The lab is best rebuilt afterwards: the host's fip namespace keeps an
    fg- device for a port that no longer exists.
    """

    name = 'no-fip-gateway-port'

    def apply(self, test):
        ports = test.admin_ports_client.list_ports(
            device_owner=FIP_AGENT_GATEWAY,
            network_id=public_network_id())['ports']
        for port in ports:
            if port['binding:host_id'] == test.vms['vm1'].host:
                test.admin_ports_client.delete_port(port['id'])


class DuplicateFipGatewayPort(base.Breakage):
    """Give VM1's host a second floating IP agent gateway port in the API.

    What a race between neutron's API and RPC workers can leave behind:
    two network:floatingip_agent_gateway ports for one L3 agent.
    """

    name = 'duplicate-fip-gateway-port'
    port_id = None

    def apply(self, test):
        if self.port_id:
            return
        from dvr_tempest_plugin.common import agents
        host = test.vms['vm1'].host
        agent = agents.find_agent(test.admin_agents_client, host,
                                  agents.L3_AGENT)
        self.port_id = test.admin_ports_client.create_port(
            network_id=public_network_id(),
            device_owner=FIP_AGENT_GATEWAY,
            device_id=agent['id'], **{'binding:host_id': host})['port']['id']

    def undo(self, test):
        if self.port_id:
            test.admin_ports_client.delete_port(self.port_id)
            self.port_id = None


class RacedFipGatewayPort(base.Breakage):
    """Lose the race on FipAgentGatewayRaceTest's own external network.

    Once the first VM host has its floating IP agent gateway port there,
    give it a second one, as the race between two neutron workers does.
    """

    name = 'raced-fip-gateway-port'
    port_id = None

    def apply(self, test):
        if self.port_id:
            return
        host = sorted(set(test.vm_hosts.values()))[0]
        marker = '%s-external' % type(test).__name__
        for network in test.admin_networks_client.list_networks(
                **{'router:external': True})['networks']:
            if marker not in network['name']:
                continue
            ports = [port for port in test.admin_ports_client.list_ports(
                device_owner=FIP_AGENT_GATEWAY,
                network_id=network['id'])['ports']
                if port['binding:host_id'] == host]
            if len(ports) == 1:
                self.port_id = test.admin_ports_client.create_port(
                    network_id=network['id'],
                    device_owner=FIP_AGENT_GATEWAY,
                    device_id=ports[0]['device_id'],
                    **{'binding:host_id': host})['port']['id']

    def undo(self, test):
        # The test's cleanup, which runs first, deletes it with the rest.
        if self.port_id:
            from tempest.lib.common.utils import test_utils
            test_utils.call_and_ignore_notfound_exc(
                test.admin_ports_client.delete_port, self.port_id)
            self.port_id = None


BREAKAGES = (RouterCentralized, SnatUnscheduled, SnatPortElsewhere,
             NoFipGatewayPort, DuplicateFipGatewayPort, RacedFipGatewayPort)
