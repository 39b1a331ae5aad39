"""Unit tests of the pure parts of nova.virt.dvrlab (no root needed)."""

import os
import tempfile
import unittest

from dvr_lab.tests.nova_driver import _nova
from dvr_lab.tests.nova_driver._nova import naming
from dvr_lab.tests.nova_driver._nova import netinfo
from dvr_lab.tests.nova_driver._nova import plumbing
from dvr_lab.tests.nova_driver._nova import process


class TestNaming(unittest.TestCase):

    def test_tap_name_like_nova(self):
        self.assertEqual('tap3f8b2a44-5c',
                         naming.tap_name(_nova.PORT_A))
        self.assertEqual(14, len(naming.tap_name(_nova.PORT_A)))
        self.assertEqual('tapabc', naming.tap_name('x', devname='tapabc'))

    def test_server_devs(self):
        self.assertEqual(['eth0', 'eth1'],
                         [naming.server_dev_name(i) for i in range(2)])

    def test_host_side_mac(self):
        self.assertEqual('fe:16:3e:00:00:01',
                         naming.host_side_mac('FA:16:3E:00:00:01'))

    def test_paths(self):
        p = naming.InstancePaths('/x/instances', 'abc')
        self.assertEqual('/x/instances/abc', p.dir)
        self.assertEqual('/x/instances/abc/netns', p.netns)
        self.assertEqual('/x/instances/abc/sshd.pid', p.sshd_pid)
        for bad in ('', '..', 'a/b'):
            self.assertRaises(ValueError, naming.InstancePaths, '/x', bad)

    def test_sshd_config(self):
        p = naming.InstancePaths('/x/instances', 'abc')
        conf = naming.render_sshd_config(p).splitlines()
        for line in ('ListenAddress 0.0.0.0:22',
                     'HostKey /x/instances/abc/ssh_host_ed25519_key',
                     'PidFile /x/instances/abc/sshd.pid',
                     'AuthorizedKeysFile /x/instances/abc/authorized_keys',
                     'PermitRootLogin prohibit-password',
                     'PasswordAuthentication no', 'UsePAM no', 'UseDNS no'):
            self.assertIn(line, conf)

    def test_sshd_config_refuses_spaces(self):
        p = naming.InstancePaths('/x/my instances', 'abc')
        self.assertRaises(ValueError, naming.render_sshd_config, p)

    def test_authorized_keys(self):
        self.assertEqual('', naming.render_authorized_keys(None))
        self.assertEqual('ssh-ed25519 AAA a\nssh-rsa BBB b\n',
                         naming.render_authorized_keys(
                             ' ssh-ed25519 AAA a\n\nssh-rsa BBB b'))


class TestNetinfo(unittest.TestCase):

    def test_plan(self):
        plans = netinfo.plan_vifs(_nova.make_network_info())
        a, b = plans
        self.assertEqual(('tap' + _nova.PORT_A[:11], 'eth0'), (a.tap, a.dev))
        self.assertEqual(('tap' + _nova.PORT_B[:11], 'eth1'), (b.tap, b.dev))
        self.assertEqual('fa:16:3e:00:00:01', a.mac)
        self.assertEqual((1450, 1400), (a.mtu, b.mtu))
        self.assertEqual(['10.99.0.5/24'], a.addresses)   # IPv6 ignored
        self.assertEqual(['10.98.0.7/24', '10.98.0.8/24'], b.addresses)
        # Only the first subnet with a gateway gives the default route.
        self.assertEqual(('10.99.0.1', None), (a.gateway, b.gateway))
        self.assertEqual('br-int', a.bridge)
        self.assertEqual(_nova.PORT_A, a.iface_id)
        self.assertEqual((False, True), (a.active, b.active))

    def test_plan_from_hydrated_json(self):
        nwinfo = _nova.model.NetworkInfo.hydrate(
            _nova.make_network_info().json())
        self.assertEqual(netinfo.plan_vifs(_nova.make_network_info()),
                         netinfo.plan_vifs(nwinfo))

    def test_defaults(self):
        vif = _nova.make_vif(_nova.PORT_A, 'fa:16:3e:00:00:09', [],
                             '10.99.0.0/24', mtu=None, bridge=None)
        plan, = netinfo.plan_vifs([vif])
        self.assertEqual((1500, 'br-int', [], None),
                         (plan.mtu, plan.bridge, plan.addresses, plan.gateway))

    def test_unsupported_vif_type(self):
        vif = _nova.make_vif(_nova.PORT_A, 'fa:16:3e:00:00:09', [],
                             '10.99.0.0/24', vif_type='binding_failed')
        self.assertRaises(netinfo.UnsupportedVif, netinfo.plan_vifs, [vif])

    def test_events_only_for_inactive(self):
        self.assertEqual([('network-vif-plugged', _nova.PORT_A)],
                         netinfo.events_to_wait_for(
                             _nova.make_network_info()))
        self.assertEqual([], netinfo.events_to_wait_for(None))

    def test_dict_round_trip(self):
        for plan in netinfo.plan_vifs(_nova.make_network_info()):
            self.assertEqual(plan, netinfo.plan_from_dict(
                netinfo.plan_to_dict(plan)))


class TestPlumbingPure(unittest.TestCase):

    def test_server_side_commands(self):
        a, b = netinfo.plan_vifs(_nova.make_network_info())
        self.assertEqual([
            'link set dev eth0 address fa:16:3e:00:00:01 mtu 1450',
            'address replace 10.99.0.5/24 dev eth0',
            'link set dev eth0 up',
            'route replace default via 10.99.0.1 dev eth0'],
            plumbing.server_side_commands(a, up=True))
        self.assertEqual([
            'link set dev eth1 address fa:16:3e:00:00:02 mtu 1400',
            'address replace 10.98.0.7/24 dev eth1',
            'address replace 10.98.0.8/24 dev eth1'],
            plumbing.server_side_commands(b, up=False))

    def test_regular_file_is_not_a_netns(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'netns')
            self.assertFalse(plumbing.netns_is_mounted(path))
            open(path, 'w').close()
            self.assertFalse(plumbing.netns_is_mounted(path))
            self.assertEqual([], plumbing.netns_pids(path))

    def test_is_server_sshd_rejects_other_processes(self):
        p = naming.InstancePaths('/x', 'abc')
        self.assertFalse(plumbing.is_server_sshd(os.getpid(), p))
        self.assertFalse(plumbing.is_server_sshd(None, p))

    def test_run_raises_with_stderr(self):
        e = self.assertRaises(process.CommandFailed, process.run,
                              ['sh', '-c', 'echo boom >&2; exit 3'])
        self.assertIn('boom', str(e))
        self.assertIn('exit status 3', str(e))

    def test_run_timeout(self):
        e = self.assertRaises(process.CommandFailed, process.run,
                              ['sleep', '5'], timeout=0.2)
        self.assertIn('timed out', str(e))

    def test_run_missing_binary(self):
        self.assertRaises(process.CommandFailed, process.run,
                          ['/nonexistent/binary'])

    def test_in_netns(self):
        self.assertEqual(['nsenter', '--net=/a/netns', '--', 'ip', 'a'],
                         process.in_netns('/a/netns', ['ip', 'a']))

    def assertRaises(self, exc, func, *args, **kwargs):
        try:
            func(*args, **kwargs)
        except exc as e:
            return e
        self.fail('%s not raised' % exc.__name__)


if __name__ == '__main__':
    unittest.main()
