"""Real components the integration tests need: locally a missing one skips the test with the
reason; with CI=true it fails (in CI nothing may skip)."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest

from tests.support.paths import ROOT

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, what: str) -> None:
    """Require a real component: skip locally when it is missing, fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"integration component missing in CI: {what}")
    pytest.skip(f"missing: {what} (run `make test` to install it)")


def need_shared(path: Path, what: str) -> None:
    """Require a file of ../shared (the interop corpus and the normative reference): it stands
    beside the repository in CI only, so on a user's clone the test skips; in CI it fails."""
    if path.exists():
        return
    if IN_CI:
        pytest.fail(f"integration input missing in CI: {what} at {path}")
    pytest.skip(f"integration test: {what} at {path} (../shared stands beside the repository in CI only)")


def need_module(name: str):
    """Import a validator the tests need: skip locally when it is missing, fail in CI."""
    try:
        return importlib.import_module(name)
    except ImportError:
        need(False, f"python package {name}")


def tool_venv(tool: str) -> Path:
    """The venv of a heavy tool (scripts/venvs/<tool>.txt), made by scripts/setup-test-env.sh."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "meshgen" / "venvs"
    return Path(os.environ.get("MESHGEN_VENVS") or cache) / tool


def tool_bin(tool: str, executable: str | None = None) -> Path:
    """An executable in a tool's venv: skip locally when the venv is missing, fail in CI."""
    path = tool_venv(tool) / "bin" / (executable or tool)
    need(path.exists(), f"{path} (`make test` runs scripts/setup-test-env.sh, which creates it)")
    return path


def npm_bin(executable: str) -> Path:
    """An npm tool installed by scripts/setup-test-env.sh under $MESHGEN_NPM (default .npm-tools)."""
    return npm_file(f".bin/{executable}")


def npm_file(relative: str) -> Path:
    """A file of an npm package installed there: `mermaid/dist/mermaid.min.js`."""
    path = Path(os.environ.get("MESHGEN_NPM", ROOT / ".npm-tools")) / "node_modules" / relative
    need(path.exists(), f"{path} (`make test` runs scripts/setup-test-env.sh, which installs it)")
    return path


def need_executable(name: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"executable {name}")
    return path
