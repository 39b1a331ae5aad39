"""NamespaceDriver: a real ComputeDriver whose servers are netns + sshd.

nova.conf: ``compute_driver = dvrlab.driver.NamespaceDriver`` (the lab
launcher makes this package importable as ``nova.virt.dvrlab``).

Per server, in ``CONF.instances_path/<uuid>/``:
  netns           bind mount of the server's network namespace
  server.json     what was plumbed (VIFs), sshd PID, wanted power state
  sshd_config, ssh_host_ed25519_key, authorized_keys, sshd.pid
  console.log     sshd's output (get_console_output)
"""

import json
import os
import platform
import shutil
import time

import os_resource_classes as orc
from oslo_concurrency import lockutils
from oslo_log import log as logging
from oslo_serialization import jsonutils
from oslo_utils import excutils
from oslo_utils import uuidutils
from oslo_utils import versionutils

from nova.compute import power_state
import nova.conf
from nova import exception
from nova.objects import fields as obj_fields
from nova.virt import driver
from nova.virt import hardware
import nova.virt.node

from . import naming
from . import netinfo
from . import plumbing
from . import process

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

# Namespaces cost next to nothing: report a generous fixed inventory
# (or the machine's, when larger).
MIN_VCPUS = 32
MIN_MEMORY_MB = 65536
MIN_LOCAL_GB = 500
CONSOLE_LOG_LIMIT = 64 * 1024

POWER_RUNNING = 'running'
POWER_SHUTDOWN = 'shutdown'
POWER_BUILDING = 'building'


def _machine_memory_mb():
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal:'):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _machine_disk_gb(path):
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return st.f_blocks * st.f_frsize // (1024 ** 3)


class NamespaceDriver(driver.ComputeDriver):
    """Servers are network namespaces with an sshd, plugged into br-int."""

    capabilities = dict(driver.ComputeDriver.capabilities)
    capabilities.update({
        # The image content is ignored: every image type is accepted.
        'supports_image_type_aki': True,
        'supports_image_type_ami': True,
        'supports_image_type_ari': True,
        'supports_image_type_iso': True,
        'supports_image_type_qcow2': True,
        'supports_image_type_raw': True,
        'supports_image_type_vdi': True,
        'supports_image_type_vhd': True,
        'supports_image_type_vhdx': True,
        'supports_image_type_vmdk': True,
        'supports_image_type_ploop': True,
    })

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi)
        self._host = None

    # -- helpers ---------------------------------------------------------

    @staticmethod
    def _paths(instance_or_uuid):
        uuid = getattr(instance_or_uuid, 'uuid', instance_or_uuid)
        return naming.InstancePaths(CONF.instances_path, uuid)

    @staticmethod
    def _lock(uuid):
        return lockutils.lock('dvrlab-server-%s' % uuid)

    @staticmethod
    def _load_state(paths):
        try:
            with open(paths.state) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    @staticmethod
    def _save_state(paths, state):
        plumbing.write_file(paths.state,
                            json.dumps(state, indent=1, sort_keys=True) + '\n',
                            0o600)

    @staticmethod
    def _state_plans(state):
        return [netinfo.plan_from_dict(v) for v in (state or {}).get(
            'vifs') or []]

    @staticmethod
    def _plans(network_info):
        try:
            return netinfo.plan_vifs(network_info)
        except (netinfo.UnsupportedVif, KeyError, ValueError) as e:
            raise exception.VirtualInterfacePlugException(str(e))

    @staticmethod
    def _taps_of(network_info):
        taps = []
        for vif in network_info or []:
            if vif.get('id'):
                taps.append(naming.tap_name(vif['id'], vif.get('devname')))
        return taps

    def _require_state(self, instance):
        paths = self._paths(instance)
        state = self._load_state(paths)
        if state is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return paths, state

    @staticmethod
    def _flavor_record(instance):
        try:
            flavor = instance.flavor
            return {'vcpus': int(flavor.vcpus),
                    'memory_mb': int(flavor.memory_mb),
                    'root_gb': int(flavor.root_gb) +
                    int(flavor.ephemeral_gb or 0)}
        except Exception:
            return {'vcpus': 0, 'memory_mb': 0, 'root_gb': 0}

    def _neutron_failed_callback(self, event_name, instance):
        LOG.error('Neutron reported failure on event %(event)s for '
                  'instance %(uuid)s',
                  {'event': event_name, 'uuid': instance.uuid},
                  instance=instance)
        if CONF.vif_plugging_is_fatal:
            raise exception.VirtualInterfaceCreateException()

    def _plumb(self, instance, paths, state, plans, up):
        """Namespace + VIFs as planned; VIFs no longer planned are removed."""
        plumbing.create_netns(paths.netns)
        wanted = {p.tap for p in plans}
        for old in self._state_plans(state):
            if old.tap not in wanted:
                plumbing.unplug_vif(old.tap, owner=instance.uuid)
        for plan in plans:
            plumbing.plug_vif(paths.netns, plan, instance.uuid, up=up)
        state['vifs'] = [netinfo.plan_to_dict(p) for p in plans]
        self._save_state(paths, state)

    def _start(self, instance, paths, state):
        plumbing.set_server_links(paths.netns, self._state_plans(state), True)
        plumbing.prepare_sshd(paths, instance.key_data)
        pid = plumbing.start_sshd(paths, paths.netns)
        state.update(sshd_pid=pid, power=POWER_RUNNING)
        self._save_state(paths, state)
        LOG.info('Server running: sshd PID %d in %s', pid, paths.netns,
                 instance=instance)

    def _stop(self, paths, state, links_down=True):
        plumbing.stop_server_processes(paths, paths.netns,
                                       state.get('sshd_pid'))
        if links_down:
            plumbing.set_server_links(paths.netns, self._state_plans(state),
                                      False)
        state.update(sshd_pid=None, power=POWER_SHUTDOWN)
        if os.path.isdir(paths.dir):
            self._save_state(paths, state)

    def _teardown(self, paths, state, extra_taps=()):
        """Remove everything of one server; try every step, then raise."""
        errors = []

        def attempt(what, func, *args):
            try:
                func(*args)
            except Exception as e:
                LOG.warning('Teardown of %s: %s failed: %s',
                            paths.uuid, what, e)
                errors.append(e)

        state = state or {}
        attempt('stop processes', plumbing.stop_server_processes, paths,
                paths.netns, state.get('sshd_pid'))
        taps = [p.tap for p in self._state_plans(state)]
        taps += [t for t in extra_taps if t not in taps]
        try:
            taps += [name for name, vm in plumbing.ovs_ports_of_vms().items()
                     if vm == paths.uuid and name not in taps]
        except Exception as e:
            LOG.warning('Could not list OVS ports: %s', e)
        for tap in taps:
            attempt('unplug %s' % tap, plumbing.unplug_vif, tap, paths.uuid)
        attempt('delete netns', plumbing.delete_netns, paths.netns)
        if not errors:
            attempt('remove %s' % paths.dir, shutil.rmtree, paths.dir, False)
        if errors:
            raise errors[0]

    # -- lifecycle ---------------------------------------------------------

    def init_host(self, host):
        self._host = host
        self._check_node_identity()
        os.makedirs(CONF.instances_path, exist_ok=True)
        os.makedirs(plumbing.PRIVSEP_DIR, mode=0o755, exist_ok=True)
        self._reconcile()

    @staticmethod
    def _check_node_identity():
        # Two computes sharing the default state_path (nova's package dir)
        # would share one compute_id file, i.e. one node uuid.
        if nova.virt.node.read_local_node_uuid() is None and (
                os.path.realpath(CONF.state_path) ==
                os.path.realpath(CONF.pybasedir)):
            raise exception.InvalidNodeConfiguration(
                reason='[DEFAULT]state_path is nova\'s package directory; '
                       'give each compute host its own state_path so that '
                       'its node uuid (compute_id) is its own')

    def _reconcile(self):
        """After a restart: re-adopt running servers, drop orphan ports."""
        known = set()
        for uuid in self.list_instance_uuids():
            known.add(uuid)
            paths = self._paths(uuid)
            with self._lock(uuid):
                state = self._load_state(paths)
                try:
                    self._reattach(paths, state)
                except Exception as e:
                    LOG.warning('Could not re-attach server %s: %s', uuid, e)
        try:
            ports = plumbing.ovs_ports_of_vms()
        except Exception as e:
            LOG.warning('Could not list OVS ports: %s', e)
            return
        for tap, vm in ports.items():
            if vm not in known and tap.startswith(naming.TAP_PREFIX):
                LOG.info('Removing orphan port %s of vanished server %s',
                         tap, vm)
                try:
                    plumbing.unplug_vif(tap, owner=vm)
                except Exception as e:
                    LOG.warning('Could not remove port %s: %s', tap, e)

    def _reattach(self, paths, state):
        plans = self._state_plans(state)
        if not plumbing.netns_is_mounted(paths.netns):
            LOG.warning('Server %s has no namespace (host restarted?); it '
                        'stays SHUTDOWN until started again', paths.uuid)
            return
        host_links = plumbing.host_links()
        for plan in plans:
            if plan.tap in host_links:
                plumbing.ovs_add_port(plan, paths.uuid)
        alive = plumbing.is_server_sshd(state.get('sshd_pid'), paths)
        LOG.info('Re-attached server %(uuid)s: %(n)d VIF(s), power '
                 '%(power)s, sshd %(sshd)s',
                 {'uuid': paths.uuid, 'n': len(plans),
                  'power': state.get('power'),
                  'sshd': ('PID %s alive' % state.get('sshd_pid')) if alive
                  else 'not running'})

    def cleanup_host(self, host):
        # Servers keep running across nova-compute restarts.
        plumbing.reap_children()

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        plans = self._plans(network_info)
        paths = self._paths(instance)
        timeout = CONF.vif_plugging_timeout
        events = (netinfo.events_to_wait_for(network_info)
                  if power_on and timeout else [])
        with self._lock(instance.uuid):
            os.makedirs(paths.dir, mode=0o755, exist_ok=True)
            state = {'uuid': instance.uuid, 'name': instance.name,
                     'vifs': [], 'sshd_pid': None, 'power': POWER_BUILDING,
                     'flavor': self._flavor_record(instance),
                     'created_at': time.strftime('%Y-%m-%dT%H:%M:%S')}
            self._save_state(paths, state)
            try:
                try:
                    with self.virtapi.wait_for_instance_event(
                            instance, events, timeout=timeout,
                            error_callback=self._neutron_failed_callback):
                        self._plumb(instance, paths, state, plans,
                                    up=power_on)
                except exception.InstanceEventTimeout:
                    if CONF.vif_plugging_is_fatal:
                        raise exception.VirtualInterfaceCreateException()
                    LOG.warning('Timeout waiting for %s; continuing',
                                events, instance=instance)
                if power_on:
                    self._start(instance, paths, state)
                else:
                    plumbing.prepare_sshd(paths, instance.key_data)
                    state['power'] = POWER_SHUTDOWN
                    self._save_state(paths, state)
            except Exception:
                with excutils.save_and_reraise_exception():
                    LOG.error('Spawning the server failed; cleaning up',
                              instance=instance)
                    try:
                        self._teardown(paths, state,
                                       self._taps_of(network_info))
                    except Exception:
                        LOG.exception('Cleanup after failed spawn failed',
                                      instance=instance)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        paths = self._paths(instance)
        with self._lock(instance.uuid):
            if not os.path.lexists(paths.dir):
                # Still sweep VIFs nova knows of (idempotent).
                for tap in self._taps_of(network_info):
                    plumbing.unplug_vif(tap, owner=instance.uuid)
                return
            self._teardown(paths, self._load_state(paths),
                           self._taps_of(network_info))
        LOG.info('Server destroyed', instance=instance)

    def cleanup(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, migrate_data=None, destroy_vifs=True,
                destroy_secrets=True):
        self.destroy(context, instance, network_info, block_device_info,
                     destroy_disks, destroy_secrets)

    def reboot(self, context, instance, network_info, reboot_type,
               block_device_info=None, bad_volumes_callback=None,
               accel_info=None, share_info=None):
        with self._lock(instance.uuid):
            paths, state = self._require_state(instance)
            try:
                self._stop(paths, state)
                if reboot_type == 'HARD' or not plumbing.plumbing_intact(
                        paths.netns, self._state_plans(state)):
                    plans = (self._plans(network_info) if network_info
                             else self._state_plans(state))
                    self._plumb(instance, paths, state, plans, up=True)
                self._start(instance, paths, state)
            except exception.NovaException as e:
                raise exception.InstanceRebootFailure(reason=str(e))
        LOG.info('Server rebooted (%s)', reboot_type, instance=instance)

    def resume_state_on_host_boot(self, context, instance, network_info,
                                  share_info, block_device_info=None):
        self.reboot(context, instance, network_info, 'HARD',
                    block_device_info)

    def power_off(self, instance, timeout=0, retry_interval=0):
        with self._lock(instance.uuid):
            paths, state = self._require_state(instance)
            try:
                self._stop(paths, state)
            except exception.NovaException as e:
                raise exception.InstancePowerOffFailure(reason=str(e))
        LOG.info('Server powered off', instance=instance)

    def power_on(self, context, instance, network_info,
                 block_device_info=None, accel_info=None, share_info=None):
        with self._lock(instance.uuid):
            paths, state = self._require_state(instance)
            try:
                plans = (self._plans(network_info) if network_info
                         else self._state_plans(state))
                self._plumb(instance, paths, state, plans, up=True)
                if not plumbing.is_server_sshd(state.get('sshd_pid'), paths):
                    self._stop(paths, state, links_down=False)
                    self._start(instance, paths, state)
                else:
                    state['power'] = POWER_RUNNING
                    self._save_state(paths, state)
            except exception.NovaException as e:
                raise exception.InstancePowerOnFailure(reason=str(e))
        LOG.info('Server powered on', instance=instance)

    # -- VIFs --------------------------------------------------------------

    def plug_vifs(self, instance, network_info):
        with self._lock(instance.uuid):
            paths = self._paths(instance)
            state = self._load_state(paths)
            if state is None or not plumbing.netns_is_mounted(paths.netns):
                LOG.debug('plug_vifs: no server namespace yet, nothing to do',
                          instance=instance)
                return
            try:
                self._plumb(instance, paths, state, self._plans(network_info),
                            up=state.get('power') == POWER_RUNNING)
            except process.CommandFailed as e:
                raise exception.VirtualInterfacePlugException(str(e))

    def unplug_vifs(self, instance, network_info):
        with self._lock(instance.uuid):
            paths = self._paths(instance)
            taps = self._taps_of(network_info)
            try:
                for tap in taps:
                    plumbing.unplug_vif(tap, owner=instance.uuid)
            except process.CommandFailed as e:
                raise exception.VirtualInterfaceUnplugException(reason=str(e))
            state = self._load_state(paths)
            if state is not None:
                state['vifs'] = [v for v in state.get('vifs') or []
                                 if v.get('tap') not in taps]
                self._save_state(paths, state)

    # -- state ---------------------------------------------------------------

    def get_info(self, instance, use_cache=True):
        paths = self._paths(instance)
        if not os.path.isdir(paths.dir):
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        state = self._load_state(paths)
        if state is None:
            return hardware.InstanceInfo(state=power_state.NOSTATE)
        try:
            if not plumbing.netns_is_mounted(paths.netns):
                return hardware.InstanceInfo(state=power_state.SHUTDOWN)
            sshd_ok = plumbing.is_server_sshd(state.get('sshd_pid'), paths)
            links = plumbing.server_links(paths.netns) if sshd_ok else {}
            links_ok = all(plumbing.link_is_up(links.get(p.dev))
                           for p in self._state_plans(state))
        except Exception as e:
            LOG.warning('Could not determine the power state: %s', e,
                        instance=instance)
            return hardware.InstanceInfo(state=power_state.NOSTATE)
        return hardware.InstanceInfo(
            state=power_state.RUNNING if sshd_ok and links_ok
            else power_state.SHUTDOWN, internal_id=paths.netns)

    def _server_dirs(self):
        try:
            names = os.listdir(CONF.instances_path)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if uuidutils.is_uuid_like(n) and
                      os.path.exists(os.path.join(CONF.instances_path, n,
                                                  naming.STATE_FILE)))

    def list_instance_uuids(self):
        return self._server_dirs()

    def list_instances(self):
        names = []
        for uuid in self._server_dirs():
            state = self._load_state(self._paths(uuid)) or {}
            names.append(state.get('name') or uuid)
        return names

    def get_num_instances(self):
        return len(self._server_dirs())

    def instance_exists(self, instance):
        return os.path.exists(self._paths(instance).state)

    def get_console_output(self, context, instance):
        paths, state = self._require_state(instance)
        info = self.get_info(instance)
        lines = ['dvrlab server %s (%s)' % (instance.uuid, state.get('name')),
                 'power state: %s (wanted: %s)' % (
                     power_state.STATE_MAP.get(info.state, info.state),
                     state.get('power')),
                 'network namespace: %s (%s)' % (
                     paths.netns, 'mounted' if plumbing.netns_is_mounted(
                         paths.netns) else 'missing'),
                 'sshd PID: %s' % state.get('sshd_pid')]
        for plan in self._state_plans(state):
            lines.append('%s <-> %s mac %s mtu %s addresses %s gateway %s' % (
                plan.dev, plan.tap, plan.mac, plan.mtu,
                ','.join(plan.addresses) or '-', plan.gateway or '-'))
        if plumbing.netns_is_mounted(paths.netns):
            for argv in (['ip', '-br', 'address'], ['ip', 'route']):
                try:
                    out = process.run(process.in_netns(paths.netns, argv),
                                      timeout=10).stdout
                    lines.append('$ ' + ' '.join(argv))
                    lines.extend(out.rstrip().splitlines())
                except process.CommandFailed as e:
                    lines.append('%s: %s' % (' '.join(argv), e))
        # The summary goes last: the API's "length" keeps the last lines.
        return (plumbing.tail(paths.sshd_log, CONSOLE_LOG_LIMIT).rstrip('\n') +
                '\n--- dvrlab summary ---\n' + '\n'.join(lines) + '\n')

    def get_host_ip_addr(self):
        return CONF.my_ip

    # -- resources -----------------------------------------------------------

    def get_available_nodes(self, refresh=False):
        return [CONF.host]

    def get_nodenames_by_uuid(self, refresh=False):
        return {nova.virt.node.get_local_node_uuid(): CONF.host}

    def _totals(self):
        return {
            'vcpus': max(os.cpu_count() or 1, MIN_VCPUS),
            'memory_mb': max(_machine_memory_mb(), MIN_MEMORY_MB),
            'local_gb': max(_machine_disk_gb(CONF.instances_path),
                            MIN_LOCAL_GB),
        }

    def _used(self):
        used = {'vcpus': 0, 'memory_mb': 0, 'local_gb': 0}
        for uuid in self._server_dirs():
            flavor = (self._load_state(self._paths(uuid)) or {}).get(
                'flavor') or {}
            used['vcpus'] += flavor.get('vcpus', 0)
            used['memory_mb'] += flavor.get('memory_mb', 0)
            used['local_gb'] += flavor.get('root_gb', 0)
        return used

    def get_available_resource(self, nodename):
        totals = self._totals()
        used = self._used()
        arch = obj_fields.Architecture.from_host()
        return {
            'vcpus': totals['vcpus'],
            'memory_mb': totals['memory_mb'],
            'local_gb': totals['local_gb'],
            'vcpus_used': used['vcpus'],
            'memory_mb_used': used['memory_mb'],
            'local_gb_used': used['local_gb'],
            'hypervisor_type': 'dvrlab',
            'hypervisor_version': versionutils.convert_version_to_int('1.0'),
            'hypervisor_hostname': nodename,
            'cpu_info': jsonutils.dumps({
                'arch': arch, 'model': platform.processor() or arch,
                'vendor': 'dvrlab', 'features': [],
                'topology': {'sockets': 1, 'cores': totals['vcpus'],
                             'threads': 1}}),
            'disk_available_least': totals['local_gb'] - used['local_gb'],
            'supported_instances': [(arch, obj_fields.HVType.FAKE,
                                     obj_fields.VMMode.HVM)],
            'numa_topology': None,
            'host_ip': CONF.my_ip,
            'uuid': nova.virt.node.get_local_node_uuid(),
        }

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        totals = self._totals()
        ratios = self._get_allocation_ratios(
            provider_tree.data(nodename).inventory)
        inventory = {
            orc.VCPU: {
                'total': totals['vcpus'], 'min_unit': 1,
                'max_unit': totals['vcpus'], 'step_size': 1,
                'allocation_ratio': ratios[orc.VCPU],
                'reserved': CONF.reserved_host_cpus,
            },
            orc.MEMORY_MB: {
                'total': totals['memory_mb'], 'min_unit': 1,
                'max_unit': totals['memory_mb'], 'step_size': 1,
                'allocation_ratio': ratios[orc.MEMORY_MB],
                'reserved': CONF.reserved_host_memory_mb,
            },
            orc.DISK_GB: {
                'total': totals['local_gb'], 'min_unit': 1,
                'max_unit': totals['local_gb'], 'step_size': 1,
                'allocation_ratio': ratios[orc.DISK_GB],
                'reserved': self._get_reserved_host_disk_gb_from_config(),
            },
        }
        provider_tree.update_inventory(nodename, inventory)
