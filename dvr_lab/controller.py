"""The controller: MariaDB, RabbitMQ, databases and OpenStack services."""

import concurrent.futures
import os
import shutil
import socket

from dvr_lab import configs
from dvr_lab import credentials
from dvr_lab import db_snapshot
from dvr_lab import inifile
from dvr_lab import namespaces
from dvr_lab import private_files
from dvr_lab import services
from dvr_lab import settings as s
from dvr_lab import steps

# configs.nova_cell0_mapping(), beside nova.conf
CELL0_MAPPING_CONF = 'cell0-mapping.conf'
DATABASES = ('keystone', 'glance', 'placement', 'nova_api', 'nova_cell0',
             'nova_cell1', 'neutron')


def tcp_open(address, port):
    with socket.create_connection((address, port), timeout=2):
        return True


def start_mariadb():
    svc = services.mariadb()
    if not os.path.isdir(os.path.join(services.MYSQL_DIR, 'mysql')):
        os.makedirs(services.MYSQL_DIR, exist_ok=True)
        namespaces.run(s.CONTROLLER, [
            'mariadb-install-db', '--no-defaults', '--user=root',
            '--datadir=' + services.MYSQL_DIR,
            '--auth-root-authentication-method=socket', '--skip-test-db'],
            timeout=120)
    services.start(svc)
    steps.wait_for('MariaDB to answer', lambda: sql('SELECT 1'), 60,
                   service=svc.name)


def sql(statements):
    """Run SQL as MariaDB's root, given on stdin: it may hold passwords."""
    return namespaces.run(s.CONTROLLER, [
        'mariadb', '--no-defaults', '--socket=' + services.MYSQL_SOCKET,
        '-u', 'root', '-N'], input=statements, timeout=60)


def create_databases():
    password = credentials.load().database
    statements = []
    for name in DATABASES:
        statements += [
            'CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8' % name,
            "CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'"
            % (name, password),
            "GRANT ALL PRIVILEGES ON %s.* TO '%s'@'%%'" % (name, name)]
    # nova's api user also reaches the cells' databases.
    for cell in ('nova_cell0', 'nova_cell1'):
        statements.append("GRANT ALL PRIVILEGES ON %s.* TO 'nova_api'@'%%'"
                          % cell)
    sql(';\n'.join(statements) + ';')


def start_rabbitmq():
    conf_dir = os.path.join(s.ETC_DIR, 'rabbitmq')
    os.makedirs(conf_dir, exist_ok=True)
    os.makedirs(services.RABBIT_DIR, exist_ok=True)
    # The user exists from the first boot on, no `rabbitmqctl add_user`
    # (whose password is an argument) needed.
    private_files.write(os.path.join(conf_dir, 'rabbitmq.conf'),
                        'listeners.tcp.default = 5672\n'
                        'loopback_users = none\n'
                        'default_user = dvrlab\n'
                        'default_pass = %s\n'
                        'log.console = true\n'
                        'log.file = false\n' % credentials.load().rabbit)
    with open(os.path.join(conf_dir, 'enabled_plugins'), 'w') as f:
        f.write('[].\n')
    svc = services.rabbitmq()
    services.start(svc)
    return svc


# Not /usr/sbin's wrapper, which becomes the rabbitmq user and its HOME.
RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl'
RPC_TOPICS = ('q-plugin', 'q-l3-plugin', 'q-reports-plugin')


def queues_with_consumers(list_queues_output):
    """Names of `rabbitmqctl list_queues name consumers` rows with one."""
    consumed = set()
    for line in list_queues_output.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1].isdigit() and int(fields[1]):
            consumed.add(fields[0])
    return consumed


def consumed_queues():
    """The RabbitMQ queues someone consumes, by name."""
    argv = [RABBITMQCTL, '-q', 'list_queues', 'name', 'consumers']
    return queues_with_consumers(namespaces.run(
        s.CONTROLLER, argv, env=services.rabbitmq().env, timeout=30))


def wait_neutron_rpc():
    """Until neutron's RPC server consumes the agents' topics.

    An agent's first call sent before that is lost, and the agent waits
    a whole rpc_response_timeout (60 s) before it asks again.
    """
    steps.wait_for('neutron-rpc-server consuming %s' % ', '.join(RPC_TOPICS),
                   lambda: set(RPC_TOPICS) <= consumed_queues(), 180,
                   interval=2, service='neutron-rpc-server')


def wait_rabbitmq():
    steps.wait_for('RabbitMQ on %s:5672' % s.CONTROLLER_IP,
                   lambda: tcp_open(s.CONTROLLER_IP, 5672), 90,
                   service='rabbitmq')


def write_configs():
    etc = s.ETC_DIR
    inifile.write(os.path.join(etc, 'keystone', 'keystone.conf'),
                  configs.keystone())
    inifile.write(os.path.join(etc, 'glance', 'glance-api.conf'),
                  configs.glance())
    inifile.write(os.path.join(etc, 'placement', 'placement.conf'),
                  configs.placement())
    inifile.write(os.path.join(etc, 'nova', 'nova.conf'), configs.nova())
    inifile.write(os.path.join(etc, 'nova', CELL0_MAPPING_CONF),
                  configs.nova_cell0_mapping())
    inifile.write(os.path.join(etc, 'neutron', 'neutron.conf'),
                  configs.neutron_server())
    inifile.write(os.path.join(etc, 'neutron', 'ml2_conf.ini'),
                  configs.ml2())
    venv_etc = os.path.join(s.VENV, 'etc')
    shutil.copy(os.path.join(venv_etc, 'glance', 'glance-api-paste.ini'),
                os.path.join(etc, 'glance'))
    shutil.copy(os.path.join(venv_etc, 'nova', 'api-paste.ini'),
                os.path.join(etc, 'nova'))
    shutil.copy(os.path.join(venv_etc, 'neutron', 'api-paste.ini'),
                os.path.join(etc, 'neutron'))
    for name in ('glance', 'nova-controller', 'neutron-server'):
        os.makedirs(os.path.join(s.DATA_DIR, 'locks', name), exist_ok=True)
    for name in ('images', 'glance-staging', 'glance-tasks', 'nova',
                 'neutron'):
        os.makedirs(os.path.join(s.DATA_DIR, name), exist_ok=True)


def _manage(argv, timeout=300, env=None):
    return namespaces.run(s.CONTROLLER, argv, timeout=timeout, env=env)


def _keystone_manage():
    return [s.venv_bin('keystone-manage'), '--config-file',
            services.etc('keystone', 'keystone.conf')]


def _keystone_sync():
    _manage(_keystone_manage() + ['db_sync'])


def keystone_bootstrap():
    """Keys, the admin user, project and role, and keystone's endpoints."""
    manage = _keystone_manage()
    for repo in ('fernet', 'credential'):
        os.makedirs(services.etc('keystone', repo), mode=0o700,
                    exist_ok=True)
    _manage(manage + ['fernet_setup', '--keystone-user', 'root',
                      '--keystone-group', 'root'])
    _manage(manage + ['credential_setup', '--keystone-user', 'root',
                      '--keystone-group', 'root'])
    keystone_url = s.url('keystone')
    _manage(manage + [
        'bootstrap',
        '--bootstrap-admin-url', keystone_url,
        '--bootstrap-public-url', keystone_url,
        '--bootstrap-internal-url', keystone_url,
        '--bootstrap-region-id', s.REGION],
        env=bootstrap_environment(credentials.load()))


def bootstrap_environment(secrets):
    """keystone-manage bootstrap reads the admin password from here."""
    return dict(os.environ, OS_BOOTSTRAP_PASSWORD=secrets.admin)


def _glance_sync():
    _manage([s.venv_bin('glance-manage'), '--config-file',
             services.etc('glance', 'glance-api.conf'), 'db_sync'])


def _placement_sync():
    _manage([s.venv_bin('placement-manage'), '--config-file',
             services.etc('placement', 'placement.conf'), 'db', 'sync'])


def _nova_sync():
    manage = [s.venv_bin('nova-manage'), '--config-file',
              services.etc('nova', 'nova.conf')]
    _manage(manage + ['api_db', 'sync'])
    map_nova_cells()
    _manage(manage + ['db', 'sync'])


def map_nova_cells():
    """cell0 and cell1 in nova_api, with this up's database and queue URLs."""
    manage = [s.venv_bin('nova-manage'), '--config-file',
              services.etc('nova', 'nova.conf')]
    _manage([s.venv_bin('nova-manage')] + cell0_mapping_config() +
            ['cell_v2', 'map_cell0'])
    cells = _manage(manage + ['cell_v2', 'list_cells'])
    if ' cell1 ' not in cells:
        _manage(manage + ['cell_v2', 'create_cell', '--name', 'cell1'])


def cell0_mapping_config():
    return ['--config-file', services.etc('nova', 'nova.conf'),
            '--config-file', services.etc('nova', CELL0_MAPPING_CONF)]


def _neutron_sync():
    _manage([s.venv_bin('neutron-db-manage')] +
            services.neutron_server_args() + ['upgrade', 'heads'])


def _in_parallel(*functions):
    """Call functions two at a time (the machine has 2 cores)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(f) for f in functions]
        for future in futures:
            future.result()


def sync_databases():
    """The slow schema migrations."""
    _in_parallel(_neutron_sync, _nova_sync, _glance_sync, _placement_sync,
                 _keystone_sync)


def prepare_databases():
    """Databases at their schema, nova's cells mapped, keystone ready.

    Returns how the schemas got there.
    """
    if db_snapshot.load(DATABASES):
        _in_parallel(map_nova_cells, keystone_bootstrap)
        return 'loaded as migrated by an earlier up: %s' % (
            db_snapshot.path(DATABASES))
    sync_databases()
    saved = db_snapshot.save(DATABASES)
    keystone_bootstrap()
    return 'migrated; kept for the next up in %s' % saved


def discover_computes():
    _manage([s.venv_bin('nova-manage'), '--config-file',
             services.etc('nova', 'nova.conf'), 'cell_v2', 'discover_hosts'])
