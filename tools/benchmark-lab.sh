#!/usr/bin/env bash
# Lab benchmark (figures go in doc/source/benchmarks.rst, never in a timed
# test):
#   cold up  - the services venv and the guest image cache removed first, so
#              pip and apt-get download (and libvirt-python builds) again;
#              Debian packages stay: removing them would touch the machine
#              beyond the lab,
#   warm up  - everything installed and cached, the lab down,
#   idle     - PSS and RSS of every lab process, 30 s after up,
#   suite    - `dvr-lab run` (the whole suite and its report), with the
#              largest PSS and RSS sampled every 5 s while it runs,
#   down.
# Usage: tools/benchmark-lab.sh [--cold]   (as root; ends with the lab down)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
lab() { (cd "$repo" && python3 -m dvr_lab "$@"); }
eval "$(lab paths)"
seconds() { local t0=$EPOCHREALTIME; "$@" >/tmp/dvr-lab-bench.log 2>&1 \
    || { tail -20 /tmp/dvr-lab-bench.log; exit 1; }; \
    python3 -c "print($EPOCHREALTIME - $t0)"; }
# "RSS PSS" in MiB of every process in the lab's hosts
memory() { (cd "$repo" && python3 -c 'from dvr_lab import settings, status
rss, pss = status.lab_memory(settings.layout())
print(rss // 1024, pss // 1024)'); }

lab down >/dev/null
if [ "${1:-}" = "--cold" ]; then
    rm -rf "$DVR_LAB_VENV" /var/cache/dvr-lab/guest-image
    python3 -m pip cache purge >/dev/null 2>&1 || true
    printf 'cold up:          %7.1f s\n' "$(seconds lab up)"
    printf 'down:             %7.1f s\n' "$(seconds lab down)"
fi
printf 'warm up:          %7.1f s\n' "$(seconds lab up)"
sleep 30   # let the agents and nova settle into their idle loops
read -r rss pss < <(memory)
printf 'idle memory:      RSS %d MiB, PSS %d MiB\n' "$rss" "$pss"

t0=$EPOCHREALTIME
lab run --report-dir /tmp/dvr-lab-bench-report >/tmp/dvr-lab-bench-run.log \
    2>&1 &
run=$!
peak_rss=0 peak_pss=0
while kill -0 "$run" 2>/dev/null; do
    read -r rss pss < <(memory) || true
    [ "${rss:-0}" -gt "$peak_rss" ] && peak_rss=$rss
    [ "${pss:-0}" -gt "$peak_pss" ] && peak_pss=$pss
    sleep 5
done
wait "$run" || true
printf 'suite:            %7.1f s (%s)\n' \
    "$(python3 -c "print($EPOCHREALTIME - $t0)")" \
    "$(grep '^scenario: ' /tmp/dvr-lab-bench-run.log | tail -1)"
printf 'suite memory:     RSS %d MiB, PSS %d MiB (largest sample)\n' \
    "$peak_rss" "$peak_pss"
printf 'down:             %7.1f s\n' "$(seconds lab down)"
