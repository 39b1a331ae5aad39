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

"""Which hosts the topology may use: from the APIs and [dvr].

Hosts come from the API: compute hosts with an alive L3 agent in dvr or
dvr_snat mode. Host A is the router's SNAT host when that host also runs
VMs (the article's layout, where every host is dvr_snat); otherwise A
and B are simply the first two candidates (network node dvr_snat,
computes dvr).
"""

import logging

from tempest.common import utils

from dvr_tempest_plugin.common import agents
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import inventory

LOG = logging.getLogger(__name__)

HOST_A = 'A'
HOST_B = 'B'
REQUIRED_EXTENSIONS = ('router', 'dvr', 'agent', 'l3_agent_scheduler',
                       'binding')


def missing_tempest_features(conf, requires_host_access):
    """Why tempest.conf rules these tests out (naming the option), or None."""
    for service in ('neutron', 'nova'):
        if not getattr(conf.service_available, service):
            return '[service_available] %s is False' % service
    for extension in REQUIRED_EXTENSIONS:
        if not utils.is_extension_enabled(extension, 'network'):
            return ('[network-feature-enabled] api_extensions does not list '
                    '%s' % extension)
    if not conf.network.public_network_id:
        return '[network] public_network_id is unset'
    if not conf.network_feature_enabled.floating_ips:
        return '[network-feature-enabled] floating_ips is False'
    if not conf.validation.run_validation:
        return '[validation] run_validation is False'
    if requires_host_access and not hosts.configured_hosts():
        return ('[dvr] host_ssh_addresses is empty: these tests read the '
                'hosts over SSH')
    return None


def api_extensions(extensions_client):
    body = extensions_client.list_extensions()
    return {extension['alias'] for extension in body['extensions']}


def discover_inventory(services_client, agents_client,
                       modes=agents.DVR_MODES):
    """Compute hosts and agents.

    Raises inventory.CapabilityMissing when the cloud lacks what the
    tests need (skip) and inventory.CloudBroken when it is broken (fail).
    """
    found = inventory.discover(services_client, agents_client)
    for note in found.notes:
        LOG.info('%s', note)
    found.check(modes)
    return found


def candidate_hosts(found, requires_host_access, modes=agents.DVR_MODES):
    """Hosts VMs may go to: with host access, those it can reach."""
    candidates = found.candidates(modes)
    if not requires_host_access:
        return candidates
    configured = hosts.configured_hosts()
    reachable = [host for host in candidates if host in configured]
    if len(reachable) < 2:
        raise hosts.HostAccessError(
            'these tests read the hosts over SSH and need two compute '
            'hosts to do so; the cloud offers %s, but [dvr] '
            'host_ssh_addresses lists only %s' % (
                ', '.join(candidates),
                ', '.join(sorted(configured))))
    return reachable


def choose_vm_hosts(candidates, snat_host):
    """{HOST_A: host, HOST_B: host}; A is the SNAT host when a candidate."""
    if snat_host in candidates:
        first = snat_host
    else:
        first = candidates[0]
    second = next(host for host in candidates if host != first)
    return {HOST_A: first, HOST_B: second}


def require_host_access(host_names):
    """Raise HostAccessError unless [dvr] reaches every host named."""
    reason = hosts.missing_host_access(sorted(host_names))
    if reason:
        raise hosts.HostAccessError(reason)
