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
from tests.support import FULL_VOCABULARY, ROOT, SPECS, assert_same_tree, pinned_today
from tests.support.paths import FULL_VOCABULARY_TODAY

FIXTURES = ROOT / "tests" / "fixtures"
SOURCES = {"specs": SPECS, "full_vocabulary": FULL_VOCABULARY.parent, "all_types": FIXTURES / "all_types",
           "hostile_text": FIXTURES / "hostile_text"}
GOLDEN_CASES = ("all_types", "full_vocabulary", "hostile_text")
TARGETS = ["odcs", "odps"]
# The hostile product's names are hostile on purpose: naming rules would stop its build.
NAMING_OFF = 'name: hostile\ngovernance:\n  rules:\n    naming: "off"\n'


@dataclass
class Built:
    mesh: Path
    out: Path
    result: BuildResult

    def files(self, target: str) -> list[Path]:
        suffix = f".{target}.yaml"
        return sorted(p for p in self.out.rglob(f"*{suffix}") if p.parent.name == target)

    def diagnostics_text(self, prefix: str) -> str:
        lines = []
        for d in self.result.diagnostics.sorted():
            if d.code.startswith(prefix):
                file = Path(d.location.file)
                rel = file.relative_to(self.mesh).as_posix() if file.is_absolute() and self.mesh in file.parents \
                    else d.location.file
                lines.append(f"{d.code} {d.severity.label} {rel}:{d.location.line}:{d.location.column} {d.message}")
        return "\n".join(lines) + "\n"


def build_source(name: str, tmp: Path) -> Built:
    source, mesh = SOURCES[name], tmp / "mesh"
    if name == "full_vocabulary":  # a product file alone: the products it names are outside its mesh
        shutil.copytree(source, mesh / source.name)
        with pinned_today(FULL_VOCABULARY_TODAY):
            result = build(mesh / source.name / "dataproduct.yaml", output=tmp / "out", targets=TARGETS)
        return Built(mesh.resolve(), tmp / "out", result)
    if (source / "meshgen.yaml").exists():
        shutil.copytree(source, mesh, ignore=shutil.ignore_patterns("build"))
    else:  # a product folder: a mesh of one
        shutil.copytree(source, mesh / source.name)
        (mesh / "meshgen.yaml").write_text(NAMING_OFF if name == "hostile_text" else f"name: {name}\n", encoding="utf-8")
    with pinned_today(FULL_VOCABULARY_TODAY):
        result = build(mesh, output=tmp / "out", targets=TARGETS)
    return Built(mesh.resolve(), tmp / "out", result)


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


def check_golden(target: str, family: str, case: str, tmp: Path, tmp_path_factory, expected: Path) -> None:
    """`target`'s files of the built `case` and its `family` diagnostics against the golden tree."""
    built = built_once(case, tmp_path_factory)
    actual = tmp / "actual"
    for path in built.files(target):
        dest = actual / path.relative_to(built.out)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    (actual / "diagnostics.txt").write_text(built.diagnostics_text(family), encoding="utf-8")
    assert_same_tree(expected, actual, f"tests/targets/{target}/test_{target}.py::test_golden[{case}]")
