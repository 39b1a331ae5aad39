#!/usr/bin/env bash
# The project's test command (README.rst, "Testing"): unit tests and style,
# then the lab up, the whole scenario suite against it, and the lab down.
# Run as root from a checkout. SKIP_LAB=1 runs only the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
eval "$(python3 -m dvr_lab paths)"

if [ ! -x "$DVR_LAB_TOX_VENV/bin/tox" ]; then
    python3 -m venv "$DVR_LAB_TOX_VENV"
    "$DVR_LAB_TOX_VENV/bin/pip" install -q tox
fi
echo "==> unit tests and style: tox -e pep8,py3"
"$DVR_LAB_TOX_VENV/bin/tox" -q -e pep8,py3

[ "${SKIP_LAB:-0}" = 1 ] && exit 0

lab() { (cd "$repo" && python3 -m dvr_lab "$@"); }
summary=""
report_dir="$repo/.dvr-report"
finish() {
    status=$?
    if [ $status -ne 0 ]; then
        echo "==> failure: lab status and the tails of failing logs"
        lab status || true
        for log in "$DVR_LAB_LOG_DIR"/*.log; do
            if grep -q -E "ERROR|Traceback" "$log" 2>/dev/null; then
                echo "---- $log"; grep -E "ERROR|Traceback" "$log" | tail -5
            fi
        done
        cp -r "$DVR_LAB_TEMPEST_DIR/logs" "$repo/.tempest-logs" 2>/dev/null || true
    fi
    echo "==> dvr-lab down"
    lab down || status=1
    [ -n "$summary" ] && echo "$summary"
    cat "$report_dir/failures.txt" 2>/dev/null || true
    exit $status
}
trap finish EXIT

echo "==> dvr-lab up"
lab up
lab status
echo "==> dvr-lab run: the whole suite against the lab, and its report"
rm -rf "$report_dir"
set +e
lab run --report-dir "$report_dir" | tee /tmp/dvr-tempest-run.log
rc=${PIPESTATUS[0]}
set -e
summary="$(grep '^scenario: ' /tmp/dvr-tempest-run.log | tail -1)"
summary="$summary; report: $report_dir/dvr-report.html"
exit $rc
