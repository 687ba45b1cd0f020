"""ODCS v3 data contracts (YAML) → a product: each schema object is a dataset.

The contract is read with the project's safe positioned loader, so every finding points at the
source's line and column. The standard's required structure is checked here (IMP001, exit 2:
`apiVersion` v3, `kind: DataContract`, `id`, `version`, `status`, each schema object a `name`,
each property a `name`, lists where the standard has lists); a key the standard does not
define, or one the spec has no place for, is IMP002 and the rest still imports (docs/import.md
has the mapping).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import InputError
from meshgen.importers.product import (
    Findings, Identity, Imported, collection, fitted, safe_name, snake_case, unique_fields,
)
from meshgen.load.yaml_source import SourceMap, load_yaml

_REQUIRED = ("apiVersion", "kind", "id", "version", "status")
_LOGICAL = ("string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean")
_STATUS = {"proposed": "draft", "draft": "draft", "active": "active", "deprecated": "deprecated",
           "retired": "retired"}
_CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
_UNITS = {"s": "s", "sec": "s", "second": "s", "seconds": "s", "m": "m", "min": "m", "minute": "m", "minutes": "m",
          "h": "h", "hr": "h", "hour": "h", "hours": "h", "d": "d", "day": "d", "days": "d", "w": "w", "week": "w",
          "weeks": "w", "y": "y", "yr": "y", "year": "y", "years": "y"}
# What the product takes from the contract's top level; other standard keys are reported.
_TOP_READ = {"apiVersion", "kind", "id", "version", "status", "name", "domain", "dataProduct", "description",
             "tags", "team", "support", "schema", "slaProperties", "servers", "customProperties"}
_TOP_STANDARD = _TOP_READ | {"tenant", "price", "roles", "slaDefaultElement", "authoritativeDefinitions",
                             "contractCreatedTs"}
# The contract's custom properties meshgen's own contracts write (what else a product says).
_CONTRACT_CUSTOM = ("address", "outputPort", "portType", "compatibility", "title", "accuracyCheck", "schedule",
                    "deprecationDate", "successor", "url")
_OBJECT_READ = {"name", "physicalName", "physicalType", "description", "properties", "logicalType", "id",
                "businessName", "quality", "customProperties"}
_PROPERTY_READ = {"name", "logicalType", "logicalTypeOptions", "physicalType", "required", "unique", "primaryKey",
                  "primaryKeyPosition", "description", "classification", "examples", "items", "properties",
                  "partitioned", "partitionKeyPosition", "physicalName", "id", "businessName", "customProperties", "tags",
                  "quality"}
# The field keys meshgen's own contracts write as a property's custom properties.
_FIELD_CUSTOM = {"pii": lambda v: isinstance(v, bool), "protection": lambda v: v in ("encrypt", "mask", "hash", "tokenize"),
                 "default": lambda v: v is not None, "deprecated": lambda v: isinstance(v, bool),
                 "replacedBy": lambda v: isinstance(v, str), "deprecationDate": lambda v: isinstance(v, str)}
_FORMATS = {"uuid": "uuid", "binary": "bytes", "i32": "int", "i64": "long", "f32": "float", "f64": "double"}
_PHYSICAL_DECIMAL = re.compile(r"^\s*(?:decimal|numeric|number|bignumeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)",
                               re.IGNORECASE)
_PHYSICAL_LENGTH = re.compile(r"^\s*(?:n?varchar|n?char|character varying|string|text)\s*\(\s*(\d+)\s*\)",
                              re.IGNORECASE)


def read(paths: list[Path], options, findings: Findings) -> Imported:
    identity, datasets, ports, extra, first = Identity(), [], [], {}, None
    for path in paths:
        doc = load_yaml(path)
        reader = _Reader(doc.source, findings)
        data = reader.contract(doc.data)
        if first is None:  # the product is the first contract's; the others add datasets and ports
            first = reader.at(())
            reader.identity(data, identity)
            extra.update(reader.extra(data))
            where_slos = reader.at(("slaProperties",))
        for ds in reader.datasets(data):
            if all(existing["name"] != ds["name"] for existing in datasets):
                datasets.append(ds)
        ports.extend(p for p in reader.ports(data, datasets) if p["name"] not in {q["name"] for q in ports})
    _known_timestamp_field(extra, datasets, where_slos, findings)
    return Imported(first or Location(str(paths[0])), identity, datasets, ports, extra)


def _known_timestamp_field(extra: dict, datasets: list[dict], where: Location, findings: Findings) -> None:
    """A freshness `element` that names no imported field (`tab1.txn_ref_dt` in a contract whose
    table is `tbl`) is left out: the spec checks that the field exists."""
    freshness = (extra.get("slos") or {}).get("freshness") or {}
    dotted = freshness.get("timestampField")
    if dotted is None:
        return
    dataset, _, name = dotted.partition(".")
    fields = next((ds["fields"] for ds in datasets if ds["name"] == dataset), [])
    if not any(f["name"] == name for f in fields):
        freshness.pop("timestampField")
        findings.changed(f"the freshness element {dotted!r} names no imported field; left out", where)


class _Reader:
    def __init__(self, source: SourceMap, findings: Findings):
        self.source, self.findings = source, findings
        self.physical: dict[str, str] = {}  # dataset → the schema object's physicalName (a table's name)
        self.check_ids: set[str] = set()

    def at(self, path: tuple, key: bool = False) -> Location:
        return self.source.location(path, key=key)

    def _invalid(self, problems: list[tuple[str, tuple]]):
        raise InputError(f"{self.source.file}: not an ODCS v3 data contract", [Diagnostic(
            "IMP001", Severity.ERROR, message, self.at(path), "see the ODCS v3 reference (bitol-io/"
            "open-data-contract-standard): a contract has apiVersion, kind, id, version, status and a schema")
            for message, path in problems])

    def contract(self, data: Any) -> dict:
        """The contract, once its required structure is there (every problem at once, IMP001)."""
        if not isinstance(data, dict):
            self._invalid([("an ODCS contract is a mapping of keys", ())])
        problems = [(f"the contract has no `{key}` (ODCS requires it)", ()) for key in _REQUIRED if key not in data]
        if data.get("kind", "DataContract") != "DataContract":
            problems.append((f"kind {data['kind']!r}: an ODCS contract is `kind: DataContract`", ("kind",)))
        api = data.get("apiVersion")
        if api is not None and not re.match(r"^v?3\.\d+\.\d+", str(api)):
            problems.append((f"apiVersion {api!r}: this importer reads ODCS v3 (v3.0.0 to v3.1.x)", ("apiVersion",)))
        schema = data.get("schema", [])
        if not isinstance(schema, list):
            problems.append(("`schema` is a list of schema objects", ("schema",)))
        else:
            for i, obj in enumerate(schema):
                problems += self._object_problems(obj, ("schema", i))
        if problems:
            self._invalid(problems)
        for key in data:
            if key not in _TOP_STANDARD:
                self.findings.lost(f"{key!r} is not an ODCS key (the ODCS JSON Schema refuses it); left out",
                                   self.at((key,), key=True))
            elif key not in _TOP_READ:
                self.findings.lost(f"ODCS {key!r} has no place in the spec; left out", self.at((key,), key=True))
        return data

    def _object_problems(self, obj: Any, path: tuple) -> list[tuple[str, tuple]]:
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not obj["name"].strip():
            return [("a schema object (and each property) needs a `name`", path)]
        return self._members_problems(obj, path, repr(obj["name"]))

    def _members_problems(self, obj: dict, path: tuple, what: str) -> list[tuple[str, tuple]]:
        """The problems of a schema object's, a property's or an array's `items`' own shape."""
        props = obj.get("properties", [])
        if not isinstance(props, list):
            return [(f"`properties` of {what} is a list", path + ("properties",))]
        out = []
        quality = obj.get("quality", [])
        if not isinstance(quality, list) or not all(isinstance(rule, dict) for rule in quality):
            out.append((f"`quality` of {what} is a list of rules (mappings)", path + ("quality",)))
        for i, prop in enumerate(props):
            out += self._object_problems(prop, path + ("properties", i))
            if isinstance(prop, dict) and prop.get("logicalType") not in (None, *_LOGICAL):
                out.append((f"logicalType {prop['logicalType']!r} is not one of {', '.join(_LOGICAL)}",
                            path + ("properties", i, "logicalType")))
            items = prop.get("items") if isinstance(prop, dict) else None
            if items is not None and not isinstance(items, dict):
                out.append(("`items` of an array is a property (a mapping)", path + ("properties", i, "items")))
            elif items is not None:
                out += self._members_problems(items, path + ("properties", i, "items"), "the items")
        return out

    # ---- The product -------------------------------------------------------------------

    def identity(self, data: dict, identity: Identity) -> None:
        for key, attr in (("domain", "domain"), ("dataProduct", "name"), ("version", "version")):
            if isinstance(data.get(key), (str, int, float)) and str(data[key]).strip():
                setattr(identity, attr, str(data[key]) if attr == "version" else snake_case(str(data[key])))
                identity.where[attr] = self.at((key,))
        if identity.name is None and isinstance(data.get("name"), str):
            identity.name = snake_case(data["name"])
            self.findings.add("IMP009", f"the contract names no dataProduct; the product is named {identity.name!r} "
                                        "after the contract", self.at(("name",)), "pass --name")
        if isinstance(data.get("name"), str):
            identity.title = data["name"]
        status = str(data.get("status", "")).lower()
        if status in _STATUS:
            identity.status = _STATUS[status]
        else:
            self.findings.changed(f"status {data.get('status')!r} has no meshgen meaning; the product is active",
                                  self.at(("status",)))
        identity.tags = [str(t) for t in data.get("tags") or [] if isinstance(t, (str, int))]
        title = _custom(data, "title")
        if isinstance(title, str):
            identity.title = title
        identity.description = self._description(data.get("description"))
        self._team(data.get("team"), identity)

    def _description(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        if not isinstance(value, dict):
            return None
        kept = {k: value[k] for k in ("purpose", "usage", "limitations") if isinstance(value.get(k), str)}
        for key in value:
            if key not in kept:
                self.findings.lost(f"description.{key} has no place in the spec", self.at(("description", key), key=True))
        return kept or None

    def _team(self, team: Any, identity: Identity) -> None:
        """v3.1: `team: {name, members}`; v3.0: `team:` a list of members."""
        members = team.get("members") if isinstance(team, dict) else team
        if isinstance(team, dict) and isinstance(team.get("name"), str):
            identity.owner_team = team["name"]
        if isinstance(team, dict) and isinstance(_custom(team, "email"), str):
            identity.owner_email = _custom(team, "email")
        members = [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []
        owners = [m for m in members if str(m.get("role", "")).lower() in ("productowner", "product owner", "owner")]
        if owners and isinstance(owners[0].get("username"), str):
            identity.product_owner = owners[0]["username"]
        others = len(members) - (1 if identity.product_owner else 0)
        if others > 0:
            self.findings.lost(f"{others} team member(s) have no place in the spec (owner.productOwner names one "
                               "person)", self.at(("team",)), "list them in the support channels or the description")

    def extra(self, data: dict) -> dict:
        out: dict[str, Any] = {}
        support = []
        for i, item in enumerate(data.get("support") or []):
            if isinstance(item, dict) and isinstance(item.get("channel"), str):
                support.append({k: str(item[k]) for k in ("channel", "tool", "url") if item.get(k) is not None})
                for key in item:
                    if key not in ("channel", "tool", "url"):
                        self.findings.lost(f"support.{key} has no place in the spec", self.at(("support", i, key), key=True))
        if support:
            out["support"] = support
        slos = self._slos(data.get("slaProperties") or [], _custom(data, "accuracyCheck"))
        if slos:
            out["slos"] = slos
        compatibility = _custom(data, "compatibility")
        if compatibility in ("backward", "backward_transitive", "forward", "forward_transitive", "full",
                             "full_transitive", "none"):
            out["compatibility"] = compatibility
        schedule = _custom(data, "schedule")
        if isinstance(schedule, str):
            out["pipeline"] = {"schedule": schedule}
        lifecycle = {k: _custom(data, k) for k in ("deprecationDate", "successor") if isinstance(_custom(data, k), str)}
        if lifecycle:
            out["lifecycle"] = lifecycle
        for i, custom in enumerate(data.get("customProperties") or []):
            key = custom.get("property") if isinstance(custom, dict) else None
            if key not in _CONTRACT_CUSTOM:
                self.findings.lost(f"custom property {key!r} has no place in the spec",
                                   self.at(("customProperties", i)))
        return out

    def _slos(self, properties: list, accuracy_check: Any) -> dict:
        """retention, freshness and latency (a value and a unit, or an ISO 8601 duration), and
        availability, completeness and accuracy (a ratio, or percent); other SLA properties are
        reported."""
        from meshgen.model.values import duration_seconds

        slos: dict[str, Any] = {}
        for i, prop in enumerate(properties):
            name = prop.get("property") if isinstance(prop, dict) else None
            where = self.at(("slaProperties", i))
            duration = _duration(prop.get("value"), prop.get("unit")) if isinstance(prop, dict) else None
            try:
                ok = duration is not None and duration_seconds(duration) > 0
            except ValueError:
                ok = False
            ratio = _ratio_text(prop.get("value"), prop.get("unit")) if isinstance(prop, dict) else None
            if name in ("retention", "freshness", "latency") and ok:
                slos[name] = {{"retention": "period"}.get(name, "threshold"): duration}
                element = prop.get("element")
                if name in ("freshness",) and isinstance(element, str) and "." in element:
                    slos[name]["timestampField"] = element
            elif name in ("availability", "completeness", "accuracy") and ratio is not None:
                slos[name] = {"target": ratio}
                if name == "accuracy" and isinstance(accuracy_check, str):
                    slos[name]["check"] = accuracy_check
            else:
                self.findings.lost(f"SLA property {name!r} has no place in meshgen's SLOs", where)
        return slos

    # ---- Datasets ----------------------------------------------------------------------

    def datasets(self, data: dict) -> list[dict]:
        out = []
        for i, obj in enumerate(data.get("schema") or []):
            path = ("schema", i)
            name = safe_name(obj["name"], self.at(path + ("name",)), self.findings, "schema object name")
            ds: dict[str, Any] = {"name": name}
            if isinstance(obj.get("physicalName"), str) and obj["physicalName"].strip():
                self.physical[name] = obj["physicalName"].strip()
            if isinstance(obj.get("description"), str):
                ds["description"] = obj["description"]
            keys, partitions = [], []
            fields = [self.field(p, path + ("properties", j), keys, partitions)
                      for j, p in enumerate(obj.get("properties") or [])]
            if keys:
                ds["primaryKey"] = [name for _, name in sorted(keys)]
                self._keys_required(fields, ds["primaryKey"])
            if partitions:
                ds["partitionBy"] = [name for _, name in sorted(partitions)]
            ds["fields"] = unique_fields(fields, self.findings)
            quality = self._quality(obj, path, None) + [
                check for j, p in enumerate(obj.get("properties") or [])
                for check in self._quality(p, path + ("properties", j), ds["fields"][j]["name"])]
            if quality:
                ds["quality"] = quality
            for key in ("examples", "sampleQueries"):
                value = _custom(obj, key)
                if isinstance(value, list) and value:
                    ds[key] = value
            self._unread(obj, path, _OBJECT_READ, "schema object")
            out.append(ds)
        return out

    def _quality(self, node: dict, path: tuple, field: str | None) -> list[dict]:
        """The node's quality rules as spec checks: a library metric (on its property's field)
        or a SQL query (`{model}`, datacontract-cli's table placeholder, is `{dataset}`)."""
        out = []
        for i, rule in enumerate(node.get("quality") or []):
            where = self.at(path + ("quality", i))
            if not isinstance(rule, dict) or (field is not None and _enum_symbols({"quality": [rule]})):
                continue  # an enum's symbols, read with the type
            check = _check(rule, field, len(self.check_ids))
            if check is None:
                self.findings.lost("a quality rule that is neither a metric meshgen has nor SQL with one bound",
                                   where, "write it as a `quality` check by hand")
                continue
            problem = _check_problem(check)
            if problem:
                self.findings.changed(f"quality rule {check['id']!r} left out: {problem}", where)
                continue
            while check["id"] in self.check_ids:
                check["id"] += "_2"
            self.check_ids.add(check["id"])
            out.append(check)
        return out

    def _keys_required(self, fields: list[tuple[dict, Location]], keys: list[str]) -> None:
        """A primary key is never null (the spec holds it to `required: true`)."""
        for data, where in fields:
            if data["name"] in keys and not data.get("required"):
                data["required"] = True
                self.findings.changed(f"primary key property {data['name']!r} is not `required`; imported as "
                                      "required (a key is never null)", where)

    def _unread(self, node: dict, path: tuple, read: set[str], what: str) -> None:
        for key in node:
            if key not in read:
                self.findings.lost(f"{what} key {key!r} has no place in the spec; left out",
                                   self.at(path + (key,), key=True))

    def field(self, prop: dict, path: tuple, keys: list, partitions: list) -> tuple[dict, Location]:
        where = self.at(path)
        name = safe_name(prop.get("name"), self.at(path + ("name",)), self.findings, "property name")
        spec = self.type(prop, path)
        data: dict[str, Any] = {"name": name, "type": spec.pop("type"), "required": prop.get("required") is True}
        if prop.get("unique") is True:
            data["unique"] = True
        if isinstance(prop.get("description"), str):
            data["description"] = prop["description"]
        if prop.get("primaryKey") is True:
            keys.append((_position(prop.get("primaryKeyPosition")), name))
        if prop.get("partitioned") is True:
            partitions.append((_position(prop.get("partitionKeyPosition")), name))
        self._privacy(prop, path, data)
        if isinstance(prop.get("examples"), list) and prop["examples"]:
            data["examples"] = prop["examples"]
        data.update(spec)
        self._unread(prop, path, _PROPERTY_READ, "property")
        return fitted(data, where, self.findings), where

    def _privacy(self, prop: dict, path: tuple, data: dict) -> None:
        """`classification` (the spec's four levels), the tag `pii`, and the custom properties
        meshgen's own contracts carry (pii, protection, default, deprecation)."""
        level = prop.get("classification")
        if isinstance(level, str) and level.lower() in _CLASSIFICATIONS:
            data["classification"] = level.lower()
        elif level is not None:
            self.findings.lost(f"classification {level!r} is not one of {', '.join(_CLASSIFICATIONS)}",
                               self.at(path + ("classification",)))
        tags = prop.get("tags") if isinstance(prop.get("tags"), list) else []
        if "pii" in tags:
            data["pii"] = True
        for i, tag in enumerate(tags):
            if tag != "pii":
                self.findings.lost(f"tag {tag!r} of a property has no place in the spec", self.at(path + ("tags", i)))
        for i, custom in enumerate(prop.get("customProperties") or []):
            key = custom.get("property") if isinstance(custom, dict) else None
            value = custom.get("value") if isinstance(custom, dict) else None
            if key in _FIELD_CUSTOM and _FIELD_CUSTOM[key](value):
                data[key] = value
            elif key != "meshgenType":  # read with the type
                self.findings.lost(f"custom property {key!r} has no place in the spec",
                                   self.at(path + ("customProperties", i)))

    def type(self, prop: dict, path: tuple) -> dict:
        """The spec type keys of a property: its logicalType, refined by its physicalType
        (precision, length, uuid, a timestamp without zone) and its logicalTypeOptions."""
        logical = prop.get("logicalType")
        physical = str(prop.get("physicalType") or "")
        options = prop.get("logicalTypeOptions") if isinstance(prop.get("logicalTypeOptions"), dict) else {}
        if logical is None:
            logical = _logical_of_physical(physical)
            if logical is None:
                what = f"physicalType {physical!r}" if physical else "no logicalType"
                self.findings.nearest_type(f"property {prop.get('name')!r} has {what}; imported as string",
                                           self.at(path))
                logical = "string"
        own = _custom(prop, "meshgenType")
        if isinstance(own, str) and own.split("(")[0].split("<")[0] in ("decimal", "json", "map"):
            return self._own_type(own, prop, path, options)
        if logical == "object":
            return self._object(prop, path)
        if logical == "array":
            items = prop.get("items")
            if not isinstance(items, dict):
                self.findings.nearest_type(f"array {prop.get('name')!r} has no `items`; imported as array<json>",
                                           self.at(path))
                return {"type": "array<json>"}
            inner = self.type(items, path + ("items",))
            return collection("array", "items", {k: v for k, v in inner.items() if k in (
                "type", "fields", "symbols", "items", "values")})
        spec = {"type": _scalar(logical, physical, options)}
        spec.update(self._options(options, spec["type"], path))
        symbols = _enum_symbols(prop) if spec["type"] == "string" else None
        if symbols:
            spec["type"], spec["symbols"] = "enum", symbols
        length = _PHYSICAL_LENGTH.match(physical)
        if length and spec["type"] == "string" and "maxLength" not in spec:
            spec["maxLength"] = int(length.group(1))
        return spec

    def _own_type(self, own: str, prop: dict, path: tuple, options: dict) -> dict:
        """meshgen's own type, where ODCS has none (decimal(p,s), json, map<T>)."""
        from meshgen.model.types import TypeSyntaxError, parse_type

        try:
            parse_type(own)
        except TypeSyntaxError:
            self.findings.lost(f"meshgenType {own!r} is not a meshgen type", self.at(path))
            return {"type": "json"}
        spec = {"type": own}
        if own.startswith("decimal"):
            spec.update(self._options(options, own, path))
        return spec

    def _object(self, prop: dict, path: tuple) -> dict:
        members = prop.get("properties")
        if not members:
            return {"type": "json"}
        fields = [self.field(m, path + ("properties", i), [], []) for i, m in enumerate(members)]
        return {"type": "struct", "fields": unique_fields(fields, self.findings)}

    def _options(self, options: dict, meshgen_type: str, path: tuple) -> dict:
        out: dict[str, Any] = {}
        for key, value in options.items():
            where = self.at(path + ("logicalTypeOptions", key))
            if key in ("minLength", "maxLength") and isinstance(value, int):
                out[key] = value
            elif key == "pattern" and isinstance(value, str):
                out[key] = value
            elif key in ("minimum", "maximum") and isinstance(value, (int, float)) and not isinstance(value, bool):
                out[key] = value
            elif key == "enum" and isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                out["type"], out["symbols"] = "enum", list(value)
            elif key in ("format", "timezone"):
                pass  # read into the type
            else:
                self.findings.lost(f"logicalTypeOptions.{key} {value!r} has no place in the spec", where)
        return out

    # ---- Ports -------------------------------------------------------------------------

    def ports(self, data: dict, datasets: list[dict]) -> list[dict]:
        """A table port per (warehouse server, dataset), an events port per Kafka server, a files
        port per object store; other servers are reported."""
        from meshgen.dialects import DIALECTS

        own = self._own_port(data, datasets)
        if own is not None:
            return [own]
        out = []
        for i, server in enumerate(data.get("servers") or []):
            if not isinstance(server, dict):
                continue
            kind = str(server.get("type", "")).lower()
            label = re.sub(r"[^A-Za-z0-9_-]+", "-", str(server.get("server") or kind)).strip("-") or "server"
            for ds in datasets:
                table = self.physical.get(ds["name"], ds["name"])
                port = _server_port(server, kind, ds["name"], table, f"{ds['name']}-{label}", DIALECTS)
                if port is None:
                    self.findings.lost(f"server {server.get('server')!r} of type {kind!r} is not an output port "
                                       "meshgen knows", self.at(("servers", i)))
                    break
                out.append(port)
        return out


    def _own_port(self, data: dict, datasets: list[dict]) -> dict | None:
        """The port of a contract meshgen wrote (one per port: its `outputPort` and `portType`
        custom properties, the port as its one server)."""
        name, kind = _custom(data, "outputPort"), _custom(data, "portType")
        servers = data.get("servers") or []
        schema = data.get("schema") or []
        if not (isinstance(name, str) and kind in ("events", "table", "files", "rest", "grpc") and len(servers) == 1
                and len(schema) == 1 and isinstance(servers[0], dict)):
            return None
        server, obj = servers[0], schema[0]
        platform = _custom(server, "platform") if server.get("type") == "custom" else server.get("type")
        port: dict[str, Any] = {"name": name, "type": kind, "dataset": str(obj["name"])}
        if isinstance(platform, str) and platform not in ("api", "custom"):
            port["platform"] = platform
        physical = obj.get("physicalName")
        if kind == "events":
            port["topic"] = str(_custom(server, "topic") or physical or port["dataset"])
        if kind == "table":
            parts = [server.get(k) for k in ("catalog", "project", "database", "schema", "dataset")]
            port["location"] = ".".join([str(p) for p in parts if p] + [str(physical or port["dataset"])])
        if kind == "files" and server.get("location"):
            port["location"] = str(server["location"])
        url = server.get("location") or _custom(server, "url") or _custom(data, "url")
        if kind in ("rest", "grpc") and url:
            port["url"] = str(url)
        if str(server.get("format", "")).lower() in ("avro", "json", "protobuf", "parquet", "csv", "delta", "iceberg"):
            port["format"] = str(server["format"]).lower()
        return port


def _server_port(server: dict, kind: str, dataset: str, table: str, name: str, dialects) -> dict | None:
    if kind in dialects:
        parts = [server.get(k) for k in ("catalog", "project", "database", "schema", "dataset")]
        location = ".".join([str(p) for p in parts if p] + [table])
        return {"name": name, "type": "table", "dataset": dataset, "platform": kind, "location": location}
    if kind == "kafka":
        return {"name": name, "type": "events", "dataset": dataset, "platform": "kafka",
                "topic": str(server.get("topic") or table)}  # ODCS names the topic as the object's physicalName
    if kind in ("s3", "gcs", "azure", "local", "sftp"):
        port = {"name": name, "type": "files", "dataset": dataset, "platform": kind}
        if server.get("location") or server.get("path"):
            port["location"] = str(server.get("location") or server.get("path"))
        if str(server.get("format", "")).lower() in ("parquet", "csv", "json", "avro", "delta", "iceberg"):
            port["format"] = str(server["format"]).lower()
        return port
    return None


def _scalar(logical: str, physical: str, options: dict) -> str:
    p = physical.strip().lower()
    kind = _FORMATS.get(str(options.get("format", "")))
    if kind is not None and logical in ("string", "integer", "number"):
        return kind
    decimal = _PHYSICAL_DECIMAL.match(physical)
    if logical == "number":
        if decimal:
            precision, scale = int(decimal.group(1)), int(decimal.group(2) or 0)
            if 1 <= precision <= 38 and scale <= precision:
                return f"decimal({precision},{scale})"
        return "float" if p.startswith(("float4", "real", "float32")) or options.get("format") == "f32" else "double"
    if logical == "integer":
        wide = p.startswith(("bigint", "long", "int64", "int8")) or options.get("format") == "i64"
        return "long" if wide else "int"
    if logical == "timestamp":
        naive = "ntz" in p or p.startswith("datetime") or "without time zone" in p or options.get("timezone") is False
        return "timestamp_ntz" if naive else "timestamp"
    if logical == "string":
        if p in ("uuid", "uniqueidentifier") or options.get("format") == "uuid":
            return "uuid"
        if p in ("json", "jsonb", "variant", "super"):
            return "json"
        if p.startswith(("bytes", "binary", "varbinary", "bytea", "blob")):
            return "bytes"
        return "string"
    return logical  # date, time, boolean


def _logical_of_physical(physical: str) -> str | None:
    p = physical.strip().lower()
    table = (("varchar", "string"), ("char", "string"), ("text", "string"), ("string", "string"), ("uuid", "string"),
             ("bigint", "integer"), ("int", "integer"), ("long", "integer"), ("decimal", "number"),
             ("numeric", "number"), ("number", "number"), ("double", "number"), ("float", "number"),
             ("real", "number"), ("bool", "boolean"), ("timestamp", "timestamp"), ("datetime", "timestamp"),
             ("date", "date"), ("time", "time"), ("json", "string"), ("struct", "object"), ("object", "object"),
             ("array", "array"), ("list", "array"))
    return next((logical for prefix, logical in table if p.startswith(prefix)), None) if p else None


_METRICS = ("duplicateValues", "nullValues", "rowCount", "invalidValues", "missingValues")
_DIMENSIONS = ("accuracy", "completeness", "conformity", "consistency", "timeliness", "uniqueness")
_BOUNDS = ("mustBe", "mustBeLessThan", "mustBeGreaterThan", "mustBeBetween")


def _check(rule: dict, field: str | None, n: int) -> dict | None:
    metric = rule.get("metric") or rule.get("rule")
    bounds = [k for k in _BOUNDS if rule.get(k) is not None]
    query = rule.get("query")
    if len(bounds) != 1 or not (metric in _METRICS or (rule.get("type") == "sql" and isinstance(query, str))):
        return None
    name = str(rule.get("id") or rule.get("name") or f"{metric or 'sql'}_{field or 'check'}_{n + 1}")
    check: dict[str, Any] = {"id": re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or f"check_{n + 1}"}
    if isinstance(rule.get("description"), str):
        check["description"] = rule["description"]
    if str(rule.get("dimension", "")).lower() in _DIMENSIONS:
        check["dimension"] = str(rule["dimension"]).lower()
    if metric in _METRICS and rule.get("type") != "sql":
        check["metric"] = metric
        if field is not None and metric != "rowCount":
            check["field"] = field
        elif metric != "rowCount":
            return None
    else:
        check["sql"] = query.replace("{model}", "{dataset}")
    value = rule[bounds[0]]
    if rule.get("unit") == "percent" and isinstance(value, (int, float)) and bounds[0] != "mustBeBetween":
        value = f"{value:g}%"
    check[bounds[0]] = value
    return check


def _check_problem(check: dict) -> str | None:
    from pydantic import ValidationError

    from meshgen.model.models import QualityCheck

    try:
        QualityCheck.model_validate(check)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]
    return None


def _custom(node: dict, key: str) -> Any:
    for custom in node.get("customProperties") or []:
        if isinstance(custom, dict) and custom.get("property") == key:
            return custom.get("value")
    return None


def _enum_symbols(prop: dict) -> list[str] | None:
    """An `invalidValues` rule with `validValues` that must find none: an enum (how meshgen's
    contracts write one, ODCS having no enum type)."""
    for rule in prop.get("quality") or []:
        values = (rule.get("arguments") or {}).get("validValues") if isinstance(rule, dict) else None
        if rule.get("metric") == "invalidValues" and rule.get("mustBe") == 0 and isinstance(values, list) \
                and values and all(isinstance(v, str) for v in values):
            return list(values)
    return None


def _position(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 10**6


def _duration(value: Any, unit: Any) -> str | None:
    if isinstance(value, str) and value.strip().upper().startswith("P"):
        return value.strip().upper()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        short = _UNITS.get(str(unit or "d").strip().lower())
        return f"{int(value)}{short}" if short else None
    if isinstance(value, str) and re.fullmatch(r"\d+\s*[smhdwy]", value.strip()):
        return value.strip().replace(" ", "")
    return None


def _ratio_text(value: Any, unit: Any) -> Any:
    """A ratio as the spec writes one: `99.9%` for a percentage (ODCS's `unit: percent`)."""
    from meshgen.model.values import parse_ratio

    if unit == "percent" and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:g}%"
    try:
        parse_ratio(value)
    except ValueError:
        return None
    return value
