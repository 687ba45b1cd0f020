"""The field type grammar, parsed into a typed tree.

    string  int  long  float  double  decimal(p,s)  boolean
    date  time  timestamp  timestamp_ntz  bytes  uuid  json
    enum (+ symbols)   array<T> | array (+ items)   map<T> | map (+ values)   struct (+ fields)
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meshgen.model.models import SchemaField


class Kind(str, enum.Enum):
    STRING = "string"
    INT = "int"
    LONG = "long"
    FLOAT = "float"
    DOUBLE = "double"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    TIME = "time"
    TIMESTAMP = "timestamp"
    TIMESTAMP_NTZ = "timestamp_ntz"
    BYTES = "bytes"
    UUID = "uuid"
    JSON = "json"
    ENUM = "enum"
    ARRAY = "array"
    MAP = "map"
    STRUCT = "struct"

    @property
    def is_numeric(self) -> bool:
        return self in _NUMERIC

    @property
    def is_textual(self) -> bool:
        return self in (Kind.STRING, Kind.UUID)

    @property
    def is_complex(self) -> bool:
        return self in (Kind.ARRAY, Kind.MAP, Kind.STRUCT)


_NUMERIC = {Kind.INT, Kind.LONG, Kind.FLOAT, Kind.DOUBLE, Kind.DECIMAL}
PRIMITIVES = {k.value: k for k in Kind if k not in (Kind.DECIMAL, Kind.ENUM, Kind.ARRAY, Kind.MAP, Kind.STRUCT)}
MAX_DECIMAL_PRECISION = 38
# Arrays, maps and structs nest at most this deep, counting every level of a field's type
# (expression and sibling keys alike): BigQuery's documented limit for nested columns (15) is
# the smallest among the targets, and protoc, Avro and the JSON Schema tools all hold it.
MAX_TYPE_DEPTH = 15


@dataclass(frozen=True)
class DataType:
    """A node of the type tree. Struct fields are the spec's `SchemaField` models."""

    kind: Kind
    precision: int | None = None
    scale: int | None = None
    items: "DataType | None" = None
    values: "DataType | None" = None
    fields: tuple["SchemaField", ...] = ()
    symbols: tuple[str, ...] = ()
    depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Levels of array/map/struct from this node down; children are built first, so O(1).
        below = [c.depth for c in (self.items, self.values) if c is not None]
        below += [f.data_type.depth for f in self.fields]
        own = 1 if self.kind in (Kind.ARRAY, Kind.MAP, Kind.STRUCT) else 0
        object.__setattr__(self, "depth", own + max(below, default=0))

    def __str__(self) -> str:
        if self.kind is Kind.DECIMAL:
            return f"decimal({self.precision},{self.scale})"
        if self.kind is Kind.ARRAY:
            return f"array<{self.items}>"
        if self.kind is Kind.MAP:
            return f"map<{self.values}>"
        return self.kind.value

    def walk(self):
        """This node and every node below it."""
        yield self
        for child in (self.items, self.values):
            if child is not None:
                yield from child.walk()
        for f in self.fields:
            yield from f.data_type.walk()


class TypeSyntaxError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


@functools.lru_cache(maxsize=4096)  # a wide product repeats a handful of type expressions
def parse_type(text: str) -> DataType:
    """Parse a type expression such as `decimal(12,2)` or `map<array<string>>`.

    `enum`, `struct`, bare `array` and bare `map` parse to nodes whose symbols, fields,
    items or values the caller fills in from the sibling keys.
    """
    parser = _Parser(text)
    result = parser.type_()
    parser.skip_ws()
    if parser.pos != len(text):
        raise TypeSyntaxError(f"unexpected {text[parser.pos:]!r} after type {text[:parser.pos].strip()!r}", parser.pos)
    return result


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.depth = 0

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def word(self) -> str:
        self.skip_ws()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start:self.pos]

    def expect(self, char: str) -> None:
        self.skip_ws()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "end of type"
            raise TypeSyntaxError(f"expected {char!r}, found {found}", self.pos)
        self.pos += 1

    def peek(self, char: str) -> bool:
        self.skip_ws()
        return self.pos < len(self.text) and self.text[self.pos] == char

    def number(self) -> int:
        self.skip_ws()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isdigit():
            self.pos += 1
        if start == self.pos:
            raise TypeSyntaxError("expected a whole number", self.pos)
        return int(self.text[start:self.pos])

    def type_(self) -> DataType:
        start = self.pos
        name = self.word()
        if not name:
            raise TypeSyntaxError("expected a type name", self.pos)
        lowered = name.lower()
        if lowered != name:
            raise TypeSyntaxError(f"type names are lower case: write {lowered!r}", start)
        if name in PRIMITIVES:
            return DataType(PRIMITIVES[name])
        if name == "decimal":
            if not self.peek("("):
                raise TypeSyntaxError("decimal needs a precision and scale, e.g. decimal(12,2)", self.pos)
            self.expect("(")
            precision = self.number()
            self.expect(",")
            scale = self.number()
            self.expect(")")
            if not 1 <= precision <= MAX_DECIMAL_PRECISION:
                raise TypeSyntaxError(f"decimal precision must be 1 to {MAX_DECIMAL_PRECISION}, got {precision}", start)
            if scale > precision:
                raise TypeSyntaxError(f"decimal scale {scale} is larger than its precision {precision}", start)
            return DataType(Kind.DECIMAL, precision=precision, scale=scale)
        if name in ("array", "map"):
            if not self.peek("<"):
                return DataType(Kind(name))
            self.expect("<")
            self.depth += 1
            if self.depth > MAX_TYPE_DEPTH:
                raise TypeSyntaxError(f"types nest at most {MAX_TYPE_DEPTH} levels deep", start)
            inner = self.type_()
            self.depth -= 1
            self.expect(">")
            if inner.kind in (Kind.ENUM, Kind.STRUCT) or (inner.kind in (Kind.ARRAY, Kind.MAP) and inner.items is None and inner.values is None):
                raise TypeSyntaxError(
                    f"{inner.kind.value} inside {name}<...> needs its own keys: write `type: {name}` with "
                    f"`{'items' if name == 'array' else 'values'}:` and give the {inner.kind.value} there", start)
            if name == "array":
                return DataType(Kind.ARRAY, items=inner)
            return DataType(Kind.MAP, values=inner)
        if name in ("enum", "struct"):
            return DataType(Kind(name))
        import difflib

        known = sorted(PRIMITIVES) + ["decimal(p,s)", "enum", "array<T>", "map<T>", "struct"]
        close = difflib.get_close_matches(name, [k.split("(")[0].split("<")[0] for k in known], n=1)
        suggestion = f"; did you mean {close[0]!r}?" if close else ""
        raise TypeSyntaxError(f"unknown type {name!r}{suggestion}", start)
