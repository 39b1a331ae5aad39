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

"""Passwords reach the controller's commands by stdin, environment or file.

Never as an argument, which anyone reads in /proc/<pid>/cmdline.
"""

import os
import subprocess
import time
from unittest import mock

import fixtures
import testtools

from dvr_lab import libvirt_host
from dvr_lab import settings
from dvr_lab.tests.unit import lab_fixtures


class TestConfigs(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lab = self.useFixture(lab_fixtures.LabStateDir())
        system = os.path.join(self.lab.root, 'etc-libvirt')
        os.makedirs(os.path.join(system, 'qemu', 'networks', 'autostart'))
        for name in ('qemu.conf', 'libvirtd.conf', 'libvirt.conf'):
            with open(os.path.join(system, name), 'w') as f:
                f.write('# the system\'s\n')
        with open(os.path.join(system, 'qemu', 'networks', 'autostart',
                               'default.xml'), 'w') as f:
            f.write('<network/>')
        self.useFixture(fixtures.MonkeyPatch(
            'dvr_lab.libvirt_host.SYSTEM_CONFIG_DIR', system))
        self.host = settings.layout('article').computes[0]

    def read(self, name):
        with open(os.path.join(libvirt_host.config_dir(self.host),
                               name)) as f:
            return f.read()

    def test_host_gets_the_system_config_with_the_labs_daemons_conf(self):
        libvirt_host.write_configs(self.host)
        qemu = self.read('qemu.conf')
        self.assertIn('security_driver = "none"\n', qemu)
        self.assertIn('cgroup_controllers = [ ]\n', qemu)
        self.assertIn('user = "root"\n', qemu)
        self.assertIn('auth_unix_rw = "none"\n', self.read('libvirtd.conf'))
        self.assertEqual('# the system\'s\n', self.read('libvirt.conf'))

    def test_no_libvirt_network_autostarts(self):
        libvirt_host.write_configs(self.host)
        self.assertFalse(os.path.exists(os.path.join(
            libvirt_host.config_dir(self.host), 'qemu', 'networks',
            'autostart')))

    def test_the_config_dir_is_filled_in_place(self):
        # it is the source of a bind mount inside the host: never replaced
        target = libvirt_host.config_dir(self.host)
        os.makedirs(target)
        inode = os.stat(target).st_ino
        libvirt_host.write_configs(self.host)
        libvirt_host.write_configs(self.host)
        self.assertEqual(inode, os.stat(target).st_ino)

    def test_qemu_hook_installed_executable(self):
        libvirt_host.write_configs(self.host)
        hook = os.path.join(libvirt_host.config_dir(self.host), 'hooks',
                            'qemu')
        self.assertTrue(os.access(hook, os.X_OK))

    def run_hook(self, phase, link_flags):
        """Run the hook with a fake `ip`; what it set up, in order."""
        bin_dir = self.useFixture(fixtures.TempDir()).path
        calls = os.path.join(bin_dir, 'calls')
        with open(os.path.join(bin_dir, 'ip'), 'w') as f:
            f.write('#!/bin/sh\n'
                    'if [ "$3" = show ]; then echo "9: $5: <%s> mtu 1450"\n'
                    'else echo "$*" >> %s; fi\n' % (link_flags, calls))
        os.chmod(os.path.join(bin_dir, 'ip'), 0o755)
        with open(os.path.join(bin_dir, 'sleep'), 'w') as f:
            f.write('#!/bin/sh\n')
        os.chmod(os.path.join(bin_dir, 'sleep'), 0o755)
        xml = ("<domain>\n  <devices>\n    <interface type='bridge'>\n"
               "      <target dev='tap5379f152-af'/>\n    </interface>\n"
               "  </devices>\n</domain>\n")
        env = dict(os.environ, PATH=bin_dir + ':' + os.environ['PATH'],
                   DVR_LAB_TAP_LOG=os.path.join(bin_dir, 'tap-up.log'))
        subprocess.run(['sh', libvirt_host.QEMU_HOOK, 'instance-1', phase,
                        'begin', '-'], input=xml, text=True, env=env,
                       check=True, timeout=10)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:  # the watcher runs detached
            if os.path.exists(calls):
                time.sleep(0.2)
                with open(calls) as f:
                    return f.read().splitlines()
            time.sleep(0.05)
        return []

    def test_hook_sets_a_down_tap_up(self):
        self.assertIn('link set dev tap5379f152-af up',
                      self.run_hook('started', 'BROADCAST,MULTICAST'))

    def test_hook_leaves_an_up_tap_and_other_phases_alone(self):
        self.assertEqual([], self.run_hook('started', 'BROADCAST,UP'))
        self.assertEqual([], self.run_hook('prepare', 'BROADCAST'))

    def test_daemons_keep_their_pid_files_in_the_hosts_run(self):
        for argv in (libvirt_host.libvirtd_argv(),
                     libvirt_host.virtlogd_argv()):
            pid_file = argv[argv.index('--pid-file') + 1]
            self.assertTrue(pid_file.startswith('/run/libvirt/'))
            self.assertNotIn('--daemon', argv)


class TestKvmProbe(testtools.TestCase):

    def probe(self, output, kvm=True):
        result = subprocess.CompletedProcess([], 0, stdout=output,
                                             stderr=b'')
        with mock.patch('os.path.exists', return_value=kvm), \
                mock.patch('subprocess.run', return_value=result) as run:
            return libvirt_host.kvm_runs_a_guest('/vmlinuz'), run

    def test_a_guest_that_boots_means_kvm(self):
        works, run = self.probe(b'[0.0] Linux version 6.1.0\nKernel panic')
        self.assertTrue(works)
        self.assertIn('kvm', run.call_args[0][0])

    def test_kvm_internal_error_means_qemu(self):
        works, _ = self.probe(b'KVM internal error. Suberror: 1\n')
        self.assertFalse(works)

    def test_no_kernel_output_means_qemu(self):
        self.assertFalse(self.probe(b'')[0])

    def test_no_dev_kvm_means_qemu_without_trying(self):
        works, run = self.probe(b'Linux version', kvm=False)
        self.assertFalse(works)
        run.assert_not_called()

    def test_probed_once_per_boot_and_kernel(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        kernel = os.path.join(tmp, 'vmlinuz')
        boot_id = os.path.join(tmp, 'boot_id')
        cache = os.path.join(tmp, 'cache', 'kvm-probe.json')
        for path, text in ((kernel, 'kernel one'), (boot_id, 'boot-1\n')):
            with open(path, 'w') as f:
                f.write(text)
        self.useFixture(fixtures.MockPatchObject(libvirt_host, 'BOOT_ID',
                                                 boot_id))
        probe = self.useFixture(fixtures.MockPatchObject(
            libvirt_host, 'kvm_runs_a_guest', return_value=False)).mock
        self.assertEqual((False, 'probed'),
                         libvirt_host.kvm_runs_a_guest_cached(kernel, cache))
        self.assertEqual((False, 'as probed earlier in this boot'),
                         libvirt_host.kvm_runs_a_guest_cached(kernel, cache))
        self.assertEqual(1, probe.call_count)
        with open(boot_id, 'w') as f:
            f.write('boot-2\n')
        libvirt_host.kvm_runs_a_guest_cached(kernel, cache)
        with open(kernel, 'w') as f:
            f.write('kernel two')
        libvirt_host.kvm_runs_a_guest_cached(kernel, cache)
        self.assertEqual(3, probe.call_count)


class TestNestedNamespaces(testtools.TestCase):

    def test_a_hosts_own_netns_are_swept_too(self):
        from dvr_lab import namespaces
        proc = self.useFixture(fixtures.TempDir()).path
        netns = os.path.join(proc, '42', 'root', 'run', 'netns')
        os.makedirs(netns)
        for name in ('snat-r', 'qdhcp-n'):
            open(os.path.join(netns, name), 'w').close()
        self.useFixture(fixtures.MonkeyPatch('dvr_lab.procfs.PROC', proc))
        self.assertEqual([os.path.join(netns, 'qdhcp-n'),
                          os.path.join(netns, 'snat-r')],
                         namespaces.nested_netns_paths(42))
        self.assertEqual([], namespaces.nested_netns_paths(43))


class TestLeftoverProcesses(testtools.TestCase):

    def test_a_process_naming_the_lab_files_is_left_over(self):
        from dvr_lab import lab
        proc = self.useFixture(fixtures.TempDir()).path
        for pid, argv in ((7, b'haproxy\0-f\0%s/hosts/x.conf\0'
                           % settings.STATE_DIR.encode()),
                          (8, b'sshd\0-D\0')):
            os.makedirs(os.path.join(proc, str(pid)))
            with open(os.path.join(proc, str(pid), 'cmdline'), 'wb') as f:
                f.write(argv)
        self.useFixture(fixtures.MonkeyPatch('dvr_lab.procfs.PROC', proc))
        self.assertEqual(
            [(7, 'haproxy -f %s/hosts/x.conf' % settings.STATE_DIR)],
            lab.lab_processes())
