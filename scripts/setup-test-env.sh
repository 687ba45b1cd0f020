#!/usr/bin/env bash
# Installs everything the test suite needs, on a fresh Debian machine with Python 3.11+:
# the package with its test extras into the venv, and the real external components the
# integration tests start (each only when missing).
set -euo pipefail
venv="${1:-.venv}"

"$venv/bin/python" -m pip install --quiet -e '.[test]'

# PostgreSQL server for the SQL target's tests (tests/targets/sql/conftest.py starts a
# throwaway cluster); the machine image may already have it.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
fi

# dbt in its own venv: dbt pins protobuf<7, which conflicts with grpcio-tools in the main venv.
# --only-binary: the newest dbt-core-experimental-parser sdist downloads a wheel from outside PyPI.
dbt_venv="${DBT_VENV:-.venv-dbt}"
if [ ! -x "$dbt_venv/bin/dbt" ]; then
  "$venv/bin/python" -m venv "$dbt_venv"
  "$dbt_venv/bin/python" -m pip install --quiet --upgrade pip
  "$dbt_venv/bin/python" -m pip install --quiet --only-binary=dbt-core-experimental-parser dbt-core dbt-duckdb
fi
