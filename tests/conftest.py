"""Shared test fixtures.

Integration tests need real components (a database, an orchestrator, a browser). Locally a
missing one skips the test with the reason; with CI=true it fails: in CI nothing may skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
SHARED = ROOT.parent / "shared"
# ../shared's normative reference: only interop tests read it (integration: need() it).
REFERENCE = SHARED / "spec" / "dataproduct.reference.yaml"
# The project's own product that uses every key of the models (tests/core/test_full_vocabulary.py).
FULL_VOCABULARY = ROOT / "tests" / "fixtures" / "full_vocabulary" / "dataproduct.yaml"
# The day the full-vocabulary product's dates (waiver expiry, deprecations) are written against.
FULL_VOCABULARY_TODAY = "2026-11-26"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, what: str) -> None:
    """Require a real component: skip locally when it is missing, fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"integration component missing in CI: {what}")
    pytest.skip(f"missing: {what} (run `make test` to install it)")


def need_module(name: str):
    """Import a validator the tests need: skip locally when it is missing, fail in CI."""
    import importlib

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
    path = Path(os.environ.get("MESHGEN_NPM", ROOT / ".npm-tools")) / "node_modules" / ".bin" / executable
    need(path.exists(), f"{path} (`make test` runs scripts/setup-test-env.sh, which installs it)")
    return path


def need_executable(name: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"executable {name}")
    return path


@pytest.fixture
def cli():
    """Run the meshgen CLI in-process: cli('build', 'specs', '-o', out) → click Result."""
    from meshgen.cli import cli as group

    def run(*args: str):
        return CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    """The normative reference spec, copied: a full build writes a Protobuf lock file beside its
    input, and ../shared is not ours to write into."""
    need(REFERENCE.is_file(), f"the reference spec at {REFERENCE}")
    dest = tmp_path / "reference" / "dataproduct.yaml"
    dest.parent.mkdir()
    shutil.copyfile(REFERENCE, dest)
    return dest


def copy_source(source: Path, dest: Path) -> Path:
    """A private copy of a product file or mesh folder (without build output) under `dest`.

    Builds must not run on files inside the repository: a build writes a Protobuf lock beside
    its input, and a file inside the repository belongs to the repository's own mesh
    (meshgen.yaml at its root), not to a mesh of one."""
    dest.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        target = dest / source.name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("build"))
        return target
    target = dest / source.parent.name / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


@contextlib.contextmanager
def pinned_today(day: str):
    """MESHGEN_TODAY=day inside the block (for module-scoped fixtures, which have no monkeypatch)."""
    before = os.environ.get("MESHGEN_TODAY")
    os.environ["MESHGEN_TODAY"] = day
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MESHGEN_TODAY", None)
        else:
            os.environ["MESHGEN_TODAY"] = before


@pytest.fixture
def full_vocabulary_copy(tmp_path: Path, monkeypatch) -> Path:
    """The full-vocabulary product, copied, with today pinned to the day its dates are written for."""
    monkeypatch.setenv("MESHGEN_TODAY", FULL_VOCABULARY_TODAY)
    return copy_source(FULL_VOCABULARY, tmp_path / "full")


@pytest.fixture
def mesh_copy(tmp_path: Path) -> Path:
    """A private copy of the example mesh, without build output."""
    dest = tmp_path / "mesh"
    shutil.copytree(SPECS, dest, ignore=shutil.ignore_patterns("build"))
    return dest


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may skip: a skipped test there fails the run, whatever skipped it."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; in CI every test must run", red=True)
        session.exitstatus = 1
