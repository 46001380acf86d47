# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Both cores: tests are spread over worker processes (pytest-xdist), a test file per worker.
PYTEST := $(BIN)/python -m pytest -n auto --dist loadfile

.PHONY: run test test-fast lint format bench schema clean

# --no-compile: modules are byte-compiled when first imported, so installing does not compile
# the many modules of the dependencies that labledger never imports (half of the install time).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## run the whole workflow on the demo records (SQLite default)
	$(BIN)/snakemake --cores 2

test: $(STAMP)  ## lint, import layers, types, schema drift, then the whole suite on SQLite and (when set up) PostgreSQL
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/labledger schema --check
	$(PYTEST)
	@if [ -n "$$LABLEDGER_TEST_POSTGRES_URL" ]; then \
		echo "== the tests that open a database, again on PostgreSQL"; \
		LABLEDGER_TEST_BACKEND=postgresql $(PYTEST) -m "not no_database"; \
	else \
		echo "PostgreSQL run skipped: LABLEDGER_TEST_POSTGRES_URL is not set (README: Testing)"; \
	fi

test-fast: $(STAMP)  ## the edit-test loop: lint and every test but the slow ones, on SQLite
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PYTEST) -m "not slow"

bench: $(STAMP)  ## benchmarks: print figures and ratios (not pass/fail)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

schema: $(STAMP)  ## regenerate schema/ from the models
	$(BIN)/labledger schema

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf results .snakemake
