"""Python source built from data, in the layout `ruff format` writes, for the orchestration targets.

Every value from a spec reaches generated Python through `literal`: a string becomes an
escaped literal (any quote, backslash, newline, `{{ }}` or control character is carried
exactly and cannot end the literal), containers are written one item per line with a trailing
comma (ruff keeps them so), and nothing else is ever pasted into code.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string(text: str) -> str:
    """A string literal with ruff's quote choice: double quotes, unless that needs more escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    if text.isprintable() and quote not in text and "\\" not in text:  # nothing to escape (most names and titles)
        return quote + text + quote
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == quote:
            out.append("\\" + ch)
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote


def literal(value: Any, indent: int = 0) -> str:
    """`value` (None, bool, int, float, str, list, tuple, dict with str keys) as Python source.
    Dicts keep their insertion order: callers sort them when order is not meaningful."""
    pad = " " * (indent + 4)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        text = repr(value)
        if text in ("inf", "-inf", "nan"):
            raise ValueError(f"{value!r} has no Python literal")
        return text
    if isinstance(value, str):
        return string(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]" if isinstance(value, list) else "()"
        items = "".join(f"{pad}{literal(v, indent + 4)},\n" for v in value)
        return ("[\n" if isinstance(value, list) else "(\n") + items + " " * indent + ("]" if isinstance(value, list) else ")")
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = "".join(f"{pad}{string(str(k))}: {literal(v, indent + 4)},\n" for k, v in value.items())
        return "{\n" + items + " " * indent + "}"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def identifier(text: str, prefix: str = "x") -> str:
    """The nearest valid, non-keyword Python identifier (ASCII) to `text`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text) or prefix
    if name[0].isdigit():
        name = f"{prefix}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in ("None", "True", "False"):
        name += "_"
    return name
