#!/usr/bin/env python3
"""The docs site of a 1,000-product mesh, measured (issue 13: "builds in well under a minute").

    python benchmarks/bench_docs.py [--products 1000] [--runs 1] [--mkdocs PATH]

The mesh is synthetic_mesh.py's (8 domains; from the third product on each reads one to three
earlier ones, recent ones likelier, so the lineage graph has hubs and chains rather than one star). Each step runs in a fresh process and is timed by wall clock
and by CPU time (the machine is shared, so CPU is the steadier figure):

  - `meshgen lineage --format svg` (the home page's picture alone);
  - `meshgen docs build --no-html`: the MkDocs project (checks, pages, every lineage picture);
  - `mkdocs build` of that project (MkDocs with the Material theme; $MESHGEN_MKDOCS or --mkdocs),
    one process;
  - the same project built as `meshgen docs build` runs MkDocs: a few `mkdocs build` processes at
    once, each on a part of the pages (docsite/mkdocs_parts.py), CPU and wall of each process;
  - `meshgen docs build`: both, as a user runs it;
  - the same build in a fresh process that reports where its time went (`build_phases`): loading
    and checking the mesh, then each forked worker of docsite/part_workers.py (its own CPU
    rendering its pages, its `dot` processes, the wall time until its pages were written, its
    `mkdocs build` process), and the rest of the build process (before the fork: what every page
    reads; after: merging the sites, writing the output).

Target (checked here, never in the test suite): the whole `meshgen docs build` in at most 40 s of
wall time on an idle 2-core machine (issue 13: "well under a minute"). Prints one JSON object and
exits 1 when the target is missed; on a shared machine read the CPU times and the critical path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_mesh import make_mesh  # noqa: E402  (the same products as the other benchmarks)

TARGET_SECONDS = 40.0

# run in a fresh process by `build_phases`: the build, timed phase by phase, as JSON on stdout
PHASES_SCRIPT = """
import dataclasses, json, resource, sys, time
from pathlib import Path
def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime
begun, (own0, _) = time.perf_counter(), cpu()
from meshgen import api
from meshgen.docsite import part_workers, write_docs
mesh, _, _ = api._load_and_check(sys.argv[1], None)
loaded, (own1, children1) = time.perf_counter(), cpu()
write_docs(mesh, Path(sys.argv[2]))
done, (own2, children2) = time.perf_counter(), cpu()
workers = [{**dataclasses.asdict(t), "mkdocs": {"cpu_s": t.mkdocs.cpu_s, "wall_s": t.mkdocs.wall_s}}
           for t in part_workers.LAST_TIMES]
print(json.dumps({"load_and_check": {"wall_s": loaded - begun, "cpu_s": own1 - own0},
                  "docs": {"wall_s": done - loaded, "own_cpu_s": own2 - own1, "children_cpu_s": children2 - children1},
                  "workers": workers}))
"""


def timed(cmd: list[str], runs: int, env: dict) -> dict:
    """Median wall and CPU seconds (the process and its children) over `runs`; fails loudly."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"failed (exit {done.returncode}): {' '.join(cmd)}")
    return {"wall_s": round(statistics.median(walls), 2), "cpu_s": round(statistics.median(cpus), 2)}


def timed_parts(project: Path, mkdocs: str) -> dict:
    """The project built by MkDocs the way `meshgen docs build` runs it: each process's CPU and wall."""
    from meshgen.docsite import mkdocs_parts
    from meshgen.docsite.mkdocs_build import reproducible_environment

    pages = mkdocs_parts.page_order(project / "docs")
    parts = mkdocs_parts.split_pages(pages, [(project / "docs" / p).stat().st_size for p in pages],
                                     mkdocs_parts.part_count(len(pages)))
    start = time.perf_counter()
    runs = mkdocs_parts.build_in_parts(project, [mkdocs, "build", "--quiet", "--clean"], reproducible_environment(),
                                       "site-parts", parts)
    if any(run.returncode != 0 for run in runs):
        raise SystemExit("mkdocs failed: " + " ".join(run.output[-2000:] for run in runs))
    return {"wall_s": round(time.perf_counter() - start, 2), "pages": [len(part) for part in parts],
            "processes": [{"cpu_s": round(run.cpu_s, 2), "wall_s": round(run.wall_s, 2)} for run in runs]}


def build_phases(root: Path, out: Path, env: dict) -> dict:
    """`meshgen docs build` in a fresh process, phase by phase (PHASES_SCRIPT), rounded."""
    done = subprocess.run([sys.executable, "-c", PHASES_SCRIPT, str(root), str(out)], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise SystemExit(f"the phased build failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout, parse_float=lambda text: round(float(text), 2))


def mkdocs_program(given: str | None) -> str:
    program = given or os.environ.get("MESHGEN_MKDOCS") or shutil.which("mkdocs")
    if not program:
        raise SystemExit("no MkDocs: pass --mkdocs PATH, set MESHGEN_MKDOCS, or pip install 'meshgen[docs]'")
    return program


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--mkdocs", help="an mkdocs executable (default: $MESHGEN_MKDOCS, else mkdocs on PATH)")
    args = parser.parse_args()
    mkdocs = mkdocs_program(args.mkdocs)
    env = {**os.environ, "MESHGEN_MKDOCS": mkdocs}
    meshgen = [sys.executable, "-m", "meshgen"]
    results: dict = {"products": args.products, "cpus": os.cpu_count(),
                     "layout": "dot" if shutil.which("dot") and env.get("MESHGEN_LINEAGE_LAYOUT") != "grandalf"
                     else "grandalf"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "mesh"
        root.mkdir()
        make_mesh(root, args.products)
        project, site = Path(tmp) / "project", Path(tmp) / "site-build"
        results["lineage_svg"] = timed(meshgen + ["lineage", str(root), "-o", str(Path(tmp) / "mesh.svg")],
                                       args.runs, env)
        results["docs_project"] = timed(meshgen + ["docs", "build", str(root), "--no-html", "-o", str(project), "-q"],
                                        args.runs, env)
        results["pages"] = sum(1 for _ in project.rglob("*.md"))
        results["mkdocs_build"] = timed([mkdocs, "build", "--quiet", "-f", str(project / "mkdocs.yml")], args.runs,
                                        {**env, "SOURCE_DATE_EPOCH": "0"})
        results["mkdocs_parts"] = timed_parts(project, mkdocs)
        results["docs_build"] = timed(meshgen + ["docs", "build", str(root), "-o", str(site), "-q"], args.runs, env)
        results["build_phases"] = build_phases(root, Path(tmp) / "site-phases", env)
        results["site_mib"] = round(sum(f.stat().st_size for f in (site / "site").rglob("*") if f.is_file()) / 2**20, 1)
    ok = results["docs_build"]["wall_s"] < TARGET_SECONDS
    print(json.dumps(results, indent=2, sort_keys=True))
    print("target met" if ok else f"target missed: docs build over {TARGET_SECONDS:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
