"""Avro: one .avsc per dataset.

A field that is not `required` is a union with null; its default is null, or the declared
default with the union reordered so the default's branch comes first (Avro's rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, SchemaField
from meshgen.model.types import DataType, Kind
from meshgen.model.values import json_as_text, map_leaves, record_to_python, to_python
from meshgen.targets.base import CANNOT_EXPRESS, NameScope, Target, identifier, is_identifier, pascal_case

PRIMITIVES: dict[Kind, Any] = {
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

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def namespace(pf: ProductFile) -> str:
    p = pf.product
    return f"{identifier(p.domain)}.{identifier(p.name)}.v{p.major}"


class AvroTarget(Target):
    name = "avro"
    codes = CodeFamily("AVRO", "The Avro target can express the product.", "docs/targets-avro.md", (
        DiagnosticCode("AVRO001", CANNOT_EXPRESS,
                       'a field name is not a valid Avro name; written with invalid characters replaced'),
        DiagnosticCode("AVRO002", CANNOT_EXPRESS,
                       'an enum symbol is not a valid Avro symbol; the field is written as a string'),
    ), target="avro")
    description = "Avro schemas (.avsc), one per dataset"

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for ds in pf.product.datasets:
            schema = self.record_schema(pf, ds)
            yield Artifact(f"{ds.name}.avsc", self.render("schema.avsc.j2", schema=schema))

    # Also used by other targets (schema-registry subjects, AsyncAPI payloads).
    def record_schema(self, pf: ProductFile, ds: Dataset) -> dict:
        self._types = NameScope()  # named types (records, enums) share one namespace per schema
        base = self._types.claim(pascal_case(ds.name))
        schema: dict[str, Any] = {
            "type": "record",
            "name": base,
            "namespace": namespace(pf),
            "fields": self._fields(pf, ds.fields, base, pf.dataset_path(ds.name)),
        }
        if ds.description:
            schema["doc"] = ds.description
        return schema

    def _fields(self, pf: ProductFile, fields, owner: str, path: tuple) -> list[dict]:
        # Valid names are kept as written; sanitized ones take what is left.
        names = NameScope(f.name for f in fields if is_identifier(f.name))
        chosen = [f.name if is_identifier(f.name) else names.claim(identifier(f.name)) for f in fields]
        return [self._field(pf, f, name, owner, path + ("fields", i)) for i, (f, name) in enumerate(zip(fields, chosen))]

    def _field(self, pf: ProductFile, f: SchemaField, name: str, owner: str, path: tuple) -> dict:
        if name != f.name:
            self.unsupported("AVRO001", f"field name {f.name!r} is not a valid Avro name; written as {name!r}",
                             pf.location(*path, "name"), "use letters, digits and underscores, not starting with a digit")
        avro_type = self._type(pf, f.data_type, owner + pascal_case(f.name), path)
        out: dict[str, Any] = {"name": name}
        if f.description:
            out["doc"] = f.description
        if f.required:
            out["type"] = avro_type
            if f.default is not None:
                out["default"] = avro_default(f.default, f.data_type)
        elif f.default is not None:
            out["type"] = [avro_type, "null"]
            out["default"] = avro_default(f.default, f.data_type)
        else:
            out["type"] = ["null", avro_type]
            out["default"] = None
        return out

    def _type(self, pf: ProductFile, t: DataType, record_name: str, path: tuple) -> Any:
        kind = t.kind
        if kind in PRIMITIVES:
            return PRIMITIVES[kind]
        if kind is Kind.DECIMAL:
            return {"type": "bytes", "logicalType": "decimal", "precision": t.precision, "scale": t.scale}
        if kind is Kind.ENUM:
            bad = [s for s in t.symbols if not is_identifier(s)]
            if bad:
                self.unsupported("AVRO002", f"enum symbol {bad[0]!r} is not a valid Avro symbol; the field is written as a string",
                                 pf.location(*path, "symbols"), "use symbols made of letters, digits and underscores")
                return "string"
            return {"type": "enum", "name": self._types.claim(record_name), "symbols": list(t.symbols)}
        if kind is Kind.ARRAY:
            return {"type": "array", "items": self._type(pf, t.items, record_name + "Item", path + ("items",))}
        if kind is Kind.MAP:
            return {"type": "map", "values": self._type(pf, t.values, record_name + "Value", path + ("values",))}
        if kind is Kind.STRUCT:
            name = self._types.claim(record_name)
            return {"type": "record", "name": name, "fields": self._fields(pf, t.fields, name, path)}
        raise AssertionError(f"unmapped kind {kind}")  # pragma: no cover


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
