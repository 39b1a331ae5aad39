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

from oslo_config import cfg

from dvr_tempest_plugin import options

# The devstack units of the agents, for the default agent commands.
DEVSTACK_UNITS = {'l3': 'devstack@q-l3.service',
                  'ovs': 'devstack@q-agt.service'}
DEVSTACK_AGENT_COMMANDS = {
    'stop': 'sudo systemctl stop %s',
    'start': 'sudo systemctl start %s',
    'kill': 'sudo systemctl kill --signal=SIGKILL %s',
}

dvr_group = cfg.OptGroup(
    name=options.GROUP,
    title='Neutron Distributed Virtual Router verification options',
    help='How the DVR tests reach the hosts that run Neutron agents and '
         'how long they wait for the cloud to converge.')


def _agent_command(kind, action):
    return cfg.StrOpt(
        options.agent_command_option(kind, action),
        default=DEVSTACK_AGENT_COMMANDS[action] % DEVSTACK_UNITS[kind],
        help='Command run on a host, through SSH as host_ssh_user, to %s '
             'the %s. It runs on the host exactly as written: '
             'host_command_prefix is NOT put before it, so write sudo when '
             'it needs root. It is split like a shell word list but not '
             'run by a shell (use sh -c \'...\' for one); the token {host} '
             'is replaced by the host name, and a literal $ is written $$.'
             % (action, options.AGENT_TYPES[kind]))


DvrGroup = [
    cfg.DictOpt(options.HOST_SSH_ADDRESSES,
                default={},
                help='Map of host name, exactly as Nova and Neutron report '
                     'it (the agent "host" field), to the address the tests '
                     'connect to over SSH, e.g. '
                     '"cpnw1:10.250.0.11,cpnw2:10.250.0.12". Tests that '
                     'inspect or act on hosts are skipped for hosts missing '
                     'here.'),
    cfg.StrOpt(options.HOST_SSH_USER,
               default='stack',
               help='User for SSH connections to the hosts.'),
    cfg.StrOpt(options.HOST_SSH_KEY_FILE,
               help='Path to the private key used for SSH connections to '
                    'the hosts (and to the jump host). When unset, the SSH '
                    'agent and the default keys of the user running tempest '
                    'are tried.'),
    cfg.PortOpt(options.HOST_SSH_PORT,
                default=22,
                help='SSH port of the hosts.'),
    cfg.StrOpt(options.HOST_SSH_JUMP_HOST,
               help='Optional jump (bastion) host, "[user@]host[:port]"; '
                    'an IPv6 host is written in brackets. Connections to '
                    'the hosts are tunnelled through it. The user defaults '
                    'to host_ssh_user and the port to 22.'),
    cfg.StrOpt(options.HOST_SSH_KNOWN_HOSTS_FILE,
               help='known_hosts file holding the host keys of the hosts '
                    '(and of the jump host). The keys are read from '
                    '/etc/ssh/ssh_known_hosts, from ~/.ssh/known_hosts of '
                    'the user running tempest (each only if it exists) and '
                    'from this file when set. None of these files is ever '
                    'written.'),
    cfg.StrOpt(options.HOST_KEY_POLICY,
               default='reject',
               choices=[
                   ('reject', 'refuse hosts whose key is not known'),
                   ('warn', 'log a warning and accept unknown host keys'),
                   ('auto-add', 'silently accept unknown host keys'),
               ],
               help='What to do when a host presents a key found in none '
                    'of the known_hosts files read (see '
                    'host_ssh_known_hosts_file). An accepted key is kept in '
                    'memory only, never written to a file. A key that '
                    'differs from the known one is always refused.'),
    cfg.StrOpt(options.HOST_COMMAND_PREFIX,
               default='sudo',
               help='Words put before every inspection command run on a '
                    'host (ip, iptables-save, tcpdump, sh, kill of a '
                    'capture), e.g. "" when host_ssh_user is root, "sudo", '
                    'or "sudo docker exec -u root neutron_l3_agent" when '
                    'the network namespaces and those tools are only in '
                    'the L3 agent\'s container. It is not put before the '
                    'agent commands (l3_agent_stop_command and the like).'),
    cfg.IntOpt(options.HOST_CONNECT_TIMEOUT,
               default=10,
               min=1,
               help='Seconds allowed to open and authenticate an SSH '
                    'connection to a host.'),
    cfg.IntOpt(options.HOST_COMMAND_TIMEOUT,
               default=60,
               min=1,
               help='Default upper bound, in seconds, for one command run '
                    'on a host.'),
] + [_agent_command(kind, action)
     for kind in options.AGENT_KINDS for action in options.AGENT_ACTIONS] + [
    cfg.StrOpt(options.OUTSIDE_ADDRESS,
               help='An address outside the cloud that instances reach '
                    'through the public network (through a floating IP or '
                    'SNAT) and that answers ping. Tests of north-south '
                    'traffic are skipped when unset.'),
    cfg.IntOpt(options.CONVERGENCE_TIMEOUT,
               default=120,
               min=1,
               help='Seconds to wait for namespaces, devices and port '
                    'bindings to converge after a change.'),
    cfg.IntOpt(options.AGENT_DOWN_TIMEOUT,
               default=120,
               min=1,
               help='Seconds to wait for the API to report an agent dead or '
                    'alive; should exceed the server\'s agent_down_time.'),
    cfg.IntOpt(options.CAPTURE_SECONDS,
               default=30,
               min=1,
               help='Upper bound, in seconds, for one packet capture.'),
    cfg.BoolOpt(options.DISRUPTIVE_TESTS,
                default=False,
                help='Run the tests that stop, kill or break parts of the '
                     'cloud (Neutron agents on the SNAT host and on a '
                     'compute host). They skip, naming this option, unless '
                     'it is True: host access alone is not enough to '
                     'disrupt a shared cloud. The tests restore what they '
                     'disrupt and run one at a time.'),
    cfg.BoolOpt(options.EXPECT_SNAT_FAILOVER,
                default=False,
                help='Whether the cloud moves the SNAT part of a router to '
                     'another dvr_snat agent when the SNAT host\'s L3 agent '
                     'dies (allow_automatic_l3agent_failover = True in '
                     'neutron.conf, which the API does not show, and a '
                     'second dvr_snat agent). The SNAT failure test asserts '
                     'either way. True: the binding moves, snat-<router> is '
                     'complete on the new host and SNAT traffic recovers '
                     'within snat_failover_max_outage. False: the binding '
                     'stays and SNAT traffic keeps flowing while the agent '
                     'is dead (its namespace stays in place).'),
    cfg.IntOpt(options.SNAT_FAILOVER_MAX_OUTAGE,
               default=30,
               min=1,
               help='Longest SNAT outage, in seconds, allowed while SNAT '
                    'fails over to another dvr_snat host (only with '
                    'expect_snat_failover = True). The measured outage is '
                    'reported either way.'),
    cfg.IntOpt(options.HA_FAILOVER_MAX_OUTAGE,
               default=10,
               min=1,
               help='Longest SNAT outage, in seconds, allowed when the '
                    'keepalived of the active dvr_snat host of a DVR+HA '
                    'router (distributed=True, ha=True) is killed and the '
                    'standby takes over (only with disruptive_tests = '
                    'True). VRRP declares the active dead after three '
                    'missed advertisements (ha_vrrp_advert_int, 2 s by '
                    'default); Neutron then moves the router\'s ports to '
                    'the new active. The measured outage is reported either '
                    'way.'),
    cfg.StrOpt(options.HOST_FAIL_COMMAND,
               default='',
               help='Command run on the tester (this machine, not over SSH) '
                    'to make a whole host fail: every process on it stops '
                    'and its links go down, as in a power cut. {host} is '
                    'replaced by the host name as the API reports it. '
                    'Split like a shell word list, not run by a shell. '
                    'Examples: "ipmitool -I lanplus -H {host}-ipmi -U admin '
                    '-E chassis power off" (the password in $IPMI_PASSWORD, '
                    'never on the command line), "virsh destroy {host}" '
                    'for a nested cloud, "dvr-lab host fail {host}" on the '
                    'lab. Empty: the node-failure tests skip, naming this '
                    'option.'),
    cfg.StrOpt(options.HOST_RESTORE_COMMAND,
               default='',
               help='Command run on the tester to boot a host that '
                    'host_fail_command made fail (for example "ipmitool ... '
                    'chassis power on", "virsh start {host}", "dvr-lab host '
                    'restore {host}"). The tests run it in their cleanup, '
                    'whatever happened, then wait for the host\'s agents '
                    'to be alive again.'),
    cfg.IntOpt(options.HOST_FAILURE_TIMEOUT,
               default=120,
               min=1,
               help='Seconds host_fail_command and host_restore_command '
                    'may take before the test gives up on them.'),
    cfg.IntOpt(options.NODE_FAILURE_MAX_SNAT_RECOVERY,
               default=60,
               min=1,
               help='Longest SNAT outage, in seconds, allowed when the SNAT '
                    'host fails as a whole and the cloud moves SNAT to '
                    'another dvr_snat host (expect_snat_failover = True). '
                    'Neutron notices the dead L3 agent after agent_down_time '
                    'and reschedules the router after up to twice that, so '
                    'this must exceed 2 x agent_down_time plus the new '
                    'host\'s setup. The measured outage is reported either '
                    'way. Without failover, SNAT is expected down for the '
                    'whole failure and back within this bound after the '
                    'restore.'),
    cfg.StrOpt(options.REPORT_DIR,
               default='',
               help='Folder where the tests also write their pictures (the '
                    'traffic path, the probes\' timeline, the placement of '
                    'namespaces, as SVG) and raw packet captures (pcap), one '
                    'sub-folder per test. Empty: they are only attached to '
                    'the test results, where dvr-report finds them.'),
]


def register_opts(conf):
    conf.register_group(dvr_group)
    conf.register_opts(DvrGroup, group=dvr_group)


def list_opts():
    return [(dvr_group, DvrGroup)]
