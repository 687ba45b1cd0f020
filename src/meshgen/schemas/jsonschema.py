"""JSON Schema (draft 2020-12) of datasets, for records in the canonical JSON form: a pure
builder over (product, dataset, reporter), embedded by the OpenAPI and AsyncAPI documents and
the registry subjects, and the input of the pydantic models.

The canonical form is the one spec examples are written in: decimals, dates, times and
timestamps are strings, bytes are base64. Each type's schema says exactly that form, so a
record is valid here if and only if meshgen accepts it as an example (see model/values.py).

`required: true` means never null: the field is not nullable, and it is listed in `required`
unless it has a `default` (then a reader may assume the default when it is absent, as in Avro).
A field that is not required may be absent or null.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, SchemaField
from meshgen.model.types import DataType, Kind
from meshgen.model.values import INT_RANGE
from meshgen.schemas.privacy import x_keywords
from meshgen.schemas.reporter import Reporter
from meshgen.targets.base import pascal_case

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Canonical text forms without a zone: JSON Schema's `time` and `date-time` formats (RFC 3339)
# require an offset, so a zone-less value is a pattern, not a format. The patterns accept only
# real clock times and calendar dates (no 25:61:61, no 2026-02-29), as meshgen does (issue 9.8):
# validators treat `format` as an annotation unless told otherwise, so a date carries the pattern
# too. No lookaround: pydantic checks patterns with Rust's regex crate.
_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
_YEAR = r"([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"  # 0001-9999
_LEAP_YEAR = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
_CALENDAR = (rf"({_YEAR}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
             rf"|(0[13578]|1[02])-31)|{_LEAP_YEAR}-02-29)")
DATE_PATTERN = rf"^{_CALENDAR}$"
TIME_PATTERN = rf"^{_CLOCK}$"
TIMESTAMP_NTZ_PATTERN = rf"^{_CALENDAR}T{_CLOCK}$"
BASE64_PATTERN = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"

# meshgen type → JSON Schema, for the kinds whose schema is fixed.
JSON_SCHEMA_TYPES: dict[Kind, dict[str, Any]] = {
    Kind.STRING: {"type": "string"},
    Kind.FLOAT: {"type": "number"},
    Kind.DOUBLE: {"type": "number"},
    Kind.BOOLEAN: {"type": "boolean"},
    Kind.DATE: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    Kind.TIME: {"type": "string", "pattern": TIME_PATTERN},
    Kind.TIMESTAMP: {"type": "string", "format": "date-time"},
    Kind.TIMESTAMP_NTZ: {"type": "string", "pattern": TIMESTAMP_NTZ_PATTERN},
    Kind.BYTES: {"type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN},
    Kind.UUID: {"type": "string", "format": "uuid"},
}
_JSON_TYPE_KINDS = {"string": Kind.STRING, "number": Kind.DOUBLE, "integer": Kind.LONG, "boolean": Kind.BOOLEAN,
                    "array": Kind.ARRAY}
_FORMAT_KINDS = {"date": Kind.DATE, "date-time": Kind.TIMESTAMP, "uuid": Kind.UUID, "time": Kind.TIME}
_PATTERN_KINDS = {DATE_PATTERN: Kind.DATE, TIME_PATTERN: Kind.TIME, TIMESTAMP_NTZ_PATTERN: Kind.TIMESTAMP_NTZ, BASE64_PATTERN: Kind.BYTES}


def kind_of_json_schema(schema: dict[str, Any]) -> Kind | None:
    """The meshgen kind a (non-null) JSON Schema reads as, None when it names no one type.
    `number` reads as double and `integer` as long: the widest, losing nothing."""
    if "enum" in schema:
        return Kind.ENUM
    if schema.get("pattern") in _PATTERN_KINDS:
        return _PATTERN_KINDS[schema["pattern"]]
    if schema.get("contentEncoding") == "base64":
        return Kind.BYTES
    if schema.get("format") in _FORMAT_KINDS:
        return _FORMAT_KINDS[schema["format"]]
    if schema.get("format") in ("int32", "float"):  # OpenAPI's formats
        return Kind.INT if schema["format"] == "int32" else Kind.FLOAT
    t = schema.get("type")
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        t = rest[0] if len(rest) == 1 else None
    if t == "object":
        return Kind.STRUCT if "properties" in schema else Kind.MAP
    if t == "integer" and schema.get("maximum") == INT_RANGE[Kind.INT][1]:
        return Kind.INT
    return _JSON_TYPE_KINDS.get(t) if isinstance(t, str) else (Kind.JSON if schema.get("not") == {"type": "null"} else None)


def decimal_pattern(precision: int, scale: int, negative: bool = True) -> str:
    """The canonical text of decimal(p,s): at most p-s integer digits and s fraction digits."""
    sign = "-?" if negative else ""
    whole = precision - scale
    integer = f"[0-9]{{1,{whole}}}" if whole > 0 else "0"
    if scale == 0:
        return f"^{sign}{integer}$"
    return f"^{sign}{integer}(\\.[0-9]{{1,{scale}}})?$"


ANNOTATIONS = ("description", "deprecated", "default", "examples")


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, also accepting null."""
    out = dict(schema)
    if "not" in out:  # json: a required value is anything but null; a nullable one is anything
        out.pop("not")
        return out
    if out.get("type") == "object" and "properties" not in out:
        # A map: as `anyOf` with null (a type list loses the value type in datamodel-code-generator).
        notes = {k: out.pop(k) for k in ANNOTATIONS if k in out}
        return {"anyOf": [out, {"type": "null"}], **notes}
    if "enum" in out:
        out["enum"] = list(out["enum"]) + [None]
    out["type"] = [out["type"], "null"]
    return out


def non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's schema without its null alternative (for parameters, which are never null)."""
    out = dict(schema)
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        out["type"] = types[0] if len(types) == 1 else types
    if "enum" in out:
        out["enum"] = [v for v in out["enum"] if v is not None]
    if "anyOf" in out:
        branches = [b for b in out.pop("anyOf") if b != {"type": "null"}]
        out.update(branches[0])
    for key in ("default", "examples", "deprecated"):
        out.pop(key, None)
    return out


def schema_id(pf: ProductFile, ds: Dataset) -> str:
    p = pf.product
    parts = [p.domain, p.name, f"v{p.major}", ds.name]
    return "urn:meshgen:" + ":".join(quote(part, safe="") for part in parts)


# OpenAPI's formats for numbers: code generators read them to choose the integer and float width.
NUMBER_FORMATS = {Kind.INT: "int32", Kind.LONG: "int64", Kind.FLOAT: "float", Kind.DOUBLE: "double"}


def json_schema_document(pf: ProductFile, ds: Dataset, reporter: Reporter, *,
                         number_formats: bool = False) -> dict[str, Any]:
    """The standalone schema document (the jsonschema target's file): the record schema with
    $schema, $id and the dataset's examples. `number_formats`: numbers carry OpenAPI's `format`."""
    schema: dict[str, Any] = {"$schema": DRAFT, "$id": schema_id(pf, ds)}
    schema.update(json_schema(pf, ds, reporter, number_formats=number_formats))
    if ds.examples:
        schema["examples"] = copy.deepcopy(ds.examples)
    return schema


def shared_json_schema_document(pf: ProductFile, ds: Dataset, reporter: Reporter) -> dict[str, Any]:
    """json_schema_document, built once per dataset for the two targets that read it whole (the
    jsonschema target's file and the pydantic models' input): both get the same dict, which they
    must not change, and what its build reported is reported to each one's reporter again. The
    second reader takes it out of the product's cache, so no document outlives its two uses."""
    cache = pf.__dict__.setdefault("_shared_json_schemas", {})
    key = (ds.name, reporter.strict)
    hit = cache.pop(key, None)
    if hit is None or hit[0] is not ds:
        recorded = Reporter(strict=reporter.strict)
        hit = (ds, json_schema_document(pf, ds, recorded), recorded.diagnostics)
        cache[key] = hit
    for diagnostic in hit[2]:
        reporter.report(diagnostic)
    return hit[1]


def embedded_json_schema(pf: ProductFile, ds: Dataset, reporter: Reporter, *,
                         number_formats: bool = False) -> dict[str, Any]:
    """The document without $schema and $id, to embed in another document (OpenAPI, AsyncAPI)."""
    schema = json_schema_document(pf, ds, reporter, number_formats=number_formats)
    schema.pop("$schema")
    schema.pop("$id")
    return schema


def json_schema(pf: ProductFile, ds: Dataset, reporter: Reporter, *, number_formats: bool = False) -> dict[str, Any]:
    """The dataset's record schema: one object with a property per field."""
    path = pf.dataset_path(ds.name)
    build = _JsonSchemaBuild(pf, reporter, number_formats)
    schema = build.object(list(ds.fields), path)
    schema["title"] = pascal_case(ds.name)
    if ds.description:
        schema["description"] = ds.description
    return schema


class _JsonSchemaBuild:
    def __init__(self, pf: ProductFile, reporter: Reporter, number_formats: bool = False):
        self.pf, self.reporter, self.number_formats = pf, reporter, number_formats

    def object(self, fields: list[SchemaField], path: tuple) -> dict[str, Any]:
        properties = {f.name: self.field(f, path + ("fields", i)) for i, f in enumerate(fields)}
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        required = [f.name for f in fields if f.required and f.default is None]
        if required:
            schema["required"] = required
        return schema

    def field(self, f: SchemaField, path: tuple) -> dict[str, Any]:
        schema = self.type(f.data_type, path)
        if f.maxLength is not None:  # only strings and uuids have these three
            schema["maxLength"] = f.maxLength
        if f.minLength is not None:
            schema["minLength"] = f.minLength
        if f.pattern is not None:
            schema["pattern"] = f.pattern
        if f.minimum is not None or f.maximum is not None:
            self.bounds(f, schema, path)
        if f.description:
            schema["description"] = f.description
        if f.deprecated:
            schema["deprecated"] = True
        if f.default is not None:
            schema["default"] = f.default
        if f.examples:
            schema["examples"] = copy.deepcopy(f.examples)
        schema = schema if f.required else nullable(schema)
        if f.pii or f.classification or f.protection:  # an unmarked field has no x- keywords
            schema.update(x_keywords(f))
        return schema

    def bounds(self, f: SchemaField, schema: dict[str, Any], path: tuple) -> None:
        t = f.data_type
        if t.kind is Kind.DECIMAL:
            # Decimals are strings: a bound of 0 is the sign; other bounds have no JSON Schema form.
            if f.minimum is not None and f.minimum >= 0:
                schema["pattern"] = decimal_pattern(t.precision, t.scale, negative=False)
            unchecked = [(k, v) for k, v in (("minimum", f.minimum), ("maximum", f.maximum))
                         if v is not None and not (k == "minimum" and v == 0)]
            for key, value in unchecked:
                self.reporter.unsupported(
                    "JSONSCHEMA001",
                    f"{key} {value} of decimal field {f.name!r} cannot be checked by JSON Schema: decimals are "
                    "strings there, so the bound is only stated in the description",
                    self.pf.location(*path, key), "check the bound in a quality check, or use minimum: 0 (which is exact)")
                note = f"{key} {value}"
                schema["description"] = (schema.get("description", "") + f" ({note})").strip()
            return
        for key in ("minimum", "maximum"):
            value = getattr(f, key)
            if value is None:
                continue
            current = schema.get(key)
            if current is None or (key == "minimum" and value > current) or (key == "maximum" and value < current):
                schema[key] = value

    def type(self, t: DataType, path: tuple) -> dict[str, Any]:
        schema = self.base_type(t, path)
        if self.number_formats and t.kind in NUMBER_FORMATS:
            schema["format"] = NUMBER_FORMATS[t.kind]
        return schema

    def base_type(self, t: DataType, path: tuple) -> dict[str, Any]:
        kind = t.kind
        if kind in JSON_SCHEMA_TYPES:
            return dict(JSON_SCHEMA_TYPES[kind])
        if kind in (Kind.INT, Kind.LONG):
            lo, hi = INT_RANGE[kind]
            return {"type": "integer", "minimum": lo, "maximum": hi}
        if kind is Kind.DECIMAL:
            return {"type": "string", "pattern": decimal_pattern(t.precision, t.scale)}
        if kind is Kind.JSON:
            return {"not": {"type": "null"}}
        if kind is Kind.ENUM:
            return {"type": "string", "enum": list(t.symbols)}
        if kind is Kind.ARRAY:
            return {"type": "array", "items": self.type(t.items, path + ("items",))}
        if kind is Kind.MAP:
            return {"type": "object", "additionalProperties": self.type(t.values, path + ("values",))}
        if kind is Kind.STRUCT:
            return self.object(list(t.fields), path)
        raise AssertionError(f"unmapped kind {kind}")  # pragma: no cover
