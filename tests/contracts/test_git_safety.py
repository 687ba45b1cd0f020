"""git is called so that no revision or path from the command line or the repository becomes an option."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meshgen.contracts import baseline
from meshgen.errors import InputError
from tests.load.test_hostile_files import PRODUCT


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.which("git") or pytest.fail("git is required")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "meshgen.yaml").write_text("name: m\n")
    (repo / "dataproduct.yaml").write_text(PRODUCT.format(name="orders"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first")
    return repo


def _meshgen(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "meshgen", *args], cwd=repo, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def test_a_revision_cannot_become_a_git_option(repo):
    planted = repo / "PWNED"
    for args in (["diff", "--", f"--output={planted}:meshgen.yaml", "dataproduct.yaml"],
                 ["changelog", "--", f"--output={planted}:meshgen.yaml", "dataproduct.yaml"],
                 ["check", "--against", f"--output={planted}"]):
        done = _meshgen(repo, *args)
        assert not planted.exists(), args
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "internal error" not in done.stderr


def test_revision_path_still_reads_from_git(repo):
    done = _meshgen(repo, "diff", "HEAD:dataproduct.yaml", "dataproduct.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_files_read_from_git_have_the_size_limit(repo, monkeypatch):
    monkeypatch.setattr(baseline, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError) as caught:
        baseline.read_file_at(repo, "HEAD", "dataproduct.yaml")
    assert caught.value.diagnostics[0].code == "LOAD009"


def test_safe_directory_is_named_not_called_not_a_repository(repo):
    # git's own switch for its ownership check (what a checkout owned by another user triggers)
    env = {**os.environ, "GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"}
    done = subprocess.run([sys.executable, "-m", "meshgen", "check", "--against", "HEAD"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "BASE005" in done.stdout and "safe.directory" in done.stdout
    assert "not in a git repository" not in done.stdout
