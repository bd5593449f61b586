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
# Tools only `make test` uses: fail2ban-regex checks the fail2ban filter Budstikke ships.
TEST_TOOLS := fail2ban-regex:fail2ban
# Tools of the operator-facing suites (docs/security-tests.md), installed by the target that needs them.
AUDIT_TOOLS := sqlmap:sqlmap testssl:testssl.sh
LOAD_TOOLS := wrk:wrk
BENCH_TOOLS := wrk:wrk sqlite3:sqlite3 zstd:zstd
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bsk_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/12

# $(call install-missing,command:package ...): apt-get install the packages whose command is absent.
define install-missing
	@missing=""; for pair in $(1); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

.PHONY: help setup system-deps test-deps run test lint typecheck deploy-check test-sqlite test-postgres messages \
	bench-server fuzz audit load bench faults

help:
	@echo "make run     start Budstikke on https://localhost:$${PORT:-8443} (web + worker, demo data)"
	@echo "make test    lint, types, deploy checks and the test suite on SQLite and PostgreSQL"
	@echo "make fuzz    schemathesis, >= 5000 generated cases against a running server's API"
	@echo "make audit   sqlmap, testssl.sh and a security-header check against a running server"
	@echo "make load    60 s of tracking lookups and API shipments on PostgreSQL + Redis (wrk)"
	@echo "make faults  PostgreSQL, Redis, worker and e-conomic failures (tests/faults)"
	@echo "make bench   every benchmark in bench/, then one table of results"
	@echo "(docs/security-tests.md says what each suite checks)"

system-deps:
	$(call install-missing,$(SYSTEM_TOOLS))

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

test-deps:
	$(call install-missing,$(TEST_TOOLS))

test: setup test-deps lint typecheck deploy-check test-sqlite test-postgres

messages:
	$(PY) manage.py makemessages -l da --no-location --no-obsolete -i ".venv/*" -i "var/*"

bench-server: setup
	$(PY) bench/server.py

# The operator-facing suites (docs/security-tests.md). Each starts its own server on
# loopback, on a data directory and port of its own, and stops it at the end.
fuzz: setup
	$(PY) tests/fuzz/run.py

audit: setup
	$(call install-missing,$(AUDIT_TOOLS))
	$(PY) tests/audit/run.py

# Needs PostgreSQL and Redis on 127.0.0.1 (as make test needs PostgreSQL).
load: setup
	$(call install-missing,$(LOAD_TOOLS))
	DATABASE_URL=$(LOAD_DATABASE_URL) REDIS_URL=$(LOAD_REDIS_URL) $(PY) bench/load.py

# BUDSTIKKE_FAULTS=1 switches on the process-level tests (real servers, a private PostgreSQL
# cluster, Redis and the worker killed); `make test` runs only the in-process ones.
faults: setup
	BUDSTIKKE_FAULTS=1 $(UV) run --frozen pytest tests/faults -p no:xdist -v

bench: setup
	$(call install-missing,$(BENCH_TOOLS))
	$(PY) bench/run_all.py
