"""The tempest workspace `dvr-lab up` writes: everything the suite needs."""

import os
import shlex
import subprocess

from dvr_lab import credentials
from dvr_lab import inifile
from dvr_lab import proxy
from dvr_lab import settings as s
import dvr_tempest_plugin
from dvr_tempest_plugin import options


def tempest_conf(layout, image_id, flavor_id, public_network_id):
    hosts = ','.join('%s:%s' % (h.name, h.mgmt_ip)
                     for h in layout.agent_hosts)
    dvr = {
        'host_ssh_addresses': hosts,
        'host_ssh_user': 'root',
        'host_ssh_key_file': os.path.join(s.SSH_DIR, 'id_ed25519'),
        'host_ssh_known_hosts_file': os.path.join(s.SSH_DIR, 'known_hosts'),
        'host_key_policy': 'reject',
        'host_command_prefix': '',
        'outside_address': s.OUTSIDE_IP,
        # the lab is the suite's own: the agent-failure tests may disrupt it
        'disruptive_tests': True,
        # the lab sets allow_automatic_l3agent_failover
        'expect_snat_failover': len(layout.snat_hosts) > 1,
        'agent_down_timeout': 90,
        options.HOST_FAIL_COMMAND: shlex.join(
            [s.venv_bin('dvr-lab'), 'host', 'fail']) + ' {host}',
        options.HOST_RESTORE_COMMAND: shlex.join(
            [s.venv_bin('dvr-lab'), 'host', 'restore']) + ' {host}',
    }
    dvr.update(agent_commands())
    return {
        'DEFAULT': {'log_dir': os.path.join(s.TEMPEST_DIR, 'logs'),
                    'log_file': 'tempest.log'},
        'auth': {
            'use_dynamic_credentials': True,
            'admin_username': 'admin',
            'admin_password': credentials.load().admin,
            'admin_project_name': 'admin',
            'admin_domain_name': 'Default',
        },
        'identity': {'uri_v3': s.url('keystone') + '/v3',
                     'auth_version': 'v3', 'region': s.REGION},
        'compute': {
            'image_ref': image_id, 'image_ref_alt': image_id,
            'flavor_ref': flavor_id, 'flavor_ref_alt': flavor_id,
            'min_compute_nodes': len(layout.computes),
            'build_timeout': 180,
        },
        'compute-feature-enabled': {'console_output': True},
        'network': {
            'public_network_id': public_network_id,
            'floating_network_name': s.PUBLIC_NETWORK,
            'project_network_cidr': '10.100.0.0/16',
            'project_network_mask_bits': 24,
            'build_timeout': 120,
        },
        'network-feature-enabled': {'api_extensions': 'all', 'ipv6': False,
                                    'port_security': True},
        'service_available': {'glance': True, 'nova': True,
                              'neutron': True, 'cinder': False,
                              'swift': False, 'horizon': False},
        'validation': {
            'run_validation': True, 'connect_method': 'floating',
            'auth_method': 'keypair', 'image_ssh_user': 'root',
            'ip_version_for_ssh': 4, 'ssh_timeout': 300,
            'ping_timeout': 120, 'connect_timeout': 10,
        },
        'dvr': dvr,
    }


def agent_commands():
    """[dvr] <kind>_agent_<action>_command: dvr-lab-agent on the host."""
    # Imported here: `dvr-lab down` imports this module outside the lab
    # venv, where oslo.config is missing.
    from dvr_tempest_plugin.common import settings as plugin_settings
    return {plugin_settings.agent_command_option(kind, action):
            shlex.join([s.AGENT_CTL, action, kind])
            for kind in plugin_settings.AGENT_KINDS
            for action in plugin_settings.AGENT_ACTIONS}


def write(layout, image_id, flavor_id, public_network_id):
    for sub in ('etc', 'logs'):
        os.makedirs(os.path.join(s.TEMPEST_DIR, sub), exist_ok=True)
    inifile.write(os.path.join(s.TEMPEST_DIR, 'etc', 'tempest.conf'),
                  tempest_conf(layout, image_id, flavor_id,
                               public_network_id))
    with open(env_script(), 'w') as f:
        f.write('# Source before `tempest run`: no HTTP proxy for the lab.\n'
                + proxy.exports(os.environ))
    plugin_root = os.path.dirname(os.path.dirname(
        os.path.abspath(dvr_tempest_plugin.__file__)))
    with open(os.path.join(s.TEMPEST_DIR, '.stestr.conf'), 'w') as f:
        # Only this suite: `tempest run -r dvr` here never picks tempest's
        # own tests whose names happen to contain "dvr".
        f.write('[DEFAULT]\ntest_path=%s\ntop_dir=%s\n'
                'group_regex=([^\\.]*\\.)*\n' % (
                    os.path.join(plugin_root, 'dvr_tempest_plugin', 'tests',
                                 'scenario'), plugin_root))
    if not os.path.isdir(os.path.join(s.TEMPEST_DIR, '.stestr')):
        subprocess.run([s.venv_bin('stestr'), 'init'],
                       cwd=s.TEMPEST_DIR, check=True, capture_output=True)


def env_script():
    return os.path.join(s.TEMPEST_DIR, 'env.sh')


def write_known_hosts(layout):
    lines = []
    for host in layout.agent_hosts:
        with open(os.path.join(host.dir, 'etc', 'ssh',
                               'ssh_host_ed25519_key.pub')) as f:
            key = f.read().split()[:2]
        lines.append('%s %s\n' % (host.mgmt_ip, ' '.join(key)))
    with open(os.path.join(s.SSH_DIR, 'known_hosts'), 'w') as f:
        f.writelines(lines)
