"""Shared by the Airflow and Dagster tests: the example mesh and a hostile product built with the
orchestration targets, and the strictest Python checks (py_compile, ruff check, ruff format)."""

from __future__ import annotations

import json
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SPECS, need
from tests.support.golden import case_source

from meshgen.api import build

HOSTILE_MESH = case_source("hostile")
HOSTILE_TAGS = ['tier "1"', "{{ jinja }}", "__import__('os').system('touch PWNED')", "back\\slash", "'''"]


def build_mesh(source: Path, out: Path, targets: list[str]) -> Path:
    build(source, output=out, targets=targets)
    return out


def hostile_mesh(tmp_path: Path) -> Path:
    """The project's hostile product, plus hostile tags, a freshness SLO and a pipeline."""
    mesh = tmp_path / "hostile"
    shutil.copytree(HOSTILE_MESH, mesh)
    spec = mesh / "qa/hostile/v1/dataproduct.yaml"
    extra = ("tags: " + json.dumps(HOSTILE_TAGS) + "\n"
             "slos: {freshness: {threshold: 2h}}\n"
             "pipeline: {engine: sql}\n")
    spec.write_text(spec.read_text() + extra)
    return mesh


def hostile_texts(mesh: Path) -> dict:
    """The hostile product's strings as meshgen reads them (what must arrive byte for byte)."""
    from meshgen.model.loader import load_product

    pf, _ = load_product(mesh / "qa/hostile/v1/dataproduct.yaml")
    p = pf.product
    return {"title": p.title, "purpose": p.purpose, "tags": p.tags, "dataset_description": p.datasets[0].description}


def python_is_clean(files: list[Path]) -> None:
    """Compiles, has no ruff findings and is exactly as `ruff format` writes it."""
    assert files
    for f in files:
        py_compile.compile(str(f), doraise=True)
    ruff = Path(sys.executable).parent / "ruff"
    need(ruff.exists(), "ruff (a test extra)")
    paths = [str(f) for f in files]
    lint = subprocess.run([str(ruff), "check", "--no-cache", "--isolated", *paths], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run([str(ruff), "format", "--check", "--diff", "--no-cache", "--isolated", *paths],
                         capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout[-3000:] + fmt.stderr


def run_in(python: Path, script: str, *args: str, cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run `script` with a tool venv's Python; it prints one JSON document."""
    import os

    done = subprocess.run([str(python), "-c", script, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def mesh_inputs() -> dict[str, set[str]]:
    """address → the addresses its input ports read, from the example mesh's specs."""
    from meshgen.mesh.loader import load_mesh

    mesh, _ = load_mesh(SPECS)
    return {pf.product.address: {i.product for i in pf.product.inputPorts} for pf in mesh.products}
