# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app:create_cli_app
# Production is the default (it needs real secrets); `make run` chooses development and
# the tests choose testing, explicitly. `PULSE_ENV=... make run` still wins.
run: export PULSE_ENV ?= development
test: export PULSE_ENV ?= testing
migrate: export PULSE_ENV ?= development

.PHONY: run test install install-dev lint migrate seed bench clean scale

run: install ## install, migrate, load demo data, start web + worker
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	# Links in emails follow the port the pages are served on (unless PUBLIC_BASE_URL is set).
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$${HOST:-127.0.0.1} PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://localhost:$(PORT)} $(BIN)/honcho start -f Procfile -p $(PORT) web worker

test: install-dev ## the whole suite, against local PostgreSQL and Redis
	$(BIN)/python -m pytest $(PYTEST_ARGS)

scale: install-dev ## two web processes + a worker behind HAProxy on :8000 (docs/scale.md)
	bench/scale/run.sh

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install -r requirements-dev.txt
	touch $(VENV)/.runtime $@

lint: install-dev
	$(BIN)/ruff check .

migrate: install ## generate a migration after a model change: make migrate m="what changed"
	$(BIN)/flask db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance
