"""tests/ mirrors src/meshgen/ (docs/architecture.md, "Tests"), and the target tests keep the one
golden convention of tests/support/golden.py.

- tests/<pkg>/ tests src/meshgen/<pkg>/; tests/core/ tests the top-level modules (api, cli,
  planner, output, naming, serializer, render, scaffold...) and whole commands; the few other
  folders are named in SUPPORT_FOLDERS with what they hold. No test file sits in tests/ itself.
- A subfolder with tests in it, tests/<pkg>/<sub>/, names a module or package of
  src/meshgen/<pkg>/ (under tests/targets/: a built-in target's name).
- Golden files live only in tests/targets/<target>/expected/<case>/, for a case that exists
  (tests/targets/cases/<case>/mesh/ or a fixture case); no target keeps cases of its own.
"""

from __future__ import annotations

from pathlib import Path

from meshgen.targets import builtin_targets
from tests.support.golden import CASES, FIXTURE_CASES, TARGET_TESTS, mesh_cases

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SRC = ROOT / "src" / "meshgen"
# Folders of tests/ that mirror no package, and why.
SUPPORT_FOLDERS = {
    "core": "the top-level modules of src/meshgen/ (api, cli, planner, output...) and whole commands",
    "support": "test support every folder shares (paths, real components, the golden convention)",
    "fixtures": "shared input products (all_types, full_vocabulary, hostile_text)",
    "fuzz": "property tests of every command",
    "hostile": "hostile inputs that cross every pass",
    "benchmarks": "the benchmark harness of the repository's benchmarks/ folder (not src/meshgen/)",
}


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and p.name != "__pycache__")


def _has_tests(folder: Path) -> bool:
    return any(folder.rglob("test_*.py"))


def test_no_test_file_sits_in_tests_itself():
    stray = sorted(p.name for p in TESTS.glob("*.py") if p.name not in ("__init__.py", "conftest.py"))
    assert not stray, f"move {stray} into the folder that mirrors the code they test (tests/core/ for a top-level module)"


def test_every_test_folder_mirrors_a_package():
    unknown = [p.name for p in _folders(TESTS) if p.name not in SUPPORT_FOLDERS and not (SRC / p.name).is_dir()]
    assert not unknown, f"tests/{unknown} name no package of src/meshgen/: rename them, or add them to SUPPORT_FOLDERS with a reason"


def test_every_subfolder_with_tests_names_a_module():
    wrong = []
    for package in _folders(TESTS):
        if package.name in SUPPORT_FOLDERS or not (SRC / package.name).is_dir():
            continue
        names = {p.stem for p in (SRC / package.name).iterdir()} - {"__init__", "__pycache__"}
        if package.name == "targets":
            names |= set(builtin_targets())
        wrong += [f"tests/{package.name}/{sub.name}" for sub in _folders(package)
                  if _has_tests(sub) and sub.name not in names]
    assert not wrong, f"{wrong} name no module of the package they are in"


def test_golden_files_follow_the_one_convention():
    cases = set(mesh_cases()) | set(FIXTURE_CASES)
    problems = []
    for target in _folders(TARGET_TESTS):
        if target == CASES:
            continue
        problems += [f"{p.relative_to(ROOT)}: cases belong in tests/targets/cases/<case>/mesh/"
                     for p in target.rglob("cases") if p.is_dir()]
        problems += [f"{p.relative_to(ROOT)}: golden files belong in tests/targets/{target.name}/expected/<case>/"
                     for p in target.rglob("expected") if p.is_dir() and p.parent != target]
        if (target / "expected").is_dir():
            problems += [f"{p.relative_to(ROOT)}: no such case" for p in _folders(target / "expected") if p.name not in cases]
    assert not problems, "\n".join(problems)


def test_the_layout_checks_can_fail(tmp_path, monkeypatch):
    """The rules see a stray folder and a target's own cases (not only pass on today's tree)."""
    import tests.core.test_test_layout as layout

    fake = tmp_path / "tests"
    (fake / "stray").mkdir(parents=True)
    (fake / "targets" / "avro" / "cases").mkdir(parents=True)
    monkeypatch.setattr(layout, "TESTS", fake)
    monkeypatch.setattr(layout, "TARGET_TESTS", fake / "targets")
    monkeypatch.setattr(layout, "ROOT", tmp_path)
    for check, expected in ((test_every_test_folder_mirrors_a_package, "stray"),
                            (test_golden_files_follow_the_one_convention, "cases belong")):
        try:
            check()
        except AssertionError as error:
            assert expected in str(error)
        else:
            raise AssertionError(f"{check.__name__} passed on a broken tree")
