"""Golden-directory comparison: both directions (missing and extra files), with a diff and
the command that updates the expected files."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

UPDATE_ENV = "MESHGEN_UPDATE_GOLDEN"


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
