"""Values written in a spec (defaults, examples), checked against and converted by type.

One canonical text form per type, the same in every target: decimals as strings ("42.50"),
dates, times and timestamps as ISO 8601 strings (a `timestamp` carries a zone, a
`timestamp_ntz` does not), bytes as base64, uuids in their canonical form.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import re
import uuid
from typing import Callable, TYPE_CHECKING, Any, Iterator

from meshgen.model.patterns import pattern_search
from meshgen.model.types import DataType, Kind

if TYPE_CHECKING:
    from meshgen.model.models import SchemaField

INT_RANGE = {Kind.INT: (-(2**31), 2**31 - 1), Kind.LONG: (-(2**63), 2**63 - 1)}

_DURATION = re.compile(r"^(\d+)\s*(s|m|h|d|w|y)$")
_ISO_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def duration_seconds(text: str) -> float:
    """`15m`, `1h`, `7d`, `2y` or ISO 8601 (`PT15M`) → seconds. Raises ValueError."""
    text = text.strip()
    m = _DURATION.match(text)
    if m:
        return int(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    m = _ISO_DURATION.match(text)
    if m and text not in ("P", "PT") and not text.endswith("T"):
        g = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
        return (g["y"] * 365 * 86400 + g["mo"] * 30 * 86400 + g["w"] * 7 * 86400 + g["d"] * 86400
                + g["h"] * 3600 + g["mi"] * 60 + g["s"])
    raise ValueError(f"{text!r} is not a duration: write 15m, 1h, 7d, 2y or ISO 8601 such as PT15M")


def parse_ratio(value: Any) -> float:
    """`99.9%` or `0.999` → 0.999. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("expected a ratio such as 99.9% or 0.999, got a boolean")
    if isinstance(value, (int, float)):
        ratio = float(value)
    elif isinstance(value, str) and value.strip().endswith("%"):
        try:
            ratio = float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a percentage such as 99.9%") from None
    else:
        raise ValueError(f"{value!r} is not a ratio: write 99.9% or 0.999")
    if not 0 <= ratio <= 1:
        raise ValueError(f"{value!r} is not between 0 and 1 (0% and 100%)")
    return ratio


def format_ratio(ratio: float) -> str:
    return f"{ratio * 100:g}%"


# ---- Values against types ------------------------------------------------------------------

class ValueProblem(ValueError):
    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.path = path


def value_problems(value: Any, dtype: DataType, required: bool, path: tuple = ()) -> Iterator[ValueProblem]:
    """Every way `value` fails to be a valid value of `dtype` (empty when it is valid)."""
    try:
        to_python(value, dtype, required=required, path=path)
    except ValueProblem as problem:
        yield problem


def to_python(value: Any, dtype: DataType, *, required: bool = True, path: tuple = ()) -> Any:
    """Convert the canonical YAML/JSON form of a value into the Python value a library expects.

    decimal → Decimal, date/time/timestamp → datetime objects (timestamp aware, UTC),
    bytes → bytes, uuid → str (canonical), json → unchanged, struct → dict.
    """
    if value is None:
        if required:
            raise ValueProblem("a required value is null", path)
        return None
    return PYTHON_VALUES[dtype.kind](value, dtype, path)


def _whole(value: Any, dtype: DataType, path: tuple) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueProblem(f"expected a whole number, got {_show(value)}", path)
    lo, hi = INT_RANGE[dtype.kind]
    if not lo <= value <= hi:
        raise ValueProblem(f"{value} does not fit in a {dtype.kind.value} ({lo} to {hi})", path)
    return value


def _number(value: Any, dtype: DataType, path: tuple) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueProblem(f"expected a number, got {_show(value)}", path)
    return float(value)


def _date(value: Any, dtype: DataType, path: tuple) -> dt.date:
    text = _expect(value, str, "a date string such as \"2026-11-02\"", path)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not a date (YYYY-MM-DD)", path) from None


def _time(value: Any, dtype: DataType, path: tuple) -> dt.time:
    text = _expect(value, str, "a time string such as \"10:15:00\"", path)
    try:
        t = dt.time.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not a time (HH:MM:SS)", path) from None
    if t.tzinfo is not None:
        raise ValueProblem(f"{text!r}: a time has no zone", path)
    return t


def _timestamp(value: Any, dtype: DataType, path: tuple) -> dt.datetime:
    text = _expect(value, str, "an ISO 8601 timestamp string", path)
    try:
        ts = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not an ISO 8601 timestamp", path) from None
    if dtype.kind is Kind.TIMESTAMP:
        if ts.tzinfo is None:
            raise ValueProblem(f"{text!r} has no zone; a timestamp is an instant: add Z or an offset", path)
        return ts.astimezone(dt.timezone.utc)
    if ts.tzinfo is not None:
        raise ValueProblem(f"{text!r} has a zone; a timestamp_ntz is wall-clock time without one", path)
    return ts


def _bytes(value: Any, dtype: DataType, path: tuple) -> bytes:
    text = _expect(value, str, "a base64 string", path)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueProblem(f"{text!r} is not valid base64", path) from None


def _uuid(value: Any, dtype: DataType, path: tuple) -> str:
    text = _expect(value, str, "a UUID string", path)
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ValueProblem(f"{text!r} is not a UUID", path) from None


def _symbol(value: Any, dtype: DataType, path: tuple) -> str:
    text = _expect(value, str, "one of the symbols", path)
    if text not in dtype.symbols:
        raise ValueProblem(f"{text!r} is not one of the symbols {', '.join(dtype.symbols)}", path)
    return text


def _list(value: Any, dtype: DataType, path: tuple) -> list:
    if not isinstance(value, list):
        raise ValueProblem(f"expected a list, got {_show(value)}", path)
    return [to_python(v, dtype.items, required=True, path=path + (i,)) for i, v in enumerate(value)]


def _map(value: Any, dtype: DataType, path: tuple) -> dict:
    if not isinstance(value, dict):
        raise ValueProblem(f"expected a map, got {_show(value)}", path)
    return {str(k): to_python(v, dtype.values, required=True, path=path + (k,)) for k, v in value.items()}


# kind → the converter of its canonical form (tests/model: every kind has one)
PYTHON_VALUES: dict[Kind, Callable[[Any, DataType, tuple], Any]] = {
    Kind.STRING: lambda value, dtype, path: _expect(value, str, "a string", path),
    Kind.INT: _whole,
    Kind.LONG: _whole,
    Kind.FLOAT: _number,
    Kind.DOUBLE: _number,
    Kind.DECIMAL: lambda value, dtype, path: _decimal(value, dtype, path),
    Kind.BOOLEAN: lambda value, dtype, path: _expect(value, bool, "true or false", path),
    Kind.DATE: _date,
    Kind.TIME: _time,
    Kind.TIMESTAMP: _timestamp,
    Kind.TIMESTAMP_NTZ: _timestamp,
    Kind.BYTES: _bytes,
    Kind.UUID: _uuid,
    Kind.JSON: lambda value, dtype, path: value,
    Kind.ENUM: _symbol,
    Kind.ARRAY: _list,
    Kind.MAP: _map,
    Kind.STRUCT: lambda value, dtype, path: record_to_python(value, dtype.fields, path),
}


def record_to_python(value: Any, fields: "tuple[SchemaField, ...] | list[SchemaField]", path: tuple = ()) -> dict:
    if not isinstance(value, dict):
        raise ValueProblem(f"expected a record (a map of field names), got {_show(value)}", path)
    known = {f.name: f for f in fields}
    for key in value:
        if key not in known:
            raise ValueProblem(f"{key!r} is not a field here (fields: {', '.join(known)})", path + (key,))
    out = {}
    for f in fields:
        if f.name not in value:
            if f.required and f.default is None:
                raise ValueProblem(f"required field {f.name!r} is missing", path)
            out[f.name] = to_python(f.default, f.data_type, required=False, path=path + (f.name,)) if f.default is not None else None
            continue
        v = to_python(value[f.name], f.data_type, required=f.required, path=path + (f.name,))
        check_constraints(v, value[f.name], f, path + (f.name,))
        out[f.name] = v
    return out


def check_constraints(v: Any, raw: Any, f: "SchemaField", path: tuple) -> None:
    if v is None:
        return
    if isinstance(v, str):
        if f.maxLength is not None and len(v) > f.maxLength:
            raise ValueProblem(f"{len(v)} characters is longer than maxLength {f.maxLength}", path)
        if f.minLength is not None and len(v) < f.minLength:
            raise ValueProblem(f"{len(v)} characters is shorter than minLength {f.minLength}", path)
        if f.pattern is not None and not pattern_search(f.pattern, v):
            raise ValueProblem(f"{v!r} does not match pattern {f.pattern!r}", path)
    if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool):
        if f.minimum is not None and v < decimal.Decimal(str(f.minimum)):
            raise ValueProblem(f"{raw} is below minimum {f.minimum}", path)
        if f.maximum is not None and v > decimal.Decimal(str(f.maximum)):
            raise ValueProblem(f"{raw} is above maximum {f.maximum}", path)


def _decimal(value: Any, dtype: DataType, path: tuple) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueProblem(f"expected a decimal such as \"42.50\", got {_show(value)}", path)
    try:
        d = decimal.Decimal(getattr(value, "text", None) or str(value))  # a YAML float as written
    except decimal.InvalidOperation:
        raise ValueProblem(f"{value!r} is not a decimal number", path) from None
    if not d.is_finite():
        raise ValueProblem(f"{value!r} is not a finite decimal", path)
    sign, digits, exponent = d.as_tuple()
    scale = max(-exponent, 0)
    if scale > dtype.scale:
        raise ValueProblem(f"{value} has {scale} decimal places; {dtype} allows {dtype.scale}", path)
    if d and d.adjusted() + 1 > dtype.precision - dtype.scale:  # counted before any arithmetic
        raise ValueProblem(f"{value} has too many digits for {dtype}", path)
    # Python's default context holds 28 digits; a decimal(38,s) needs its own precision.
    with decimal.localcontext(decimal.Context(prec=dtype.precision + 1)):
        return d.quantize(decimal.Decimal(1).scaleb(-dtype.scale))


def _expect(value: Any, kind: type, what: str, path: tuple) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValueProblem(f"expected {what}, got {_show(value)}", path)
    return value


def _show(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a map"}
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{names.get(type(value), type(value).__name__)} {text}"


def map_leaves(value: Any, dtype: DataType, leaf) -> Any:
    """Rebuild a Python value with `leaf(v, t)` applied to every non-null scalar inside it.

    Arrays, maps and structs are walked by their type; nulls stay null. Targets use it to turn
    `to_python` values into what a library expects (JSON text for `json`, float32 for `float`...).
    """
    if value is None:
        return None
    kind = dtype.kind
    if kind is Kind.ARRAY:
        return [map_leaves(v, dtype.items, leaf) for v in value]
    if kind is Kind.MAP:
        return {k: map_leaves(v, dtype.values, leaf) for k, v in value.items()}
    if kind is Kind.STRUCT:
        return {f.name: map_leaves(value.get(f.name), f.data_type, leaf) for f in dtype.fields}
    return leaf(value, dtype)


def json_as_text(value: Any, dtype: DataType) -> Any:
    """A `map_leaves` leaf: `json` values as JSON text (sorted keys), everything else unchanged."""
    if dtype.kind is Kind.JSON:
        import json

        return json.dumps(value, sort_keys=True)
    return value
