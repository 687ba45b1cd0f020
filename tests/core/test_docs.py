"""The docs say what the code does: every diagnostic code the code can emit is documented."""

from __future__ import annotations

import re

from tests.conftest import ROOT

CODE = re.compile(r'"([A-Z]{3,10}\d{3})"')


def test_every_diagnostic_code_is_documented():
    docs = "\n".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    missing = set()
    for path in (ROOT / "src" / "meshgen").rglob("*.py"):
        for code in CODE.findall(path.read_text()):
            if code not in docs:
                missing.add(f"{code} ({path.relative_to(ROOT)})")
    assert not missing, f"codes missing from docs/: {sorted(missing)}"


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    head = "\n".join(lines[:5])
    assert "make run" in head and "make test" in head
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci.strip().splitlines()[-1]
