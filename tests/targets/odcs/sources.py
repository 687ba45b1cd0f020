"""What the odcs and odps tests build: the example mesh, the full-vocabulary product, the
all-types product and the hostile-text product, each with both targets (a descriptor's
contracts are resolved among the contracts built beside it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from meshgen.api import BuildResult, build
from tests.support import SPECS, pinned_today
from tests.support.golden import case_mesh, check_golden, diagnostics_text, golden_cases
from tests.support.paths import FULL_VOCABULARY_TODAY

GOLDEN_CASES = golden_cases("odcs")  # shared fixture cases (tests/support/golden.py); odps has the same
SOURCES = ["specs", *GOLDEN_CASES]
TARGETS = ["odcs", "odps"]


@dataclass
class Built:
    mesh: Path
    out: Path
    result: BuildResult

    def files(self, target: str) -> list[Path]:
        suffix = f".{target}.yaml"
        return sorted(p for p in self.out.rglob(f"*{suffix}") if p.parent.name == target)

    def diagnostics_text(self, prefix: str) -> str:
        return diagnostics_text(self.result.diagnostics, self.mesh, (prefix,))


def build_source(name: str, tmp: Path) -> Built:
    """The example mesh or a golden case, built with both targets (on the full vocabulary's day)."""
    if name == "specs":
        source = tmp / "mesh"
        shutil.copytree(SPECS, source, ignore=shutil.ignore_patterns("build"))
    else:
        source = case_mesh(name, tmp)
    with pinned_today(FULL_VOCABULARY_TODAY):
        result = build(source, output=tmp / "out", targets=TARGETS)
    return Built((tmp / "mesh").resolve(), tmp / "out", result)


_BUILT: dict[str, Built] = {}


def built_once(name: str, tmp_path_factory) -> Built:
    """`build_source` once per test session: the odcs and odps tests read the same builds."""
    if name not in _BUILT:
        _BUILT[name] = build_source(name, tmp_path_factory.mktemp(f"open-standards-{name}"))
    return _BUILT[name]


def run_driver(python: Path, driver: Path, files: list[Path], *args: str) -> dict[str, dict]:
    """One tool process over every file: {path: {"checks": [[result, name, reason]], "document": ...}}."""
    proc = subprocess.run([str(python), str(driver), *args], input="\n".join(str(f) for f in files),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def problems(report: dict[str, dict]) -> list[str]:
    return [f"{Path(path).name}: {result} {name}: {reason}" for path, entry in report.items()
            for result, name, reason in entry["checks"] if result != "passed"]


def venv_file(venv: Path, *parts: str) -> Path:
    """A file a package ships inside a tool venv (site-packages of whatever Python it has)."""
    found = sorted(venv.glob("lib/python*/site-packages/" + "/".join(parts)))
    assert found, f"{'/'.join(parts)} is not in {venv}"
    return found[0]


def check_target_golden(target: str, family: str, case: str, tmp_path_factory) -> None:
    """`target`'s files of the built `case` and its `family` diagnostics against its golden tree."""
    built = built_once(case, tmp_path_factory)
    check_golden(target, case, built.out, diagnostics=built.diagnostics_text(family),
                 keep=lambda rel: rel.parent.name == target and rel.name.endswith(f".{target}.yaml"))
