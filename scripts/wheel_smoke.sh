#!/usr/bin/env bash
# Build the wheel, install it alone into a clean virtual environment, and run a smoke set
# against the installed `costcalc` script, from a directory outside the source tree: this
# catches package data left out of the wheel. Usage: scripts/wheel_smoke.sh [PYTHON]
set -euo pipefail
python=${1:-python3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" "$repo"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$work"/dist/costcalc-*.whl
cc="$work/venv/bin/costcalc"
cd "$work"  # not the source tree: only what the wheel installed is found
export COSTCALC_CONFIG_DIR="$work/config" COSTCALC_CACHE_DIR="$work/cache"

expect_version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$repo/src/costcalc/__init__.py")
test "$("$cc" --version)" = "costcalc $expect_version"
"$cc" estimate 1e18 --hardware tpu-v2 --format json | "$work/venv/bin/python" -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["hardware"] == "tpu-v2" and doc["cost_usd"] > 0, doc'
"$cc" estimate 1e18 --hardware h100-sxm --region IS --value co2e_kg >/dev/null
"$cc" sweep 1e20 -H all -f csv >/dev/null
"$cc" profiles list -f json >/dev/null
"$cc" profiles validate "$repo/hardware_profiles" >/dev/null
"$cc" regions show IS >/dev/null
"$cc" runs show gpt-3 >/dev/null
test "$("$cc" arch list -f json | "$work/venv/bin/python" -c 'import json,sys; print(len(json.load(sys.stdin)["architectures"]))')" -ge 12
"$cc" estimate --arch llama-2-7b --tokens 2T --seq-len 4096 -H a100-sxm-80gb --devices 2048 -f json >/dev/null
"$cc" budget "10000 USD" -H h100-sxm >/dev/null
"$cc" scale gpt-3 --improvement 2 >/dev/null
"$cc" check --plan "$repo/examples/costcalc.yaml" --format json >/dev/null || test $? -eq 1
python_m=$("$work/venv/bin/python" -m costcalc --version)
test "$python_m" = "costcalc $expect_version"
# A bad input is one line on stderr and exit 2 from the installed script too.
set +e
err=$("$cc" estimate 1e18 --hardware nope 2>&1 >/dev/null); code=$?
set -e
test "$code" -eq 2 && test "$(printf '%s\n' "$err" | wc -l)" -eq 1
echo "wheel smoke: passed ($(basename "$work"/dist/costcalc-*.whl))"
