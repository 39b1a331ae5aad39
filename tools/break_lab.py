"""Break the running dvr-lab the way a scenario test checks, until Ctrl-C.

Every scenario test must be seen failing against a broken lab; this makes
the breakage repeatable. Run as root with the lab venv's python, in the
background, then run the test:

    /opt/dvr-lab/venv/bin/python tools/break_lab.py no-snat &
    (cd /var/lib/dvr-lab/tempest && tempest run -r HostPlacement)
    kill %1      # the breaker stops; `dvr-lab down && dvr-lab up` if needed

Breakages (each re-applied every second to routers as they appear):
  no-snat        delete every snat- namespace on every host
  stray-snat     create snat-<router> on hosts that have only qrouter-
  fg-down        set every fg- device down in the fip namespaces
  drop-east-west drop ICMP routed between two qr- devices of a qrouter
  east-west-via-snat  remove the qr- of the second subnet from qrouters on
                 cpnw1, so cpnw1 sends east-west traffic to the snat
                 namespace instead of routing it itself
"""

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
    if host.name != 'cpnw1':
        return
    for ns in netns(host, 'qrouter-'):
        qrs = sorted(devices(host, ns, 'qr-'))
        addrs = {}
        for dev in qrs:
            out = run(host, ['ip', 'netns', 'exec', ns, 'ip', '-o', '-4',
                             'addr', 'show', dev])
            addrs[dev] = out.split()[3] if out.split() else ''
        # the subnet with the higher address is "subnet2" in the suite
        if len(qrs) >= 2:
            victim = max(qrs, key=lambda d: addrs[d])
            run(host, ['ip', 'netns', 'exec', ns, 'ip', 'link', 'set',
                       victim, 'down'])


BREAKAGES = {
    'no-snat': no_snat,
    'stray-snat': stray_snat,
    'fg-down': fg_down,
    'drop-east-west': drop_east_west,
    'east-west-via-snat': east_west_via_snat,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in BREAKAGES:
        sys.exit(__doc__)
    breakage = BREAKAGES[sys.argv[1]]
    while True:
        for host in settings.COMPUTES:
            breakage(host)
        time.sleep(1)


if __name__ == '__main__':
    main()
