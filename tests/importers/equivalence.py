"""What "an equivalent spec" means for each round trip (docs/import.md lists the same).

A product is reduced to what a format carries, and the original and the re-imported product
must reduce to the same value. Every format carries the product's address (domain, name and
major version) and, per dataset, its name and its fields in order with their names, types,
`required` and descriptions, nested members included. Beyond that:

- avro: the dataset description, defaults, enum symbols, `pii`, the effective classification
  of marked fields and `protection`. Not carried: keys, partitioning, `unique`, string and
  number constraints, examples, deprecation, quality checks, ports, SLOs, the owner, the minor
  and patch version; `json` is written as an Avro string (so it reads back as `string`); an
  enum symbol `UNKNOWN` at the end is read as the fallback the avro target appends.
- sql (per dialect): the dataset description, the primary key, `required` of top-level
  columns (where the dialect writes NOT NULL for the type) and types as far as the dialect
  tells them apart: the column type the sql target writes for the field, as that type reads
  back (`Dialect.meshgen_type`: a Snowflake `VARCHAR(36)` is a string whether it was a uuid or
  a string, an enum is its VARCHAR, a Redshift `CHAR(36)` a string) or, where it does not read
  back as one meshgen type (a STRUCT, a fallback), its text; plus the length of a string
  column where the dialect counts characters (Redshift counts bytes). Nested members only
  inside that type. Member
  descriptions where the dialect keeps them (inline, or in the column comment as
  `items[].sku: ...`).
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from meshgen.model.models import DataProduct, SchemaField
from meshgen.model.types import DataType, Kind
from meshgen.model.values import to_python
from meshgen.schemas.privacy import privacy


def address(p: DataProduct) -> tuple[str, str, int]:
    return p.domain, p.name, p.major


# ---- Avro ------------------------------------------------------------------------------------

def avro_view(p: DataProduct) -> dict[str, Any]:
    return {"address": address(p), "datasets": [
        {"name": ds.name, "description": ds.description, "fields": [_avro_field(f) for f in ds.fields]}
        for ds in p.datasets]}


def _avro_field(f: SchemaField) -> dict[str, Any]:
    return {"name": f.name, "type": _avro_type(f.data_type), "required": f.required, "description": f.description,
            "default": _value(f.default, f.data_type), **privacy(f)}


def _avro_type(t: DataType) -> Any:
    if t.kind is Kind.JSON:
        return "string"
    if t.kind is Kind.ENUM:
        symbols = list(t.symbols)
        return ["enum", symbols[:-1] if symbols[-1:] == ["UNKNOWN"] and len(symbols) > 1 else symbols]
    if t.kind is Kind.ARRAY:
        return ["array", _avro_type(t.items)]
    if t.kind is Kind.MAP:
        return ["map", _avro_type(t.values)]
    if t.kind is Kind.STRUCT:
        return ["struct", [_avro_field(f) for f in t.fields]]
    return str(t)


def _value(value: Any, t: DataType) -> Any:
    if value is None:
        return None
    python = to_python(value, t)
    return str(python) if isinstance(python, decimal.Decimal) else python


# ---- SQL -------------------------------------------------------------------------------------

def sql_view(p: DataProduct, dialect_name: str) -> dict[str, Any]:
    from meshgen.dialects import dialect

    d = dialect(dialect_name)
    return {"address": address(p), "datasets": [
        {"name": ds.name, "description": ds.description, "primaryKey": list(ds.primaryKey),
         "fields": [_sql_field(f, d, f.name in ds.primaryKey) for f in ds.fields]} for ds in p.datasets]}


def _sql_field(f: SchemaField, d, key: bool) -> dict[str, Any]:
    notes: list[str] = []  # member descriptions the type cannot carry inline, as the column comment has them
    column_type = d.column_type(f.data_type, [], f.name, f.maxLength, notes=notes)
    length = re.fullmatch(r"(?:VARCHAR|CHAR|STRING)\((\d+)\)", column_type)
    not_null = d.array_not_null or f.data_type.kind is not Kind.ARRAY
    return {"name": f.name, "type": d.meshgen_type(column_type) or column_type,
            "length": int(length.group(1)) if length and not d.varchar_bytes else None,
            "required": (f.required or key) and not_null,
            "comment": "\n".join(([f.description] if f.description else []) + notes) or None}


# ---- ODCS ------------------------------------------------------------------------------------

def odcs_view(p: DataProduct, served: set[str] | None = None) -> dict[str, Any]:
    """ODCS carries nearly everything (meshgen's contracts put what ODCS has no key for in custom
    properties); `served`: the datasets some output port serves (the others get no contract)."""
    description = p.description if not isinstance(p.description, str) else {"purpose": p.description}
    dump = (lambda m: m.model_dump(exclude_none=True) if m is not None else None)
    return {
        "address": address(p), "title": p.title, "status": p.status, "tags": p.tags, "compatibility": p.compatibility,
        "description": dump(description) if not isinstance(description, dict) else description,
        "owner": dump(p.owner), "support": [dump(s) for s in p.support], "slos": dump(p.slos),
        "lifecycle": dump(p.lifecycle), "schedule": p.pipeline.schedule if p.pipeline else None,
        "datasets": {ds.name: _odcs_dataset(ds) for ds in p.datasets if served is None or ds.name in served},
        "ports": sorted((o.name, o.type, o.dataset, o.platform, o.topic, o.format, o.location, o.url)
                        for o in p.outputPorts),
    }


def _odcs_dataset(ds) -> dict[str, Any]:
    return {"description": ds.description, "primaryKey": ds.primaryKey, "partitionBy": ds.partitionBy,
            "fields": [_odcs_field(f) for f in ds.fields], "examples": ds.examples,
            "sampleQueries": [q.model_dump() for q in ds.sampleQueries],
            "quality": sorted((q.model_dump(exclude_none=True) for q in ds.quality), key=lambda q: q["id"])}


def _odcs_field(f: SchemaField) -> dict[str, Any]:
    keys = ("required", "unique", "description", "maxLength", "minLength", "pattern", "minimum", "maximum",
            "examples", "protection", "deprecated", "replacedBy", "deprecationDate")
    out = {"name": f.name, "type": _odcs_type(f.data_type), "default": _value(f.default, f.data_type), **privacy(f)}
    out.update({k: getattr(f, k) for k in keys})
    return out


def _odcs_type(t: DataType) -> Any:
    if t.kind is Kind.ENUM:
        return ["enum", list(t.symbols)]
    if t.kind is Kind.ARRAY:
        return ["array", _odcs_type(t.items)]
    if t.kind is Kind.MAP:
        return ["map", _odcs_type(t.values)]
    if t.kind is Kind.STRUCT:
        return ["struct", [_odcs_field(f) for f in t.fields]]
    return str(t)
