"""The one serializer of machine formats: JSON, YAML and CSV text, the same bytes on every run.

JSON: sorted keys, UTF-8 kept (not \\u-escaped), `", "`/`": "` separators when indented, none
when compact. Line and paragraph separators (U+2028, U+2029) are escaped: they are valid in
JSON but end a line in JavaScript and in many editors, so a generated file keeps one value per
line. YAML: block style, 2-space mappings, UTF-8 kept, NEL, LS and PS escaped in double quotes, keys in the order given or sorted (the emitter
quotes any string YAML would read back as something else, and escapes control characters).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

_SEPARATORS = "\u2028", "\u2029"
_YAML_BREAKS = re.compile("[\x85\u2028\u2029]")


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


def yaml_document(value: Any, *, sort_keys: bool = False) -> str:
    """`value` (plain dicts, lists and scalars) as a YAML block document; `sort_keys` sorts every
    mapping's keys (descriptors whose key order carries no meaning)."""
    from ruamel.yaml import YAML

    value = _plain(value, sort_keys)
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(value, buffer)
    return buffer.getvalue()


def _plain(value: Any, sort_keys: bool) -> Any:
    """Plain containers and scalars: the loader's scalar subclasses (a float that remembers its
    text) as their base types, which the emitter represents."""
    if isinstance(value, dict):
        keys = sorted(value) if sort_keys else list(value)
        return {_plain(k, False): _plain(value[k], sort_keys) for k in keys}
    if isinstance(value, (list, tuple)):
        return [_plain(v, sort_keys) for v in value]
    if isinstance(value, str) and _YAML_BREAKS.search(value):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        # YAML reads NEL, LS and PS as line breaks: a plain or single-quoted scalar would fold
        # them; double quotes escape them (\N, \L, \P) and keep the value on one line.
        return DoubleQuotedScalarString(value)
    if type(value) in (bool, int, float, str):
        return value
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return base(value)
    return value


def csv_document(header: list[str], rows: list[list[Any]]) -> str:
    """A CSV file: the header, then the rows; every field quoted (a value with a comma, a quote or
    a line break stays one field), `\\n` line ends, line breaks inside values written as `\\n`
    (a reader that opens the file with universal newlines, as most do, reads back the same)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v).replace("\r\n", "\n").replace("\r", "\n") for v in row])
    return buffer.getvalue()
