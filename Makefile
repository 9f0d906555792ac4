# Two entry points for a fresh machine (see README):
#   make demo   install, import the sample, print coverage, serve API + map on 127.0.0.1:8000
#   make test   install, lint, type-check and run the whole test suite (what CI runs)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install browser postgis lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/wsz demo

postgis:
	scripts/ensure-postgis

browser:
	scripts/ensure-chromium
	scripts/ensure-gdal
	scripts/ensure-axe
	scripts/ensure-poppler

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check geo service maps tests bench

typecheck: install
	$(BIN)/mypy

# The suite on PYTEST_WORKERS processes (pytest-xdist); each test file stays on one worker, so
# its module fixtures (servers, clusters) start once. PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2

pytest: install browser postgis
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/coverage_bench.py
	$(BIN)/python bench/walking_bench.py
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
