"""Every rule documents itself; docs/rules.md is generated from the docstrings and kept in sync."""

from __future__ import annotations

import inspect
import re
from io import StringIO

import pytest
from ruamel.yaml import YAML

from meshgen.governance.docs import rules_markdown
from meshgen.governance.registry import CODE, NAME, load_registry
from tests.conftest import ROOT

RULES = {code: rule for code, rule in load_registry().rules.items() if rule.__module__.startswith("meshgen.")}
BLOCK = re.compile(r"\*\*(Anti-pattern|Best practice)\*\*\s*\n\s*```yaml\n(.*?)```", re.S)


@pytest.mark.parametrize("code", sorted(RULES))
def test_docstring(code):
    rule = RULES[code]
    assert CODE.match(rule.code) and NAME.match(rule.name) and rule.groups
    # one rule per module, the module named by the code
    assert rule.__module__ == f"meshgen.governance.rules.{code.lower()}"
    doc = inspect.cleandoc(rule.__doc__ or "")
    summary = doc.splitlines()[0]
    assert summary.endswith(".") and len(summary) < 120, summary
    blocks = dict((kind, text) for kind, text in BLOCK.findall(doc))
    assert set(blocks) == {"Anti-pattern", "Best practice"}, f"{code} needs both examples as ```yaml blocks"
    for kind, text in blocks.items():
        data = YAML(typ="safe", pure=True).load(StringIO(text))
        assert isinstance(data, dict) and data, f"{code} {kind} example is not a YAML mapping"
    assert blocks["Anti-pattern"] != blocks["Best practice"]
    for name, info in rule.Options.model_fields.items():
        assert info.description, f"{code} option {name!r} needs a description"


def test_rules_md_is_generated_from_the_docstrings():
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == rules_markdown(), "docs/rules.md is stale: run `python -m meshgen.governance.docs > docs/rules.md`"


def test_every_rule_is_in_rules_md():
    text = rules_markdown()
    for code, rule in RULES.items():
        assert f"### {code}" in text and f"`{rule.name}`" in text
