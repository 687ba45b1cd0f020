"""meshgen.yaml is untrusted: `output:` and `templates:` stay inside the mesh root (CONF005 at
the value), while `-o` on the command line may point anywhere but never at `/`, a symlink or a
device (OUT001)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.product import write_product


def _mesh(tmp_path: Path, setting: str) -> Path:
    root = tmp_path / "mesh"
    (root / "d/p/v1").mkdir(parents=True)
    write_product(root / "d/p/v1")
    (root / "meshgen.yaml").write_text(f"name: m\ntargets: [avro]\n{setting}\n")
    return root


def _meshgen(*args) -> tuple[int, list[dict], str]:
    proc = subprocess.run([sys.executable, "-m", "meshgen", *map(str, args), "--format", "json"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else [], proc.stderr


def _link_out(tmp_path: Path, name: str) -> str:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (tmp_path / "mesh").mkdir(exist_ok=True)
    (tmp_path / "mesh" / name).symlink_to(outside, target_is_directory=True)
    return name


@pytest.mark.parametrize("key, value", [
    ("output", "../../etc"),
    ("output", "ABSOLUTE"),
    ("output", "LINK"),
    ("output", "."),
    ("output", "build/../.."),
    ("templates", "../.."),
    ("templates", "ABSOLUTE"),
    ("templates", "LINK"),
])
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_folder_outside_the_mesh_is_refused_at_its_key(cli, tmp_path, key, value, command):
    if value == "ABSOLUTE":
        value = str(tmp_path / "outside")
        (tmp_path / "outside").mkdir()
    elif value == "LINK":
        value = _link_out(tmp_path, "linked")
    root = _mesh(tmp_path, f"{key}: {value}")
    result = cli(command, root, "--format", "json")  # in-process: 16 cases
    code, diagnostics = result.exit_code, json.loads(result.stdout)
    assert code == 2, diagnostics
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("CONF005", 3, len(key) + 3)]
    assert diagnostics[0]["file"].endswith("meshgen.yaml") and value in diagnostics[0]["message"]
    assert not (tmp_path / "outside").exists() or list((tmp_path / "outside").iterdir()) == []
    assert not (tmp_path / "etc").exists()


def test_folders_inside_the_mesh_are_accepted(tmp_path):
    root = _mesh(tmp_path, "output: out/../generated\ntemplates: overrides")
    (root / "overrides").mkdir()
    code, diagnostics, _ = _meshgen("build", root)
    assert code == 0, diagnostics
    assert (root / "generated/d/p/v1/avro").is_dir()


def test_dash_o_may_point_outside_the_mesh_but_never_at_a_symlink_or_a_device(tmp_path):
    root = _mesh(tmp_path, "")
    elsewhere = tmp_path / "elsewhere" / "out"
    code, diagnostics, _ = _meshgen("build", root, "-o", elsewhere)
    assert code == 0, diagnostics
    assert (elsewhere / "d/p/v1/avro").is_dir()
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for refused in (link, Path("/dev/null"), Path("/")):
        code, diagnostics, _ = _meshgen("build", root, "-o", refused)
        assert code == 2 and [d["code"] for d in diagnostics] == ["OUT001"], (refused, diagnostics)
    assert link.is_symlink() and list(real.iterdir()) == [] and Path("/dev/null").is_char_device()
    schema_link = tmp_path / "schema.json"
    schema_link.symlink_to(tmp_path / "target.json")
    for refused in (schema_link, Path("/dev/null")):
        proc = subprocess.run([sys.executable, "-m", "meshgen", "schema", "-o", str(refused)], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 2 and "OUT001" in proc.stdout + proc.stderr, (refused, proc.stdout, proc.stderr)
    assert schema_link.is_symlink() and not (tmp_path / "target.json").exists()
    assert os.path.exists("/dev/null") and Path("/dev/null").is_char_device()
