"""A compute host's own libvirt: its daemons, configuration and hypervisor.

Each compute host runs virtlogd and libvirtd inside its namespaces, with
its own /etc/libvirt, /run/libvirt, /var/lib/libvirt and /var/log/libvirt
(namespaces.PRIVATE_DIRS and PRIVATE_TMPFS), so the two hosts' guests,
sockets and logs never meet, as on two machines.
"""

import hashlib
import json
import os
import shutil
import subprocess

from dvr_lab import namespaces
from dvr_lab import private_files

SYSTEM_CONFIG_DIR = '/etc/libvirt'
# Sets up a guest's tap that userspace Open vSwitch set down (see the file)
QEMU_HOOK = os.path.join(os.path.dirname(__file__), 'libvirt', 'qemu-hook')
# No systemd, no cgroup delegation, no security driver here: QEMU runs as
# root in the host's namespaces, without a private /dev of its own.
QEMU_CONF = {
    'user': '"root"',
    'group': '"root"',
    'dynamic_ownership': '0',
    'remember_owner': '0',
    'security_driver': '"none"',
    'cgroup_controllers': '[ ]',
    'namespaces': '[ ]',
}
LIBVIRTD_CONF = {
    'unix_sock_group': '"root"',
    'unix_sock_rw_perms': '"0700"',
    'auth_unix_rw': '"none"',
    'log_outputs': '"3:stderr"',
}
KVM_PROBE_TIMEOUT = 20
KVM_FAILURE = b'KVM internal error'
KERNEL_STARTED = b'Linux version'
BOOT_ID = '/proc/sys/kernel/random/boot_id'


def config_dir(host):
    return namespaces.private_dir(host, SYSTEM_CONFIG_DIR)


def _conf_text(settings):
    return ''.join('%s = %s\n' % item for item in sorted(settings.items()))


def write_configs(host):
    """The host's /etc/libvirt: the system's, with the lab's daemons' conf.

    No network of libvirt's own autostarts: Neutron plugs the guests. The
    qemu hook works around a tap flags race of userspace Open vSwitch.
    """
    target = config_dir(host)  # a mount's source: filled, never replaced
    shutil.copytree(SYSTEM_CONFIG_DIR, target, symlinks=True,
                    dirs_exist_ok=True)
    shutil.rmtree(os.path.join(target, 'qemu', 'networks', 'autostart'),
                  ignore_errors=True)
    for name, settings in (('qemu.conf', QEMU_CONF),
                           ('libvirtd.conf', LIBVIRTD_CONF)):
        with open(os.path.join(target, name), 'w') as f:
            f.write(_conf_text(settings))
    hooks = os.path.join(target, 'hooks')
    os.makedirs(hooks, exist_ok=True)
    shutil.copyfile(QEMU_HOOK, os.path.join(hooks, 'qemu'))
    os.chmod(os.path.join(hooks, 'qemu'), 0o755)


def virtlogd_argv():
    return ['/usr/sbin/virtlogd', '--pid-file', '/run/libvirt/virtlogd.pid']


def libvirtd_argv():
    return ['/usr/sbin/libvirtd', '--pid-file', '/run/libvirt/libvirtd.pid']


def _probe_key(kernel):
    """What the probe's answer depends on: this boot, this guest kernel."""
    with open(BOOT_ID) as f:
        boot_id = f.read().strip()
    with open(kernel, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return '%s %s' % (boot_id, digest)


def kvm_runs_a_guest_cached(kernel, cache_file):
    """kvm_runs_a_guest, probed once per machine boot and guest kernel.

    (answer, 'probed' or 'as probed earlier in this boot').
    """
    key = _probe_key(kernel)
    try:
        with open(cache_file) as f:
            cached = json.load(f)
        if cached.get('key') == key:
            return cached['kvm'], 'as probed earlier in this boot'
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    answer = kvm_runs_a_guest(kernel)
    private_files.write(cache_file, json.dumps({'key': key, 'kvm': answer}))
    return answer, 'probed'


def kvm_runs_a_guest(kernel):
    """Whether KVM really boots kernel here (it may exist and still fail).

    Nova's virt_type is kvm only when this says so, qemu (TCG) otherwise.
    """
    if not os.path.exists('/dev/kvm'):
        return False
    argv = ['timeout', str(KVM_PROBE_TIMEOUT), 'qemu-system-x86_64',
            '-accel', 'kvm', '-m', '64', '-nographic', '-no-reboot',
            '-nic', 'none', '-kernel', kernel,
            '-append', 'console=ttyS0 panic=-1 init=/nonexistent']
    try:
        output = subprocess.run(argv, stdin=subprocess.DEVNULL,
                                capture_output=True,
                                timeout=KVM_PROBE_TIMEOUT + 5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    seen = output.stdout + output.stderr
    return KERNEL_STARTED in seen and KVM_FAILURE not in seen
