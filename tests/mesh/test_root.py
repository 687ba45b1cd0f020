"""Issue 9.1: every command finds the mesh root by walking up from the path it is given, whatever
the path form (file, product folder, domain folder, `.`, none) and the working directory."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need_executable

PRODUCT = Path("inventory/stock_levels/v1/dataproduct.yaml")
# where each command runs from, relative to the mesh root (None: outside the mesh)
WORKING_DIRS = [".", "inventory", "inventory/stock_levels/v1", "checkout", None]
FORMS = ["file", "product folder", "domain folder", ".", "none"]


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    """The example mesh, in git, whose meshgen.yaml turns on DOC002; stock_levels then loses a field's
    description in the working tree (DOC002 for validate and build, BRK219 for check)."""
    from tests.conftest import SPECS
    import shutil

    need_executable("git")
    root = tmp_path_factory.mktemp("rooted") / "mesh"
    shutil.copytree(SPECS, root, ignore=shutil.ignore_patterns("build"))
    config = root / "meshgen.yaml"
    config.write_text(config.read_text() + "governance:\n  rules:\n    DOC002: error\n")
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.com",
                                                            "commit", "-qm", "mesh"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    product = root / PRODUCT
    product.write_text(product.read_text().replace(", description: Stock keeping unit.}", "}"))
    return root


def _path_for(form: str, root: Path, cwd: Path) -> str | None:
    target = {"file": root / PRODUCT, "product folder": root / PRODUCT.parent,
              "domain folder": root / "inventory", ".": cwd, "none": None}[form]
    return None if target is None else os.path.relpath(target, cwd)


def _cases():
    for where in WORKING_DIRS:
        for form in FORMS:
            if where is None and form in (".", "none"):
                continue  # outside the mesh, `.` and no path are not in a mesh at all
            yield where, form


def _run(cli, monkeypatch, tmp_path, mesh, where, form, *command):
    cwd = mesh / where if where is not None else tmp_path
    monkeypatch.chdir(cwd)
    path = _path_for(form, mesh, cwd)
    result = cli(*command, *([path] if path is not None else []), "--format", "json")
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("[") else None)


def _selects_stock_levels(mesh: Path, where: str | None, form: str) -> bool:
    if form != "." and form != "none":
        return True
    cwd = (mesh / where).resolve()
    return form == "none" or cwd == mesh.resolve() or cwd in (mesh / PRODUCT).resolve().parents


@pytest.mark.parametrize("where, form", list(_cases()))
@pytest.mark.parametrize("command, finding, exit_code", [
    (("validate",), "DOC002", 1), (("build", "-t", "avro"), "DOC002", 1), (("check", "--against", "main", "--all"), "BRK219", 0)])
def test_every_command_applies_the_mesh_policy_from_any_path(cli, monkeypatch, tmp_path, mesh, command, finding,
                                                             exit_code, where, form):
    if command[0] == "build":
        command = command + ("-o", str(tmp_path / "out"))
    result, found = _run(cli, monkeypatch, tmp_path, mesh, where, form, *command)
    assert found is not None, result.output
    codes = [d["code"] for d in found]
    assert "MESH002" not in codes and "MESH005" not in codes, found
    expected = _selects_stock_levels(mesh, where, form)
    assert (finding in codes) is expected, (codes, result.output)
    assert result.exit_code == (exit_code if expected else 0), result.output


@pytest.mark.parametrize("where, form", [c for c in _cases() if c[1] != "file"])
def test_rules_reads_the_policy_of_the_mesh_the_path_is_in(cli, monkeypatch, tmp_path, mesh, where, form):
    monkeypatch.chdir(mesh / where if where is not None else tmp_path)
    path = _path_for(form, mesh, Path.cwd())
    result = cli("rules", *([path] if path is not None else []), "--format", "json")
    assert result.exit_code == 0, result.output
    assert {r["code"]: r["severity"] for r in json.loads(result.stdout)}["DOC002"] == "error"


@pytest.mark.parametrize("where", WORKING_DIRS)
def test_diff_names_the_consumers_of_the_mesh_the_new_file_is_in(cli, monkeypatch, tmp_path, mesh, where):
    """A removed field that logistics reads is an error naming it, from wherever the files are named."""
    monkeypatch.chdir(mesh / where if where is not None else tmp_path)
    new = mesh / "checkout/orders/v2/dataproduct.yaml"
    old = tmp_path / "old.yaml"
    old.write_text(new.read_text())
    edited = new.read_text().replace("2.0.0", "2.1.0", 1).replace("{name: quantity, type: int,", "{name: quantity, type: long,")
    assert edited != new.read_text()
    original = new.read_text()
    new.write_text(edited)
    try:
        result = cli("diff", os.path.relpath(old), os.path.relpath(new), "--format", "json")
    finally:
        new.write_text(original)
    assert any("data://logistics/shipments/v1" in d["message"] for d in json.loads(result.stdout)), result.output
