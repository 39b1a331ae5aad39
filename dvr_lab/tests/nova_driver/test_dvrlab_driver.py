"""Unit tests of NamespaceDriver logic with the host plumbing mocked."""

import contextlib
import json
import os
import shutil
import tempfile
import types
import unittest
from unittest import mock

from dvr_lab.tests.nova_driver import _nova
from dvr_lab.tests.nova_driver._nova import driver as dvrlab_driver
from dvr_lab.tests.nova_driver._nova import plumbing

from nova.compute import power_state
from nova.compute import provider_tree
import nova.conf
from nova import exception
from nova.virt import driver as virt_driver
import nova.virt.node

CONF = nova.conf.CONF
UUID = '6d0c1f1e-2f7a-4a8e-9d55-0a1b2c3d4e5f'


def setUpModule():
    # Parse an empty command line so that CONF.config_file exists.
    CONF([], project='nova', default_config_files=[])


class FakeVirtAPI(object):

    def __init__(self, raise_on_exit=None):
        self.calls = []
        self.raise_on_exit = raise_on_exit

    @contextlib.contextmanager
    def wait_for_instance_event(self, instance, event_names, timeout=300,
                                error_callback=None):
        self.calls.append((instance.uuid, list(event_names), timeout,
                           error_callback))
        yield
        if self.raise_on_exit:
            raise self.raise_on_exit


def make_instance(uuid=UUID):
    return types.SimpleNamespace(
        uuid=uuid, name='instance-00000001', key_data='ssh-ed25519 AAAA k',
        flavor=types.SimpleNamespace(vcpus=1, memory_mb=128, root_gb=1,
                                     ephemeral_gb=0))


class DriverTestCase(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='dvrlab-test-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.instances = os.path.join(self.tmp, 'instances')
        os.makedirs(self.instances)
        for name, value in (('instances_path', self.instances),
                            ('state_path', self.tmp), ('host', 'cpnw1'),
                            ('my_ip', '10.250.0.11'),
                            ('vif_plugging_timeout', 7),
                            ('vif_plugging_is_fatal', True)):
            CONF.set_override(name, value)
            self.addCleanup(CONF.clear_override, name)
        nova.virt.node.LOCAL_NODE_UUID = None
        self.addCleanup(setattr, nova.virt.node, 'LOCAL_NODE_UUID', None)
        self.virtapi = FakeVirtAPI()
        self.drv = dvrlab_driver.NamespaceDriver(self.virtapi)

    def write_state(self, uuid=UUID, **state):
        d = os.path.join(self.instances, uuid)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'server.json'), 'w') as f:
            json.dump(dict({'uuid': uuid, 'name': 'instance-1', 'vifs': [],
                            'power': 'running', 'sshd_pid': None}, **state),
                      f)


class TestLoading(DriverTestCase):

    def test_loaded_by_nova(self):
        drv = virt_driver.load_compute_driver(
            self.virtapi, 'dvrlab.driver.NamespaceDriver')
        self.assertIsInstance(drv, virt_driver.ComputeDriver)
        self.assertEqual('nova.virt.dvrlab.driver', type(drv).__module__)

    def test_capabilities(self):
        caps = self.drv.capabilities
        self.assertEqual(set(virt_driver.ComputeDriver.capabilities),
                         set(caps))
        for name, value in caps.items():
            self.assertEqual(name.startswith('supports_image_type_'), value,
                             name)


class TestState(DriverTestCase):

    def test_get_info_missing(self):
        self.assertRaises(exception.InstanceNotFound, self.drv.get_info,
                          make_instance())
        self.assertFalse(self.drv.instance_exists(make_instance()))

    def test_get_info_unreadable_state(self):
        os.makedirs(os.path.join(self.instances, UUID))
        self.assertEqual(power_state.NOSTATE,
                         self.drv.get_info(make_instance()).state)

    def test_get_info_without_namespace(self):
        self.write_state()
        self.assertEqual(power_state.SHUTDOWN,
                         self.drv.get_info(make_instance()).state)
        self.assertTrue(self.drv.instance_exists(make_instance()))

    def test_get_info_running(self):
        self.write_state(vifs=[_nova.netinfo.plan_to_dict(p) for p in
                               _nova.netinfo.plan_vifs(
                                   _nova.make_network_info())])
        up = {'flags': ['BROADCAST', 'UP', 'LOWER_UP']}
        with mock.patch.object(plumbing, 'netns_is_mounted',
                               return_value=True), \
                mock.patch.object(plumbing, 'is_server_sshd',
                                  return_value=True), \
                mock.patch.object(plumbing, 'server_links',
                                  return_value={'eth0': up, 'eth1': up}):
            self.assertEqual(power_state.RUNNING,
                             self.drv.get_info(make_instance()).state)
        with mock.patch.object(plumbing, 'netns_is_mounted',
                               return_value=True), \
                mock.patch.object(plumbing, 'is_server_sshd',
                                  return_value=True), \
                mock.patch.object(plumbing, 'server_links',
                                  return_value={'eth0': up}):
            self.assertEqual(power_state.SHUTDOWN,
                             self.drv.get_info(make_instance()).state)

    def test_list_instances(self):
        self.write_state(name='instance-a')
        os.makedirs(os.path.join(self.instances, '_base'))
        os.makedirs(os.path.join(self.instances,
                                 '11111111-2222-3333-4444-555555555555'))
        self.assertEqual([UUID], self.drv.list_instance_uuids())
        self.assertEqual(['instance-a'], self.drv.list_instances())
        self.assertEqual(1, self.drv.get_num_instances())


class TestResources(DriverTestCase):

    def test_nodes_and_stable_uuid(self):
        self.assertEqual(['cpnw1'], self.drv.get_available_nodes())
        res = self.drv.get_available_resource('cpnw1')
        node_uuid = res['uuid']
        with open(os.path.join(self.tmp, 'compute_id')) as f:
            self.assertEqual(node_uuid, f.read().strip())
        nova.virt.node.LOCAL_NODE_UUID = None    # "restart"
        drv2 = dvrlab_driver.NamespaceDriver(self.virtapi)
        self.assertEqual({node_uuid: 'cpnw1'}, drv2.get_nodenames_by_uuid())
        self.assertEqual('cpnw1', res['hypervisor_hostname'])
        self.assertEqual('10.250.0.11', self.drv.get_host_ip_addr())

    def test_used(self):
        self.write_state(flavor={'vcpus': 2, 'memory_mb': 256, 'root_gb': 1})
        res = self.drv.get_available_resource('cpnw1')
        self.assertEqual((2, 256, 1), (res['vcpus_used'],
                                       res['memory_mb_used'],
                                       res['local_gb_used']))
        self.assertGreaterEqual(res['vcpus'], dvrlab_driver.MIN_VCPUS)

    def test_update_provider_tree(self):
        tree = provider_tree.ProviderTree()
        tree.new_root('cpnw1', nova.virt.node.get_local_node_uuid())
        self.drv.update_provider_tree(tree, 'cpnw1')
        inv = tree.data('cpnw1').inventory
        self.assertEqual({'VCPU', 'MEMORY_MB', 'DISK_GB'}, set(inv))
        self.assertEqual(CONF.initial_cpu_allocation_ratio,
                         inv['VCPU']['allocation_ratio'])
        self.assertEqual(CONF.initial_ram_allocation_ratio,
                         inv['MEMORY_MB']['allocation_ratio'])
        self.assertGreaterEqual(inv['DISK_GB']['total'],
                                dvrlab_driver.MIN_LOCAL_GB)

    def test_shared_default_state_path_refused(self):
        CONF.set_override('state_path', CONF.pybasedir)
        with mock.patch.object(nova.virt.node, 'read_local_node_uuid',
                               return_value=None):
            self.assertRaises(exception.InvalidNodeConfiguration,
                              self.drv.init_host, 'cpnw1')


class TestSpawn(DriverTestCase):

    def setUp(self):
        super().setUp()
        self.mocks = {}
        for name, ret in (('create_netns', None), ('plug_vif', True),
                          ('prepare_sshd', None), ('start_sshd', 4242),
                          ('set_server_links', None),
                          ('stop_server_processes', None),
                          ('unplug_vif', None), ('delete_netns', None),
                          ('ovs_ports_of_vms', {})):
            p = mock.patch.object(plumbing, name, return_value=ret)
            self.mocks[name] = p.start()
            self.addCleanup(p.stop)

    def spawn(self, network_info=None, power_on=True):
        self.drv.spawn(None, make_instance(), None, [], None, {},
                       network_info or _nova.make_network_info(),
                       power_on=power_on)

    def state(self):
        with open(os.path.join(self.instances, UUID, 'server.json')) as f:
            return json.load(f)

    def test_spawn_waits_for_inactive_vifs(self):
        self.spawn()
        (uuid, events, timeout, callback), = self.virtapi.calls
        self.assertEqual([('network-vif-plugged', _nova.PORT_A)], events)
        self.assertEqual(7, timeout)
        self.assertIsNotNone(callback)
        self.assertEqual(2, self.mocks['plug_vif'].call_count)
        state = self.state()
        self.assertEqual(('running', 4242), (state['power'],
                                             state['sshd_pid']))
        self.assertEqual(['eth0', 'eth1'], [v['dev'] for v in state['vifs']])
        self.assertEqual(1, state['flavor']['vcpus'])

    def test_spawn_powered_off_does_not_wait(self):
        self.spawn(power_on=False)
        self.assertEqual([], self.virtapi.calls[0][1])
        self.assertFalse(self.mocks['start_sshd'].called)
        self.assertEqual('shutdown', self.state()['power'])

    def test_timeout_fatal(self):
        self.virtapi.raise_on_exit = exception.InstanceEventTimeout()
        self.assertRaises(exception.VirtualInterfaceCreateException,
                          self.spawn)
        self.assertTrue(self.mocks['stop_server_processes'].called)
        self.assertEqual(2, self.mocks['unplug_vif'].call_count)
        self.assertTrue(self.mocks['delete_netns'].called)
        self.assertFalse(os.path.exists(os.path.join(self.instances, UUID)))

    def test_timeout_not_fatal(self):
        CONF.set_override('vif_plugging_is_fatal', False)
        self.virtapi.raise_on_exit = exception.InstanceEventTimeout()
        self.spawn()
        self.assertEqual('running', self.state()['power'])

    def test_neutron_failure_callback(self):
        self.assertRaises(exception.VirtualInterfaceCreateException,
                          self.drv._neutron_failed_callback,
                          'network-vif-plugged', make_instance())

    def test_unsupported_vif(self):
        vif = _nova.make_vif(_nova.PORT_A, 'fa:16:3e:00:00:09', [],
                             '10.99.0.0/24', vif_type='binding_failed')
        self.assertRaises(exception.VirtualInterfacePlugException,
                          self.spawn, _nova.model.NetworkInfo([vif]))

    def test_destroy_idempotent(self):
        self.spawn()
        self.drv.destroy(None, make_instance(), _nova.make_network_info())
        self.assertFalse(os.path.exists(os.path.join(self.instances, UUID)))
        self.drv.destroy(None, make_instance(), _nova.make_network_info())

    def test_power_off_on(self):
        self.spawn()
        self.drv.power_off(make_instance())
        self.assertEqual('shutdown', self.state()['power'])
        self.mocks['set_server_links'].assert_called_with(
            mock.ANY, mock.ANY, False)
        with mock.patch.object(plumbing, 'netns_is_mounted',
                               return_value=True):
            self.drv.power_on(None, make_instance(),
                              _nova.make_network_info())
        self.assertEqual('running', self.state()['power'])

    def test_power_off_missing(self):
        self.assertRaises(exception.InstanceNotFound, self.drv.power_off,
                          make_instance())


class TestLauncher(unittest.TestCase):

    def test_path_extended_once(self):
        from dvr_lab import nova_compute
        import nova.virt
        nova_compute.extend_nova_virt_path()
        nova_compute.extend_nova_virt_path()
        self.assertEqual(1, list(nova.virt.__path__).count(
            nova_compute.NOVA_VIRT_DIR))
        self.assertTrue(os.path.isdir(os.path.join(
            nova_compute.NOVA_VIRT_DIR, 'dvrlab')))


if __name__ == '__main__':
    unittest.main()
