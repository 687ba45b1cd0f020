"""The schemaMetadata aspect of one output port: a DataHub schema field per field, nested ones too.

Field paths follow DataHub's SQL connectors: v2 paths (`[version=2.0].[type=struct].[type=array]
.[type=struct].items.[type=string].sku`) when the dataset holds an array anywhere (in v1's dotted
paths an array's member cannot be told from a struct's), else the v1 paths they downgrade to
(`items.sku`, `destination.city`). A v2 path is the type-annotated path of the spec: every struct
level is `[type=struct]`, as DataHub names a warehouse struct, and a scalar's token is its Avro
type, as DataHub's Avro converter writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshgen.dialects import Dialect
from meshgen.model.models import Dataset, SchemaField, dotted_fields
from meshgen.model.types import DataType, Kind
from meshgen.targets.datahub.names import STAMP, urn_part

V2_ROOT = "[version=2.0].[type=struct]"
# A scalar's token in a v2 path: the Avro type that holds it (DataHub's Avro converter names them so).
AVRO_BASE = {
    Kind.STRING: "string", Kind.INT: "int", Kind.LONG: "long", Kind.FLOAT: "float", Kind.DOUBLE: "double",
    Kind.DECIMAL: "bytes", Kind.BOOLEAN: "boolean", Kind.DATE: "int", Kind.TIME: "long", Kind.TIMESTAMP: "long",
    Kind.TIMESTAMP_NTZ: "long", Kind.BYTES: "bytes", Kind.UUID: "string", Kind.JSON: "string", Kind.ENUM: "enum",
}
# meshgen kind → DataHub's SchemaFieldDataType member.
DATAHUB_TYPES = {
    Kind.STRING: "StringType", Kind.UUID: "StringType", Kind.JSON: "StringType",
    Kind.INT: "NumberType", Kind.LONG: "NumberType", Kind.FLOAT: "NumberType", Kind.DOUBLE: "NumberType",
    Kind.DECIMAL: "NumberType", Kind.BOOLEAN: "BooleanType", Kind.DATE: "DateType", Kind.TIME: "TimeType",
    Kind.TIMESTAMP: "TimeType", Kind.TIMESTAMP_NTZ: "TimeType", Kind.BYTES: "BytesType", Kind.ENUM: "EnumType",
    Kind.ARRAY: "ArrayType", Kind.MAP: "MapType", Kind.STRUCT: "RecordType",
}
PII_TAG = "pii"
CLASSIFICATION_NODE = "Classification"


def term_name(level: str) -> str:
    """The glossary term of a classification level: `Classification.Confidential`."""
    return f"{CLASSIFICATION_NODE}.{level.capitalize()}"


def type_tokens(t: DataType) -> list[str]:
    if t.kind is Kind.ARRAY:
        return ["[type=array]", *type_tokens(t.items)]
    if t.kind is Kind.MAP:
        return ["[type=map]", *type_tokens(t.values)]
    if t.kind is Kind.STRUCT:
        return ["[type=struct]"]
    return [f"[type={AVRO_BASE[t.kind]}]"]


def needs_v2(ds: Dataset) -> bool:
    """DataHub's rule (its SQL connectors' `schema_requires_v2`): v2 paths only where an array is."""
    return any(node.kind is Kind.ARRAY for _, f in dotted_fields(ds.fields) for node in f.data_type.walk())


def field_paths(ds: Dataset) -> dict[str, str]:
    """Dotted name (`items.sku`) → DataHub field path, for every field, nested ones included."""
    v2 = needs_v2(ds)
    paths: dict[str, str] = {}

    def walk(fields, prefix: str, dotted_prefix: str) -> None:
        for f in fields:
            dotted = dotted_prefix + f.name
            path = f"{prefix}.{'.'.join(type_tokens(f.data_type))}.{f.name}" if v2 else dotted
            paths[dotted] = path
            inner = _members(f.data_type)
            if inner:
                walk(inner, path, dotted + ".")

    walk(ds.fields, V2_ROOT, "")
    return paths


def _members(t: DataType) -> tuple[SchemaField, ...]:
    while t.kind in (Kind.ARRAY, Kind.MAP):
        t = t.items if t.kind is Kind.ARRAY else t.values
    return t.fields if t.kind is Kind.STRUCT else ()


def datahub_type(t: DataType) -> dict[str, Any]:
    """The SchemaFieldDataType union, as DataHub's JSON writes it."""
    body: dict[str, Any] = {}
    if t.kind is Kind.ARRAY:
        body = {"nestedType": [_type_name(t.items)]}
    elif t.kind is Kind.MAP:
        body = {"keyType": "string", "valueType": _type_name(t.values)}
    return {"type": {f"com.linkedin.schema.{DATAHUB_TYPES[t.kind]}": body}}


def _type_name(t: DataType) -> str:
    return "struct" if t.kind is Kind.STRUCT else str(t)


@dataclass
class SchemaContext:
    """What every field of one port's schema needs: the port's dialect (tables) and the dataset."""

    ds: Dataset
    dialect: Dialect | None  # a table port's warehouse: native types are its column types
    classification: dict[str, str]  # dotted name → declared or personal-data classification
    paths: dict[str, str]  # dotted name → DataHub field path (field_paths)

    def native_type(self, f: SchemaField) -> str:
        if self.dialect is not None:
            return self.dialect.column_type(f.data_type, [], f.name, f.maxLength)
        return str(f.data_type)


def schema_fields(ctx: SchemaContext) -> list[dict[str, Any]]:
    paths = ctx.paths
    top = {f.name for f in ctx.ds.fields}
    out = []
    for dotted, f in dotted_fields(ctx.ds.fields):
        entry: dict[str, Any] = {
            "fieldPath": paths[dotted],
            "nullable": not f.required,
            "type": datahub_type(f.data_type),
            "nativeDataType": ctx.native_type(f),
            "recursive": False,
            "isPartOfKey": dotted in top and dotted in ctx.ds.primaryKey,
        }
        if dotted in top and dotted in ctx.ds.partitionBy:
            entry["isPartitioningKey"] = True
        if f.description:
            entry["description"] = f.description
        if f.pii:
            entry["globalTags"] = {"tags": [{"tag": f"urn:li:tag:{PII_TAG}"}]}
        level = ctx.classification.get(dotted)
        if level is not None:
            entry["glossaryTerms"] = {"terms": [{"urn": f"urn:li:glossaryTerm:{term_name(level)}"}],
                                      "auditStamp": STAMP}
        out.append(entry)
    return out


def declared_classification(ds: Dataset) -> dict[str, str]:
    """Dotted name → the classification a field declares (or `confidential` for personal data)."""
    return {dotted: f.classification or "confidential" for dotted, f in dotted_fields(ds.fields)
            if f.classification or f.pii}


def schema_metadata(ctx: SchemaContext, platform: str, name: str, platform_schema: dict[str, Any]) -> dict[str, Any]:
    paths = ctx.paths
    return {
        "schemaName": name,
        "platform": f"urn:li:dataPlatform:{urn_part(platform)}",
        "version": 0,
        "created": STAMP,
        "lastModified": STAMP,
        "hash": "",
        "platformSchema": platform_schema,
        "fields": schema_fields(ctx),
        "primaryKeys": [paths[k] for k in ctx.ds.primaryKey if k in paths],
    }
