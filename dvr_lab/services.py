"""Every long-running process of the lab: where it runs and how it starts."""

import collections
import os

from dvr_lab import libvirt_host
from dvr_lab import namespaces
from dvr_lab import processes
from dvr_lab import settings as s

Service = collections.namedtuple('Service', 'name host argv env')

MYSQL_SOCKET = os.path.join(s.DATA_DIR, 'mysql.sock')
MYSQL_DIR = os.path.join(s.DATA_DIR, 'mysql')
RABBIT_DIR = os.path.join(s.DATA_DIR, 'rabbitmq')


def etc(*parts):
    return os.path.join(s.ETC_DIR, *parts)


def host_etc(host, *parts):
    return os.path.join(host.dir, 'etc', *parts)


# devstack's MYSQL_REDUCE_MEMORY (on by default, lib/databases/mysql).
DEVSTACK_REDUCED_MEMORY = [
    '--read-buffer-size=64K', '--innodb-buffer-pool-size=16M',
    '--thread-stack=192K', '--thread-cache-size=8', '--tmp-table-size=8M',
    '--sort-buffer-size=8M', '--max-allowed-packet=8M']


def mariadb():
    return Service('mariadb', s.CONTROLLER, [
        '/usr/sbin/mariadbd', '--no-defaults', '--user=root',
        '--datadir=' + MYSQL_DIR, '--socket=' + MYSQL_SOCKET,
        '--bind-address=127.0.0.1', '--port=3306', '--skip-name-resolve',
        '--skip-log-bin',
        '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0',
        '--max-connections=1000', '--character-set-server=utf8mb4',
    ] + DEVSTACK_REDUCED_MEMORY + [
        '--pid-file=' + os.path.join(s.DATA_DIR, 'mysql.pid')], None)


def rabbitmq():
    env = dict(os.environ,
               HOME=RABBIT_DIR,
               RABBITMQ_NODENAME='rabbit@localhost',
               RABBITMQ_MNESIA_BASE=os.path.join(RABBIT_DIR, 'mnesia'),
               RABBITMQ_LOG_BASE=os.path.join(s.LOG_DIR, 'rabbitmq'),
               RABBITMQ_CONFIG_FILE=etc('rabbitmq', 'rabbitmq.conf'),
               RABBITMQ_ENABLED_PLUGINS_FILE=etc('rabbitmq',
                                                 'enabled_plugins'),
               RABBITMQ_PID_FILE=os.path.join(RABBIT_DIR, 'rabbit.pid'),
               ERL_EPMD_ADDRESS='127.0.0.1')
    return Service('rabbitmq', s.CONTROLLER,
                   ['/usr/lib/rabbitmq/bin/rabbitmq-server'], env)


def _uwsgi(name, module, env):
    """An API under the `uwsgi` console script of pyuwsgi."""
    return Service(name, s.CONTROLLER, [
        s.venv_bin('uwsgi'), '--home', s.VENV,
        '--http-socket', '%s:%d' % (s.CONTROLLER_IP, s.PORTS[name]),
        '--module', module + ':application',
        '--master', '--processes', '1', '--threads', '1',
        '--enable-threads', '--lazy-apps', '--need-app', '--die-on-term',
        '--buffer-size', '65535', '--add-header', 'Connection: close',
        '--http-chunked-input', '--disable-logging'],
        dict(os.environ, **env))


def api_services():
    return [
        _uwsgi('keystone', 'keystone.wsgi.api',
               {'OS_KEYSTONE_CONFIG_DIR': etc('keystone')}),
        _uwsgi('glance', 'glance.wsgi.api',
               {'OS_GLANCE_CONFIG_DIR': etc('glance')}),
        _uwsgi('placement', 'placement.wsgi.api',
               {'OS_PLACEMENT_CONFIG_DIR': etc('placement')}),
        _uwsgi('nova', 'nova.wsgi.osapi_compute',
               {'OS_NOVA_CONFIG_DIR': etc('nova')}),
        _uwsgi('nova-metadata', 'nova.wsgi.metadata',
               {'OS_NOVA_CONFIG_DIR': etc('nova')}),
        _uwsgi('neutron', 'neutron.wsgi.api',
               {'OS_NEUTRON_CONFIG_DIR': etc('neutron'),
                'OS_NEUTRON_CONFIG_FILES': 'neutron.conf;ml2_conf.ini'}),
    ]


def neutron_server_args():
    return ['--config-file', etc('neutron', 'neutron.conf'),
            '--config-file', etc('neutron', 'ml2_conf.ini')]


def controller_workers():
    nova = ['--config-file', etc('nova', 'nova.conf')]
    return [
        Service('nova-conductor', s.CONTROLLER,
                [s.venv_bin('nova-conductor')] + nova, None),
        Service('nova-scheduler', s.CONTROLLER,
                [s.venv_bin('nova-scheduler')] + nova, None),
        Service('neutron-rpc-server', s.CONTROLLER,
                [s.venv_bin('neutron-rpc-server')] + neutron_server_args(),
                None),
        Service('neutron-periodic-workers', s.CONTROLLER,
                [s.venv_bin('neutron-periodic-workers')] +
                neutron_server_args(), None),
    ]


def ovsdb_server(host):
    return Service(host.name + '-ovsdb-server', host, [
        '/usr/sbin/ovsdb-server', '/etc/openvswitch/conf.db',
        '--remote=punix:/run/openvswitch/db.sock',
        '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
        '--pidfile=/run/openvswitch/ovsdb-server.pid'], None)


def ovs_vswitchd(host):
    return Service(host.name + '-ovs-vswitchd', host, [
        '/usr/sbin/ovs-vswitchd', 'unix:/run/openvswitch/db.sock',
        '--pidfile=/run/openvswitch/ovs-vswitchd.pid'], None)


AGENTS = {
    # short name used by `dvr-lab-agent` -> (service suffix, binary, ini)
    'ovs': ('neutron-openvswitch-agent', 'neutron-openvswitch-agent',
            'openvswitch_agent.ini'),
    'l3': ('neutron-l3-agent', 'neutron-l3-agent', 'l3_agent.ini'),
    'dhcp': ('neutron-dhcp-agent', 'neutron-dhcp-agent', 'dhcp_agent.ini'),
    'metadata': ('neutron-metadata-agent', 'neutron-metadata-agent',
                 'metadata_agent.ini'),
}


def agent(host, short_name):
    suffix, binary, ini = AGENTS[short_name]
    return Service('%s-%s' % (host.name, suffix), host, [
        s.venv_bin(binary),
        '--config-file', host_etc(host, 'neutron', 'neutron.conf'),
        '--config-file', host_etc(host, 'neutron', ini)], None)


def nova_compute(host):
    return Service(host.name + '-nova-compute', host, [
        s.venv_bin('nova-compute'),
        '--config-file', host_etc(host, 'nova', 'nova.conf')], None)


def virtlogd(host):
    return Service(host.name + '-virtlogd', host,
                   libvirt_host.virtlogd_argv(), None)


def libvirtd(host):
    return Service(host.name + '-libvirtd', host,
                   libvirt_host.libvirtd_argv(), None)


def sshd(host):
    return Service(host.name + '-sshd', host, [
        '/usr/sbin/sshd', '-D', '-e', '-f',
        host_etc(host, 'ssh', 'sshd_config')], None)


def host_agents(host):
    """The kinds of neutron agents a host runs.

    DHCP where SNAT may live, as in the article; metadata wherever a
    qrouter- may serve a VM.
    """
    kinds = ['ovs', 'l3', 'metadata']
    if host.l3_agent_mode == 'dvr_snat':
        kinds.append('dhcp')
    return kinds


def host_base_daemons(host):
    """What an agent host runs that needs nothing of the cloud."""
    daemons = [sshd(host)]
    if host.compute:
        daemons += [virtlogd(host), libvirtd(host)]
    return daemons


def host_cloud_daemons(host):
    """What an agent host runs that talks to the cloud's RPC."""
    daemons = [agent(host, kind) for kind in host_agents(host)]
    if host.compute:
        daemons.append(nova_compute(host))
    return daemons


def host_daemons(host):
    """What runs on an agent host once its Open vSwitch is up."""
    return host_base_daemons(host) + host_cloud_daemons(host)


def agent_host_services(host):
    return [ovsdb_server(host), ovs_vswitchd(host)] + host_daemons(host)


def all_services(layout=None):
    """Every service of the lab with layout (by default the one built)."""
    layout = layout or s.layout()
    services = [mariadb(), rabbitmq()] + api_services() + \
        controller_workers()
    for host in layout.agent_hosts:
        services += agent_host_services(host)
    return services


def by_name(name, layout=None):
    for service in all_services(layout):
        if service.name == name:
            return service
    raise KeyError(name)


def start(service):
    """Start service inside its host: the one way a lab service starts."""
    return processes.start(service.name,
                           namespaces.enter(service.host) + service.argv,
                           env=service.env)
