"""Breakages of the agents' life cycle and of what the suite expects of it.

Those that act through the [dvr] agent commands wrap dvr-lab-agent, the
lab's agent control, in a shell script.
"""

import shlex

from dvr_lab.breakages import base
from dvr_lab import processes
from dvr_lab import services
from dvr_lab import settings
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import settings as plugin_settings

FIP_NAMESPACES = "$(ip netns | cut -d' ' -f1 | grep '^%s')" % (
    naming.FIP_NS_PREFIX)


def sh(script):
    """An option value running script; oslo.config reads $$ as a $."""
    return ('sh -c %s' % shlex.quote(script)).replace('$', '$$')


def agent_ctl(action, kind):
    return '%s %s %s' % (settings.AGENT_CTL, action, kind)


class AgentCommands(base.OptionsOnly):
    """Overrides every [dvr] <kind>_agent_<action>_command with script()."""

    kind = None

    def script(self, action):
        raise NotImplementedError

    @property
    def conf(self):
        return {plugin_settings.agent_command_option(self.kind, action):
                sh(self.script(action))
                for action in plugin_settings.AGENT_ACTIONS}


class L3DownCutsFip(AgentCommands):
    """Stopping or killing the L3 agent also sets the host's fg- down.

    What a deployment whose agent shutdown tears down the fip namespace
    looks like; starting the agent sets them up again first.
    """

    name = 'l3-down-cuts-fip'
    kind = 'l3'

    @staticmethod
    def fg(state):
        return ('for ns in %s; do for dev in $(ip netns exec $ns ip -o link '
                '| cut -d: -f2 | grep -o "%s[^@ ]*"); do ip netns exec $ns '
                'ip link set $dev %s; done; done' % (
                    FIP_NAMESPACES, naming.FIP_EXT_DEV_PREFIX, state))

    def script(self, action):
        if action == 'start':
            return '%s; %s' % (self.fg('up'), agent_ctl(action, self.kind))
        return '%s && %s' % (agent_ctl(action, self.kind), self.fg('down'))


class OvsDownDropsIcmp(AgentCommands):
    """Stopping or killing the OVS agent also drops ICMP in br-int.

    The flow goes in at the top of br-int just before the agent is
    stopped (a stop lasts until the agent exits, up to 20 s in the lab);
    starting the agent deletes it first.
    """

    name = 'ovs-down-drops-icmp'
    kind = 'ovs'
    flow = 'priority=65535,icmp'

    def script(self, action):
        if action == 'start':
            return 'ovs-ofctl --strict del-flows br-int %s; %s' % (
                self.flow, agent_ctl(action, self.kind))
        return 'ovs-ofctl add-flow br-int %s,actions=drop && %s' % (
            self.flow, agent_ctl(action, self.kind))


class ExpectOtherFailover(base.OptionsOnly):
    """Set [dvr] expect_snat_failover against what the lab does.

    True where the lab has one dvr_snat host (standard layout), False
    where it has two and fails over (article layout).
    """

    name = 'expect-other-failover'

    @property
    def conf(self):
        return {'expect_snat_failover':
                len(settings.layout().snat_hosts) < 2}


class NoSnatFailover(base.Breakage):
    """Restart neutron-periodic-workers with no automatic L3 failover.

    The rescheduling of routers from dead L3 agents runs there; it comes
    back with the lab's own neutron.conf on undo.
    """

    name = 'no-snat-failover'
    service = 'neutron-periodic-workers'

    def __init__(self):
        self.applied = False

    def restart(self, extra_args):
        service = services.by_name(self.service)
        processes.stop(service.name)
        services.start(service._replace(argv=service.argv + extra_args))

    def apply(self, test):
        if not self.applied:
            override = services.etc('neutron', 'no-failover.conf')
            with open(override, 'w') as f:
                f.write('[DEFAULT]\nallow_automatic_l3agent_failover = '
                        'False\n')
            self.restart(['--config-file', override])
            self.applied = True

    def undo(self, test):
        if self.applied:
            self.restart([])


BREAKAGES = (L3DownCutsFip, OvsDownDropsIcmp, ExpectOtherFailover,
             NoSnatFailover)
