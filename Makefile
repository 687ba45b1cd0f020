# meshgen: the two commands of the README.
#   make run   build the example mesh in specs/ (core install only)
#   make test  install everything the tests need (Python extras, PostgreSQL, ...) and run them
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test setup-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

run: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/meshgen build specs
	@echo "output: specs/build/mesh (one folder per product: <domain>/<product>/v<major>/<target>/)"

setup-test: $(BIN)/python
	bash scripts/setup-test-env.sh $(VENV)

test: setup-test
	$(BIN)/python -m pytest

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[pydantic-models]'
	$(BIN)/python benchmarks/bench_build.py --products 1000 --runs 3

clean:
	rm -rf $(VENV) specs/build build dist
