import configparser
import os

import fixtures
import testtools

from dvr_lab import configs
from dvr_lab import inifile
from dvr_lab import services
from dvr_lab import settings
from dvr_lab.tests.unit import lab_fixtures


def parse(sections):
    parser = configparser.RawConfigParser()
    parser.read_string(inifile.render(sections))
    return parser


class TestIniFile(testtools.TestCase):

    def test_values_are_rendered_as_oslo_config_reads_them(self):
        text = inifile.render({'DEFAULT': {'a': True, 'b': ['x', 'y'],
                                           'c': None, 'd': 5}})
        self.assertEqual('[DEFAULT]\na = true\nb = x,y\nd = 5\n', text)


class TestNeutronDvrSettings(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lab_fixtures.LabStateDir())

    def test_server_makes_routers_distributed_and_fails_over_snat(self):
        conf = parse(configs.neutron_server())
        self.assertEqual('true', conf.get('DEFAULT', 'router_distributed'))
        self.assertEqual('true', conf.get(
            'DEFAULT', 'allow_automatic_l3agent_failover'))

    def test_dead_agents_are_seen_within_thirty_seconds(self):
        down = int(parse(configs.neutron_server()).get(
            'DEFAULT', 'agent_down_time'))
        report = configs.AGENT_REPORT_INTERVAL
        self.assertLessEqual(down, 30)
        self.assertGreaterEqual(down, 2 * report)

    def test_article_layout_every_host_is_compute_and_dvr_snat(self):
        hosts = settings.LAYOUTS['article']
        self.assertEqual(2, len(hosts))
        for host in hosts:
            self.assertTrue(host.compute)
            conf = parse(configs.l3_agent(host))
            self.assertEqual('dvr_snat', conf.get('DEFAULT', 'agent_mode'))

    def test_standard_layout_network_node_dvr_snat_computes_dvr(self):
        modes = {(h.compute, parse(configs.l3_agent(h)).get(
            'DEFAULT', 'agent_mode')) for h in settings.LAYOUTS['standard']}
        self.assertEqual({(False, 'dvr_snat'), (True, 'dvr')}, modes)
        computes = [h for h in settings.LAYOUTS['standard'] if h.compute]
        self.assertEqual(2, len(computes))

    def test_no_external_computes_have_no_external_network(self):
        hosts = settings.LAYOUTS['no-external']
        modes = {(h.compute, parse(configs.l3_agent(h)).get(
            'DEFAULT', 'agent_mode')) for h in hosts}
        self.assertEqual({(False, 'dvr_snat'), (True, 'dvr_no_external')},
                         modes)
        for host in hosts:
            conf = parse(configs.ovs_agent(host))
            self.assertEqual(not host.compute,
                             conf.has_option('ovs', 'bridge_mappings'),
                             host.name)
            self.assertEqual(not host.compute, host.external, host.name)

    def test_ovs_agent_is_distributed_with_arp_responder_on_netdev(self):
        host = settings.layout('article').computes[0]
        conf = parse(configs.ovs_agent(host))
        self.assertEqual('true', conf.get('agent',
                                          'enable_distributed_routing'))
        self.assertEqual('true', conf.get('agent', 'arp_responder'))
        self.assertEqual('true', conf.get('agent', 'l2_population'))
        self.assertEqual('netdev', conf.get('ovs', 'datapath_type'))
        self.assertEqual(host.tunnel_ip, conf.get('ovs', 'local_ip'))

    def test_tenant_networks_are_vxlan_and_public_is_flat(self):
        conf = parse(configs.ml2())
        self.assertEqual('vxlan', conf.get('ml2', 'tenant_network_types'))
        self.assertEqual(settings.PHYSNET,
                         conf.get('ml2_type_flat', 'flat_networks'))

    def test_agents_privsep_pool_outgrows_two_cpus(self):
        host = settings.layout('article').computes[0]
        conf = parse(configs.neutron_agent_base(host))
        self.assertGreaterEqual(
            int(conf.get('privsep', 'thread_pool_size')), 8)

    def test_each_host_has_its_own_identity(self):
        computes = settings.layout('article').computes
        names = {parse(configs.neutron_agent_base(h)).get('DEFAULT', 'host')
                 for h in computes}
        self.assertEqual({h.name for h in computes}, names)
        for host in computes:
            nova = parse(configs.nova(host))
            self.assertEqual(host.name, nova.get('DEFAULT', 'host'))
            self.assertEqual('libvirt.LibvirtDriver',
                             nova.get('DEFAULT', 'compute_driver'))

    def test_nova_runs_qemu_unless_told_kvm_works(self):
        host = settings.layout('article').computes[0]
        self.assertEqual('qemu', parse(configs.nova(host)).get(
            'libvirt', 'virt_type'))
        self.assertEqual('none', parse(configs.nova(host)).get(
            'libvirt', 'cpu_mode'))
        self.assertEqual('kvm', parse(configs.nova(host, 'kvm')).get(
            'libvirt', 'virt_type'))

    def test_privsep_helpers_run_without_sudo(self):
        host = settings.layout('article').computes[0]
        nova = parse(configs.nova(host))
        for section in configs.PRIVSEP_SECTIONS['nova']:
            helper = nova.get(section, 'helper_command')
            self.assertNotIn('sudo', helper)
            self.assertIn(settings.venv_bin('privsep-helper'), helper)

    def test_dnsmasq_logs_each_host_apart(self):
        layout = settings.layout('article')
        dirs = {parse(configs.dhcp_agent(host)).get(
            'DEFAULT', 'dnsmasq_base_log_dir') for host in layout.computes}
        self.assertEqual({os.path.join(settings.LOG_DIR, '%s-dnsmasq' % h.name)
                          for h in layout.computes}, dirs)

    def test_metadata_secret_shared_by_nova_and_the_agents(self):
        host = settings.layout('article').computes[0]
        nova = parse(configs.nova())
        agent = parse(configs.metadata_agent(host))
        self.assertEqual(
            nova.get('neutron', 'metadata_proxy_shared_secret'),
            agent.get('DEFAULT', 'metadata_proxy_shared_secret'))
        self.assertEqual('true', parse(configs.l3_agent(host)).get(
            'DEFAULT', 'enable_metadata_proxy'))


class TestServices(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lab_fixtures.LabStateDir())

    def test_names_are_unique(self):
        for layout in settings.LAYOUTS:
            names = [svc.name for svc in services.all_services(
                settings.layout(layout))]
            self.assertEqual(len(names), len(set(names)))

    def test_apis_listen_on_the_controller_only(self):
        for svc in services.api_services():
            self.assertIn('%s:%d' % (settings.CONTROLLER_IP,
                                     settings.PORTS[svc.name]), svc.argv)
            self.assertEqual('controller', svc.host.name)

    def test_dhcp_agents_only_where_snat_may_live(self):
        for name in settings.LAYOUTS:
            for host in settings.layout(name).agent_hosts:
                self.assertEqual(host.l3_agent_mode == 'dvr_snat',
                                 'dhcp' in services.host_agents(host))
                self.assertIn('metadata', services.host_agents(host))

    def test_computes_run_their_own_libvirt_before_nova(self):
        host = settings.layout('standard').computes[0]
        names = [svc.name for svc in services.host_daemons(host)]
        self.assertLess(names.index('cpnw1-libvirtd'),
                        names.index('cpnw1-nova-compute'))
        self.assertLess(names.index('cpnw1-virtlogd'),
                        names.index('cpnw1-libvirtd'))
        network = settings.layout('standard').host('network1')
        self.assertNotIn('network1-libvirtd', [
            svc.name for svc in services.host_daemons(network)])

    def test_agents_read_their_host_config(self):
        host = settings.layout('article').computes[1]
        argv = services.agent(host, 'l3').argv
        self.assertIn(services.host_etc(host, 'neutron', 'l3_agent.ini'),
                      argv)


class TestLayouts(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lab_fixtures.LabStateDir())

    def test_standard_layout_runs_agents_but_no_nova_on_network_node(self):
        layout = settings.layout('standard')
        names = [svc.name for svc in services.all_services(layout)]
        self.assertIn('network1-neutron-l3-agent', names)
        self.assertIn('network1-neutron-openvswitch-agent', names)
        self.assertNotIn('network1-nova-compute', names)
        self.assertIn('cpnw2-nova-compute', names)
        self.assertEqual(['cpnw1', 'cpnw2'],
                         [h.name for h in layout.computes])

    def test_every_agent_host_is_reachable_over_ssh_from_tempest(self):
        from dvr_lab import tempest_workspace
        for name in settings.LAYOUTS:
            layout = settings.layout(name)
            dvr = tempest_workspace.tempest_conf(layout, 'i', 'f', 'n')['dvr']
            self.assertEqual(
                {h.name for h in layout.agent_hosts},
                {pair.split(':')[0]
                 for pair in dvr['host_ssh_addresses'].split(',')})

    def test_snat_failover_is_expected_only_with_two_dvr_snat_hosts(self):
        from dvr_lab import tempest_workspace
        expected = {'article': True, 'standard': False}
        for name, failover in expected.items():
            dvr = tempest_workspace.tempest_conf(
                settings.layout(name), 'i', 'f', 'n')['dvr']
            self.assertEqual(failover, dvr['expect_snat_failover'])

    def test_unknown_layout_is_refused_by_name(self):
        error = self.assertRaises(ValueError, settings.layout, 'flat')
        self.assertIn("no lab layout 'flat' (layouts: article, "
                      "no-external, standard)", str(error))


class TestLayoutOfTheBuiltLab(testtools.TestCase):

    def setUp(self):
        super().setUp()
        state = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MonkeyPatch(
            'dvr_lab.settings.LAYOUT_FILE', os.path.join(state, 'layout')))
        self.useFixture(fixtures.EnvironmentVariable(
            settings.LAYOUT_VARIABLE, 'no-such-layout'))

    def test_no_lab_built_means_the_default_whatever_the_variable(self):
        self.assertEqual(settings.DEFAULT_LAYOUT, settings.layout().name)

    def test_the_recorded_layout_wins(self):
        settings.record_layout(settings.layout('standard'))
        self.assertEqual('standard', settings.layout().name)
        self.assertEqual('network1',
                         settings.layout().host('network1').name)

    def test_only_up_reads_the_variable(self):
        self.assertEqual('no-such-layout', settings.requested_layout())
        self.assertRaises(settings.UnknownLayout, settings.layout,
                          settings.requested_layout())


class TestAgentCommands(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lab_fixtures.LabStateDir())

    def test_every_kind_and_action_runs_the_console_script(self):
        from dvr_lab import tempest_workspace
        from dvr_tempest_plugin.common import settings as plugin_settings
        dvr = tempest_workspace.tempest_conf(
            settings.layout('article'), 'i', 'f', 'n')['dvr']
        for kind in plugin_settings.AGENT_KINDS:
            for action in plugin_settings.AGENT_ACTIONS:
                option = plugin_settings.agent_command_option(kind, action)
                self.assertEqual([settings.AGENT_CTL, action, kind],
                                 dvr[option].split())

    def test_the_console_script_is_declared(self):
        setup = configparser.ConfigParser()
        setup.read(os.path.join(os.path.dirname(__file__), '..', '..', '..',
                                'setup.cfg'))
        scripts = setup.get('entry_points', 'console_scripts')
        self.assertIn('dvr-lab-agent = dvr_lab.agentctl:main', scripts)
        self.assertEqual('dvr-lab-agent',
                         os.path.basename(settings.AGENT_CTL))
