#!/usr/bin/env python3
"""meshgen at mesh scale: `make bench` (issue 14's benchmark table).

    python benchmarks/bench_build.py [--products 100,1000] [--runs 1] [--install-peer] [--markdown FILE]

For each N, on a synthetic mesh (benchmarks/synthetic_mesh.py, deterministic by --seed), every
step in a fresh process timed by wall clock and CPU, with its peak resident memory (os.wait4's
rusage of that process, which counts the children it waited for, e.g. MkDocs):
  - the parse floor: the same files loaded with PyYAML's CSafeLoader (libyaml; ruamel's C loader
    when PyYAML has no libyaml), in one process;
  - `meshgen build` with every default target, cold (no output folder);
  - the same build again with nothing changed (no-op rebuild);
  - the same build after editing one product's description (edit-one rebuild);
  - `meshgen validate`;
  - `meshgen docs build` (when MkDocs is found: --mkdocs, $MESHGEN_MKDOCS, the mkdocs tool venv or
    meshgen[docs]; only up to --docs-max products, since the site's size grows with the square of them);
  - `meshgen build -t avro -t sql`, and datacontract-cli exporting the same products' ODCS contracts
    (written by `meshgen build -t odcs`) to Avro and SQL through its Python API in one process, when
    its venv exists ($MESHGEN_VENVS/datacontract; --install-peer creates it from
    scripts/venvs/datacontract.txt);
and once, first: `meshgen --version` against `python -c pass`.
The targets of issue 14 are printed beside the figures (met or missed); they are measured here,
never asserted in the test suite, and the exit code does not depend on them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_mesh import DOMAINS, SEED, make_mesh, product_path, product_yaml  # noqa: E402,F401 (bench_docs)

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PEER_REQUIREMENTS = REPO / "scripts" / "venvs" / "datacontract.txt"


@dataclass
class Sample:
    """One step's median wall and CPU seconds over its runs, and the largest peak RSS; `killed`
    when a run outlived --step-timeout (its figures are then the time it had run)."""

    wall: float
    cpu: float
    rss_mib: float
    killed: bool = False
    output: str = ""  # of the last run


def run_once(cmd: list[str], env: dict[str, str], timeout: float | None = None) -> tuple[Sample, str]:
    """One process (and the children it waited for): its Sample and its output; a failure stops the run."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)  # its own process group: a timeout ends its workers too
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout and not killed:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0 and not killed:
        raise SystemExit(f"failed (exit {proc.returncode}): {' '.join(cmd)}\n{text[-3000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, killed, text), text


def measure(cmd: list[str], runs: int, env: dict[str, str], before=None, timeout: float | None = None) -> Sample:
    """Median over `runs` fresh processes; `before()` runs ahead of each (untimed)."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        samples.append(run_once(cmd, env, timeout)[0])
        if samples[-1].killed:
            break
    return Sample(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples),
                  max(s.rss_mib for s in samples), any(s.killed for s in samples), samples[-1].output)


PARSE_FLOOR = """
import sys
from pathlib import Path
try:
    from yaml import CSafeLoader, load
    def read(text): return load(text, Loader=CSafeLoader)
    loader = "PyYAML CSafeLoader (libyaml)"
except ImportError:
    from ruamel.yaml import YAML
    yaml = YAML(typ="safe", pure=False)
    def read(text): return yaml.load(text)
    loader = "ruamel.yaml safe C loader (ruamel.yaml.clib)"
files = sorted(Path(sys.argv[1]).rglob("dataproduct.yaml"))
docs = [read(f.read_text(encoding="utf-8")) for f in files]
assert all(isinstance(d, dict) for d in docs) and docs
print(loader)
"""


def parse_floor(root: Path, runs: int, env: dict[str, str]) -> tuple[Sample, str]:
    """The time to just read and load the product files with a C YAML loader, and which loader."""
    cmd = [sys.executable, "-c", PARSE_FLOOR, str(root)]
    floor = measure(cmd, runs, env)
    return floor, floor.output.strip()


def find_mkdocs(given: str | None) -> str | None:
    """An mkdocs executable for `meshgen docs build`, or None (the docs row is then left out)."""
    for candidate in (given, os.environ.get("MESHGEN_MKDOCS"), str(tool_venv("mkdocs") / "bin" / "mkdocs")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    probe = subprocess.run([sys.executable, "-c", "import mkdocs, material"], capture_output=True)
    return "" if probe.returncode == 0 else None  # "": meshgen[docs] beside meshgen


def tool_venv(tool: str) -> Path:
    """Where scripts/setup-test-env.sh puts a tool's venv (shared with the test suite)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "meshgen" / "venvs"
    return Path(os.environ.get("MESHGEN_VENVS") or cache) / tool


def peer_python(venv: Path, install: bool) -> Path | None:
    """The datacontract-cli venv's python; created from scripts/venvs/datacontract.txt on request."""
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import datacontract"], capture_output=True).returncode == 0:
        return python
    if not install:
        return None
    if venv.exists():
        raise SystemExit(f"{venv} exists but has no datacontract-cli; remove it or pass --peer-venv")
    print(f"installing datacontract-cli into {venv} (scripts/venvs/datacontract.txt)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", str(PEER_REQUIREMENTS)], check=True)
    return python


def edit_one(path: Path) -> None:
    """A new purpose for one product: a change that rebuilds it and its neighbours, breaks nothing."""
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r'purpose: "[^"]*"', f'purpose: "Synthetic product, edited at {time.monotonic_ns()}."', text, count=1)
    assert edited != text, path
    path.write_text(edited, encoding="utf-8")


STEPS = ("cold", "noop", "edit", "validate", "docs", "avro-sql", "peer")


def build_steps(n: int, root: Path, work: Path, args, env: dict[str, str], found: dict) -> None:
    """The meshgen rows of one mesh, appended to `found["rows"]` in the order a user meets them (the steps chosen for
    its size); `args.save()` after each, so a stopped run keeps what it measured."""
    steps, rows = args.steps if n <= args.large else args.large_steps, found["rows"]
    meshgen = [sys.executable, "-m", "meshgen"]
    out = work / "out"
    build = meshgen + ["build", str(root), "-o", str(out), "-q", *args.build_option]
    timed = {"runs": args.runs, "env": env, "timeout": args.step_timeout}
    if "cold" in steps:  # without it no rebuilds either: they rebuild the cold build's output
        cold = measure(build, before=lambda: shutil.rmtree(out, True), **timed)
        rows.append(("cold build, every default target", cold))
        found["units"] = product_units(out)
        args.save()
        if cold.killed:
            return  # no output to rebuild
    if "noop" in steps and "cold" in steps:
        rows.append(("no-op rebuild", measure(build, **timed)))
        args.save()
    middle = product_path(root, n // 2)  # read by later products: the edit reaches its consumers
    if "edit" in steps and "cold" in steps:
        rows.append(("rebuild after editing one product", measure(build, before=lambda: edit_one(middle), **timed)))
        args.save()
    if "validate" in steps:
        rows.append(("meshgen validate", measure(meshgen + ["validate", str(root), "-q"], **timed)))
        args.save()
    mkdocs = find_mkdocs(args.mkdocs) if "docs" in steps else None
    if mkdocs is not None and n <= args.docs_max:
        site = work / "site"
        rows.append(("meshgen docs build (MkDocs site)",
                     measure(meshgen + ["docs", "build", str(root), "-o", str(site), "-q"],
                             before=lambda: shutil.rmtree(site, True),
                             **{**timed, "env": {**env, "MESHGEN_MKDOCS": mkdocs} if mkdocs else env})))
    elif "docs" in steps and mkdocs is None:
        print(f"N={n}: no MkDocs found (--mkdocs, $MESHGEN_MKDOCS, the mkdocs tool venv or meshgen[docs]): "
              "no docs row", file=sys.stderr)


def peer_steps(n: int, root: Path, work: Path, args, env: dict[str, str], found: dict) -> None:
    """meshgen's Avro and SQL against datacontract-cli's from the same products, per product-artifact
    (the peer needs the avro-sql step)."""
    steps = args.steps if n <= args.large else args.large_steps
    if "avro-sql" not in steps:
        return
    meshgen = [sys.executable, "-m", "meshgen"]
    avro_sql, timed = work / "avro-sql", {"runs": args.runs, "env": env, "timeout": args.step_timeout}
    found["avro_sql"] = measure(meshgen + ["build", str(root), "-o", str(avro_sql), "-q", "-t", "avro", "-t", "sql"],
                                before=lambda: shutil.rmtree(avro_sql, True), **timed)
    args.save()
    if "peer" not in steps:
        return
    python = peer_python(args.peer_venv, args.install_peer)
    if python is None:
        print(f"N={n}: no datacontract-cli venv at {args.peer_venv} (--install-peer creates it): no peer row",
              file=sys.stderr)
        return
    odcs = work / "odcs"
    run_once(meshgen + ["build", str(root), "-o", str(odcs), "-q", "-t", "odcs"], env)
    contracts = sorted(odcs.rglob("events-table.odcs.yaml"))
    if len(contracts) != n:
        raise SystemExit(f"expected {n} ODCS contracts of the events-table ports, found {len(contracts)}")
    peer_env = {key: value for key, value in env.items() if key != "PYTHONPATH"}
    found["peer_count"] = min(n, args.peer_max)  # its cost per contract is flat: a sample gives its rate
    found["peer"] = measure([str(python), str(BENCH / "peer_datacontract.py"), str(odcs), str(found["peer_count"])],
                            **{**timed, "env": peer_env})
    found["peer_note"] = found["peer"].output.strip().splitlines()[-1]  # its own split: import, export
    args.save()


def product_units(out: Path) -> int:
    """How many product-artifacts a build wrote: its <domain>/<product>/v<major>/<target>/ folders."""
    return sum(1 for folder in out.glob("*/*/v*/*") if folder.is_dir() and not folder.parts[-4].startswith("_"))


def startup(runs: int, env: dict[str, str]) -> tuple[Sample, Sample]:
    bare = measure([sys.executable, "-c", "pass"], runs, env)
    return measure([sys.executable, "-m", "meshgen", "--version"], runs, env), bare


def bytecode_env(env: dict[str, str], cache: Path) -> dict[str, str]:
    """`env` with meshgen's modules compiled once into `cache` and read from there by every step, as an
    installed wheel's are: with PYTHONDONTWRITEBYTECODE (set on some machines) or a read-only checkout,
    every step's process would compile the meshgen modules it imports again."""
    out = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = str(cache)
    where = subprocess.run([sys.executable, "-c", "import meshgen, os; print(os.path.dirname(meshgen.__file__))"],
                           capture_output=True, text=True, env=out, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", where], env=out, check=True, stdout=subprocess.DEVNULL)
    return out


def machine(env: dict[str, str]) -> list[str]:
    """The facts RESULTS.md records about where and on what a run happened."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    source = subprocess.run([sys.executable, "-c", "import meshgen; print(meshgen.__file__, meshgen.__version__)"],
                            capture_output=True, text=True, env=env).stdout.split()
    where = str(Path(source[0]).parent) if source else str(REPO)
    commit = subprocess.run(["git", "-C", where, "log", "-1", "--format=%h %s"], capture_output=True,
                            text=True).stdout.strip()[:100]
    dirty = subprocess.run(["git", "-C", where, "status", "--porcelain", "--untracked-files=no", "--", "."],
                           capture_output=True, text=True).stdout.strip()
    return [f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- commit: {commit}{' (with uncommitted changes to meshgen)' if dirty else ''}; meshgen "
            f"{source[1] if len(source) > 1 else '?'} from {where}",
            f"- machine: {cpu}, {os.cpu_count()} cores, {ram:.1f} GiB RAM; {os.uname().sysname} "
            f"{os.uname().release}; Python {sys.version.split()[0]}",
            f"- niceness {os.nice(0)}; load average at the start {os.getloadavg()[0]:.1f} (the machine is shared "
            "with other engineers' work: CPU seconds are the steadier figure)"]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "n/a"


def step_table(results: dict[int, dict]) -> list[str]:
    rows = []
    for n, found in results.items():
        floor = found["floor"]
        named = [(f"parse floor: {found['loader']}", floor), *found["rows"]]
        named += [("meshgen build -t avro -t sql", found["avro_sql"])] if "avro_sql" in found else []
        named += [(f"datacontract-cli export avro + sql (ODCS), {found['peer_count']:,} products", found["peer"])
                  ] if "peer" in found else []
        for name, s in named:
            if s.killed:  # its workers died unwaited: CPU and peak are the parent's, lower bounds; no ratio
                rows.append([f"{n:,}", name, f"> {s.wall:.0f} (killed)", f"≥ {s.cpu:.2f}", f"≥ {s.rss_mib:.0f}",
                             "n/a", "n/a"])
                continue
            rows.append([f"{n:,}", name, f"{s.wall:.2f}", f"{s.cpu:.2f}", f"{s.rss_mib:.0f}", ratio(s.wall, floor.wall),
                         ratio(s.cpu, floor.cpu)])
    return table(["products", "step", "wall s", "CPU s", "peak MiB", "× floor (wall)", "× floor (CPU)"], rows)


def per_artifact(found: dict, n: int) -> tuple[float, float | None, float | None]:
    """Seconds per product-artifact: meshgen's cold build, meshgen's avro+sql, datacontract-cli's."""
    cold_build = dict(found["rows"]).get("cold build, every default target")
    cold = cold_build.wall / found["units"] if cold_build and not cold_build.killed and found["units"] else None
    mine = found["avro_sql"].wall / (2 * n) if "avro_sql" in found else None
    theirs = found["peer"].wall / (2 * found["peer_count"]) if "peer" in found else None
    return cold, mine, theirs


def peer_table(results: dict[int, dict]) -> list[str]:
    """Seconds per product-artifact (one target's output for one product), both tools in one run."""
    rows = []
    for n, found in results.items():
        if "avro_sql" not in found:
            continue
        cold, mine, theirs = per_artifact(found, n)
        rows.append([f"{n:,}", f"{1000 * cold:.2f} ({found['units']:,} artifacts)" if cold else "not measured",
                     f"{1000 * mine:.2f}", f"{1000 * theirs:.2f}" if theirs else "not measured",
                     ratio(theirs, cold) if theirs and cold else "n/a", ratio(theirs, mine) if theirs else "n/a"])
    notes = [f"- datacontract-cli at {n:,}: {found['peer_note']}" for n, found in results.items() if "peer_note" in found]
    return table(["products", "meshgen cold build ms/artifact", "meshgen avro+sql ms/artifact",
                  "datacontract-cli avro+sql ms/artifact", "peer ÷ meshgen (cold build)", "peer ÷ meshgen (avro+sql)"],
                 rows) + ([""] + notes if notes else [])


def target_rows(results: dict[int, dict], start: tuple[Sample, Sample] | None) -> list[list[str]]:
    """Issue 14's targets against this run's figures (wall time; met or missed, never asserted)."""
    rows = []
    for n, found in results.items():
        steps, floor = dict(found["rows"]), found["floor"].wall
        cold = steps.get("cold build, every default target")
        if cold:
            rows.append([f"cold build ≤ 15× parse floor ({n:,})", "killed" if cold.killed else ratio(cold.wall, floor),
                         cold.wall <= 15 * floor and not cold.killed])
        each, _, theirs = per_artifact(found, n)
        if each and theirs:
            rows.append([f"≥ 20× datacontract-cli per product-artifact ({n:,})", ratio(theirs, each), theirs >= 20 * each])
        if n == 1000 and "no-op rebuild" in steps:
            noop = steps["no-op rebuild"]
            rows.append(["no-op rebuild of 1,000 ≤ 2× parse floor", ratio(noop.wall, floor), noop.wall <= 2 * floor])
        if n == 1000 and "rebuild after editing one product" in steps:
            edit = steps["rebuild after editing one product"]
            rows.append(["edit one product ≤ 1 s at 1,000", f"{edit.wall:.2f} s", edit.wall <= 1])
        if n == 1000 and steps:
            peak = max(s.rss_mib for s in steps.values()) * 2**20 / 1e6
            rows.append(["peak memory ≤ 300 MB at 1,000 (largest step)", f"{peak:.0f} MB", peak <= 300])
        if n >= 10000 and cold:
            rows.append([f"{n:,} products build", "killed" if cold.killed else f"{cold.wall:.0f} s", not cold.killed])
    per_product = [f"{n:,}: {max(s.rss_mib for _, s in f['rows']) / n:.3f}" for n, f in results.items() if f["rows"]]
    rows.append(["peak memory linear (MiB per product, largest step)", "; ".join(per_product), None])
    if start is not None:
        mine, bare = start
        rows.append(["startup ≤ 3× bare Python", ratio(mine.wall, bare.wall), mine.wall <= 3 * bare.wall])
    return [[name, got, "met" if ok else ("missed" if ok is False else "see figures")] for name, got, ok in rows]


def report(results: dict[int, dict], start: tuple[Sample, Sample] | None, facts: list[str]) -> str:
    """The whole run as Markdown (so far: save() writes it after every step); `start` is None with --startup-runs 0."""
    lines = ["## Run", *facts, "", "## Steps", *step_table(results), "", "## Against datacontract-cli",
             *peer_table(results), ""]
    if start is not None:
        lines += ["## Startup", *table(["command", "wall s", "CPU s", "peak MiB"],
                                       [[name, f"{s.wall:.3f}", f"{s.cpu:.3f}", f"{s.rss_mib:.0f}"]
                                        for name, s in zip(("meshgen --version", "python -c pass"), start)]), ""]
    lines += ["## Targets (issue 14)", *table(["target", "measured", "verdict"], target_rows(results, start))]
    return "\n".join(lines) + "\n"


def bench_one(n: int, work: Path, args, env: dict[str, str], results: dict[int, dict]) -> None:
    root = work / "mesh"
    make_mesh(root, n, args.seed)
    floor, loader = parse_floor(root, args.runs, env)
    found: dict = {"floor": floor, "loader": loader, "rows": [], "units": 0}
    results[n] = found
    peer_steps(n, root, work, args, env, found)  # the cheap ones first
    build_steps(n, root, work, args, env, found)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", default="100,1000", help="comma-separated mesh sizes (e.g. 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per step (the median is shown)")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--steps", default=",".join(STEPS), help=f"which steps (of {','.join(STEPS)})")
    parser.add_argument("--large", type=int, default=1000, help="above this many products, only --large-steps")
    parser.add_argument("--large-steps", default="avro-sql,cold,noop,edit")
    parser.add_argument("--step-timeout", type=float, help="kill a step's process after this many seconds")
    parser.add_argument("--docs-max", type=int, default=1000, help="no docs site above this many products")
    parser.add_argument("--mkdocs", help="an mkdocs executable for the docs row")
    parser.add_argument("--peer-venv", type=Path, default=tool_venv("datacontract"))
    parser.add_argument("--install-peer", action="store_true", help="create the datacontract-cli venv when missing")
    parser.add_argument("--peer-max", type=int, default=200, help="datacontract-cli exports at most this many "
                        "products' contracts (its rate per contract is flat)")
    parser.add_argument("--build-option", action="append", default=[], help="passed to every meshgen build")
    parser.add_argument("--work", type=Path, help="keep the meshes and outputs here (default: a temporary folder)")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    for name in ("steps", "large_steps"):
        chosen = {step.strip() for step in getattr(args, name).split(",") if step.strip()}
        if chosen - set(STEPS):
            parser.error(f"unknown step(s) {', '.join(sorted(chosen - set(STEPS)))}; steps: {', '.join(STEPS)}")
        setattr(args, name, chosen)
    return args


def main() -> int:
    args = arguments()
    sizes = [int(size.replace("_", "")) for size in args.products.split(",") if size.strip()]
    results: dict[int, dict] = {}

    def save() -> None:  # what is done so far survives a run that is stopped later
        if args.markdown:
            args.markdown.write_text(report(results, start, facts), encoding="utf-8")

    args.save = save
    with tempfile.TemporaryDirectory(prefix="meshgen-bench-") as tmp:
        env = bytecode_env(dict(os.environ), Path(tmp) / "bytecode")
        facts = machine(env) + ["- meshgen's modules compiled once before the steps (PYTHONPYCACHEPREFIX in the run's "
                                "temporary folder), so no step compiles them, as with an installed wheel"]
        start = startup(args.startup_runs, env) if args.startup_runs > 0 else None  # first: cheap, and kept by save()
        for n in sizes:
            work = (args.work or Path(tmp)) / f"n{n}"
            shutil.rmtree(work, ignore_errors=True)
            print(f"N={n:,} …", file=sys.stderr, flush=True)
            bench_one(n, work, args, env, results)
    facts.append(f"- load average at the end {os.getloadavg()[0]:.1f}; {args.runs} run(s) per step")
    text = report(results, start, facts)
    print(text, end="")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
