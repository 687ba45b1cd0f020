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
from tests.reporting import checks_only

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
    diagnostics = checks_only(json.loads(result.stdout))
    assert _lines(diagnostics) == expected
    rules = load_registry().rules
    for d in diagnostics:
        assert d["message"] and d["hint"], d
        # a governance finding names the path a waiver would use, as data and in its hint
        if d["code"] in rules:
            assert d["path"] and d["hint"].endswith(f"path {d['path']})"), d
        else:
            assert "path" not in d, d
    # The exit code follows the active errors: waived findings never fail a build.
    strict = cli("validate", ".", "--format", "json")
    assert strict.exit_code == (1 if any(line.startswith("error ") for line in expected) else 0)


@pytest.mark.parametrize("code", sorted(c for c, r in load_registry().rules.items() if r.__module__.startswith("meshgen.")))
def test_every_rule_has_a_failing_and_a_passing_case(code):
    fail = (CASES / code / "fail" / "expected.txt").read_text().split()
    assert code in fail, f"cases/{code}/fail does not trigger {code}"
    assert (CASES / code / "pass" / "expected.txt").read_text().strip() == "", f"cases/{code}/pass must be clean"



def test_a_waiver_on_a_wrong_nested_path_suggests_the_right_one(cli, monkeypatch):
    monkeypatch.chdir(CASES / "waivers/nested")
    found = json.loads(cli("validate", ".", "--format", "json").stdout)
    waived = sorted(d["path"] for d in found if d.get("suppressed"))
    assert waived == ["datasets.orders.fields.by_warehouse.bin", "datasets.orders.fields.items.sku",
                      "datasets.orders.fields.shipping.address.zip"]
    stale = next(d for d in found if d["code"] == "GOV013")
    assert "items.items.batch" in stale["message"]
    assert stale["hint"].startswith("did you mean path 'datasets.orders.fields.items.batch'?")


def test_naming_findings_suggest_the_name_in_the_required_case(cli, monkeypatch):
    monkeypatch.chdir(CASES / "NAM001/fail")
    hints = {d["message"].split("'")[1]: d["hint"].split(" (to waive")[0]
             for d in json.loads(cli("validate", ".", "--format", "json").stdout)}
    assert hints == {"Sales": "rename it to 'sales'", "OrderLines": "rename it to 'order_lines'",
                     "order-lines": "rename it to 'order_lines'", "lineId": "rename it to 'line_id'"}


@pytest.mark.parametrize("name, case, expected", [
    ("HTTPStatus", "snake", "http_status"), ("order_lines_2", "camel", "orderLines2"),
    ("orderLines", "kebab", "order-lines"), ("order-lines", "pascal", "OrderLines"),
    ("Ünïcode", "snake", "Ünïcode"),  # letters the cases cannot hold: no made-up suggestion
])
def test_in_case(name, case, expected):
    from meshgen.governance.rules.nam001 import in_case

    assert in_case(name, case) == expected
