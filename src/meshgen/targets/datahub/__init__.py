"""DataHub: per product, `datahub/mcps.json`, the metadata change proposals (MCPs) that DataHub's
`file` source reads; and for the mesh, `_mesh/datahub/mesh.json` (every product's proposals, each
once) with `recipe.dhub.yaml`, the ingestion recipe that sends it to a DataHub server.

Per product: a dataset per output port (a table, topic, file location or REST API) with its
schema, properties, tags, glossary terms, owners, domain, deprecation and lineage from the
products its input ports read; the domain, the tags and the classification terms it uses; and a
`dataProduct` whose assets are those datasets. Everything is plain data in DataHub's JSON form
(`{"entityType", "entityUrn", "changeType", "aspectName", "aspect": {"json": ...}}`, what the
`file` sink writes); no DataHub package is imported.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.dialects import dialect
from meshgen.mesh.links import product_page_url
from meshgen.model.loader import ProductFile
from meshgen.model.models import CLASSIFICATION_ORDER, Dataset, OutputPort, iter_fields
from meshgen.output import Artifact
from meshgen.schemas.avro import avro_schema
from meshgen.schemas.jsonschema import DRAFT, embedded_json_schema
from meshgen.schemas.ports import payload_format
from meshgen.schemas.protobuf import PROTO_TEMPLATE_INFO, TEMPLATE as PROTO_TEMPLATE, proto_text
from meshgen.serializer import json_text, yaml_document
from meshgen.targets.base import CANNOT_EXPRESS, Target, TemplateInfo
from meshgen.targets.datahub.fields import (
    CLASSIFICATION_NODE, PII_TAG, SchemaContext, declared_classification, field_paths, schema_metadata, term_name,
)
from meshgen.targets.datahub.names import (
    STAMP, UNKNOWN_ACTOR, data_product_urn, dataset_urn, domain_urn, group_urn, port_place, schema_field_urn,
    tag_urn, user_urn,
)

# DataHub's environments (its FabricType).
Environment = Literal["DEV", "TEST", "QA", "UAT", "EI", "PRE", "STG", "NON_PROD", "PROD", "CORP", "RVW", "PRD",
                      "TST", "SIT", "SBX", "SANDBOX", "CERT"]
# A producer's dataset that lineage points at: the port a job most likely reads, by type.
UPSTREAM_PREFERENCE = ("table", "files", "events", "rest")
SUBTYPES = {"table": "Table", "events": "Topic"}
CLASSIFICATION_MEANING = {
    "public": "May be shared with anyone, outside the company too.",
    "internal": "For everyone inside the company; not to be published.",
    "confidential": "For the teams that need it; personal data is at least confidential.",
    "restricted": "The most sensitive data: named people only, every access justified.",
}


# What only a product unit reports (`proposals(report=True)`); a mesh unit's part reports the rest.
PRODUCT_UNIT_CODES = ("DATAHUB001", "DATAHUB002")


class DataHubOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    env: Environment = F("PROD", description="The DataHub environment (FabricType) in every dataset URN.")


@dataclass(frozen=True)
class PortDataset:
    """One output port that is a DataHub dataset."""

    index: int
    port: OutputPort
    ds: Dataset
    platform: str
    name: str
    urn: str


class Proposals:
    """The proposals of one product, in the order they are added (upserts of whole aspects)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, entity_type: str, urn: str, aspect: str, value: dict[str, Any]) -> None:
        self.items.append({"entityType": entity_type, "entityUrn": urn, "changeType": "UPSERT",
                           "aspectName": aspect, "aspect": {"json": value}})


class DataHubTarget(Target):
    name = "datahub"
    description = "DataHub metadata change proposals per product (datasets, schema, lineage, data product) and a mesh recipe"
    scope = "product+mesh"
    # lineage names the producers' datasets, deprecation the successor's (both among the neighbours;
    # one appearing or going changes the neighbours read); the mesh unit reads the whole mesh
    reads = "neighbours"
    Options = DataHubOptions
    codes = CodeFamily("DATAHUB", "The DataHub target can express the product.", "docs/targets-datahub.md", (
        DiagnosticCode("DATAHUB001", CANNOT_EXPRESS,
                       "an output port is not a DataHub dataset (a grpc service, a port without a location, URL or "
                       "warehouse platform); the data product lists the others"),
        DiagnosticCode("DATAHUB002", CANNOT_EXPRESS,
                       "an input port has no lineage: its producer or dataset is not in the mesh, or has no port "
                       "that is a DataHub dataset"),
        DiagnosticCode("DATAHUB003", CANNOT_EXPRESS,
                       "an events port's format has no schema type in DataHub's Kafka schema; its document is the "
                       "dataset's JSON Schema"),
    ), target="datahub")
    templates = {
        "datahub/mcps.json.j2": TemplateInfo(
            "one product's metadata change proposals (`mcps.json`), and the mesh's (`_mesh/datahub/mesh.json`)",
            (("proposals", "the list of proposals as data (entityType, entityUrn, changeType, aspectName, aspect)"),)),
        "datahub/recipe.dhub.yaml.j2": TemplateInfo(
            "the mesh's DataHub ingestion recipe (`_mesh/datahub/recipe.dhub.yaml`)",
            (("mesh", "the mesh's name"), ("recipe", "the recipe (file source, datahub-rest sink), already serialized"))),
        PROTO_TEMPLATE: PROTO_TEMPLATE_INFO,  # the schema document of a protobuf events port
    }

    # a product unit's proposals are its product's part of the mesh unit's `mesh.json`, made once
    offers_parts = True

    def __init__(self, context, options=None):
        super().__init__(context, options)
        # One unit sees one mesh: what the proposals ask of a product or a dataset again (its
        # DataHub datasets, for each input port that reads it; its field paths, for each aspect
        # and link that names them) is computed once per unit. Keyed by id, the object kept beside.
        self._ports: dict[int, tuple[ProductFile, list[PortDataset]]] = {}
        self._paths: dict[int, tuple[Dataset, dict[str, str]]] = {}
        self._levels: dict[tuple[int, int], str] = {}

    @staticmethod
    def part_reads_lock(pf: ProductFile) -> bool:
        """Only a Protobuf port's schema document (`platform_schema`) is numbered from the lock."""
        return any(port.format == "protobuf" for port in pf.product.outputPorts)

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        parts = self.context.parts  # the mesh unit's: it takes this product's proposals from here
        if parts is None:
            proposals, reports = self.proposals(pf, report=True), None
        else:
            proposals, reports = parts.tapped(lambda: self.proposals(pf, report=True))
        builtin = self.renders_builtin("mcps.json.j2")
        texts = proposal_texts(proposals) if builtin or reports is not None else None
        if reports is not None:  # the mesh unit's part reports what proposals(report=False) does
            parts.offer(pf, texts, [d for d in reports if d.code not in PRODUCT_UNIT_CODES])
        if builtin:  # `{{ proposals | tojson }}`: the texts joined as tojson would
            yield Artifact("mcps.json", json_list_text([text for _urn, _aspect, text in texts], end="\n"))
        else:
            yield Artifact("mcps.json", self.render("mcps.json.j2", proposals=proposals))

    def generate_mesh(self) -> Iterable[Artifact]:
        order = {address: i for i, address in enumerate(self.mesh.graph.topological_order())}
        seen: set[tuple[str, str]] = set()
        bundle: list[str] = []  # each proposal's JSON text
        for pf in sorted(self.mesh.products, key=lambda pf: (order.get(pf.product.address, len(order)), str(pf.path))):
            # each product's proposals read what its product unit reads: kept from the last build
            for urn, aspect, text in self.part(pf, lambda: proposal_texts(self.proposals(pf, report=False))):  # noqa: B023
                if (urn, aspect) not in seen:  # the domain, tags and terms products share, once
                    seen.add((urn, aspect))
                    bundle.append(text)
        if self.renders_builtin("mcps.json.j2"):  # `{{ proposals | tojson }}`: the texts joined as tojson would
            mesh_json = json_list_text(bundle, end="\n")
        else:
            mesh_json = self.render("mcps.json.j2", proposals=[json.loads(text) for text in bundle])
        name = self.mesh.config.name or self.mesh.root.name
        recipe = {
            "pipeline_name": f"meshgen-{name}",
            "source": {"type": "file", "config": {"path": "mesh.json"}},
            "sink": {"type": "datahub-rest",
                     "config": {"server": "${DATAHUB_GMS_URL}", "token": "${DATAHUB_GMS_TOKEN:-}"}},
        }
        yield Artifact("mesh.json", mesh_json)
        yield Artifact("recipe.dhub.yaml", self.render("recipe.dhub.yaml.j2", mesh=name, recipe=yaml_document(recipe)))

    # ---- one product ----------------------------------------------------------------------

    def proposals(self, pf: ProductFile, report: bool) -> list[dict[str, Any]]:
        p = pf.product
        out = Proposals()
        out.add("domain", domain_urn(p.domain), "domainProperties", {"name": p.domain, "customProperties": {}})
        datasets = self.port_datasets(pf, report)
        levels = sorted({level for d in datasets for level in self.levels(pf, d.ds)}, key=CLASSIFICATION_ORDER.index)
        if levels:
            out.add("glossaryNode", f"urn:li:glossaryNode:{CLASSIFICATION_NODE}", "glossaryNodeInfo", {
                "name": CLASSIFICATION_NODE,
                "definition": "How sensitive data is: public < internal < confidential < restricted.",
                "customProperties": {}})
        for level in levels:
            out.add("glossaryTerm", f"urn:li:glossaryTerm:{term_name(level)}", "glossaryTermInfo", {
                "name": level.capitalize(), "definition": CLASSIFICATION_MEANING[level], "termSource": "INTERNAL",
                "parentNode": f"urn:li:glossaryNode:{CLASSIFICATION_NODE}", "customProperties": {}})
        if any(f.pii for d in datasets for f in iter_fields(d.ds.fields)):
            out.add("tag", tag_urn(PII_TAG), "tagProperties", {
                "name": "PII", "description": "Personal data (meshgen `pii: true`): protect it and mind its purpose."})
        for tag in sorted(set(p.tags)):
            out.add("tag", tag_urn(tag), "tagProperties", {"name": tag})
        for d in datasets:
            self.dataset_aspects(out, pf, d, report)
        self.product_aspects(out, pf, datasets)
        return out.items

    def port_datasets(self, pf: ProductFile, report: bool) -> list[PortDataset]:
        """The product's output ports that are DataHub datasets (`report`: say why the others are not)."""
        known = self._ports.get(id(pf))
        if known is not None and not report:
            return known[1]
        found = self._port_datasets(pf, report)
        self._ports[id(pf)] = (pf, found)
        return found

    def _port_datasets(self, pf: ProductFile, report: bool) -> list[PortDataset]:
        found = []
        for index, port in enumerate(pf.product.outputPorts):
            ds = pf.product.dataset(port.dataset)
            if ds is None:
                continue  # REF002 reports it
            place = port_place(pf, port, ds)
            if place.platform is None or place.name is None:
                if report:
                    self.unsupported("DATAHUB001", f"output port {port.name!r} is not in DataHub: {place.why_not}",
                                     pf.location("outputPorts", index),
                                     "its other ports are in DataHub; document this one in the product's description")
                continue
            urn = dataset_urn(place.platform, place.name, self.options.env)
            same = next((d for d in found if d.urn == urn), None)
            if same is not None:  # two ports, one DataHub dataset (a topic served twice): described once
                if report and same.ds is not ds:
                    self.unsupported("DATAHUB001", f"output port {port.name!r} serves dataset {ds.name!r} at the "
                                     f"DataHub dataset of port {same.port.name!r} ({same.ds.name!r}); only the "
                                     "first is described", pf.location("outputPorts", index),
                                     "give each dataset its own location or topic")
                continue
            found.append(PortDataset(index, port, ds, place.platform, place.name, urn))
        return found

    def levels(self, pf: ProductFile, ds: Dataset) -> set[str]:
        return {self.dataset_level(pf, ds), *declared_classification(ds).values()}

    def dataset_level(self, pf: ProductFile, ds: Dataset) -> str:
        key = (id(pf), id(ds))
        if key not in self._levels:
            r = self.mesh.resolved(pf)
            levels = [r.classification_of(ds.name, dotted) for dotted in self.field_paths(ds)]
            self._levels[key] = max(levels or ["public"], key=CLASSIFICATION_ORDER.index)
        return self._levels[key]

    def field_paths(self, ds: Dataset) -> dict[str, str]:
        known = self._paths.get(id(ds))
        if known is None:
            known = self._paths[id(ds)] = (ds, field_paths(ds))
        return known[1]

    def dataset_aspects(self, out: Proposals, pf: ProductFile, d: PortDataset, report: bool) -> None:
        p = pf.product
        ctx = SchemaContext(d.ds, dialect(d.platform) if d.port.type == "table" else None,
                            declared_classification(d.ds), self.field_paths(d.ds))
        add = lambda aspect, value: out.add("dataset", d.urn, aspect, value)  # noqa: E731
        properties: dict[str, Any] = {
            "name": d.name.rsplit(".", 1)[-1] if d.port.type == "table" else d.name,
            "qualifiedName": d.name,
            "customProperties": {**self.product_properties(pf), "meshgen.dataset": d.ds.name,
                                 "meshgen.port": d.port.name, "meshgen.portType": d.port.type},
            "tags": [],  # DataHub's default (tags are the globalTags aspect)
        }
        if d.ds.description:
            properties["description"] = d.ds.description
        url = product_page_url(self.mesh.config.site_url, p.address)
        if url:
            properties["externalUrl"] = url
        add("datasetProperties", properties)
        add("schemaMetadata", schema_metadata(ctx, d.platform, d.name, self.platform_schema(pf, d)))
        if d.port.type in SUBTYPES:
            add("subTypes", {"typeNames": [SUBTYPES[d.port.type]]})
        self.common_aspects(add, pf, self.dataset_level(pf, d.ds), self.replacement(pf, d))
        lineage = self.lineage(pf, d, report)
        if lineage is not None:
            add("upstreamLineage", lineage)

    def product_aspects(self, out: Proposals, pf: ProductFile, datasets: list[PortDataset]) -> None:
        p = pf.product
        urn = data_product_urn(p.address)
        add = lambda aspect, value: out.add("dataProduct", urn, aspect, value)  # noqa: E731
        properties: dict[str, Any] = {
            "name": p.title or f"{p.domain}/{p.name} v{p.major}",
            "customProperties": self.product_properties(pf),
            "assets": [{"destinationUrn": d.urn, "outputPort": True} for d in datasets],
        }
        description = _description(pf)
        if description:
            properties["description"] = description
        url = product_page_url(self.mesh.config.site_url, p.address)
        if url:
            properties["externalUrl"] = url
        add("dataProductProperties", properties)
        successor = p.lifecycle.successor if p.lifecycle else None
        replacement = data_product_urn(successor) if successor and self.mesh.get(successor) is not None else None
        self.common_aspects(add, pf, self.mesh.resolved(pf).classification, replacement)

    def common_aspects(self, add, pf: ProductFile, level: str, replacement: str | None) -> None:
        """Owners, domain, tags, classification, links and deprecation: the same on the product and its datasets."""
        p = pf.product
        owners = [{"owner": group_urn(p.owner.team), "type": "TECHNICAL_OWNER"}]
        if p.owner.productOwner:
            owners.append({"owner": user_urn(p.owner.productOwner), "type": "BUSINESS_OWNER"})
        add("ownership", {"owners": owners, "ownerTypes": {}, "lastModified": STAMP})
        add("domains", {"domains": [domain_urn(p.domain)]})
        if p.tags:
            add("globalTags", {"tags": [{"tag": tag_urn(t)} for t in sorted(set(p.tags))]})
        add("glossaryTerms", {"terms": [{"urn": f"urn:li:glossaryTerm:{term_name(level)}"}], "auditStamp": STAMP})
        links = self.links(pf)
        if links:
            add("institutionalMemory", {"elements": links})
        deprecation = _deprecation(pf, replacement)
        if deprecation is not None:
            add("deprecation", deprecation)

    def links(self, pf: ProductFile) -> list[dict[str, Any]]:
        p = pf.product
        links = []
        url = product_page_url(self.mesh.config.site_url, p.address)
        if url:
            links.append({"url": url, "description": f"{p.address} documentation", "createStamp": STAMP})
        for channel in p.support:
            if channel.url:
                links.append({"url": channel.url, "description": f"Support: {channel.channel}", "createStamp": STAMP})
        return links

    def product_properties(self, pf: ProductFile) -> dict[str, str]:
        p = pf.product
        props = {"meshgen.address": p.address, "meshgen.version": p.version, "meshgen.status": p.status,
                 "meshgen.compatibility": p.compatibility}
        return {**props, **_slo_properties(pf)}

    def platform_schema(self, pf: ProductFile, d: PortDataset) -> dict[str, Any]:
        """An events port's schema document as a schema registry holds it (DataHub's KafkaSchema:
        the Avro schema, the .proto text or the JSON Schema); other ports have none."""
        if d.port.type != "events":
            return {"com.linkedin.schema.OtherSchema": {"rawSchema": ""}}
        if d.port.format == "protobuf":
            text, kind = proto_text(self.context.renderer, pf, d.ds, self.reporter), "PROTOBUF"
        elif payload_format(pf, d.port, d.index, self.reporter, "DataHub's Kafka schema", "DATAHUB003") == "avro":
            text, kind = json_text(avro_schema(pf, d.ds, self.reporter), compact=True), "AVRO"
        else:
            text = json_text({"$schema": DRAFT, **embedded_json_schema(pf, d.ds, self.reporter)}, compact=True)
            kind = "JSON"
        return {"com.linkedin.schema.KafkaSchema": {"documentSchema": text, "documentSchemaType": kind}}

    # ---- lineage ---------------------------------------------------------------------------

    def producer_dataset(self, producer: ProductFile, dataset: str) -> PortDataset | None:
        """The producer's dataset that lineage points at: its table, else files, events or REST port."""
        ports = [d for d in self.port_datasets(producer, report=False) if d.ds.name == dataset]
        ports.sort(key=lambda d: (UPSTREAM_PREFERENCE.index(d.port.type), d.index))
        return ports[0] if ports else None

    def lineage(self, pf: ProductFile, d: PortDataset, report: bool) -> dict[str, Any] | None:
        r = self.mesh.resolved(pf)
        upstreams: list[dict[str, Any]] = []
        fine: list[dict[str, Any]] = []
        mine = self.field_paths(d.ds)
        for link in r.inputs:
            source = self.producer_dataset(link.producer, link.port.dataset) if link.dataset is not None else None
            if source is None:
                if report:
                    self.note_no_lineage(pf, link)
                continue
            if all(u["dataset"] != source.urn for u in upstreams):
                upstreams.append({"dataset": source.urn, "type": "TRANSFORMED", "auditStamp": STAMP})
            theirs = self.field_paths(source.ds)
            for name, f in link.fields:
                if f is None:
                    continue  # MESH004 reports it
                downstreams = [schema_field_urn(d.urn, mine[name])] if name in mine else []
                fine.append({"upstreamType": "FIELD_SET", "upstreams": [schema_field_urn(source.urn, theirs[name])],
                             "downstreamType": "FIELD" if downstreams else "FIELD_SET", "downstreams": downstreams,
                             "confidenceScore": 1.0})  # declared by the consumer, not inferred
        if not upstreams:
            return None
        return {"upstreams": upstreams, "fineGrainedLineages": fine}

    def note_no_lineage(self, pf: ProductFile, link) -> None:
        self.unsupported("DATAHUB002", f"input port {link.port.name!r} has no lineage in DataHub: {link.address} "
                         f"dataset {link.port.dataset!r} is not a DataHub dataset of this mesh",
                         link.location, "build the producer in the same mesh, with a table, files or events port")

    def replacement(self, pf: ProductFile, d: PortDataset) -> str | None:
        """The successor's dataset of the same name and port type, when the successor is in the mesh."""
        p = pf.product
        successor = self.mesh.get(p.lifecycle.successor) if p.lifecycle and p.lifecycle.successor else None
        if successor is None:
            return None
        for other in self.port_datasets(successor, report=False):
            if other.ds.name == d.ds.name and other.port.type == d.port.type:
                return other.urn
        return None


def proposal_texts(proposals: list[dict[str, Any]]) -> list[list[str]]:
    """[entityUrn, aspectName, the proposal as JSON text] of each proposal (a mesh unit's part),
    the text as an item of a list: its lines after the first indented one step (json_list_text)."""
    return [[item["entityUrn"], item["aspectName"], json_text(item).replace("\n", "\n  ")] for item in proposals]


def json_list_text(items: list[str], end: str = "") -> str:
    """The JSON text of a list whose items are `items` (each an item's own json_text, its lines
    after the first indented one step), then `end`: the bytes json_text gives the list. Made in one
    join: the mesh's proposals are the biggest text a build holds."""
    if not items:
        return "[]" + end
    pieces = list(items)
    pieces[0] = "[\n  " + pieces[0]
    pieces[-1] = pieces[-1] + "\n]" + end
    return ",\n  ".join(pieces)


def _description(pf: ProductFile) -> str:
    p = pf.product
    if isinstance(p.description, str) or p.description is None:
        return p.description or ""
    parts = [p.description.purpose or ""]
    if p.description.usage:
        parts.append(f"Usage: {p.description.usage}")
    if p.description.limitations:
        parts.append(f"Limitations: {p.description.limitations}")
    return "\n\n".join(part for part in parts if part)


def _percent(ratio: float) -> str:
    return f"{ratio * 100:g}%"


def _slo_properties(pf: ProductFile) -> dict[str, str]:
    s = pf.product.slos
    if s is None:
        return {}
    props: dict[str, str | None] = {}
    if s.freshness:
        props |= {"slo.freshness": s.freshness.threshold, "slo.freshness.timestampField": s.freshness.timestampField}
    if s.accuracy:
        props |= {"slo.accuracy": _percent(s.accuracy.target), "slo.accuracy.check": s.accuracy.check}
    if s.completeness:
        props["slo.completeness"] = _percent(s.completeness.target)
    if s.availability:
        props["slo.availability"] = _percent(s.availability.target)
    if s.retention:
        props["slo.retention"] = s.retention.period
    if s.latency:
        props["slo.latency"] = s.latency.threshold
    return {k: v for k, v in props.items() if v is not None}


def _deprecation(pf: ProductFile, replacement: str | None) -> dict[str, Any] | None:
    """A deprecated or retired version: the note says what to use instead and until when."""
    p = pf.product
    if p.status not in ("deprecated", "retired"):
        return None
    successor = p.lifecycle.successor if p.lifecycle else None
    date = p.lifecycle.deprecationDate if p.lifecycle else None
    note = f"{p.address} is {p.status}."
    if successor:
        note += f" Move to {successor}."
    if date:
        note += f" No new consumers after {date.isoformat()}."
    value: dict[str, Any] = {"deprecated": True, "note": note, "actor": UNKNOWN_ACTOR}
    if date:
        midnight = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
        value["decommissionTime"] = int(midnight.timestamp()) * 1000
    if replacement:
        value["replacement"] = replacement
    return value
