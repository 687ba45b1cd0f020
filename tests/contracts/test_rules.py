"""One case folder per compatibility rule: previous.yaml, current.yaml and the expected findings
(code, severity, position in the previous and the current version, what changed). Most cases
change the same previous version, cases/previous.yaml (referenced, not copied): a case folder
has its own previous.yaml only when it starts from another product."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from meshgen.contracts.judge import judge
from meshgen.contracts.rules import RULES, compare, rules_markdown
from meshgen.model.loader import load_product
from tests.conftest import ROOT

CASES = Path(__file__).parent / "cases"
# The previous version most cases change: a case without a previous.yaml of its own reads this one.
BASE = CASES / "previous.yaml"


def previous(case: Path) -> Path:
    return case / "previous.yaml" if (case / "previous.yaml").exists() else BASE


def _pos(loc, suffix: str) -> str:
    return f"{loc.line}:{loc.column}" if loc is not None and loc.file.endswith(suffix) else "None"


def findings(case: Path) -> list[dict]:
    old, old_diags = load_product(previous(case))
    new, new_diags = load_product(case / "current.yaml")
    assert old is not None and new is not None, old_diags + new_diags
    out = []
    for d in judge(compare(old, new), old, new, None):
        old_loc = next((r for r in d.related if r.file.endswith("previous.yaml")), None)
        out.append({"code": d.code, "severity": d.severity.label, "old": _pos(old_loc, "previous.yaml"),
                    "new": _pos(d.location, "current.yaml"), "message": d.message, "hint": d.hint})
    return out


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case: str):
    expected = YAML(typ="safe").load((CASES / case / "expected.yaml").read_text())["findings"]
    actual = findings(CASES / case)
    key = lambda f: (f["code"], f["old"], f["new"])  # noqa: E731
    assert sorted((f["code"], f["severity"], f["old"], f["new"]) for f in actual) == \
        sorted((f["code"], f["severity"], f["old"], f["new"]) for f in expected)
    by_key = {key(f): f for f in actual}
    for f in expected:
        got = by_key[key(f)]
        assert got["message"].startswith(f["message"]), got["message"]
        assert f.get("hint", "") in got["hint"], got["hint"]
        if got["severity"] != "info":
            assert got["hint"], f"{f['code']} has no fix"


def test_every_rule_has_a_case():
    covered = {f["code"] for case in CASES.iterdir() if case.is_dir()
               for f in YAML(typ="safe").load((case / "expected.yaml").read_text())["findings"]}
    missing = sorted(r.code for r in RULES if r.code not in covered)
    assert not missing, f"rules without a case folder: {missing}"


def test_rules_are_unique_and_documented():
    assert len({r.code for r in RULES}) == len(RULES) and len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.purpose and r.purpose.endswith((".", ")")), r.id
        assert re.fullmatch(r"BRK\d{3}", r.code) and r.categories
    doc = (ROOT / "docs" / "contracts.md").read_text()
    table = doc.split("<!-- rules:begin")[1].split("-->", 1)[1].split("<!-- rules:end -->")[0]
    assert table.strip() == rules_markdown().strip(), "docs/contracts.md rule table is stale: regenerate it"


def test_breaking_findings_name_the_modes_and_the_promise():
    f = {x["code"]: x for x in findings(CASES / "type_changed")}
    assert "(breaks backward, forward and full compatibility)" in f["BRK205"]["message"]
    assert "promises `compatibility: backward`" in f["BRK205"]["message"]
    assert "new major version" in f["BRK205"]["hint"]


def test_major_bump_allows_breaking_changes():
    f = findings(CASES / "major_bump")
    assert [x["severity"] for x in f] == ["info"]
    assert not any(x["code"].startswith("VERSION") for x in f)


def test_ignore_skips_rules_by_code_id_or_category():
    old, _ = load_product(previous(CASES / "description_changed"))
    new, _ = load_product(CASES / "description_changed" / "current.yaml")
    assert {c.rule.code for c in compare(old, new)} == {"BRK003", "BRK219"}
    assert compare(old, new, ignore=["metadata"]) == []
    assert {c.rule.code for c in compare(old, new, ignore=["BRK003"])} == {"BRK219"}
    assert {c.rule.code for c in compare(old, new, ignore=["FIELD_DESCRIPTION_CHANGED"])} == {"BRK003"}


def test_consumers_of_a_parent_field_are_named_for_a_nested_change():
    """logistics reads `items`; a change to `items.quantity` breaks it, and marketing (no `items`) is not named."""
    from meshgen.load.yaml_source import parse_yaml
    from meshgen.mesh.loader import load_mesh
    from meshgen.model.loader import validate_document
    from tests.conftest import SPECS

    mesh, _ = load_mesh(SPECS)
    old = mesh.get("data://checkout/orders/v2")
    text = old.path.read_text().replace("{name: quantity, type: int,", "{name: quantity, type: long,")
    new, diags = validate_document(parse_yaml(text.replace("version: 2.0.0", "version: 2.1.0"), "new.yaml"))
    assert new is not None, diags
    consumers = mesh.consumers("data://checkout/orders/v2")
    [d] = [d for d in judge(compare(old, new), old, new, consumers) if d.code == "BRK206"]
    assert d.severity.label == "error"  # orders v2 promises `full`
    assert "data://logistics/shipments/v1 (fulfilment-team, input port 'orders')" in d.message
    assert "marketing" not in d.message
    assert any(r.file.endswith("logistics/shipments/v1/dataproduct.yaml") for r in d.related)
