#!/usr/bin/env bash
# Lab benchmark (figures go in README.rst, never in a timed test):
#   cold up  - the services venv removed first, so pip downloads and builds
#              everything again (Debian packages stay: removing them would
#              touch the machine beyond the lab),
#   warm up  - everything installed, the lab down,
#   down, and the total RSS of the lab's processes while up and idle.
# Usage: tools/benchmark-lab.sh [--cold]   (as root; ends with the lab down)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
lab() { (cd "$repo" && python3 -m dvr_lab "$@"); }
eval "$(lab paths)"
seconds() { local t0=$EPOCHREALTIME; "$@" >/tmp/dvr-lab-bench.log 2>&1 \
    || { tail -20 /tmp/dvr-lab-bench.log; exit 1; }; \
    python3 -c "print($EPOCHREALTIME - $t0)"; }

lab down >/dev/null
if [ "${1:-}" = "--cold" ]; then
    rm -rf "$DVR_LAB_VENV"
    python3 -m pip cache purge >/dev/null 2>&1 || true
    printf 'cold up:  %6.1f s\n' "$(seconds lab up)"
    printf 'down:     %6.1f s\n' "$(seconds lab down)"
fi
printf 'warm up:  %6.1f s\n' "$(seconds lab up)"
sleep 30   # let the agents and nova settle into their idle loops
python3 -m dvr_lab status | tail -1
printf 'down:     %6.1f s\n' "$(seconds lab down)"
