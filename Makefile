# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check install clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/netanalysis report examples/mfa_channel_sample.txt -o outputs/demo --config examples/study.toml

test: $(STAMP)
	$(BIN)/python -m pytest

# Lint, format and type checks (configured in pyproject.toml).
check: $(STAMP)
	$(BIN)/ruff check netanalysis tests scripts examples
	$(BIN)/ruff format --check netanalysis tests scripts examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) outputs/demo .pytest_cache
