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

"""Stop, start and kill a Neutron agent on a host, and bring it back.

The commands come from the [dvr] <kind>_agent_<action>_command options;
kind is 'l3' or 'ovs'. They run on the host as configured, without
[dvr] host_command_prefix. Restoring means starting the agent and waiting
until the API reports it alive again.
"""

import contextlib

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin import options

INTERRUPTIONS = ('stop', 'kill')


class Agent(object):
    """The agent of one kind on one host, as commands and as the API sees it.

    timeout bounds the waits for the API to report the agent dead or
    alive; [dvr] agent_down_timeout when None.
    """

    def __init__(self, host_client, kind, agents_client, timeout=None):
        options.agent_command_option(kind, 'start')
        self.host_client = host_client
        self.kind = kind
        self.agent_type = options.AGENT_TYPES[kind]
        self.agents_client = agents_client
        self._timeout = timeout
        # The CommandResult of the last stop or kill.
        self.interruption = None

    def __str__(self):
        return '%s agent of %s' % (self.kind, self.host_client.name)

    @property
    def timeout(self):
        if self._timeout is None:
            return settings.agent_down_timeout()
        return self._timeout

    def argv(self, action):
        """The configured command for action; HostAccessError if unusable."""
        host = self.host_client.name
        try:
            return settings.agent_command(self.kind, action, host)
        except settings.ConfigError as exc:
            raise hosts.HostAccessError('host %s: %s' % (host, exc)) from None

    def run(self, action, timeout=None):
        """Run the [dvr] command for action on the agent's host.

        The command runs on the host itself, never after
        host_command_prefix: a prefix that enters an agent's container
        could not stop or start it.
        """
        return self.host_client.run(self.argv(action), timeout=timeout,
                                    prefix=False)

    def stop(self):
        return self.run('stop')

    def start(self):
        return self.run('start')

    def kill(self):
        return self.run('kill')

    def _wait_reported(self, alive):
        return agents.wait_agent_alive(self.agents_client,
                                       self.host_client.name,
                                       self.agent_type, alive, self.timeout)

    def wait_alive(self):
        """Wait until the API reports the agent alive; return it."""
        return self._wait_reported(True)

    def wait_dead(self):
        """Wait until the API reports the agent dead; return it."""
        return self._wait_reported(False)

    def restore(self):
        """Start the agent and wait until the API reports it alive."""
        self.start()
        return self.wait_alive()

    @contextlib.contextmanager
    def interrupted(self, action):
        """Context in which the agent is stopped or killed.

        On exit, even on error and even when the interruption itself
        failed half way, the agent is started again and the context waits
        until the API reports it alive.
        """
        if action not in INTERRUPTIONS:
            raise ValueError('action %r is not one of %s' %
                             (action, ', '.join(INTERRUPTIONS)))
        # Refuse to interrupt an agent that could not be started again.
        self.argv('start')
        try:
            self.interruption = self.run(action)
            yield self
        finally:
            self.restore()
