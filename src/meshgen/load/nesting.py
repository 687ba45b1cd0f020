"""Nesting depth: the limit, and cheap bounds on the depth of a text.

meshgen.load.builder builds values from the parser's event stream with an explicit stack, so no
depth costs a recursion (ruamel's C composer recursed on the C stack: 30,000 nested `[` in a
60 KB file crashed the process). It refuses anything deeper than `MAX_DEPTH` with a positioned
LOAD008; when the text might nest deeper than `SAFE_COMPOSE_DEPTH`, the first collection that
is too deep is reported alone, as soon as the parser reaches it (the rest may never end).
`first_too_deep` finds that collection from the event stream alone.

Two cheap upper bounds decide whether a text might nest that deep:
- every collection starts with an indicator character (`[`, `{`, `-`, `?`, `:`), so one more
  than their count bounds the depth of anything (a C-speed `str.count`);
- per line (libyaml's line breaks), a node's open block collections start either on its own
  line (one per indicator, at most) or on earlier lines at a column no greater than its line's
  indentation (at most a mapping and a sequence per column); flow collections add at most one
  level per `[` or `{` in the whole text.
"""

from __future__ import annotations

import re

MAX_DEPTH = 64
SAFE_COMPOSE_DEPTH = 500

_INDICATORS = "[{-?:"
_LIBYAML_BREAKS = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")


def depth_upper_bound(text: str) -> int:
    """A number no smaller than the nesting depth of any YAML node in `text`."""
    total = 1 + sum(text.count(c) for c in _INDICATORS)
    if total <= SAFE_COMPOSE_DEPTH:
        return total
    flow = text.count("[") + text.count("{")
    block = 0
    for line in _LIBYAML_BREAKS.split(text):
        indicators = line.count("-") + line.count("?") + line.count(":")
        if indicators:
            indent = len(line) - len(line.lstrip(" "))
            block = max(block, 2 * (indent + 1) + indicators + 1)
    return min(total, block + flow)


def first_too_deep(text: str, limit: int = MAX_DEPTH) -> tuple[int, int, int] | None:
    """(line, column, depth) of the first collection nested deeper than `limit` (1-based
    positions), or None. A text that does not parse is left to the composer to report."""
    if depth_upper_bound(text) <= SAFE_COMPOSE_DEPTH:
        return None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in YAML(typ="safe", pure=False).parse(text):
            if isinstance(event, CollectionStartEvent):
                if depth > limit:
                    mark = event.start_mark
                    return mark.line + 1, mark.column + 1, depth
                depth += 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None
    return None
