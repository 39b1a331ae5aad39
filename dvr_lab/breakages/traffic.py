"""Breakages of the traffic itself: filters, neighbours, routes."""

import ipaddress

from dvr_lab.breakages import base
from dvr_lab.breakages import hosts
from dvr_lab import shell
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import router_api

PRIORITY_DIVERT = 1000
ANY_QR_DEVICE = naming.INTERNAL_DEV_PREFIX + '+'   # iptables wildcard


def network(source):
    try:
        return ipaddress.ip_network(source, strict=False)
    except ValueError:   # 'all'
        return None


def tester_route(*words):
    """`ip route words` on the tester (the root namespace); never fails."""
    shell.run(['ip', 'route'] + list(words), check=False)


class DropEastWest(base.Breakage):
    """Drop ICMP routed between two qr- devices in the router's qrouters."""

    name = 'drop-east-west'
    rule = ['-i', ANY_QR_DEVICE, '-o', ANY_QR_DEVICE, '-p', 'icmp',
            '-j', 'DROP']

    def apply(self, test):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.qrouter(test)):
                hosts.ensure_iptables(host, hosts.qrouter(test), 'FORWARD',
                                      self.rule)


class WrongNeighbourEntry(base.Breakage):
    """Point VM1's host's qrouter neighbour entry for VM2 at a wrong MAC."""

    name = 'wrong-neighbour-entry'
    mac = '02:00:00:00:de:ad'

    def set_entry(self, test, mac):
        vm1, vm2 = test.vms['vm1'], test.vms['vm2']
        words = hosts.in_netns(vm1.host, hosts.qrouter(test), [
            'ip', '-4', 'neigh', 'show', vm2.fixed_ip]).split()
        if words and mac not in words:
            device = words[words.index('dev') + 1]
            hosts.in_netns(vm1.host, hosts.qrouter(test), [
                'ip', 'neigh', 'replace', vm2.fixed_ip, 'lladdr', mac,
                'dev', device, 'nud', 'permanent'])

    def apply(self, test):
        self.set_entry(test, self.mac)

    def undo(self, test):
        self.set_entry(test, test.vms['vm2'].mac_address)


class DropFipIcmp(base.Breakage):
    """Drop ICMP forwarded by the fip namespaces (SSH still passes)."""

    name = 'drop-fip-icmp'
    rule = ['-p', 'icmp', '-j', 'DROP']

    def apply(self, test):
        for host in hosts.agent_host_names():
            hosts.ensure_iptables(host, hosts.fip_ns(), 'FORWARD', self.rule)

    def undo(self, test):
        for host in hosts.agent_host_names():
            hosts.remove_iptables(host, hosts.fip_ns(), 'FORWARD', self.rule)


class DropSnatForward(base.Breakage):
    """Drop what the router's snat- namespace forwards (SNAT is dead).

    Unlike no-snat, the agent sees nothing to repair: the namespace and
    its devices stay, traffic through it does not.
    """

    name = 'drop-snat-forward'
    rule = ['-j', 'DROP']

    def apply(self, test):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.snat(test)):
                hosts.ensure_iptables(host, hosts.snat(test), 'FORWARD',
                                      self.rule)

    def undo(self, test):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.snat(test)):
                hosts.remove_iptables(host, hosts.snat(test), 'FORWARD',
                                      self.rule)


class IcmpViaSnat(base.Breakage):
    """Route the tenant subnets' ICMP through the snat namespace.

    In each qrouter of the router, a rule ahead of the main table sends
    ICMP from a subnet to that subnet's SNAT table (default via its sg-
    address): pings still get answers, through the wrong namespace.
    """

    name = 'icmp-via-snat'

    def apply(self, test):
        subnets = {ipaddress.ip_network(s['cidr'])
                   for s in test.subnets.values()}
        qrouter = hosts.qrouter(test)
        for host in hosts.agent_host_names():
            if not hosts.has_netns(host, qrouter):
                continue
            rules = hosts.ip_rules(host, qrouter)
            diverted = {network(words[1]) for priority, words in rules
                        if priority == PRIORITY_DIVERT}
            for priority, words in rules:
                # The agent's rules read "from <gateway ip>/<prefix>".
                if (words[:1] != ['from'] or 'lookup' not in words or
                        network(words[1]) not in subnets - diverted):
                    continue
                table = words[words.index('lookup') + 1]
                hosts.in_netns(host, qrouter, [
                    'ip', 'rule', 'add', 'from', str(network(words[1])),
                    'ipproto', 'icmp', 'lookup', table, 'priority',
                    str(PRIORITY_DIVERT)])
                diverted.add(network(words[1]))


class UnreachableDisassociatedFip(base.Breakage):
    """Once VM2's floating IP is DOWN, the tester has no route to it.

    Its pings then send nothing ("Network is unreachable"): a negative
    check that reads that as "no reply" passes without looking.
    """

    name = 'unreachable-disassociated-fip'

    def __init__(self):
        self.fip = None
        self.address = None

    def apply(self, test):
        client = test.admin_floating_ips_client
        if self.fip is None:
            found = client.list_floatingips(
                port_id=test.vms['vm2'].port_id)['floatingips']
            self.fip = found[0] if found else None
        elif self.address is None:
            fip = client.show_floatingip(self.fip['id'])['floatingip']
            if fip['status'] == 'DOWN':
                self.address = fip['floating_ip_address']
        if self.address:
            tester_route('replace', 'unreachable', self.address + '/32')

    def undo(self, test):
        if self.address:
            tester_route('del', 'unreachable', self.address + '/32')


class RouteFixedIps(base.Breakage):
    """Route the tenant subnets from the tester to the router's gateway.

    The outside world then reaches fixed IPs through the snat namespace,
    which the negative reachability test must catch. Undone after.
    """

    name = 'route-fixed-ips'

    def routes(self, test):
        gateway = test.router_gateway_ip()
        return [(str(ipaddress.ip_network(s['cidr'])), gateway)
                for s in test.subnets.values()]

    def apply(self, test):
        for cidr, gateway in self.routes(test):
            tester_route('replace', cidr, 'via', gateway)

    def undo(self, test):
        for cidr, gateway in self.routes(test):
            tester_route('del', cidr, 'via', gateway)


class NoSourceNat(base.Breakage):
    """No source NAT for the tenant subnets, and the tester routes them.

    In the snat namespace and in every qrouter of the router, the nat
    table accepts the subnets' traffic before Neutron's SNAT and
    floating-IP rules: VMs reach the outside from their fixed IPs. The
    tester routes the subnets to the router's gateway so that the replies
    stay in the lab. Undone after.
    """

    name = 'no-source-nat'

    def rules(self, test):
        return [['-t', 'nat', '-s', s['cidr'], '-j', 'ACCEPT']
                for s in test.subnets.values()]

    def namespaces(self, test):
        for host in hosts.agent_host_names():
            for ns in (hosts.qrouter(test), hosts.snat(test)):
                if hosts.has_netns(host, ns):
                    yield host, ns

    def apply(self, test):
        RouteFixedIps().apply(test)
        for host, ns in self.namespaces(test):
            for rule in self.rules(test):
                hosts.ensure_iptables(host, ns, 'POSTROUTING', rule)

    def undo(self, test):
        for host, ns in self.namespaces(test):
            for rule in self.rules(test):
                hosts.remove_iptables(host, ns, 'POSTROUTING', rule)
        RouteFixedIps().undo(test)


class CentralizedFipAsSnat(base.Breakage):
    """Source-NAT VM1 to the router's gateway address, not its floating IP.

    In snat- (where a dvr_no_external cloud serves floating IPs), a rule
    ahead of Neutron's: VM1's traffic still flows, from the wrong address.
    """

    name = 'centralized-fip-as-snat'

    def rule(self, test):
        gateway = test.router_ports(router_api.ROUTER_GATEWAY)[0]
        return ['-t', 'nat', '-s', '%s/32' % test.vms['vm1'].fixed_ip,
                '-o', naming.qg_device(gateway['id']), '-j', 'SNAT',
                '--to-source', test.router_gateway_ip()]

    def apply(self, test):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.snat(test)):
                hosts.ensure_iptables(host, hosts.snat(test), 'POSTROUTING',
                                      self.rule(test))

    def undo(self, test):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.snat(test)):
                hosts.remove_iptables(host, hosts.snat(test), 'POSTROUTING',
                                      self.rule(test))


BREAKAGES = (DropEastWest, WrongNeighbourEntry, DropFipIcmp, IcmpViaSnat,
             UnreachableDisassociatedFip, RouteFixedIps, NoSourceNat,
             DropSnatForward, CentralizedFipAsSnat)
