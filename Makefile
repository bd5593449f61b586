# Budstikke: `make run` starts the HTTPS server and worker; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never

# uv from PATH, or the copy `make setup` installs with pip when there is none.
UV = $(shell command -v uv >/dev/null 2>&1 && echo uv || echo "python3 -m uv")
PY = $(UV) run --frozen python
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/budstikke
# Browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.
SYSTEM_TOOLS := msgfmt:gettext openssl:openssl chromium:chromium pdftoppm:poppler-utils zbarimg:zbar-tools

.PHONY: help setup system-deps run test lint typecheck deploy-check test-sqlite test-postgres messages bench-server

help:
	@echo "make run    start Budstikke on https://localhost:$${PORT:-8443} (web + worker, demo data)"
	@echo "make test   lint, types, deploy checks and the test suite on SQLite and PostgreSQL"

system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

setup: system-deps
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@$(PY) manage.py compilemessages --ignore .venv >/dev/null

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) manage.py serve

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck:
	$(UV) run --frozen mypy

# The deployment checks run against production-like settings, not the embedded default.
deploy-check:
	BUDSTIKKE_MODE=production ALLOWED_HOSTS=budstikke.example \
	  SECRET_KEY="$$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  BUDSTIKKE_DATA_DIR="$$(mktemp -d)" $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(UV) run --frozen pytest -n 2

test-postgres:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(POSTGRES_URL) $(UV) run --frozen pytest -n 2

test: setup lint typecheck deploy-check test-sqlite test-postgres

messages:
	$(PY) manage.py makemessages -l da --no-location --no-obsolete -i ".venv/*" -i "var/*"

bench-server: setup
	$(PY) bench/server.py
