"""A host with neutron agents: Open vSwitch, SSH server, agents, nova."""

import os
import subprocess

from dvr_lab import configs
from dvr_lab import inifile
from dvr_lab import libvirt_host
from dvr_lab import namespaces
from dvr_lab import services
from dvr_lab import settings as s
from dvr_lab import steps

OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'


def vsctl(host, *args, timeout=30):
    return namespaces.run(host, ['ovs-vsctl', '--timeout=%d' % timeout] +
                          list(args), timeout=timeout + 5)


def start_ovs(host):
    db = os.path.join(host.dir, 'root', 'etc-openvswitch', 'conf.db')
    if not os.path.exists(db):
        namespaces.run(host, ['ovsdb-tool', 'create',
                              '/etc/openvswitch/conf.db', OVS_SCHEMA])
    services.start(services.ovsdb_server(host))
    steps.wait_for('ovsdb-server on %s' % host.name,
                   lambda: vsctl(host, 'show', timeout=2) is not None, 20,
                   service=services.ovsdb_server(host).name)
    vsctl(host, '--no-wait', 'init')
    vsctl(host, '--no-wait', 'set', 'Open_vSwitch', '.',
          'external_ids:system-id=%s' % host.name,
          'external_ids:hostname=%s' % host.name,
          'other_config:userspace-tso-enable=false')
    services.start(services.ovs_vswitchd(host))
    steps.wait_for('ovs-vswitchd on %s' % host.name,
                   lambda: 'ovs_version' in vsctl(host, 'list',
                                                  'Open_vSwitch', timeout=2),
                   20, service=services.ovs_vswitchd(host).name)


def create_bridges(host):
    """Plug the tunnel and public wires into br-vx and br-ex (if any).

    br-vx owns local_ip: userspace VXLAN routes through an OVS bridge that
    holds the tunnel address. OVS reads a wire through a packet socket,
    so the host's kernel sees its frames too; with ARP on, it answered
    ARP for the tunnel address from tun0's MAC as well as from br-vx's,
    and a peer's OVS that kept tun0's MAC sent VXLAN that this host's
    OVS did not decapsulate (only frames to the bridge's MAC are). A NIC
    in a kernel-datapath bridge never reaches the kernel's stack.
    """
    wires = [('br-vx', 'tun0')]
    if host.external:
        wires.append(('br-ex', 'pub0'))
    for bridge, port in wires:
        vsctl(host, '--may-exist', 'add-br', bridge, '--', 'set', 'Bridge',
              bridge, 'datapath_type=netdev')
        vsctl(host, '--may-exist', 'add-port', bridge, port)
        namespaces.run(host, ['ip', 'link', 'set', 'dev', port, 'arp',
                              'off'])
    namespaces.run(host, ['ip', 'addr', 'replace', '%s/%d' % (
        host.tunnel_ip, s.TUNNEL_PREFIXLEN), 'dev', 'br-vx'])
    namespaces.run(host, ['ip', 'link', 'set', 'br-vx', 'up'])


AGENT_CONFIGS = {
    'ovs': configs.ovs_agent,
    'l3': configs.l3_agent,
    'dhcp': configs.dhcp_agent,
    'metadata': configs.metadata_agent,
}


def write_configs(host, virt_type):
    etc = os.path.join(host.dir, 'etc')
    inifile.write(os.path.join(etc, 'neutron', 'neutron.conf'),
                  configs.neutron_agent_base(host))
    for kind in services.host_agents(host):
        inifile.write(os.path.join(etc, 'neutron', services.AGENTS[kind][2]),
                      AGENT_CONFIGS[kind](host))
    if host.compute:
        inifile.write(os.path.join(etc, 'nova', 'nova.conf'),
                      configs.nova(host, virt_type))
        libvirt_host.write_configs(host)
    for path in (os.path.join(s.DATA_DIR, 'locks', 'neutron-' + host.name),
                 os.path.join(s.DATA_DIR, 'locks', 'nova-' + host.name),
                 os.path.join(host.dir, 'neutron'),
                 os.path.join(host.dir, 'nova', 'instances')):
        os.makedirs(path, exist_ok=True)
    write_sshd_config(host)


def tester_key():
    key = os.path.join(s.SSH_DIR, 'id_ed25519')
    if not os.path.exists(key):
        os.makedirs(s.SSH_DIR, mode=0o700, exist_ok=True)
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '',
                        '-C', 'dvr-lab tester', '-f', key], check=True)
        os.replace(key + '.pub', os.path.join(s.SSH_DIR, 'authorized_keys'))
        subprocess.run(['sh', '-c', 'ssh-keygen -y -f "$0" > "$0.pub"', key],
                       check=True)
    return key


def write_sshd_config(host):
    ssh_dir = os.path.join(host.dir, 'etc', 'ssh')
    os.makedirs(ssh_dir, exist_ok=True)
    host_key = os.path.join(ssh_dir, 'ssh_host_ed25519_key')
    if not os.path.exists(host_key):
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '',
                        '-f', host_key], check=True)
    with open(os.path.join(ssh_dir, 'sshd_config'), 'w') as f:
        f.write('\n'.join([
            'ListenAddress %s' % host.mgmt_ip,
            'HostKey %s' % host_key,
            'PidFile none',
            'AuthorizedKeysFile %s' % os.path.join(s.SSH_DIR,
                                                   'authorized_keys'),
            'PermitRootLogin prohibit-password',
            'PasswordAuthentication no',
            'KbdInteractiveAuthentication no',
            'UsePAM no',
            'UseDNS no',
            'StrictModes no',
            'PrintMotd no',
            'AcceptEnv LANG LC_*',
            # dvr-lab-agent on the PATH, after the system's commands
            'SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:'
            '/usr/bin:/sbin:/bin:%s' % s.VENV_BIN,
            '']))
    os.makedirs('/run/sshd', exist_ok=True)


def start_services(host, daemons=services.host_daemons):
    for svc in daemons(host):
        services.start(svc)
