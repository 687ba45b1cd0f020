"""Avro schemas (.avsc) → datasets: one record schema per file is one dataset.

An .avsc is JSON, which is YAML 1.2: the project's safe positioned loader reads it, so every
finding points at the line and column of the key or value in the source. The type table is
the avro target's, read backwards (meshgen.schemas.avro.kind_of_avro), so meshgen's own output
imports as what it was written from: `["null", T]` is an optional field, the namespace
`<domain>.<product>.v<major>` names the product, a trailing `UNKNOWN` symbol that is the enum's
default is the fallback the avro target adds (docs/import.md lists what Avro cannot carry).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import re
from pathlib import Path
from typing import Any

from meshgen.diagnostics import Location, Severity
from meshgen.errors import InputError
from meshgen.importers.product import (
    Findings, Identity, Imported, collection, fitted, safe_name, snake_case, unique_fields,
)
from meshgen.load.yaml_source import Document, SourceMap, load_yaml, parse_yaml, read_text
from meshgen.model.types import MAX_DECIMAL_PRECISION, Kind

_OWN_NAMESPACE = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\.v(\d+)$")
_PRIMITIVE = {"string", "int", "long", "float", "double", "boolean", "bytes"}
_FIELD_KEYS = {"name", "type", "doc", "default", "pii", "classification", "protection"}
_TYPE_KEYS = {"type", "name", "namespace", "fields", "symbols", "items", "values", "logicalType", "precision",
              "scale", "doc", "default", "size"}
_CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
_PROTECTIONS = ("encrypt", "mask", "hash", "tokenize")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def load_json(path: Path) -> Document:
    """A JSON file through the positioned YAML loader. A tab is JSON whitespace but not YAML
    indentation: each leading tab is read as one space, so columns stay the same."""
    from meshgen.diagnostics import display_path

    shown = display_path(path)
    text = read_text(path, shown)
    if "\t" in text:
        text = re.sub(r"(?m)^[ \t]+", lambda m: m.group(0).replace("\t", " "), text)
        return parse_yaml(text, shown, path)
    return load_yaml(path)


def read(paths: list[Path], options, findings: Findings) -> Imported:
    datasets, identity = [], Identity()
    first = None
    for path in paths:
        doc = load_json(path)
        reader = _Reader(doc.source, findings)
        schema = reader.top_record(doc.data)
        first = first or reader.at(())
        datasets.append(reader.dataset(schema, path))
        if identity.domain is None:
            _identity_from(schema, reader, identity)
    return Imported(first or Location(str(paths[0])), identity, datasets)


def _identity_from(schema: dict, reader: "_Reader", identity: Identity) -> None:
    namespace = schema.get("namespace")
    if not isinstance(namespace, str) or not namespace:
        return
    own = _OWN_NAMESPACE.match(namespace)
    where = reader.at(("namespace",))
    identity.where.update(domain=where, name=where, version=where)
    if own:  # meshgen's own: <domain>.<product>.v<major>
        identity.domain, identity.name, identity.version = own.group(1), own.group(2), f"{int(own.group(3))}.0.0"
        return
    parts = [p for p in namespace.split(".") if p]
    identity.domain = snake_case(parts[-1])
    reader.findings.add("IMP009", f"namespace {namespace!r} is not <domain>.<product>.v<major>; the domain is "
                                  f"taken from its last part ({identity.domain!r})", where, "pass --domain")


class _Reader:
    def __init__(self, source: SourceMap, findings: Findings):
        self.source, self.findings = source, findings
        self.named: dict[str, dict] = {}  # full name → the spec type of a record or enum defined earlier

    def at(self, path: tuple, key: bool = False) -> Location:
        return self.source.location(path, key=key)

    def invalid(self, message: str, path: tuple, hint: str = "see the Avro specification's schema declaration"):
        raise InputError(f"{self.source.file}: not an Avro schema", [self._error(message, path, hint)])

    def _error(self, message, path, hint):
        from meshgen.diagnostics import Diagnostic

        return Diagnostic("IMP001", Severity.ERROR, message, self.at(path), hint)

    def top_record(self, data: Any) -> dict:
        if isinstance(data, list):  # a union of named types: each record would be a dataset; take the first
            records = [i for i, t in enumerate(data) if isinstance(t, dict) and t.get("type") == "record"]
            if not records:
                self.invalid("the schema is a union without a record", ())
            for i in records[1:]:
                self.findings.lost(f"record {data[i].get('name')!r} of the top-level union is not imported",
                                   self.at((i,)), "import it from a file of its own")
            self.root = (records[0],)
            return data[records[0]]
        self.root = ()
        if not isinstance(data, dict) or data.get("type") != "record":
            self.invalid("a dataset is an Avro record schema: {\"type\": \"record\", \"name\": ..., \"fields\": [...]}", ())
        return data

    def dataset(self, schema: dict, path: Path) -> dict:
        self._check_record(schema, self.root)
        name = _dataset_name(schema["name"], path)
        self._register(schema, name_for=schema.get("namespace"))
        out: dict[str, Any] = {"name": name}
        if isinstance(schema.get("doc"), str):
            out["description"] = schema["doc"]
        self._unknown_keys(schema, self.root, _TYPE_KEYS)
        out["fields"] = self.fields(schema, self.root, schema.get("namespace"))
        return out

    def _check_record(self, schema: dict, path: tuple) -> None:
        if not isinstance(schema.get("name"), str) or not schema["name"]:
            self.invalid("a record needs a `name`", path)
        fields = schema.get("fields")
        if not isinstance(fields, list):
            self.invalid(f"record {schema['name']!r} needs `fields`, a list", path + ("fields",) if fields else path)
        for i, f in enumerate(fields):
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or "type" not in f:
                self.invalid("a record field needs a `name` and a `type`", path + ("fields", i))

    def _register(self, schema: dict, name_for: Any, spec: dict | None = None) -> None:
        name = schema.get("name")
        if isinstance(name, str):
            space = schema.get("namespace", name_for)
            full = name if "." in name or not space else f"{space}.{name}"
            self.named[full] = spec or {"type": "struct"}
            self.named.setdefault(name, self.named[full])

    def fields(self, record: dict, path: tuple, namespace: Any) -> list[dict]:
        found = []
        for i, f in enumerate(record["fields"]):
            where = self.at(path + ("fields", i))
            found.append((self.field(f, path + ("fields", i), namespace), where))
        return unique_fields(found, self.findings)

    def field(self, f: dict, path: tuple, namespace: Any) -> dict:
        where = self.at(path)
        name = safe_name(f["name"], self.at(path + ("name",)), self.findings, "field name")
        spec, required = self.field_type(f["type"], path + ("type",), namespace)
        out: dict[str, Any] = {"name": name, "type": spec.pop("type"), "required": required}
        if isinstance(f.get("doc"), str):
            out["description"] = f["doc"]
        if "default" in f and f["default"] is not None:
            out["default"] = self.default(f["default"], {"type": out["type"], **spec}, f["type"], path + ("default",))
        self._privacy(f, path, out)
        self._unknown_keys(f, path, _FIELD_KEYS)
        out.update(spec)
        return fitted(out, where, self.findings)

    def _privacy(self, f: dict, path: tuple, out: dict) -> None:
        """The field properties the avro target writes: pii, classification, protection."""
        if f.get("pii") is True:
            out["pii"] = True
        for key, allowed in (("classification", _CLASSIFICATIONS), ("protection", _PROTECTIONS)):
            value = f.get(key)
            if value is None:
                continue
            if value in allowed:
                out[key] = value
            else:
                self.findings.lost(f"{key} {value!r} is not one of {', '.join(allowed)}", self.at(path + (key,)))

    def _unknown_keys(self, node: dict, path: tuple, known: set[str]) -> None:
        for key in node:
            if key == "logicalType" and "logicalType" not in known:
                self.findings.lost("a logicalType beside a field's type (not inside it) is ignored by Avro; "
                                   "the field is imported as its plain type", self.at(path + (key,), key=True),
                                   "move it into the type: \"type\": {\"type\": \"long\", \"logicalType\": ...}")
            elif key not in known:
                self.findings.lost(f"Avro property {key!r} has no place in the spec; left out",
                                   self.at(path + (key,), key=True))

    def field_type(self, t: Any, path: tuple, namespace: Any) -> tuple[dict, bool]:
        """(the spec type keys, required) of a field's Avro type: a union with null is optional."""
        if isinstance(t, list):
            branches = [(i, b) for i, b in enumerate(t) if b != "null"]
            required = len(branches) == len(t)
            if len(branches) == 1:
                i, branch = branches[0]
                return self.type(branch, path + (i,), namespace), required
            if not branches:
                self.findings.nearest_type("a field that is always null has no meshgen type; imported as json",
                                           self.at(path))
                return {"type": "json"}, False
            names = ", ".join(_type_label(b) for _, b in branches)
            self.findings.nearest_type(f"a union of {names} has no meshgen type; imported as json", self.at(path),
                                       "split the field, or pick one type")
            return {"type": "json"}, required
        return self.type(t, path, namespace), True

    def type(self, t: Any, path: tuple, namespace: Any) -> dict:
        """The spec type keys ({type, items|values|fields|symbols}) of one Avro type."""
        if isinstance(t, str):
            if t in _PRIMITIVE:
                return {"type": t}
            named = self.named.get(t) or self.named.get(f"{namespace}.{t}")
            if named is not None:
                return dict(named)
            self.invalid(f"type {t!r} is neither an Avro primitive nor a named type defined before it", path)
        if isinstance(t, list):
            spec, required = self.field_type(t, path, namespace)
            if not required:
                self.findings.lost("a nullable element: array items and map values are never null in the spec",
                                   self.at(path))
            return spec
        if not isinstance(t, dict) or "type" not in t:
            self.invalid("an Avro type is a name, a list (a union) or an object with `type`", path)
        return self._complex(t, path, t.get("namespace", namespace))

    def _complex(self, t: dict, path: tuple, namespace: Any) -> dict:
        kind = t["type"]
        self._unknown_keys(t, path, _TYPE_KEYS)
        logical = t.get("logicalType")
        if logical is not None:
            return self._logical(t, logical, path, namespace)
        if kind == "record":
            self._check_record(t, path)
            spec: dict[str, Any] = {"type": "struct"}
            self._register(t, namespace, spec)  # before its fields: a record may refer to itself
            spec["fields"] = self.fields(t, path, namespace)
            return spec
        if kind == "enum":
            return self._enum(t, path, namespace)
        if kind == "array":
            return collection("array", "items", self.type(t.get("items"), path + ("items",), namespace))
        if kind == "map":
            return collection("map", "values", self.type(t.get("values"), path + ("values",), namespace))
        if kind == "fixed":
            self.findings.nearest_type(f"fixed({t.get('size')}) is imported as bytes; the size is not kept",
                                       self.at(path))
            self._register(t, namespace, {"type": "bytes"})
            return {"type": "bytes"}
        return self.type(kind, path + ("type",), namespace)

    def _enum(self, t: dict, path: tuple, namespace: Any) -> dict:
        symbols = t.get("symbols")
        if not isinstance(symbols, list) or not symbols or not all(isinstance(s, str) for s in symbols):
            self.invalid("an enum needs `symbols`, a list of names", path)
        if len(symbols) > 1 and symbols[-1] == "UNKNOWN" and t.get("default") == "UNKNOWN":
            symbols = symbols[:-1]  # the fallback the avro target appends for readers
        spec = {"type": "enum", "symbols": list(symbols)}
        self._register(t, namespace, spec)
        return spec

    def _logical(self, t: dict, logical: str, path: tuple, namespace: Any) -> dict:
        from meshgen.schemas.avro import kind_of_avro

        kind = kind_of_avro(t)
        if kind is Kind.DECIMAL:
            precision, scale = t.get("precision"), t.get("scale", 0)
            if not isinstance(precision, int) or not isinstance(scale, int) or not 0 <= scale <= precision:
                self.invalid("a decimal needs an integer `precision` and a `scale` between 0 and it", path)
            if precision > MAX_DECIMAL_PRECISION:
                self.findings.nearest_type(f"decimal({precision},{scale}) is wider than meshgen's "
                                           f"{MAX_DECIMAL_PRECISION} digits; imported as double", self.at(path))
                return {"type": "double"}
            return {"type": f"decimal({precision},{scale})"}
        if kind is None or kind.is_complex or kind is Kind.ENUM:
            self.findings.nearest_type(f"logical type {logical!r} has no meshgen type; imported as its Avro "
                                       f"type {t['type']!r}", self.at(path + ("logicalType",)))
            plain = {k: v for k, v in t.items() if k != "logicalType"}
            return self._complex(plain, path, namespace) if isinstance(plain["type"], str) and plain["type"] in \
                ("record", "enum", "array", "map", "fixed") else self.type(plain["type"], path + ("type",), namespace)
        return {"type": kind.value}

    def default(self, value: Any, spec: dict, avro_type: Any, path: tuple) -> Any:
        """An Avro default (JSON encoding) in the spec's canonical form."""
        from meshgen.schemas.avro import kind_of_avro

        branch = avro_type[0] if isinstance(avro_type, list) and avro_type else avro_type
        kind = kind_of_avro(branch)
        logical = branch.get("logicalType", "") if isinstance(branch, dict) else ""
        try:
            return _decoded(value, kind, spec, 1000 if str(logical).endswith("-millis") else 1)
        except (ValueError, TypeError, OverflowError, UnicodeError, decimal.InvalidOperation):
            self.findings.changed(f"default {value!r} is not a value of its type; left out", self.at(path))
            return None


def _decoded(value: Any, kind: Kind | None, spec: dict, to_micros: int) -> Any:
    if kind is Kind.DECIMAL:
        scale = int(spec["type"].split(",")[1].rstrip(")"))
        unscaled = int.from_bytes(value.encode("latin-1"), "big", signed=True)
        return str(decimal.Decimal(unscaled).scaleb(-scale).quantize(decimal.Decimal(1).scaleb(-scale)))
    if kind is Kind.BYTES:
        return base64.b64encode(value.encode("latin-1")).decode("ascii")
    if kind is Kind.DATE:
        return (dt.date(1970, 1, 1) + dt.timedelta(days=value)).isoformat()
    if kind is Kind.TIME:
        return (dt.datetime.min + dt.timedelta(microseconds=value * to_micros)).time().isoformat()
    if kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ):
        moment = _EPOCH + dt.timedelta(microseconds=value * to_micros)
        if kind is Kind.TIMESTAMP_NTZ:
            return moment.replace(tzinfo=None).isoformat()
        return moment.isoformat().replace("+00:00", "Z")
    return value


def _type_label(t: Any) -> str:
    if isinstance(t, dict):
        return str(t.get("logicalType") or t.get("type"))
    return str(t)


def _dataset_name(record_name: str, path: Path) -> str:
    """The file's stem when the record is named after it (the avro target writes
    `<dataset>.avsc` with record `pascal_case(dataset)`), else the record's name in snake_case."""
    from meshgen.naming import pascal_case

    stem = path.name.split(".")[0]
    if stem and pascal_case(stem) == record_name.rpartition(".")[2]:
        return stem
    return snake_case(record_name.rpartition(".")[2])
