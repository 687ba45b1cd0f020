"""Inputs planted by a hostile pull request: symlinks out of the mesh, special files, huge files.

Each case runs the real CLI in a subprocess with a timeout: before the fix a FIFO blocked
forever and /dev/zero was read for gigabytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from meshgen.errors import InputError
from meshgen.load.files import read_bytes

SECRET = "hostile-io-secret-4f1c9e"

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: sales
name: {name}
version: 1.0.0
description: {{purpose: Orders placed in the shop.}}
owner: {{team: sales-team, email: sales@example.com}}
datasets:
  - name: orders
    description: One row per order.
    primaryKey: [order_id]
    fields:
      - {{name: order_id, type: uuid, required: true}}
"""


def meshgen(*args, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOSTILE_TOKEN": SECRET}
    return subprocess.run([sys.executable, "-m", "meshgen", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def mesh(tmp_path: Path) -> Path:
    root = tmp_path / "mesh"
    (root / "sales/orders/v1").mkdir(parents=True)
    (root / "meshgen.yaml").write_text("name: m\n")
    (root / "sales/orders/v1/dataproduct.yaml").write_text(PRODUCT.format(name="orders"))
    (root / "sales/evil/v1").mkdir(parents=True)
    return root


def diagnostics(done: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(done.stdout)


def codes(done: subprocess.CompletedProcess) -> set[str]:
    return {d["code"] for d in diagnostics(done)}


def _plant(mesh: Path, make) -> Path:
    path = mesh / "sales/evil/v1/dataproduct.yaml"
    make(path)
    return path


@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero"])
def test_a_product_linked_into_a_kernel_tree_is_refused_unread(mesh, target):
    _plant(mesh, lambda p: p.symlink_to(target))
    for fmt in ("json", "human"):
        done = meshgen("validate", mesh, "--format", fmt, cwd=mesh.parent, timeout=30)
        assert done.returncode == 2, done.stdout + done.stderr
        assert SECRET not in done.stdout + done.stderr
        assert "LOAD010" in done.stdout
    # the refusal stands even when the command acts on another product
    done = meshgen("validate", mesh / "sales/orders", "--format", "json", cwd=mesh.parent, timeout=30)
    assert done.returncode == 2 and "LOAD010" in codes(done)


def test_a_product_linked_outside_the_mesh_is_refused_and_never_printed(mesh, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text(f"token: {SECRET}\nnot yaml: [\n")
    _plant(mesh, lambda p: p.symlink_to(outside))
    done = meshgen("validate", mesh, cwd=mesh.parent)
    assert done.returncode == 2
    assert SECRET not in done.stdout + done.stderr
    assert "LOAD010" in done.stdout and "outside the mesh root" in done.stdout


def test_a_fifo_product_does_not_block(mesh):
    _plant(mesh, os.mkfifo)
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    assert done.returncode == 2
    assert "LOAD011" in codes(done)
    assert "FIFO" in done.stdout


def test_a_symlink_loop_is_a_diagnostic(mesh):
    path = _plant(mesh, lambda p: p.symlink_to(p.parent / "loop.yaml"))
    (path.parent / "loop.yaml").symlink_to(path)
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    assert done.returncode == 2, done.stderr
    assert "LOAD010" in codes(done)


def test_mesh_config_and_domain_policy_linked_out_or_special_are_refused(mesh, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(f"name: {SECRET}\n")
    (mesh / "meshgen.yaml").unlink()
    (mesh / "meshgen.yaml").symlink_to(outside)
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    assert done.returncode == 2 and "LOAD010" in codes(done)
    assert SECRET not in done.stdout

    (mesh / "meshgen.yaml").unlink()
    (mesh / "meshgen.yaml").write_text("name: m\n")
    os.mkfifo(mesh / "sales/governance.yaml")
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "LOAD011" in codes(done)


def test_a_symlinked_product_inside_the_mesh_is_validated_and_built(mesh, tmp_path):
    real = mesh / "shared/returns.yaml"
    real.parent.mkdir()
    real.write_text(PRODUCT.format(name="returns"))
    (mesh / "meshgen.yaml").write_text("name: m\nproducts: ['sales/**/dataproduct.yaml']\n")
    _plant(mesh, lambda p: p.symlink_to(real))
    done = meshgen("build", mesh / "sales/evil", "-o", tmp_path / "out", "-t", "avro", cwd=mesh.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built 1 product" in done.stderr
    assert (tmp_path / "out/sales/returns/v1/avro").is_dir()


def test_a_symlinked_folder_inside_the_mesh_is_walked(mesh, tmp_path):
    (mesh / "sales/evil/v1").rmdir()
    (mesh / "sales/evil").rmdir()
    (mesh / "sales/alias").symlink_to(mesh / "sales/orders", target_is_directory=True)
    (mesh / "sales/loop").symlink_to(mesh / "sales", target_is_directory=True)
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    # found through the link (and therefore defined twice), not silently skipped; the loop ends
    assert done.returncode == 1, done.stdout + done.stderr
    twice = [d for d in diagnostics(done) if d["code"] == "MESH001"]
    assert twice and "alias" in json.dumps(twice)


def test_a_symlinked_folder_leading_outside_the_mesh_is_reported_not_skipped(mesh, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "v1").mkdir(parents=True)
    (outside / "v1/dataproduct.yaml").write_text(PRODUCT.format(name="elsewhere") + f"# {SECRET}\n")
    (mesh / "sales/elsewhere").symlink_to(outside, target_is_directory=True)
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    refused = [d for d in diagnostics(done) if d["code"] == "LOAD010"]
    assert refused and "sales/elsewhere" in json.dumps(refused) and "outside the mesh root" in json.dumps(refused)
    assert SECRET not in done.stdout + done.stderr
    # a team that links such a folder on purpose excludes it, and the rest of the mesh validates
    (mesh / "meshgen.yaml").write_text("name: m\nexclude: ['sales/elsewhere/**']\n")
    done = meshgen("validate", mesh, "--format", "json", cwd=mesh.parent, timeout=30)
    assert "LOAD010" not in done.stdout, done.stdout
    assert done.returncode in (0, 1), done.stdout + done.stderr


def test_an_empty_mesh_config_is_a_mesh_with_defaults(mesh):
    (mesh / "meshgen.yaml").write_text("# nothing set yet\n")
    done = meshgen("validate", mesh, cwd=mesh.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked 1 product" in done.stderr


def test_reads_stop_at_the_limit(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024 * 1024)  # sparse: 64 GiB that would take minutes to read
    with pytest.raises(InputError) as caught:
        read_bytes(big, "big.yaml")
    assert caught.value.diagnostics[0].code == "LOAD009"
    small = tmp_path / "small.yaml"
    small.write_bytes(b"x" * 11)
    with pytest.raises(InputError):
        read_bytes(small, "small.yaml", limit=10)
    assert read_bytes(small, "small.yaml", limit=11) == b"x" * 11


def test_a_number_with_thousands_of_digits_is_explained_in_the_users_words():
    from meshgen.load.yaml_source import parse_yaml

    with pytest.raises(InputError) as caught:
        parse_yaml("default: " + "9" * 5000 + "\n", "p.yaml")
    (diag,) = caught.value.diagnostics
    assert "5000 digits" in diag.message and "digits" not in diag.message.split("digits")[1]
    assert "int_max_str_digits" not in diag.message and len(diag.message) < 200
    assert (diag.location.line, diag.location.column) == (1, 10)


def test_a_protobuf_lock_that_is_a_fifo_or_links_out_is_refused(mesh, tmp_path):
    lock = mesh / "sales/orders/v1/dataproduct.lock.json"
    os.mkfifo(lock)
    done = meshgen("build", mesh, "-o", tmp_path / "out", "-t", "protobuf", "--format", "json", cwd=mesh.parent)
    assert done.returncode != 0 and "PROTO010" in codes(done) and "FIFO" in done.stdout, done.stdout + done.stderr
    lock.unlink()
    (tmp_path / "elsewhere.json").write_text('{"protobuf": {}}')
    lock.symlink_to(tmp_path / "elsewhere.json")
    done = meshgen("build", mesh, "-o", tmp_path / "out", "-t", "protobuf", "--format", "json", cwd=mesh.parent)
    assert done.returncode != 0 and "PROTO010" in codes(done), done.stdout + done.stderr
