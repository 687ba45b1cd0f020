"""A dataset as an ODCS v3.1 schema object: its properties with logical and physical types, keys,
classification, examples, nested properties and quality rules.

The logical type is ODCS's (`string`, `integer`, `number`, `boolean`, `date`, `time`,
`timestamp`, `object`, `array`) with `logicalTypeOptions` for what ODCS can say (lengths,
pattern, bounds, integer and float widths, the time zone of a timestamp, uuid and binary
formats). The physical type is the type the port's platform stores: the warehouse's column
type (meshgen.dialects) for a table, the Avro, JSON or Protobuf type of an event or API
payload, the Delta (Spark) type of Delta files. What ODCS has no field for is a custom
property: `meshgenType` (the type expression, where the logical type does not determine it),
`pii`, `protection`, `default`, `deprecated`, `replacedBy`, `deprecationDate`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from meshgen.dialects import DIALECTS, dialect
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, OutputPort, QualityCheck, SchemaField
from meshgen.model.types import DataType, Kind
from meshgen.schemas.avro import AVRO_TYPES
from meshgen.schemas.jsonschema import JSON_SCHEMA_TYPES
from meshgen.schemas.protobuf import PROTO_TYPES, WELL_KNOWN
from meshgen.schemas.reporter import Reporter
from meshgen.targets.quality_checks import value_conditions

STABLE_ID = re.compile(r"^[A-Za-z0-9_-]+$")  # ODCS's StableId: what an `id` may hold

# meshgen kind → (ODCS logical type, its logicalTypeOptions)
LOGICAL: dict[Kind, tuple[str, dict[str, Any]]] = {
    Kind.STRING: ("string", {}),
    Kind.UUID: ("string", {"format": "uuid"}),
    Kind.BYTES: ("string", {"format": "binary"}),
    Kind.ENUM: ("string", {}),
    Kind.INT: ("integer", {"format": "i32"}),
    Kind.LONG: ("integer", {"format": "i64"}),
    Kind.FLOAT: ("number", {"format": "f32"}),
    Kind.DOUBLE: ("number", {"format": "f64"}),
    Kind.DECIMAL: ("number", {}),
    Kind.BOOLEAN: ("boolean", {}),
    Kind.DATE: ("date", {}),
    Kind.TIME: ("time", {}),
    Kind.TIMESTAMP: ("timestamp", {"timezone": True}),
    Kind.TIMESTAMP_NTZ: ("timestamp", {"timezone": False}),
    Kind.JSON: ("object", {}),
    Kind.MAP: ("object", {}),
    Kind.STRUCT: ("object", {}),
    Kind.ARRAY: ("array", {}),
}
# Kinds the logical type and its options do not tell apart: the property carries `meshgenType`.
NEEDS_MESHGEN_TYPE = (Kind.DECIMAL, Kind.JSON, Kind.MAP)

SCHEMA_OBJECT_TYPES = {"table": "table", "events": "topic", "files": "file", "rest": "rest", "grpc": "grpc"}


# ---- Physical types ------------------------------------------------------------------------

def _avro_type(t: DataType) -> str:
    if t.kind in AVRO_TYPES:
        avro = AVRO_TYPES[t.kind]
        return avro["logicalType"] if isinstance(avro, dict) else avro
    return {Kind.DECIMAL: str(t), Kind.ENUM: "enum", Kind.ARRAY: "array", Kind.MAP: "map",
            Kind.STRUCT: "record"}[t.kind]


def _json_type(t: DataType) -> str:
    if t.kind in JSON_SCHEMA_TYPES:
        return JSON_SCHEMA_TYPES[t.kind]["type"]
    return {Kind.INT: "integer", Kind.LONG: "integer", Kind.DECIMAL: "string", Kind.JSON: "any", Kind.ENUM: "string",
            Kind.ARRAY: "array", Kind.MAP: "object", Kind.STRUCT: "object"}[t.kind]


def _proto_type(t: DataType) -> str:
    if t.kind in PROTO_TYPES:
        return PROTO_TYPES[t.kind]
    if t.kind in WELL_KNOWN:
        return WELL_KNOWN[t.kind][0]
    if t.kind is Kind.ARRAY:
        return f"repeated {_proto_type(t.items)}"
    if t.kind is Kind.MAP:
        return f"map<string, {_proto_type(t.values)}>"
    return {Kind.ENUM: "enum", Kind.STRUCT: "message"}[t.kind]


PhysicalType = Callable[[DataType, Optional[int]], Optional[str]]  # (type, maxLength) → the platform's type


def physical_types(port: OutputPort) -> PhysicalType:
    """How the port's platform names a type: a warehouse's column type for a table port, the
    payload format's type for events, rest (JSON) and grpc (Protobuf), Spark's for Delta files;
    meshgen's own type expression where the platform has no type system of its own."""
    platform = port.platform if port.type == "table" else ("databricks" if port.format == "delta" else None)
    if platform in DIALECTS:
        d = dialect(platform)
        return lambda t, n: d.column_type(t, [], "", n, nested=False)
    fmt = port.format or {"events": "avro", "rest": "json", "grpc": "protobuf"}.get(port.type)
    by_format = {"avro": _avro_type, "json": _json_type, "protobuf": _proto_type}.get(fmt or "")
    if by_format is not None:
        return lambda t, n: by_format(t)
    return lambda t, n: str(t) if not t.kind.is_complex or _expressible(t) else t.kind.value


def _expressible(t: DataType) -> bool:
    """A type that one type expression says whole (no enum or struct inside)."""
    return all(node.kind not in (Kind.ENUM, Kind.STRUCT) for node in t.walk())


# ---- Numbers and thresholds ----------------------------------------------------------------

def plain_value(value: Any) -> Any:
    """An example or default in its canonical text where YAML would read another type back
    (a date written unquoted is ISO 8601 text, as meshgen's canonical form says)."""
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return plain_number(value)


def plain_number(value: Any) -> Any:
    """An exact spec number as YAML can write it: Decimals as int or float."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def threshold(check: QualityCheck) -> dict[str, Any]:
    """The check's bound as ODCS operators (`5%` is 5 with `unit: percent`)."""
    if check.mustBeBetween is not None:
        low, high = (plain_number(v) for v in check.mustBeBetween)
        return {"mustBe": low} if low == high else {"mustBeBetween": [low, high]}
    for key in ("mustBe", "mustBeLessThan", "mustBeGreaterThan"):
        value = getattr(check, key)
        if isinstance(value, str):  # a ratio: the model accepts only `N%` as text
            number = float(value.strip()[:-1])
            return {key: int(number) if number.is_integer() else number, "unit": "percent"}
        if value is not None:
            return {key: plain_number(value)}
    raise AssertionError("a quality check has one bound")  # pragma: no cover


# ---- The schema object ---------------------------------------------------------------------

@dataclass
class SchemaBuild:
    """One dataset's schema object for one port."""

    pf: ProductFile
    ds: Dataset
    port: OutputPort
    reporter: Reporter
    physical: PhysicalType = field(init=False)
    rules_by_field: dict[str, list[QualityCheck]] = field(init=False)
    # A warehouse's stand-in for nested types (JSONB, VARIANT...): it types nothing inside.
    untyped_inside: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.physical = physical_types(self.port)
        platform = self.port.platform if self.port.type == "table" else None
        self.untyped_inside = frozenset(dialect(platform).fallback.values()) if platform in DIALECTS else frozenset()
        self.rules_by_field = {}
        for check in self.ds.quality:
            if check.field is not None and self.ds.field_path(check.field) is not None:
                self.rules_by_field.setdefault(check.field, []).append(check)

    def schema_object(self, physical_name: str | None) -> dict[str, Any]:
        ds = self.ds
        obj: dict[str, Any] = {"name": ds.name, "logicalType": "object",
                               "physicalType": SCHEMA_OBJECT_TYPES[self.port.type],
                               "properties": self.properties(ds.fields, "", top=True)}
        if STABLE_ID.match(ds.name):
            obj["id"] = ds.name
        if physical_name:
            obj["physicalName"] = physical_name
        if ds.description:
            obj["description"] = ds.description
        rules = [self.rule(c) for c in ds.quality if c.field is None or c.field not in self.rules_by_field]
        if rules:
            obj["quality"] = rules
        custom = []
        if ds.examples:
            custom.append({"property": "examples", "value": plain_value(ds.examples)})
        if ds.sampleQueries:
            custom.append({"property": "sampleQueries",
                           "value": [{"title": q.title, "sql": q.sql} for q in ds.sampleQueries]})
        if custom:
            obj["customProperties"] = custom
        return obj

    def properties(self, fields, prefix: str, top: bool, typed: bool = True) -> list[dict[str, Any]]:
        return [self.property(f, prefix, top, typed) for f in fields]

    def property(self, f: SchemaField, prefix: str, top: bool, typed: bool = True) -> dict[str, Any]:
        dotted = prefix + f.name
        prop: dict[str, Any] = {"name": f.name, "required": f.required}
        prop.update(self.type_keys(f.data_type, dotted, f, typed))
        if f.description:
            prop["description"] = f.description
        if f.unique:
            prop["unique"] = True
        if top and f.name in self.ds.primaryKey:
            prop["primaryKey"], prop["primaryKeyPosition"] = True, self.ds.primaryKey.index(f.name) + 1
        if top and f.name in self.ds.partitionBy:
            prop["partitioned"], prop["partitionKeyPosition"] = True, self.ds.partitionBy.index(f.name) + 1
        if f.classification or f.pii:
            prop["classification"] = f.effective_classification
        if f.pii:
            prop["tags"] = ["pii"]
        if f.examples:
            prop["examples"] = plain_value(list(f.examples))
        rules = prop.pop("quality", []) + [self.rule(c) for c in self.rules_by_field.get(dotted, [])]
        if rules:
            prop["quality"] = rules
        custom = prop.pop("customProperties", []) + field_custom_properties(f)
        if custom:
            prop["customProperties"] = custom
        return prop

    def type_keys(self, t: DataType, dotted: str, f: SchemaField | None, typed: bool = True) -> dict[str, Any]:
        """logicalType, its options, physicalType (`typed`: the platform types this level), and
        the members or items of a nested type."""
        logical, options = LOGICAL[t.kind]
        out: dict[str, Any] = {"logicalType": logical}
        options = {**options, **(_field_options(f, logical) if f is not None else {})}
        if options:
            out["logicalTypeOptions"] = options
        physical = self.physical(t, f.maxLength if f is not None else None) if typed else None
        if physical:
            out["physicalType"] = physical
        inside = typed and physical not in self.untyped_inside
        if t.kind is Kind.STRUCT:
            out["properties"] = self.properties(t.fields, dotted + ".", top=False, typed=inside)
        elif t.kind is Kind.ARRAY:
            out["items"] = self.type_keys(t.items, dotted, None, inside)
        if t.kind is Kind.ENUM:
            out["quality"] = [{"type": "library", "metric": "invalidValues", "arguments": {"validValues": list(t.symbols)},
                               "mustBe": 0, "dimension": "conformity",
                               "description": "Every value is one of the enum's symbols."}]
        if t.kind in NEEDS_MESHGEN_TYPE:
            if _expressible(t):
                out["customProperties"] = [{"property": "meshgenType", "value": str(t)}]
            elif f is not None:
                self.reporter.unsupported(
                    "ODCS001", f"field {dotted!r} is a map of {t.values.kind.value}s: ODCS has no map type, so the "
                    "contract says it is an object and gives its value type only as the physical type",
                    self.field_location(dotted, "type"),
                    "a map of scalars is carried whole (customProperties meshgenType)")
        return out

    def field_location(self, dotted: str, key: str):
        path = self.pf.field_path(self.ds.name, dotted)
        while path and path[-1] in ("fields", "items", "values"):  # the path leads on into a nested type
            path = path[:-1]
        return self.pf.location(*path, key)

    def rule(self, check: QualityCheck) -> dict[str, Any]:
        """A dataset quality check as an ODCS rule: a library metric or a SQL query on `{model}`."""
        rule: dict[str, Any] = {"name": check.id}
        if STABLE_ID.match(check.id):
            rule["id"] = check.id
        if check.description:
            rule["description"] = check.description
        if check.dimension:
            rule["dimension"] = check.dimension
        bound = threshold(check)
        if check.sql is not None:
            # datacontract-cli fills `{model}` with the object's table; `{dataset}` is meshgen's word for it.
            rule.update({"type": "sql", "query": check.sql.replace("{dataset}", "{model}")})
        elif check.metric == "invalidValues" and not self.valid_values(check):
            rule.update({"type": "sql", "query": self.invalid_values_query(check, percent="unit" in bound)})
        else:
            rule.update({"type": "library", "metric": check.metric})
            arguments = self.valid_values(check) if check.metric == "invalidValues" else {}
            if arguments:
                rule["arguments"] = arguments
        rule.update(bound)
        return rule

    def valid_values(self, check: QualityCheck) -> dict[str, Any]:
        """What ODCS's invalidValues tests against: the enum's symbols, the field's pattern."""
        f = self.ds.field_path(check.field) if check.field else None
        args: dict[str, Any] = {}
        if f is not None and f.data_type.kind is Kind.ENUM:
            args["validValues"] = list(f.data_type.symbols)
        if f is not None and f.pattern is not None:
            args["pattern"] = f.pattern
        return args

    def invalid_values_query(self, check: QualityCheck, percent: bool) -> str:
        """meshgen's invalidValues counts the values that break the field's constraints; without
        symbols or a pattern ODCS's metric cannot say that, so the rule is the query that counts
        them, on `{model}` and `{field}` (datacontract-cli's placeholders), in the port's SQL."""
        f = self.ds.field(check.field or "")
        d = dialect(self.port.platform if self.port.type == "table" and self.port.platform in DIALECTS else "duckdb")
        conditions = [cond(d, "{field}") for _, _, cond in value_conditions(f)] if f is not None else []
        if not conditions:
            self.reporter.unsupported(
                "ODCS002", f"check {check.id!r} (invalidValues) names a field with no constraint ODCS can test: "
                "the contract's rule counts no rows", self.pf.location(*self.pf.dataset_path(self.ds.name), "quality"),
                "give the field symbols, a pattern, bounds or lengths, or write the check as `sql`")
            conditions = ["1 = 0"]
        bad = f"{{field}} IS NOT NULL AND ({' OR '.join(conditions)})"
        if percent:
            return f"SELECT 100.0 * SUM(CASE WHEN {bad} THEN 1 ELSE 0 END) / COUNT(*) FROM {{model}}"
        return f"SELECT COUNT(*) FROM {{model}} WHERE {bad}"


def _field_options(f: SchemaField, logical: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if logical == "string":
        for key in ("minLength", "maxLength", "pattern"):
            if getattr(f, key) is not None:
                options[key] = getattr(f, key)
    if logical in ("integer", "number"):
        for key in ("minimum", "maximum"):
            if getattr(f, key) is not None:
                options[key] = plain_number(getattr(f, key))
    return options


def field_custom_properties(f: SchemaField) -> list[dict[str, Any]]:
    """What a field says that ODCS has no key for."""
    custom: list[dict[str, Any]] = []
    if f.pii:
        custom.append({"property": "pii", "value": True})
    if f.protection:
        custom.append({"property": "protection", "value": f.protection})
    if f.default is not None:
        custom.append({"property": "default", "value": plain_value(f.default)})
    if f.deprecated:
        custom.append({"property": "deprecated", "value": True})
    if f.replacedBy:
        custom.append({"property": "replacedBy", "value": f.replacedBy})
    if f.deprecationDate:
        custom.append({"property": "deprecationDate", "value": f.deprecationDate.isoformat()})
    return custom
