"""Breakages of DVR+HA routers: the standby and its keepalived.

They act on the hosts that were standby (GET /routers/{id}/l3-agents)
when first applied, in the router's snat- namespace there, and on
nothing else: the test's router is an HA router (test_dvr_ha.py).
"""

from dvr_lab.breakages import base
from dvr_lab.breakages import hosts
from dvr_tempest_plugin.common import l3_ha
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import router_api

VRRP_PROTOCOL = '112'


def gateway_device(test):
    port = test.router_ports(router_api.ROUTER_GATEWAY)[0]
    return naming.qg_device(port['id'])


def snat_devices(test):
    """qg- and every sg- of the router."""
    return [gateway_device(test)] + [
        naming.sg_device(port['id'])
        for port in test.router_ports(router_api.CENTRALIZED_SNAT)]


def ha_device(test, host):
    port = next(port for port in test.router_ports(router_api.HA_INTERFACE)
                if port.get('binding:host_id') == host)
    return naming.ha_device(port['id'])


class OnStandby(base.Breakage):
    """A breakage of the hosts standby when it is first applied."""

    def __init__(self):
        self.standby = None

    def standby_hosts(self, test):
        if self.standby is None:
            found = l3_ha.hosts_in_state(test.router_l3_agents(),
                                         l3_ha.STANDBY)
            if not found:
                return []
            self.standby = found
        return self.standby


class StandbyWithQg(OnStandby):
    """Add the router's gateway address to qg- on the standby host(s)."""

    name = 'ha-standby-with-qg'

    def argv(self, test, action):
        return ['ip', 'addr', action, test.router_gateway_ip() + '/32',
                'dev', gateway_device(test)]

    def apply(self, test):
        for host in self.standby_hosts(test):
            # Fails harmlessly once the address is there.
            hosts.in_netns(host, hosts.snat(test), self.argv(test, 'add'))

    def undo(self, test):
        for host in self.standby or ():
            hosts.in_netns(host, hosts.snat(test), self.argv(test, 'del'))


class VrrpBlocked(OnStandby):
    """Drop VRRP arriving on the standby's ha- device (it claims active)."""

    name = 'ha-vrrp-blocked'

    def rule(self, test, host):
        return ['-i', ha_device(test, host), '-p', VRRP_PROTOCOL, '-j',
                'DROP']

    def apply(self, test):
        for host in self.standby_hosts(test):
            hosts.ensure_iptables(host, hosts.snat(test), 'INPUT',
                                  self.rule(test, host))

    def undo(self, test):
        for host in self.standby or ():
            hosts.remove_iptables(host, hosts.snat(test), 'INPUT',
                                  self.rule(test, host))


class NoTakeover(OnStandby):
    """Keep the standby's qg-/sg- without addresses, even once active.

    keepalived on the standby takes over when the active dies, but its
    addresses are flushed every second: SNAT never comes back. Cannot
    be undone (keepalived does not add them again); list it last.
    """

    name = 'ha-no-takeover'

    def apply(self, test):
        for host in self.standby_hosts(test):
            for device in snat_devices(test):
                hosts.in_netns(host, hosts.snat(test),
                               ['ip', 'addr', 'flush', 'dev', device])


BREAKAGES = (StandbyWithQg, VrrpBlocked, NoTakeover)
