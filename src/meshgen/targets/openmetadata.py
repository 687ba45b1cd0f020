"""OpenMetadata: per product, the request bodies of OpenMetadata's create APIs, and their order.

`openmetadata/requests.json` lists every request in dependency order (method, API path, the
entity's fully qualified name and the file holding its body); each body is one file under a
folder named after its entity kind (`tables/<fqn>.json`). What a product needs, in that order:

    classifications, tags   DataClassification.<Level>, PersonalData.PII, PersonalData.<Protection>
    domains                 the product's domain (Source-aligned unless one of its products reads another)
    services                a database service per table platform, a messaging service per events platform
    databases, schemas      the parts of each table's qualified name (as the sql target's DDL names it)
    dataProducts            the product, in its domain
    tables, topics          one per `table` / `events` port, listing the data product and the domain

Names follow OpenMetadata's own client: the characters it reserves in names (`::`, `>`, `"`, line
breaks, tabs) are written as its `__reserved__...__` keywords, and a name part holding a `.` is
double-quoted inside a fully qualified name. `meshgen publish openmetadata` sends the requests.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, ClassVar, Iterable, Optional

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.dialects import dialect
from meshgen.mesh.links import product_page_url
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, OutputPort, SchemaField, dotted_fields
from meshgen.model.types import DataType, Kind
from meshgen.model.values import duration_seconds
from meshgen.output import Artifact
from meshgen.schemas.avro import avro_schema
from meshgen.schemas.jsonschema import DRAFT, embedded_json_schema
from meshgen.schemas.ports import payload_format
from meshgen.schemas.protobuf import PROTO_TEMPLATE_INFO, TEMPLATE as PROTO_TEMPLATE, proto_text
from meshgen.serializer import json_text
from meshgen.targets.base import CANNOT_EXPRESS, Target, TemplateInfo, pascal_case
from meshgen.targets.sql import table_place

# Entity kind → (the folder of its bodies, its create-or-update API path), in dependency order:
# an entity is sent only after every entity its body names.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "classification": ("classifications", "/api/v1/classifications"),
    "tag": ("tags", "/api/v1/tags"),
    "domain": ("domains", "/api/v1/domains"),
    "databaseService": ("databaseServices", "/api/v1/services/databaseServices"),
    "messagingService": ("messagingServices", "/api/v1/services/messagingServices"),
    "database": ("databases", "/api/v1/databases"),
    "databaseSchema": ("databaseSchemas", "/api/v1/databaseSchemas"),
    "dataProduct": ("dataProducts", "/api/v1/dataProducts"),
    "table": ("tables", "/api/v1/tables"),
    "topic": ("topics", "/api/v1/topics"),
}
INDEX = "requests.json"

DATABASE_SERVICE_TYPES = {"snowflake": "Snowflake", "postgres": "Postgres", "bigquery": "BigQuery",
                          "databricks": "Databricks", "redshift": "Redshift"}
MESSAGING_SERVICE_TYPES = {"kafka": "Kafka", "redpanda": "Redpanda", "kinesis": "Kinesis", "pubsub": "PubSub"}

CLASSIFICATION = "DataClassification"
PERSONAL = "PersonalData"
LEVEL_TAGS = {"public": "Public", "internal": "Internal", "confidential": "Confidential", "restricted": "Restricted"}
PROTECTION_TAGS = {"mask": "Masked", "hash": "Hashed", "tokenize": "Tokenized", "encrypt": "Encrypted"}
TAG_DESCRIPTIONS = {
    "Public": "May be shared with anyone.",
    "Internal": "For use inside the organisation only.",
    "Confidential": "Restricted to those who need it; personal data is at least confidential.",
    "Restricted": "The most sensitive data: access is granted per person and audited.",
    "PII": "Personal data: it identifies or relates to a person.",
    "Masked": "Personal data shown masked to readers without access to personal data.",
    "Hashed": "Personal data shown as a hash to readers without access to personal data.",
    "Tokenized": "Personal data replaced by a token for readers without access to personal data.",
    "Encrypted": "Personal data stored encrypted.",
}
CLASSIFICATION_DESCRIPTIONS = {
    CLASSIFICATION: "How sensitive data is, as its data product's contract classifies it: "
                    "public < internal < confidential < restricted.",
    PERSONAL: "Personal data, and how a data product's contract protects it.",
}

COLUMN_TYPES = {Kind.STRING: "STRING", Kind.INT: "INT", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT", Kind.DOUBLE: "DOUBLE",
                Kind.DECIMAL: "DECIMAL", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE", Kind.TIME: "TIME",
                Kind.TIMESTAMP: "TIMESTAMPZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP", Kind.BYTES: "BYTES", Kind.UUID: "UUID",
                Kind.JSON: "JSON", Kind.ENUM: "ENUM", Kind.ARRAY: "ARRAY", Kind.MAP: "MAP", Kind.STRUCT: "STRUCT"}
# A topic field's type is its wire type (decimals are bytes in Avro, text in JSON and Protobuf).
FIELD_TYPES = {**COLUMN_TYPES, Kind.LONG: "LONG", Kind.DECIMAL: "STRING", Kind.UUID: "STRING", Kind.JSON: "STRING",
               Kind.STRUCT: "RECORD"}

_RESERVED = (("::", "__reserved__colon__"), (">", "__reserved__arrow__"), ('"', "__reserved__quote__"),
             ("\n", "__reserved__newline__"), ("\r", "__reserved__carriage_return__"), ("\t", "__reserved__tab__"))
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_SHORT_DURATION = re.compile(r"^(\d+)\s*([smhdwy])$")


def entity_name(text: str) -> str:
    """A name as OpenMetadata's client stores it: its reserved characters as keywords."""
    for plain, keyword in _RESERVED:
        text = text.replace(plain, keyword)
    return text


def fqn(*names: str) -> str:
    """A fully qualified name of (already encoded) names: a name holding a `.` is double-quoted."""
    return ".".join(f'"{n}"' if "." in n else n for n in names)


def body_file(kind: str, name: str, taken: set[str]) -> str:
    """`<folder>/<fqn>.json` (without the FQN's quotes); a name a file cannot hold as it is, or
    one another entity's file already has, gets a digest of the whole FQN to stay unique."""
    plain = name.replace('"', "")
    safe = _FILE_UNSAFE.sub("_", plain)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    path = f"{ENDPOINTS[kind][0]}/{safe}.json"
    if safe != plain or len(safe) > 180 or path in taken:
        path = f"{ENDPOINTS[kind][0]}/{safe[:160]}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}.json"
    taken.add(path)
    return path


def iso_duration(text: str) -> str:
    """`2y`, `7d`, `1h` as ISO 8601 (`P2Y`, `P7D`, `PT1H`); an ISO duration as written."""
    m = _SHORT_DURATION.match(text.strip())
    if not m:
        return text.strip()
    number, unit = m.groups()
    return f"PT{number}{unit.upper()}" if unit in "smh" else f"P{number}{unit.upper()}"


def type_display(t: DataType, max_length: Optional[int] = None) -> str:
    """The contract's type in meshgen's grammar, with a string's length and an enum's symbols."""
    if t.kind is Kind.STRING and max_length:
        return f"varchar({max_length})"
    if t.kind is Kind.ENUM:
        return "enum(" + ",".join("'" + s.replace("'", "''") + "'" for s in t.symbols) + ")"
    if t.kind is Kind.ARRAY:
        return f"array<{type_display(t.items)}>"
    if t.kind is Kind.MAP:
        return f"map<string,{type_display(t.values)}>"
    if t.kind is Kind.STRUCT:
        return "struct<" + ",".join(f"{f.name}:{type_display(f.data_type, f.maxLength)}" for f in t.fields) + ">"
    return str(t)


def members(t: DataType, through_maps: bool = True) -> tuple[SchemaField, ...]:
    """The struct fields inside a type (through arrays, and maps unless told not to): a column's
    children. A topic field lists none through a map, as OpenMetadata's schema parsers read it."""
    kinds = (Kind.ARRAY, Kind.MAP) if through_maps else (Kind.ARRAY,)
    while t.kind in kinds:
        t = t.items if t.kind is Kind.ARRAY else t.values
    return t.fields if t.kind is Kind.STRUCT else ()


def field_description(f: SchemaField) -> Optional[str]:
    if not f.deprecated:
        return f.description
    said = "Deprecated" + (f"; replaced by {f.replacedBy}" if f.replacedBy else "") + (
        f"; may be removed after {f.deprecationDate}" if f.deprecationDate else "") + "."
    return f"{said} {f.description}" if f.description else said


def tag_label(tag_fqn: str) -> dict[str, str]:
    return {"tagFQN": tag_fqn, "source": "Classification", "labelType": "Manual", "state": "Confirmed"}


def reading_domains(mesh) -> frozenset[str]:
    """The domains with a product that reads another (Consumer-aligned), computed once per mesh."""
    return mesh.memo("openmetadata.reading_domains", lambda: frozenset(
        pf.product.domain for pf in mesh.products if pf.product.inputPorts))


class OpenMetadataOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: dict[str, str] = F(default_factory=dict, description=(
        "The OpenMetadata service name of a platform (`{snowflake: snowflake_prod}`); default: the platform's name."))
    database: str = F("default", min_length=1, description=(
        "The database (catalog, BigQuery project) of a table whose qualified name has no database part."))
    create_services: bool = F(True, description=(
        "Send a service body per platform; false when the platform's services already exist in OpenMetadata "
        "(they are then only referenced by name)."))
    topic_partitions: int = F(1, ge=1, description=(
        "The partition count sent for each topic (OpenMetadata requires one; Kafka ingestion corrects it)."))


class Requests:
    """The requests of one product: (kind, fqn) → body, each entity once (ports share a schema)."""

    def __init__(self) -> None:
        self.bodies: dict[tuple[str, str], dict[str, Any]] = {}

    def add(self, kind: str, name: str, body: dict[str, Any]) -> str:
        self.bodies.setdefault((kind, name), body)
        return name

    def ordered(self) -> list[tuple[str, str, dict[str, Any]]]:
        rank = list(ENDPOINTS)
        keys = sorted(self.bodies, key=lambda k: rank.index(k[0]))  # stable: first added first
        return [(kind, name, self.bodies[(kind, name)]) for kind, name in keys]


class OpenMetadataTarget(Target):
    name = "openmetadata"
    # a domain is Consumer-aligned when any of its products reads another: the product and those
    # domains (its mesh facts) are all a unit reads
    reads = "product"
    mesh_facts = staticmethod(lambda mesh: sorted(reading_domains(mesh)))
    description = "OpenMetadata create-API request bodies (tables, topics, the data product, its domain and tags)"
    Options = OpenMetadataOptions
    codes = CodeFamily("OM", "The OpenMetadata catalog entries can express the product.",
                       "docs/targets-openmetadata.md", (
        DiagnosticCode("OM001", CANNOT_EXPRESS,
                       "a table port's location is not a dotted table name; the table gets the sql target's default name"),
        DiagnosticCode("OM002", CANNOT_EXPRESS,
                       "a messaging platform has no OpenMetadata service type; its service is a CustomMessaging service "
                       "(DuckDB tables are in a CustomDatabase service, without a note)"),
        DiagnosticCode("OM003", CANNOT_EXPRESS,
                       "an events port's format has no OpenMetadata message schema; the dataset's JSON Schema is sent"),
        DiagnosticCode("OM004", CANNOT_EXPRESS,
                       "a files, rest or grpc port has no OpenMetadata entity here; the data product's description "
                       "lists it"),
    ), target="openmetadata")
    templates: ClassVar[dict[str, TemplateInfo]] = {
        "openmetadata/body.json.j2": TemplateInfo(
            "one request body (`<kind>/<fqn>.json`): a Create*Request of OpenMetadata's API", (
                ("body", "the request body, as data"),
                ("kind", "the entity kind (classification, tag, domain, ..., table, topic)"),
                ("fqn", "the entity's fully qualified name"))),
        "openmetadata/requests.json.j2": TemplateInfo(
            "the product's requests in dependency order (`requests.json`)", (
                ("index", "product (its address) and requests (method, path, fqn, body file), as data"),)),
        PROTO_TEMPLATE: PROTO_TEMPLATE_INFO,  # the message schema of a protobuf topic
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._used: dict[str, set[str]] = {}  # classification → the tags the product's entities carry

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        self._used = {}
        requests = Requests()
        p = pf.product
        domain = self.domain(pf, requests)
        product_fqn = requests.add("dataProduct", fqn(entity_name(f"{p.domain}.{p.name}.v{p.major}")),
                                   self.data_product(pf, domain))
        for index, port in enumerate(p.outputPorts):
            ds = p.dataset(port.dataset)
            if ds is None:
                continue
            if port.type == "table":
                self.table(pf, index, port, ds, requests, domain, product_fqn)
            elif port.type == "events":
                self.topic(pf, index, port, ds, requests, domain, product_fqn)
            else:
                self.unsupported("OM004", f"port {port.name!r} ({port.type}) has no OpenMetadata entity "
                                 "here; the data product's description lists it", pf.location("outputPorts", index),
                                 "consumers find it through the data product's description")
        self.tags(requests)
        index: list[dict[str, str]] = []
        taken: set[str] = set()
        for kind, name, body in requests.ordered():
            path = body_file(kind, name, taken)
            index.append({"method": "PUT", "path": ENDPOINTS[kind][1], "fqn": name, "body": path})
            yield Artifact(path, self.render("body.json.j2", body=body, kind=kind, fqn=name))
        yield Artifact(INDEX, self.render("requests.json.j2", index={"product": p.address, "requests": index}))

    # ---- Domain, data product, tags ---------------------------------------------------------

    def domain(self, pf: ProductFile, requests: Requests) -> str:
        """The product's domain: Source-aligned, or Consumer-aligned when a product of it reads another."""
        name = pf.product.domain
        reads = name in reading_domains(self.mesh)
        return requests.add("domain", fqn(entity_name(name)), {
            "name": entity_name(name), "displayName": name, "domainType": "Consumer-aligned" if reads else "Source-aligned",
            "description": f"Data products of the {name} domain."})

    def data_product(self, pf: ProductFile, domain: str) -> dict[str, Any]:
        p = pf.product
        body: dict[str, Any] = {"name": entity_name(f"{p.domain}.{p.name}.v{p.major}"), "displayName": p.title or p.name,
                                "description": self.product_description(pf), "domains": [domain]}
        level = self.mesh.resolved(pf).classification
        if level != "public":
            body["tags"] = [tag_label(self.tag(CLASSIFICATION, LEVEL_TAGS[level]))]
        return body

    def product_description(self, pf: ProductFile) -> str:
        """Markdown: what the product is, who owns it, its address, version and status, its ports."""
        p = pf.product
        d = p.description
        lines = [d] if isinstance(d, str) else [text for text in (d.purpose, d.usage, d.limitations) if text] if d else []
        owner = p.owner.team + (f" ({p.owner.email})" if p.owner.email else "")
        lines.append(f"Owner: {owner}." + (f" Product owner: {p.owner.productOwner}." if p.owner.productOwner else ""))
        lines.append(f"Address: {p.address}, version {p.version}, {p.status}.")
        if p.lifecycle and p.lifecycle.successor:
            until = f" (until {p.lifecycle.deprecationDate})" if p.lifecycle.deprecationDate else ""
            lines.append(f"Successor: {p.lifecycle.successor}{until}.")
        for s in p.support:
            lines.append(f"Support: {s.channel}" + (f" ({s.tool})" if s.tool else "") + (f" {s.url}" if s.url else ""))
        for port in p.outputPorts:
            where = port.location or port.topic or port.url
            lines.append(f"Port {port.name}: {port.type}" + (f" on {port.platform}" if port.platform else "")
                         + (f", {where}" if where else "") + ".")
        url = product_page_url(self.mesh.config.site_url, p.address)
        if url:
            lines.append(f"Documentation: {url}")
        return "\n\n".join(lines)

    def tag(self, classification: str, tag: str) -> str:
        """A tag's FQN; the tag and its classification are sent before anything that uses them."""
        self._used.setdefault(classification, set()).add(tag)
        return fqn(classification, tag)

    def tags(self, requests: Requests) -> None:
        for classification in sorted(self._used):
            requests.add("classification", classification, {
                "name": classification, "description": CLASSIFICATION_DESCRIPTIONS[classification],
                "mutuallyExclusive": classification == CLASSIFICATION})
            for tag in sorted(self._used[classification]):
                requests.add("tag", fqn(classification, tag), {
                    "name": tag, "classification": classification, "description": TAG_DESCRIPTIONS[tag]})

    def field_tags(self, pf: ProductFile, ds: Dataset, dotted: str, f: SchemaField) -> list[dict[str, str]]:
        level = self.mesh.resolved(pf).classification_of(ds.name, dotted)
        tags = []
        if f.classification or level != "public":
            tags.append(tag_label(self.tag(CLASSIFICATION, LEVEL_TAGS[level])))
        if f.pii:
            tags.append(tag_label(self.tag(PERSONAL, "PII")))
        if f.protection:
            tags.append(tag_label(self.tag(PERSONAL, PROTECTION_TAGS[f.protection])))
        return tags

    # ---- Services ------------------------------------------------------------------------------

    def service(self, pf: ProductFile, index: int, kind: str, platform: str, requests: Requests) -> str:
        """The service a port's entity lives in (sent unless `create_services: false`)."""
        known = DATABASE_SERVICE_TYPES if kind == "databaseService" else MESSAGING_SERVICE_TYPES
        custom = "CustomDatabase" if kind == "databaseService" else "CustomMessaging"
        name = entity_name(self.options.services.get(platform, platform))
        if platform not in known and platform != "duckdb":  # DuckDB: CustomDatabase is OpenMetadata's way, no loss
            self.unsupported("OM002", f"OpenMetadata has no service type for platform {platform!r}; the "
                             f"service {name!r} is a {custom} service", pf.location("outputPorts", index, "platform"),
                             "name an existing service for the platform with the target's `services` option")
        if self.options.create_services:
            requests.add(kind, fqn(name), {"name": name, "serviceType": known.get(platform, custom)})
        return fqn(name)

    # ---- Tables ------------------------------------------------------------------------------

    def table(self, pf: ProductFile, index: int, port: OutputPort, ds: Dataset, requests: Requests,
              domain: str, product_fqn: str) -> None:
        platform = port.platform or "duckdb"  # the sql target always writes the DuckDB DDL
        d = dialect(platform)
        where, unread = table_place(pf, ds, d)
        if unread is not None:
            self.unsupported("OM001", f"the location {port.location!r} of port {port.name!r} is not a dotted "
                             f"table name; the table is registered as {'.'.join(where.schema + (where.table,))}",
                             pf.location("outputPorts", index, "location"),
                             "write it as <schema>.<table> or <database>.<schema>.<table>")
        parts = [self.options.database] * (2 - len(where.schema)) + list(where.schema)
        service = self.service(pf, index, "databaseService", platform, requests)
        database, schema = entity_name(parts[0]), entity_name(parts[1])
        database_fqn = requests.add("database", f"{service}.{fqn(database)}", {"name": database, "service": service})
        schema_fqn = requests.add("databaseSchema", f"{database_fqn}.{fqn(schema)}",
                                  {"name": schema, "database": database_fqn})
        name = entity_name(where.table)
        body: dict[str, Any] = {
            "name": name, "databaseSchema": schema_fqn, "tableType": "Regular",
            "columns": [self.column(pf, ds, f, f.name, i + 1) for i, f in enumerate(ds.fields)],
            "domains": [domain], "dataProducts": [product_fqn]}
        if ds.description:
            body["description"] = ds.description
        body.update(self.common(pf, ds))
        constraints = table_constraints(ds)
        if constraints:
            body["tableConstraints"] = constraints
        if ds.partitionBy:
            body["tablePartition"] = {"columns": [partition_column(ds.field(n)) for n in ds.partitionBy]}
        if pf.product.slos and pf.product.slos.retention:
            body["retentionPeriod"] = iso_duration(pf.product.slos.retention.period)
        requests.add("table", f"{schema_fqn}.{fqn(name)}", body)

    def common(self, pf: ProductFile, ds: Dataset) -> dict[str, Any]:
        """What a table and a topic both carry: the dataset's classification as a tag, the docs link."""
        out: dict[str, Any] = {}
        r = self.mesh.resolved(pf)
        levels = [r.classification_of(ds.name, dotted) for dotted, _ in dotted_fields(ds.fields)]
        level = max(levels, key=list(LEVEL_TAGS).index)
        if level != "public":
            out["tags"] = [tag_label(self.tag(CLASSIFICATION, LEVEL_TAGS[level]))]
        url = product_page_url(self.mesh.config.site_url, pf.product.address)
        if url:
            out["sourceUrl"] = url
        return out

    def column(self, pf: ProductFile, ds: Dataset, f: SchemaField, dotted: str, position: int | None) -> dict[str, Any]:
        """One column with its type, length or precision, item type, children, constraint and tags."""
        t = f.data_type
        c: dict[str, Any] = {"name": entity_name(f.name), "dataTypeDisplay": type_display(t, f.maxLength)}
        if t.kind is Kind.STRING and f.maxLength:
            c["dataType"], c["dataLength"] = "VARCHAR", f.maxLength
        else:
            c["dataType"] = COLUMN_TYPES[t.kind]
        if t.kind is Kind.DECIMAL:
            c["precision"], c["scale"] = t.precision, t.scale
        if t.kind is Kind.ARRAY:
            c["arrayDataType"] = COLUMN_TYPES[t.items.kind]
        if position is not None:
            c["ordinalPosition"] = position
        if ds.primaryKey == [f.name] and position is not None:
            c["constraint"] = "PRIMARY_KEY"
        else:
            c["constraint"] = "NOT_NULL" if f.required else "NULL"
        description = field_description(f)
        if description:
            c["description"] = description
        tags = self.field_tags(pf, ds, dotted, f)
        if tags:
            c["tags"] = tags
        children = members(t)
        if children:
            c["children"] = [self.column(pf, ds, m, f"{dotted}.{m.name}", None) for m in children]
        return c

    # ---- Topics ------------------------------------------------------------------------------

    def topic(self, pf: ProductFile, index: int, port: OutputPort, ds: Dataset, requests: Requests,
              domain: str, product_fqn: str) -> None:
        service = self.service(pf, index, "messagingService", port.platform or "kafka", requests)
        name = entity_name(port.topic)
        body: dict[str, Any] = {
            "name": name, "service": service, "partitions": self.options.topic_partitions,
            "messageSchema": self.message_schema(pf, index, port, ds), "domains": [domain], "dataProducts": [product_fqn]}
        description = port.description or ds.description
        if description:
            body["description"] = description
        body.update(self.common(pf, ds))
        if pf.product.slos and pf.product.slos.retention:
            body["retentionTime"] = duration_seconds(pf.product.slos.retention.period) * 1000
        requests.add("topic", f"{service}.{fqn(name)}", body)

    def message_schema(self, pf: ProductFile, index: int, port: OutputPort, ds: Dataset) -> dict[str, Any]:
        """The payload schema's text and type (as the schema-registry target registers it) and its fields,
        under one record as OpenMetadata's own schema parsers list them."""
        if port.format == "protobuf":
            text, schema_type, record = proto_text(self.context.renderer, pf, ds, self.reporter), "Protobuf", None
        elif payload_format(pf, port, index, self.reporter, "the OpenMetadata topic", "OM003") == "avro":
            schema = avro_schema(pf, ds, self.reporter)
            text, schema_type, record = json_text(schema, compact=True), "Avro", schema["name"]
        else:
            schema = {"$schema": DRAFT, **embedded_json_schema(pf, ds, self.reporter)}
            text, schema_type, record = json_text(schema, compact=True), "JSON", None
        wire = dict(FIELD_TYPES, **({Kind.DECIMAL: "BYTES"} if schema_type == "Avro" else {}))
        written = schema["fields"] if schema_type == "Avro" else None
        root: dict[str, Any] = {"name": record or pascal_case(ds.name), "dataType": "RECORD",
                                "children": self.fields(pf, ds, ds.fields, "", wire, written)}
        if ds.description:
            root["description"] = ds.description
        return {"schemaText": text, "schemaType": schema_type, "schemaFields": [root]}

    def fields(self, pf: ProductFile, ds: Dataset, fields: Iterable[SchemaField], prefix: str, wire: dict,
               written: Optional[list]) -> list[dict[str, Any]]:
        """A message's fields, named as the payload schema writes them (`written`: the Avro record's
        fields, whose names Avro may have had to change; topic field names are not encoded)."""
        out = []
        for i, f in enumerate(fields):
            t = f.data_type
            node: dict[str, Any] = {"name": written[i]["name"] if written else f.name, "dataType": wire[t.kind],
                                    "dataTypeDisplay": type_display(t, f.maxLength)}
            description = field_description(f)
            if description:
                node["description"] = description
            tags = self.field_tags(pf, ds, prefix + f.name, f)
            if tags:
                node["tags"] = tags
            children = members(t, through_maps=False)
            if children:
                inner = avro_members(written[i]["type"]) if written else None
                node["children"] = self.fields(pf, ds, children, f"{prefix}{f.name}.", wire, inner)
            out.append(node)
        return out


def avro_members(avro_type: Any) -> list[dict[str, Any]]:
    """The fields of the record inside an Avro type (through unions with null and arrays)."""
    while True:
        if isinstance(avro_type, list):
            avro_type = next(t for t in avro_type if t != "null")
        elif isinstance(avro_type, dict) and avro_type.get("type") == "array":
            avro_type = avro_type["items"]
        elif isinstance(avro_type, dict) and avro_type.get("type") == "record":
            return avro_type["fields"]
        else:
            raise ValueError(f"no record in {avro_type!r}")  # members() found a struct: the schema has one


def table_constraints(ds: Dataset) -> list[dict[str, Any]]:
    """A primary key of several columns, and a UNIQUE constraint per unique column (a one-column
    primary key is the column's own constraint, as OpenMetadata's ingestion writes it)."""
    out: list[dict[str, Any]] = []
    if len(ds.primaryKey) > 1:
        out.append({"constraintType": "PRIMARY_KEY", "columns": [entity_name(n) for n in ds.primaryKey]})
    for f in ds.fields:
        if f.unique and ds.primaryKey != [f.name]:
            out.append({"constraintType": "UNIQUE", "columns": [entity_name(f.name)]})
    return out


def partition_column(f: SchemaField) -> dict[str, Any]:
    if f.data_type.kind is Kind.DATE:
        return {"columnName": entity_name(f.name), "intervalType": "TIME-UNIT", "interval": "DAY"}
    return {"columnName": entity_name(f.name), "intervalType": "COLUMN-VALUE"}
