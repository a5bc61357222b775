# The set-up commands of README.md: `make run`, `make test` and `make check`.
# Each creates the virtual environment on first use and reinstalls when
# pyproject.toml changes.  Another Python in its own environment:
#   make test PYTHON=python3.13 VENV=.venv-3.13

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check test-slow bench bench-compare docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fincon-tui needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/fincon-tui $(ARGS)

# The suite starts several hundred Python processes (pytest's workers, the
# CLI, the app in a pty): with bytecode caches they skip compiling fincon_tui
# and rewriting the test modules again each time (PYTHONDONTWRITEBYTECODE, if
# the environment sets it, would forbid the caches; __pycache__ is ignored).
# Four workers on two cores (the pty and CLI tests wait on child processes);
# worksteal hands a worker that has run out some of another's remaining
# tests, where plain load distribution left one worker running a long tail
# alone.  `make test` is the quick tier (docs/development.md): measured on
# an idle 2-core machine, see the note of issue 23; the whole suite took
# 328-332 s there at 42ec4bd (932 tests, 578 s of CPU).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

test: $(STAMP)
	$(PYTEST) -n 4 --dist worksteal $(PYTEST_ARGS)

# Lint, types and the layer contracts of pyproject.toml's [tool.importlinter].
check: $(STAMP)
	$(BIN)/ruff check fincon_tui tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# docs/storage.md's tables of the declared columns, written from the fields'
# declarations (tests/doc_tables.py; test_storage fails while they are stale).
docs: $(STAMP)
	$(BIN)/python tests/doc_tables.py

# What `make test` leaves out (marked slow, or in tests/conftest.py's
# FULL_TIER): the app's behaviour in depth, real terminals and processes,
# every window at every size, random input, fault injection, stress.
test-slow: $(STAMP)
	$(PYTEST) -n 4 --dist worksteal -m slow $(PYTEST_ARGS)

# The benches with bytecode caches, as an installed wheel has them (pip
# compiles it): without them each fincon-tui it starts compiled fincon_tui
# again, which an installed one never does, and start-up measured 1.48x
# the bare app instead of 1.04x (issue 26).  Textual's are cached by pip.
BENCH := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python

# Each figure as a ratio against a bare Textual app in the same run (issue 26,
# docs/development.md), then the benches of their own.
bench: $(STAMP)
	$(BENCH) bench/startup.py
	$(BENCH) bench/keystrokes.py
	$(BENCH) bench/echo.py
	$(BENCH) bench/lookup.py
	$(BENCH) bench/keyrepeat.py
	$(BENCH) bench/passwords.py
	$(BENCH) bench/engines.py
	$(BENCH) bench/lists.py

# Today's ratio benches against REF's code, alternating: make bench-compare REF=<commit>
bench-compare: $(STAMP)
	@test -n "$(REF)" || { echo "usage: make bench-compare REF=<commit>"; exit 2; }
	$(BENCH) bench/compare.py $(REF) $(ROUNDS)

clean:
	rm -rf .venv .venv-* build dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
