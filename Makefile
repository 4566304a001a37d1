# costcalc developer entry points. Everything installs into .venv from the package registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-min lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/costcalc estimate 1e18 --hardware tpu-v2

test: $(STAMP)
	$(BIN)/python -m pytest

# The test suite against the oldest dependency versions pyproject.toml admits.
test-min:
	rm -rf .venv-min && $(PYTHON) -m venv .venv-min
	.venv-min/bin/python -m pip install -q "typer==0.28.0" "rich==13.8.0" "pyyaml==6.0.1" \
		"numpy==1.26.4" "pint==0.24.4" "platformdirs==4.2.2" "pytest>=8" "hypothesis>=6.100"
	.venv-min/bin/python -m pip install -q --no-deps -e .
	.venv-min/bin/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .venv-min build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
