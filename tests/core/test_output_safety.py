"""The output folder under attack: planted symlinks, a forged manifest, kills mid-swap, two builds at once.

Kills are real: a build subprocess sends itself SIGKILL at a named point of the swap
(MESHGEN_TEST_KILL_AT), or is killed from outside after a random delay. A build puts each
product's folder in place on its own, so after a kill each product's output is wholly the old
one or wholly the new one (the manifest may still be the old one: the next build finishes the swap).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from meshgen.errors import OutputError
from meshgen.output import MANIFEST, write_file_atomic, write_tree
from meshgen.output_swap import OutputLock, recover_leftovers, remove_tree
from tests.load.test_hostile_files import PRODUCT


def _mesh(tmp_path: Path) -> Path:
    root = tmp_path / "mesh"
    for name in ("orders", "returns"):
        (root / f"sales/{name}/v1").mkdir(parents=True)
        (root / f"sales/{name}/v1/dataproduct.yaml").write_text(PRODUCT.format(name=name))
    (root / "meshgen.yaml").write_text("name: m\ntargets: [avro, jsonschema]\n")
    return root


def _build(*args, env=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "meshgen", "build", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def _whole(out: Path) -> dict[str, str]:
    """The tree matches its own manifest exactly (no file missing, none extra, none changed)."""
    manifest = json.loads((out / MANIFEST).read_text())["files"]
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST}
    assert present == set(manifest), "tree and manifest differ"
    for rel, digest in manifest.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    return manifest


def _on_disk(out: Path) -> dict[str, str]:
    """Every regular file under `out` but the manifest, with its sha256."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.is_symlink() and p.name != MANIFEST}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and not p.name.endswith(".lock"))


@pytest.fixture
def built(tmp_path):
    mesh = _mesh(tmp_path)
    out = mesh / "build"
    done = _build(mesh)
    assert done.returncode == 0, done.stderr
    return mesh, out


def test_a_forged_manifest_entry_cannot_write_outside_the_output(built):
    mesh, out = built
    config = (mesh / "meshgen.yaml").read_text()
    manifest = json.loads((out / MANIFEST).read_text())
    (out / "lnk").symlink_to(out / "sales", target_is_directory=True)
    manifest["files"]["lnk/../../meshgen.yaml"] = hashlib.sha256(b"x").hexdigest()
    manifest["files"]["lnk"] = hashlib.sha256(b"x").hexdigest()
    (out / MANIFEST).write_text(json.dumps(manifest))
    done = _build(mesh / "sales/orders")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "OUT003" in done.stdout
    assert (mesh / "meshgen.yaml").read_text() == config


def test_a_planted_symlink_is_not_copied_into_the_artifacts(built, tmp_path):
    mesh, out = built
    secret = tmp_path / "secret.txt"
    secret.write_text("hostile-io-secret\n")
    victim = next(p for p in (out / "sales/returns").rglob("*") if p.is_file())
    victim.unlink()
    victim.symlink_to(secret)
    done = _build(mesh / "sales/orders")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "OUT003" in done.stdout
    for p in out.rglob("*"):
        if p.is_file() and not p.is_symlink():
            assert "hostile-io-secret" not in p.read_text()


def test_output_symlink_and_special_files_are_never_replaced(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(OutputError) as caught:
        write_tree(link, {"a.txt": "a"})
    assert caught.value.diagnostics[0].code == "OUT001"
    assert link.is_symlink() and list(real.iterdir()) == []

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    file_link = tmp_path / "schema-link.json"
    file_link.symlink_to(tmp_path / "elsewhere.json")
    for path in (fifo, file_link):
        with pytest.raises(OutputError):
            write_file_atomic(path, "{}")
    assert fifo.is_fifo() and file_link.is_symlink() and not (tmp_path / "elsewhere.json").exists()


def test_schema_dash_o_refuses_a_fifo_with_a_diagnostic(cli, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = cli("schema", "-o", fifo)
    assert result.exit_code == 2
    assert "OUT001" in result.output and fifo.is_fifo()


def test_root_and_unwritable_outputs_are_diagnostics(tmp_path):
    mesh = _mesh(tmp_path)
    done = _build(mesh, "-o", "/")
    assert done.returncode == 2 and "OUT001" in done.stdout, done.stdout + done.stderr
    if os.geteuid() != 0:  # root writes anywhere: a read-only folder proves nothing then
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o500)
        done = _build(mesh, "-o", locked / "out")
        assert done.returncode == 2 and "OUT004" in done.stdout, done.stdout + done.stderr
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    done = _build(mesh, "-o", not_a_folder / "out")
    assert done.returncode == 2 and "OUT004" in done.stdout, done.stdout + done.stderr


def _edit_both(mesh: Path, text: str) -> None:
    """Both products' descriptions say `text` (whatever an earlier edit made them say)."""
    for name in ("orders", "returns"):
        product = mesh / f"sales/{name}/v1/dataproduct.yaml"
        product.write_text(re.sub(r"(\n\s+description: )[^\n]*", rf"\g<1>{text} ({name}).", product.read_text(), count=1))


@pytest.mark.parametrize("swap", ["exchange", "rename"])
@pytest.mark.parametrize("point", ["staged", "unit-swapped", "between-renames", "units-swapped", "manifest"])
def test_a_kill_at_any_point_of_the_swap_loses_nothing(built, tmp_path, swap, point):
    mesh, out = built
    old = _product_trees(_whole(out))
    _edit_both(mesh, "One row per returned order")  # both products' folders are replaced, one after the other
    assert _build(mesh, "-o", tmp_path / "clean").returncode == 0
    new = _whole(tmp_path / "clean")
    done = _build(mesh, env={"MESHGEN_TEST_KILL_AT": point, "MESHGEN_TEST_SWAP": swap})
    killed = done.returncode == -signal.SIGKILL
    assert killed == ((swap, point) != ("exchange", "between-renames")), done.stderr
    after = _product_trees(_on_disk(out))
    swapping = {p for p in set(old) | set(after) if after.get(p) != old.get(p) and after.get(p) != _product_trees(new).get(p)}
    if point == "between-renames" and killed:  # the fallback's one window: the first product's old folder is aside
        assert len(swapping) == 1 and not after.get(swapping.pop())
    else:
        assert not swapping  # every product wholly old or wholly new
    if point == "unit-swapped":
        assert after != old and after != _product_trees(new)  # part way: some products are new, some old
    # the next build finishes (or repairs), and leaves nothing behind
    done = _build(mesh)
    assert done.returncode == 0, done.stderr
    assert _whole(out) == new and _leftovers(out) == []
    assert (out / MANIFEST).read_bytes() == (tmp_path / "clean" / MANIFEST).read_bytes()


def test_a_killed_commit_is_finished_by_the_next_build_before_it_reads_the_output(built, tmp_path):
    """Killed between two products' swaps, the staging folder says what was left to do; the next
    build (here one with nothing to rebuild) rolls it forward before it decides what to reuse."""
    mesh, out = built
    _edit_both(mesh, "Edited")
    assert _build(mesh, env={"MESHGEN_TEST_KILL_AT": "unit-swapped"}).returncode == -signal.SIGKILL
    assert [p for p in _leftovers(out) if ".staging-" in p]
    done = _build(mesh)
    assert done.returncode == 0 and _leftovers(out) == [], done.stderr
    assert "(4 of 4 units unchanged)" in done.stderr, done.stderr  # finished, not rebuilt
    assert _whole(out) == _whole(_rebuilt_clean(mesh, tmp_path))


def _rebuilt_clean(mesh: Path, tmp_path: Path) -> Path:
    clean = tmp_path / "clean-ref"
    assert _build(mesh, "-o", clean).returncode == 0
    return clean


def test_random_kills_leave_each_product_old_or_new(built, tmp_path):
    mesh, out = built
    rng = random.Random(10)
    pending = {}  # what a killed build may have left staged: the next one puts it in place first
    for i in range(8):
        before = _product_trees(_on_disk(out))
        _edit_both(mesh, f"Edit {i}")
        clean = tmp_path / f"clean-{i}"
        assert _build(mesh, "-o", clean).returncode == 0
        new = _product_trees(_whole(clean))
        proc = subprocess.Popen([sys.executable, "-m", "meshgen", "build", str(mesh)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert out.is_dir()
        after = _product_trees(_on_disk(out))
        for product in set(before) | set(after):
            assert after.get(product) in (before.get(product), new.get(product), pending.get(product)), (i, product)
        pending = new
    done = _build(mesh)
    assert done.returncode == 0 and _leftovers(out) == [], done.stderr
    _whole(out)


def test_a_second_build_fails_at_once_naming_the_first(built):
    mesh, out = built
    with OutputLock(out):
        started = time.monotonic()
        done = _build(mesh)
        assert time.monotonic() - started < 60
    assert done.returncode == 2, done.stdout + done.stderr
    assert "OUT005" in done.stdout and f"pid {os.getpid()}" in done.stdout
    done = _build(mesh)
    assert done.returncode == 0, done.stderr


def _product_trees(tree: dict[str, str]) -> dict[str, dict[str, str]]:
    """A tree's files grouped by product version folder (<domain>/<product>/v<major>), mesh files apart."""
    out: dict[str, dict[str, str]] = {}
    for rel, digest in tree.items():
        parts = rel.split("/")
        key = "/".join(parts[:3]) if len(parts) > 3 and parts[0] != "_mesh" else "_mesh"
        out.setdefault(key, {})[rel] = digest
    return out


def test_sigkill_at_random_moments_leaves_each_product_old_or_new_and_the_next_build_repairs(tmp_path):
    """A real incremental build of the example mesh killed with SIGKILL after random delays: every
    product's output is wholly the old one or wholly the new one, and the next build equals a clean build."""
    from tests.conftest import SPECS

    mesh = tmp_path / "mesh"
    shutil.copytree(SPECS, mesh, ignore=shutil.ignore_patterns("build"))
    (mesh / "meshgen.yaml").write_text("name: m\ntargets: [avro, sql, protobuf, backstage, dbt]\n")
    out, clean = tmp_path / "out", tmp_path / "clean"
    started = time.monotonic()
    assert _build(mesh, "-o", out).returncode == 0
    span = time.monotonic() - started
    rng = random.Random(5)
    products = sorted(mesh.rglob("dataproduct.yaml"))
    pending = {}  # the previous killed build's tree: the next build first finishes putting it in place
    for i in range(12):
        before = _product_trees(_on_disk(out))
        spec = rng.choice(products)
        spec.write_text(re.sub(r"(\n\s+description: )([A-Za-z])", rf"\g<1>Edit {i}. \g<2>", spec.read_text(), count=1))
        proc = subprocess.Popen([sys.executable, "-m", "meshgen", "build", str(mesh), "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, span * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        shutil.rmtree(clean, ignore_errors=True)
        assert _build(mesh, "-o", clean).returncode == 0
        after, new = _product_trees(_on_disk(out)), _product_trees(_whole(clean))
        for product in set(before) | set(after):
            assert after.get(product) in (before.get(product), new.get(product), pending.get(product)), (i, product)
        pending = new
    done = _build(mesh, "-o", out)
    assert done.returncode == 0 and _leftovers(out) == [], done.stderr
    assert _whole(out) == _whole(clean)
    assert (out / MANIFEST).read_bytes() == (clean / MANIFEST).read_bytes()


def test_a_tree_half_deleted_by_a_killed_build_is_still_recognized_and_removed(tmp_path, monkeypatch):
    """After the atomic exchange the old tree sits at the staging name and is deleted; a kill part
    way through that deletion once left a folder with neither the staging marker nor the manifest,
    which no later build would remove. The marks now go last."""
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / MANIFEST).write_text("{}")
    old = tmp_path / ".out.staging-old"
    shutil.copytree(out, old)
    for i in range(6):
        (old / "a" / f"f{i}").write_text("x")
        (old / f"g{i}").write_text("x")
    deleted = []
    real_unlink = Path.unlink

    def dying_unlink(self, *args, **kwargs):
        if len(deleted) == 3:
            raise KeyboardInterrupt  # stands in for the SIGKILL
        deleted.append(self.name)
        real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", dying_unlink)
    with pytest.raises(KeyboardInterrupt):
        remove_tree(old)
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert MANIFEST not in deleted and (old / MANIFEST).is_file()
    recover_leftovers(out)
    assert not old.exists() and (out / MANIFEST).is_file()
