#!/usr/bin/env bash
# Refresh dvr_lab/constraints-lab.txt: a throwaway venv gets the newest
# versions dvr_lab/requirements-lab.txt allows, and its `pip freeze --all`
# becomes the constraints `dvr-lab up` installs with. Needs what
# libvirt-python builds against (libvirt-dev, pkg-config, gcc): `dvr-lab up`
# installs them. Review the diff, run the suite, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d /tmp/dvr-lab-constraints.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip wheel
"$venv/bin/pip" install -q -r dvr_lab/requirements-lab.txt
{
    echo "# Every package of the dvr-lab venv, exactly: pip freeze --all of a"
    echo "# venv built from requirements-lab.txt on $(date -u +%Y-%m-%d)."
    echo "# Refresh: tools/refresh-lab-constraints.sh"
    "$venv/bin/pip" freeze --all | LC_ALL=C sort -f
} > dvr_lab/constraints-lab.txt
git --no-pager diff --stat -- dvr_lab/constraints-lab.txt
