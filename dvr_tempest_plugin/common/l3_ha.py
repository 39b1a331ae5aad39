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

"""DVR+HA routers (distributed=True, ha=True): the API's and the hosts'.

What today's Neutron does (neutron/agent/l3/dvr_edge_ha_router.py,
ha_router.py, neutron/agent/linux/keepalived.py, external_process.py):

* the router's SNAT part is bound to several dvr_snat L3 agents;
  GET /v2.0/routers/{id}/l3-agents gives each its ha_state, active or
  standby;
* each of those hosts has snat-<router> with the qg-/sg- devices and an
  ha- device (ha- and the id of the host's port on the HA network,
  device_owner network:router_ha_interface); keepalived runs VRRP on
  ha- and keeps the qg-/sg- addresses on the active host only;
* keepalived runs in snat-<router> as `keepalived -P -f <conf> -p
  <ha_confs_path>/<router>.pid.keepalived -r <that>-vrrp`; the L3 agent's
  process monitor respawns it when it is not running, every
  check_child_processes_interval (60 s by default).
"""

import dataclasses
import os

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import naming
from dvr_tempest_plugin.common import router_api

ACTIVE = 'active'
STANDBY = 'standby'
HA_INTERFACE = router_api.HA_INTERFACE
KEEPALIVED = 'keepalived'
PID_FILE_SUFFIX = '.pid.keepalived'     # external_process: pid.<service>
VRRP_PID_FILE_SUFFIX = '-vrrp'          # keepalived.get_vrrp_pid_file_name
# Neutron's default check_child_processes_interval, and how long after it
# a respawned keepalived may take to show up.
CHECK_CHILD_PROCESSES_INTERVAL = 60
RESPAWN_MARGIN = 30
KILL_TIMEOUT = 10


class KeepalivedNotFound(Exception):
    """The router's keepalived is not where Neutron runs it."""


def ha_states(l3_agents):
    """Host -> ha_state of the router's L3 agents, as the API lists them."""
    return {agent['host']: agent.get('ha_state') for agent in l3_agents}


def describe_states(l3_agents):
    """'cpnw1 active (dvr_snat, alive), cpnw2 standby (...)' or 'none'."""
    return ', '.join(
        '%s %s (%s, %s)' % (agent['host'], agent.get('ha_state'),
                            agents.agent_mode(agent),
                            'alive' if agent['alive'] else 'dead')
        for agent in sorted(l3_agents, key=lambda a: a['host'])) or 'none'


def hosts_in_state(l3_agents, state):
    return sorted(agent['host'] for agent in l3_agents
                  if agent.get('ha_state') == state)


def active_host(l3_agents):
    """The one host whose agent is active, or None (none, or several)."""
    active = hosts_in_state(l3_agents, ACTIVE)
    return active[0] if len(active) == 1 else None


def state_problems(l3_agents):
    """Why the router's HA states are not one active and standbys.

    Expected: every agent hosting the router in dvr_snat mode and alive,
    exactly one active, at least one standby, no other state. Returns one
    "expected X, found Y" phrase per problem (empty when settled).
    """
    found = []
    for agent in sorted(l3_agents, key=lambda a: a['host']):
        if agents.agent_mode(agent) != 'dvr_snat':
            found.append('expected only dvr_snat L3 agents to host the '
                         'SNAT part, found a %s agent on host %s' % (
                             agents.agent_mode(agent), agent['host']))
        if not agent['alive']:
            found.append('expected the L3 agent on host %s alive, found it '
                         'dead' % agent['host'])
        if agent.get('ha_state') not in (ACTIVE, STANDBY):
            found.append('expected ha_state active or standby, found %r on '
                         'host %s' % (agent.get('ha_state'), agent['host']))
    active = hosts_in_state(l3_agents, ACTIVE)
    if len(active) != 1:
        found.append('expected exactly one active L3 agent, found %d%s' % (
            len(active), ' (on hosts %s)' % ', '.join(active)
            if active else ''))
    if not hosts_in_state(l3_agents, STANDBY):
        found.append('expected at least one standby L3 agent, found none')
    return found


def standby_address_problems(view, expected):
    """What a standby's snat- namespace has that only the active may have.

    view: its hoststate.NamespaceView; expected: device name ->
    hoststate.Device of the qg-/sg- devices (from the API). The standby
    must have each device, and no address on it: keepalived adds them
    on the active only.
    """
    if not view.exists:
        return ['expected namespace %s, found none' % view.namespace]
    found = []
    for name, device in sorted(expected.items()):
        if name not in view.devices:
            found.append('expected device %s (%s), found none' % (
                name, device.role))
            continue
        addresses = view.addresses(name)
        if addresses:
            found.append('expected device %s (%s) without addresses (the '
                         'standby), found %s' % (name, device.role,
                                                 ', '.join(addresses)))
    return found


# -- keepalived on a host ---------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Keepalived:
    """The router's keepalived on one host, found from its pid file."""

    host: str
    router_id: str
    pid: int
    pid_file: str
    vrrp_pid: int = None
    vrrp_pid_file: str = None

    @property
    def ha_confs_path(self):
        """The L3 agent's ha_confs_path, where the pid file lives."""
        return os.path.dirname(self.pid_file)

    @property
    def pids(self):
        """PIDs to kill: the VRRP child first, then its parent.

        Killing the parent first would let the child see it die; the
        parent, alive when its child dies, would restart it (-P).
        """
        return [pid for pid in (self.vrrp_pid, self.pid) if pid]

    def __str__(self):
        return ('keepalived of router %s on host %s (pid %d from %s%s)' % (
            self.router_id, self.host, self.pid, self.pid_file,
            ', VRRP child %d' % self.vrrp_pid if self.vrrp_pid else ''))


def pid_file_name(router_id):
    """The base name of the router's keepalived pid file."""
    return router_id + PID_FILE_SUFFIX


def parse_keepalived_args(args):
    """(pid file, vrrp pid file or None) of a keepalived command line.

    args is the command line as ps prints it (words split on blanks);
    None when it is not keepalived's or names no pid file.
    """
    words = args.split()
    if not words or os.path.basename(words[0]) != KEEPALIVED:
        return None
    pid_file = vrrp_pid_file = None
    for flag, value in zip(words, words[1:]):
        if flag in ('-p', '--pid'):
            pid_file = value
        elif flag in ('-r', '--vrrp_pid'):
            vrrp_pid_file = value
    return (pid_file, vrrp_pid_file) if pid_file else None


def parse_ps(output):
    """[(pid, args)] from `ps -o pid=,args=`."""
    found = []
    for line in output.splitlines():
        pid, _, args = line.strip().partition(' ')
        if pid.isdigit():
            found.append((int(pid), args.strip()))
    return found


def _read_pid(host_client, path):
    """The PID in a pid file on the host, or None when absent or empty."""
    result = host_client.run(['cat', path], check=False)
    text = result.stdout.strip()
    if result.exit_status != 0 or not text.isdigit():
        return None
    return int(text)


def namespace_pids(host_client, namespace):
    """PIDs of the processes in a network namespace of the host."""
    result = host_client.run(['ip', 'netns', 'pids', namespace], check=False)
    if result.exit_status != 0:
        raise KeepalivedNotFound(
            'host %s: cannot list the processes of namespace %s: %s' % (
                host_client.name, namespace,
                result.stderr.strip() or 'exit status %d' %
                result.exit_status))
    return {int(word) for word in result.stdout.split() if word.isdigit()}


def find_keepalived(host_client, router_id):
    """The router's keepalived on the host, from its pid file.

    Only processes in the host's snat-<router> are looked at (the
    namespace keepalived runs in): one whose command line names a pid
    file <dir>/<router>.pid.keepalived. The PID is then read from that
    file, and must be one of the namespace's processes. Raises
    KeepalivedNotFound, saying what was found, otherwise.
    """
    namespace = naming.snat_namespace(router_id)
    pids = namespace_pids(host_client, namespace)
    if not pids:
        raise KeepalivedNotFound(
            'host %s: expected keepalived of router %s in namespace %s, '
            'found no process there' % (host_client.name, router_id,
                                        namespace))
    listing = host_client.run(
        ['ps', '-ww', '-o', 'pid=,args=', '-p',
         ','.join(str(pid) for pid in sorted(pids))], check=False).stdout
    files = set()
    for _, args in parse_ps(listing):
        parsed = parse_keepalived_args(args)
        if parsed and os.path.basename(parsed[0]) == pid_file_name(
                router_id):
            files.add(parsed)
    if len(files) != 1:
        raise KeepalivedNotFound(
            'host %s: expected one keepalived of router %s (pid file '
            '.../%s) in namespace %s, found %d; its processes:\n%s' % (
                host_client.name, router_id, pid_file_name(router_id),
                namespace, len(files), listing.strip() or '(none)'))
    pid_file, vrrp_pid_file = files.pop()
    pid = _read_pid(host_client, pid_file)
    if pid not in pids:
        raise KeepalivedNotFound(
            'host %s: expected the pid file %s to name a process of %s, '
            'found %s' % (host_client.name, pid_file, namespace,
                          pid if pid else 'no PID'))
    vrrp_pid = _read_pid(host_client, vrrp_pid_file) if vrrp_pid_file \
        else None
    if vrrp_pid not in pids:
        vrrp_pid = None
    return Keepalived(host_client.name, router_id, pid, pid_file, vrrp_pid,
                      vrrp_pid_file)


def kill_keepalived(host_client, keepalived):
    """SIGKILL the keepalived found by find_keepalived, and only it.

    An argv through the host command helpers, bounded by KILL_TIMEOUT;
    the PIDs are those its pid files name.
    """
    return host_client.run(
        ['kill', '-KILL'] + [str(pid) for pid in keepalived.pids],
        timeout=KILL_TIMEOUT)


def stop_keepalived(host_client, keepalived):
    """SIGTERM the main keepalived process found by find_keepalived.

    keepalived's own shutdown: its VRRP child sends a priority-0
    advertisement and removes the addresses before it exits, so a
    standby takes over at once instead of after three missed
    advertisements. A bounded argv of that one PID.
    """
    return host_client.run(['kill', '-TERM', str(keepalived.pid)],
                           timeout=KILL_TIMEOUT)


def running_keepalived(host_client, router_id):
    """find_keepalived, or None when it is not running."""
    try:
        return find_keepalived(host_client, router_id)
    except KeepalivedNotFound:
        return None


def respawn_timeout():
    """How long the L3 agent may take to respawn a dead keepalived."""
    return CHECK_CHILD_PROCESSES_INTERVAL + RESPAWN_MARGIN
