# Hearth: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite runs on the real services; these default to the local ones.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hearth
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hearth_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/11

.PHONY: run test lint format bench install install-dev migrate seed clean

$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(BIN)/.installed-dev: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(BIN)/.installed

# ESLint for static/js, exactly as package-lock.json pins it (docs/dependencies.md).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev

## run: set up and serve Hearth on the embedded default (SQLite, no services) with demo data
run: export DEBUG = 1
# Emails and calendar links point at the address make run serves on (PORT=8301 and all),
# unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(BIN)/.installed
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py migrate --no-input
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py seed_demo
	@echo "Hearth is at http://$(HOST):$(PORT)/ (demo password: hearth-demo-2026)"
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: ruff, ESLint and the whole pytest suite on PostgreSQL and Redis
test: $(BIN)/.installed-dev node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint static/js
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed-dev node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint static/js

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: benchmarks (they print figures, they assert nothing about time)
bench: $(BIN)/.installed-dev
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache hearth.sqlite3
