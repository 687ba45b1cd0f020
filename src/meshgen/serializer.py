"""The one serializer of machine formats: JSON, YAML and CSV text, the same bytes on every run.

JSON: sorted keys, UTF-8 kept (not \\u-escaped), `", "`/`": "` separators when indented, none
when compact. Line and paragraph separators (U+2028, U+2029) are escaped: they are valid in
JSON but end a line in JavaScript and in many editors, so a generated file keeps one value per
line. YAML: block style, 2-space mappings, UTF-8 kept, NEL, LS and PS escaped in double quotes, keys in the order given or sorted (the emitter
quotes any string YAML would read back as something else, and escapes control characters).
"""

from __future__ import annotations

import functools
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
        text = _indented_json(value, indent, sort_keys)
    for ch in _SEPARATORS:
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


class _NotPlain(Exception):
    """A value the indented writer leaves to json.dumps (a non-str key, a float with no literal, an object)."""


def _indented_json(value: Any, indent: int, sort_keys: bool) -> str:
    """json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False, separators=(",",
    ": ")), the same bytes: its indented encoder is pure Python and yields each token through a
    generator (~1 µs a token, seconds for a 100,000-field schema); this one appends to one list,
    strings escaped by json's C function. Documents outside plain JSON data go to json.dumps."""
    parts: list[str] = []
    try:
        _write_json(value, parts, "\n", " " * indent, sort_keys)
    except _NotPlain:
        return json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False, separators=(",", ": "))
    return "".join(parts)


_ESCAPE = json.encoder.encode_basestring  # the C function when json's speedups are built, as json.dumps uses


def _write_json(value: Any, parts: list[str], newline: str, step: str, sort_keys: bool) -> None:
    kind = type(value)
    if kind is str:
        parts.append(_ESCAPE(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotPlain
        parts.append(float.__repr__(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        items = value.items()
        if sort_keys:
            try:  # keys are unique, so only keys are compared; a key that is no str is refused below
                items = sorted(items)
            except TypeError:  # keys of types that do not compare
                raise _NotPlain from None
        inner = newline + step
        first = True
        for k, v in items:
            if type(k) is not str:
                raise _NotPlain
            head = ("{" if first else ",") + inner + _ESCAPE(k) + ": "
            first = False
            if type(v) is str:  # the most common value, without a call
                parts.append(head + _ESCAPE(v))
            else:
                parts.append(head)
                _write_json(v, parts, inner, step, sort_keys)
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + step
        first = True
        for v in value:
            parts.append(("[" if first else ",") + inner)
            first = False
            _write_json(v, parts, inner, step, sort_keys)
        parts.append(newline + "]")
    else:
        raise _NotPlain


def json_document(value: Any) -> str:
    """`value` as an indented JSON file: json_text plus the final newline."""
    return json_text(value) + "\n"


def yaml_document(value: Any, *, sort_keys: bool = False) -> str:
    """`value` (plain dicts, lists and scalars) as a YAML block document; `sort_keys` sorts every
    mapping's keys (descriptors whose key order carries no meaning).

    The bytes are ruamel's round-trip emitter's (2-space mappings, sequences indented 4 with the
    dash at 2, width 4096). That emitter is pure Python and costs ~50 µs a scalar (a 100,000-field
    dbt file took minutes), so the block structure is written here and ruamel quotes only the
    scalars that are not plainly safe, all in one call; a document outside the shapes written here
    (a top-level list, a list in a list, a long or multi-line scalar, a key that needs quotes) is
    left to ruamel whole. tests/test_serializer.py compares both on generated documents."""
    if isinstance(value, dict) and value:
        try:
            return _BlockWriter(sort_keys).document(value)
        except _Unwritable:
            pass
    return _ruamel_document(value, sort_keys)


def _ruamel_document(value: Any, sort_keys: bool) -> str:
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


class _Unwritable(Exception):
    """A document the block writer leaves to ruamel whole."""


# Text ruamel writes plain in block context whatever the column: a letter, then letters, digits
# and `_./()-`, single spaces between words (no indicator, no `: ` or ` #`, no edge space).
_PLAIN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9_./()-]*(?: [A-Za-z0-9_./()-]+)*\Z")
_LONGEST_SCALAR = 1000  # far below the width: no scalar written here is ever folded
_LONGEST_KEY = 120  # ruamel writes a key of 128 characters or more as a complex key (`? `)


# ruamel's text of each scalar it quoted for this process (the same whatever the document: a
# block value's text does not depend on its place), so a float such as 99.5 costs one dump per
# process, not one per document (~5 ms each); at most this many are kept.
_RUAMEL_SCALARS: dict[tuple[type, Any], str] = {}
_RUAMEL_SCALARS_KEPT = 4096


class _BlockWriter:
    """Writes mappings, lists and scalars as ruamel's block style; the scalars it cannot vouch for
    are placeholders filled by one ruamel dump of them all (one line each, or _Unwritable)."""

    def __init__(self, sort_keys: bool) -> None:
        self.sort_keys = sort_keys
        self.parts: list[str] = []
        self.pending: dict[tuple[type, Any], list[int]] = {}  # scalar's key → indexes in parts
        self.values: dict[tuple[type, Any], Any] = {}  # scalar's key → the scalar

    def document(self, mapping: dict) -> str:
        self.mapping(mapping, 0, None)
        unknown = [key for key in self.pending if key not in _RUAMEL_SCALARS]
        texts = _quoted_by_ruamel([self.values[key] for key in unknown])  # insertion order
        fresh = dict(zip(unknown, texts))
        if len(_RUAMEL_SCALARS) < _RUAMEL_SCALARS_KEPT:
            _RUAMEL_SCALARS.update(fresh)
        for key, indexes in self.pending.items():
            text = fresh[key] if key in fresh else _RUAMEL_SCALARS[key]
            for index in indexes:
                self.parts[index] = text
        return "".join(self.parts)

    def mapping(self, mapping: dict, indent: int, lead: Any) -> None:
        pad = " " * indent
        parts = self.parts
        head = pad if lead is None else lead
        for key in sorted(mapping) if self.sort_keys else list(mapping):
            text = _key_text(key) if type(key) is str else None
            if text is None:
                raise _Unwritable
            value = mapping[key]
            plain = _value_text(value) if type(value) is str else None
            if plain is not None:  # the most common value, without a call of value()
                parts.append(head + text + plain)
            else:
                parts.append(head + text)
                self.value(value, indent)
            head = pad

    def value(self, value: Any, indent: int) -> None:
        if isinstance(value, dict) and value:
            self.parts.append("\n")
            self.mapping(value, indent + 2, None)
        elif isinstance(value, (list, tuple)) and value:
            self.parts.append("\n")
            self.sequence(value, indent + 2)
        elif value is None:
            self.parts.append("\n")  # ruamel writes a null mapping value as nothing: `key:`
        else:
            self.parts.append(" ")
            self.scalar(value)
            self.parts.append("\n")

    def sequence(self, items: Any, indent: int) -> None:
        pad = " " * indent
        for item in items:
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, pad + "- ")
            elif isinstance(item, (list, tuple)) and item:
                raise _Unwritable  # ruamel aligns a nested list on its own columns
            else:
                self.parts.append(pad + "- ")
                self.scalar(item)
                self.parts.append("\n")

    def scalar(self, value: Any) -> None:
        """Appends the scalar's text, or a placeholder that document() replaces by ruamel's."""
        if type(value) is str and len(value) <= _LONGEST_SCALAR and not _YAML_BREAKS.search(value):
            text = _string_text(value)  # the most common scalar, without _plain's checks
            if text is not None:
                self.parts.append(text)
                return
        value = _plain(value, False)
        if value is None or isinstance(value, (dict, list, tuple)):  # an empty container here
            self.parts.append("" if value is None else "{}" if isinstance(value, dict) else "[]")
        elif type(value) is bool:
            self.parts.append("true" if value else "false")
        elif type(value) is int:
            self.parts.append(str(value))
        elif type(value) is str and len(value) <= _LONGEST_SCALAR and (text := _string_text(value)) is not None:
            self.parts.append(text)
        elif isinstance(value, float) or (isinstance(value, str) and len(value) <= _LONGEST_SCALAR):
            # a float by its repr: 0.0 and -0.0 are equal keys, and nan equals nothing
            key = (type(value), repr(value) if type(value) is float else value)
            self.pending.setdefault(key, []).append(len(self.parts))
            self.values.setdefault(key, value)
            self.parts.append("")
        else:
            raise _Unwritable


@functools.lru_cache(maxsize=4096)  # keys repeat on every field
def _key_text(key: str) -> str | None:
    """`key:` as ruamel writes a mapping key, or None when only ruamel knows."""
    text = _string_text(key) if len(key) < _LONGEST_KEY else None
    return None if text is None else text + ":"


@functools.lru_cache(maxsize=4096)  # type names, formats and flags repeat on every field
def _value_text(value: str) -> str | None:
    """` value` and the line end, as ruamel writes a one-line string mapping value; None when
    only ruamel knows."""
    if len(value) > _LONGEST_SCALAR:
        return None
    if _PLAIN_TEXT.match(value) and _reads_as_str(value):  # most values (no line break in them)
        return " " + value + "\n"
    text = None if _YAML_BREAKS.search(value) else _ascii_scalar(value)
    return None if text is None else " " + text + "\n"


def _is_plain(text: str) -> bool:
    """True when ruamel writes `text` as it is: plainly safe characters that YAML 1.2 reads back
    as a string (not `true`, `null`, `Null`...)."""
    return bool(_PLAIN_TEXT.match(text)) and _reads_as_str(text)


def _string_text(text: str) -> str | None:
    """The string as ruamel writes it in block context, or None when only ruamel knows."""
    return text if _is_plain(text) else _ascii_scalar(text)


def _reads_as_str(text: str) -> bool:
    implicit, others = _implicit_resolvers()
    for tag, pattern in implicit.get(text[:1], others):
        if pattern.match(text):
            return tag == "tag:yaml.org,2002:str"
    return True


_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*\Z")


def _ascii_scalar(text: str) -> str | None:
    """ruamel's text for a one-line printable-ASCII string (its emitter's analysis, for exactly
    these strings): plain unless an indicator, an edge space or another type's form; then single
    quotes, or double quotes when it holds a `'`. None for any other string."""
    if not _PRINTABLE_ASCII.match(text):
        return None
    indicator = text.startswith(("---", "...")) or (text[:1] and text[0] in "#,[]{}&*!|>'\"%@`") or (
        text[:1] in ("?", ":", "-") and text[1:2] in ("", " ")) or text.find(": ", 1) > 0 or (
        len(text) > 1 and text.endswith(":")) or " #" in text
    if text and not indicator and text[0] != " " and text[-1] != " " and _reads_as_str(text):
        return text
    if "'" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"'{text}'"


@functools.lru_cache(maxsize=None)
def _implicit_resolvers() -> tuple[dict, tuple]:
    """ruamel's YAML 1.2 implicit resolvers by first character: (tag, pattern) pairs, in the
    order its resolver tries them (those of the first character, then those for any, listed
    under None), and the ones for a first character not listed (those for any)."""
    from ruamel.yaml import YAML

    table = YAML(typ="rt", pure=True).resolver.versioned_resolver
    pairs = {first: tuple((str(tag), _compiled(pattern)) for tag, pattern in listed) for first, listed in table.items()}
    others = pairs.pop(None, ())
    return {first: listed + others for first, listed in pairs.items()}, others


def _compiled(pattern: Any) -> Any:
    """The regular expression itself: ruamel wraps its resolvers' in a LazyEval, whose every
    attribute read (`.match`) goes through Python code (~1 µs, twice a scalar of a dbt column)."""
    lazy = getattr(pattern, "lazy_self", None)
    return lazy() if callable(lazy) else pattern


def _quoted_by_ruamel(scalars: list) -> list[str]:
    """Each scalar as ruamel writes it as a block value, from one dump of them as a list."""
    if not scalars:
        return []
    lines = _ruamel_document({"k": scalars}, False).split("\n")
    if lines[0] != "k:" or lines[-1] != "" or len(lines) != len(scalars) + 2:
        raise _Unwritable  # a scalar over several lines
    if not all(line.startswith("  - ") or line == "  -" for line in lines[1:-1]):
        raise _Unwritable
    return [line[4:] for line in lines[1:-1]]


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
