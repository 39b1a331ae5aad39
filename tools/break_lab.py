"""Break the running dvr-lab the way a scenario test checks, until Ctrl-C.

Every scenario test must be seen failing against a broken lab; this makes
the breakage repeatable. Run as root with the lab venv's python, in the
background, then run the test:

    /opt/dvr-lab/venv/bin/python tools/break_lab.py no-snat &
    (cd /var/lib/dvr-lab/tempest && tempest run -r HostPlacement)
    kill %1      # the breaker stops; `dvr-lab down && dvr-lab up` if needed

With --delay SECONDS the breakage starts late, after the test classes have
built their topology (and checked SSH through the floating IP).

Breakages (each re-applied every second to routers as they appear):
  no-fip-rule    delete the floating IPs' ip rules (table 16) in qrouters
  stray-fip-rule copy each floating IP's ip rule to the other hosts' qrouter
  no-snat        delete every snat- namespace on every host
  stray-snat     create snat-<router> on hosts that have only qrouter-
  fg-down        set every fg- device down in the fip namespaces
  drop-east-west drop ICMP routed between two qr- devices of a qrouter
  east-west-via-snat  on VM1's host, set down the qrouter's qr- of VM2's
                 subnet: that host no longer routes east-west itself and
                 hands the packets to the snat namespace
"""

import ipaddress
import sys
import time

from dvr_lab import namespaces
from dvr_lab import settings
from dvr_lab import shell


def run(host, argv):
    return namespaces.run(host, argv, check=False, timeout=20)


def netns(host, prefix):
    return [line.split()[0] for line in run(host, ['ip', 'netns']).splitlines()
            if line.startswith(prefix)]


def devices(host, ns, prefix):
    out = run(host, ['ip', 'netns', 'exec', ns, 'ip', '-o', 'link'])
    names = [line.split(':')[1].strip().split('@')[0]
             for line in out.splitlines()]
    return [n for n in names if n.startswith(prefix)]


def no_snat(host):
    for ns in netns(host, 'snat-'):
        run(host, ['ip', 'netns', 'delete', ns])


def stray_snat(host):
    present = set(netns(host, ''))
    for ns in netns(host, 'qrouter-'):
        snat = 'snat-' + ns[len('qrouter-'):]
        if snat not in present:
            run(host, ['ip', 'netns', 'add', snat])


def fg_down(host):
    for ns in netns(host, 'fip-'):
        for dev in devices(host, ns, 'fg-'):
            run(host, ['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', dev,
                       'down'])


def drop_east_west(host):
    rule = ['FORWARD', '-i', 'qr-+', '-o', 'qr-+', '-p', 'icmp', '-j', 'DROP']
    for ns in netns(host, 'qrouter-'):
        inside = namespaces.enter(host) + ['ip', 'netns', 'exec', ns,
                                           'iptables']
        if not shell.succeeds(inside + ['-C'] + rule):
            shell.run(inside + ['-I'] + rule, check=False)


def east_west_via_snat(host):
    """On VM1's host, set down the qrouter's qr- of VM2's subnet.

    VM1's host can no more route to subnet2 itself.
    """
    from dvr_lab import cloud
    conn = cloud.admin_connection()
    for ns in netns(host, 'qrouter-'):
        router_id = ns[len('qrouter-'):]
        interfaces = list(conn.network.ports(
            device_id=router_id,
            device_owner='network:router_interface_distributed'))
        subnets = sorted(interfaces, key=lambda p: ipaddress.ip_address(
            p.fixed_ips[0]['ip_address']))
        if len(subnets) < 2:
            continue
        first_subnet = subnets[0].fixed_ips[0]['subnet_id']
        vm1_hosts = {p.binding_host_id for p in conn.network.ports(
            device_owner='compute:nova')
            if p.fixed_ips and p.fixed_ips[0]['subnet_id'] == first_subnet}
        if host.name in vm1_hosts:
            victim = ('qr-' + subnets[1].id)[:14]
            run(host, ['ip', 'netns', 'exec', ns, 'ip', 'link', 'set',
                       victim, 'down'])


def no_fip_rule(host):
    """Delete the floating IPs' policy rules (table 16) in every qrouter."""
    for ns in netns(host, 'qrouter-'):
        for line in run(host, ['ip', 'netns', 'exec', ns, 'ip', 'rule']
                        ).splitlines():
            words = line.split()
            if words[-2:] == ['lookup', '16'] and 'from' in words:
                source = words[words.index('from') + 1]
                run(host, ['ip', 'netns', 'exec', ns, 'ip', 'rule', 'del',
                           'from', source, 'lookup', '16'])


def fip_rules(host, ns):
    rules = []
    for line in run(host, ['ip', 'netns', 'exec', ns, 'ip', 'rule']
                    ).splitlines():
        words = line.split()
        if words[-2:] == ['lookup', '16'] and 'from' in words:
            rules.append(words[words.index('from') + 1])
    return rules


def stray_fip_rule(host):
    """Copy every floating IP's rule to the same qrouter on other hosts."""
    for other in settings.COMPUTES:
        if other == host:
            continue
        theirs = set(netns(other, 'qrouter-'))
        for ns in set(netns(host, 'qrouter-')) & theirs:
            present = set(fip_rules(other, ns))
            for source in set(fip_rules(host, ns)) - present:
                run(other, ['ip', 'netns', 'exec', ns, 'ip', 'rule', 'add',
                            'from', source, 'lookup', '16',
                            'priority', '40000'])


BREAKAGES = {
    'stray-fip-rule': stray_fip_rule,
    'no-fip-rule': no_fip_rule,
    'no-snat': no_snat,
    'stray-snat': stray_snat,
    'fg-down': fg_down,
    'drop-east-west': drop_east_west,
    'east-west-via-snat': east_west_via_snat,
}


def main():
    args = sys.argv[1:]
    delay = 0
    if args[:1] == ['--delay'] and len(args) >= 2:
        delay, args = float(args[1]), args[2:]
    if len(args) != 1 or args[0] not in BREAKAGES:
        sys.exit(__doc__)
    breakage = BREAKAGES[args[0]]
    time.sleep(delay)  # let the test classes build their topology first
    while True:
        for host in settings.COMPUTES:
            breakage(host)
        time.sleep(1)


if __name__ == '__main__':
    main()
