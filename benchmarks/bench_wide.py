#!/usr/bin/env python3
"""Hostile sizes: one product with very many enum symbols or fields must still take seconds.

    python benchmarks/bench_wide.py [--symbols 100000] [--fields 20000,100000] [--timeout 600]

Each case is one generated product file, run in fresh processes through `meshgen validate` with
every default target (pydantic included), then `meshgen validate` and `meshgen build` with the
same targets (every default target but pydantic, which the first run times), so validate and
build do the same work but the write. Prints the wall and CPU time (user + system) per case; a
case over --timeout is reported as such.
Issue 10 measured 100,000 enum symbols at > 120 s, 20,000 fields at 26-42 s and 100,000
fields at > 25 min before the quadratic passes were removed. Never asserted in tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = """apiVersion: meshgen/v1
kind: DataProduct
domain: bench
name: wide
version: 1.0.0
owner: {team: bench-team, email: bench@example.com}
description: {purpose: a very wide product for the hostile-size benchmark}
datasets:
  - name: things
    description: one row per thing
    primaryKey: [id]
    fields:
      - {name: id, type: long, required: true}
"""
TARGETS = ["avro", "sql", "dbt", "protobuf", "jsonschema", "openapi", "asyncapi", "schema-registry"]


def enum_product(symbols: int) -> str:
    listed = ", ".join(f"S{i}" for i in range(symbols))
    return HEAD + f"      - {{name: state, type: enum, symbols: [{listed}]}}\n"


def wide_product(fields: int) -> str:
    kinds = ["string", "long", "double", "boolean", "date", "timestamp"]
    lines = [f"      - {{name: f{i}, type: {kinds[i % len(kinds)]}, description: field {i}}}\n" for i in range(fields)]
    return HEAD + "".join(lines)


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], timeout: float) -> str:
    """Wall time, and the child's CPU time, user + system (the honest figure on a shared machine)."""
    before = _children_cpu()
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "meshgen", *args], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s (timed out)"
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - before
    return f"{elapsed:8.2f} s wall {cpu:7.2f} s cpu  exit {proc.returncode}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", default="100000", help="comma-separated enum sizes")
    parser.add_argument("--fields", default="20000,100000", help="comma-separated field counts")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    cases = [(f"{n:,} enum symbols", f"symbols-{n}", enum_product(n))
             for n in map(int, filter(None, args.symbols.split(",")))]
    cases += [(f"{n:,} fields", f"fields-{n}", wide_product(n)) for n in map(int, filter(None, args.fields.split(",")))]
    selected = sum((["-t", t] for t in TARGETS), [])
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, text in cases:
            folder = Path(tmp) / name  # the kind in the name: --symbols N --fields N do not clash
            folder.mkdir()
            product = folder / "dataproduct.yaml"
            product.write_text(text)
            size = len(text.encode()) / 1e6
            runs = [("validate (all)", ["validate", str(product)]),
                    ("validate", ["validate", str(product), *selected]),
                    ("build", ["build", str(product), "-o", str(folder / "out"), *selected])]
            for i, (what, command) in enumerate(runs):
                head = f"{label:>20} ({size:.1f} MB)" if i == 0 else ""
                print(f"{head:<32} {what:<15} {timed(command, args.timeout)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
