"""One folder per case (a small mesh plus expected.txt), one parametrized test for them all.

expected.txt lists every diagnostic of `meshgen validate` on the folder, one per line:
`[waived ]<severity> <CODE> <file>:<line>:<column>` (files relative to the case folder).
cases/<CODE>/fail and cases/<CODE>/pass exist for every built-in rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meshgen.governance.registry import load_registry

CASES = Path(__file__).parent / "cases"
ALL = sorted(p.parent.relative_to(CASES).as_posix() for p in CASES.glob("**/expected.txt"))


def _lines(diagnostics: list[dict]) -> list[str]:
    return sorted(f"{'waived ' if d.get('suppressed') else ''}{d['severity']} {d['code']} {d['file']}:{d['line']}:{d['column']}"
                  for d in diagnostics)


@pytest.mark.parametrize("case", ALL)
def test_case(case, cli, monkeypatch):
    folder = CASES / case
    monkeypatch.chdir(folder)
    expected = sorted(line for line in (folder / "expected.txt").read_text().splitlines() if line.strip())
    result = cli("validate", ".", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    diagnostics = json.loads(result.stdout)
    assert _lines(diagnostics) == expected
    for d in diagnostics:
        assert d["message"] and d["hint"], d
    # The exit code follows the active errors: waived findings never fail a build.
    strict = cli("validate", ".", "--format", "json")
    assert strict.exit_code == (1 if any(line.startswith("error ") for line in expected) else 0)


@pytest.mark.parametrize("code", sorted(c for c, r in load_registry().rules.items() if r.__module__.startswith("meshgen.")))
def test_every_rule_has_a_failing_and_a_passing_case(code):
    fail = (CASES / code / "fail" / "expected.txt").read_text().split()
    assert code in fail, f"cases/{code}/fail does not trigger {code}"
    assert (CASES / code / "pass" / "expected.txt").read_text().strip() == "", f"cases/{code}/pass must be clean"

