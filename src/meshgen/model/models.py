"""The `meshgen/v1` vocabulary as strict pydantic models.

Unknown keys are errors. Each key's `description` is its documentation: docs/spec-reference.md
and the published JSON Schema are generated from these models.
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic_core import PydanticCustomError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field as F,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from meshgen.dialects import DIALECTS
from meshgen.model.cron import CronError, parse_cron, schedule_for_freshness
from meshgen.model.patterns import PatternError, compile_pattern
from meshgen.model.types import MAX_TYPE_DEPTH, DataType, Kind, TypeSyntaxError, parse_type
from meshgen.model.values import ValueProblem, duration_seconds, parse_ratio, to_python

API_VERSION = "meshgen/v1"

# ---- Scalar types ------------------------------------------------------------------------

_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")


def _safe_name(value: str) -> str:
    # Names become folder and file names: nothing may escape the output folder, whatever the
    # naming policy says.
    if not value.strip():
        raise ValueError("a name cannot be empty")
    if _UNSAFE.search(value) or value in (".", "..") or ".." in value:
        raise ValueError(f"{value!r} cannot be used as a name: no '/', '\\', '..' or control characters")
    if len(value) > 128:
        raise ValueError("a name is at most 128 characters")
    return value


def _address_part(value: str) -> str:
    # The domain and name are parts of `data://<domain>/<name>/v<major>`, read as a URL: a ':'
    # would make the domain a host and a port, and whitespace ends the address.
    if ":" in value or any(ch.isspace() for ch in value):
        raise ValueError(f"{value!r} cannot be part of a product address: no ':' or whitespace")
    return value


def _duration(value: str) -> str:
    duration_seconds(value)
    return value


_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_ADDRESS = re.compile(r"^data://([^/\s]+)/([^/\s]+)/v(\d+)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _semver(value: str) -> str:
    if not _SEMVER.match(value):
        raise ValueError(f"{value!r} is not a semantic version such as 1.4.0")
    return value


def _address(value: str) -> str:
    if not _ADDRESS.match(value):
        raise ValueError(f"{value!r} is not a product address such as data://checkout/orders/v1")
    return value


def _cron(value: str) -> str:
    try:
        parse_cron(value)
    except CronError as exc:
        raise ValueError(f"{value!r} is not a schedule ({exc}): use a 5-field cron expression such as "
                         "'*/15 * * * *', or @hourly/@daily/@weekly/@monthly/@yearly") from None
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _pattern(value: str) -> str:
    try:
        compile_pattern(value)
    except PatternError as exc:
        raise ValueError(f"pattern {value!r} is not a valid RE2 regular expression: {exc}") from None
    return value


Name = Annotated[str, AfterValidator(_safe_name)]
AddressPart = Annotated[str, AfterValidator(_safe_name), AfterValidator(_address_part)]
Duration = Annotated[str, AfterValidator(_duration)]
_RATIO_SCHEMA = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                           {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"}]}
Ratio = Annotated[float, BeforeValidator(parse_ratio), WithJsonSchema(_RATIO_SCHEMA)]
SemVer = Annotated[str, AfterValidator(_semver)]
Address = Annotated[str, AfterValidator(_address)]
Cron = Annotated[str, AfterValidator(_cron)]
Email = Annotated[str, AfterValidator(_email)]
Pattern = Annotated[str, AfterValidator(_pattern)]
Date = Annotated[dt.date, F(strict=False)]
def _exact_number(value: Any) -> Any:
    """A bound as written: a YAML float whose shortest form is not what was written
    (99999999999999999.99) and a quoted number ("99999999999999999.99") become exact Decimals."""
    if isinstance(value, bool):
        return value  # refused by the union below
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        exact = decimal.Decimal(value.strip())
        return int(exact) if exact == exact.to_integral_value() and "." not in value and "e" not in value.lower() \
            else exact
    text = getattr(value, "text", None)
    if isinstance(value, float) and text and _DECIMAL_TEXT.fullmatch(text.strip()):
        exact = decimal.Decimal(text.strip())
        if exact.is_finite() and decimal.Decimal(repr(float(value))) != exact:
            return exact
    return value


_DECIMAL_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_NUMBER_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"}]}
# A number, exact: int, float, or a Decimal where a float would lose digits (issue 9.4).
Number = Annotated[Union[int, float, decimal.Decimal], BeforeValidator(_exact_number), WithJsonSchema(_NUMBER_SCHEMA)]
Threshold = Union[int, float, str]  # a number, or a ratio such as 5%

Classification = Literal["public", "internal", "confidential", "restricted"]
CLASSIFICATION_ORDER = ("public", "internal", "confidential", "restricted")
Protection = Literal["encrypt", "mask", "hash", "tokenize"]
Compatibility = Literal[
    "backward", "backward_transitive", "forward", "forward_transitive", "full", "full_transitive", "none"
]


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)


# ---- Schema ------------------------------------------------------------------------------

def _type_expression(cls, value: str) -> str:
    try:
        parse_type(value)
    except TypeSyntaxError as exc:
        # The offset lets the diagnostic point inside the expression, at the bad token.
        raise PydanticCustomError("type_syntax", "bad type {text}: {problem}",
                                  {"text": repr(value), "problem": str(exc), "offset": exc.offset}) from None
    return value


class TypeSpec(SpecModel):
    """The type of an array's items or a map's values: the same keys as a field's type."""

    type: str = F(description="The element type, in the field type grammar.", examples=["string", "struct"])
    items: Optional["TypeSpec"] = F(None, description="For `type: array`: the item type.")
    values: Optional["TypeSpec"] = F(None, description="For `type: map`: the value type (keys are strings).")
    fields: Optional[list["SchemaField"]] = F(None, description="For `type: struct`: its fields.")
    symbols: Optional[list[str]] = F(None, description="For `type: enum`: the allowed values.")
    description: Optional[str] = F(None, description="What the element is.", examples=["One line item."])

    _check_type = field_validator("type")(_type_expression)

    @model_validator(mode="after")
    def _build_type(self):
        if _built(self):
            return self
        _keep_type(self, _compose_type(self))
        return self

    @property
    def data_type(self) -> DataType:
        return self.__pydantic_private__["_data_type"]


# The composed type of a TypeSpec or SchemaField is kept in pydantic's private store, set by its
# after-validator, without a declared PrivateAttr: a model with private attributes has pydantic
# initialize them after validating each instance (~6 µs a field of a 100,000-field dataset), and
# reading `self._data_type` goes through its __getattr__ fallback (~20 µs); every pass asks every
# field for its type. Equality, copies and pickles carry the store as they carry private attributes.
def _keep_type(spec: "TypeSpec | SchemaField", data_type: DataType) -> None:
    object.__setattr__(spec, "__pydantic_private__", {"_data_type": data_type})


def _built(spec: "TypeSpec | SchemaField") -> bool:
    """Whether the after-validator already ran on this instance: pydantic runs the after-validator
    of a self-referencing model twice when the model is nested in another (a field of a
    dataset), and a second run would only redo the work of a wide dataset's every field."""
    return spec.__pydantic_private__ is not None


def _compose_type(spec: "TypeSpec | SchemaField") -> DataType:
    """The type expression plus the sibling keys (items, values, fields, symbols) → one node."""
    composed = _compose_type_keys(spec)
    if composed.depth > MAX_TYPE_DEPTH:
        what = f"field {spec.name!r}" if isinstance(spec, SchemaField) else "this element type"
        raise ValueError(f"{what} nests {composed.depth} levels of array, map and struct; "
                         f"at most {MAX_TYPE_DEPTH} are allowed (BigQuery's limit, the smallest of the targets)")
    return composed


_SCALAR_KINDS = frozenset(Kind) - {Kind.ENUM, Kind.STRUCT, Kind.ARRAY, Kind.MAP}


def _compose_type_keys(spec: "TypeSpec | SchemaField") -> DataType:
    base = parse_type(spec.type)
    kind = base.kind
    if kind in _SCALAR_KINDS and spec.symbols is None and spec.fields is None and spec.items is None \
            and spec.values is None:
        return base  # most fields of a wide dataset: nothing to compose or check

    def only_for(key: str, kinds: tuple[Kind, ...]) -> None:
        if getattr(spec, key) is not None and kind not in kinds:
            raise ValueError(f"`{key}` is only for type {' or '.join(k.value for k in kinds)}, not {spec.type!r}")

    only_for("symbols", (Kind.ENUM,))
    only_for("fields", (Kind.STRUCT,))
    only_for("items", (Kind.ARRAY,))
    only_for("values", (Kind.MAP,))
    if kind is Kind.ENUM:
        if not spec.symbols:
            raise ValueError("an enum needs `symbols`, e.g. symbols: [PLACED, PAID]")
        dupes = sorted(s for s, n in collections.Counter(spec.symbols).items() if n > 1)
        if dupes:
            raise ValueError(f"enum symbols repeat: {', '.join(dupes)}")
        return DataType(Kind.ENUM, symbols=tuple(spec.symbols))
    if kind is Kind.STRUCT:
        if not spec.fields:
            raise ValueError("a struct needs `fields`")
        _no_duplicate_names(spec.fields, "field")
        return DataType(Kind.STRUCT, fields=tuple(spec.fields))
    if kind is Kind.ARRAY:
        if base.items is not None:
            if spec.items is not None:
                raise ValueError(f"give the item type once: either {spec.type!r} or `items`")
            return base
        if spec.items is None:
            raise ValueError("an array needs its item type: array<string>, or `type: array` with `items:`")
        return DataType(Kind.ARRAY, items=spec.items.data_type)
    if kind is Kind.MAP:
        if base.values is not None:
            if spec.values is not None:
                raise ValueError(f"give the value type once: either {spec.type!r} or `values`")
            return base
        if spec.values is None:
            raise ValueError("a map needs its value type: map<string>, or `type: map` with `values:`")
        return DataType(Kind.MAP, values=spec.values.data_type)
    return base


def _no_duplicate_names(items: list, what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise ValueError(f"{what} name {item.name!r} is used twice")
        seen.add(item.name)


class SchemaField(SpecModel):
    """A column of a dataset, or a member of a struct."""

    name: Name = F(description="The field's name, unique within its dataset or struct.", examples=["order_id"])
    type: str = F(description="The field's type, in the grammar: string int long float double decimal(p,s) "
                              "boolean date time timestamp timestamp_ntz bytes uuid json enum array<T> map<T> struct.",
                  examples=["decimal(12,2)", "array<string>"])
    required: bool = F(False, examples=[True], description="The value is always present (never null). One meaning in every target: "
                                          "NOT NULL in SQL, a non-union type in Avro, `required` in JSON Schema.")
    unique: bool = F(False, description="No two rows share a value.", examples=[True])
    description: Optional[str] = F(None, description="What the field means.", examples=["Order identifier."])
    maxLength: Optional[int] = F(None, ge=1, description="For strings: the most characters (varchar(n) where the warehouse has it).", examples=[320])
    minLength: Optional[int] = F(None, ge=0, description="For strings: the fewest characters.", examples=[1])
    pattern: Optional[Pattern] = F(None, description="For strings: a regular expression (RE2 syntax: no backreferences or lookaround; matched in linear time) that every value matches somewhere.", examples=["^[A-Z]{3}$"])
    minimum: Optional[Number] = F(None, description="For numbers: the smallest allowed value, kept exact (quoted or not: \"99999999999999999.99\").", examples=[0])
    maximum: Optional[Number] = F(None, description="For numbers: the largest allowed value, kept exact.", examples=[100])
    default: Any = F(None, description="The value a consumer assumes when the field is absent.", examples=["EUR"])
    examples: Optional[list[Any]] = F(None, description="Example values.", examples=[["EUR", "USD"]])
    pii: bool = F(False, description="The field holds personal data.", examples=[True])
    classification: Optional[Classification] = F(None, description="public < internal < confidential < restricted.", examples=["confidential"])
    protection: Optional[Protection] = F(None, description="How personal data is protected: encrypt, mask, hash or tokenize.", examples=["mask"])
    deprecated: bool = F(False, description="The field is on its way out; consumers should move off it.", examples=[True])
    replacedBy: Optional[str] = F(None, description="For a deprecated field: the field that replaces it.", examples=["customer_id"])
    deprecationDate: Optional[Date] = F(None, description="For a deprecated field: when it may be removed.", examples=["2027-03-31"])
    symbols: Optional[list[str]] = F(None, description="For `type: enum`: the allowed values.")
    items: Optional[TypeSpec] = F(None, description="For `type: array`: the item type.")
    values: Optional[TypeSpec] = F(None, description="For `type: map`: the value type (keys are strings).")
    fields: Optional[list["SchemaField"]] = F(None, description="For `type: struct`: its fields.")

    _check_type = field_validator("type")(_type_expression)

    @model_validator(mode="after")
    def _build(self):
        if _built(self):
            return self
        data_type = _compose_type(self)
        kind = data_type.kind
        if (self.maxLength is not None or self.minLength is not None or self.pattern is not None) and not kind.is_textual:
            raise ValueError(f"maxLength, minLength and pattern are for strings; {self.name!r} is {self.type}")
        if (self.minimum is not None or self.maximum is not None) and not kind.is_numeric:
            raise ValueError(f"minimum and maximum are for numbers; {self.name!r} is {self.type}")
        if kind is not Kind.DECIMAL:  # only a decimal column holds more digits than a float
            for key in ("minimum", "maximum"):
                value = getattr(self, key)
                if isinstance(value, decimal.Decimal):
                    object.__setattr__(self, key, int(value) if value == value.to_integral_value() else float(value))
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is above maximum {self.maximum}")
        if self.default is not None:
            try:
                to_python(self.default, data_type)
            except ValueProblem as exc:
                raise ValueError(f"default {self.default!r} is not a valid {self.type}: {exc}") from None
        _keep_type(self, data_type)  # last: a field that fails a check is not built
        return self

    @property
    def data_type(self) -> DataType:
        return self.__pydantic_private__["_data_type"]

    # A wide product's record (meshgen.mesh.product_cache) holds 100,000 of these. pydantic's own
    # pickled form is a dict of the 22 values by name per field; these are the values in
    # declaration order (the names once, in the class), with the names written and the private
    # store as they are: half the bytes, about 0.5 s less to write and 0.1 s less to read at
    # 100,000 fields, the same model back. pydantic's form (a dict) is still read.
    def __getstate__(self) -> tuple:
        return tuple(map(self.__dict__.__getitem__, _FIELD_NAMES)), self.__pydantic_fields_set__, \
            self.__pydantic_private__

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, dict):
            super().__setstate__(state)
            return
        values, written, private = state
        object.__setattr__(self, "__dict__", dict(zip(_FIELD_NAMES, values)))
        object.__setattr__(self, "__pydantic_fields_set__", written)
        object.__setattr__(self, "__pydantic_extra__", None)  # extra="forbid": never any
        object.__setattr__(self, "__pydantic_private__", private)

    def members_path(self) -> tuple[str, ...] | None:
        """The keys from this field to its struct members' list, through `items` and `values`:
        ("fields",), ("items", "fields"), ("values", "items", "fields")...; None when no struct
        is below it. Governance and the loader place a member's diagnostics by it."""
        keys: list[str] = []
        spec: Any = self
        while spec.fields is None:
            if spec.items is not None:
                keys.append("items")
                spec = spec.items
            elif spec.values is not None:
                keys.append("values")
                spec = spec.values
            else:
                return None
        return tuple(keys) + ("fields",)

    @property
    def effective_classification(self) -> str:
        """`classification`, else `confidential` for personal data, else `public`: what every pass uses."""
        return self.classification or ("confidential" if self.pii else "public")


_FIELD_NAMES = tuple(SchemaField.model_fields)  # the order of a pickled field's values


class QualityCheck(SpecModel):
    """A data-quality check: a SQL query or a built-in metric, and the bound it must meet."""

    id: Name = F(description="Unique within the product; SLOs refer to checks by id.", examples=["no_duplicate_orders"])
    description: Optional[str] = F(None, description="What the check guards.")
    dimension: Optional[Literal["accuracy", "completeness", "conformity", "consistency", "timeliness", "uniqueness"]] = F(
        None, description="The quality dimension it measures.")
    sql: Optional[str] = F(None, description="A query returning one number; `{dataset}` stands for the dataset's table.")
    metric: Optional[Literal["duplicateValues", "nullValues", "rowCount", "invalidValues", "missingValues"]] = F(
        None, description="A built-in metric instead of SQL.")
    field: Optional[str] = F(None, description="The field a metric applies to.")
    mustBe: Optional[Threshold] = F(None, description="The result must equal this.")
    mustBeLessThan: Optional[Threshold] = F(None, description="The result must be below this (a number or a ratio such as 5%).")
    mustBeGreaterThan: Optional[Threshold] = F(None, description="The result must be above this.")
    mustBeBetween: Optional[list[Number]] = F(None, min_length=2, max_length=2, description="The result must be within [a, b].")

    @model_validator(mode="after")
    def _shape(self):
        if (self.sql is None) == (self.metric is None):
            raise ValueError(f"check {self.id!r} needs exactly one of `sql` or `metric`")
        bounds = [k for k in ("mustBe", "mustBeLessThan", "mustBeGreaterThan", "mustBeBetween") if getattr(self, k) is not None]
        if len(bounds) != 1:
            raise ValueError(f"check {self.id!r} needs exactly one of mustBe, mustBeLessThan, mustBeGreaterThan, mustBeBetween")
        for k in ("mustBe", "mustBeLessThan", "mustBeGreaterThan"):
            v = getattr(self, k)
            if isinstance(v, str):
                parse_ratio(v)
        if self.metric in ("duplicateValues", "nullValues", "invalidValues", "missingValues") and not self.field:
            raise ValueError(f"metric {self.metric} needs a `field`")
        if self.mustBeBetween is not None and self.mustBeBetween[0] > self.mustBeBetween[1]:
            raise ValueError("mustBeBetween needs [low, high]")
        return self


class SampleQuery(SpecModel):
    title: str = F(description="What the query answers.", examples=["Revenue per day"])
    sql: str = F(description="The query.", examples=["SELECT placed_date, SUM(total) FROM orders GROUP BY placed_date"])


class Dataset(SpecModel):
    """A table, topic or file set: the schema that the contract promises."""

    name: Name = F(description="Unique within the product.", examples=["orders"])
    description: Optional[str] = F(None, description="What one row is.", examples=["One row per order."])
    primaryKey: list[str] = F(default_factory=list, description="Fields that identify a row.", examples=[["order_id"]])
    partitionBy: list[str] = F(default_factory=list, description="Fields the data is partitioned by.", examples=[["placed_date"]])
    fields: list[SchemaField] = F(min_length=1, description="The columns.")
    quality: list[QualityCheck] = F(default_factory=list, description="Data-quality checks; SLOs refer to them by id.")
    examples: list[dict[str, Any]] = F(default_factory=list, description="Example rows; each must be valid against the fields.")
    sampleQueries: list[SampleQuery] = F(default_factory=list, description="Queries that show how to use the data.")

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, value: list[SchemaField]) -> list[SchemaField]:
        _no_duplicate_names(value, "field")
        return value

    def field(self, name: str) -> SchemaField | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def field_path(self, dotted: str) -> SchemaField | None:
        """`items.sku` → the `sku` member of the array-of-struct `items`."""
        parts = dotted.split(".")
        fields: tuple | list = self.fields
        found = None
        for part in parts:
            found = next((f for f in fields if f.name == part), None)
            if found is None:
                return None
            t = found.data_type
            while t.kind in (Kind.ARRAY, Kind.MAP):
                t = t.items if t.kind is Kind.ARRAY else t.values
            fields = t.fields
        return found


# ---- Product -----------------------------------------------------------------------------

class ProductDescription(SpecModel):
    purpose: Optional[str] = F(None, description="Why the product exists and what it holds.", examples=["Every order placed through checkout, one row per order."])
    usage: Optional[str] = F(None, description="How to use it well.", examples=["Join to data://users/customers/v1 on customer_id."])
    limitations: Optional[str] = F(None, description="What it does not promise.", examples=["Orders older than two years are purged."])


class Owner(SpecModel):
    team: Name = F(description="The team that owns the product (required).", examples=["checkout-team"])
    email: Optional[Email] = F(None, description="The team's contact address.", examples=["checkout-data@example.com"])
    productOwner: Optional[str] = F(None, description="The person accountable for the product.", examples=["jane.doe@example.com"])


class SupportChannel(SpecModel):
    channel: str = F(description="Where to ask, e.g. a Slack channel.", examples=["#checkout-data"])
    tool: Optional[str] = F(None, description="slack, teams, email, jira, ...", examples=["slack"])
    url: Optional[str] = F(None, description="A link to the channel.", examples=["https://example.slack.com/archives/C01"])


class Lifecycle(SpecModel):
    deprecationDate: Optional[Date] = F(None, description="After this date no new consumer may depend on this version.", examples=["2027-06-30"])
    successor: Optional[Address] = F(None, description="The address of the version that replaces this one.", examples=["data://checkout/orders/v2"])


class FreshnessSlo(SpecModel):
    threshold: Duration = F(description="The newest row is no older than this.", examples=["15m"])
    timestampField: Optional[str] = F(None, description="`<dataset>.<field>` that carries the row's time.", examples=["orders.placed_at"])


class AccuracySlo(SpecModel):
    target: Ratio = F(description="Share of rows that are correct.", examples=["99.9%"])
    check: Optional[str] = F(None, description="The id of the quality check that measures it.", examples=["orders_total_matches_items"])


class TargetSlo(SpecModel):
    target: Ratio = F(description="A ratio such as 99.5% or 0.995.", examples=["99.5%"])


class RetentionSlo(SpecModel):
    period: Duration = F(description="How long data is kept.", examples=["2y"])


class LatencySlo(SpecModel):
    threshold: Duration = F(description="Event time to availability, for event ports.", examples=["5m"])


class Slos(SpecModel):
    """Service level objectives: promises that are checked."""

    freshness: Optional[FreshnessSlo] = None
    accuracy: Optional[AccuracySlo] = None
    completeness: Optional[TargetSlo] = F(None, description="Share of required values that are present.")
    availability: Optional[TargetSlo] = F(None, description="Of the output ports.")
    retention: Optional[RetentionSlo] = None
    latency: Optional[LatencySlo] = None


PORT_PLATFORMS_SQL = tuple(DIALECTS)  # the registered SQL dialects (meshgen.dialects)


class OutputPort(SpecModel):
    """How consumers get the data."""

    name: Name = F(description="Unique within the product.", examples=["orders-events"])
    type: Literal["events", "table", "files", "rest", "grpc"] = F(
        description="events, table and files are analytical ports; rest and grpc are operational.")
    dataset: str = F(description="The dataset this port serves.", examples=["orders"])
    description: Optional[str] = F(None, description="What the port is for.")
    platform: Optional[str] = F(None, description=f"kafka; {', '.join(PORT_PLATFORMS_SQL)}; s3 ...")
    topic: Optional[str] = F(None, description="For events: the topic.", examples=["checkout.orders.v1"])
    format: Optional[Literal["avro", "json", "protobuf", "parquet", "csv", "delta", "iceberg"]] = F(
        None, description="The serialization format.")
    location: Optional[str] = F(None, description="For tables and files: where the data lives.", examples=["ANALYTICS.CHECKOUT.ORDERS_V1"])
    url: Optional[str] = F(None, description="For rest and grpc: the base URL.", examples=["https://api.example.com/checkout/orders/v1"])

    @field_validator("topic")
    @classmethod
    def _topic_length(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and len(value) > 249:
            raise ValueError(f"the topic is {len(value)} characters long; Kafka allows at most 249")
        return value

    @model_validator(mode="after")
    def _shape(self):
        if self.type == "table" and self.platform is not None and self.platform not in PORT_PLATFORMS_SQL:
            raise ValueError(f"table platform {self.platform!r} is not one of {', '.join(PORT_PLATFORMS_SQL)}")
        if self.type == "events" and not self.topic:
            raise ValueError("an events port needs a `topic`")
        return self


class InputPort(SpecModel):
    """What this product consumes, and exactly which fields: its contract with the producer."""

    name: Name = F(description="Unique within the product.", examples=["payments"])
    product: Address = F(description="The producer's address.", examples=["data://payments/transactions/v2"])
    dataset: str = F(description="The producer's dataset.", examples=["transactions"])
    fields: list[str] = F(min_length=1, description="The fields this product uses (`items.sku` for nested ones).", examples=[["payment_id", "order_id", "amount"]])


class Pipeline(SpecModel):
    orchestrator: Optional[Literal["airflow", "dagster"]] = F(None, description="The orchestrator that runs the job.")
    schedule: Optional[Cron] = F(None, description="A cron expression; when absent, the least frequent regular schedule that meets "
                                                          "slos.freshness (15m → `*/15 * * * *`, 5h → `0 */4 * * *`).",
                                 examples=["*/15 * * * *"])
    engine: Optional[Literal["spark", "sql", "python"]] = F(None, description="What the job runs on.")


class Waiver(SpecModel):
    rule: str = F(description="The rule code or dotted name to waive.", examples=["PII001"])
    path: str = F(description="Where: a dotted path such as datasets.orders.fields.user_id.", examples=["datasets.orders.fields.user_id"])
    reason: Optional[str] = F(None, description="Why the exception is justified (required).", examples=["Legacy consumers are migrating to customer_id."])
    expires: Optional[Date] = F(None, description="When the waiver ends; an expired waiver is an error.", examples=["2027-01-31"])


class Governance(SpecModel):
    waivers: list[Waiver] = F(default_factory=list, description="Justified, temporary exceptions to governance rules.")


class DataProduct(SpecModel):
    """A data product: one `dataproduct.yaml`."""

    apiVersion: Literal["meshgen/v1"] = F(description="Always meshgen/v1.")
    kind: Literal["DataProduct"] = F(description="Always DataProduct.")
    domain: AddressPart = F(description="The bounded context that owns the product.", examples=["checkout"])
    name: AddressPart = F(description="Unique inside its domain.", examples=["orders"])
    version: SemVer = F(description="Semantic version of the product and its contract; its major is part of the address.",
                        examples=["1.4.0"])
    title: Optional[str] = F(None, description="Display name.", examples=["Checkout Orders"])
    status: Literal["draft", "active", "deprecated", "retired"] = F("active", description="Where the product is in its life.")
    tags: list[str] = F(default_factory=list, description="Free labels, e.g. tier-1.", examples=[["orders", "tier-1"]])
    description: Optional[Union[ProductDescription, str]] = F(None, description="purpose, usage and limitations.")
    owner: Owner = F(description="Who owns the product.")
    support: list[SupportChannel] = F(default_factory=list, description="Where consumers get help.")
    lifecycle: Optional[Lifecycle] = F(None, description="Used while an older major version is being retired.")
    slos: Optional[Slos] = F(None, description="Service level objectives.")
    datasets: list[Dataset] = F(min_length=1, description="The schema the contract promises.")
    outputPorts: list[OutputPort] = F(default_factory=list, description="How consumers get the data.")
    inputPorts: list[InputPort] = F(default_factory=list, description="What this product consumes.")
    pipeline: Optional[Pipeline] = F(None, description="The job that builds the product.")
    compatibility: Compatibility = F("backward", description="The compatibility promise between versions "
                                                            "(Avro schema-resolution semantics).")
    governance: Governance = F(default_factory=Governance, description="Governance exceptions.")

    @field_validator("datasets")
    @classmethod
    def _unique_datasets(cls, value: list[Dataset]) -> list[Dataset]:
        _no_duplicate_names(value, "dataset")
        return value

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def address(self) -> str:
        return f"data://{self.domain}/{self.name}/v{self.major}"

    @property
    def purpose(self) -> str:
        if isinstance(self.description, str):
            return self.description
        if self.description is not None and self.description.purpose:
            return self.description.purpose
        return ""

    def dataset(self, name: str) -> Dataset | None:
        for d in self.datasets:
            if d.name == name:
                return d
        return None

    @property
    def schedule(self) -> str | None:
        """`pipeline.schedule`, or the one derived from `slos.freshness` when it is absent."""
        if self.pipeline is not None and self.pipeline.schedule:
            return self.pipeline.schedule
        if self.slos is not None and self.slos.freshness is not None:
            return schedule_for_freshness(duration_seconds(self.slos.freshness.threshold))
        return None

    @property
    def classification(self) -> str:
        """The highest effective classification of any field, nested ones included (public when none)."""
        levels = {f.effective_classification for ds in self.datasets for f in iter_fields(ds.fields)}
        return max(levels or ["public"], key=CLASSIFICATION_ORDER.index)

    @property
    def has_pii(self) -> bool:
        return any(f.pii for ds in self.datasets for f in iter_fields(ds.fields))


# Kinds that may hold struct members (a struct, or an array or map of one); most fields hold none.
_HOLDERS = frozenset({Kind.ARRAY, Kind.MAP, Kind.STRUCT})


def _members(t: DataType) -> tuple | None:
    """The struct members a value of type `t` holds, through arrays and maps (None: none)."""
    while t.kind in (Kind.ARRAY, Kind.MAP):
        t = t.items if t.kind is Kind.ARRAY else t.values
    return t.fields if t.kind is Kind.STRUCT else None


def iter_fields(fields):
    """Every field, nested ones included, depth first."""
    for f in fields:
        yield f
        t = f.data_type
        if t.kind in _HOLDERS:
            members = _members(t)
            if members is not None:
                yield from iter_fields(members)


def dotted_fields(fields, prefix: str = ""):
    """(dotted path, field) for every field, nested ones included, depth first: `items.sku`."""
    for f in fields:
        dotted = prefix + f.name
        yield dotted, f
        t = f.data_type
        if t.kind in _HOLDERS:
            members = _members(t)
            if members is not None:
                yield from dotted_fields(members, dotted + ".")


def parse_address(address: str) -> tuple[str, str, int] | None:
    m = _ADDRESS.match(address)
    return (m.group(1), m.group(2), int(m.group(3))) if m else None


TypeSpec.model_rebuild()
SchemaField.model_rebuild()
