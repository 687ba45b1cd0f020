"""The one golden convention of the target tests, and the golden-directory comparison.

Layout (docs/architecture.md, "Tests"):

    tests/targets/cases/<case>/mesh/        a case's input mesh, shared by every target
    tests/targets/<target>/expected/<case>/ a target's files for that case, plus diagnostics.txt
                                            (what the target reported, positioned in the mesh)

A case whose input is one of the shared fixtures (tests/fixtures) is named in FIXTURE_CASES and
read from there: referenced, never copied. A target has golden files for the cases that have a
folder in its expected/ (`golden_cases`). Comparison is both ways (missing and extra files),
prints the diff and the command that updates the expected files (MESHGEN_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.support.paths import FULL_VOCABULARY, ROOT

UPDATE_ENV = "MESHGEN_UPDATE_GOLDEN"
TARGET_TESTS = ROOT / "tests" / "targets"
CASES = TARGET_TESTS / "cases"
FIXTURES = ROOT / "tests" / "fixtures"
# Cases read from the shared fixtures: a mesh folder, a product folder or a bare product file.
FIXTURE_CASES = {
    "all_types": FIXTURES / "all_types",              # a mesh of one product: every type of the grammar
    "full_vocabulary": FULL_VOCABULARY,               # a product file naming products outside its mesh
    "hostile_text": FIXTURES / "hostile_text",        # a product folder: given a mesh with naming rules off
}
# The mesh a lone product folder gets: its names are hostile on purpose, naming rules would stop it.
NAMING_OFF = 'name: hostile\ngovernance:\n  rules:\n    naming: "off"\n'
# What every build writes besides the targets' files: the manifest and the mesh index (docs/polyrepo.md).
BUILD_FILES = {"meshgen-manifest.json", "_mesh/index.json"}


def mesh_cases() -> list[str]:
    """The cases that are a mesh folder under tests/targets/cases."""
    return sorted(p.name for p in CASES.iterdir() if (p / "mesh").is_dir())


def case_source(case: str) -> Path:
    """Where a case's input is: its mesh folder, or the fixture it reads."""
    return FIXTURE_CASES[case] if case in FIXTURE_CASES else CASES / case / "mesh"


def case_mesh(case: str, dest: Path, config: str | None = None) -> Path:
    """A private copy of a case under `dest`/mesh (builds write beside their inputs); returns
    what to build. A bare product file is copied to mesh/<its folder>/ and returned itself (a
    mesh of one); a lone product folder becomes mesh/qa/<case> with naming rules off; `config`
    replaces the copy's meshgen.yaml (a target test choosing its options)."""
    source, mesh = case_source(case), dest / "mesh"
    if source.is_file():
        built = mesh / source.parent.name / source.name
        built.parent.mkdir(parents=True)
        shutil.copyfile(source, built)
        return built
    if (source / "dataproduct.yaml").exists() and not (source / "meshgen.yaml").exists():
        shutil.copytree(source, mesh / "qa" / case)
        (mesh / "meshgen.yaml").write_text(NAMING_OFF, encoding="utf-8")
    else:
        shutil.copytree(source, mesh, ignore=shutil.ignore_patterns("build"))
    if config is not None:
        (mesh / "meshgen.yaml").write_text(config, encoding="utf-8")
    return mesh


def expected_dir(target: str, case: str) -> Path:
    return TARGET_TESTS / target / "expected" / case


def golden_cases(target: str) -> list[str]:
    """The cases `target` has golden files for (the folders of its expected/)."""
    expected = TARGET_TESTS / target / "expected"
    return sorted(p.name for p in expected.iterdir() if p.is_dir()) if expected.is_dir() else []


def diagnostics_text(diagnostics, mesh: Path, prefixes: tuple[str, ...]) -> str:
    """One line per finding of a build's `diagnostics` whose code starts with one of `prefixes`, its file relative to `mesh`."""
    lines, mesh = [], mesh.resolve()
    for d in diagnostics.sorted():
        if not d.code.startswith(prefixes):
            continue
        loc, file = d.location, Path(d.location.file)
        rel = file.relative_to(mesh).as_posix() if file.is_absolute() and mesh in file.parents else loc.file
        lines.append(f"{d.code} {d.severity.label} {rel}:{loc.line}:{loc.column} {d.message}")
    return "\n".join(lines) + "\n"


def check_golden(target: str, case: str, out: Path, *, diagnostics: str | None,
                 keep: Callable[[Path], bool] = lambda rel: True, test_id: str | None = None) -> None:
    """Compare the files of a build's output folder `out` (all but BUILD_FILES, and only those
    whose relative path `keep` accepts) and `diagnostics` (diagnostics.txt) with
    tests/targets/<target>/expected/<case>/."""
    test_id = test_id or f"tests/targets/{target}/test_{target}.py::test_golden[{case}]"
    with tempfile.TemporaryDirectory(prefix=f"golden-{target}-") as tmp:
        actual = Path(tmp)
        for path in sorted(out.rglob("*")):
            rel = path.relative_to(out)
            if path.is_file() and rel.as_posix() not in BUILD_FILES and keep(rel):
                (actual / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, actual / rel)
        if diagnostics is not None:
            (actual / "diagnostics.txt").write_text(diagnostics, encoding="utf-8")
        assert_same_tree(expected_dir(target, case), actual, test_id)


def assert_same_tree(expected: Path, actual: Path, test_id: str) -> None:
    if os.environ.get(UPDATE_ENV):
        if expected.exists():
            shutil.rmtree(expected)
        shutil.copytree(actual, expected)
        return
    exp = {p.relative_to(expected).as_posix() for p in expected.rglob("*") if p.is_file()} if expected.exists() else set()
    act = {p.relative_to(actual).as_posix() for p in actual.rglob("*") if p.is_file()}
    problems = []
    for rel in sorted(exp - act):
        problems.append(f"missing: {rel}")
    for rel in sorted(act - exp):
        problems.append(f"unexpected: {rel}")
    for rel in sorted(exp & act):
        a = (expected / rel).read_text(encoding="utf-8")
        b = (actual / rel).read_text(encoding="utf-8")
        if a != b:
            diff = difflib.unified_diff(a.splitlines(True), b.splitlines(True), f"expected/{rel}", f"actual/{rel}")
            problems.append("".join(diff))
    if problems:
        raise AssertionError(
            "generated output differs from the golden files:\n" + "\n".join(problems)
            + f"\n\nIf the change is intended, update them with:\n  {UPDATE_ENV}=1 .venv/bin/pytest {test_id}\n"
            "and review the diff with `git diff tests/`."
        )
