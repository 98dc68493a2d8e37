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

.PHONY: run setup serve test lint typecheck migrations-check messages messages-check openapi \
        pytest pytest-sqlite pytest-postgres browser-deps bench clean

run: setup
	$(CP) migrate --noinput
	$(CP) load-reference
	$(CP) load-demo
	@twinnings="$${CITYPEERS_TWINNINGS:-../shared/data/twinning/twinnings_known.csv}"; \
	if [ -f "$$twinnings" ]; then $(CP) import-twinnings "$$twinnings"; fi
	$(CP) collectstatic --noinput -v 0
	$(MAKE) serve

serve:
	$(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --forwarded-allow-ips=127.0.0.1

setup: $(VENV)/.installed node_modules/.installed citypeers/locale/.compiled

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

citypeers/locale/.compiled: $(VENV)/.installed $(wildcard citypeers/locale/*/LC_MESSAGES/*.po)
	$(BIN)/pybabel compile -d citypeers/locale -D django
	touch $@

# --- quality gates ------------------------------------------------------------------------------
test: setup lint typecheck migrations-check messages-check pytest

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
