# Open Job Board: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# `make run PORT=8101` remembers its port, so the commands below reach that server.
PORT ?= $(shell cat var/port 2>/dev/null || echo 8000)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev run setup web worker beat test lint format bench browser clean \
	manage sync submit push register messages

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python ## Create the virtualenv

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Install the application

# The browser tests' JavaScript tools (axe-core for the accessibility scan), pinned by
# package-lock.json; reinstalled when it changes.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json ## Install the application and the development tools

# The board's languages (README, Languages): extract the marked strings into
# locale/<lang>/LC_MESSAGES/django.po, then compile the .mo files that are committed, so
# installing needs no gettext. Needs gettext (apt-get install gettext).
MESSAGES_IGNORE := .venv node_modules var tests test-artifacts 'partner/sandbox/*' 'templates/sandbox/*' \
	'templates/assessments/*' 'partner/assessments/*' 'templates/admin/*' 'templates/operations/*' 'templates/api/*'
messages: install ## Update the translation catalogs and compile them (needs gettext)
	$(BIN)/python manage.py makemessages -l de -l fr -l es -l pl --no-location $(addprefix --ignore=,$(MESSAGES_IGNORE))
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

setup: install ## Migrate, collect static, create the admin user, seed the sandbox (idempotent)
	$(BIN)/python manage.py setup_instance

# The board links (liveUrl) and the sandbox's address follow the port unless SITE_URL is set.
run web worker beat manage sync submit push register: export SITE_URL ?= http://127.0.0.1:$(PORT)

run: setup ## Set up and run the board, sandbox, worker and beat (Ctrl-C stops all)
	@mkdir -p var && echo $(PORT) > var/port
	@echo ""
	@echo "  Board:            http://127.0.0.1:$(PORT)/"
	@echo "  Admin:            http://127.0.0.1:$(PORT)/admin/"
	@echo "  Sandbox console:  http://127.0.0.1:$(PORT)/sandbox/"
	@echo "  Health:           http://127.0.0.1:$(PORT)/readyz"
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

web: install ## Run only the web process
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker: install ## Run only a Celery worker
	$(BIN)/celery -A jobboard worker --loglevel INFO --concurrency 2 --without-gossip --without-mingle

beat: install ## Run only Celery beat
	$(BIN)/celery -A jobboard beat --loglevel INFO

manage: install ## Run a manage.py command beside `make run`: make manage ARGS="sync_feed"
	$(BIN)/python manage.py $(ARGS)

sync: install ## One feed pass now, against the server `make run` started
	$(BIN)/python manage.py sync_feed

submit: install ## Send the pending applications now
	$(BIN)/python manage.py submit_applications

push: install ## Send the pending assessment result pushes now
	$(BIN)/python manage.py push_assessment_results

register: install ## Register our Assessment API endpoints with the (sandbox) SmartRecruiters
	$(BIN)/python manage.py register_assessment_partner

test: install-dev ## Run the test suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest

lint: install-dev ## ruff check, ruff format --check, import contracts, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-dev ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

browser: ## Install Debian's chromium for the browser tests (needs root)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Benchmarks measure PostgreSQL, as in production; each creates its own databases there.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jobboard_bench

bench: install-dev ## Run the benchmarks (PostgreSQL on 127.0.0.1) and print their figures
	$(BIN)/pytest tests/bench -s -o addopts="--strict-markers" -q

clean: ## Remove the virtualenv, the Node tools and local data (database, broker, uploads)
	rm -rf $(VENV) node_modules var
