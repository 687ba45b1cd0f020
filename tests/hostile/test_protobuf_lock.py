"""The Protobuf lock is checked: after a clean git merge of two branches that each added a
field, both fields hold the same number, and meshgen used to write a .proto that protoc
rejects, exit 0. Tested with a real git merge and the real protoc."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import need
from tests.hostile.product import line_of, write_product


def git(repo, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def merged(cli, tmp_path):
    """A product whose two branches each added a field, merged cleanly by git."""
    need(shutil.which("git") is not None, "git")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    base_fields = "      - {name: amount, type: double}\n      - {name: zone, type: string}\n"
    product = write_product(repo, base_fields)
    assert cli("build", product, "-o", tmp_path / "o1", "-t", "protobuf").exit_code == 0
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    for branch, field in (("left", "code"), ("right", "note")):
        git(repo, "checkout", "-q", "-b", branch, "main")
        # each branch adds its field in a different place of the YAML, so the texts merge
        fields = base_fields.replace("      - {name: zone", f"      - {{name: {field}, type: string}}\n      - {{name: zone") \
            if field == "code" else base_fields + f"      - {{name: {field}, type: string}}\n"
        write_product(repo, fields)
        assert cli("build", product, "-o", tmp_path / f"o-{branch}", "-t", "protobuf").exit_code == 0
        git(repo, "commit", "-qam", f"add {field}")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "left")
    git(repo, "merge", "-q", "--no-edit", "right")  # clean: different lines of YAML and lock
    return product


def test_a_clean_merge_that_reuses_a_number_is_reported(cli, merged, tmp_path):
    lock = merged.with_name("dataproduct.lock.json")
    numbers = json.loads(lock.read_text())["protobuf"]["ds"][""]
    assert numbers["code"] == numbers["note"]  # what git made of it

    for command in ("validate", "build"):
        args = (command, merged, "--format", "json") + (("-o", tmp_path / "out", "-t", "protobuf")
                                                       if command == "build" else ())
        result = cli(*args)
        assert result.exit_code == 1, result.output
        (error,) = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
        assert error["code"] == "PROTO013"
        assert error["file"].endswith("dataproduct.lock.json")
        assert error["line"] == line_of(lock, '"note"')
        assert error["related"][0]["line"] == line_of(lock, '"code"')
        assert "delete the other's line" in error["hint"]
    assert not (tmp_path / "out").exists()


def test_following_the_hint_repairs_the_lock(cli, merged, tmp_path):
    from tests.conftest import need_module

    need_module("grpc_tools")
    lock = merged.with_name("dataproduct.lock.json")
    lock.write_text("".join(ln for ln in lock.read_text().splitlines(keepends=True) if '"note"' not in ln))
    result = cli("build", merged, "-o", tmp_path / "out", "-t", "protobuf")
    assert result.exit_code == 0, result.output
    numbers = json.loads(lock.read_text())["protobuf"]["ds"][""]
    assert len(set(numbers.values())) == len(numbers)
    proto = next((tmp_path / "out").rglob("*.proto"))
    import grpc_tools
    from grpc_tools import protoc

    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    assert protoc.main(["protoc", f"-I{proto.parent}", f"-I{include}", f"--python_out={tmp_path}", str(proto)]) == 0


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('"id": 1', '"id": 0'), "outside 1 to"),
    (lambda t: t.replace('"id": 1', '"id": true'), "not a meshgen lock file"),
    (lambda t: t[:-5], "not JSON"),
])
def test_a_lock_edited_by_hand_is_reported(cli, tmp_path, edit, message):
    product = write_product(tmp_path, "      - {name: amount, type: double}\n")
    assert cli("build", product, "-o", tmp_path / "o1", "-t", "protobuf").exit_code == 0
    lock = product.with_name("dataproduct.lock.json")
    lock.write_text(edit(lock.read_text()))
    result = cli("validate", product, "--format", "json")
    assert result.exit_code == 1
    (error,) = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
    assert error["code"] in ("PROTO010", "PROTO013") and message in error["message"]
    assert error["file"].endswith("dataproduct.lock.json")
