"""Adding a breaking-change rule is one handler (docs/architecture.md, "Adding a thing"): a
throwaway rule registered with `@rule(..., breaks=...)` is run by `compare`, judged like the
built-in ones (a breaking change without a new major is an error), listed in the rule table of
docs/contracts.md and known to the code registry, with no other edit."""

from __future__ import annotations

from typing import Iterator

from meshgen.contracts import rules
from meshgen.contracts.changes import BACKWARD
from meshgen.contracts.judge import judge
from meshgen.model.loader import load_product
from meshgen.reporting import codes

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: shop
name: orders
version: {version}
owner: {{team: shop-team}}
datasets:
  - name: orders
    primaryKey: [order_id]
    fields:
      - {{name: order_id, type: long, required: true}}
      - {{name: note, type: string{description}}}
"""


def test_a_new_breaking_change_rule_is_one_handler(tmp_path, monkeypatch):
    monkeypatch.setattr(rules, "RULES", list(rules.RULES))  # the registry as it is, restored after

    @rules.rule("BRK990", "FIELD_DESCRIPTION_EMPTIED", "field", "metadata", breaks="backward")
    def description_emptied(p) -> Iterator[rules.Verdict]:
        """A field lost its description: readers relied on it (a throwaway rule of this test)."""
        if p.old is not None and p.new is not None and p.old.description and not p.new.description:
            yield rules.Verdict(f"field {p.field!r} lost its description", frozenset({BACKWARD}),
                                fix="give the description back, or publish a new major version", key=("description",))

    (tmp_path / "previous.yaml").write_text(PRODUCT.format(version="1.0.0", description=", description: Free text"))
    (tmp_path / "current.yaml").write_text(PRODUCT.format(version="1.1.0", description=""))
    old, _ = load_product(tmp_path / "previous.yaml")
    new, _ = load_product(tmp_path / "current.yaml")

    changes = [c for c in rules.compare(old, new) if c.rule.code == "BRK990"]
    assert [(c.message, c.breaks) for c in changes] == [("field 'note' lost its description", frozenset({BACKWARD}))]
    found = {d.code: d for d in judge(rules.compare(old, new), old, new, None)}
    assert found["BRK990"].severity.label == "error", found  # breaking in a minor version
    assert "VERSION002" in found
    assert ("| BRK990 | `FIELD_DESCRIPTION_EMPTIED` | field | metadata | backward | "
            "A field lost its description: readers relied on it (a throwaway rule of this test). |") in rules.rules_markdown()
    codes.all_families.cache_clear()
    try:
        assert "BRK990" in codes.diagnostics_markdown()
    finally:
        codes.all_families.cache_clear()
