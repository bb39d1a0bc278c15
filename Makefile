# calmdesk: `make run` starts the web app, `make test` runs lint, types and tests.
# Both create .venv on a fresh machine; nothing else needs setting up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the declared or pinned dependencies change.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed Makefile
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,semantic,postgres]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The web app when it is installed; until then the interactive encounter assistant (CLI demo).
run: $(VENV)/.installed
	@if $(BIN)/calmdesk serve --help >/dev/null 2>&1; then \
		$(BIN)/calmdesk serve --host $(HOST) --port $(PORT); \
	else \
		echo "calmdesk: web app not built yet; starting the terminal assistant (calmdesk assist)"; \
		$(BIN)/calmdesk assist; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
