"""Shared test fixtures (pytest's); the helpers they use are the tests/support package.

Integration tests need real components (a database, an orchestrator, a browser). Locally a
missing one skips the test with the reason; with CI=true it fails: in CI nothing may skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

# The helpers live in tests/support (import them from there); re-exported here for the tests
# that import them from tests.conftest.
from tests.support import (  # noqa: F401
    FULL_VOCABULARY, FULL_VOCABULARY_TODAY, IN_CI, REFERENCE, ROOT, SHARED, SPECS, copy_source, need,
    need_executable, need_module, need_shared, npm_bin, pinned_today, tool_bin, tool_venv,
)


@pytest.fixture(autouse=True, scope="session")
def _private_record_cache(tmp_path_factory):
    """Builds record what they did in this user's cache (meshgen.signed_cache): tests use a folder
    of their own, never the home folder's (subprocesses inherit it)."""
    import os

    os.environ["MESHGEN_CACHE"] = str(tmp_path_factory.mktemp("meshgen-cache"))
    yield


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
    need_shared(REFERENCE, "the reference spec")
    dest = tmp_path / "reference" / "dataproduct.yaml"
    dest.parent.mkdir()
    shutil.copyfile(REFERENCE, dest)
    return dest


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
