"""Mermaid: a view as a `flowchart LR`, for Markdown hosts that render Mermaid.

Mermaid has no backslash escapes: inside a quoted label a character is written as an entity
code, `#35;` for `#`. Every character outside a small safe set is written that way, so a label
can never close its quotes or brackets, start Markdown or HTML, or name a keyword. Node and
subgraph ids are generated (`n0`, `d0`), never taken from a spec.
"""

from __future__ import annotations

from meshgen.lineage.graph import LineageView

_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/-+=()")


def label(*lines: str) -> str:
    """The lines as one quoted Mermaid label, " · " between them: every character outside the
    safe set as `#<code>;`. (Not `<br>`: in a label with a line break Mermaid drops the
    backslash of a `\\"`, so the text would no longer be the spec's.)"""
    text = " · ".join(lines)
    return '"' + "".join(ch if ch in _SAFE else f"#{ord(ch)};" for ch in text) + '"'


def mermaid_text(view: LineageView) -> str:
    ids = {node.id: f"n{i}" for i, node in enumerate(view.nodes)}
    lines = ["flowchart LR"]

    def node_line(node, indent: str) -> str:
        return f"{indent}{ids[node.id]}[{label(*node.lines)}]"

    clusters = view.clusters
    if clusters:
        for i, (domain, nodes) in enumerate(clusters):
            lines.append(f"  subgraph d{i} [{label(domain)}]")
            lines.extend(node_line(node, "    ") for node in nodes)
            lines.append("  end")
    else:
        lines.extend(node_line(node, "  ") for node in view.nodes)
    for edge in view.edges:
        text = " / ".join(edge.lines)
        lines.append(f"  {ids[edge.source]} -->|{label(text)}| {ids[edge.target]}")
    if view.focus is not None:
        lines.append("  classDef focus fill:#ffe8a3,stroke:#9a6b00,stroke-width:2px")
        lines.append(f"  class {ids[view.focus]} focus")
    return "\n".join(lines) + "\n"
