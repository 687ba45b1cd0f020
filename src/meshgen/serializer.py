"""The one serializer of machine formats: JSON and YAML text, the same bytes on every run.

JSON: sorted keys, UTF-8 kept (not \\u-escaped), `", "`/`": "` separators when indented, none
when compact. Line and paragraph separators (U+2028, U+2029) are escaped: they are valid in
JSON but end a line in JavaScript and in many editors, so a generated file keeps one value per
line. YAML: block style, 2-space mappings, UTF-8 kept, keys in the order given (the emitter
quotes any string YAML would read back as something else, and escapes control characters).
"""

from __future__ import annotations

import io
import json
from typing import Any

_SEPARATORS = "\u2028", "\u2029"


def json_text(value: Any, *, compact: bool = False, indent: int = 2, sort_keys: bool = True) -> str:
    """`value` as JSON text without a final newline (for embedding: a template, a registry body).
    `sort_keys=False` only where the order is meaning (a schema whose property order is the
    generated models' field order)."""
    if compact:
        text = json.dumps(value, sort_keys=sort_keys, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False, separators=(",", ": "))
    for ch in _SEPARATORS:
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def json_document(value: Any) -> str:
    """`value` as an indented JSON file: json_text plus the final newline."""
    return json_text(value) + "\n"


def yaml_document(value: Any) -> str:
    """`value` (plain dicts, lists and scalars) as a YAML block document."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(value, buffer)
    return buffer.getvalue()
