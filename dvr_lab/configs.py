"""The lab's OpenStack configuration, as data."""

import os

from dvr_lab import credentials
from dvr_lab import settings as s

AGENT_REPORT_INTERVAL = 5
AGENT_DOWN_TIME = 15
# oslo.privsep serves as many calls at once as the machine has CPUs (two
# here). The L3 agent's gratuitous ARPs (six arping calls of about 1 s per
# address, in threads) then fill that pool and every other privileged call
# of the router's processing queues behind them: a restarted dvr_snat
# agent took 32 s to sync one router, and 12 s with 16 threads.
PRIVSEP_THREADS = 16
PRIVSEP_SECTIONS = {
    'nova': ('nova_sys_admin', 'vif_plug_ovs_privileged',
             'vif_plug_linux_bridge_privileged'),
}


def db_url(user, database=None):
    """The URL of user's database (by default the one named as user)."""
    return 'mysql+pymysql://%s:%s@127.0.0.1/%s?charset=utf8' % (
        user, credentials.load().database, database or user)


def transport_url():
    return 'rabbit://dvrlab:%s@%s:5672/' % (
        credentials.load().rabbit, s.CONTROLLER_IP)


def keystone_auth(user):
    return {
        'auth_type': 'password',
        'auth_url': s.url('keystone'),
        'username': user,
        'password': credentials.load().service,
        'project_name': 'service',
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'region_name': s.REGION,
    }


def authtoken(user):
    section = keystone_auth(user)
    section['www_authenticate_uri'] = s.url('keystone')
    section['service_token_roles_required'] = True
    return section


def lock_path(name):
    return {'lock_path': os.path.join(s.DATA_DIR, 'locks', name)}


def keystone():
    etc = os.path.join(s.ETC_DIR, 'keystone')
    return {
        'DEFAULT': {'debug': False},
        'database': {'connection': db_url('keystone')},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': os.path.join(etc, 'fernet')},
        'fernet_receipts': {
            'key_repository': os.path.join(etc, 'fernet')},
        'credential': {'key_repository': os.path.join(etc, 'credential')},
    }


def glance():
    return {
        'DEFAULT': {'enabled_backends': 'file:file', 'debug': False,
                    'workers': 1},
        'database': {'connection': db_url('glance')},
        'keystone_authtoken': authtoken('glance'),
        'paste_deploy': {'flavor': 'keystone'},
        'glance_store': {'default_backend': 'file'},
        'file': {'filesystem_store_datadir':
                 os.path.join(s.DATA_DIR, 'images')},
        'oslo_concurrency': lock_path('glance'),
        'os_glance_staging_store': {
            'filesystem_store_datadir':
                os.path.join(s.DATA_DIR, 'glance-staging')},
        'os_glance_tasks_store': {
            'filesystem_store_datadir':
                os.path.join(s.DATA_DIR, 'glance-tasks')},
    }


def placement():
    return {
        'placement_database': {'connection': db_url('placement')},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': authtoken('placement'),
    }


def nova(host=None, virt_type='qemu'):
    """nova.conf for the controller (host None) or a compute host."""
    conf = {
        'DEFAULT': {
            'transport_url': transport_url(),
            'my_ip': host.mgmt_ip if host else s.CONTROLLER_IP,
            'host': host.name if host else 'controller',
            'state_path': os.path.join(
                host.dir if host else s.DATA_DIR, 'nova'),
            'osapi_compute_workers': 1,
            'metadata_workers': 1,
            'debug': False,
            'instance_name_template': 'instance-%08x',
        },
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': authtoken('nova'),
        'placement': keystone_auth('placement'),
        'neutron': dict(
            keystone_auth('neutron'), service_metadata_proxy=True,
            metadata_proxy_shared_secret=credentials.load().metadata),
        'glance': {'region_name': s.REGION},
        'oslo_concurrency': lock_path('nova-' + (host.name if host
                                                 else 'controller')),
        'oslo_messaging_notifications': {'driver': 'noop'},
        'conductor': {'workers': 1},
        'scheduler': {'workers': 1, 'discover_hosts_in_cells_interval': 5},
        'service_user': dict(keystone_auth('nova'),
                             send_service_user_token=True),
        'cinder': {'os_region_name': s.REGION},
    }
    if host is None:
        conf['api_database'] = {'connection': db_url('nova_api')}
        conf['database'] = {'connection': db_url('nova_cell1')}
        conf['wsgi'] = {'api_paste_config': os.path.join(
            s.ETC_DIR, 'nova', 'api-paste.ini')}
    else:
        conf['DEFAULT'].update({
            'compute_driver': 'libvirt.LibvirtDriver',
            'instances_path': os.path.join(host.dir, 'nova', 'instances'),
            'vif_plugging_timeout': 120,
            'vif_plugging_is_fatal': True,
            'heal_instance_info_cache_interval': -1,
            'reserved_host_memory_mb': 0,
            'ram_allocation_ratio': 4.0,
            'force_config_drive': False,
            # a host restored after `dvr-lab host fail` boots the guests
            # that ran, as operators set it for power failures
            'resume_guests_state_on_host_boot': True,
        })
        conf['libvirt'] = {
            'virt_type': virt_type,
            'connection_uri': 'qemu:///system',
            # TCG cannot model the host's CPU: a default CPU, as devstack
            'cpu_mode': 'none' if virt_type == 'qemu' else 'host-model',
            'inject_partition': -2,
        }
        conf['os_vif_ovs'] = {'ovsdb_connection': 'tcp:127.0.0.1:6640'}
        conf['vnc'] = {'enabled': False}
        conf['compute'] = {'resource_provider_association_refresh': 60}
        # root already: privsep's helpers without sudo
        helper = {'helper_command': '%s --config-file %s' % (
            s.venv_bin('privsep-helper'),
            os.path.join(host.dir, 'etc', 'nova', 'nova.conf'))}
        for section in PRIVSEP_SECTIONS['nova']:
            conf[section] = dict(helper)
    return conf


def nova_cell0_mapping():
    """Read after nova.conf by `nova-manage cell_v2 map_cell0`.

    map_cell0 without --database_connection (which would put the password
    on a command line) maps cell0 to [database] connection with '_cell0'
    appended to the database name: nova_cell0, as nova_cell0's user.
    """
    return {'database': {'connection': db_url('nova_cell0', 'nova')}}


def neutron_server():
    return {
        'DEFAULT': {
            'core_plugin': 'ml2',
            'service_plugins': 'router',
            'router_distributed': True,
            'allow_automatic_l3agent_failover': True,
            'agent_down_time': AGENT_DOWN_TIME,
            'transport_url': transport_url(),
            'auth_strategy': 'keystone',
            'api_workers': 1,
            'rpc_workers': 1,
            # state reports share the one RPC worker: one process less
            'rpc_state_report_workers': 0,
            'notify_nova_on_port_status_changes': True,
            'notify_nova_on_port_data_changes': True,
            'dhcp_agent_notification': True,
            # routers may ask for ha=True (DVR+HA): active and standby SNAT
            'l3_ha': False,
            'max_l3_agents_per_router': 2,
            'l3_ha_net_cidr': '169.254.192.0/18',
            'state_path': os.path.join(s.DATA_DIR, 'neutron'),
            'api_paste_config': os.path.join(s.ETC_DIR, 'neutron',
                                             'api-paste.ini'),
            'debug': False,
        },
        'database': {'connection': db_url('neutron')},
        'keystone_authtoken': authtoken('neutron'),
        'nova': keystone_auth('nova'),
        'placement': keystone_auth('placement'),
        'oslo_concurrency': lock_path('neutron-server'),
        'oslo_messaging_notifications': {'driver': 'noop'},
    }


def ml2():
    return {
        'ml2': {
            'type_drivers': 'flat,vxlan',
            'tenant_network_types': 'vxlan',
            'mechanism_drivers': 'openvswitch,l2population',
            'extension_drivers': 'port_security',
        },
        'ml2_type_flat': {'flat_networks': s.PHYSNET},
        'ml2_type_vxlan': {'vni_ranges': '1:1000'},
    }


def neutron_agent_base(host):
    root_helper = 'env PATH=%s:/usr/sbin:/usr/bin:/sbin:/bin' % (
        s.VENV_BIN)
    return {
        'DEFAULT': {
            'host': host.name,
            'transport_url': transport_url(),
            'state_path': os.path.join(host.dir, 'neutron'),
            'debug': False,
        },
        'agent': {
            'report_interval': AGENT_REPORT_INTERVAL,
            'root_helper': root_helper,
        },
        'oslo_concurrency': lock_path('neutron-' + host.name),
        'privsep': {'thread_pool_size': PRIVSEP_THREADS},
    }


def ovs_agent(host):
    config = {
        'agent': {
            'tunnel_types': 'vxlan',
            'l2_population': True,
            'enable_distributed_routing': True,
            'arp_responder': True,
        },
        'ovs': {
            'local_ip': host.tunnel_ip,
            'datapath_type': 'netdev',
            'integration_bridge': 'br-int',
            'tunnel_bridge': 'br-tun',
        },
        'securitygroup': {
            'firewall_driver': 'openvswitch',
            'enable_security_group': True,
        },
    }
    if host.external:
        config['ovs']['bridge_mappings'] = '%s:br-ex' % s.PHYSNET
    return config


def l3_agent(host):
    return {
        'DEFAULT': {
            'interface_driver': 'openvswitch',
            'agent_mode': host.l3_agent_mode,
            'enable_metadata_proxy': True,
            'ha_confs_path': os.path.join(host.dir, 'neutron', 'ha_confs'),
            'ha_vrrp_advert_int': 1,
            'ha_conntrackd_enabled': True,
        },
        'ovs': {'integration_bridge': 'br-int'},
    }


def dnsmasq_log_dir(host):
    return os.path.join(s.LOG_DIR, '%s-dnsmasq' % host.name)


def dhcp_agent(host):
    return {
        'DEFAULT': {
            'interface_driver': 'openvswitch',
            'dhcp_driver': 'neutron.agent.linux.dhcp.Dnsmasq',
            'enable_isolated_metadata': False,
            # each network's DHCP transactions, for a guest without a lease
            'dnsmasq_base_log_dir': dnsmasq_log_dir(host),
        },
        'ovs': {'integration_bridge': 'br-int'},
    }


def metadata_agent(host):
    return {
        'DEFAULT': {
            'nova_metadata_host': s.CONTROLLER_IP,
            'nova_metadata_port': s.PORTS['nova-metadata'],
            'metadata_proxy_shared_secret': credentials.load().metadata,
            # answered in the agent's own process: no forked workers
            'metadata_workers': 0,
        },
    }
