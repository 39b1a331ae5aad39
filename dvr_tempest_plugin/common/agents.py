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

"""Neutron agents as the API reports them, and the hosts that run them."""

from tempest.lib import exceptions as lib_exc

from dvr_tempest_plugin.common import polling
from dvr_tempest_plugin import options

L3_AGENT = options.AGENT_TYPES['l3']
OVS_AGENT = options.AGENT_TYPES['ovs']
# L3 agent modes of hosts that route their VMs' floating IPs themselves.
DVR_MODES = ('dvr', 'dvr_snat')
# A compute whose VMs' floating IPs are centralized on the dvr_snat host.
NO_EXTERNAL_MODE = 'dvr_no_external'
POLL_INTERVAL = 3


def agents_of_type(agents_client, agent_type, host=None):
    filters = {'agent_type': agent_type}
    if host is not None:
        filters['host'] = host
    agents = agents_client.list_agents(**filters)['agents']
    return [agent for agent in agents if agent['agent_type'] == agent_type
            and (host is None or agent['host'] == host)]


def l3_agents(agents_client):
    return agents_of_type(agents_client, L3_AGENT)


def agent_mode(agent):
    return agent['configurations']['agent_mode']


def find_agent(agents_client, host, agent_type):
    """The agent of agent_type on host, or None."""
    found = agents_of_type(agents_client, agent_type, host=host)
    return found[0] if found else None


def dvr_agents(agents_client, modes=DVR_MODES):
    """Alive L3 agents whose agent_mode is in modes."""
    return [agent for agent in l3_agents(agents_client)
            if agent['alive'] and agent['admin_state_up']
            and agent_mode(agent) in modes]


def dvr_snat_hosts(agents_client):
    """Sorted hosts with an alive L3 agent that can host snat- namespaces."""
    return sorted({agent['host'] for agent in
                   dvr_agents(agents_client, modes=('dvr_snat',))})


def wait_agent_alive(agents_client, host, agent_type, alive, timeout):
    """Wait until the API reports the agent alive (or dead); return it."""
    done, agent = polling.wait_for(
        lambda: find_agent(agents_client, host, agent_type),
        lambda agent: agent is not None and agent['alive'] == alive,
        timeout, interval=POLL_INTERVAL)
    if done:
        return agent
    if agent is None:
        state = 'not registered'
    else:
        state = 'alive' if agent['alive'] else 'dead'
    raise lib_exc.TimeoutException(
        '%s on host %s is still %s after %d s; expected it %s' %
        (agent_type, host, state, timeout, 'alive' if alive else 'dead'))
