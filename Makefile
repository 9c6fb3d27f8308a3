# ehcflow: `make demo` to see it, `make test` to prove it. Everything a fresh machine needs is
# installed from here (Python packages into .venv, front-end assets with npm).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
EHCFLOW := $(VENV)/bin/ehcflow
STAMP := $(VENV)/.installed
ASSETS := ehcflow/static/vendor/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/ehcflow
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install chromium clamav demo serve-production worker test test-sqlite test-postgres test-browser lint check bench clean lock

install: $(STAMP) $(ASSETS) chromium clamav

## chromium: Debian's Chromium for the browser tests (tests/browser). Playwright drives this
## system browser; its own browser download is not used. Installed with apt-get only when
## /usr/bin/chromium is missing; on CI (CI=true) a Chromium that cannot be installed fails.
chromium:
	@set -e; if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	fail() { if [ "$${CI:-}" = "true" ]; then echo "$$1 CI must run the browser tests." >&2; exit 1; \
	         else echo "$$1 The browser tests will be skipped."; fi; }; \
	if ! command -v apt-get >/dev/null 2>&1; then fail "No /usr/bin/chromium and no apt-get."; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then as_root=""; \
	elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; \
	else fail "No /usr/bin/chromium, and installing it needs root."; exit 0; fi; \
	echo "Installing Debian's chromium for the browser tests"; \
	if $$as_root apt-get update -qq && \
	   $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	then :; else fail "apt-get could not install chromium."; fi

## clamav: ClamAV's daemon (clamd), which scans every uploaded file before anyone can open it
## (ehcflow.files). Installed with apt-get when clamd is missing; on CI (CI=true) a clamd that
## cannot be installed fails. Signatures: freshclam in production (docs/operations/
## virus-scanning.md); the tests and the demo run clamd with a test signature only.
clamav:
	@set -e; if command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; then exit 0; fi; \
	fail() { if [ "$${CI:-}" = "true" ]; then echo "$$1 CI must run the virus-scanning tests." >&2; exit 1; \
	         else echo "$$1 Uploaded files will wait for their virus check; its tests will be skipped."; fi; }; \
	if ! command -v apt-get >/dev/null 2>&1; then fail "No clamd and no apt-get."; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then as_root=""; \
	elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; \
	else fail "No clamd, and installing it needs root."; exit 0; fi; \
	echo "Installing Debian's clamav-daemon for virus scanning"; \
	if $$as_root apt-get update -qq && \
	   $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null; \
	then :; else fail "apt-get could not install clamav-daemon."; fi

## The exact versions (with hashes) of requirements.lock, then ehcflow itself without
## resolving again: the same packages on every machine. `make lock` writes the lock.
$(STAMP): pyproject.toml requirements.lock
	@set -e; python_bin=$$(scripts/find-python); \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@echo "Compiling the planner's kernel (Numba caches it for every later process)"
	$(PY) -c "from ehcflow.planner.engine import warm; warm()"
	@touch $(STAMP)

$(ASSETS): frontend/package.json
	cd frontend && npm install --no-audit --no-fund --loglevel=error
	@set -e; dest=ehcflow/static/vendor; rm -rf $$dest; \
	mkdir -p $$dest/govuk-frontend $$dest/moj-frontend $$dest/htmx; \
	src=frontend/node_modules/govuk-frontend/dist/govuk; \
	cp $$src/govuk-frontend.min.js $$dest/govuk-frontend/; cp -r $$src/assets $$dest/govuk-frontend/; \
	sed 's#url(/assets/#url(/static/vendor/govuk-frontend/assets/#g' $$src/govuk-frontend.min.css \
	  > $$dest/govuk-frontend/govuk-frontend.min.css; \
	moj=frontend/node_modules/@ministryofjustice/frontend/moj; \
	cp $$moj/moj-frontend.min.js $$dest/moj-frontend/; \
	sed 's#url(/assets/#url(/static/vendor/govuk-frontend/assets/#g' $$moj/moj-frontend.min.css \
	  > $$dest/moj-frontend/moj-frontend.min.css; \
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $$dest/htmx/; \
	touch $(ASSETS)

## lock: pin every dependency of pyproject.toml (with the dev extra) and its hashes in
## requirements.lock; run after changing dependencies, then commit both files
lock:
	$(VENV)/bin/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe \
	  --output-file requirements.lock pyproject.toml

var:
	mkdir -p var

## demo: install, migrate the embedded SQLite database, load the demo authority, serve it
demo: export EHCFLOW_AUTHORITY_NAME ?= Dunmore Borough Council (demo)
demo: install var
	$(EHCFLOW) migrate --noinput
	$(EHCFLOW) national load
	@if [ "$$($(EHCFLOW) demo-data --status)" != "loaded" ]; then \
	  echo "Loading the demo authority (a minute or two the first time)..."; \
	  EHCFLOW_DEMO=1 $(EHCFLOW) demo-data --seed 2023; fi
	$(EHCFLOW) collectstatic --noinput --verbosity 0
	$(EHCFLOW) likely-plans
	@# clamd with the test signature only (no signature download here), stopped with the demo
	@conf=$$($(EHCFLOW) files test-scanner var/clamav); clamd_pid=""; \
	clamd_bin=$$(command -v clamd || { [ -x /usr/sbin/clamd ] && echo /usr/sbin/clamd; } || true); \
	if [ -n "$$clamd_bin" ]; then "$$clamd_bin" -c "$$conf" & clamd_pid=$$!; \
	  trap 'kill $$clamd_pid 2>/dev/null' EXIT INT TERM; \
	  export EHCFLOW_CLAMD_SOCKET="$$(pwd)/var/clamav/clamd.sock"; \
	  for i in $$(seq 1 150); do [ -S var/clamav/clamd.sock ] && break; sleep 0.2; done; \
	else echo "clamd is not installed: uploaded files wait for their virus check (make install)."; fi; \
	EHCFLOW_DEMO=1 $(EHCFLOW) demo-users; \
	echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop), with a task worker for the planner's larger runs"; \
	echo "Families sign in at http://$(HOST):$(PORT)/family/sign-in/"; \
	EHCFLOW_DEMO=1 $(EHCFLOW) db_worker --no-startup-delay > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker $$clamd_pid 2>/dev/null' EXIT INT TERM; \
	EHCFLOW_DEMO=1 EHCFLOW_DEBUG=0 $(EHCFLOW) runserver --insecure $(HOST):$(PORT)

## test: install, then every test on SQLite and again on PostgreSQL
test: install lint test-sqlite test-postgres

## lint: ruff, mypy, and the import contracts of .importlinter (the layers; CONTRIBUTING.md)
lint:
	$(VENV)/bin/ruff check ehcflow tests benchmarks
	$(VENV)/bin/mypy ehcflow tests
	$(VENV)/bin/lint-imports --no-cache --no-logo

## check: the edit loop: lint and the tests that need neither a browser nor PostgreSQL nor
## minutes (`slow`); `make test` runs everything
check: install lint
	DATABASE_URL= $(PY) -m pytest -q -m "not browser and not slow" -p no:cacheprovider

test-sqlite:
	@echo "== test suite on SQLite =="
	DATABASE_URL= $(PY) -m pytest -q --durations=15

## test-browser: only the browser tests (Playwright driving Chromium, with axe-core checks)
test-browser: install
	env -u DATABASE_URL $(PY) -m pytest -q -m browser tests/browser

test-postgres:
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
	  echo "== test suite on PostgreSQL =="; \
	  DATABASE_URL="$(PG_URL)" $(PY) -m pytest -q --durations=15; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL does not answer on $(PG_URL): CI must run the PostgreSQL leg." >&2; exit 1; \
	else echo "PostgreSQL not answering on $(PG_URL): skipping that leg (CI makes it mandatory)."; fi

## worker: run background tasks (the nightly snapshots) from the database queue; queue the
## first night with `ehcflow insight schedule`
worker: install
	$(EHCFLOW) insight schedule
	$(EHCFLOW) db_worker

## serve-production: the site as production runs it (README, "Running it in production"), locally
## against PostgreSQL ($(PG_URL)): migrate, collectstatic, gunicorn with 2 processes on
## $(HOST):$(PORT) and 2 task workers, EHCFLOW_PRODUCTION=1 with a generated secret key, and the
## HTTPS redirect off because no proxy ends TLS here. Ctrl+C stops every process.
serve-production: install
	$(PY) scripts/serve_production.py --database-url "$(PG_URL)" --host $(HOST) --port $(PORT)

## bench: the speed and scale measurements written into the README (the load test needs the
## `bench` extra: Locust)
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf var ehcflow/static/vendor frontend/node_modules $(VENV)
