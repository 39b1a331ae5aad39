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

from concurrent import futures
import contextlib
import time

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
        # The CommandResult of the last stop or kill, when it began
        # (time.monotonic()) and how many seconds the command took.
        self.interruption = None
        self.interrupted_at = None
        self.interruption_seconds = None

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

    def interrupt(self, action):
        """Stop or kill the agent; keep when and what the command said."""
        self.interrupted_at = time.monotonic()
        self.interruption = self.run(action)
        self.interruption_seconds = time.monotonic() - self.interrupted_at
        return self.interruption

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
        with interrupted_together([self], action):
            yield self


@contextlib.contextmanager
def interrupted_together(agent_list, action):
    """Context in which every agent of agent_list is stopped or killed.

    The interruptions run at the same time, one thread per agent (a stop
    can take as long as the agent takes to exit); each agent keeps when
    its interruption began (interrupted_at, time.monotonic()) and what
    its command said (interruption). On exit, even on error and even when
    an interruption failed half way, every agent is started again, and
    only then does the context wait until the API reports each alive, so
    they come back together.
    """
    if action not in INTERRUPTIONS:
        raise ValueError('action %r is not one of %s' %
                         (action, ', '.join(INTERRUPTIONS)))
    # Refuse to interrupt agents that could not be started again.
    for agent in agent_list:
        agent.argv('start')
    try:
        with futures.ThreadPoolExecutor(len(agent_list)) as pool:
            done = [pool.submit(agent.interrupt, action)
                    for agent in agent_list]
        for future in done:
            future.result()
        yield agent_list
    finally:
        errors, started = [], []
        for agent in agent_list:
            try:
                agent.start()
                started.append(agent)
            except Exception as exc:
                errors.append(exc)
        for agent in started:
            agent.wait_alive()
        if errors:
            raise errors[0]
