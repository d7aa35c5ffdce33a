# tinhso: make help lists the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv demo serve test test-pg lint format messages bench clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the platform with its test tools

demo: $(STAMP) ## run the platform on SQLite with demo data at http://127.0.0.1:$(PORT)
	PORT=$(PORT) $(BIN)/tinhso demo

serve: $(STAMP) ## production server (gunicorn, several workers) reading DATABASE_URL
	PORT=$(PORT) $(BIN)/tinhso serve

test: $(STAMP) ## run the test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(BIN)/pytest

test-pg: $(STAMP) ## run the test suite on the local PostgreSQL
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tinhso} $(BIN)/pytest

lint: $(STAMP) ## ruff, format check and migration check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP) ## compile translations (.po → .mo)
	$(BIN)/python -m tinhso.core.i18n_compile

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var
