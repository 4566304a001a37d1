#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) as a user's repository runs it:
# `pre-commit try-repo` against this repository's HEAD, in a throwaway git repository with
# a plan within budget (the hook passes) and then one over budget (the hook fails).
# Usage: scripts/hook_check.sh [PYTHON]
set -euo pipefail
python=${1:-python3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/pre-commit-home"

"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check pre-commit
mkdir "$work/project" && cd "$work/project"
git init -q
cp "$repo/examples/costcalc.yaml" costcalc.yaml
git add costcalc.yaml
git -c user.email=ci@example.invalid -c user.name=ci commit -qm plan
"$work/venv/bin/pre-commit" try-repo "$repo" costcalc-check --all-files

# Over budget: a cost limit far below the plan's cost; the hook must fail.
sed -i 's/^\(\s*cost:\s*\).*$/\1 1 USD/' costcalc.yaml
git -c user.email=ci@example.invalid -c user.name=ci commit -qam "over budget"
if "$work/venv/bin/pre-commit" try-repo "$repo" costcalc-check --all-files; then
  echo "hook check: the hook passed a plan over budget" >&2
  exit 1
fi
echo "hook check: passed (within budget passes, over budget fails)"
