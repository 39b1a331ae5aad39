import configparser

import testtools

from dvr_lab import configs
from dvr_lab import inifile
from dvr_lab import services
from dvr_lab import settings


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

    def test_every_compute_host_runs_dvr_snat_l3_agent(self):
        for host in settings.COMPUTES:
            conf = parse(configs.l3_agent(host))
            self.assertEqual('dvr_snat', conf.get('DEFAULT', 'agent_mode'))

    def test_ovs_agent_is_distributed_with_arp_responder_on_netdev(self):
        host = settings.COMPUTES[0]
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

    def test_each_host_has_its_own_identity(self):
        names = {parse(configs.neutron_agent_base(h)).get('DEFAULT', 'host')
                 for h in settings.COMPUTES}
        self.assertEqual({h.name for h in settings.COMPUTES}, names)
        for host in settings.COMPUTES:
            nova = parse(configs.nova(host))
            self.assertEqual(host.name, nova.get('DEFAULT', 'host'))
            self.assertEqual('dvrlab.driver.NamespaceDriver',
                             nova.get('DEFAULT', 'compute_driver'))


class TestServices(testtools.TestCase):

    def test_names_are_unique(self):
        names = [svc.name for svc in services.all_services()]
        self.assertEqual(len(names), len(set(names)))

    def test_apis_listen_on_the_controller_only(self):
        for svc in services.api_services():
            self.assertIn('%s:%d' % (settings.CONTROLLER_IP,
                                     settings.PORTS[svc.name]), svc.argv)
            self.assertEqual('controller', svc.host.name)

    def test_agents_read_their_host_config(self):
        host = settings.COMPUTES[1]
        argv = services.agent(host, 'l3').argv
        self.assertIn(services.host_etc(host, 'neutron', 'l3_agent.ini'),
                      argv)
