# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""The guest image: a Debian kernel and a cirros-like busybox initramfs.

Built from Debian packages with `apt-get download` and `dpkg-deb -x`, no
root needed: linux-image-cloud-amd64's kernel and its virtio-net modules,
busybox-static, dropbear-bin and the libraries dropbear links to. The
initramfs is a newc cpio written here (so /dev/console can be a device
node without root), gzipped. A build is cached in a directory named after
the package versions and this module's own inputs; building again with the
same versions returns the same paths without downloading anything.
"""

import dataclasses
import glob
import gzip
import hashlib
import io
import json
import os
import re
import select
import shutil
import stat
import struct
import subprocess
import time

from dvr_lab import shell

KERNEL_METAPACKAGE = 'linux-image-cloud-amd64'
BUSYBOX_PACKAGE = 'busybox-static'
SSH_SERVER_PACKAGE = 'dropbear-bin'
SSH_SERVER_BINARIES = ('usr/sbin/dropbear', 'usr/bin/dropbearkey')
# virtio_net and virtio_pci pull in virtio, virtio_ring, the modern and
# legacy virtio-pci device libraries, failover and net_failover;
# virtio_rng feeds the guest's entropy (host keys) when the flavor and
# image ask nova for a virtio RNG.
GUEST_MODULES = ('virtio_pci', 'virtio_net', 'virtio_rng')
LIBRARY_DIRS = ('lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu',
                'lib64', 'lib', 'usr/lib')
GUEST_LIBRARY_DIR = 'lib/x86_64-linux-gnu'
GUEST_DATA_DIR = os.path.join(os.path.dirname(__file__), 'guest')
GUEST_FILES = {                       # in the initramfs: (package data, mode)
    'init': ('init', 0o755),
    'etc/udhcpc/default.script': ('udhcpc.script', 0o755),
}
ETC_FILES = {
    'etc/passwd': 'root::0:0:root:/root:/bin/sh\n',
    'etc/group': 'root:x:0:\ntty:x:5:\n',
    'etc/shells': '/bin/sh\n/bin/ash\n',
    'etc/hosts': '127.0.0.1 localhost\n',
}
EMPTY_DIRS = ('dev', 'proc', 'sys', 'run', 'tmp', 'root', 'sbin', 'usr/bin',
              'usr/sbin', 'var/log', 'etc/dropbear')
CONSOLE_DEVICE = ('dev/console', 5, 1)  # char device, for the kernel
KERNEL_NAME = 'vmlinuz'
INITRAMFS_NAME = 'initramfs.gz'
VERSIONS_NAME = 'packages.txt'
RESOLVED_NAME = 'resolved-packages.json'
APT_STATE_PATHS = ('/var/lib/apt/lists', '/var/lib/dpkg/status',
                   '/etc/apt/sources.list', '/etc/apt/sources.list.d',
                   '/etc/apt/preferences.d')
BUILD_FORMAT = '1'                     # bump when the layout changes
APT_TIMEOUT = 600


class GuestImageError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class GuestImage:
    kernel: str
    initramfs: str
    kernel_release: str
    packages: tuple                   # ('name=version', ...)


# -- Debian packages ---------------------------------------------------------

def parse_depends(apt_cache_depends_output):
    """The packages an `apt-cache depends PKG` output says PKG Depends on."""
    names = []
    for line in apt_cache_depends_output.splitlines():
        match = re.match(r'\s*\|?(Pre)?Depends:\s+(\S+)', line)
        if match and not match.group(2).startswith('<'):
            names.append(match.group(2))
    return names


def parse_candidates(apt_cache_policy_output):
    """{package: candidate version} from an `apt-cache policy` output."""
    candidates = {}
    package = None
    for line in apt_cache_policy_output.splitlines():
        if line and not line[0].isspace() and line.endswith(':'):
            package = line[:-1]
        elif line.strip().startswith('Candidate:') and package:
            version = line.split(':', 1)[1].strip()
            if version != '(none)':
                candidates[package] = version
    return candidates


def depends_of(*packages):
    return parse_depends(shell.run(['apt-cache', 'depends'] + list(packages),
                                   timeout=60))


def depends_closure(package):
    """What package needs, what that needs, and so on (package left out)."""
    found, level = [], [package]
    while level:
        level = [name for name in dict.fromkeys(depends_of(*level))
                 if name not in found and name != package]
        found.extend(level)
    return found


def kernel_package():
    """The versioned linux-image package the cloud metapackage points at."""
    for name in depends_of(KERNEL_METAPACKAGE):
        if name.startswith('linux-image-'):
            return name
    raise GuestImageError('%s depends on no linux-image-* package'
                          % KERNEL_METAPACKAGE)


def guest_packages():
    """Every package the image is made of, the kernel's resolved."""
    return ([kernel_package(), BUSYBOX_PACKAGE, SSH_SERVER_PACKAGE]
            + depends_closure(SSH_SERVER_PACKAGE))


def candidate_versions(packages):
    versions = parse_candidates(
        shell.run(['apt-cache', 'policy'] + list(packages), timeout=60))
    missing = [p for p in packages if p not in versions]
    if missing:
        raise GuestImageError('no installable version of %s; '
                              'apt-get update?' % ', '.join(missing))
    return versions


def apt_state():
    """Changes whenever apt's idea of the candidate versions may change."""
    marks = []
    for path in APT_STATE_PATHS:
        try:
            st = os.stat(path)
            marks.append('%s %d %d' % (path, st.st_mtime_ns, st.st_size))
        except OSError:
            marks.append('%s missing' % path)
    return '\n'.join(marks)


def resolved_versions(image_dir):
    """candidate_versions(guest_packages()), asked of apt once per state.

    Asking apt takes seconds (a dozen apt-cache runs); the answer holds
    until apt-get update or an install changes apt's lists or status.
    """
    path = os.path.join(image_dir, RESOLVED_NAME)
    state = apt_state()
    try:
        with open(path) as f:
            saved = json.load(f)
        if saved['apt_state'] == state:
            return saved['versions']
    except (OSError, ValueError, KeyError, TypeError):
        pass
    versions = candidate_versions(guest_packages())
    os.makedirs(image_dir, exist_ok=True)
    write_file(image_dir, RESOLVED_NAME, json.dumps(
        {'apt_state': state, 'versions': versions}))
    return versions


def deb_file_name(package, version):
    """How `apt-get download` names the file (the epoch's ':' quoted)."""
    return '%s_%s_' % (package, version.replace(':', '%3a'))


def find_deb(cache_dir, package, version):
    found = glob.glob(os.path.join(
        cache_dir, glob.escape(deb_file_name(package, version)) + '*.deb'))
    return found[0] if found else None


def download_debs(versions, cache_dir):
    """{package: .deb path}, downloading only what the cache lacks."""
    os.makedirs(cache_dir, exist_ok=True)
    wanted = ['%s=%s' % (p, v) for p, v in sorted(versions.items())
              if not find_deb(cache_dir, p, v)]
    if wanted:
        shell.run(['apt-get', 'download', '-q'] + wanted,
                  timeout=APT_TIMEOUT, cwd=cache_dir)
    debs = {p: find_deb(cache_dir, p, v) for p, v in versions.items()}
    missing = sorted(p for p, deb in debs.items() if not deb)
    if missing:
        raise GuestImageError('apt-get download left no .deb for %s in %s'
                              % (', '.join(missing), cache_dir))
    return debs


def extract_debs(debs, root):
    """Unpack every .deb into one root directory (no maintainer scripts)."""
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    for deb in sorted(debs.values()):
        shell.run(['dpkg-deb', '-x', deb, root], timeout=APT_TIMEOUT)
    return root


# -- kernel modules ----------------------------------------------------------

def module_name(path):
    return os.path.basename(path)[:-len('.ko')].replace('-', '_')


def modinfo_depends(ko_bytes):
    """The modules a .ko's .modinfo says it depends on."""
    match = re.search(rb'(?:^|\x00)depends=([^\x00]*)\x00', ko_bytes)
    if not match or not match.group(1):
        return []
    return [name.decode().replace('-', '_')
            for name in match.group(1).split(b',')]


def index_modules(modules_dir):
    """{module name: path relative to modules_dir} for every .ko."""
    index = {}
    for dirpath, _dirs, files in os.walk(modules_dir):
        for name in files:
            if name.endswith('.ko'):
                path = os.path.join(dirpath, name)
                index[module_name(path)] = os.path.relpath(path, modules_dir)
    return index


def load_order(wanted, depends):
    """wanted and what they need, each after its dependencies.

    depends: {module: [module it depends on, ...]}.
    """
    order = []

    def visit(module, seen):
        if module in order:
            return
        if module in seen:
            raise GuestImageError('module dependency loop at %s' % module)
        for dependency in depends.get(module, []):
            visit(dependency, seen | {module})
        order.append(module)

    for module in wanted:
        visit(module, frozenset())
    return order


def module_depends(modules_dir, index, wanted):
    """{module: its dependencies} for wanted and everything below them."""
    depends = {}
    pending = list(wanted)
    while pending:
        module = pending.pop()
        if module in depends:
            continue
        if module not in index:
            raise GuestImageError('no %s.ko under %s' % (module, modules_dir))
        with open(os.path.join(modules_dir, index[module]), 'rb') as ko:
            depends[module] = modinfo_depends(ko.read())
        pending.extend(depends[module])
    return depends


def modules_dep_text(order, depends, index):
    """modules.dep (depmod's format) for the shipped modules only."""
    lines = []
    for module in order:
        closure = load_order([module], depends)[:-1]
        lines.append('%s:%s' % (index[module], ''.join(
            ' ' + index[m] for m in reversed(closure))))
    return '\n'.join(lines) + '\n'


# -- libraries ---------------------------------------------------------------

def elf_dynamic_info(data):
    """(interpreter or None, [DT_NEEDED sonames]) of an x86-64 ELF file."""
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        raise GuestImageError('not a little-endian 64-bit ELF file')
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    interpreter, dynamic, loads = None, None, []
    for i in range(phnum):
        p_type, _flags, offset, vaddr, _paddr, filesz, memsz, _align = (
            struct.unpack_from('<IIQQQQQQ', data, phoff + i * phentsize))
        if p_type == 3:                                     # PT_INTERP
            interpreter = data[offset:offset + filesz].rstrip(b'\0').decode()
        elif p_type == 2:                                   # PT_DYNAMIC
            dynamic = (offset, filesz)
        elif p_type == 1:                                   # PT_LOAD
            loads.append((vaddr, memsz, offset))
    if dynamic is None:
        return interpreter, []
    entries, strtab = [], None
    for pos in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, value = struct.unpack_from('<qQ', data, pos)
        if tag == 0:                                        # DT_NULL
            break
        if tag == 5:                                        # DT_STRTAB
            strtab = value
        entries.append((tag, value))
    base = next(offset + strtab - vaddr for vaddr, memsz, offset in loads
                if vaddr <= strtab < vaddr + memsz)
    needed = [data[base + value:data.index(b'\0', base + value)].decode()
              for tag, value in entries if tag == 1]        # DT_NEEDED
    return interpreter, needed


def find_library(root, soname):
    for directory in LIBRARY_DIRS:
        path = os.path.join(root, directory, soname)
        if os.path.exists(path):
            return path
    raise GuestImageError('%s: in none of the extracted packages' % soname)


def library_closure(root, binaries):
    """{path in the guest: extracted file} for the binaries' libraries.

    The interpreter too, and the libraries' own libraries.
    """
    files, pending = {}, list(binaries)
    seen = set()
    while pending:
        path = pending.pop()
        with open(path, 'rb') as binary:
            interpreter, needed = elf_dynamic_info(binary.read())
        if interpreter and interpreter.lstrip('/') not in files:
            files[interpreter.lstrip('/')] = os.path.join(
                root, interpreter.lstrip('/'))
        for soname in needed:
            if soname in seen:
                continue
            seen.add(soname)
            library = find_library(root, soname)
            files[os.path.join(GUEST_LIBRARY_DIR, soname)] = library
            pending.append(library)
    return files


# -- the initramfs tree ------------------------------------------------------

def copy_file(source, tree, guest_path, mode=None):
    destination = os.path.join(tree, guest_path)
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    shutil.copyfile(os.path.realpath(source), destination)
    os.chmod(destination, mode if mode is not None else
             stat.S_IMODE(os.stat(os.path.realpath(source)).st_mode))


def write_file(tree, guest_path, text, mode=0o644):
    destination = os.path.join(tree, guest_path)
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    with open(destination, 'w') as out:
        out.write(text)
    os.chmod(destination, mode)


def kernel_release(root):
    releases = sorted(os.listdir(os.path.join(root, 'lib', 'modules')))
    if len(releases) != 1:
        raise GuestImageError('expected one kernel in %s, found %s'
                              % (root, releases))
    return releases[0]


def add_modules(root, tree, release):
    """Copy the virtio modules, modules.dep and /etc/guest-modules."""
    modules_dir = os.path.join(root, 'lib', 'modules', release)
    index = index_modules(modules_dir)
    depends = module_depends(modules_dir, index, GUEST_MODULES)
    order = load_order(GUEST_MODULES, depends)
    guest_modules_dir = os.path.join('lib', 'modules', release)
    for module in order:
        copy_file(os.path.join(modules_dir, index[module]), tree,
                  os.path.join(guest_modules_dir, index[module]), 0o644)
    write_file(tree, os.path.join(guest_modules_dir, 'modules.dep'),
               modules_dep_text(order, depends, index))
    write_file(tree, 'etc/guest-modules',
               ''.join(index[m] + '\n' for m in order))
    return order


def add_programs(root, tree):
    copy_file(os.path.join(root, 'bin', 'busybox'), tree, 'bin/busybox',
              0o755)
    os.symlink('busybox', os.path.join(tree, 'bin', 'sh'))
    binaries = [os.path.join(root, b) for b in SSH_SERVER_BINARIES]
    for binary, guest_path in zip(binaries, SSH_SERVER_BINARIES):
        copy_file(binary, tree, guest_path, 0o755)
    for guest_path, source in sorted(library_closure(root,
                                                     binaries).items()):
        copy_file(source, tree, guest_path, 0o755)


def add_guest_files(tree):
    for guest_path, (name, mode) in sorted(GUEST_FILES.items()):
        copy_file(os.path.join(GUEST_DATA_DIR, name), tree, guest_path, mode)
    for guest_path, text in sorted(ETC_FILES.items()):
        write_file(tree, guest_path, text)
    for directory in EMPTY_DIRS:
        os.makedirs(os.path.join(tree, directory), exist_ok=True)
    os.chmod(os.path.join(tree, 'root'), 0o700)


def assemble_tree(root, tree):
    """The initramfs as a directory; returns the kernel release."""
    if os.path.exists(tree):
        shutil.rmtree(tree)
    os.makedirs(tree)
    release = kernel_release(root)
    add_programs(root, tree)
    add_modules(root, tree, release)
    add_guest_files(tree)
    return release


# -- cpio (newc) -------------------------------------------------------------

def tree_members(tree):
    """Paths under tree, parents before children, in a stable order."""
    members = []
    for dirpath, dirs, files in os.walk(tree):
        for name in dirs + files:
            members.append(os.path.relpath(os.path.join(dirpath, name), tree))
    return sorted(members, key=lambda m: m.split('/'))


def newc_entry(name, mode, data=b'', ino=0, rdev=(0, 0)):
    """One cpio "newc" member, uid/gid 0, mtime 0 (reproducible)."""
    encoded = name.encode() + b'\0'
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(encoded), 0)
    header = b'070701' + b''.join(b'%08X' % f for f in fields)
    out = header + encoded
    out += b'\0' * (-len(out) % 4)
    out += data + b'\0' * (-len(data) % 4)
    return out


def tree_entry(tree, member, ino):
    path = os.path.join(tree, member)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        data = os.readlink(path).encode()
    elif stat.S_ISREG(info.st_mode):
        with open(path, 'rb') as f:
            data = f.read()
    else:
        data = b''
    return newc_entry(member, info.st_mode, data, ino)


def newc_archive(tree, devices=(CONSOLE_DEVICE,)):
    """The tree plus device nodes as one newc cpio archive (bytes)."""
    out = io.BytesIO()
    ino = 0
    for ino, member in enumerate(tree_members(tree), start=1):
        out.write(tree_entry(tree, member, ino))
    for name, major, minor in devices:
        ino += 1
        out.write(newc_entry(name, stat.S_IFCHR | 0o600, ino=ino,
                             rdev=(major, minor)))
    out.write(newc_entry('TRAILER!!!', 0))
    return out.getvalue()


def newc_member_names(archive):
    """The member names of a newc archive, in order, the trailer left out."""
    names, pos = [], 0
    while True:
        header = archive[pos:pos + 110]
        if header[:6] != b'070701':
            raise GuestImageError('not a newc header at %d' % pos)
        filesize = int(header[54:62], 16)
        namesize = int(header[94:102], 16)
        name = archive[pos + 110:pos + 110 + namesize - 1].decode()
        if name == 'TRAILER!!!':
            return names
        names.append(name)
        pos += 110 + namesize
        pos += -pos % 4
        pos += filesize + (-filesize % 4)


def write_initramfs(tree, path):
    with open(path + '.tmp', 'wb') as raw:
        with gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) as out:
            out.write(newc_archive(tree))
    os.replace(path + '.tmp', path)


# -- the build ---------------------------------------------------------------

def build_key(versions):
    """What a build depends on: package versions and the guest's files."""
    digest = hashlib.sha256(BUILD_FORMAT.encode())
    for package, version in sorted(versions.items()):
        digest.update(('%s=%s\n' % (package, version)).encode())
    for name, _mode in sorted(GUEST_FILES.values()):
        with open(os.path.join(GUEST_DATA_DIR, name), 'rb') as f:
            digest.update(f.read())
    for guest_path, text in sorted(ETC_FILES.items()):
        digest.update(('%s\n%s' % (guest_path, text)).encode())
    return digest.hexdigest()[:16]


def cached_image(build_dir):
    paths = [os.path.join(build_dir, n)
             for n in (KERNEL_NAME, INITRAMFS_NAME, VERSIONS_NAME)]
    if not all(os.path.exists(p) for p in paths):
        return None
    with open(paths[2]) as f:
        lines = f.read().splitlines()
    return GuestImage(paths[0], paths[1], lines[0], tuple(lines[1:]))


def build(image_dir):
    """The guest image under image_dir, built unless already there.

    Already there means: built from the same package versions and the
    same guest files (build_key). Returns a GuestImage.
    """
    versions = resolved_versions(image_dir)
    build_dir = os.path.join(image_dir, 'build-' + build_key(versions))
    cached = cached_image(build_dir)
    if cached:
        return cached
    debs = download_debs(versions, os.path.join(image_dir, 'debs'))
    work = os.path.join(image_dir, 'work')
    root = extract_debs(debs, os.path.join(work, 'root'))
    tree = os.path.join(work, 'initramfs')
    release = assemble_tree(root, tree)
    os.makedirs(build_dir, exist_ok=True)
    copy_file(os.path.join(root, 'boot', 'vmlinuz-' + release), build_dir,
              KERNEL_NAME, 0o644)
    write_initramfs(tree, os.path.join(build_dir, INITRAMFS_NAME))
    packages = ['%s=%s' % item for item in sorted(versions.items())]
    write_file(build_dir, VERSIONS_NAME, '\n'.join([release] + packages)
               + '\n')                          # written last: the stamp
    shutil.rmtree(work)
    remove_other_builds(image_dir, build_dir)
    return cached_image(build_dir)


def remove_other_builds(image_dir, keep):
    """Older builds go; the .debs stay for apt-get download to skip."""
    for old in glob.glob(os.path.join(image_dir, 'build-*')):
        if os.path.realpath(old) != os.path.realpath(keep):
            shutil.rmtree(old)


# -- a boot under QEMU (TCG), with no way out --------------------------------

LOGIN_PROMPT = b'login:'
SHELL_PROMPT = b'# '
COMMAND_TIMEOUT = 20


def qemu_argv(image, memory_mb=128, network=True, append='',
              netdev_options=()):
    """qemu-system-x86_64 under TCG with its console on stdio.

    The only network is QEMU's user-mode one with restrict=on: its DHCP,
    and nothing outside but explicit forwards (netdev_options).
    """
    argv = ['qemu-system-x86_64', '-accel', 'tcg', '-m', str(memory_mb),
            '-nographic', '-no-reboot', '-kernel', image.kernel,
            '-initrd', image.initramfs,
            '-append', ('console=ttyS0 panic=-1 ' + append).strip()]
    if network:
        argv += ['-netdev', ','.join(['user', 'id=n0', 'restrict=on']
                                     + list(netdev_options)),
                 '-device', 'virtio-net-pci,netdev=n0']
    else:
        argv += ['-nic', 'none']
    return argv


def _read_until(proc, marker, deadline, transcript, since=0):
    """Read the console into transcript until marker (after since)."""
    while marker not in transcript[since:]:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
            return False
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            return False
        transcript.extend(chunk)
    return True


def _type_line(proc, line):
    proc.stdin.write(line.encode() + b'\n')
    proc.stdin.flush()


def boot_check(image, commands=(), timeout=60, network=True, append='',
               netdev_options=()):
    """Boot the image once under TCG; (seconds to login:, transcript).

    After login: logs in as root on the console, runs commands one by one
    (each until the next shell prompt, at most COMMAND_TIMEOUT), powers
    off. seconds is None when login: did not come within timeout.
    """
    argv = ['nice', '-n', '19', 'timeout', str(timeout)] + qemu_argv(
        image, network=network, append=append, netdev_options=netdev_options)
    transcript = bytearray()
    start = time.monotonic()
    deadline = start + timeout
    with subprocess.Popen(argv, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        try:
            if not _read_until(proc, LOGIN_PROMPT, deadline, transcript):
                return None, transcript.decode(errors='replace')
            to_login = time.monotonic() - start
            for line in ['root'] + list(commands):
                since = len(transcript)
                _type_line(proc, line)
                _read_until(proc, SHELL_PROMPT,
                            min(deadline, time.monotonic() + COMMAND_TIMEOUT),
                            transcript, since)
            _type_line(proc, 'poweroff -f')
            _read_until(proc, b'reboot: Power down', deadline, transcript,
                        len(transcript))
            return to_login, transcript.decode(errors='replace')
        finally:
            if proc.poll() is None:
                proc.kill()
