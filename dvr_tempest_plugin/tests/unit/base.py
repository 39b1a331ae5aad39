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


import os
import tempfile

from oslo_config import cfg
import testtools

from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin import config as dvr_config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


class TestCase(testtools.TestCase):

    def make_conf(self, text='', **overrides):
        """A fresh ConfigOpts with [dvr] registered, read from text.

        text is the body of a [dvr] section, parsed like tempest.conf;
        overrides are applied on top. Returns the [dvr] group.
        """
        conf = cfg.ConfigOpts()
        dvr_config.register_opts(conf)
        path = self.write_file('[dvr]\n' + text, suffix='.conf')
        conf(args=['--config-file', path], project='dvr-unit-test',
             default_config_files=[], default_config_dirs=[])
        for name, value in overrides.items():
            conf.set_override(name, value, group='dvr')
        self.addCleanup(conf.reset)
        return conf.dvr

    def use_conf(self, text='', **overrides):
        """Make settings read a fresh [dvr] group instead of tempest's."""
        group = self.make_conf(text, **overrides)
        patcher = testtools.monkey.MonkeyPatcher(
            (settings, 'dvr_conf', lambda: group))
        patcher.patch()
        self.addCleanup(patcher.restore)
        return group

    def write_file(self, content, suffix=''):
        fd, path = tempfile.mkstemp(suffix=suffix)
        with os.fdopen(fd, 'w') as f:
            f.write(content)
        self.addCleanup(os.unlink, path)
        return path
