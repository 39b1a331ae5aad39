"""Breakages of a whole host's failure (the node-failure test).

They act through [dvr] host_fail_command and host_restore_command, which
run on the tester: each wraps `dvr-lab host fail|restore` in a script.
"""

import shlex

from dvr_lab.breakages import agents
from dvr_lab.breakages import base
from dvr_lab import namespaces
from dvr_lab import processes
from dvr_lab import settings
from dvr_tempest_plugin import options


def dvr_lab_host(action):
    return '%s host %s "$0"' % (shlex.quote(settings.venv_bin('dvr-lab')),
                                action)


class NodeFailCutsFip(base.OptionsOnly):
    """A host's failure also sets the fg- devices of every other host down.

    What a cloud whose floating IPs depend on the failed node looks like
    (their traffic hairpinned through it, say); its restore sets them up
    again.
    """

    name = 'node-fail-cuts-fip'

    @staticmethod
    def on_other_hosts(state):
        lines = []
        for host in settings.layout().agent_hosts:
            holder = processes.pid_file(namespaces.holder_name(host))
            enter = 'nsenter --target "$(cut -d" " -f1 %s)" %s' % (
                shlex.quote(holder), shlex.join(
                    ['--net', '--mount', '--uts', '--wd=/', '--', 'sh', '-c',
                     agents.L3DownCutsFip.fg(state)]))
            lines.append('[ "$0" = %s ] || %s' % (shlex.quote(host.name),
                                                  enter))
        return '; '.join(lines)

    @property
    def conf(self):
        return {
            options.HOST_FAIL_COMMAND: agents.sh('%s && %s' % (
                dvr_lab_host('fail'), self.on_other_hosts('down'))) +
            ' {host}',
            options.HOST_RESTORE_COMMAND: agents.sh('%s; %s' % (
                self.on_other_hosts('up'), dvr_lab_host('restore'))) +
            ' {host}',
        }


BREAKAGES = (NodeFailCutsFip,)
