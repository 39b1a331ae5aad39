"""The lab venv gets every requirement of the plugin.

install.install_project() installs the checkout with --no-deps: what the
plugin needs must come from requirements-lab.txt or with tempest.
"""

import importlib.metadata
import os
import re

import testtools

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
_NAME = re.compile(r'^\s*([A-Za-z0-9][A-Za-z0-9._-]*)')


def names(lines):
    found = set()
    for line in lines:
        match = _NAME.match(line.split('#', 1)[0])
        if match:
            found.add(re.sub(r'[-_.]+', '-', match.group(1)).lower())
    return found


def file_names(*parts):
    with open(os.path.join(REPO_ROOT, *parts)) as f:
        return names(f)


class TestLabRequirements(testtools.TestCase):

    def test_plugin_requirements_reach_the_lab_venv(self):
        with_tempest = names(importlib.metadata.requires('tempest') or ())
        lab = file_names('dvr_lab', 'requirements-lab.txt')
        missing = (file_names('requirements.txt') - lab - with_tempest -
                   {'tempest'})
        self.assertEqual(set(), missing)

    def test_names(self):
        self.assertEqual({'python-subunit', 'oslo-config', 'dpkt'}, names([
            'python_subunit>=1.4.0', 'oslo.config>=8.3.0 # Apache-2.0',
            '# comment', '', 'dpkt']))
