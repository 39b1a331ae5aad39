"""`dvr-lab up`, `down` and `status`: the lab's life cycle."""

import concurrent.futures
import json
import os
import shutil
import time

from dvr_lab import cloud
from dvr_lab import computes
from dvr_lab import controller
from dvr_lab import credentials
from dvr_lab import guest_image
from dvr_lab import libvirt_host
from dvr_lab import namespaces
from dvr_lab import processes
from dvr_lab import procfs
from dvr_lab import routes
from dvr_lab import services
from dvr_lab import settings as s
from dvr_lab import shell
from dvr_lab import steps
from dvr_lab import tempest_workspace

READY_FILE = os.path.join(s.STATE_DIR, 'ready.json')
TESTER_LINKS = ('dvrlab-mgmt', 'dvrlab-pub')


def build_network(layout):
    namespaces.create_fabric()
    for host in layout.hosts:
        namespaces.create_host(host, layout)
    wire = namespaces.wire
    for host in layout.hosts:
        pid = namespaces.holder_pid(host)
        if host.mgmt_ip:
            wire(s.MGMT_BRIDGE, 'm-' + host.name, pid, 'eth0',
                 '%s/%d' % (host.mgmt_ip, s.MGMT_PREFIXLEN))
        if host.l3_agent_mode:
            wire(s.TUNNEL_BRIDGE, 't-' + host.name, pid, 'tun0')
        if host.external:
            wire(s.EXTERNAL_BRIDGE, 'x-' + host.name, pid, 'pub0')
    outside = namespaces.holder_pid(s.OUTSIDE)
    wire(s.EXTERNAL_BRIDGE, 'x-outside', outside, 'eth0',
         '%s/%d' % (s.OUTSIDE_IP, s.PUBLIC_PREFIXLEN))
    namespaces.run(s.OUTSIDE, ['sysctl', '-q', '-w',
                               'net.ipv4.ip_forward=0'])
    wire(s.MGMT_BRIDGE, 'm-tester', None, TESTER_LINKS[0],
         '%s/%d' % (s.TESTER_MGMT_IP, s.MGMT_PREFIXLEN))
    wire(s.EXTERNAL_BRIDGE, 'x-tester', None, TESTER_LINKS[1],
         '%s/%d' % (s.TESTER_PUBLIC_IP, s.PUBLIC_PREFIXLEN))


def start_control_plane(layout, virt_type):
    with steps.step('MariaDB', log_of='mariadb'):
        rabbit = controller.start_rabbitmq()
        controller.start_mariadb()
        controller.create_databases()
    with steps.step('configuration files'):
        controller.write_configs()
        for host in layout.agent_hosts:
            computes.write_configs(host, virt_type)
        computes.tester_key()
        tempest_workspace.write_known_hosts(layout)
    with steps.step('databases of keystone, glance, placement, nova, '
                    'neutron; keystone bootstrap; meanwhile Open vSwitch '
                    '(netdev), sshd and libvirt on %s' % ', '.join(
                        h.name for h in layout.agent_hosts),
                    log_of='keystone'):
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            switches = pool.submit(start_host_switches, layout)
            steps.out('    ' + controller.prepare_databases())
            services.start(services.api_services()[0])
            switches.result()
    with steps.step('RabbitMQ', log_of=rabbit.name):
        controller.wait_rabbitmq()
    with steps.step('service catalog and service users', log_of='keystone'):
        steps.wait_for('keystone API', lambda: controller.tcp_open(
            s.CONTROLLER_IP, s.PORTS['keystone']), 60, service='keystone')
        cloud.register_catalog(cloud.admin_connection())
    # After the catalog: nova-conductor, for one, asks keystone for its
    # placement credentials as it starts, and exits without them.
    with steps.step('API services and workers'):
        for svc in services.api_services()[1:] + \
                services.controller_workers():
            services.start(svc)
        for svc in services.api_services():
            steps.wait_for('%s API' % svc.name, lambda svc=svc:
                           controller.tcp_open(s.CONTROLLER_IP,
                                               s.PORTS[svc.name]),
                           90, service=svc.name)


def start_host_switches(layout):
    """Each agent host's Open vSwitch, sshd and libvirt daemons.

    They need nothing of the cloud, so they start while it does.
    """
    for host in layout.agent_hosts:
        computes.start_ovs(host)
        computes.create_bridges(host)
        computes.start_services(host, services.host_base_daemons)


def start_hosts(layout):
    with steps.step('neutron RPC server ready for the agents',
                    log_of='neutron-rpc-server'):
        controller.wait_neutron_rpc()
    for host in layout.agent_hosts:
        with steps.step('%s: %s' % (host.name, ', '.join(
                svc.name[len(host.name) + 1:] for svc in
                services.host_cloud_daemons(host)))):
            computes.start_services(host, services.host_cloud_daemons)


AGENT_TYPES = {'ovs': 'Open vSwitch agent', 'l3': 'L3 agent',
               'dhcp': 'DHCP agent', 'metadata': 'Metadata agent'}


def wait_cloud(conn, layout):
    wanted = {(h.name, AGENT_TYPES[kind]) for h in layout.agent_hosts
              for kind in services.host_agents(h)}
    with steps.step('every agent alive'):
        steps.wait_for('%d neutron agents alive' % len(wanted), lambda: all(
            cloud.agents_alive(conn).get(k) for k in wanted), 180)
    with steps.step('both computes up and mapped'):
        steps.wait_for('nova-compute up on %s' % ', '.join(
            h.name for h in layout.computes), lambda: all(
            cloud.computes_up(conn).get(h.name) for h in layout.computes),
            180)
        controller.discover_computes()
        steps.wait_for('hypervisors listed', lambda: len(list(
            conn.compute.hypervisors())) >= len(layout.computes), 60)


def up(layout_name):
    layout = s.layout(layout_name)
    if healthy():
        built = s.layout()
        if built != layout:
            steps.out('dvr-lab is up with the %s layout, not %s: run '
                      '`dvr-lab down` first' % (built.name, layout.name))
            return 1
        steps.out('dvr-lab is already up, %s layout (dvr-lab status for '
                  'details)' % built.name)
        return 0
    with steps.step('the lab\'s address ranges unrouted on this machine'):
        routes.refuse_if_taken(TESTER_LINKS)
    if leftovers():
        with steps.step('clearing what a previous lab left behind'):
            teardown()
    started = time.monotonic()
    for path in (s.STATE_DIR, s.ETC_DIR, s.LOG_DIR, s.RUN_DIR, s.DATA_DIR):
        os.makedirs(path, exist_ok=True)
    credentials.create()
    s.record_layout(layout)
    with steps.step('guest image (kernel, initramfs) in %s'
                    % s.GUEST_IMAGE_DIR):
        guest = guest_image.build(s.GUEST_IMAGE_DIR)
    with steps.step('hypervisor: does KVM run a guest here?'):
        kvm, how = libvirt_host.kvm_runs_a_guest_cached(
            guest.kernel, s.KVM_PROBE_FILE)
        virt_type = 'kvm' if kvm else 'qemu'
        steps.out('    nova virt_type = %s (%s)' % (virt_type, how))
    with steps.step('network (%s layout): fabric, hosts %s, tester links'
                    % (layout.name, '/'.join(h.name for h in layout.hosts))):
        build_network(layout)
    start_control_plane(layout, virt_type)
    conn = cloud.admin_connection()
    start_hosts(layout)
    wait_cloud(conn, layout)
    with steps.step('public network, image, flavor'):
        net = cloud.create_public_network(conn)
        image = cloud.create_image(conn, guest)
        flavor = cloud.create_flavor(conn)
    with steps.step('tempest workspace %s' % s.TEMPEST_DIR):
        tempest_workspace.write(layout, image.id, flavor.id, net.id)
    with open(READY_FILE, 'w') as f:
        json.dump({'image': image.id, 'flavor': flavor.id,
                   'virt_type': virt_type,
                   'public_network': net.id,
                   'up_seconds': round(time.monotonic() - started, 1)}, f)
    steps.out('dvr-lab is up in %.0fs. Run the suite:\n  cd %s && . %s && '
              '%s run -r dvr' % (time.monotonic() - started, s.TEMPEST_DIR,
                                 tempest_workspace.env_script(),
                                 s.venv_bin('tempest')))
    return 0


def leftovers():
    return (os.path.exists(s.STATE_DIR) and os.listdir(s.STATE_DIR)) or \
        namespaces.fabric_exists() or any(
            os.path.exists('/sys/class/net/' + link)
            for link in TESTER_LINKS)


def teardown():
    namespaces.destroy_hosts(s.layout().hosts)
    for name in processes.recorded_names():
        processes.stop(name)
    namespaces.destroy_fabric()
    for link in TESTER_LINKS:
        if os.path.exists('/sys/class/net/' + link):
            shell.run(['ip', 'link', 'delete', link], check=False)
    shutil.rmtree(s.STATE_DIR, ignore_errors=True)


def down():
    with steps.step('stopping every lab process and removing the lab'):
        teardown()
    left = remaining()
    if left:
        steps.out('NOT CLEAN, left behind: ' + '; '.join(left))
        return 1
    steps.out('dvr-lab is down; nothing of it is left.')
    return 0


def remaining():
    left = []
    if namespaces.fabric_exists():
        left.append('namespace ' + s.FABRIC_NS)
    for link in TESTER_LINKS:
        if os.path.exists('/sys/class/net/' + link):
            left.append('link ' + link)
    if os.path.exists(s.STATE_DIR):
        left.append('directory ' + s.STATE_DIR)
    with open('/proc/self/mountinfo') as f:
        mounts = [line.split()[4] for line in f]
    left += ['mount ' + m for m in mounts if m.startswith(s.STATE_DIR)]
    left += ['process %d (%s)' % (pid, argv[:80])
             for pid, argv in lab_processes()]
    return left


def lab_processes():
    """(pid, command line) of every process still naming the lab's files."""
    found = []
    for pid in procfs.all_pids():
        argv = procfs.command_line(pid)
        if argv and pid != os.getpid() and (s.STATE_DIR + '/') in argv:
            found.append((pid, argv))
    return found


def healthy():
    if not os.path.exists(READY_FILE):
        return False
    layout = s.layout()
    return all(processes.running(svc.name) for svc in
               services.all_services(layout)) and all(
        namespaces.holder_pid(h) for h in layout.hosts)
