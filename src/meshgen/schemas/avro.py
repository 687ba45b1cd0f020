"""Avro schemas of datasets: a pure builder over (product, dataset, reporter).

A field that is not `required` is a union with null; its default is null, or the declared
default with the union reordered so the default's branch comes first (Avro's rule).
The type table is kept both ways (`AVRO_TYPES`, `kind_of_avro`) for importers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, SchemaField
from meshgen.model.types import DataType, Kind
from meshgen.model.values import json_as_text, map_leaves, record_to_python, to_python
from meshgen.schemas.privacy import privacy
from meshgen.schemas.reporter import FieldNotes, Reporter
from meshgen.targets.base import NameScope, identifier, is_identifier, pascal_case

# meshgen type → Avro type, for the kinds that map to one fixed Avro type.
AVRO_TYPES: dict[Kind, Any] = {
    Kind.STRING: "string",
    Kind.INT: "int",
    Kind.LONG: "long",
    Kind.FLOAT: "float",
    Kind.DOUBLE: "double",
    Kind.BOOLEAN: "boolean",
    Kind.BYTES: "bytes",
    Kind.JSON: "string",  # JSON text
    Kind.DATE: {"type": "int", "logicalType": "date"},
    Kind.TIME: {"type": "long", "logicalType": "time-micros"},
    Kind.TIMESTAMP: {"type": "long", "logicalType": "timestamp-micros"},
    Kind.TIMESTAMP_NTZ: {"type": "long", "logicalType": "local-timestamp-micros"},
    Kind.UUID: {"type": "string", "logicalType": "uuid"},
}
# Avro's other time logical types, read by importers as the nearest meshgen type.
_MORE_LOGICAL = {"time-millis": Kind.TIME, "timestamp-millis": Kind.TIMESTAMP,
                 "local-timestamp-millis": Kind.TIMESTAMP_NTZ}
_COMPLEX = {"enum": Kind.ENUM, "array": Kind.ARRAY, "map": Kind.MAP, "record": Kind.STRUCT}

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def kind_of_avro(avro_type: Any) -> Kind | None:
    """The meshgen kind an Avro type reads as (`string` is string, not json), None if none.
    A union is not a type here: importers take its non-null branch first."""
    if isinstance(avro_type, str):
        return None if avro_type == "null" else _PRIMITIVE_KINDS.get(avro_type)
    if not isinstance(avro_type, dict):
        return None
    logical = avro_type.get("logicalType")
    if logical == "decimal":
        return Kind.DECIMAL
    if logical in _LOGICAL_KINDS:
        return _LOGICAL_KINDS[logical]
    if avro_type.get("type") in _COMPLEX:
        return _COMPLEX[avro_type["type"]]
    return kind_of_avro(avro_type.get("type"))


_PRIMITIVE_KINDS = {v: k for k, v in AVRO_TYPES.items() if isinstance(v, str) and k is not Kind.JSON}
_LOGICAL_KINDS = {v["logicalType"]: k for k, v in AVRO_TYPES.items() if isinstance(v, dict)} | _MORE_LOGICAL


def namespace(pf: ProductFile) -> str:
    """`<domain>.<product>.v<major>`: the Avro namespace (and the Protobuf package)."""
    p = pf.product
    return f"{identifier(p.domain)}.{identifier(p.name)}.v{p.major}"


def avro_schema(pf: ProductFile, ds: Dataset, reporter: Reporter) -> dict[str, Any]:
    """The dataset's record schema (the avro target's file, a payload, a registry subject)."""
    return _AvroBuild(pf, reporter).record(ds)


class _AvroBuild:
    """One schema being built: its named types share one namespace."""

    def __init__(self, pf: ProductFile, reporter: Reporter):
        self.pf, self.reporter, self.types = pf, reporter, NameScope()

    def record(self, ds: Dataset) -> dict[str, Any]:
        base = self.types.claim(pascal_case(ds.name))
        schema: dict[str, Any] = {
            "type": "record",
            "name": base,
            "namespace": namespace(self.pf),
            "fields": self.fields(ds.fields, base, self.pf.dataset_path(ds.name)),
        }
        if ds.description:
            schema["doc"] = ds.description
        return schema

    def fields(self, fields, owner: str, path: tuple) -> list[dict]:
        # Valid names are kept as written; sanitized ones take what is left.
        valid = [is_identifier(f.name) for f in fields]
        names = NameScope(f.name for f, ok in zip(fields, valid) if ok)
        chosen = [f.name if ok else names.claim(identifier(f.name)) for f, ok in zip(fields, valid)]
        notes = FieldNotes()
        for i, (f, name) in enumerate(zip(fields, chosen)):
            if name != f.name:
                notes.add("AVRO001", f"{f.name!r} as {name!r}",
                          f"field name {f.name!r} is not a valid Avro name; written as {name!r}",
                          self.pf.location(*path, "fields", i, "name"),
                          "use letters, digits and underscores, not starting with a digit")
        notes.report(self.reporter, {"AVRO001": f"record {owner}: {{count}} field names are not valid Avro names, "
                                                "written as: {listed}"})
        return [self.field(f, name, owner, path, i) for i, (f, name) in enumerate(zip(fields, chosen))]

    def field(self, f: SchemaField, name: str, owner: str, path: tuple, i: int) -> dict:
        t = f.data_type
        kind = t.kind
        if kind in AVRO_TYPES:  # a scalar: no name, no path (most fields of a wide dataset)
            avro_type = AVRO_TYPES[kind]
        else:  # a named type (enum, record) is named after its field
            named = kind is not Kind.DECIMAL
            avro_type = self.type(t, owner + pascal_case(f.name) if named else owner, path + ("fields", i))
        out: dict[str, Any] = {"name": name}
        if f.description:
            out["doc"] = f.description
        if f.pii or f.classification or f.protection:
            out.update(privacy(f))  # field properties: pii, classification, protection
        default = f.default
        if f.required:
            out["type"] = avro_type
            if default is not None:
                out["default"] = avro_default(default, t)
        elif default is not None:
            out["type"] = [avro_type, "null"]
            out["default"] = avro_default(default, t)
        else:
            out["type"] = ["null", avro_type]
            out["default"] = None
        return out

    def type(self, t: DataType, record_name: str, path: tuple) -> Any:
        kind = t.kind
        if kind in AVRO_TYPES:
            return AVRO_TYPES[kind]
        if kind is Kind.DECIMAL:
            return {"type": "bytes", "logicalType": "decimal", "precision": t.precision, "scale": t.scale}
        if kind is Kind.ENUM:
            bad = [s for s in t.symbols if not is_identifier(s)]
            if bad:
                self.reporter.unsupported(
                    "AVRO002", f"enum symbol {bad[0]!r} is not a valid Avro symbol; the field is written as a string",
                    self.pf.location(*path, "symbols"), "use symbols made of letters, digits and underscores")
                return "string"
            symbols, fallback = enum_symbols(t.symbols)
            return {"type": "enum", "name": self.types.claim(record_name), "symbols": symbols, "default": fallback}
        if kind is Kind.ARRAY:
            return {"type": "array", "items": self.type(t.items, record_name + "Item", path + ("items",))}
        if kind is Kind.MAP:
            return {"type": "map", "values": self.type(t.values, record_name + "Value", path + ("values",))}
        if kind is Kind.STRUCT:
            name = self.types.claim(record_name)
            return {"type": "record", "name": name, "fields": self.fields(t.fields, name, path)}
        raise AssertionError(f"unmapped kind {kind}")  # pragma: no cover


# The symbol a reader reads a writer's symbol it does not know as (Avro's enum `default`): without
# one, adding a symbol breaks old readers, so under `full` compatibility an enum could never grow.
UNKNOWN_SYMBOL = "UNKNOWN"


def enum_symbols(symbols) -> tuple[list[str], str]:
    """(the Avro symbols, the enum default): an existing UNKNOWN or UNSPECIFIED symbol (any case)
    is the default; otherwise UNKNOWN is appended for it (a writer never writes it)."""
    symbols = list(symbols)
    for s in symbols:
        if s.upper() in (UNKNOWN_SYMBOL, "UNSPECIFIED"):
            return symbols, s
    fallback = NameScope(symbols).claim(UNKNOWN_SYMBOL)
    return symbols + [fallback], fallback


def avro_default(value: Any, t: DataType) -> Any:
    """A spec default in Avro's JSON encoding of defaults."""
    return map_leaves(to_python(value, t), t, _encode)


def _encode(v: Any, t: DataType) -> Any:
    kind = t.kind
    if kind is Kind.DECIMAL:
        unscaled = int(v.scaleb(t.scale))
        length = max(1, (unscaled.bit_length() + 8) // 8)
        return unscaled.to_bytes(length, "big", signed=True).decode("latin-1")
    if kind is Kind.BYTES:
        return v.decode("latin-1")
    if kind is Kind.DATE:
        return (v - dt.date(1970, 1, 1)).days
    if kind is Kind.TIME:
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
    if kind is Kind.TIMESTAMP:
        return (v - _EPOCH) // dt.timedelta(microseconds=1)
    if kind is Kind.TIMESTAMP_NTZ:
        return (v.replace(tzinfo=dt.timezone.utc) - _EPOCH) // dt.timedelta(microseconds=1)
    return json_as_text(v, t)


def avro_record(row: dict, fields) -> dict:
    """An example row (canonical YAML form) as the Python record an Avro writer takes."""
    return map_leaves(record_to_python(row, fields), DataType(Kind.STRUCT, fields=tuple(fields)), json_as_text)
