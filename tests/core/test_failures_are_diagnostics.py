"""Usage and environment failures are diagnostics with exit 1 or 2, never "a bug in meshgen" (exit 3),
and human output never passes control characters through (no forged CI annotations)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.load.test_hostile_files import PRODUCT

SECRET = "hostile-io-template-secret"


def _meshgen(*args, cwd: Path, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "meshgen", *map(str, args)], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, stdin=subprocess.DEVNULL)


def _mesh(tmp_path: Path, config: str = "name: m\ntargets: [avro]\n", product: str = PRODUCT.format(name="orders"),
          folder: str = "sales/orders/v1") -> Path:
    root = tmp_path / "mesh"
    (root / folder).mkdir(parents=True)
    (root / folder / "dataproduct.yaml").write_text(product)
    (root / "meshgen.yaml").write_text(config)
    return root


def _override(tmp_path: Path, body: str | None = None) -> tuple[Path, Path]:
    mesh = _mesh(tmp_path, "name: m\ntargets: [avro]\ntemplates: overrides\n")
    template = mesh / "overrides/avro/schema.avsc.j2"
    template.parent.mkdir(parents=True)
    if body is not None:
        template.write_text(body)
    return mesh, template


def test_a_template_override_linked_outside_the_mesh_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    mesh, template = _override(tmp_path)
    template.symlink_to(secret)
    done = _meshgen("build", mesh, "-o", tmp_path / "out", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "LOAD010" in {d["code"] for d in json.loads(done.stdout)}
    assert SECRET not in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()


def test_a_fifo_template_override_does_not_block(tmp_path):
    mesh, template = _override(tmp_path)
    os.mkfifo(template)
    done = _meshgen("build", mesh, "-o", tmp_path / "out", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2 and "LOAD011" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("body, words", [
    ("{% for i in range(10**9) %}x{% endfor %}\n", "range"),
    ("line one\n{{ 1 // 0 }}\n", "ZeroDivisionError"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\n", "recursed"),
    ("{% include 'avro/schema.avsc.j2' %}\n", "recursed"),
])
def test_template_runtime_errors_are_positioned_diagnostics(tmp_path, body, words):
    mesh, template = _override(tmp_path, body)
    done = _meshgen("build", mesh, "-o", tmp_path / "out", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    (found,) = [d for d in json.loads(done.stdout) if d["code"] == "TPL002"]
    assert words in found["message"] and found["file"].endswith("schema.avsc.j2")
    if "ZeroDivision" in words:
        assert found["line"] == 2


def test_a_missing_templates_folder_is_reported(tmp_path):
    mesh = _mesh(tmp_path, "name: m\ntargets: [avro]\ntemplates: overides\n")
    done = _meshgen("build", mesh, "-o", tmp_path / "out", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    (found,) = json.loads(done.stdout)
    assert found["code"] == "CONF003" and found["file"].endswith("meshgen.yaml") and found["line"] == 3


def test_a_topic_longer_than_kafka_allows_is_a_spec_error(tmp_path):
    product = PRODUCT.format(name="orders") + (
        "outputPorts:\n  - {name: ev, type: events, dataset: orders, platform: kafka, format: avro, topic: %s}\n" % ("t" * 300))
    mesh = _mesh(tmp_path, product=product)
    done = _meshgen("build", mesh, "-o", tmp_path / "out", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(d["code"] == "SPEC004" and "249" in d["message"] for d in json.loads(done.stdout))
    # the longest valid topic builds: the subject file name stays within the file system's limit
    mesh2 = _mesh(tmp_path / "two", "name: m\ntargets: [schema-registry]\n", product=product.replace("t" * 300, "t" * 249))
    done = _meshgen("build", mesh2, "-o", tmp_path / "out2", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_newline_in_a_folder_name_cannot_forge_an_annotation(tmp_path):
    product = PRODUCT.format(name="orders").replace("sales-team", "Sales Team!")  # some finding to report
    mesh = _mesh(tmp_path, product=product.replace("domain: sales", "domain: [sales"),
                 folder="x\n::error file=forged.py,line=1::pwned/v1")
    done = _meshgen("validate", mesh, cwd=tmp_path)
    assert done.returncode in (1, 2), done.stdout + done.stderr
    assert "forged.py" in done.stdout  # the finding is shown...
    assert not any(line.startswith("::error") for line in (done.stdout + done.stderr).splitlines())  # ...escaped
    assert "\\x0a::error" in done.stdout


def test_a_full_or_closed_stdout_is_not_an_internal_error(tmp_path):
    with open("/dev/full", "w") as full:
        done = _meshgen("schema", cwd=tmp_path, stdout=full)
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in done.stderr and "internal error" not in done.stderr
    read, write = os.pipe()
    os.close(read)  # like `meshgen schema | head -0`: the reader is gone before meshgen writes
    try:
        done = _meshgen("schema", cwd=tmp_path, stdout=write)
    finally:
        os.close(write)
    assert done.returncode == 2 and "broken pipe" in done.stderr and "Traceback" not in done.stderr


def test_a_reader_that_stops_early_is_told_the_output_is_incomplete(tmp_path):
    """`meshgen validate | head -1` (a real shell pipe): the first write to the pipe is short, and
    Python's buffered writer used to drop the rest without an error (exit 1 and no word). Exit 2
    with a message on stderr, so `set -o pipefail` in CI sees that the findings were not all read."""
    from tests.hostile.product import write_product

    path = write_product(tmp_path, "".join(f"      - {{name: f{i}, type: long, bogus: 1}}\n" for i in range(400)))
    script = f"set -o pipefail; {sys.executable} -m meshgen validate {path} | head -1"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"{path}:") and done.stdout.count("\n") == 1
    assert "cannot write to standard output" in done.stderr and "the output is incomplete" in done.stderr
    assert "Traceback" not in done.stderr
    whole = _meshgen("validate", path, cwd=tmp_path)  # the same report, read whole: exit 1 for the errors
    assert whole.returncode == 1 and len(whole.stdout) > 65536 and "400 errors" in whole.stderr


def test_a_closed_stdout_is_refused_before_anything_runs(tmp_path):
    done = subprocess.run([sys.executable, "-m", "meshgen", "schema"], cwd=tmp_path, stderr=subprocess.PIPE,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, pass_fds=(), close_fds=True,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert "standard output: it is closed" in done.stderr
