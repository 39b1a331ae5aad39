"""Breakages of the router's namespaces and devices on the hosts."""

from dvr_lab.breakages import base
from dvr_lab.breakages import hosts
from dvr_tempest_plugin.common import naming


class NoSnat(base.Breakage):
    """Delete the router's snat- namespace wherever it is."""

    name = 'no-snat'

    def apply(self, test):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.snat(test)):
                hosts.run(host, ['ip', 'netns', 'delete', hosts.snat(test)])


class StraySnat(base.Breakage):
    """Create an empty snat-<router> on the hosts without the SNAT."""

    name = 'stray-snat'

    def apply(self, test):
        snat = hosts.snat(test)
        for host in hosts.agent_host_names():
            present = hosts.netns_names(host, '')
            if hosts.qrouter(test) in present and snat not in present:
                hosts.run(host, ['ip', 'netns', 'add', snat])


class NoQrouterOffSnatHost(base.Breakage):
    """Delete qrouter-<router> on the VM hosts that are not the SNAT host."""

    name = 'no-qrouter'

    def apply(self, test):
        snat_host = test.current_snat_host()
        for host in set(test.vm_hosts.values()) - {snat_host}:
            if hosts.has_netns(host, hosts.qrouter(test)):
                hosts.run(host, ['ip', 'netns', 'delete',
                                 hosts.qrouter(test)])


class NoFpr(base.Breakage):
    """Delete the router's rfp-/fpr- veth pair on every host."""

    name = 'no-fpr'

    def apply(self, test):
        fpr = hosts.fpr(test)
        for host in hosts.agent_host_names():
            if fpr in hosts.link_names(host, hosts.fip_ns(),
                                       naming.FIP_2_ROUTER_DEV_PREFIX):
                hosts.in_netns(host, hosts.fip_ns(),
                               ['ip', 'link', 'del', fpr])


class FgDown(base.Breakage):
    """Set the fg- devices of the fip namespaces down (undone after)."""

    name = 'fg-down'

    def set_fg(self, state):
        for host in hosts.agent_host_names():
            for dev in hosts.link_names(host, hosts.fip_ns(),
                                        naming.FIP_EXT_DEV_PREFIX):
                hosts.in_netns(host, hosts.fip_ns(),
                               ['ip', 'link', 'set', dev, state])

    def apply(self, test):
        self.set_fg('down')

    def undo(self, test):
        self.set_fg('up')


class QrouterLeftBehind(base.Breakage):
    """Keep a qrouter-<router> namespace on every agent host (undone after).

    What an L3 agent that never deletes a router's namespace leaves.
    """

    name = 'qrouter-left-behind'

    def __init__(self):
        self.added = set()

    def apply(self, test):
        for host in hosts.agent_host_names():
            if not hosts.has_netns(host, hosts.qrouter(test)):
                hosts.run(host, ['ip', 'netns', 'add', hosts.qrouter(test)])
                self.added.add(host)

    def undo(self, test):
        for host in sorted(self.added):
            if hosts.has_netns(host, hosts.qrouter(test)):
                hosts.run(host, ['ip', 'netns', 'delete',
                                 hosts.qrouter(test)])


class ExtraRoutesDropped(base.Breakage):
    """Flush the extra routes from qrouter-<router> on VM1's host.

    The L3 agent writes a router's routes as static routes (proto static)
    and does not look at them again until they change.
    """

    name = 'extra-routes-dropped'

    def apply(self, test):
        host = test.vms['vm1'].host
        if hosts.has_netns(host, hosts.qrouter(test)):
            hosts.in_netns(host, hosts.qrouter(test),
                           ['ip', 'route', 'flush', 'proto', 'static'])


class QrouterSendsRedirects(base.Breakage):
    """Let qrouter-<router> send ICMP redirects again (undone after).

    What a qrouter- namespace is until its L3 agent has processed the
    router's external gateway: net.ipv4.conf.all.send_redirects is 1.
    """

    name = 'qrouter-sends-redirects'

    def set_redirects(self, test, value):
        for host in hosts.agent_host_names():
            if hosts.has_netns(host, hosts.qrouter(test)):
                hosts.in_netns(host, hosts.qrouter(test), [
                    'sysctl', '-q', '-w',
                    'net.ipv4.conf.all.send_redirects=%d' % value])

    def apply(self, test):
        self.set_redirects(test, 1)

    def undo(self, test):
        self.set_redirects(test, 0)


BREAKAGES = (NoSnat, StraySnat, NoQrouterOffSnatHost, NoFpr, FgDown,
             QrouterLeftBehind, ExtraRoutesDropped, QrouterSendsRedirects)
