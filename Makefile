# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Both cores: tests are spread over worker processes (pytest-xdist), a test file per worker.
PYTEST := $(BIN)/python -m pytest -n auto --dist loadfile
# labledger's own modules compiled before a run (only what changed): every workflow job and
# every command a test starts imports them, and may not write .pyc files itself.
COMPILE_SRC := $(BIN)/python -m compileall -q -j 0 src > /dev/null

.PHONY: run test test-fast lint format bench schema clean

# pip byte-compiles one file at a time; compileall on every core afterwards does the same work
# in about half the time (63 s -> 42 s for the whole install on 2 cores). Compiled at install
# because Python may be told not to write .pyc files itself (PYTHONDONTWRITEBYTECODE).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null
	touch $(STAMP)

run: $(STAMP)  ## run the whole workflow on the demo records (SQLite default)
	$(COMPILE_SRC)
	$(BIN)/snakemake --cores 2

test: $(STAMP)  ## lint, import layers, types, schema drift, then the whole suite on SQLite and (when set up) PostgreSQL
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/labledger schema --check
	$(COMPILE_SRC)
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
	$(COMPILE_SRC)
	$(PYTEST) -m "not slow"

bench: $(STAMP)  ## benchmarks: print figures and ratios (not pass/fail)
	$(COMPILE_SRC)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

schema: $(STAMP)  ## regenerate schema/ from the models
	$(BIN)/labledger schema

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf results .snakemake
