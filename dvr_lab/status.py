"""`dvr-lab status`: services, agents and hosts, non-zero when one is down."""

import os

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


def program_label(command_line):
    """What a lab process runs, from its command line, for memory rows."""
    words = command_line.split()
    if not words:
        return '?'
    if ' master process ' in command_line or words[0].endswith(':'):
        # a process title: "neutron-l3-agent: ServiceWrapper worker(0)"
        name = words[0].rstrip(':')
        return name + (' (master)' if 'master process' in command_line
                       else ' (worker)')
    if len(words) > 1 and words[1].startswith('('):
        # "neutron-openvswitch-agent (/opt/.../python ...)"
        return words[0]
    program = os.path.basename(words[0])
    if program.startswith('python') and len(words) > 1:
        program = os.path.basename(words[1])
    for option, kind in (('--privsep_context', 'privsep-helper'),
                         ('--module', 'uwsgi')):
        if program == kind and option in words[:-1]:
            return '%s %s' % (kind, words[words.index(option) + 1])
    return program


def memory_by_program(layout):
    """[(label, processes, PSS KiB, RSS KiB)], the largest PSS first."""
    rows = {}
    for host in layout.hosts:
        for pid in namespaces.pids_inside(host):
            line = procfs.command_line(pid)
            if line is None:
                continue
            memory = procfs.memory_kib(pid)
            label = program_label(line)
            count, pss, rss = rows.get(label, (0, 0, 0))
            rows[label] = (count + 1, pss + memory.get('Pss', 0),
                           rss + memory.get('Rss', 0))
    return sorted(((label,) + row for label, row in rows.items()),
                  key=lambda row: -row[2])


def memory_report(layout):
    print('%-56s %5s %9s %9s' % ('PROGRAM', 'PROCS', 'PSS MiB', 'RSS MiB'))
    total_pss = total_rss = 0
    for label, count, pss, rss in memory_by_program(layout):
        total_pss += pss
        total_rss += rss
        print('%-56s %5d %9d %9d' % (label[:56], count, pss // 1024,
                                     rss // 1024))
    print('%-56s %5s %9d %9d' % ('all lab processes', '', total_pss // 1024,
                                 total_rss // 1024))
    return 0
