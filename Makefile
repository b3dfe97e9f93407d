# Two commands for a new user (see README):
#   make demo   set up the virtual environment (once) and run the whole LMIS end to end
#   make test   set up the virtual environment (once) and run the test suite
# The venv is rebuilt only when pyproject.toml changes (make's own timestamp rule).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,celery]'
	@touch $(STAMP)
	@echo "lmis: environment ready in $(VENV)"

demo: $(STAMP)
	$(BIN)/lmis demo

test: $(STAMP)
	$(BIN)/ruff check etl dags tests benchmarks
	$(BIN)/python -m pytest --durations=15

bench: $(STAMP)
	$(BIN)/lmis bench --rows 100000

clean:
	rm -rf $(VENV) .lmis
