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

"""The hosts a DVR test may use, and whether the cloud is fit to test.

Missing is a skip, broken is a failure. The cloud lacks the capability
when fewer than two compute hosts are registered, when fewer than two of
them run an L3 agent in a distributed mode, or when no L3 agent can host
SNAT (dvr_snat). It is broken when what is registered does not work: a
nova-compute service down, an L3 or Open vSwitch agent of a compute host
dead or administratively down, dvr_snat agents registered but none
alive, or compute hosts that match no Neutron agent host.

Nova and Neutron may name a host differently only by its domain (an
FQDN against a short name, common with kolla-ansible and TripleO); such
names are matched and the match is reported.
"""

import dataclasses

from dvr_tempest_plugin.common import agents


class CapabilityMissing(Exception):
    """The cloud does not offer what the tests need: skip."""


class CloudBroken(Exception):
    """What the cloud offers does not work: fail, naming what is broken."""


def short_name(host):
    return host.split('.', 1)[0]


def match_hosts(nova_hosts, neutron_hosts):
    """nova host -> neutron host, and the notes on domain-only matches.

    A nova host matches the neutron host of the same name, else the one
    whose name differs only by its domain. Raises CloudBroken, listing
    both sides, when a nova host matches none or several.
    """
    neutron_hosts = sorted(set(neutron_hosts))
    matched, notes, unmatched = {}, [], []
    for nova_host in sorted(set(nova_hosts)):
        if nova_host in neutron_hosts:
            matched[nova_host] = nova_host
            continue
        same = [host for host in neutron_hosts
                if short_name(host) == short_name(nova_host)]
        if len(same) == 1:
            matched[nova_host] = same[0]
            notes.append('nova host %s is neutron host %s (the names differ '
                         'only by domain)' % (nova_host, same[0]))
        else:
            unmatched.append(nova_host)
    if unmatched:
        raise CloudBroken(
            'compute host(s) %s match no Neutron agent host (neither '
            'exactly nor by the name without its domain). nova-compute '
            'hosts: %s. Neutron agent hosts: %s' % (
                ', '.join(unmatched), ', '.join(sorted(set(nova_hosts))),
                ', '.join(neutron_hosts) or 'none'))
    return matched, notes


def describe_agent(agent):
    if agent is None:
        return 'not registered'
    state = 'alive' if agent['alive'] else 'dead'
    if not agent['admin_state_up']:
        state += ', admin-down'
    if agent['agent_type'] == agents.L3_AGENT:
        state = '%s, %s' % (agents.agent_mode(agent), state)
    return state


def agent_is_up(agent):
    return bool(agent and agent['alive'] and agent['admin_state_up'])


@dataclasses.dataclass
class ComputeHost:
    """One nova-compute host with its Neutron agents."""

    nova_host: str
    host: str           # the neutron agent host name
    zone: str
    service: dict
    l3_agent: dict = None
    ovs_agent: dict = None

    @property
    def enabled(self):
        return self.service['status'] == 'enabled'

    @property
    def service_up(self):
        return self.service['state'] == 'up'

    def routes_in(self, modes):
        """Its L3 agent is up in one of modes (agents.DVR_MODES...)."""
        return (agent_is_up(self.l3_agent) and
                agents.agent_mode(self.l3_agent) in modes)

    @property
    def l3_agent_mode(self):
        return agents.agent_mode(self.l3_agent) if self.l3_agent else None

    def problems(self):
        """What is broken on this host, one phrase each."""
        found = []
        if not self.service_up:
            found.append('nova-compute is %s' % self.service['state'])
        if self.ovs_agent is None:
            found.append('no Open vSwitch agent registered')
        elif not agent_is_up(self.ovs_agent):
            found.append('Open vSwitch agent %s' %
                         describe_agent(self.ovs_agent))
        if self.l3_agent is not None and not agent_is_up(self.l3_agent):
            found.append('L3 agent %s' % describe_agent(self.l3_agent))
        return found

    def __str__(self):
        name = self.host if self.host == self.nova_host else '%s (nova: %s)' \
            % (self.host, self.nova_host)
        return '%s: nova-compute %s/%s, L3 agent %s, Open vSwitch agent %s' % (
            name, self.service['state'], self.service['status'],
            describe_agent(self.l3_agent), describe_agent(self.ovs_agent))


@dataclasses.dataclass
class Inventory:
    """Compute hosts and L3 agents of the cloud, as the APIs report them."""

    computes: list
    l3_agents: list
    notes: list

    def compute(self, host):
        """The ComputeHost of a neutron host name."""
        return next(c for c in self.computes if c.host == host)

    def nova_host(self, host):
        return self.compute(host).nova_host

    def zone(self, host):
        return self.compute(host).zone

    def in_service(self):
        return [c for c in self.computes if c.enabled]

    def candidates(self, modes=agents.DVR_MODES):
        """Neutron names of computes that can take a test's VMs, sorted.

        modes: the L3 agent modes the test's VM hosts must run.
        """
        return sorted(c.host for c in self.in_service()
                      if c.routes_in(modes) and not c.problems())

    def dvr_snat_agents(self):
        return [a for a in self.l3_agents
                if agents.agent_mode(a) == 'dvr_snat']

    def dvr_snat_hosts(self):
        return sorted({a['host'] for a in self.dvr_snat_agents()
                       if agent_is_up(a)})

    def describe(self):
        lines = ['compute hosts:']
        lines += ['  %s' % c for c in self.computes] or ['  none']
        lines.append('L3 agents:')
        lines += ['  %s: %s' % (a['host'], describe_agent(a))
                  for a in sorted(self.l3_agents,
                                  key=lambda a: a['host'])] or ['  none']
        lines += self.notes
        return '\n'.join(lines)

    def problems(self):
        """Everything broken, one line each (empty when nothing is)."""
        found = ['compute host %s: %s' % (c.host, '; '.join(c.problems()))
                 for c in self.in_service() if c.problems()]
        snat_agents = self.dvr_snat_agents()
        if snat_agents and not self.dvr_snat_hosts():
            found.append('dvr_snat L3 agents are registered but none is up: '
                         '%s' % ', '.join(
                             '%s (%s)' % (a['host'], describe_agent(a))
                             for a in snat_agents))
        return found

    def check(self, modes=agents.DVR_MODES):
        """Raise CloudBroken or CapabilityMissing; return the candidates."""
        broken = self.problems()
        if broken:
            raise CloudBroken('the cloud offers DVR but it is broken:\n%s\n'
                              '%s' % ('\n'.join(broken), self.describe()))
        if len(self.computes) < 2:
            raise CapabilityMissing(
                'DVR tests need two compute hosts; %d registered.\n%s' %
                (len(self.computes), self.describe()))
        candidates = self.candidates(modes)
        if len(candidates) < 2:
            raise CapabilityMissing(
                'these tests need two enabled compute hosts whose L3 agent '
                'is in %s mode; found %s.\n%s' % (
                    ' or '.join(modes), ', '.join(candidates) or 'none',
                    self.describe()))
        if not self.dvr_snat_agents():
            raise CapabilityMissing(
                'no L3 agent in dvr_snat mode: nowhere to host the SNAT '
                'of a distributed router.\n%s' % self.describe())
        return candidates


def build(services, agent_list):
    """An Inventory from nova-compute services and Neutron agents."""
    l3 = [a for a in agent_list if a['agent_type'] == agents.L3_AGENT]
    ovs = [a for a in agent_list if a['agent_type'] == agents.OVS_AGENT]
    neutron_hosts = {a['host'] for a in l3 + ovs}
    services = [s for s in services if s['binary'] == 'nova-compute']
    names, notes = match_hosts([s['host'] for s in services], neutron_hosts)
    computes = []
    for service in sorted(services, key=lambda s: s['host']):
        host = names[service['host']]
        computes.append(ComputeHost(
            nova_host=service['host'], host=host, zone=service['zone'],
            service=service,
            l3_agent=next((a for a in l3 if a['host'] == host), None),
            ovs_agent=next((a for a in ovs if a['host'] == host), None)))
    return Inventory(computes, l3, notes)


def discover(services_client, agents_client):
    """The Inventory of the cloud, read from the Compute and Network APIs."""
    services = services_client.list_services(
        binary='nova-compute')['services']
    return build(services, agents_client.list_agents()['agents'])
