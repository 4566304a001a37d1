# costcalc developer entry points. Everything installs into .venv from the package registry.
# `make run` installs the runtime only; `make test` adds the test tools; `make lint` the linters.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check
# A stamp per set of extras, renewed whenever pyproject.toml changes.
KEY := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUNTIME := $(VENV)/.runtime-$(KEY)
TESTING := $(VENV)/.test-$(KEY)
DEV := $(VENV)/.dev-$(KEY)
# `make test` uses every core; JOBS=1 runs the suite in one process.
JOBS ?= auto

.PHONY: run test test-min test-newest lint ci-smoke hook-check bench validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): $(BIN)/python pyproject.toml
	$(PIP) -e .
	touch $@

$(TESTING): $(RUNTIME)
	$(PIP) -e '.[test,plot]'
	touch $@

$(DEV): $(TESTING)
	$(PIP) -e '.[dev]'
	touch $@

run: $(RUNTIME)
	$(BIN)/costcalc estimate 1e18 --hardware tpu-v2

test: $(TESTING)
	$(BIN)/python -m pytest -n $(JOBS)

# The test suite against the oldest dependency versions pyproject.toml admits.
test-min:
	rm -rf .venv-min && $(PYTHON) -m venv .venv-min
	.venv-min/bin/python -m pip install -q "typer==0.28.0" "rich==13.8.0" "pyyaml==6.0.1" \
		"numpy==1.26.4" "pint==0.24.4" "platformdirs==4.2.2" "pytest>=8" "pytest-xdist>=3.5" \
		"hypothesis>=6.100" "jsonschema>=4.18"
	.venv-min/bin/python -m pip install -q --no-deps -e .
	.venv-min/bin/python -m pytest -n $(JOBS)

# The test suite against the newest version of every dependency, upper bounds ignored:
# tells whether a bound (typer's) can be raised. Not part of CI: it may fail by design.
test-newest:
	rm -rf .venv-newest && $(PYTHON) -m venv .venv-newest
	.venv-newest/bin/python -m pip install -q --no-deps -e .
	.venv-newest/bin/python -m pip install -q --upgrade typer rich pyyaml numpy pint \
		platformdirs pytest pytest-xdist hypothesis jsonschema matplotlib
	.venv-newest/bin/python -m pytest -n $(JOBS)

lint: $(DEV)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

# Build the wheel, install it alone into a clean venv, and run a smoke set against the
# installed script: catches package data missing from the wheel.
ci-smoke: $(TESTING)
	bash scripts/wheel_smoke.sh $(PYTHON)

# The pre-commit hook run by `pre-commit try-repo` against this repository's HEAD.
hook-check:
	bash scripts/hook_check.sh $(PYTHON)

bench: $(DEV)
	$(BIN)/python bench/run.py

# The default answer against published training runs (validation/runs.yaml): per-run
# error, band coverage and width, and a summary. `python scripts/validate.py --write`
# regenerates docs/validation.md.
validate: $(RUNTIME)
	$(BIN)/python scripts/validate.py

clean:
	rm -rf $(VENV) .venv-min .venv-newest build dist .pytest_cache .mypy_cache .ruff_cache \
		.hypothesis
