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

"""Installing: no service starts during apt-get install; pyuwsgi."""

import os
import stat

import fixtures
import testtools

from dvr_lab import install
from dvr_lab import services
from dvr_lab import settings


class TestServicesKeptFromStarting(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.dir, 'policy-rc.d')

    def write(self, path, text, mode=0o755):
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, mode)

    def read(self, path=None):
        with open(path or self.path) as f:
            return f.read()

    def assertForbidsStarting(self):
        self.assertEqual(install.FORBID_STARTING, self.read())
        self.assertTrue(os.stat(self.path).st_mode & stat.S_IXUSR)
        self.assertIn('exit 101', self.read())

    def test_none_before_none_after(self):
        with install.services_kept_from_starting(self.path):
            self.assertForbidsStarting()
        self.assertEqual([], os.listdir(self.dir))

    def test_the_machine_s_own_comes_back(self):
        self.write(self.path, '#!/bin/sh\nexit 0\n', 0o700)
        with install.services_kept_from_starting(self.path):
            self.assertForbidsStarting()
        self.assertEqual('#!/bin/sh\nexit 0\n', self.read())
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.path).st_mode))
        self.assertEqual(['policy-rc.d'], os.listdir(self.dir))

    def test_it_comes_back_when_the_install_fails(self):
        self.write(self.path, 'theirs\n')

        def failing_install():
            with install.services_kept_from_starting(self.path):
                raise RuntimeError('apt-get failed')
        self.assertRaises(RuntimeError, failing_install)
        self.assertEqual('theirs\n', self.read())
        self.assertEqual(['policy-rc.d'], os.listdir(self.dir))

    def test_a_run_that_died_inside_is_repaired_first(self):
        self.write(self.path + '.dvr-lab-saved', 'theirs\n')
        self.write(self.path, install.FORBID_STARTING)
        with install.services_kept_from_starting(self.path):
            self.assertForbidsStarting()
        self.assertEqual('theirs\n', self.read())
        self.assertEqual(['policy-rc.d'], os.listdir(self.dir))

    def test_apt_get_install_runs_inside_with_runlevel_1(self):
        self.useFixture(fixtures.MockPatchObject(install, 'POLICY_RC_D',
                                                 self.path))
        self.useFixture(fixtures.MockPatchObject(
            install, 'missing_apt_packages', return_value=['python3-venv']))
        seen = []

        def run(argv, **kwargs):
            seen.append((argv[1], os.path.exists(self.path),
                         kwargs['env'].get('RUNLEVEL'),
                         kwargs['env'].get('DEBIAN_FRONTEND')))
        self.useFixture(fixtures.MockPatch('dvr_lab.shell.run',
                                           side_effect=run))
        install.install_apt_packages()
        self.assertEqual([('update', False, '1', 'noninteractive'),
                          ('install', True, '1', 'noninteractive')], seen)
        self.assertFalse(os.path.exists(self.path))


class TestLabPackages(testtools.TestCase):

    def test_python3_venv_is_installed(self):
        self.assertIn('python3-venv', install.APT_PACKAGES)

    def requirements(self):
        with open(install.REQUIREMENTS) as f:
            return [line.strip() for line in f
                    if line.strip() and not line.startswith('#')]

    def test_uwsgi_comes_as_the_pyuwsgi_wheel(self):
        self.assertIn('pyuwsgi', self.requirements())
        self.assertNotIn('uwsgi', self.requirements())
        self.assertEqual(('uwsgi',), install.REPLACED)

    def test_the_apis_run_the_uwsgi_console_script(self):
        for svc in services.api_services():
            self.assertEqual(settings.venv_bin('uwsgi'), svc.argv[0])

    def test_the_replaced_uwsgi_goes_before_pyuwsgi_comes(self):
        root = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MockPatchObject(
            install, 'MARKER', os.path.join(root, 'marker')))
        self.useFixture(fixtures.MockPatchObject(
            install, 'venv_python', return_value='/venv/bin/python'))
        calls = self.useFixture(fixtures.MockPatch('dvr_lab.shell.run')).mock
        install.install_venv()
        pip = [c.args[0][3:] for c in calls.call_args_list
               if c.args[0][:3] == ['/venv/bin/python', '-m', 'pip']]
        self.assertEqual(['uninstall', '-q', '-y', 'uwsgi'], pip[1])
        self.assertEqual(['install', '-q', '-c', install.CONSTRAINTS, '-r',
                          install.REQUIREMENTS], pip[2])

    def test_every_lab_package_is_pinned_exactly(self):
        with open(install.CONSTRAINTS) as f:
            pins = [line.strip() for line in f
                    if line.strip() and not line.startswith('#')]
        self.assertTrue(all('==' in pin for pin in pins), pins)
        names = {pin.split('==')[0].lower() for pin in pins}
        for wanted in ('nova', 'neutron', 'libvirt-python', 'pyuwsgi', 'pip',
                       'tempest', 'dpkt'):
            self.assertIn(wanted, names)

    def test_the_install_marker_covers_the_constraints(self):
        root = self.useFixture(fixtures.TempDir()).path
        paths = {}
        for name in ('requirements', 'constraints'):
            paths[name] = os.path.join(root, name)
            with open(paths[name], 'w') as f:
                f.write('a==1\n')
        self.useFixture(fixtures.MockPatchObject(
            install, 'REQUIREMENTS', paths['requirements']))
        self.useFixture(fixtures.MockPatchObject(
            install, 'CONSTRAINTS', paths['constraints']))
        before = install.requirements_digest()
        with open(paths['constraints'], 'w') as f:
            f.write('a==2\n')
        self.assertNotEqual(before, install.requirements_digest())
