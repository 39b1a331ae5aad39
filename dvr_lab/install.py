"""Installing what the lab needs: Debian packages and the services' venv."""

import contextlib
import hashlib
import os
import subprocess
import sys

from dvr_lab import settings as s
from dvr_lab import shell

APT_PACKAGES = (
    'openvswitch-switch', 'mariadb-server', 'rabbitmq-server',
    'openssh-server', 'openssh-client', 'tcpdump', 'iproute2', 'iptables',
    'ipset', 'conntrack', 'ethtool', 'iputils-ping', 'iputils-arping',
    'procps', 'util-linux', 'hostname', 'netcat-openbsd',
    # nova's libvirt driver: QEMU (TCG), libvirt, and what libvirt-python
    # is built against
    'libvirt-daemon-system', 'libvirt-clients', 'libvirt-daemon-driver-qemu',
    'qemu-system-x86', 'qemu-utils', 'libvirt-dev', 'pkg-config', 'gcc',
    'python3-dev',
    # DHCP, metadata proxy, HA routers
    'dnsmasq-base', 'dnsmasq-utils', 'haproxy', 'keepalived', 'conntrackd',
    'python3-venv',
)
# invoke-rc.d asks it before starting a service; 101: "not allowed".
POLICY_RC_D = '/usr/sbin/policy-rc.d'
FORBID_STARTING = ('#!/bin/sh\n'
                   '# dvr-lab: no service starts during its install\n'
                   'exit 101\n')
# Distributions the lab venv held once and must not keep: pyuwsgi
# replaced uwsgi (which needed a compiler) and owns bin/uwsgi now.
REPLACED = ('uwsgi',)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENTS = os.path.join(REPO_ROOT, 'dvr_lab', 'requirements-lab.txt')
# Every package of the lab venv at one exact version (pip freeze --all of
# a venv built from REQUIREMENTS): tools/refresh-lab-constraints.sh.
CONSTRAINTS = os.path.join(REPO_ROOT, 'dvr_lab', 'constraints-lab.txt')
MARKER = os.path.join(s.VENV, '.dvr-lab-requirements')


def missing_apt_packages():
    missing = []
    for pkg in APT_PACKAGES:
        status = subprocess.run(
            ['dpkg-query', '-W', '-f=${Status}', pkg],
            capture_output=True, text=True).stdout
        if 'install ok installed' not in status:
            missing.append(pkg)
    return missing


def install_apt_packages():
    missing = missing_apt_packages()
    if not missing:
        return 'all present'
    # RUNLEVEL=1: runlevel(8) tells invoke-rc.d so; runlevel 1 starts no
    # daemon.
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive', RUNLEVEL='1')
    shell.run(['apt-get', 'update', '-q'], timeout=600, env=env)
    with services_kept_from_starting():
        shell.run(['apt-get', 'install', '-y', '-q',
                   '--no-install-recommends'] + missing,
                  timeout=1200, env=env)
    return 'installed ' + ' '.join(missing)


@contextlib.contextmanager
def services_kept_from_starting(path=None):
    """A policy-rc.d that forbids starting services, for the block only.

    The machine's own policy-rc.d, if any, waits beside it and comes back
    afterwards, also when an earlier run died before putting it back.
    """
    path = path or POLICY_RC_D
    saved = path + '.dvr-lab-saved'
    if os.path.lexists(saved):
        os.replace(saved, path)
    had_one = os.path.lexists(path)
    if had_one:
        os.replace(path, saved)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
        with os.fdopen(fd, 'w') as f:
            os.fchmod(f.fileno(), 0o755)  # whatever the umask
            f.write(FORBID_STARTING)
        yield
    finally:
        if had_one:
            os.replace(saved, path)
        else:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def requirements_digest():
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, CONSTRAINTS):
        with open(path, 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()


def venv_python():
    return s.venv_bin('python')


def install_venv():
    digest = requirements_digest()
    try:
        with open(MARKER) as f:
            if f.read().strip() == digest:
                return 'up to date'
    except OSError:
        pass
    if not os.path.exists(venv_python()):
        shell.run([sys.executable, '-m', 'venv', s.VENV], timeout=300)
    pip = [venv_python(), '-m', 'pip', 'install', '-q', '-c', CONSTRAINTS]
    shell.run(pip + ['pip', 'wheel'], timeout=600)
    # Not installed: pip says so and exits 0.
    shell.run([venv_python(), '-m', 'pip', 'uninstall', '-q', '-y'] +
              list(REPLACED), timeout=300)
    shell.run(pip + ['-r', REQUIREMENTS], timeout=1800)
    with open(MARKER, 'w') as f:
        f.write(digest + '\n')
    return 'installed'


def install_project():
    """This checkout, editable, into the lab venv (tempest plugin + driver).

    Installing it also writes its console scripts (dvr-lab-agent) into the
    venv's bin.
    """
    probe = subprocess.run(
        [venv_python(), '-c',
         'import dvr_lab, os; print(os.path.dirname(dvr_lab.__file__))'],
        capture_output=True, text=True, cwd='/')
    if (probe.stdout.strip() == os.path.join(REPO_ROOT, 'dvr_lab') and
            os.path.exists(s.AGENT_CTL)):
        return 'up to date'
    env = dict(os.environ, PBR_VERSION=os.environ.get('PBR_VERSION',
                                                      '0.0.1.dev0'))
    # The venv's own pinned setuptools and pbr build it: an isolated build
    # environment would first install them again (half the time).
    shell.run([venv_python(), '-m', 'pip', 'install', '-q', '--no-deps',
               '--no-build-isolation', '-e', REPO_ROOT], timeout=600, env=env)
    return 'installed from ' + REPO_ROOT
