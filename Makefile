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

# make bench [BENCH_N=100,1000,10000] [BENCH_ARGS='--install-peer --runs 3']: the benchmark table
# (benchmarks/README.md); niced, since the machine is usually shared.
BENCH_N    ?= 100,1000
BENCH_ARGS ?=
bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[pydantic-models,docs]'
	nice -n 10 $(BIN)/python benchmarks/bench_build.py --products $(BENCH_N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) specs/build build dist
