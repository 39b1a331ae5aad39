"""Commands on the lab's hosts, in the namespaces of the test's router."""

from dvr_lab import namespaces
from dvr_lab import settings
from dvr_lab import shell
from dvr_tempest_plugin.common import naming

try:
    from dvr_tempest_plugin.common.hoststate import FIP_RULE_TABLE
except ImportError:
    from dvr_tempest_plugin.tests.scenario.hoststate import FIP_RULE_TABLE

COMMAND_TIMEOUT = 20


def agent_host_names():
    return [host.name for host in settings.layout().agent_hosts]


def run(host_name, argv):
    return namespaces.run(settings.layout().host(host_name), argv,
                          check=False, timeout=COMMAND_TIMEOUT)


def in_netns(host_name, ns, argv):
    return run(host_name, ['ip', 'netns', 'exec', ns] + list(argv))


def netns_names(host_name, prefix):
    return [line.split()[0] for line in run(host_name, ['ip', 'netns'])
            .splitlines() if line.startswith(prefix)]


def has_netns(host_name, ns):
    return ns in netns_names(host_name, ns)


def link_names(host_name, ns, prefix):
    out = in_netns(host_name, ns, ['ip', '-o', 'link'])
    names = [line.split(':')[1].strip().split('@')[0]
             for line in out.splitlines()]
    return [name for name in names if name.startswith(prefix)]


def ip_rules(host_name, ns):
    """(priority, words after the priority) of each ip rule in ns."""
    rules = []
    for line in in_netns(host_name, ns, ['ip', 'rule']).splitlines():
        priority, _, rest = line.partition(':')
        rules.append((int(priority), rest.split()))
    return rules


def ensure_iptables(host_name, ns, chain, rule):
    check = namespaces.enter(settings.layout().host(host_name)) + [
        'ip', 'netns', 'exec', ns, 'iptables', '-C', chain] + rule
    if not shell.succeeds(check):
        in_netns(host_name, ns, ['iptables', '-I', chain] + rule)


def remove_iptables(host_name, ns, chain, rule):
    in_netns(host_name, ns, ['iptables', '-D', chain] + rule)


def qrouter(test):
    return naming.qrouter_namespace(test.router['id'])


def snat(test):
    return naming.snat_namespace(test.router['id'])


def fip_ns():
    from tempest import config
    return naming.fip_namespace(config.CONF.network.public_network_id)


def rfp(test):
    return naming.rfp_device(test.router['id'])


def fpr(test):
    return naming.fpr_device(test.router['id'])


def fip_rules(host_name, test):
    """(source, priority) of the floating IPs' rules in the qrouter."""
    return {(words[1], priority)
            for priority, words in ip_rules(host_name, qrouter(test))
            if words[:1] == ['from'] and
            words[-2:] == ['lookup', FIP_RULE_TABLE]}


def add_fip_rule(host_name, test, source, priority):
    in_netns(host_name, qrouter(test), [
        'ip', 'rule', 'add', 'from', source, 'lookup', FIP_RULE_TABLE,
        'priority', str(priority)])


def delete_rule(host_name, ns, priority):
    in_netns(host_name, ns, ['ip', 'rule', 'del', 'priority',
                             str(priority)])


def rfp_address(host_name, test):
    """The IPv4 address of the router's rfp- device on host."""
    return in_netns(host_name, qrouter(test), [
        'ip', '-o', '-4', 'addr', 'show', rfp(test)]).split()[3].split('/')[0]
