"""Breakages of the floating IPs' plumbing: rules, routes and NAT."""

from dvr_lab.breakages import base
from dvr_lab.breakages import hosts

PRIORITY_COPY = 40000


class NoFipRule(base.Breakage):
    """Delete the floating IPs' rules (table 16) in the router's qrouters."""

    name = 'no-fip-rule'

    def apply(self, test):
        for host in hosts.agent_host_names():
            for source, priority in hosts.fip_rules(host, test):
                hosts.delete_rule(host, hosts.qrouter(test), priority)


class StrayFipRule(base.Breakage):
    """Copy each floating IP's rule to the qrouter of the other hosts."""

    name = 'stray-fip-rule'

    def apply(self, test):
        names = hosts.agent_host_names()
        for host in names:
            for other in set(names) - {host}:
                theirs = {source for source, _ in
                          hosts.fip_rules(other, test)}
                for source, _ in hosts.fip_rules(host, test):
                    if (source not in theirs and
                            hosts.has_netns(other, hosts.qrouter(test))):
                        hosts.add_fip_rule(other, test, source,
                                           PRIORITY_COPY)


class LeftoverFipRule(base.Breakage):
    """Keep a copy of every floating IP rule: the agent leaves it behind.

    The agent deletes its rule by priority, so a copy at another priority
    outlives the floating IP's disassociation.
    """

    name = 'leftover-fip-rule'

    def apply(self, test):
        for host in hosts.agent_host_names():
            rules = hosts.fip_rules(host, test)
            copied = {s for s, p in rules if p == PRIORITY_COPY}
            for source, _ in rules:
                if source not in copied:
                    hosts.add_fip_rule(host, test, source, PRIORITY_COPY)
                    copied.add(source)


class SnatViaFipNamespace(base.Breakage):
    """Send VM2's outbound traffic out of its own host's fip namespace.

    A spare floating IP is taken from the API; host B's qrouter sends
    VM2's traffic to table 16 (rfp-) and source-NATs it to that address,
    and host B's fip namespace routes the address back to rfp-: VM2, with
    no floating IP of its own, reaches the outside without the snat
    namespace. Undone after.
    """

    name = 'snat-via-fip-ns'

    def __init__(self):
        self.done = None

    def apply(self, test):
        if self.done:
            return
        from tempest import config
        vm = test.vms['vm2']
        fip = test.admin_floating_ips_client.create_floatingip(
            floating_network_id=config.CONF.network.public_network_id)[
                'floatingip']
        address = fip['floating_ip_address']
        rfp_ip = hosts.rfp_address(vm.host, test)
        snat = ['-s', vm.fixed_ip, '-o', hosts.rfp(test), '-j', 'SNAT',
                '--to-source', address]
        self.done = (vm, fip, rfp_ip, snat)
        hosts.add_fip_rule(vm.host, test, vm.fixed_ip, PRIORITY_COPY)
        hosts.in_netns(vm.host, hosts.qrouter(test),
                       ['iptables', '-t', 'nat', '-I', 'POSTROUTING'] + snat)
        hosts.in_netns(vm.host, hosts.fip_ns(), [
            'ip', 'route', 'add', address + '/32', 'via', rfp_ip, 'dev',
            hosts.fpr(test)])

    def undo(self, test):
        if not self.done:
            return
        vm, fip, rfp_ip, snat = self.done
        hosts.in_netns(vm.host, hosts.fip_ns(), [
            'ip', 'route', 'del', fip['floating_ip_address'] + '/32'])
        hosts.in_netns(vm.host, hosts.qrouter(test),
                       ['iptables', '-t', 'nat', '-D', 'POSTROUTING'] + snat)
        hosts.delete_rule(vm.host, hosts.qrouter(test), PRIORITY_COPY)
        test.admin_floating_ips_client.delete_floatingip(fip['id'])


class FipStaysPlumbed(base.Breakage):
    """Keep VM2's floating IP plumbed on its host after disassociation.

    Once VM2 has a floating IP, host B's qrouter gets copies of its rule,
    DNAT and SNAT, and host B's fip namespace a copy of its route: the
    address keeps answering after the API disassociated it. Undone after.
    """

    name = 'fip-stays-plumbed'

    def __init__(self):
        self.plumbed = None

    def pieces(self, test, address):
        vm = test.vms['vm2']
        rfp_ip = hosts.rfp_address(vm.host, test)
        nat = [('PREROUTING', ['-t', 'nat', '-d', address + '/32', '-j',
                               'DNAT', '--to-destination', vm.fixed_ip]),
               ('POSTROUTING', ['-t', 'nat', '-s', vm.fixed_ip + '/32',
                                '-o', hosts.rfp(test), '-j', 'SNAT',
                                '--to-source', address])]
        return vm, address, rfp_ip, nat

    def apply(self, test):
        if self.plumbed is None:
            found = test.admin_floating_ips_client.list_floatingips(
                port_id=test.vms['vm2'].port_id)['floatingips']
            if not found:
                return
            self.plumbed = self.pieces(test, found[0]['floating_ip_address'])
        vm, address, rfp_ip, nat = self.plumbed
        if (vm.fixed_ip, PRIORITY_COPY) not in hosts.fip_rules(
                vm.host, test):
            hosts.add_fip_rule(vm.host, test, vm.fixed_ip, PRIORITY_COPY)
        for chain, rule in nat:
            hosts.ensure_iptables(vm.host, hosts.qrouter(test), chain, rule)
        hosts.in_netns(vm.host, hosts.fip_ns(), [
            'ip', 'route', 'replace', address + '/32', 'via', rfp_ip, 'dev',
            hosts.fpr(test)])

    def undo(self, test):
        if self.plumbed is None:
            return
        vm, address, _, nat = self.plumbed
        hosts.in_netns(vm.host, hosts.fip_ns(),
                       ['ip', 'route', 'del', address + '/32'])
        for chain, rule in nat:
            hosts.remove_iptables(vm.host, hosts.qrouter(test), chain, rule)
        hosts.delete_rule(vm.host, hosts.qrouter(test), PRIORITY_COPY)


BREAKAGES = (NoFipRule, StrayFipRule, LeftoverFipRule, SnatViaFipNamespace,
             FipStaysPlumbed)
