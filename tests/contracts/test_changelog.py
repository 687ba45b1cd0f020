"""`meshgen changelog` Markdown, rendered by a real CommonMark parser, says exactly what changed."""

from __future__ import annotations

import json

from meshgen.contracts.changelog import changelog, changelog_json, changelog_markdown
from meshgen.load.yaml_source import parse_yaml
from meshgen.model.loader import validate_document
from tests.conftest import need_module

PREVIOUS = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: shop
name: orders
version: 1.0.0
owner: {team: shop_team}
datasets:
  - name: orders
    fields:
      - {name: order_id, type: uuid, required: true}
      - {name: user_id, type: string, pattern: "^a`[x](y)"}
      - {name: note, type: string, default: "<b>*hi*</b>"}
compatibility: backward
"""

CURRENT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: shop
name: orders
version: 1.1.0
owner: {team: shop_team}
datasets:
  - name: orders
    fields:
      - {name: order_id, type: string, required: true}
      - {name: user_id, type: string, required: true, pattern: "^<b>`x`[a-z]*_$"}
      - {name: note, type: string, default: "a & b | ~c~"}
      - {name: channel_*x, type: string}
compatibility: backward
"""


def _product(text: str, name: str):
    pf, diags = validate_document(parse_yaml(text, name))
    assert pf is not None, diags
    return pf


def _plain(tokens) -> str:
    """The text a reader sees, with code spans in backticks."""
    return "".join(f"`{t.content}`" if t.type == "code_inline" else t.content
                   for t in tokens if t.type in ("text", "code_inline"))


def test_markdown_keeps_code_spans_and_shows_product_content_as_written():
    markdown_it = need_module("markdown_it")
    old, new = _product(PREVIOUS, "previous.yaml"), _product(CURRENT, "current.yaml")
    changes = changelog(old, new)
    md = changelog_markdown(old, new, changes)
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = parser.parse(md)
    inline = [t for t in tokens if t.type == "inline"]
    children = [c for t in inline for c in t.children]
    assert not [c for c in children if c.type in ("html_inline", "link_open", "em_open", "s_open", "image")]
    assert not [t for t in tokens if t.type == "html_block"]
    items, codes, rule_id = {}, {}, ""
    for t in inline:  # "**RULE_ID** message — breaks ... (file:line)" and "fix: ..."
        kids = [c for c in t.children if c.content or c.type != "text"]
        if kids and kids[0].type == "strong_open":
            rule_id = kids[1].content
            items[rule_id] = _plain(kids[3:])
        elif t.content.startswith("fix: "):
            items[rule_id + ":fix"] = _plain(t.children).removeprefix("fix: ")
            codes[rule_id + ":fix"] = [c.content for c in t.children if c.type == "code_inline"]
    for c in changes:
        assert items[c.rule.id].startswith(" " + c.message), (c.rule.id, items[c.rule.id])
        if c.fix and c.breaks:
            assert items[c.rule.id + ":fix"] == c.fix
    # meshgen's own code spans render as code; backticks in product content do not.
    assert codes["FIELD_TYPE_WIDENED:fix"] == ["compatibility: backward"]
    assert not [c for c in children if c.type == "code_inline" and c.content == "x"]
    assert "'^<b>`x`[a-z]*_$'" in items["FIELD_CONSTRAINT_TIGHTENED"]
    assert "<b>" not in parser.render(md)
    data = json.loads(changelog_json(old, new, changes))
    assert [c["rule"] for c in data["changes"]] == [c.rule.id for c in changes]
