# CityPeers: `make run` serves the platform, `make test` runs every check. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CP := $(BIN)/citypeers
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# The production profile on this machine (make run-prod / worker / scheduler); see docs/operations.md.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/citypeers
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
TASK_WORKERS ?= 2
PROD_ENV = CITYPEERS_ENV=production \
  DATABASE_URL="$${DATABASE_URL:-$(PROD_DATABASE_URL)}" \
  REDIS_URL="$${REDIS_URL:-$(PROD_REDIS_URL)}" \
  SECRET_KEY="$${SECRET_KEY:-$$(cat var/prod-secret-key)}" \
  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
  CITYPEERS_HTTPS="$${CITYPEERS_HTTPS:-0}" \
  CITYPEERS_VAR_DIR="$${CITYPEERS_VAR_DIR:-var/prod}"

.PHONY: run setup serve test lint typecheck migrations-check messages messages-check openapi \
        pytest pytest-sqlite pytest-postgres browser-deps bench clean \
        run-prod worker scheduler security lock

run: setup
	$(CP) migrate --noinput
	$(CP) load-reference
	$(CP) load-demo
	@twinnings="$${CITYPEERS_TWINNINGS:-../shared/data/twinning/twinnings_known.csv}"; \
	if [ -f "$$twinnings" ]; then $(CP) import-twinnings "$$twinnings"; fi
	$(CP) insights-refresh
	$(CP) collectstatic --noinput -v 0
	$(MAKE) serve

serve:
	$(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --forwarded-allow-ips=127.0.0.1

# --- production profile: PostgreSQL, Redis, web + task workers + scheduler -----------------------
# Runs here against the local PostgreSQL and Redis; on servers, set the same environment variables
# and start the processes of the Procfile under any supervisor (docs/operations.md).
run-prod: setup var/prod-secret-key
	$(PROD_ENV) $(CP) create-database
	$(PROD_ENV) $(CP) migrate --noinput
	$(PROD_ENV) $(CP) load-reference
	$(PROD_ENV) $(CP) collectstatic --noinput -v 0
	$(PROD_ENV) WEB_BIND="$(HOST):$(PORT)" WORKERS=$(WORKERS) \
	  $(BIN)/honcho start -f Procfile -c web=1,worker=$(TASK_WORKERS),scheduler=1

# One task worker (start as many as wanted, on any machine reaching PostgreSQL and Redis).
worker: setup var/prod-secret-key
	$(PROD_ENV) $(CP) rqworker default --job-class django_tasks_rq.Job --with-scheduler

# The scheduler of periodic work; a second one is harmless (each period is claimed once).
scheduler: setup var/prod-secret-key
	$(PROD_ENV) $(CP) scheduler

# A key for trying the production profile on this machine only; servers set SECRET_KEY.
var/prod-secret-key:
	@mkdir -p var && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

setup: $(VENV)/.installed node_modules/.installed citypeers/locale/.compiled

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@if [ "$(LOCKED)" = 1 ]; then $(BIN)/pip install -q --require-hashes -r requirements.lock; fi
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

citypeers/locale/.compiled: $(VENV)/.installed $(wildcard citypeers/locale/*/LC_MESSAGES/*.po)
	$(BIN)/pybabel compile -d citypeers/locale -D django
	touch $@

# --- quality gates ------------------------------------------------------------------------------
test: setup lint typecheck migrations-check messages-check security pytest

# bandit (no medium or high finding) and Django's deployment checks under production settings.
security: setup
	$(BIN)/bandit -q -ll -c pyproject.toml -r citypeers config
	CITYPEERS_ENV=production CITYPEERS_HTTPS=1 ALLOWED_HOSTS=peers.example.org \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  DATABASE_URL=postgres://citypeers@127.0.0.1:5432/citypeers REDIS_URL=redis://127.0.0.1:6379/0 \
	  $(CP) check --deploy --fail-level WARNING

# The pinned, hashed lock of the runtime dependencies, from PyPI only (this machine's local wheel
# folders are left out by PIP_CONFIG_FILE=/dev/null). Install with: make setup LOCKED=1.
lock: setup
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
	  --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock pyproject.toml

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck:
	$(BIN)/mypy citypeers config

migrations-check:
	CITYPEERS_ENV=test $(CP) makemigrations --check --dry-run

messages:
	cd citypeers && ../$(CP) makemessages -l fr -l es --no-obsolete --no-location --ignore 'static/*' --ignore 'tests/*'
	$(BIN)/pybabel compile -d citypeers/locale -D django

messages-check:
	CITYPEERS_ENV=test $(BIN)/python -m citypeers.core.catalogues check

openapi:
	CITYPEERS_ENV=test $(CP) export-openapi --output citypeers/api/openapi.json

browser-deps:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: browser-deps
	CITYPEERS_ENV=test $(BIN)/pytest; code=$$?; [ $$code -eq 0 -o $$code -eq 5 ] || exit $$code

# Runs when TEST_DATABASE_URL is set or the local PostgreSQL answers; says so when it skips.
pytest-postgres: browser-deps
	@url="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}"; \
	if $(BIN)/python -c "import psycopg,sys; psycopg.connect(sys.argv[1].replace('postgres://','postgresql://'), connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== pytest on PostgreSQL ($$url)"; \
	  CITYPEERS_ENV=test DATABASE_URL="$$url" $(BIN)/pytest -m "not browser"; code=$$?; [ $$code -eq 0 -o $$code -eq 5 ] || exit $$code; \
	else echo "== PostgreSQL not reachable at $$url: PostgreSQL run skipped"; fi

bench: setup
	$(BIN)/python bench/places.py
	$(BIN)/python bench/directory.py
	$(BIN)/python bench/twinning.py

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache
