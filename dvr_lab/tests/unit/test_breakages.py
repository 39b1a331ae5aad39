"""The breakage catalogue: no root, no lab."""

import shlex

import fixtures

from oslo_config import cfg
import testtools

from dvr_lab.breakages import base
from dvr_lab.breakages import catalogue
from dvr_lab import settings
from dvr_tempest_plugin.common import settings as plugin_settings


class TestCatalogue(testtools.TestCase):

    def test_every_breakage_is_named_explained_and_undoable(self):
        for name, cls in catalogue.BREAKAGES.items():
            self.assertEqual(name, cls.name)
            self.assertTrue(issubclass(cls, base.Breakage), name)
            self.assertTrue(cls.__doc__ and cls.__doc__.strip(),
                            '%s has no docstring for --list' % name)
            self.assertTrue(catalogue.summary(cls), name)
            self.assertIsNot(cls.apply, base.Breakage.apply, name)
            if issubclass(cls, base.OptionsOnly):
                self.assertTrue(cls().conf, name)
            self.assertTrue(callable(cls.undo), name)

    def test_names_are_unique_across_kinds(self):
        names = [cls.name for kind in catalogue.KINDS
                 for cls in kind.BREAKAGES]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(36, len(names))

    def test_list_shows_usage_and_every_breakage_once(self):
        text = catalogue.listing()
        self.assertIn('dvr-lab break TEST=BREAKAGE...', text)
        self.assertIn('dvr-lab break BREAKAGE TEST...', text)
        for name, cls in catalogue.BREAKAGES.items():
            self.assertIn('  %-30s %s\n' % (name, catalogue.summary(cls)),
                          text)


class TestRequests(testtools.TestCase):

    def test_test_equals_breakage_gives_each_test_its_own(self):
        found = catalogue.requests(['test_a=no-snat', 'TestB=fg-down'])
        self.assertEqual(['test_a', 'TestB'], [t for t, _ in found])
        make = dict(found)
        self.assertEqual('no-snat', make['test_a']().name)
        self.assertEqual('fg-down', make['TestB']().name)
        self.assertIsNot(make['test_a'](), make['test_a']())

    def test_breakage_then_tests_shares_one(self):
        found = catalogue.requests(['snat-via-fip-ns', 'test_a', 'test_b'])
        self.assertEqual(['test_a', 'test_b'], [t for t, _ in found])
        first, second = (make() for _, make in found)
        self.assertIs(first, second)
        self.assertEqual('snat-via-fip-ns', first.name)

    def test_a_breakage_alone_asks_for_nothing(self):
        self.assertEqual([], catalogue.requests(['no-snat']))
        self.assertEqual([], catalogue.requests([]))

    def test_unknown_breakages_are_refused_by_name(self):
        for args, name in ((['test_x=no-such-breakage'], 'no-such-breakage'),
                           (['no-such-breakage', 'test_x'],
                            'no-such-breakage'),
                           (['test_x'], 'test_x')):
            error = self.assertRaises(catalogue.UnknownBreakage,
                                      catalogue.requests, args)
            self.assertIn(repr(name), str(error))


class TestAgentCommandOverrides(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.settings.layout',
            return_value=settings.layout('article')))

    def overriding(self):
        return {name: cls().conf for name, cls in catalogue.BREAKAGES.items()
                if cls.conf}

    def test_overrides_name_real_options(self):
        options = {plugin_settings.agent_command_option(kind, action)
                   for kind in plugin_settings.AGENT_KINDS
                   for action in plugin_settings.AGENT_ACTIONS}
        options |= {'expect_snat_failover', 'host_fail_command',
                    'host_restore_command'}
        for name, conf in self.overriding().items():
            self.assertLessEqual(set(conf), options, name)

    def test_agent_commands_survive_oslo_config(self):
        """Overrides read back as written, $ and all.

        oslo.config substitutes $name, so the breakages write $ as $$.
        """
        for name, conf in self.overriding().items():
            commands = {k: v for k, v in conf.items()
                        if k.endswith('_agent_%s_command' % k.split('_')[-2])
                        and k.split('_')[0] in plugin_settings.AGENT_KINDS}
            if not commands:
                continue
            self.assertEqual(len(plugin_settings.AGENT_ACTIONS),
                             len(commands), name)
            opts = cfg.ConfigOpts()
            opts.register_opts([cfg.StrOpt(key) for key in commands],
                               group='dvr')
            opts([], project='break-lab-test')
            for key, value in commands.items():
                opts.set_override(key, value, group='dvr')
                read = getattr(opts.dvr, key)
                self.assertEqual(value.replace('$$', '$'), read)
                argv = shlex.split(read)
                self.assertEqual(['sh', '-c'], argv[:2], key)
                self.assertIn(settings.AGENT_CTL, argv[2])


class FakeHaTest:
    """A DVR+HA scenario test as the HA breakages see it."""

    router = {'id': 'r0000000-0000-0000-0000-000000000000'}

    def __init__(self, states):
        self.states = states

    def router_l3_agents(self):
        return [{'host': host, 'ha_state': state}
                for host, state in self.states.items()]

    def router_gateway_ip(self):
        return '172.24.4.10'

    def router_ports(self, device_owner):
        return {
            'network:router_gateway': [{'id': 'gggggggg-1111'}],
            'network:router_centralized_snat': [{'id': 'ssssssss-1111'}],
            'network:router_ha_interface': [
                {'id': 'aaaaaaaa-1111', 'binding:host_id': 'cpnw1'},
                {'id': 'bbbbbbbb-1111', 'binding:host_id': 'cpnw2'}],
        }[device_owner]


class TestHaBreakages(testtools.TestCase):
    """The HA breakages touch the first standby's snat- namespace only."""

    SNAT = 'snat-' + FakeHaTest.router['id']

    def setUp(self):
        super().setUp()
        from dvr_lab.breakages import hosts
        self.commands = []
        for name in ('in_netns', 'ensure_iptables', 'remove_iptables'):
            self.patch(hosts, name,
                       lambda *args, name=name: self.commands.append(
                           (name,) + args))

    def test_standby_with_qg_adds_the_gateway_address_there(self):
        test = FakeHaTest({'cpnw1': 'active', 'cpnw2': 'standby'})
        breakage = catalogue.BREAKAGES['ha-standby-with-qg']()
        breakage.apply(test)
        # After a failover, the breakage still breaks the first standby.
        test.states = {'cpnw1': 'standby', 'cpnw2': 'active'}
        breakage.apply(test)
        breakage.undo(test)
        argv = ['ip', 'addr', '%s', '172.24.4.10/32', 'dev',
                'qg-gggggggg-11']
        self.assertEqual(
            [('in_netns', 'cpnw2', self.SNAT,
              [w.replace('%s', 'add') for w in argv])] * 2 +
            [('in_netns', 'cpnw2', self.SNAT,
              [w.replace('%s', 'del') for w in argv])], self.commands)

    def test_vrrp_blocked_on_the_standbys_ha_device(self):
        test = FakeHaTest({'cpnw1': 'standby', 'cpnw2': 'active'})
        breakage = catalogue.BREAKAGES['ha-vrrp-blocked']()
        breakage.apply(test)
        breakage.undo(test)
        rule = ['-i', 'ha-aaaaaaaa-11', '-p', '112', '-j', 'DROP']
        self.assertEqual(
            [('ensure_iptables', 'cpnw1', self.SNAT, 'INPUT', rule),
             ('remove_iptables', 'cpnw1', self.SNAT, 'INPUT', rule)],
            self.commands)

    def test_no_takeover_flushes_the_standbys_snat_devices(self):
        test = FakeHaTest({'cpnw1': 'active', 'cpnw2': 'standby'})
        catalogue.BREAKAGES['ha-no-takeover']().apply(test)
        self.assertEqual(
            [('in_netns', 'cpnw2', self.SNAT,
              ['ip', 'addr', 'flush', 'dev', device])
             for device in ('qg-gggggggg-11', 'sg-ssssssss-11')],
            self.commands)

    def test_nothing_without_a_standby(self):
        test = FakeHaTest({'cpnw1': 'active'})
        for name in ('ha-standby-with-qg', 'ha-vrrp-blocked',
                     'ha-no-takeover'):
            breakage = catalogue.BREAKAGES[name]()
            breakage.apply(test)
            breakage.undo(test)
        self.assertEqual([], self.commands)


class TestNodeFailureOverrides(testtools.TestCase):

    def test_fail_then_cut_the_other_hosts_fip(self):
        self.useFixture(fixtures.MockPatch(
            'dvr_lab.settings.layout',
            return_value=settings.layout('article')))
        conf = catalogue.BREAKAGES['node-fail-cuts-fip']().conf
        opts = cfg.ConfigOpts()
        opts.register_opts([cfg.StrOpt(key) for key in conf], group='dvr')
        opts([], project='break-lab-test')
        for key, value in conf.items():
            opts.set_override(key, value, group='dvr')
        fail = shlex.split(opts.dvr.host_fail_command)
        self.assertEqual(['sh', '-c'], fail[:2])
        self.assertEqual('{host}', fail[3])
        self.assertIn('host fail "$0" && ', fail[2])
        self.assertIn('[ "$0" = cpnw2 ] || nsenter', fail[2])
        self.assertIn('link set $dev down', fail[2])
        restore = shlex.split(opts.dvr.host_restore_command)
        self.assertTrue(restore[2].endswith('host restore "$0"'))


class FakePorts:

    def __init__(self, ports):
        self.ports = ports
        self.created, self.deleted = [], []

    def list_ports(self, **filters):
        return {'ports': [p for p in self.ports
                          if p['network_id'] == filters['network_id']]}

    def create_port(self, **kwargs):
        self.created.append(kwargs)
        return {'port': {'id': 'dup'}}

    def delete_port(self, port_id):
        self.deleted.append(port_id)


class FakeNetworks:

    def list_networks(self, **filters):
        return {'networks': [
            {'id': 'e1', 'name': 'tempest-FakeRaceTest-external-123'},
            {'id': 'pub', 'name': 'public'}]}


class FakeRaceTest:

    vm_hosts = {'A': 'cpnw2', 'B': 'cpnw1'}
    admin_networks_client = FakeNetworks()


class TestRacedFipGatewayPort(testtools.TestCase):

    def test_a_second_port_for_the_first_host_on_the_tests_network_only(
            self):
        test = FakeRaceTest()
        fg = {'device_owner': 'network:floatingip_agent_gateway',
              'device_id': 'agent1', 'binding:host_id': 'cpnw1'}
        test.admin_ports_client = FakePorts([
            dict(fg, id='p1', network_id='e1'),
            dict(fg, id='p2', network_id='pub')])
        breakage = catalogue.BREAKAGES['raced-fip-gateway-port']()
        breakage.apply(test)
        breakage.apply(test)
        self.assertEqual([{'network_id': 'e1',
                           'device_owner': 'network:floatingip_agent_gateway',
                           'device_id': 'agent1',
                           'binding:host_id': 'cpnw1'}],
                         test.admin_ports_client.created)
        breakage.undo(test)
        self.assertEqual(['dup'], test.admin_ports_client.deleted)

    def test_nothing_before_the_first_port(self):
        test = FakeRaceTest()
        test.admin_ports_client = FakePorts([])
        catalogue.BREAKAGES['raced-fip-gateway-port']().apply(test)
        self.assertEqual([], test.admin_ports_client.created)


class TestExtraRoutesDropped(testtools.TestCase):

    def test_flushes_static_routes_of_qrouter_on_vm1s_host(self):
        from dvr_lab.breakages import hosts
        commands = []
        self.patch(hosts, 'has_netns', lambda host, ns: True)
        self.patch(hosts, 'in_netns',
                   lambda *args: commands.append(args))
        test = type('T', (), {})()
        test.router = {'id': 'r1'}
        test.vms = {'vm1': type('Vm', (), {'host': 'cpnw1'})()}
        catalogue.BREAKAGES['extra-routes-dropped']().apply(test)
        self.assertEqual([('cpnw1', 'qrouter-r1',
                           ['ip', 'route', 'flush', 'proto', 'static'])],
                         commands)
