#!/usr/bin/env python3
"""meshgen's speed and memory targets, measured on a generated mesh.

    python benchmarks/bench_build.py [--products 1000] [--runs 5]

Targets (checked here, never in the test suite):
  - `meshgen --help` starts in well under a second (target: median < 0.3 s);
  - `meshgen validate` of a 1,000-product mesh: median < 30 s, peak RSS < 1 GiB;
  - `meshgen build -t avro` of the same mesh: median < 45 s, peak RSS < 1.5 GiB;
  - `meshgen build` with every default target: median < 120 s, peak RSS < 2 GiB.
Prints one line per measurement and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOMAINS = ["checkout", "users", "payments", "marketing", "logistics", "inventory", "finance", "support"]


def product_yaml(i: int, n: int) -> str:
    domain = DOMAINS[i % len(DOMAINS)]
    inputs = ""
    if i >= 2:
        j = (i * 7) % i  # an earlier product: the graph stays acyclic
        inputs = (f"inputPorts:\n  - name: upstream\n    product: data://{DOMAINS[j % len(DOMAINS)]}/p{j}/v1\n"
                  f"    dataset: events\n    fields: [event_id, amount, created_at]\n")
    return f"""apiVersion: meshgen/v1
kind: DataProduct
domain: {domain}
name: p{i}
version: 1.0.{i}
description: {{purpose: "Synthetic product {i} for the benchmark."}}
owner: {{team: team-{i % 40}, email: team{i % 40}@example.com}}
tags: [tier-2]
slos:
  freshness: {{threshold: 1h, timestampField: events.created_at}}
  accuracy: {{target: 99.9%, check: p{i}_unique}}
datasets:
  - name: events
    description: One row per event.
    primaryKey: [event_id]
    fields:
      - {{name: event_id, type: uuid, required: true, description: Identifier.}}
      - {{name: amount, type: "decimal(12,2)", required: true, description: Amount.}}
      - {{name: created_at, type: timestamp, required: true, description: Event time.}}
      - {{name: label, type: string, maxLength: 64, description: Label.}}
      - {{name: state, type: enum, symbols: [NEW, DONE], required: true, description: State.}}
      - {{name: tags, type: "array<string>", description: Tags.}}
      - name: detail
        type: struct
        description: Detail.
        fields:
          - {{name: code, type: int, required: true, description: Code.}}
          - {{name: note, type: string, description: Note.}}
    quality:
      - {{id: p{i}_unique, metric: duplicateValues, field: event_id, mustBe: 0}}
    examples:
      - {{event_id: 0b4f8f6e-2c1e-4a4e-9d1a-1f7f5b3f9c11, amount: "1.00", created_at: "2026-01-01T00:00:00Z", state: NEW}}
outputPorts:
  - {{name: events-table, type: table, dataset: events, platform: duckdb}}
pipeline: {{orchestrator: airflow, schedule: "*/15 * * * *", engine: sql}}
{inputs}"""


def make_mesh(root: Path, n: int) -> None:
    (root / "meshgen.yaml").write_text("name: bench\noutput: build\n")
    for i in range(n):
        folder = root / DOMAINS[i % len(DOMAINS)] / f"p{i}" / "v1"
        folder.mkdir(parents=True)
        (folder / "dataproduct.yaml").write_text(product_yaml(i, n))


def timed(cmd: list[str], runs: int) -> tuple[float, float, int]:
    """Median wall seconds, peak RSS in MiB of the children, exit code of the last run."""
    times = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        code = proc.returncode
        if code not in (0,):
            sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(times), rss_mib, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    meshgen = [sys.executable, "-m", "meshgen"]
    results = {}
    ok = True
    help_time, _, _ = timed(meshgen + ["--help"], max(args.runs, 5))
    results["startup_help_s"] = round(help_time, 3)
    ok &= help_time < 0.3
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "mesh"
        root.mkdir()
        make_mesh(root, args.products)
        t, rss, code = timed(meshgen + ["validate", str(root), "--format", "json"], args.runs)
        results[f"validate_{args.products}_s"] = round(t, 2)
        results["validate_peak_rss_mib"] = round(rss)
        ok &= code == 0 and t < 30 and rss < 1024
        t, rss, code = timed(meshgen + ["build", str(root), "-t", "avro", "-o", str(Path(tmp) / "out"), "--format", "json"],
                             args.runs)
        results[f"build_avro_{args.products}_s"] = round(t, 2)
        results["build_peak_rss_mib"] = round(rss)
        ok &= code == 0 and t < 45 and rss < 1536
        t, rss, code = timed(meshgen + ["build", str(root), "-o", str(Path(tmp) / "all"), "--format", "json"],
                             args.runs)
        results[f"build_all_targets_{args.products}_s"] = round(t, 2)
        results["build_all_peak_rss_mib"] = round(rss)
        ok &= code == 0 and t < 120 and rss < 2048
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2, sort_keys=True))
    print("all targets met" if ok else "a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
