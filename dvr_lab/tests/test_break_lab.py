"""tools/break_lab.py: its breakages are listed and its options readable."""

import importlib.util
import os
import shlex
import unittest

from oslo_config import cfg

TOOL = os.path.join(os.path.dirname(__file__), '..', '..', 'tools',
                    'break_lab.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('break_lab', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BreakLabTest(unittest.TestCase):

    def setUp(self):
        self.tool = load_tool()

    def test_every_breakage_is_named_and_explained(self):
        for name, cls in self.tool.BREAKAGES.items():
            self.assertEqual(name, cls.name)
            self.assertTrue(cls.__doc__ and cls.__doc__.strip(),
                            '%s has no docstring for --list' % name)

    def test_agent_commands_survive_oslo_config(self):
        """Overrides read back as written, $ and all.

        oslo.config substitutes $name, so the tool writes $ as $$.
        """
        for name, cls in self.tool.BREAKAGES.items():
            conf = cls().conf
            if not conf:
                continue
            opts = cfg.ConfigOpts()
            opts.register_opts([cfg.StrOpt(key) for key in conf],
                               group='dvr')
            opts([], project='break-lab-test')
            for key, value in conf.items():
                opts.set_override(key, value, group='dvr')
                read = getattr(opts.dvr, key)
                self.assertEqual(value.replace('$$', '$'), read)
                argv = shlex.split(read)
                self.assertEqual(['sh', '-c'], argv[:2], key)
                self.assertIn('/opt/dvr-lab/bin/dvr-lab-agent', argv[2])

    def test_unknown_breakage_is_refused(self):
        with self.assertRaises(SystemExit):
            self.tool.breakages_by_test(['test_x=no-such-breakage'])

    def test_unknown_test_name_is_refused_not_dropped(self):
        with self.assertRaises(SystemExit) as raised:
            self.tool.test_names(['test_no_such_scenario'])
        self.assertIn("no scenario test or class named "
                      "'test_no_such_scenario'", str(raised.exception))
