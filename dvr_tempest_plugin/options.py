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

"""The names of the [dvr] options, defined once.

config.py defines the options under these names, common/settings.py
reads them, and whoever writes a tempest.conf for this plugin (the lab's
workspace writer, its breakages) uses them too. No tempest import here.
"""

GROUP = 'dvr'

HOST_SSH_ADDRESSES = 'host_ssh_addresses'
HOST_SSH_USER = 'host_ssh_user'
HOST_SSH_KEY_FILE = 'host_ssh_key_file'
HOST_SSH_PORT = 'host_ssh_port'
HOST_SSH_JUMP_HOST = 'host_ssh_jump_host'
HOST_SSH_KNOWN_HOSTS_FILE = 'host_ssh_known_hosts_file'
HOST_KEY_POLICY = 'host_key_policy'
HOST_COMMAND_PREFIX = 'host_command_prefix'
HOST_CONNECT_TIMEOUT = 'host_connect_timeout'
HOST_COMMAND_TIMEOUT = 'host_command_timeout'
OUTSIDE_ADDRESS = 'outside_address'
CONVERGENCE_TIMEOUT = 'convergence_timeout'
AGENT_DOWN_TIMEOUT = 'agent_down_timeout'
CAPTURE_SECONDS = 'capture_seconds'
DISRUPTIVE_TESTS = 'disruptive_tests'
EXPECT_SNAT_FAILOVER = 'expect_snat_failover'
SNAT_FAILOVER_MAX_OUTAGE = 'snat_failover_max_outage'
HA_FAILOVER_MAX_OUTAGE = 'ha_failover_max_outage'
REPORT_DIR = 'report_dir'
HOST_FAIL_COMMAND = 'host_fail_command'
HOST_RESTORE_COMMAND = 'host_restore_command'
HOST_FAILURE_TIMEOUT = 'host_failure_command_timeout'
NODE_FAILURE_MAX_SNAT_RECOVERY = 'node_failure_max_snat_recovery'

HOST_KEY_POLICIES = ('reject', 'warn', 'auto-add')

# Agent kind -> the agent type Neutron's API reports for it.
AGENT_TYPES = {'l3': 'L3 agent', 'ovs': 'Open vSwitch agent'}
AGENT_KINDS = tuple(AGENT_TYPES)
AGENT_ACTIONS = ('stop', 'start', 'kill')


def agent_command_option(kind, action):
    """Name of the option holding the command for action on a kind agent."""
    if kind not in AGENT_KINDS:
        raise ValueError('agent kind %r is not one of %s' %
                         (kind, ', '.join(AGENT_KINDS)))
    if action not in AGENT_ACTIONS:
        raise ValueError('agent action %r is not one of %s' %
                         (action, ', '.join(AGENT_ACTIONS)))
    return '%s_agent_%s_command' % (kind, action)


AGENT_COMMAND_OPTIONS = tuple(agent_command_option(kind, action)
                              for kind in AGENT_KINDS
                              for action in AGENT_ACTIONS)
