"""Every change between two versions of a product, classified, as Markdown or JSON.

`changelog(old, new)` is the one list; `changelog_markdown` / `changelog_json` render it. A
docs-site target should call the same functions, so its page and `meshgen changelog` agree.

Classes:
  breaking   breaks a direction the previous version promised (`compatibility`)
  attention  breaks a direction that was not promised, or changes meaning (defaults, SLOs, PII)
  additive   new datasets, fields, ports, symbols, stronger SLOs
  info       documentation and ownership
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from meshgen.contracts.changes import PROMISES, Change, short_modes
from meshgen.contracts.rules import compare
from meshgen.diagnostics import Severity
from meshgen.model.loader import ProductFile
from meshgen.serializer import json_document
from meshgen.model.models import DataProduct, Dataset, SchemaField, OutputPort

CLASSES = ("breaking", "attention", "additive", "info")
_TITLES = {"breaking": "Breaking changes", "attention": "Needs attention", "additive": "Additions", "info": "Other changes"}


def changelog(old: ProductFile, new: ProductFile, ignore: Iterable[str] = ()) -> list[Change]:
    return compare(old, new, ignore)


def classify(change: Change, promised: frozenset[str]) -> str:
    if change.breaks & promised:
        return "breaking"
    if change.breaks or change.level >= Severity.WARNING:
        return "attention"
    if "metadata" not in change.rule.categories:
        return "additive"
    return "info"


def _header(old: ProductFile, new: ProductFile) -> dict:
    return {"address": new.product.address, "from": old.product.version, "to": new.product.version,
            "previous": old.product.address, "compatibility": old.product.compatibility}


def changelog_json(old: ProductFile, new: ProductFile, changes: list[Change] | None = None) -> str:
    changes = changelog(old, new) if changes is None else changes
    promised = PROMISES[old.product.compatibility]
    data = {**_header(old, new),
            "changes": [{**c.to_dict(), "class": classify(c, promised)} for c in changes],
            "summary": {k: sum(1 for c in changes if classify(c, promised) == k) for k in CLASSES}}
    return json_document(data)


# The code spans meshgen's own texts write name a spec key: `default`, `compatibility: backward`,
# `required: true`. Backticks in product content (a pattern, a default) are escaped instead.
_SPEC_KEYS = sorted({f.alias or name for model in (DataProduct, Dataset, SchemaField, OutputPort)
                     for name, f in model.model_fields.items()}, key=len, reverse=True)
_CODE_SPAN = re.compile("`(?:" + "|".join(map(re.escape, _SPEC_KEYS)) + r")(?:: [\w-]+)?`")
# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that could
# start emphasis, code, links, HTML, entities, tables or strikethrough inside a line.
_MARKUP = re.compile(r"([\\`*_\[\]<>&|~!])")


def _md(text: str) -> str:
    """Text as one Markdown line: code spans stay code; elsewhere product content (names with
    `_` or `*`, backticks, brackets, HTML) is escaped so it shows exactly as written."""
    text = text.replace("\r", " ").replace("\n", " ")
    out, start = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [_MARKUP.sub(r"\\\1", text[start:span.start()]), span.group()]
        start = span.end()
    out.append(_MARKUP.sub(r"\\\1", text[start:]))
    return "".join(out)


def _where(c: Change) -> str:
    loc = c.new or c.old
    return f"{Path(loc.file).name}:{loc.line}" if loc else ""


def changelog_markdown(old: ProductFile, new: ProductFile, changes: list[Change] | None = None) -> str:
    changes = changelog(old, new) if changes is None else changes
    promised = PROMISES[old.product.compatibility]
    h = _header(old, new)
    lines = [f"# {_md(h['address'])}: {_md(h['from'])} → {_md(h['to'])}", ""]
    if h["previous"] != h["address"]:
        lines += [f"A new major version of {_md(h['previous'])}: breaking changes are expected here.", ""]
    lines += [f"Compared against the promise of {_md(h['previous'])}: `compatibility: {h['compatibility']}`.", ""]
    if not changes:
        lines += ["No changes.", ""]
    for cls in CLASSES:
        group = [c for c in changes if classify(c, promised) == cls]
        if not group:
            continue
        lines += [f"## {_TITLES[cls]} ({len(group)})", ""]
        for c in group:
            modes = f" — breaks {short_modes(c.breaks)}" if c.breaks else ""
            lines.append(f"- **{c.rule.id}** {_md(c.message)}{_md(modes)} ({_md(_where(c))})")
            if cls in ("breaking", "attention") and c.fix:
                lines.append(f"  - fix: {_md(c.fix)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
