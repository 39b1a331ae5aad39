"""Run scenario tests against a dvr-lab broken the way they check.

Every scenario test must be seen failing against a broken lab; this makes
the breakage repeatable and puts it exactly where it belongs: after the
test class has built its topology (and checked SSH through the floating
IP) and before the test body runs. It runs the tests in this process,
with the lab's tempest workspace, and wraps DvrScenarioTest.setUp: the
breakage is applied to the test's own router, VMs and hosts, then kept
applied every second by a thread, and undone after the test (before the
class cleans up). Breakages that act through [dvr] options override
them for the test only.

    /opt/dvr-lab/venv/bin/python tools/break_lab.py BREAKAGE TEST_ID...
    /opt/dvr-lab/venv/bin/python tools/break_lab.py TEST_ID=BREAKAGE...
    /opt/dvr-lab/venv/bin/python tools/break_lab.py --list

The second form breaks each test its own way, in the order given, within
one class setup (list the breakages that cannot be undone last).

TEST_ID is a test's dotted path; a test_ or Test name alone is looked up in
dvr_tempest_plugin.tests.scenario. It prints each test's outcome and
failure message; the details (captures, listings) go to
/tmp/break-lab/<test>/.
"""

import ipaddress
import os
import shlex
import sys
import threading
import time
import unittest

import testtools

from dvr_lab import namespaces
from dvr_lab import processes
from dvr_lab import services
from dvr_lab import settings
from dvr_lab import shell

WORKSPACE = os.path.join(settings.STATE_DIR, 'tempest')
DETAILS_DIR = '/tmp/break-lab'
REAPPLY_SECONDS = 1
PRIORITY_COPY = 40000
PRIORITY_DIVERT = 1000


def run(host_name, argv):
    return namespaces.run(settings.host(host_name), argv, check=False,
                          timeout=20)


def in_netns(host_name, ns, argv):
    return run(host_name, ['ip', 'netns', 'exec', ns] + list(argv))


def netns_names(host_name, prefix):
    return [line.split()[0] for line in run(host_name, ['ip', 'netns'])
            .splitlines() if line.startswith(prefix)]


def link_names(host_name, ns, prefix):
    out = in_netns(host_name, ns, ['ip', '-o', 'link'])
    names = [line.split(':')[1].strip().split('@')[0]
             for line in out.splitlines()]
    return [name for name in names if name.startswith(prefix)]


def ip_rules(host_name, ns):
    """(priority, words after the priority) of each ip rule in ns."""
    rules = []
    for line in in_netns(host_name, ns, ['ip', 'rule']).splitlines():
        priority, _, rest = line.partition(':')
        rules.append((int(priority), rest.split()))
    return rules


def agent_host_names():
    return [host.name for host in settings.AGENT_HOSTS]


def ensure_iptables(host_name, ns, chain, rule):
    check = namespaces.enter(settings.host(host_name)) + [
        'ip', 'netns', 'exec', ns, 'iptables', '-C', chain] + rule
    if not shell.succeeds(check):
        in_netns(host_name, ns, ['iptables', '-I', chain] + rule)


def remove_iptables(host_name, ns, chain, rule):
    in_netns(host_name, ns, ['iptables', '-D', chain] + rule)


class Breakage(object):
    """A way to break the lab; apply() is idempotent."""

    name = None
    conf = {}   # [dvr] option -> value while broken

    def apply(self, test):
        raise NotImplementedError

    def undo(self, test):
        pass

    @staticmethod
    def qrouter(test):
        return 'qrouter-' + test.router['id']

    @staticmethod
    def fip_ns(test):
        from tempest import config
        return 'fip-' + config.CONF.network.public_network_id


# -- the API ------------------------------------------------------------------

class RouterCentralized(Breakage):
    """Turn the test's router into a centralized (legacy) router."""

    name = 'router-centralized'

    def apply(self, test):
        client = test.admin_routers_client
        router = client.show_router(test.router['id'])['router']
        if router['distributed']:
            client.update_router(router['id'], admin_state_up=False)
            client.update_router(router['id'], distributed=False)
            client.update_router(router['id'], admin_state_up=True)


class SnatUnscheduled(Breakage):
    """Remove the router from the L3 agent hosting its SNAT."""

    name = 'snat-unscheduled'

    def apply(self, test):
        for agent in test.router_l3_agents():
            test.admin_agents_client.delete_router_from_l3_agent(
                agent['id'], test.router['id'])


class SnatPortElsewhere(Breakage):
    """Bind the SNAT port of subnet2 to a host that is not the SNAT host."""

    name = 'snat-port-elsewhere'

    def apply(self, test):
        snat_host = test.current_snat_host()
        port = test.port_on_subnet(test.router_ports('network:router_'
                                                     'centralized_snat'),
                                   test.subnets['subnet2'])
        other = sorted(set(agent_host_names()) - {snat_host})[0]
        if port['binding:host_id'] != other:
            test.admin_ports_client.update_port(
                port['id'], **{'binding:host_id': other})


class NoFipGatewayPort(Breakage):
    """Delete VM1's host's floating IP agent gateway port (fg-) from the API.

    The lab is best rebuilt afterwards: the host's fip namespace keeps an
    fg- device for a port that no longer exists.
    """

    name = 'no-fip-gateway-port'

    def apply(self, test):
        for port in test.fip_agent_gateway_ports().get(
                test.vms['vm1'].host, []):
            test.admin_ports_client.delete_port(port['id'])


class DuplicateFipGatewayPort(Breakage):
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
        from tempest import config
        host = test.vms['vm1'].host
        agent = agents.find_agent(test.admin_agents_client, host,
                                  agents.L3_AGENT)
        self.port_id = test.admin_ports_client.create_port(
            network_id=config.CONF.network.public_network_id,
            device_owner='network:floatingip_agent_gateway',
            device_id=agent['id'], **{'binding:host_id': host})['port']['id']

    def undo(self, test):
        if self.port_id:
            test.admin_ports_client.delete_port(self.port_id)
            self.port_id = None


# -- namespaces and devices ---------------------------------------------------

class NoSnat(Breakage):
    """Delete the router's snat- namespace wherever it is."""

    name = 'no-snat'

    def apply(self, test):
        snat = 'snat-' + test.router['id']
        for host in agent_host_names():
            if snat in netns_names(host, 'snat-'):
                run(host, ['ip', 'netns', 'delete', snat])


class StraySnat(Breakage):
    """Create an empty snat-<router> on the hosts without the SNAT."""

    name = 'stray-snat'

    def apply(self, test):
        snat = 'snat-' + test.router['id']
        for host in agent_host_names():
            present = netns_names(host, '')
            if self.qrouter(test) in present and snat not in present:
                run(host, ['ip', 'netns', 'add', snat])


class NoQrouterOffSnatHost(Breakage):
    """Delete qrouter-<router> on the VM hosts that are not the SNAT host."""

    name = 'no-qrouter'

    def apply(self, test):
        snat_host = test.current_snat_host()
        for host in set(test.vm_hosts.values()) - {snat_host}:
            if self.qrouter(test) in netns_names(host, 'qrouter-'):
                run(host, ['ip', 'netns', 'delete', self.qrouter(test)])


class NoFpr(Breakage):
    """Delete the router's rfp-/fpr- veth pair on every host."""

    name = 'no-fpr'

    def apply(self, test):
        fpr = ('fpr-' + test.router['id'])[:14]
        for host in agent_host_names():
            if fpr in link_names(host, self.fip_ns(test), 'fpr-'):
                in_netns(host, self.fip_ns(test), ['ip', 'link', 'del', fpr])


class FgDown(Breakage):
    """Set the fg- devices of the fip namespaces down (undone after)."""

    name = 'fg-down'

    def set_fg(self, test, state):
        for host in agent_host_names():
            for dev in link_names(host, self.fip_ns(test), 'fg-'):
                in_netns(host, self.fip_ns(test),
                         ['ip', 'link', 'set', dev, state])

    def apply(self, test):
        self.set_fg(test, 'down')

    def undo(self, test):
        self.set_fg(test, 'up')


# -- floating IP plumbing -----------------------------------------------------

def fip_rules(host, test):
    """Sources of the floating IPs' rules (lookup 16) in the qrouter."""
    return {(words[1], priority)
            for priority, words in ip_rules(host, Breakage.qrouter(test))
            if words[:1] == ['from'] and words[-2:] == ['lookup', '16']}


class NoFipRule(Breakage):
    """Delete the floating IPs' rules (table 16) in the router's qrouters."""

    name = 'no-fip-rule'

    def apply(self, test):
        for host in agent_host_names():
            for source, priority in fip_rules(host, test):
                in_netns(host, self.qrouter(test),
                         ['ip', 'rule', 'del', 'priority', str(priority)])


class StrayFipRule(Breakage):
    """Copy each floating IP's rule to the qrouter of the other hosts."""

    name = 'stray-fip-rule'

    def apply(self, test):
        for host in agent_host_names():
            for other in set(agent_host_names()) - {host}:
                theirs = {source for source, _ in fip_rules(other, test)}
                for source, _ in fip_rules(host, test):
                    if (source not in theirs and self.qrouter(test) in
                            netns_names(other, 'qrouter-')):
                        in_netns(other, self.qrouter(test), [
                            'ip', 'rule', 'add', 'from', source, 'lookup',
                            '16', 'priority', str(PRIORITY_COPY)])


class LeftoverFipRule(Breakage):
    """Keep a copy of every floating IP rule: the agent leaves it behind.

    The agent deletes its rule by priority, so a copy at another priority
    outlives the floating IP's disassociation.
    """

    name = 'leftover-fip-rule'

    def apply(self, test):
        for host in agent_host_names():
            rules = fip_rules(host, test)
            copied = {s for s, p in rules if p == PRIORITY_COPY}
            for source, _ in rules:
                if source not in copied:
                    in_netns(host, self.qrouter(test), [
                        'ip', 'rule', 'add', 'from', source, 'lookup', '16',
                        'priority', str(PRIORITY_COPY)])
                    copied.add(source)


# -- traffic ------------------------------------------------------------------

class DropEastWest(Breakage):
    """Drop ICMP routed between two qr- devices in the router's qrouters."""

    name = 'drop-east-west'
    rule = ['-i', 'qr-+', '-o', 'qr-+', '-p', 'icmp', '-j', 'DROP']

    def apply(self, test):
        for host in agent_host_names():
            if self.qrouter(test) in netns_names(host, 'qrouter-'):
                ensure_iptables(host, self.qrouter(test), 'FORWARD',
                                self.rule)


class WrongNeighbourEntry(Breakage):
    """Point VM1's host's qrouter neighbour entry for VM2 at a wrong MAC."""

    name = 'wrong-neighbour-entry'
    mac = '02:00:00:00:de:ad'

    def set_entry(self, test, mac):
        vm1, vm2 = test.vms['vm1'], test.vms['vm2']
        words = in_netns(vm1.host, self.qrouter(test), [
            'ip', '-4', 'neigh', 'show', vm2.fixed_ip]).split()
        if words and mac not in words:
            device = words[words.index('dev') + 1]
            in_netns(vm1.host, self.qrouter(test), [
                'ip', 'neigh', 'replace', vm2.fixed_ip, 'lladdr', mac,
                'dev', device, 'nud', 'permanent'])

    def apply(self, test):
        self.set_entry(test, self.mac)

    def undo(self, test):
        self.set_entry(test, test.vms['vm2'].mac_address)


class DropFipIcmp(Breakage):
    """Drop ICMP forwarded by the fip namespaces (SSH still passes)."""

    name = 'drop-fip-icmp'
    rule = ['-p', 'icmp', '-j', 'DROP']

    def apply(self, test):
        for host in agent_host_names():
            ensure_iptables(host, self.fip_ns(test), 'FORWARD', self.rule)

    def undo(self, test):
        for host in agent_host_names():
            remove_iptables(host, self.fip_ns(test), 'FORWARD', self.rule)


class IcmpViaSnat(Breakage):
    """Route the tenant subnets' ICMP through the snat namespace.

    In each qrouter of the router, a rule ahead of the main table sends
    ICMP from a subnet to that subnet's SNAT table (default via its sg-
    address): pings still get answers, through the wrong namespace.
    """

    name = 'icmp-via-snat'

    def apply(self, test):
        subnets = {ipaddress.ip_network(s['cidr'])
                   for s in test.subnets.values()}
        for host in agent_host_names():
            if self.qrouter(test) not in netns_names(host, 'qrouter-'):
                continue
            rules = ip_rules(host, self.qrouter(test))
            diverted = {network(words[1]) for priority, words in rules
                        if priority == PRIORITY_DIVERT}
            for priority, words in rules:
                # The agent's rules read "from <gateway ip>/<prefix>".
                if (words[:1] != ['from'] or 'lookup' not in words or
                        network(words[1]) not in subnets - diverted):
                    continue
                table = words[words.index('lookup') + 1]
                in_netns(host, self.qrouter(test), [
                    'ip', 'rule', 'add', 'from', str(network(words[1])),
                    'ipproto', 'icmp', 'lookup', table, 'priority',
                    str(PRIORITY_DIVERT)])
                diverted.add(network(words[1]))


def network(source):
    try:
        return ipaddress.ip_network(source, strict=False)
    except ValueError:   # 'all'
        return None


class SnatViaFipNamespace(Breakage):
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
        rfp = ('rfp-' + test.router['id'])[:14]
        fpr = ('fpr-' + test.router['id'])[:14]
        rfp_ip = in_netns(vm.host, self.qrouter(test), [
            'ip', '-o', '-4', 'addr', 'show', rfp]).split()[3].split('/')[0]
        snat = ['-s', vm.fixed_ip, '-o', rfp, '-j', 'SNAT', '--to-source',
                address]
        self.done = (vm, fip, fpr, rfp_ip, snat)
        in_netns(vm.host, self.qrouter(test), [
            'ip', 'rule', 'add', 'from', vm.fixed_ip, 'lookup', '16',
            'priority', str(PRIORITY_COPY)])
        in_netns(vm.host, self.qrouter(test),
                 ['iptables', '-t', 'nat', '-I', 'POSTROUTING'] + snat)
        in_netns(vm.host, self.fip_ns(test), [
            'ip', 'route', 'add', address + '/32', 'via', rfp_ip, 'dev',
            fpr])

    def undo(self, test):
        if not self.done:
            return
        vm, fip, fpr, rfp_ip, snat = self.done
        in_netns(vm.host, self.fip_ns(test), [
            'ip', 'route', 'del', fip['floating_ip_address'] + '/32'])
        in_netns(vm.host, self.qrouter(test),
                 ['iptables', '-t', 'nat', '-D', 'POSTROUTING'] + snat)
        in_netns(vm.host, self.qrouter(test), [
            'ip', 'rule', 'del', 'priority', str(PRIORITY_COPY)])
        test.admin_floating_ips_client.delete_floatingip(fip['id'])


class FipStaysPlumbed(Breakage):
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
        rfp = ('rfp-' + test.router['id'])[:14]
        rfp_ip = in_netns(vm.host, self.qrouter(test), [
            'ip', '-o', '-4', 'addr', 'show', rfp]).split()[3].split('/')[0]
        nat = [('PREROUTING', ['-t', 'nat', '-d', address + '/32', '-j',
                               'DNAT', '--to-destination', vm.fixed_ip]),
               ('POSTROUTING', ['-t', 'nat', '-s', vm.fixed_ip + '/32',
                                '-o', rfp, '-j', 'SNAT', '--to-source',
                                address])]
        return vm, address, rfp_ip, nat

    def apply(self, test):
        if self.plumbed is None:
            found = test.admin_floating_ips_client.list_floatingips(
                port_id=test.vms['vm2'].port_id)['floatingips']
            if not found:
                return
            self.plumbed = self.pieces(test, found[0]['floating_ip_address'])
        vm, address, rfp_ip, nat = self.plumbed
        if (vm.fixed_ip, PRIORITY_COPY) not in fip_rules(vm.host, test):
            in_netns(vm.host, self.qrouter(test), [
                'ip', 'rule', 'add', 'from', vm.fixed_ip, 'lookup', '16',
                'priority', str(PRIORITY_COPY)])
        for chain, rule in nat:
            ensure_iptables(vm.host, self.qrouter(test), chain, rule)
        in_netns(vm.host, self.fip_ns(test), [
            'ip', 'route', 'replace', address + '/32', 'via', rfp_ip, 'dev',
            ('fpr-' + test.router['id'])[:14]])

    def undo(self, test):
        if self.plumbed is None:
            return
        vm, address, _, nat = self.plumbed
        in_netns(vm.host, self.fip_ns(test),
                 ['ip', 'route', 'del', address + '/32'])
        for chain, rule in nat:
            remove_iptables(vm.host, self.qrouter(test), chain, rule)
        in_netns(vm.host, self.qrouter(test), [
            'ip', 'rule', 'del', 'priority', str(PRIORITY_COPY)])


class UnreachableDisassociatedFip(Breakage):
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
            shell.run(['ip', 'route', 'replace', 'unreachable',
                       self.address + '/32'], check=False)

    def undo(self, test):
        if self.address:
            shell.run(['ip', 'route', 'del', 'unreachable',
                       self.address + '/32'], check=False)


class NoSourceNat(Breakage):
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
        router = test.router['id']
        for host in agent_host_names():
            for ns in ('qrouter-' + router, 'snat-' + router):
                if ns in netns_names(host, ns):
                    yield host, ns

    def apply(self, test):
        RouteFixedIps().apply(test)
        for host, ns in self.namespaces(test):
            for rule in self.rules(test):
                ensure_iptables(host, ns, 'POSTROUTING', rule)

    def undo(self, test):
        for host, ns in self.namespaces(test):
            for rule in self.rules(test):
                remove_iptables(host, ns, 'POSTROUTING', rule)
        RouteFixedIps().undo(test)


class RouteFixedIps(Breakage):
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
            shell.run(['ip', 'route', 'replace', cidr, 'via', gateway],
                      check=False)

    def undo(self, test):
        for cidr, gateway in self.routes(test):
            shell.run(['ip', 'route', 'del', cidr, 'via', gateway],
                      check=False)


# -- agents -------------------------------------------------------------------

AGENT_CTL = '/opt/dvr-lab/bin/dvr-lab-agent'
FIP_NAMESPACES = "$(ip netns | cut -d' ' -f1 | grep '^fip-')"


def sh(script):
    """An option value running script; oslo.config reads $$ as a $."""
    return ('sh -c %s' % shlex.quote(script)).replace('$', '$$')


class L3DownCutsFip(Breakage):
    """Stopping or killing the L3 agent also sets the host's fg- down.

    What a deployment whose agent shutdown tears down the fip namespace
    looks like; starting the agent sets them up again first.
    """

    name = 'l3-down-cuts-fip'

    @staticmethod
    def fg(state):
        return ('for ns in %s; do for dev in $(ip netns exec $ns ip -o link '
                '| cut -d: -f2 | grep -o "fg-[^@ ]*"); do ip netns exec $ns '
                'ip link set $dev %s; done; done' % (FIP_NAMESPACES, state))

    @property
    def conf(self):
        conf = {'l3_agent_start_command': sh('%s; %s start l3' % (
            self.fg('up'), AGENT_CTL))}
        for action in ('stop', 'kill'):
            conf['l3_agent_%s_command' % action] = sh('%s %s l3 && %s' % (
                AGENT_CTL, action, self.fg('down')))
        return conf

    def apply(self, test):
        pass


class OvsDownDropsIcmp(Breakage):
    """Stopping or killing the OVS agent also drops ICMP in br-int.

    The flow goes in at the top of br-int just before the agent is
    stopped (a stop lasts until the agent exits, up to 20 s in the lab);
    starting the agent deletes it first.
    """

    name = 'ovs-down-drops-icmp'
    flow = 'priority=65535,icmp'

    @property
    def conf(self):
        conf = {'ovs_agent_start_command': sh(
            'ovs-ofctl --strict del-flows br-int %s; %s start ovs'
            % (self.flow, AGENT_CTL))}
        for action in ('stop', 'kill'):
            conf['ovs_agent_%s_command' % action] = sh(
                'ovs-ofctl add-flow br-int %s,actions=drop && %s %s ovs'
                % (self.flow, AGENT_CTL, action))
        return conf

    def apply(self, test):
        pass


class ExpectOtherFailover(Breakage):
    """Set [dvr] expect_snat_failover against what the lab does.

    True where the lab has one dvr_snat host (standard layout), False
    where it has two and fails over (article layout).
    """

    name = 'expect-other-failover'

    @property
    def conf(self):
        snat_hosts = [h for h in settings.AGENT_HOSTS
                      if h.l3_agent_mode == 'dvr_snat']
        return {'expect_snat_failover': len(snat_hosts) < 2}

    def apply(self, test):
        pass


class NoSnatFailover(Breakage):
    """Restart neutron-periodic-workers with no automatic L3 failover.

    The rescheduling of routers from dead L3 agents runs there; it comes
    back with the lab's own neutron.conf on undo.
    """

    name = 'no-snat-failover'
    service = 'neutron-periodic-workers'

    def __init__(self):
        self.applied = False

    def restart(self, extra_conf):
        svc = services.by_name(self.service)
        processes.stop(svc.name)
        processes.start(svc.name, namespaces.enter(svc.host) + svc.argv +
                        extra_conf, env=svc.env)

    def apply(self, test):
        if not self.applied:
            override = services.etc('neutron', 'no-failover.conf')
            with open(override, 'w') as f:
                f.write('[DEFAULT]\nallow_automatic_l3agent_failover = '
                        'False\n')
            self.restart(['--config-file', override])
            self.applied = True

    def undo(self, test):
        if self.applied:
            self.restart([])


BREAKAGES = {cls.name: cls for cls in (
    RouterCentralized, SnatUnscheduled, SnatPortElsewhere, NoFipGatewayPort,
    DuplicateFipGatewayPort,
    NoSnat, StraySnat, NoQrouterOffSnatHost, NoFpr, FgDown, NoFipRule,
    StrayFipRule, LeftoverFipRule, DropEastWest, WrongNeighbourEntry,
    DropFipIcmp, IcmpViaSnat,
    SnatViaFipNamespace,
    RouteFixedIps, FipStaysPlumbed, UnreachableDisassociatedFip,
    NoSourceNat, L3DownCutsFip, OvsDownDropsIcmp, ExpectOtherFailover,
    NoSnatFailover)}


# -- running the tests --------------------------------------------------------

class Keeper(object):
    """Applies a breakage now, then every second until stopped."""

    def __init__(self, breakage, test):
        self.breakage, self.test = breakage, test
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        self.breakage.apply(self.test)
        self.thread.start()

    def loop(self):
        while not self.stopped.wait(REAPPLY_SECONDS):
            try:
                self.breakage.apply(self.test)
            except Exception as exc:   # keep breaking; report once
                print('breakage %s: %s' % (self.breakage.name, exc))

    def stop(self):
        self.stopped.set()
        self.thread.join()
        self.breakage.undo(self.test)


def install(breakage_of):
    """Wrap DvrScenarioTest.setUp to break the lab for each test.

    breakage_of maps a test id to its Breakage.
    """
    from oslo_config import cfg

    from dvr_tempest_plugin.tests.scenario import base

    original = base.DvrScenarioTest.setUp

    def setUp(test):
        original(test)
        breakage = breakage_of[plain_id(test)]
        for option, value in breakage.conf.items():
            cfg.CONF.set_override(option, value, group='dvr')
            test.addCleanup(cfg.CONF.clear_override, option, group='dvr')
        keeper = Keeper(breakage, test)
        print('%s: breaking the lab: %s' % (test.id(), breakage.name))
        keeper.start()
        # Runs before the test's own cleanups (restoring agents, ...).
        test.addCleanup(keeper.stop)

    base.DvrScenarioTest.setUp = setUp


class Report(testtools.TestResult):

    def _record(self, outcome, test, details):
        print('\n== %s: %s' % (outcome, test.id()))
        details = details or {}
        where = os.path.join(DETAILS_DIR, plain_id(test).rsplit('.', 1)[-1])
        os.makedirs(where, exist_ok=True)
        for name, content in details.items():
            with open(os.path.join(where, name.replace('/', '_')), 'wb') as f:
                f.write(b''.join(content.iter_bytes()))
        traceback = details.get('traceback')
        if traceback is not None:
            lines = traceback.as_text().rstrip().splitlines()
            print('\n'.join(lines[-12:]))
        print('   details in %s: %s' % (where, ', '.join(sorted(details))))

    def addSuccess(self, test, details=None):
        super().addSuccess(test, details=details)
        self._record('passed (the breakage went unnoticed)', test, details)

    def addFailure(self, test, err=None, details=None):
        super().addFailure(test, err=err, details=details)
        self._record('FAILED', test, details)

    def addError(self, test, err=None, details=None):
        super().addError(test, err=err, details=details)
        self._record('ERROR', test, details)

    def addSkip(self, test, reason=None, details=None):
        super().addSkip(test, reason=reason, details=details)
        print('\n== skipped: %s: %s' % (test.id(), reason))


def plain_id(test):
    """The test's id without its [id-...] attributes: a loadable name."""
    return test.id().split('[')[0]


def test_names(args):
    package = 'dvr_tempest_plugin.tests.scenario'
    modules = ['test_api_placement', 'test_host_placement',
               'test_reachability', 'test_traffic_path',
               'test_agent_failure']
    loader = unittest.TestLoader()
    found = []
    for arg in args:
        if arg.startswith(package):
            found.append(arg)
            continue
        matches = []
        for module in modules:
            suite = loader.loadTestsFromName('%s.%s' % (package, module))
            for case in testtools.iterate_tests(suite):
                if arg in plain_id(case).split('.'):
                    matches.append(plain_id(case))
        if not matches:
            sys.exit('break_lab: no scenario test or class named %r' % arg)
        found += matches
    return found


def breakages_by_test(args):
    """test id -> Breakage, from BREAKAGE TEST... or TEST=BREAKAGE..."""
    if args and args[0] in BREAKAGES:
        breakage = BREAKAGES[args[0]]()
        return {name: breakage for name in test_names(args[1:])}
    found = {}
    for arg in args:
        test, _, name = arg.partition('=')
        if name not in BREAKAGES:
            sys.exit('%s: unknown breakage %r (see --list)' % (arg, name))
        for test_id in test_names([test]):
            found[test_id] = BREAKAGES[name]()
    return found


def main():
    args = sys.argv[1:]
    if args[:1] == ['--list'] or not args or (
            args[0] in BREAKAGES and len(args) < 2):
        print(__doc__)
        for name, cls in sorted(BREAKAGES.items()):
            print('  %-26s %s' % (name, cls.__doc__.splitlines()[0]))
        sys.exit(0 if args[:1] == ['--list'] else 2)
    os.environ.setdefault('TEMPEST_CONFIG_DIR', os.path.join(WORKSPACE,
                                                             'etc'))
    os.environ.setdefault('TEMPEST_CONFIG', 'tempest.conf')
    os.chdir(WORKSPACE)
    breakage_of = breakages_by_test(args)
    if not breakage_of:
        sys.exit('no scenario test matches %s' % ' '.join(args))
    install(breakage_of)
    suite = unittest.TestLoader().loadTestsFromNames(list(breakage_of))
    result = Report()
    started = time.monotonic()
    suite.run(result)
    print('\n%d run in %.0f s: %d failed, %d errors, %d skipped' % (
        result.testsRun, time.monotonic() - started, len(result.failures),
        len(result.errors), len(result.skip_reasons)))
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
