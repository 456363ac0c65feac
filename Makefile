# Isoflow: `make run` runs the whole system locally, `make test` runs every test.
# Each target installs what is missing first; a second run skips what is installed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed

# Flags for `make run`: PORT, AWS_PORT, FAST=1 (a fast demo schedule), AUTH=1 (sign-in against a local user pool),
# FRESH=1 (delete the kept data and start a new system), DATA_DIR (where the data is kept; default .local/data).
PORT ?= 8000
AWS_PORT ?= 4566
RUN_FLAGS := --port $(PORT) --aws-port $(AWS_PORT) $(if $(FAST),--fast) $(if $(AUTH),--auth) \
	$(if $(FRESH),--fresh) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

.PHONY: run test lint typecheck bench clean

include web.mk
include deploy.mk
include bench.mk

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: $(PY_STAMP) $(WEB_BUILD)
	$(BIN)/isoflow local $(RUN_FLAGS)

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(PY_STAMP)
	$(BIN)/mypy

# Lint and type checks, the dashboard's unit tests, then every Python test: unit, integration (moto),
# infra (CDK synth, cdk-nag, cfn-lint) and the browser tests against the local stack.
test: lint typecheck web-lint web-test $(WEB_BUILD) $(CHROMIUM)
	$(BIN)/pytest -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) cdk.out build/bundles pipeline/node_modules .mypy_cache .ruff_cache .pytest_cache $(WEB)/node_modules $(WEB)/dist
