#!/usr/bin/env python3
"""Incremental builds at mesh scale: cold build, no-op rebuild, one product edited, manifest size.

    nice -n 10 python benchmarks/bench_incremental.py [--products 1000] [-t avro -t backstage ...] [--jobs N]

Uses synthetic_mesh.py's generator (the products of `make bench`, with input ports). Prints one JSON
document: wall seconds of each build (a subprocess `meshgen build`, as a user runs it), the
units each ran and reused, the manifest's size, and the parse floor (loading every product file
with PyYAML's C loader, when installed) with each build's ratio to it. Targets (issue 14,
measured here, never asserted in tests): a no-op rebuild of 1,000 products ≤ 2× the parse floor;
editing one product ≤ 1 s at 1,000 products.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_mesh import make_mesh  # noqa: E402  (the one generator of synthetic meshes)


def parse_floor(root: Path) -> float | None:
    """Seconds to read and parse every product file with a C-accelerated YAML loader."""
    try:
        import yaml
        loader = yaml.CSafeLoader
    except (ImportError, AttributeError):
        return None
    start = time.perf_counter()
    for path in sorted(root.rglob("dataproduct.yaml")):
        yaml.load(path.read_bytes(), Loader=loader)
    return time.perf_counter() - start


def _children_cpu() -> float:
    """User + system seconds of finished child processes (the machine may be shared: CPU time is
    the steadier figure, wall time what a user waits)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(root: Path, out: Path, targets: list[str], jobs: int, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "meshgen", "build", str(root), "-o", str(out), "-j", str(jobs),
           *[a for t in targets for a in ("-t", t)], *extra]
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "CI": "true"})
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
    manifest = out / "meshgen-manifest.json"
    units = json.loads(manifest.read_text())["units"] if manifest.is_file() else {}
    reused = re.search(r"\((\d+) of (\d+) units unchanged\)", proc.stderr)
    return {"s": round(seconds, 2), "cpu_s": round(cpu, 2), "exit": proc.returncode, "units": len(units),
            "reused": int(reused.group(1)) if reused else 0,
            "manifest_mb": round(manifest.stat().st_size / 1e6, 2) if manifest.is_file() else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("-t", "--target", dest="targets", action="append", default=[],
                        help="only these targets (default: every default target)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, out = Path(tmp) / "mesh", Path(tmp) / "out"
        root.mkdir()
        products = make_mesh(root, args.products)
        floor = parse_floor(root)
        results = {"products": args.products, "targets": args.targets or "default", "jobs": args.jobs,
                   "cpus": os.cpu_count(), "parse_floor_s": round(floor, 3) if floor else None}
        results["cold"] = timed_build(root, out, args.targets, args.jobs)
        results["noop"] = timed_build(root, out, args.targets, args.jobs)
        edited = products[-1]  # the last product: input ports read earlier ones, so no other product reads it
        text = edited.read_text()
        edited.write_text(text.replace("\ndescription:", "\n# edited\ndescription:", 1))
        assert edited.read_text() != text
        results["edit_one"] = timed_build(root, out, args.targets, args.jobs)
        results["check_up_to_date"] = timed_build(root, out, args.targets, args.jobs, "--check")
        if floor:
            for key in ("cold", "noop", "edit_one", "check_up_to_date"):
                results[key]["x_parse_floor"] = round(results[key]["s"] / floor, 1)
                results[key]["cpu_x_parse_floor"] = round(results[key]["cpu_s"] / floor, 1)
    print(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
