# PainHero: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_CLINICS ?= 3000
WORKERS ?= 2

.PHONY: run dev test lint format install migrate demo static bench messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "PainHero needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py demo --clinics $(DEMO_CLINICS) --if-empty

static: install
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0

run: demo static
	$(BIN)/python manage.py content_load
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) bin/serve

dev: demo
	$(BIN)/python manage.py content_load
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, with the coverage of services and selectors reported (and held above 95%: pyproject.toml).
test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

# ruff (lint and format), mypy with django-stubs (strict on services and selectors), the import layers.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

messages: install
	$(BIN)/python manage.py makemessages --locale fr --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'node_modules/*'
	$(BIN)/python manage.py compilemessages --locale fr --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

# Refresh the vendored front-end files from npm (they are committed; nothing is fetched at run time).
vendor:
	npm install --no-save --silent
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images node_modules/leaflet/LICENSE static/vendor/leaflet/
