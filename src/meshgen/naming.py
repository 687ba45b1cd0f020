"""Names in generated languages, written one way for every target.

- `words` splits any spec name (`order_lines`, `orderLines`, `HTTPServer`, `order-lines`) into
  its words; `snake_case`, `kebab_case`, `camel_case`, `upper_camel_case`, `upper_snake` join
  them again; `pascal_case` makes a type name keeping the letters as written.
- `identifier` is the nearest `[A-Za-z_][A-Za-z0-9_]*` to a name; `KEYWORDS[language]` are the
  words a language will not take as an identifier, and `safe(name, language)` avoids them.
- `NameScope` hands out names that must be unique together (a record's fields, a file's
  types), with a numeric suffix for a name already taken, optionally after case folding and
  away from a language's keywords.

SQL's keywords come from `meshgen.dialects` (each warehouse's own list); the others are the
languages' published keyword lists.
"""

from __future__ import annotations

import builtins
import keyword
import re
from typing import Iterable

_WORD_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_ALNUM_RUNS = re.compile(r"[A-Za-z0-9]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def words(name: str) -> list[str]:
    """The words of a name, lower-cased: separators and case changes split it
    (`orderLines`, `order-lines`, `OrderLines` and `ORDER_LINES` are `order`, `lines`)."""
    return [w.lower() for w in _WORD_PARTS.findall(name)]


def snake_case(name: str) -> str:
    return "_".join(_WORD_PARTS.findall(name)).lower()  # the words joined (ASCII: lower-cased alike)


def kebab_case(name: str) -> str:
    return "-".join(words(name))


def upper_camel_case(name: str) -> str:
    """The words, each capitalized (`order_ID` → `OrderId`): a name suggested to a user.
    Generated type names use `pascal_case`, which keeps the letters as written."""
    return "".join(w.capitalize() for w in words(name))


def upper_snake(name: str) -> str:
    return "_".join(_WORD_PARTS.findall(name)).upper()


def camel_case(name: str) -> str:
    found = words(name)
    return (found[0] + "".join(w.capitalize() for w in found[1:])) if found else ""


def pascal_case(name: str) -> str:
    """Each run of letters and digits with its first letter upper-cased and the rest kept
    (`order_ID` → `OrderID`, so acronyms survive); `X` for a name without one, `_` before a digit."""
    text = "".join(w[:1].upper() + w[1:] for w in _ALNUM_RUNS.findall(name)) or "X"
    return text if not text[0].isdigit() else "_" + text


def identifier(name: str) -> str:
    """The nearest `[A-Za-z_][A-Za-z0-9_]*` to `name` (for namespaces, packages, record names)."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
    return text if not text[0].isdigit() else "_" + text


def is_identifier(name: str) -> bool:
    return _IDENTIFIER.fullmatch(name) is not None


# ---- Keywords per output language -----------------------------------------------------------

# Names a pydantic model's field cannot take: BaseModel's own attributes (a field would shadow
# them), and the builtins and typing names that generated annotations use.
_PYDANTIC = frozenset(name for name in dir(__import__("pydantic").BaseModel) if not name.startswith("_"))
_PYTHON_BUILTINS_IN_ANNOTATIONS = frozenset({
    "bool", "bytes", "date", "datetime", "decimal", "dict", "float", "int", "list", "object", "str", "time",
    "type", "Any", "Decimal", "Field", "Literal", "Optional", "Union", "UUID", "BaseModel", "ConfigDict",
})

# protobuf 3's keywords and scalar type names (the language guide), and Avro's primitive and
# complex type names (a named type may not take one).
_PROTO = frozenset("""
syntax import weak public package option message enum service rpc returns stream reserved repeated optional
required map oneof extend extensions group to max true false inf nan edition
double float int32 int64 uint32 uint64 sint32 sint64 fixed32 fixed64 sfixed32 sfixed64 bool string bytes
""".split())
_AVRO = frozenset("null boolean int long float double bytes string record enum array map fixed error".split())


def _python() -> frozenset[str]:
    return frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | _PYDANTIC | _PYTHON_BUILTINS_IN_ANNOTATIONS \
        | frozenset({"None", "True", "False"}) | frozenset(n for n in dir(builtins) if n.endswith("Error"))


def _sql() -> frozenset[str]:
    from meshgen.dialects import reserved_anywhere

    return frozenset(reserved_anywhere())


class _Keywords(dict):
    """language → words; SQL's is read from the dialects when first asked for."""

    def __missing__(self, language: str) -> frozenset[str]:
        if language != "sql":
            raise KeyError(language)
        self[language] = _sql()
        return self[language]


KEYWORDS: dict[str, frozenset[str]] = _Keywords(python=_python(), proto=_PROTO, avro=_AVRO)


def is_keyword(name: str, language: str) -> bool:
    table = KEYWORDS[language]
    return name in table or (language in ("sql", "proto") and name.lower() in table)


# Prefixes pydantic keeps for its own methods (a field starting so is refused or warned about).
_PYDANTIC_PREFIXES = ("model_validate", "model_dump")


def safe(name: str, language: str) -> str:
    """`name`, with a trailing `_` while it is a keyword of `language` (`class` → `class_`);
    for Python, `field_` before a name in pydantic's own prefixes and `field` before a leading
    underscore (pydantic takes such a name as a private attribute, not a field)."""
    if language == "python" and name.startswith(_PYDANTIC_PREFIXES):
        name = "field_" + name
    if language == "python" and name.startswith("_"):
        name = "field" + name
    while is_keyword(name, language):
        name += "_"
    return name


class NameScope:
    """Names that must be unique together (a record's fields, a schema's named types): a name
    that is already taken, e.g. after sanitizing, gets a numeric suffix. With `fold`, names that
    differ only in case collide (for languages or file systems that fold case); with
    `language`, a keyword of it is never handed out."""

    def __init__(self, taken: Iterable[str] = (), *, fold: bool = False, language: str | None = None):
        self.fold = fold
        self.language = language
        self.taken = {self._key(n) for n in taken}

    def _key(self, name: str) -> str:
        return name.casefold() if self.fold else name

    def claim(self, name: str) -> str:
        if self.language is not None:
            name = safe(name, self.language)
        candidate, i = name, 2
        while self._key(candidate) in self.taken:
            candidate, i = f"{name}_{i}", i + 1
        self.taken.add(self._key(candidate))
        return candidate
