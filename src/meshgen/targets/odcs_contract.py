"""One output port as an ODCS v3.1 data contract (a pure builder), and the names the ODPS
descriptor uses to point at it.

The contract's `id` is the product's address and the port's name (`data://checkout/orders/v1/
orders-table`): unique in the mesh, readable, and what the ODPS descriptor's ports cite. The
contract holds the port's dataset as its one schema object, the product's SLOs as
slaProperties, the owner as its team, the support channels, the port as its server, and in
customProperties what ODCS has no field for (the address, the port, the compatibility promise,
the lifecycle, the pipeline's schedule).
"""

from __future__ import annotations

from typing import Any, Optional

from meshgen.dialects import DIALECTS, dialect
from meshgen.mesh.links import product_page_url
from meshgen.model.loader import ProductFile
from meshgen.model.models import DataProduct, Dataset, OutputPort
from meshgen.model.values import duration_seconds
from meshgen.schemas.reporter import Reporter
from meshgen.targets.odcs_schema import SchemaBuild

API_VERSION = "v3.1.0"

# ODCS server type of each platform, and the keys its server object requires (ODCS v3.1's ServerSource).
SERVER_TYPES = {"postgres": "postgres", "snowflake": "snowflake", "bigquery": "bigquery", "databricks": "databricks",
                "duckdb": "duckdb", "redshift": "redshift", "kafka": "kafka", "s3": "s3"}
REQUIRED_SERVER_KEYS = {"postgres": ("host", "port", "database", "schema"), "snowflake": ("account", "database", "schema"),
                        "bigquery": ("project", "dataset"), "databricks": ("catalog", "schema"), "duckdb": ("database",),
                        "redshift": ("database", "schema"), "kafka": ("host",), "s3": ("location",),
                        "api": ("location",)}
# How each warehouse names the parts of a table's location before the table (catalog first).
LOCATION_PARTS = {"postgres": ("database", "schema"), "snowflake": ("database", "schema"),
                  "bigquery": ("project", "dataset"), "databricks": ("catalog", "schema"),
                  "duckdb": ("database", "schema"), "redshift": ("database", "schema")}


def contract_id(product: DataProduct, port_name: str) -> str:
    """The id of the contract of one output port: the product's address, then the port."""
    return f"{product.address}/{port_name}"


def contract_file(port_name: str) -> str:
    return f"{port_name}.odcs.yaml"


def description(product: DataProduct) -> dict[str, str]:
    """purpose, usage and limitations (a plain-text description is the purpose)."""
    if isinstance(product.description, str):
        return {"purpose": product.description}
    if product.description is None:
        return {}
    return {k: v for k, v in product.description.model_dump().items() if v}


def team(product: DataProduct) -> dict[str, Any]:
    """The owner team: its product owner as a member, its e-mail as a custom property."""
    out: dict[str, Any] = {"name": product.owner.team}
    if product.owner.productOwner:
        out["members"] = [{"username": product.owner.productOwner, "role": "productOwner"}]
    if product.owner.email:
        out["customProperties"] = [{"property": "email", "value": product.owner.email}]
    return out


def support(product: DataProduct) -> list[dict[str, str]]:
    return [{k: v for k, v in {"channel": s.channel, "tool": s.tool, "url": s.url}.items() if v}
            for s in product.support]


def page_links(pf: ProductFile, site_url: Optional[str]) -> list[dict[str, str]]:
    url = product_page_url(site_url, pf.product.address)
    return [{"type": "documentation", "url": url, "description": "The product's page in the mesh's docs site."}] \
        if url else []


# ---- SLOs ----------------------------------------------------------------------------------

def duration_value(text: str, units: tuple[tuple[str, int], ...]) -> dict[str, Any]:
    """A duration as value and unit, in the largest unit that divides it (else ISO 8601 seconds)."""
    seconds = int(duration_seconds(text))
    for unit, size in units:
        if seconds and seconds % size == 0:
            return {"value": seconds // size, "unit": unit}
    return {"value": f"PT{seconds}S"}


# Units datacontract-cli reads: freshness takes d/h/min; retention also y and s ("m" means
# minutes in one and months in the other, so it is never written).
_SHORT = (("d", 86400), ("h", 3600), ("min", 60))
_LONG = (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def _percent(ratio: float) -> float | int:
    value = round(ratio * 100, 6)
    return int(value) if float(value).is_integer() else value


def sla_properties(product: DataProduct, ds: Dataset) -> list[dict[str, Any]]:
    """The product's SLOs as ODCS slaProperties; an element only where it is in this contract."""
    slos = product.slos
    if slos is None:
        return []
    out: list[dict[str, Any]] = []
    element = None
    if slos.freshness and slos.freshness.timestampField:
        owner, _, _ = slos.freshness.timestampField.partition(".")
        element = slos.freshness.timestampField if owner == ds.name else None
    if slos.freshness:
        out.append({"property": "freshness", **duration_value(slos.freshness.threshold, _SHORT),
                    **({"element": element} if element else {})})
    if slos.latency:
        out.append({"property": "latency", **duration_value(slos.latency.threshold, _SHORT)})
    if slos.retention:
        out.append({"property": "retention", **duration_value(slos.retention.period, _LONG),
                    **({"element": element} if element else {})})
    for name in ("availability", "completeness", "accuracy"):
        slo = getattr(slos, name)
        if slo is not None:
            item = {"property": name, "value": _percent(slo.target), "unit": "percent"}
            if name == "accuracy" and slo.check:
                item["description"] = f"Measured by the quality check {slo.check}."
            out.append(item)
    return out


# ---- Servers -------------------------------------------------------------------------------

def server(port: OutputPort, configured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The port as an ODCS server: its platform's type with what the port's location says and
    what meshgen.yaml configures for the platform; `custom` (with the platform and topic as custom
    properties) while a key the type requires is unknown."""
    platform = "api" if port.type == "rest" else (port.platform or "")
    known: dict[str, Any] = {}
    if port.type == "table" and platform in DIALECTS and port.location:
        parts = [p.strip() for p in port.location.split(".")]
        names = LOCATION_PARTS.get(platform, ())
        known.update({k: v for k, v in zip(names[::-1], parts[-2::-1]) if v})
    elif port.type in ("files", "rest") and (port.location or port.url):
        known["location"] = port.url if port.type == "rest" else port.location
    if port.format and port.type in ("events", "files"):
        known["format"] = port.format
    known.update(configured.get(platform, {}))
    kind = "api" if platform == "api" else SERVER_TYPES.get(platform)
    doc: dict[str, Any] = {"server": port.name}
    missing = [k for k in REQUIRED_SERVER_KEYS.get(kind or "", ()) if k not in known]
    if kind is None or missing:
        # Not a loss of ODCS's: the spec has no connection keys. The platform stays readable.
        doc["type"] = "custom"
        custom = [{"property": "platform", "value": platform}] if platform else []
        if port.topic:
            custom.append({"property": "topic", "value": port.topic})
        known = {k: v for k, v in known.items() if k in _CUSTOM_SERVER_KEYS}
        if custom:
            doc["customProperties"] = custom
    else:
        doc["type"] = kind
    if port.description:
        doc["description"] = port.description
    return {**doc, **known}


_CUSTOM_SERVER_KEYS = ("account", "catalog", "database", "dataset", "format", "host", "location", "port", "project",
                       "region", "schema", "warehouse")


def physical_name(port: OutputPort) -> str | None:
    """The table's own name (the last part of its location) or the topic."""
    if port.type == "events":
        return port.topic
    if port.type == "table" and port.location:
        if port.platform in DIALECTS:
            parts = dialect(port.platform).qualify(port.location)
            return parts[-1] if parts else None
        return port.location.split(".")[-1].strip() or None
    return None


# ---- The contract --------------------------------------------------------------------------

def contract(pf: ProductFile, index: int, site_url: Optional[str], servers: dict[str, dict[str, Any]],
             reporter: Reporter) -> dict[str, Any]:
    """The ODCS contract of output port `index` (its dataset must exist)."""
    p = pf.product
    port = p.outputPorts[index]
    ds = p.dataset(port.dataset)
    assert ds is not None
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION, "kind": "DataContract", "id": contract_id(p, port.name),
        "name": f"{p.title or p.name}: {port.name}", "version": p.version, "status": p.status,
        "domain": p.domain, "dataProduct": p.name, "team": team(p),
        "servers": [server(port, servers)],
        "schema": [SchemaBuild(pf, ds, port, reporter).schema_object(physical_name(port))],
    }
    for key, value in (("description", description(p)), ("tags", list(p.tags)), ("support", support(p)),
                       ("slaProperties", sla_properties(p, ds)), ("authoritativeDefinitions", page_links(pf, site_url)),
                       ("customProperties", custom_properties(pf, port))):
        if value:
            doc[key] = value
    return doc


def custom_properties(pf: ProductFile, port: OutputPort) -> list[dict[str, Any]]:
    p = pf.product
    custom: list[dict[str, Any]] = [{"property": "address", "value": p.address},
                                    {"property": "outputPort", "value": port.name},
                                    {"property": "portType", "value": port.type},
                                    {"property": "compatibility", "value": p.compatibility}]
    if p.title:
        custom.append({"property": "title", "value": p.title})
    if port.url and port.type == "grpc":
        custom.append({"property": "url", "value": port.url})
    if p.lifecycle and p.lifecycle.deprecationDate:
        custom.append({"property": "deprecationDate", "value": p.lifecycle.deprecationDate.isoformat()})
    if p.lifecycle and p.lifecycle.successor:
        custom.append({"property": "successor", "value": p.lifecycle.successor})
    if p.slos and p.slos.accuracy and p.slos.accuracy.check:
        custom.append({"property": "accuracyCheck", "value": p.slos.accuracy.check})
    if p.schedule:
        custom.append({"property": "schedule", "value": p.schedule})
    return custom
