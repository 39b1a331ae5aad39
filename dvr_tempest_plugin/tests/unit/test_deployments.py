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

"""The README's kolla-ansible and TripleO [dvr] examples, as run."""

import os
import textwrap

from dvr_tempest_plugin.common import agent_control
from dvr_tempest_plugin.common import hosts
from dvr_tempest_plugin.common import settings
from dvr_tempest_plugin.tests.unit import base
from dvr_tempest_plugin.tests.unit import test_hosts

README = os.path.join(base.REPO_ROOT, 'README.rst')


def readme_example(name):
    """The literal block after ".. dvr-example: <name>" in README.rst."""
    with open(README) as f:
        lines = f.read().splitlines()
    start = lines.index('.. dvr-example: %s' % name)
    intro = next(i for i in range(start, len(lines))
                 if lines[i].endswith('::'))
    block = []
    for line in lines[intro + 1:]:
        if line.strip() and not line.startswith(' '):
            break
        block.append(line)
    return textwrap.dedent('\n'.join(block)).strip() + '\n'


class DeploymentExample(object):
    """Mixed into a HostClientTestCase; the subclass names the example."""

    example = None
    host = None
    inspection_prefix = None
    agent_commands = None

    def setUp(self):
        super().setUp()
        text = readme_example(self.example)
        header, body = text.split('\n', 1)
        self.assertEqual('[dvr]', header)
        self.conf = self.use_conf(body)
        self.assertEqual([], settings.problems())
        addresses = settings.host_addresses()
        self.host_client = hosts.HostClient(self.host, addresses[self.host],
                                            settings.host_access())
        self.addCleanup(self.host_client.close)

    def test_inspection_commands_run_in_the_container(self):
        self.host_client.namespaces()
        self.host_client.run_in_namespace('qrouter-1', ['iptables-save'])
        self.assertEqual(
            [self.inspection_prefix + ' timeout -k 5 60 ip netns list',
             self.inspection_prefix +
             ' timeout -k 5 60 ip netns exec qrouter-1 iptables-save'],
            self.server.commands)

    def test_agent_commands_run_on_the_host_as_configured(self):
        for (kind, action), command in sorted(self.agent_commands.items()):
            del self.server.commands[:]
            agent_control.Agent(self.host_client, kind, None).run(action)
            self.assertEqual(['timeout -k 5 60 ' + command],
                             self.server.commands, (kind, action))
        self.assertEqual(6, len(self.agent_commands))


class TestKollaAnsibleExample(DeploymentExample,
                              test_hosts.HostClientTestCase):

    example = 'kolla-ansible'
    host = 'compute1'
    inspection_prefix = 'sudo docker exec -u root neutron_l3_agent'
    agent_commands = {
        ('l3', 'stop'):
            'sudo systemctl stop kolla-neutron_l3_agent-container.service',
        ('l3', 'start'):
            'sudo systemctl start kolla-neutron_l3_agent-container.service',
        ('l3', 'kill'):
            "sudo sh -c 'docker kill --signal KILL neutron_l3_agent && "
            "systemctl stop kolla-neutron_l3_agent-container.service'",
        ('ovs', 'stop'):
            'sudo systemctl stop '
            'kolla-neutron_openvswitch_agent-container.service',
        ('ovs', 'start'):
            'sudo systemctl start '
            'kolla-neutron_openvswitch_agent-container.service',
        ('ovs', 'kill'):
            "sudo sh -c 'docker kill --signal KILL "
            "neutron_openvswitch_agent && systemctl stop "
            "kolla-neutron_openvswitch_agent-container.service'",
    }


class TestTripleOExample(DeploymentExample, test_hosts.HostClientTestCase):

    example = 'tripleo'
    host = 'overcloud-novacompute-0'
    inspection_prefix = 'sudo podman exec -u root neutron_l3_agent'
    agent_commands = {
        ('l3', 'stop'):
            'sudo systemctl stop tripleo_neutron_l3_agent.service',
        ('l3', 'start'):
            'sudo systemctl start tripleo_neutron_l3_agent.service',
        ('l3', 'kill'):
            "sudo sh -c 'podman kill --signal KILL neutron_l3_agent && "
            "systemctl stop tripleo_neutron_l3_agent.service'",
        ('ovs', 'stop'):
            'sudo systemctl stop tripleo_neutron_ovs_agent.service',
        ('ovs', 'start'):
            'sudo systemctl start tripleo_neutron_ovs_agent.service',
        ('ovs', 'kill'):
            "sudo sh -c 'podman kill --signal KILL neutron_ovs_agent && "
            "systemctl stop tripleo_neutron_ovs_agent.service'",
    }
