"""Adding a governance rule is one file (docs/architecture.md, "Adding a thing"): a module named
by its code in the `meshgen.governance.rules` package, found without any list. The test puts a
throwaway rule file on the package's path (as if it were src/meshgen/governance/rules/tag001.py)
and sees it registered, run by `check` at its position, documented in the rules page and known
to the code registry."""

from __future__ import annotations

import sys
from pathlib import Path

from meshgen.api import check
from meshgen.governance import rules as rules_package
from meshgen.governance.docs import rules_markdown
from meshgen.governance.registry import builtin_rules, load_registry
from meshgen.reporting import codes

RULE_FILE = '''
from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule


class TagsRequired(Rule):
    """Every product carries at least one tag (a throwaway rule of the tests).

    **Anti-pattern**

    ```yaml
    tags: []
    ```

    **Best practice**

    ```yaml
    tags: [orders]
    ```
    """

    code = "TAG001"
    name = "tags.required"
    groups = ("tags",)
    severity = Severity.WARNING

    def check(self, ctx):
        if not ctx.product.tags:
            yield Finding(f"{ctx.product.address} has no tags", ctx.at("name"), "add `tags:`")
'''

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: sales
name: orders
version: 1.0.0
description: {purpose: Orders placed in the shop.}
owner: {team: sales-team, email: sales@example.com}
datasets:
  - name: orders
    description: One row per order.
    primaryKey: [order_id]
    fields:
      - {name: order_id, type: uuid, required: true, description: The order.}
"""


def test_every_rule_module_is_one_registered_rule():
    found = builtin_rules()
    modules = sorted(p.stem for p in Path(rules_package.__file__).parent.glob("*.py")
                     if p.stem != "__init__")
    assert [spec.split(":")[0].rsplit(".", 1)[1] for spec, _ in found] == modules
    assert all(spec.split(":")[0].endswith(rule.code.lower()) for spec, rule in found)  # named by its code


def test_a_new_rule_is_one_file(tmp_path, monkeypatch):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "tag001.py").write_text(RULE_FILE, encoding="utf-8")
    monkeypatch.setattr(rules_package, "__path__", [*rules_package.__path__, str(folder)])
    mesh = tmp_path / "mesh"
    (mesh / "sales" / "orders" / "v1").mkdir(parents=True)
    (mesh / "meshgen.yaml").write_text("name: case\n", encoding="utf-8")
    (mesh / "sales" / "orders" / "v1" / "dataproduct.yaml").write_text(PRODUCT, encoding="utf-8")
    codes.all_families.cache_clear()
    try:
        assert load_registry().lookup("tags.required").code == "TAG001"
        found = [d for d in check(mesh).diagnostics if d.code == "TAG001"]
        assert [(d.severity.label, d.location.line, d.message) for d in found] == \
            [("warning", 4, "data://sales/orders/v1 has no tags")]
        assert "TAG001" in rules_markdown() and "tags.required" in rules_markdown()
        assert codes.declared("TAG001") is not None  # declared through the rule registry
        assert "TAG001" in codes.diagnostics_markdown()
    finally:
        codes.all_families.cache_clear()
        sys.modules.pop(f"{rules_package.__name__}.tag001", None)
