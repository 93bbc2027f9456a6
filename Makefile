# zkag: the two commands are `make demo` and `make test`; both set up first (idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
VENV_STAMP := $(VENV)/.zkag-installed
NODE_STAMP := node_modules/.zkag-installed
# Tools linked into .venv/bin (solc shim, anvil, forge) are found on PATH by zkag and the tests.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help setup demo test lint bench lock clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(VENV_STAMP) $(NODE_STAMP)  ## install pinned Python and npm dependencies, link the toolchain
	@tools/link-toolchain

$(VENV_STAMP): pyproject.toml constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: setup  ## train, prove, anchor, publish and verify a small run (DEMO_ARGS="--out DIR ...")
	$(VENV)/bin/zkag demo $(DEMO_ARGS)

lint: setup  ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint  ## lint, Python tests, and forge tests once contracts have them
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	@if compgen -G 'contracts/test/*.t.sol' > /dev/null; then forge test; fi

bench: setup  ## run the benchmarks (each prints a table of ratios against the naive way)
	$(VENV)/bin/python benchmarks/log_bench.py
	$(VENV)/bin/python benchmarks/prover_bench.py

lock:  ## re-pin every transitive Python dependency into constraints.txt from the current venv
	{ echo "# Every transitive Python dependency, pinned: the environment 'make setup' builds and tests run in."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(VENV)/bin/pip freeze --exclude-editable | grep -v '^zkag' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > constraints.txt

clean:  ## remove the venv, node_modules and caches (keeps artifacts/)
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis *.egg-info
