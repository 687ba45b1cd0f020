#!/usr/bin/env bash
# Installs everything the test suite needs, on a fresh Debian machine with Python 3.11+:
# the package with its test extras into the venv, the real external components the
# integration tests start (each only when missing), and one venv per heavy tool.
set -euo pipefail
venv="${1:-.venv}"

"$venv/bin/python" -m pip install --quiet -e '.[test]'

# PostgreSQL server for the SQL target's tests (tests/targets/sql/conftest.py starts a
# throwaway cluster); the machine image may already have it.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
fi

# Tools whose dependencies conflict with the main venv or with each other (dbt, orchestrators,
# catalogs, linters) each get a venv of their own: scripts/venvs/<tool>.txt is its requirements
# file, installed into $MESHGEN_VENVS/<tool> (default ~/.cache/meshgen/venvs/, shared by every
# clone on the machine: the tools in them never import this checkout). A venv is reused while its
# requirements file is unchanged (a stamp holds the file's hash), and rebuilt when it changes.
venvs="${MESHGEN_VENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgen/venvs}"
mkdir -p "$venvs"
setup_tool_venv() {  # $1: requirements file; output to $dest.log, printed only on failure
  local req="$1" tool dest want
  tool="$(basename "$req" .txt)"
  dest="$venvs/$tool"
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ -f "$dest/.meshgen-stamp" ] && [ "$(cat "$dest/.meshgen-stamp")" = "$want" ]; then
    return 0
  fi
  echo "setting up the $tool venv in $dest"
  rm -rf "$dest"
  if { "$venv/bin/python" -m venv "$dest" &&
       "$dest/bin/python" -m pip install --quiet --upgrade pip &&
       "$dest/bin/python" -m pip install --quiet -r "$req"; } >"$dest.log" 2>&1; then
    echo "$want" > "$dest/.meshgen-stamp"
  else
    echo "setting up the $tool venv failed:" >&2
    cat "$dest.log" >&2
    return 1
  fi
}
# Installs are mostly downloads: up to four at once (MESHGEN_VENV_JOBS) on a fresh machine.
max_jobs="${MESHGEN_VENV_JOBS:-4}"
pids=()
for req in scripts/venvs/*.txt; do
  while [ "$(jobs -rp | wc -l)" -ge "$max_jobs" ]; do sleep 1; done
  setup_tool_venv "$req" &
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || { echo "a tool venv could not be set up (see above)" >&2; exit 1; }

# Java for the local Spark session of tests/testing (pyspark is a test extra); Spark 4 needs 17+.
if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
fi

# npm tools, into $MESHGEN_NPM (default .npm-tools, git-ignored), all in ONE npm install (a later
# install into the same folder would prune the packages an earlier one added):
#   @action-validator: checks the GitHub Actions workflow docs/ci.md recommends (tests/core/test_adoption_kit.py)
#   @bufbuild/buf (ships the binary): `buf lint` on the generated .proto files, and `buf breaking` as
#     the oracle of the contract checks on Protobuf-served ports (tests/contracts/test_protobuf_ports.py)
#   mermaid: its browser bundle reads `meshgen lineage --format mermaid` in Chromium (tests/lineage/test_mermaid.py)
#   @backstage/catalog-model and yaml: the catalog's own entity policies and kind validators, and the
#     YAML parser the catalog reads catalog-info.yaml with (tests/targets/backstage/validate_entities.cjs)
# Add a tool: its pinned package to npm_packages, and a file it installs to npm_installs.
npm_tools="${MESHGEN_NPM:-.npm-tools}"
npm_packages=(@action-validator/cli@0.6.0 @action-validator/core@0.6.0 @bufbuild/buf@1.75.0 mermaid@11.12.0
              @backstage/catalog-model@1.10.1 yaml@2.9.1)
npm_installs=(.bin/action-validator .bin/buf mermaid/dist/mermaid.min.js @backstage/catalog-model/package.json
              yaml/package.json)
npm_missing=0
for file in "${npm_installs[@]}"; do
  [ -e "$npm_tools/node_modules/$file" ] || npm_missing=1
done
if [ "$npm_missing" -eq 1 ]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  npm install --silent --no-fund --no-audit --prefix "$npm_tools" "${npm_packages[@]}"
fi

# lineage: Graphviz's `dot` lays out the lineage SVG (tests/lineage runs both it and grandalf).
if ! command -v dot >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz
fi
# lineage: Debian's Chromium, driven by Playwright (a test extra; never `playwright install`), runs
# Mermaid on the `meshgen lineage --format mermaid` output (tests/lineage/test_mermaid.py) and the
# docs site's browser tests (tests/docsite/test_browser.py).
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi
# polyrepo: the `openssl` program makes the self-signed certificate of the local HTTPS index
# server (tests/mesh/test_polyrepo.py).
if ! command -v openssl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl
fi
