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

"""Stop, start and kill Neutron agents on a host, and bring them back.

The commands come from the [dvr] <kind>_agent_<action>_command options;
kind is 'l3' or 'ovs'. They run on the host as configured, without
[dvr] host_command_prefix. Restoring means starting the agent and waiting
until the API reports it alive again.
"""

import contextlib

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import settings

AGENT_TYPES = {'l3': agents.L3_AGENT, 'ovs': agents.OVS_AGENT}
INTERRUPTIONS = ('stop', 'kill')


def agent_argv(kind, action, host):
    try:
        return settings.agent_command(kind, action, host)
    except settings.ConfigError as exc:
        raise hosts.HostAccessError('host %s: %s' % (host, exc)) from None


def control_agent(host_client, kind, action, timeout=None):
    """Run the [dvr] command for action on the kind agent of a host.

    The command runs on the host itself, never after host_command_prefix:
    a prefix that enters an agent's container could not stop or start it.
    """
    argv = agent_argv(kind, action, host_client.name)
    return host_client.run(argv, timeout=timeout, prefix=False)


def _agent_down_timeout():
    return settings.option('agent_down_timeout')


def restore_agent(host_client, kind, agents_client, timeout=None):
    """Start the agent and wait until the API reports it alive."""
    timeout = _agent_down_timeout() if timeout is None else timeout
    control_agent(host_client, kind, 'start')
    return agents.wait_agent_alive(agents_client, host_client.name,
                                   AGENT_TYPES[kind], True, timeout)


def interrupt_agent(host_client, kind, action, agents_client, add_cleanup,
                    timeout=None):
    """Stop or kill an agent; register its restore with add_cleanup first.

    add_cleanup is typically a test's addCleanup, so the agent comes back
    even when the interruption itself fails half way.
    """
    if action not in INTERRUPTIONS:
        raise ValueError('action %r is not one of %s' %
                         (action, ', '.join(INTERRUPTIONS)))
    # Refuse to interrupt an agent that could not be started again.
    agent_argv(kind, 'start', host_client.name)
    add_cleanup(restore_agent, host_client, kind, agents_client, timeout)
    return control_agent(host_client, kind, action)


@contextlib.contextmanager
def agent_interrupted(host_client, kind, action, agents_client,
                      timeout=None):
    """Context in which the agent is stopped or killed; restored on exit."""
    restores = []
    try:
        interrupt_agent(host_client, kind, action, agents_client,
                        lambda func, *args: restores.append((func, args)),
                        timeout)
        yield
    finally:
        for func, args in restores:
            func(*args)


def wait_agent_dead(host_client, kind, agents_client, timeout=None):
    """Wait until the API reports the agent of a host dead."""
    timeout = _agent_down_timeout() if timeout is None else timeout
    return agents.wait_agent_alive(agents_client, host_client.name,
                                   AGENT_TYPES[kind], False, timeout)
