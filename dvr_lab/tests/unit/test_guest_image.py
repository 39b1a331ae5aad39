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

"""The guest image's pure parts: no root, no network, no apt."""

import io
import os
import platform
import re
import shutil
import stat
import subprocess
import sys

import fixtures
import testtools

from dvr_lab import cli
from dvr_lab import guest_image as g


def guest_file(name):
    with open(os.path.join(g.GUEST_DATA_DIR, name)) as f:
        return f.read()


# `modinfo -F depends` of Debian 12's 6.1 cloud kernel, as .modinfo has it
KERNEL_6_1_DEPENDS = {
    'virtio': ['virtio_ring'],
    'virtio_ring': [],
    'virtio_pci_modern_dev': [],
    'virtio_pci_legacy_dev': [],
    'virtio_pci': ['virtio_ring', 'virtio_pci_modern_dev',
                   'virtio_pci_legacy_dev', 'virtio'],
    'failover': [],
    'net_failover': ['failover'],
    'virtio_net': ['virtio_ring', 'virtio', 'net_failover'],
}
KERNEL_6_1_INDEX = {
    'virtio': 'kernel/drivers/virtio/virtio.ko',
    'virtio_ring': 'kernel/drivers/virtio/virtio_ring.ko',
    'virtio_pci_modern_dev': 'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
    'virtio_pci_legacy_dev': 'kernel/drivers/virtio/virtio_pci_legacy_dev.ko',
    'virtio_pci': 'kernel/drivers/virtio/virtio_pci.ko',
    'failover': 'kernel/net/core/failover.ko',
    'net_failover': 'kernel/drivers/net/net_failover.ko',
    'virtio_net': 'kernel/drivers/net/virtio_net.ko',
}


class TestInitScript(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.init = guest_file('init')

    def test_runs_under_busybox(self):
        self.assertTrue(self.init.startswith('#!/bin/busybox sh\n'))
        self.assertIn('/bin/busybox --install -s', self.init)

    def test_takes_its_address_by_dhcp_on_eth0(self):
        self.assertIn('udhcpc -i eth0 -s /etc/udhcpc/default.script',
                      self.init)
        self.assertIn('-O mtu -O staticroutes', self.init)

    def test_fetches_the_key_from_both_metadata_paths(self):
        self.assertIn('METADATA=http://169.254.169.254\n', self.init)
        self.assertIn(
            'EC2_KEY_PATH=/latest/meta-data/public-keys/0/openssh-key\n',
            self.init)
        self.assertIn(
            'OPENSTACK_METADATA_PATH=/openstack/latest/meta_data.json\n',
            self.init)
        self.assertIn('/root/.ssh/authorized_keys', self.init)

    def test_the_late_key_loop_outlives_a_failed_try(self):
        # fetch_root_key sets its own deadline; the late loop must go on
        body = re.search(r'(?ms)^fetch_root_key_late\(\) \{.*?^\}$',
                         self.init).group(0)
        script = '\n'.join([
            'now=0',
            'seconds_since_boot() { now=$((now + 1)); echo $now; }',
            'ipv4_address() { echo 10.0.0.5/24; }',
            'uptime_seconds() { echo 1; }',
            'say() { echo "$*"; }',
            'sleep() { :; }',
            'tries=0',
            'fetch_root_key() { deadline=0; tries=$((tries + 1)); '
            '[ $tries -ge 3 ]; }',
            'LATE_KEY_WAIT=600',
            body,
            'fetch_root_key_late http://169.254.169.254 && echo "got $tries"'])
        done = subprocess.run(['sh', '-c', script], capture_output=True,
                              text=True, timeout=10)
        self.assertIn('got 3', done.stdout, done.stderr)

    def test_every_wait_is_bounded(self):
        self.assertIn('timeout "$WGET_TIMEOUT" wget', self.init)
        # busybox 1.35's `wget -T` segfaults
        self.assertNotRegex(self.init, r'(?m)^[^#\n]*wget [^\n]*-T')
        self.assertRegex(self.init, r'METADATA_WAIT=\d+')
        self.assertRegex(self.init, r'DHCP_TRIES=\d+')

    def test_says_where_the_key_came_from_and_when_there_is_none(self):
        self.assertIn('say "root\'s SSH key from $2:"', self.init)
        self.assertIn('say "metadata: no SSH key from', self.init)
        self.assertIn('no DHCP lease', self.init)

    def test_starts_dropbear_for_keys_only(self):
        self.assertIn('dropbear -s -R -p 22', self.init)

    def test_ends_with_getty_login_on_ttyS0(self):
        self.assertIn('login:', self.init)
        self.assertIn('ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100',
                      self.init)
        self.assertTrue(self.init.rstrip().endswith('main'))
        self.assertIn('exec /bin/busybox init', self.init)

    def test_says_nothing_a_waiter_could_take_for_the_prompt(self):
        # Tempest waits for login: in the console log; only getty says it
        said = re.findall(r'^\s*say .*$', self.init, re.MULTILINE)
        self.assertNotEqual([], said)
        self.assertEqual([], [line for line in said if 'login' in line])


def run_sh(script, args=(), env=None, timeout=10):
    return subprocess.run(['/bin/sh', '-c', script, 'sh'] + list(args),
                          capture_output=True, text=True, env=env,
                          timeout=timeout, check=True).stdout


class TestMetadataJson(testtools.TestCase):

    def test_public_keys_are_read_from_meta_data_json(self):
        init = guest_file('init')
        function = re.search(r'^openstack_public_keys\(\) \{.*?^\}$', init,
                             re.MULTILINE | re.DOTALL).group(0)
        path = self.useFixture(fixtures.TempDir()).join('meta_data.json')
        with open(path, 'w') as f:
            f.write('{"uuid": "u", "public_keys": {"k1": "ssh-rsa AAAA '
                    'a@b\\n", "k2": "ssh-ed25519 AAAC c"}, "keys": [{"name":'
                    ' "k1", "data": "ssh-rsa AAAA a@b\\n"}], "name": "vm"}')
        out = run_sh(function + '\nopenstack_public_keys "$1"', [path])
        self.assertEqual(['ssh-rsa AAAA a@b', 'ssh-ed25519 AAAC c'],
                         out.splitlines())


class TestUdhcpcScript(testtools.TestCase):
    """The event script against an `ip` that only writes down its calls."""

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.calls = os.path.join(self.dir, 'calls')
        stub = os.path.join(self.dir, 'ip')
        with open(stub, 'w') as f:
            f.write('#!/bin/sh\necho "ip $*" >> %s\n' % self.calls)
        os.chmod(stub, 0o755)
        self.script = os.path.join(g.GUEST_DATA_DIR, 'udhcpc.script')

    def event(self, name, **options):
        env = {'PATH': self.dir + os.pathsep + os.environ['PATH'],
               'RESOLV_CONF': os.path.join(self.dir, 'resolv.conf'),
               'interface': 'eth0', 'ip': '10.0.0.5', 'mask': '24'}
        env.update(options)
        subprocess.run(['/bin/sh', self.script, name], env=env, timeout=10,
                       check=True)
        with open(self.calls) as f:
            return f.read().splitlines()

    def test_bound_sets_address_mtu_and_default_route(self):
        calls = self.event('bound', router='10.0.0.1', mtu='1450',
                           dns='10.0.0.2')
        self.assertIn('ip addr add 10.0.0.5/24 broadcast + dev eth0', calls)
        self.assertIn('ip link set dev eth0 mtu 1450', calls)
        self.assertIn('ip route replace default via 10.0.0.1 dev eth0',
                      calls)
        with open(os.path.join(self.dir, 'resolv.conf')) as f:
            self.assertEqual('nameserver 10.0.0.2\n', f.read())

    def test_classless_routes_replace_the_router(self):
        calls = self.event(
            'bound', router='10.0.0.1', staticroutes='10.0.0.0/24 0.0.0.0 '
            '169.254.169.254/32 10.0.0.2 0.0.0.0/0 10.0.0.1')
        self.assertIn('ip route replace 10.0.0.0/24 dev eth0', calls)
        self.assertIn('ip route replace 169.254.169.254/32 via 10.0.0.2 '
                      'dev eth0', calls)
        self.assertIn('ip route replace 0.0.0.0/0 via 10.0.0.1 dev eth0',
                      calls)
        self.assertNotIn('ip route replace default via 10.0.0.1 dev eth0',
                         calls)


class TestPackages(testtools.TestCase):

    def test_depends_of_the_cloud_kernel_metapackage(self):
        out = ('linux-image-cloud-amd64\n'
               '  Depends: linux-image-6.1.0-56-cloud-amd64\n')
        self.assertEqual(['linux-image-6.1.0-56-cloud-amd64'],
                         g.parse_depends(out))

    def test_depends_leave_out_virtual_packages_and_suggestions(self):
        out = ('libc6\n  Depends: libgcc-s1\n |Depends: a\n  Depends: b\n'
               '  Depends: <virtual>\n  Suggests: glibc-doc\n'
               '  Breaks: x\n')
        self.assertEqual(['libgcc-s1', 'a', 'b'], g.parse_depends(out))

    def test_candidates_of_apt_cache_policy(self):
        out = ('busybox-static:\n  Installed: (none)\n'
               '  Candidate: 1:1.35.0-4+deb12u1+b1\n  Version table:\n'
               ' *** 1:1.35.0-4+deb12u1+b1 500\n'
               'nothing-here:\n  Installed: (none)\n  Candidate: (none)\n')
        self.assertEqual({'busybox-static': '1:1.35.0-4+deb12u1+b1'},
                         g.parse_candidates(out))

    def test_deb_file_name_quotes_the_epoch_as_apt_get_download_does(self):
        self.assertEqual('busybox-static_1%3a1.35.0-4+deb12u1+b1_',
                         g.deb_file_name('busybox-static',
                                         '1:1.35.0-4+deb12u1+b1'))

    def test_apt_is_asked_again_only_when_its_state_changes(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        status = os.path.join(tmp, 'status')
        with open(status, 'w') as f:
            f.write('one')
        self.useFixture(fixtures.MockPatchObject(g, 'APT_STATE_PATHS',
                                                 (status,)))
        self.useFixture(fixtures.MockPatchObject(g, 'guest_packages',
                                                 return_value=['busybox']))
        ask = self.useFixture(fixtures.MockPatchObject(
            g, 'candidate_versions', return_value={'busybox': '1'})).mock
        self.assertEqual({'busybox': '1'}, g.resolved_versions(tmp))
        self.assertEqual({'busybox': '1'}, g.resolved_versions(tmp))
        self.assertEqual(1, ask.call_count)
        with open(status, 'w') as f:
            f.write('two, longer')
        g.resolved_versions(tmp)
        self.assertEqual(2, ask.call_count)

    def test_build_key_follows_the_versions(self):
        one = g.build_key({'busybox-static': '1:1.35.0-4'})
        self.assertEqual(one, g.build_key({'busybox-static': '1:1.35.0-4'}))
        self.assertNotEqual(one, g.build_key({'busybox-static': '1:1.36'}))


class TestModules(testtools.TestCase):

    def test_modinfo_depends(self):
        ko = (b'\x7fELF...\x00license=GPL\x00depends=virtio_ring,virtio,'
              b'net_failover\x00retpoline=Y\x00')
        self.assertEqual(['virtio_ring', 'virtio', 'net_failover'],
                         g.modinfo_depends(ko))
        self.assertEqual([], g.modinfo_depends(b'\x00depends=\x00'))

    def test_load_order_puts_every_module_after_its_dependencies(self):
        order = g.load_order(('virtio_pci', 'virtio_net'), KERNEL_6_1_DEPENDS)
        self.assertEqual(['virtio_ring', 'virtio_pci_modern_dev',
                          'virtio_pci_legacy_dev', 'virtio', 'virtio_pci',
                          'failover', 'net_failover', 'virtio_net'], order)
        for position, module in enumerate(order):
            for dependency in KERNEL_6_1_DEPENDS[module]:
                self.assertLess(order.index(dependency), position)

    def test_a_dependency_loop_is_an_error(self):
        self.assertRaises(g.GuestImageError, g.load_order, ['a'],
                          {'a': ['b'], 'b': ['a']})

    def test_modules_dep_in_depmod_format(self):
        order = g.load_order(('virtio_pci', 'virtio_net'), KERNEL_6_1_DEPENDS)
        lines = g.modules_dep_text(order, KERNEL_6_1_DEPENDS,
                                   KERNEL_6_1_INDEX).splitlines()
        self.assertIn('kernel/drivers/virtio/virtio_ring.ko:', lines)
        self.assertIn('kernel/drivers/net/net_failover.ko: '
                      'kernel/net/core/failover.ko', lines)
        self.assertIn('kernel/drivers/net/virtio_net.ko: '
                      'kernel/drivers/net/net_failover.ko '
                      'kernel/net/core/failover.ko '
                      'kernel/drivers/virtio/virtio.ko '
                      'kernel/drivers/virtio/virtio_ring.ko', lines)

    def test_modules_are_indexed_by_name(self):
        root = self.useFixture(fixtures.TempDir()).path
        os.makedirs(os.path.join(root, 'kernel', 'drivers', 'char'))
        open(os.path.join(root, 'kernel', 'drivers', 'char',
                          'virtio-rng.ko'), 'w').close()
        self.assertEqual({'virtio_rng': 'kernel/drivers/char/virtio-rng.ko'},
                         g.index_modules(root))


class TestElf(testtools.TestCase):

    def test_needed_libraries_of_this_python(self):
        if platform.machine() != 'x86_64' or sys.platform != 'linux':
            self.skipTest('x86-64 Linux only')
        with open(os.path.realpath(sys.executable), 'rb') as f:
            interpreter, needed = g.elf_dynamic_info(f.read())
        if interpreter is None:
            self.skipTest('a static python')
        self.assertEqual('/lib64/ld-linux-x86-64.so.2', interpreter)
        self.assertIn('libc.so.6', needed)

    def test_not_elf(self):
        self.assertRaises(g.GuestImageError, g.elf_dynamic_info,
                          b'#!/bin/sh\n')


def newc_fields(archive, name=None):
    """The 13 header fields of the first member, or of the one named."""
    pattern = b'070701[0-9A-F]{104}' + (re.escape(name.encode() + b'\0')
                                        if name else b'')
    header = re.search(pattern, archive).group(0)
    return [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]


class TestInitramfs(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tree = self.useFixture(fixtures.TempDir()).path
        g.add_guest_files(self.tree)
        os.makedirs(os.path.join(self.tree, 'bin'))
        shutil.copyfile(sys.executable,
                        os.path.join(self.tree, 'bin', 'busybox'))
        os.symlink('busybox', os.path.join(self.tree, 'bin', 'sh'))

    def test_member_list(self):
        names = g.newc_member_names(g.newc_archive(self.tree))
        for member in ('init', 'bin', 'bin/busybox', 'bin/sh', 'dev',
                       'proc', 'sys', 'run', 'tmp', 'root', 'etc',
                       'etc/passwd', 'etc/group', 'etc/shells',
                       'etc/udhcpc', 'etc/udhcpc/default.script',
                       'etc/dropbear', 'dev/console'):
            self.assertIn(member, names)
        self.assertEqual('dev/console', names[-1])
        self.assertEqual(len(names), len(set(names)))

    def test_parents_come_before_children(self):
        names = g.newc_member_names(g.newc_archive(self.tree))
        for position, name in enumerate(names):
            if '/' in name:
                self.assertLess(names.index(os.path.dirname(name)), position)

    def test_members_belong_to_root_with_their_modes(self):
        archive = g.newc_archive(self.tree)
        fields = newc_fields(archive)       # the first member, 'bin'
        self.assertEqual((0, 0), (fields[2], fields[3]))
        self.assertTrue(stat.S_ISDIR(fields[1]))
        self.assertEqual(0o100755, newc_fields(archive, 'init')[1])

    def test_console_is_a_character_device(self):
        archive = g.newc_archive(self.tree)
        fields = newc_fields(archive, 'dev/console')
        self.assertEqual(stat.S_IFCHR | 0o600, fields[1])
        self.assertEqual((5, 1), (fields[9], fields[10]))

    def test_archive_is_reproducible_and_aligned(self):
        one = g.newc_archive(self.tree)
        self.assertEqual(one, g.newc_archive(self.tree))
        self.assertEqual(0, len(one) % 4)
        self.assertTrue(one.rstrip(b'\0').endswith(b'TRAILER!!!'))

    def test_root_logs_in_with_keys_only_over_ssh(self):
        with open(os.path.join(self.tree, 'etc', 'passwd')) as f:
            self.assertEqual('root::0:0:root:/root:/bin/sh\n', f.read())
        mode = os.stat(os.path.join(self.tree, 'root')).st_mode
        self.assertEqual(0o700, stat.S_IMODE(mode))


class TestImageCommand(testtools.TestCase):

    def test_prints_the_paths_without_root(self):
        image = g.GuestImage('/x/vmlinuz', '/x/initramfs.gz', '6.1.0-56',
                             ('busybox-static=1:1.35.0-4',))
        build = self.useFixture(fixtures.MockPatchObject(
            g, 'build', return_value=image)).mock
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=1000))
        out = self.useFixture(fixtures.MockPatch(
            'sys.stdout', new_callable=io.StringIO)).mock
        self.assertEqual(0, cli.main(['image', '--dir', '/x']))
        build.assert_called_once_with('/x')
        self.assertEqual(['DVR_LAB_GUEST_KERNEL=/x/vmlinuz',
                          'DVR_LAB_GUEST_INITRAMFS=/x/initramfs.gz'],
                         out.getvalue().splitlines())

    def test_qemu_is_tcg_and_cannot_reach_out(self):
        image = g.GuestImage('/x/vmlinuz', '/x/initramfs.gz', '6.1', ())
        argv = g.qemu_argv(image)
        self.assertEqual(['-accel', 'tcg'], argv[1:3])
        self.assertIn('user,id=n0,restrict=on', argv)
        self.assertEqual(['-nic', 'none'],
                         g.qemu_argv(image, network=False)[-2:])
