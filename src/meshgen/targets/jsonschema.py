"""JSON Schema (draft 2020-12): one schema per dataset, for records in the canonical JSON form.

The canonical form is the one spec examples are written in: decimals, dates, times and
timestamps are strings, bytes are base64. Each type's schema says exactly that form, so a
record is valid here if and only if meshgen accepts it as an example (see spec/values.py).

`required: true` means never null: the field is not nullable, and it is listed in `required`
unless it has a `default` (then a reader may assume the default when it is absent, as in Avro).
A field that is not required may be absent or null.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable
from urllib.parse import quote

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, SchemaField
from meshgen.model.types import DataType, Kind
from meshgen.model.values import INT_RANGE
from meshgen.targets.base import CANNOT_EXPRESS, Target, pascal_case

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Canonical text forms without a zone: JSON Schema's `time` and `date-time` formats (RFC 3339)
# require an offset, so a zone-less value is a pattern, not a format.
TIME_PATTERN = r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"
TIMESTAMP_NTZ_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"
BASE64_PATTERN = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"

SCALARS: dict[Kind, dict[str, Any]] = {
    Kind.STRING: {"type": "string"},
    Kind.FLOAT: {"type": "number"},
    Kind.DOUBLE: {"type": "number"},
    Kind.BOOLEAN: {"type": "boolean"},
    Kind.DATE: {"type": "string", "format": "date"},
    Kind.TIME: {"type": "string", "pattern": TIME_PATTERN},
    Kind.TIMESTAMP: {"type": "string", "format": "date-time"},
    Kind.TIMESTAMP_NTZ: {"type": "string", "pattern": TIMESTAMP_NTZ_PATTERN},
    Kind.BYTES: {"type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN},
    Kind.UUID: {"type": "string", "format": "uuid"},
}


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


def schema_id(pf: ProductFile, ds: Dataset) -> str:
    p = pf.product
    parts = [p.domain, p.name, f"v{p.major}", ds.name]
    return "urn:meshgen:" + ":".join(quote(part, safe="") for part in parts)


class JsonSchemaTarget(Target):
    name = "jsonschema"
    codes = CodeFamily("JSONSCHEMA", "The JSON Schema target can express the product.", "docs/targets-jsonschema.md", (
        DiagnosticCode("JSONSCHEMA001", CANNOT_EXPRESS,
                       'a bound of a decimal field cannot be checked (decimals are strings); it is '
                       'stated in the description'),
    ), target="jsonschema")
    description = "JSON Schema (draft 2020-12), one per dataset, for records in the canonical JSON form"

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for ds in pf.product.datasets:
            yield Artifact(f"{ds.name}.schema.json", self.render("schema.json.j2", schema=self.document(pf, ds)))

    def document(self, pf: ProductFile, ds: Dataset) -> dict[str, Any]:
        """The standalone schema document: the record schema with $schema, $id and the examples."""
        schema: dict[str, Any] = {"$schema": DRAFT, "$id": schema_id(pf, ds)}
        schema.update(self.record_schema(pf, ds))
        if ds.examples:
            schema["examples"] = copy.deepcopy(ds.examples)
        return schema

    # Also used by the OpenAPI and AsyncAPI targets, which embed it.
    def record_schema(self, pf: ProductFile, ds: Dataset) -> dict[str, Any]:
        path = pf.dataset_path(ds.name)
        schema = self._object(pf, list(ds.fields), path)
        schema["title"] = pascal_case(ds.name)
        if ds.description:
            schema["description"] = ds.description
        return schema

    def _object(self, pf: ProductFile, fields: list[SchemaField], path: tuple) -> dict[str, Any]:
        properties = {f.name: self._field(pf, f, path + ("fields", i)) for i, f in enumerate(fields)}
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        required = [f.name for f in fields if f.required and f.default is None]
        if required:
            schema["required"] = required
        return schema

    def _field(self, pf: ProductFile, f: SchemaField, path: tuple) -> dict[str, Any]:
        schema = self._type(pf, f.data_type, path)
        for key in ("maxLength", "minLength", "pattern"):  # only strings and uuids have them
            value = getattr(f, key)
            if value is not None:
                schema[key] = value
        if f.minimum is not None or f.maximum is not None:
            self._bounds(pf, f, schema, path)
        if f.description:
            schema["description"] = f.description
        if f.deprecated:
            schema["deprecated"] = True
        if f.default is not None:
            schema["default"] = f.default
        if f.examples:
            schema["examples"] = copy.deepcopy(f.examples)
        return schema if f.required else nullable(schema)

    def _bounds(self, pf: ProductFile, f: SchemaField, schema: dict[str, Any], path: tuple) -> None:
        t = f.data_type
        if t.kind is Kind.DECIMAL:
            # Decimals are strings: a bound of 0 is the sign; other bounds have no JSON Schema form.
            if f.minimum is not None and f.minimum >= 0:
                schema["pattern"] = decimal_pattern(t.precision, t.scale, negative=False)
            unchecked = [(k, v) for k, v in (("minimum", f.minimum), ("maximum", f.maximum))
                         if v is not None and not (k == "minimum" and v == 0)]
            for key, value in unchecked:
                self.unsupported(
                    "JSONSCHEMA001",
                    f"{key} {value} of decimal field {f.name!r} cannot be checked by JSON Schema: decimals are "
                    "strings there, so the bound is only stated in the description",
                    pf.location(*path, key), "check the bound in a quality check, or use minimum: 0 (which is exact)")
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

    def _type(self, pf: ProductFile, t: DataType, path: tuple) -> dict[str, Any]:
        kind = t.kind
        if kind in SCALARS:
            return dict(SCALARS[kind])
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
            return {"type": "array", "items": self._type(pf, t.items, path + ("items",))}
        if kind is Kind.MAP:
            return {"type": "object", "additionalProperties": self._type(pf, t.values, path + ("values",))}
        if kind is Kind.STRUCT:
            return self._object(pf, list(t.fields), path)
        raise AssertionError(f"unmapped kind {kind}")  # pragma: no cover

