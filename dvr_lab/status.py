"""`dvr-lab status`: services, agents and hosts, non-zero when one is down."""

from dvr_lab import cloud
from dvr_lab import namespaces
from dvr_lab import processes
from dvr_lab import procfs
from dvr_lab import services


def _row(kind, name, ok, detail):
    print('%-9s %-34s %-5s %s' % (kind, name, 'ok' if ok else 'DOWN',
                                  detail))
    return ok


def report(layout):
    print('%-9s %-34s %-5s %s' % ('KIND', 'NAME', 'STATE', 'DETAIL'))
    healthy = True
    total_rss = 0
    for host in layout.hosts:
        pid = namespaces.holder_pid(host)
        healthy &= _row('host', host.name, pid is not None,
                        'holder pid %s' % pid if pid else 'not running')
    for svc in services.all_services(layout):
        pid = processes.recorded_pid(svc.name)
        rss = 0
        if pid:
            for member in [pid] + procfs.session_members(pid):
                rss += procfs.memory_kib(member).get('Rss', 0)
        total_rss += rss
        healthy &= _row('service', svc.name, pid is not None,
                        'pid %s, %d MiB' % (pid, rss // 1024) if pid
                        else 'not running; log ' +
                        processes.log_file(svc.name))
    try:
        conn = cloud.admin_connection()
        for (host, kind), alive in sorted(cloud.agents_alive(conn).items()):
            healthy &= _row('agent', '%s %s' % (host, kind), alive,
                            'alive' if alive else 'dead')
        for host, up in sorted(cloud.computes_up(conn).items()):
            healthy &= _row('compute', host, up, 'nova-compute ' +
                            ('up' if up else 'down'))
    except Exception as exc:
        healthy &= _row('api', 'keystone/neutron/nova', False, str(exc))
    rss, pss = lab_memory(layout)
    print('memory of all lab processes: RSS %d MiB, PSS %d MiB (PSS counts '
          'pages shared between forked workers once)' % (rss // 1024,
                                                         pss // 1024))
    return 0 if healthy else 1


def lab_memory(layout):
    """(RSS, PSS) in KiB of every process in a lab host's namespaces."""
    seen = set()
    for host in layout.hosts:
        seen |= namespaces.pids_inside(host)
    memory = [procfs.memory_kib(pid) for pid in seen]
    return (sum(m.get('Rss', 0) for m in memory),
            sum(m.get('Pss', 0) for m in memory))
