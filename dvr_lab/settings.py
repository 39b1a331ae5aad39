"""Where the lab lives and how its network is laid out."""

import dataclasses
import os

STATE_DIR = os.environ.get('DVR_LAB_STATE_DIR', '/var/lib/dvr-lab')
VENV = os.environ.get('DVR_LAB_VENV', '/opt/dvr-lab/venv')
VENV_BIN = os.path.join(VENV, 'bin')
# The console script setup.cfg declares, once `up` installed the project.
AGENT_CTL = os.path.join(VENV_BIN, 'dvr-lab-agent')
TOX_VENV = os.path.join(os.path.dirname(VENV), 'tox-venv')


def venv_bin(name):
    return os.path.join(VENV_BIN, name)


ETC_DIR = os.path.join(STATE_DIR, 'etc')
LOG_DIR = os.path.join(STATE_DIR, 'log')
RUN_DIR = os.path.join(STATE_DIR, 'run')
DATA_DIR = os.path.join(STATE_DIR, 'data')
HOSTS_DIR = os.path.join(STATE_DIR, 'hosts')
SSH_DIR = os.path.join(STATE_DIR, 'ssh')
TEMPEST_DIR = os.path.join(STATE_DIR, 'tempest')
# Kept across `down`: the guest's kernel and initramfs (`dvr-lab image`)
# and the .debs they are made of.
CACHE_DIR = os.environ.get('DVR_LAB_CACHE_DIR', '/var/cache/dvr-lab')
GUEST_IMAGE_DIR = os.path.join(CACHE_DIR, 'guest-image')
KVM_PROBE_FILE = os.path.join(CACHE_DIR, 'kvm-probe.json')

PREFIX = 'dvrlab'
FABRIC_NS = PREFIX + '-fabric'

MGMT_BRIDGE = 'br-mgmt'
TUNNEL_BRIDGE = 'br-tunnel'
EXTERNAL_BRIDGE = 'br-public'

MGMT_CIDR = '10.250.0.0/24'
MGMT_PREFIXLEN = 24
TUNNEL_CIDR = '10.251.0.0/24'
TUNNEL_PREFIXLEN = 24
PUBLIC_CIDR = '172.24.4.0/24'
LAB_CIDRS = (MGMT_CIDR, TUNNEL_CIDR, PUBLIC_CIDR)
PUBLIC_PREFIXLEN = 24
PUBLIC_POOL = ('172.24.4.10', '172.24.4.200')

TESTER_MGMT_IP = '10.250.0.254'
TESTER_PUBLIC_IP = '172.24.4.1'
OUTSIDE_IP = '172.24.4.254'
CONTROLLER_IP = '10.250.0.1'

REGION = 'RegionOne'
# The passwords `up` draws (dvr_lab.credentials), readable by root only.
SECRETS_FILE = os.path.join(STATE_DIR, 'secrets.json')
# Outside the state directory, which `down` removes: up, down, break and
# image hold it (dvr_lab.lab_lock).
LOCK_FILE = os.environ.get('DVR_LAB_LOCK_FILE', '/run/dvr-lab.lock')

PORTS = {
    'keystone': 5000,
    'glance': 9292,
    'placement': 8778,
    'nova': 8774,
    'neutron': 9696,
    'nova-metadata': 8775,
}

# Registered as devstack registers UEC images: kernel, ramdisk, machine.
IMAGE_NAME = 'dvrlab-guest'
KERNEL_IMAGE_NAME = IMAGE_NAME + '-kernel'
RAMDISK_IMAGE_NAME = IMAGE_NAME + '-ramdisk'
FLAVOR_NAME = 'dvrlab.tiny'
FLAVOR_RAM_MB = 128
PUBLIC_NETWORK = 'public'
PHYSNET = 'public'


@dataclasses.dataclass(frozen=True)
class Host:
    """One emulated machine: a network namespace plus a mount namespace.

    l3_agent_mode None: no Open vSwitch and no neutron agents on the host.
    """

    name: str
    mgmt_ip: str = None
    tunnel_ip: str = None
    public_ip: str = None
    compute: bool = False
    l3_agent_mode: str = None

    @property
    def dir(self):
        return os.path.join(HOSTS_DIR, self.name)

    @property
    def external(self):
        """Wired to the external network (a dvr_no_external host is not)."""
        return self.l3_agent_mode in ('dvr', 'dvr_snat')


CONTROLLER = Host('controller', mgmt_ip=CONTROLLER_IP)
OUTSIDE = Host('outside', public_ip=OUTSIDE_IP)


def _compute(name, last_octet, mode):
    return Host(name, mgmt_ip='10.250.0.%d' % last_octet,
                tunnel_ip='10.251.0.%d' % last_octet, compute=True,
                l3_agent_mode=mode)


# article: two compute+network hosts, every L3 agent dvr_snat (the 2016
# article's layout). standard: a network node in dvr_snat mode without
# nova-compute, and two computes in dvr mode (devstack's multinode layout).
# no-external: the standard layout with its computes in dvr_no_external
# mode, without a link to the external network (floating IPs centralized).
LAYOUTS = {
    'article': (_compute('cpnw1', 11, 'dvr_snat'),
                _compute('cpnw2', 12, 'dvr_snat')),
    'standard': (Host('network1', mgmt_ip='10.250.0.21',
                      tunnel_ip='10.251.0.21', l3_agent_mode='dvr_snat'),
                 _compute('cpnw1', 11, 'dvr'),
                 _compute('cpnw2', 12, 'dvr')),
    'no-external': (Host('network1', mgmt_ip='10.250.0.21',
                         tunnel_ip='10.251.0.21', l3_agent_mode='dvr_snat'),
                    _compute('cpnw1', 11, 'dvr_no_external'),
                    _compute('cpnw2', 12, 'dvr_no_external')),
}
DEFAULT_LAYOUT = 'article'
LAYOUT_FILE = os.path.join(STATE_DIR, 'layout')
LAYOUT_VARIABLE = 'DVR_LAB_LAYOUT'


class UnknownLayout(ValueError):

    def __init__(self, name):
        super().__init__('no lab layout %r (layouts: %s)'
                         % (name, ', '.join(sorted(LAYOUTS))))


@dataclasses.dataclass(frozen=True)
class Layout:
    """The hosts of one lab: the controller, the agent hosts, outside."""

    name: str
    agent_hosts: tuple

    @property
    def computes(self):
        return tuple(h for h in self.agent_hosts if h.compute)

    @property
    def snat_hosts(self):
        return tuple(h for h in self.agent_hosts
                     if h.l3_agent_mode == 'dvr_snat')

    @property
    def hosts(self):
        return (CONTROLLER,) + self.agent_hosts + (OUTSIDE,)

    def host(self, name):
        for candidate in self.hosts:
            if candidate.name == name:
                return candidate
        raise KeyError('no lab host named %r (hosts: %s)'
                       % (name, ', '.join(h.name for h in self.hosts)))


def layout(name=None):
    """The layout called name; by default the one of the lab `up` built.

    With no lab built, the default layout: `down` and `status` then work
    whatever $DVR_LAB_LAYOUT says (only `up` reads it).
    """
    name = name or recorded_layout() or DEFAULT_LAYOUT
    if name not in LAYOUTS:
        raise UnknownLayout(name)
    return Layout(name, LAYOUTS[name])


def recorded_layout():
    """The name of the layout `dvr-lab up` built, None when there is none."""
    try:
        with open(LAYOUT_FILE) as f:
            return f.read().strip() or None
    except OSError:
        return None


def record_layout(lab_layout):
    with open(LAYOUT_FILE, 'w') as f:
        f.write(lab_layout.name + '\n')


def requested_layout():
    """The layout `up` builds unless told otherwise: $DVR_LAB_LAYOUT."""
    return os.environ.get(LAYOUT_VARIABLE) or DEFAULT_LAYOUT


def paths():
    """The lab's paths by name, for scripts (`dvr-lab paths`)."""
    return {'STATE_DIR': STATE_DIR, 'LOG_DIR': LOG_DIR,
            'TEMPEST_DIR': TEMPEST_DIR, 'VENV': VENV, 'VENV_BIN': VENV_BIN,
            'AGENT_CTL': AGENT_CTL, 'TOX_VENV': TOX_VENV}


def url(service):
    return 'http://%s:%d' % (CONTROLLER_IP, PORTS[service])
