"""Every breakage by name, and reading what `dvr-lab break` is asked."""

from dvr_lab.breakages import agents
from dvr_lab.breakages import api
from dvr_lab.breakages import fip_plumbing
from dvr_lab.breakages import l3_ha
from dvr_lab.breakages import node_failure
from dvr_lab.breakages import router_namespaces
from dvr_lab.breakages import traffic

KINDS = (api, router_namespaces, fip_plumbing, traffic, agents, l3_ha,
         node_failure)
BREAKAGES = {cls.name: cls for kind in KINDS for cls in kind.BREAKAGES}

USAGE = """\
dvr-lab break BREAKAGE TEST...        break each test the same way
dvr-lab break TEST=BREAKAGE...        break each test its own way, in order
dvr-lab break --list                  this list

TEST is a scenario test's dotted path, or a test_ or Test name looked up in
dvr_tempest_plugin.tests.scenario. The breakage is applied after the test
class built its topology and before the test body, kept applied every
second, and undone after the test; list the breakages that cannot be undone
last. Each test's details go to /tmp/break-lab/<test>/."""


class UnknownBreakage(ValueError):

    def __init__(self, name):
        super().__init__('unknown breakage %r (dvr-lab break --list)' % name)


def summary(cls):
    """The first line of the breakage's docstring."""
    return cls.__doc__.strip().splitlines()[0]


def listing():
    lines = [USAGE, '', 'Breakages:']
    lines += ['  %-30s %s' % (name, summary(cls))
              for name, cls in sorted(BREAKAGES.items())]
    return '\n'.join(lines) + '\n'


def requests(args):
    """[(test, make_breakage)] from BREAKAGE TEST... or TEST=BREAKAGE...

    make_breakage() gives the breakage of each test TEST names. BREAKAGE
    TEST... shares one breakage among all its tests; TEST=BREAKAGE gives
    each test its own.
    """
    if args and '=' not in args[0]:
        if args[0] not in BREAKAGES:
            raise UnknownBreakage(args[0])
        shared = BREAKAGES[args[0]]()
        return [(test, lambda: shared) for test in args[1:]]
    found = []
    for arg in args:
        test, _, name = arg.partition('=')
        if name not in BREAKAGES:
            raise UnknownBreakage(name)
        found.append((test, BREAKAGES[name]))
    return found
