"""`make bench` cannot rot: the harness runs at 3 products, one run per step, and prints every row of
its table (the figures are never checked here: speed targets are measured, not asserted)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.support import ROOT, tool_bin

HARNESS = ROOT / "benchmarks" / "bench_build.py"


def bench(*args: str) -> str:
    done = subprocess.run([sys.executable, str(HARNESS), "--products", "3", "--runs", "1", "--startup-runs", "1",
                           *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def rows_of(report: str) -> dict[str, list[str]]:
    """Each table row's first cells (products, step or target) → its cells."""
    found = {}
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) > 2:
            found[" / ".join(cells[:2]) if cells[0] == "3" else cells[0]] = cells
    return found


def test_the_table_has_a_row_per_step_and_target():
    rows = rows_of(bench("--steps", "cold,noop,edit,validate"))
    for step in ("cold build, every default target", "no-op rebuild", "rebuild after editing one product",
                 "meshgen validate"):
        cells = rows[f"3 / {step}"]
        assert float(cells[2]) > 0 and float(cells[4]) > 0 and cells[5].endswith("×"), cells
    assert any(key.startswith("3 / parse floor: ") and "C" in key for key in rows), rows
    for row in ("meshgen --version", "python -c pass", "cold build ≤ 15× parse floor (3)", "startup ≤ 3× bare Python",
                "peak memory linear (MiB per product, largest step)"):
        assert row in rows, (row, sorted(rows))
    assert rows["cold build ≤ 15× parse floor (3)"][2] in ("met", "missed")


def test_docs_and_datacontract_cli_rows():
    mkdocs, peer = tool_bin("mkdocs"), tool_bin("datacontract", "python")
    rows = rows_of(bench("--steps", "cold,docs,avro-sql,peer", "--mkdocs", str(mkdocs), "--peer-venv", str(peer.parent.parent)))
    for step in ("meshgen docs build (MkDocs site)", "meshgen build -t avro -t sql",
                 "datacontract-cli export avro + sql (ODCS), 3 products"):
        assert float(rows[f"3 / {step}"][2]) > 0, rows
    assert rows["≥ 20× datacontract-cli per product-artifact (3)"][2] in ("met", "missed")
    per_artifact = [cells for key, cells in rows.items() if key.startswith("3 / ") and "artifacts)" in key]
    assert len(per_artifact) == 1 and float(per_artifact[0][3]) > 0, rows  # datacontract-cli ms per artifact


def load_generator():
    spec = importlib.util.spec_from_file_location("synthetic_mesh", ROOT / "benchmarks" / "synthetic_mesh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_is_deterministic_by_seed(tmp_path):
    generator = load_generator()
    first = [p.read_bytes() for p in generator.make_mesh(tmp_path / "a", 40, seed=1)]
    again = [p.read_bytes() for p in generator.make_mesh(tmp_path / "b", 40, seed=1)]
    other = [p.read_bytes() for p in generator.make_mesh(tmp_path / "c", 40, seed=2)]
    assert first == again and first != other
    texts = [text.decode() for text in first]
    assert all("inputPorts:" in text for text in texts[2:]) and "inputPorts:" not in texts[0]
    for kind in ("type: struct", "type: array", "map<string>", "type: enum", "pii: true", "type: events",
                 "type: rest", "type: files", "orchestrator: dagster", "orchestrator: airflow"):
        assert any(kind in text for text in texts), kind
