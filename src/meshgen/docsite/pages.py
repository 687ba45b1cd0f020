"""What each page of the docs site shows, computed from the mesh as plain data.

The templates (src/meshgen/templates/docsite/) only lay this data out; every value they print is
escaped by the renderer (`docsite.render`), and values already made safe here (links, sanitized
descriptions, code blocks) are `Markup`. Pages, relative to the MkDocs `docs/` folder:

    index.md                                  the mesh home
    domains/<domain>/index.md                 one per domain
    products/<domain>/<name>/v<major>/index.md   one per product version (mesh.links.product_page_path)
    rules/index.md                            governance rules in force and active waivers
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from meshgen.docsite import escape
from meshgen.mesh.links import product_page_path
from meshgen.model.models import CLASSIFICATION_ORDER, Kind, dotted_fields

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh
    from meshgen.model.loader import ProductFile

HOME = "index.md"
HOME_LISTS_UP_TO = 100  # product versions the home page lists one by one; past that, the domains list them
RULES = "rules/index.md"


PRODUCTS_DIR = "products"  # the first folder of every product_page_path


def product_page(address: str) -> str:
    return product_page_path(address) + "index.md"


def domain_page(domain: str) -> str:
    return f"domains/{domain}/index.md"


def relpath(target: str, start: str) -> str:
    """posixpath.relpath for two paths relative to docs/ (no `..`): without its abspath, which asks
    the operating system for the working directory on every call (a site links ~30,000 times)."""
    if ".." in target.split("/") or ".." in start.split("/"):
        return posixpath.relpath(target, start)
    to, at = [p for p in target.split("/") if p not in ("", ".")], [p for p in start.split("/") if p not in ("", ".")]
    common = 0
    while common < min(len(to), len(at)) and to[common] == at[common]:
        common += 1
    return "/".join([".."] * (len(at) - common) + to[common:]) or "."


def relative(source: str, target: str) -> Markup:
    """A link from page file `source` to file `target` (both relative to docs/), percent-quoted."""
    rel = relpath(target, posixpath.dirname(source) or ".")
    return Markup(quote(rel))


def relative_url(source: str, target: str) -> str:
    """The URL of page file `target` as seen from page `source` (directory URLs: `.../v1/`), for
    raw HTML that MkDocs does not rewrite."""
    start = posixpath.dirname(source) or "."
    folder = posixpath.dirname(target) or "."
    rel = relpath(folder, start)
    return quote(rel if rel.endswith("/") else rel + "/") if rel != "." else "./"


def page_link(source: str, target: str, label: Any) -> Markup:
    """A Markdown link from page `source` to page `target` (MkDocs checks and rewrites it)."""
    return Markup(f"[{escape.text(label)}]({relative(source, target)})")


@dataclass
class Site:
    """The mesh as the pages see it: products by address and the links between pages."""

    mesh: "Mesh"
    artifacts: dict[str, list[dict]] = field(default_factory=dict)  # address (or "mesh") → targets' files
    pictures: dict[tuple[str, Any], Markup] = field(default_factory=dict)  # (view, subject) → lineage picture
    _versions: dict[tuple[str, str], list["ProductFile"]] | None = field(default=None, repr=False)
    _replaced_by: dict[str, list[str]] | None = field(default=None, repr=False)

    def versions_of(self, domain: str, name: str) -> list["ProductFile"]:
        """mesh.versions_of, indexed once (asked for each page, it read every product each time)."""
        if self._versions is None:
            index: dict[tuple[str, str], list["ProductFile"]] = {}
            for pf in self.mesh.products:
                index.setdefault((pf.product.domain, pf.product.name), []).append(pf)
            self._versions = {key: sorted(pfs, key=lambda pf: pf.product.major) for key, pfs in index.items()}
        return self._versions.get((domain, name), [])

    def replaced_by(self, address: str) -> list[str]:
        """The addresses of the product versions whose lifecycle names `address` as their successor."""
        if self._replaced_by is None:
            self._replaced_by = {}
            for other in self.mesh.by_address().values():
                if other.product.lifecycle and other.product.lifecycle.successor:
                    self._replaced_by.setdefault(other.product.lifecycle.successor, []).append(other.product.address)
        return sorted(self._replaced_by.get(address, []))

    def product_link(self, source: str, address: str, label: Any = None) -> Markup:
        """A link to the product's page when it is in the mesh, else the address as text."""
        if self.mesh.get(address) is None:
            return Markup(escape.text(label if label is not None else address))
        return page_link(source, product_page(address), label if label is not None else address)

    def picture(self, view: str, subject: Any, page: str) -> Markup:
        return self.pictures.get((view, subject), Markup(""))


def _sorted_products(mesh: "Mesh") -> list["ProductFile"]:
    return sorted(mesh.by_address().values(), key=lambda pf: pf.product.address)


def _product_row(site: Site, source: str, pf: "ProductFile") -> dict:
    p = pf.product
    return {"link": site.product_link(source, p.address), "address": p.address, "title": p.title or p.name,
            "status": p.status, "version": p.version, "owner": p.owner.team, "domain": p.domain,
            "tags": list(p.tags), "purpose": escape.description(p.purpose, inline=True) if p.purpose else "",
            "domain_link": page_link(source, domain_page(p.domain), p.domain)}


def home_context(site: Site) -> dict:
    mesh = site.mesh
    products = _sorted_products(mesh)
    domains = sorted({pf.product.domain for pf in products})
    statuses: dict[str, int] = {}
    for pf in products:
        statuses[pf.product.status] = statuses.get(pf.product.status, 0) + 1
    return {
        "mesh_name": mesh.name,
        "counts": {"products": len(products), "domains": len(domains),
                   "owners": len({pf.product.owner.team for pf in products}),
                   "datasets": sum(len(pf.product.datasets) for pf in products)},
        "statuses": sorted(statuses.items()),
        "domains": [_domain_row(site, HOME, d, [pf for pf in products if pf.product.domain == d]) for d in domains],
        # a longer table is no overview: each domain's page lists its own, and search finds every one
        "products": [_product_row(site, HOME, pf) for pf in products] if len(products) <= HOME_LISTS_UP_TO else [],
        "rules_link": page_link(HOME, RULES, "governance rules and waivers"),
        "picture": site.picture("mesh", None, HOME),
        "artifacts": site.artifacts.get("mesh", []),
    }


def _domain_row(site: Site, source: str, domain: str, products: list["ProductFile"]) -> dict:
    return {"name": domain, "link": page_link(source, domain_page(domain), domain), "products": len(products),
            "owners": sorted({pf.product.owner.team for pf in products})}


def domain_context(site: Site, domain: str) -> dict:
    page = domain_page(domain)
    products = [pf for pf in _sorted_products(site.mesh) if pf.product.domain == domain]
    addresses = {pf.product.address for pf in products}
    reads, read_by = set(), set()
    for pf in products:
        address = pf.product.address
        reads |= {a for a in site.mesh.graph.parents(address) if a not in addresses}
        read_by |= {a for a in site.mesh.graph.children(address) if a not in addresses}
    return {
        "domain": domain,
        "home_link": page_link(page, HOME, "the mesh"),
        "products": [_product_row(site, page, pf) for pf in products],
        "owners": sorted({pf.product.owner.team for pf in products}),
        "reads": [site.product_link(page, a) for a in sorted(reads)],
        "read_by": [site.product_link(page, a) for a in sorted(read_by)],
        "picture": site.picture("domain", domain, page),
    }


# ---- the product page ------------------------------------------------------------------------

def product_context(site: Site, pf: "ProductFile", changelog: list[dict], today) -> dict:
    p = pf.product
    page = product_page(p.address)
    resolved = site.mesh.resolved(pf)
    return {
        "product": _identity(site, page, pf),
        "owner": _owner(p),
        "description": _description(p),
        "slos": _slos(p),
        "ports": [_port(p, port) for port in p.outputPorts],
        "datasets": [_dataset(site, page, resolved, ds) for ds in p.datasets],
        "inputs": [_link_row(site, page, link, link.address, link.producer) for link in resolved.inputs],
        "consumers": [_link_row(site, page, link, link.consumer.product.address, link.consumer) for link in
                      sorted(resolved.consumers, key=lambda c: (c.consumer.product.address, c.index))],
        "changelog": changelog,
        "artifacts": site.artifacts.get(p.address, []),
        "artifacts_built": bool(site.artifacts),
        "picture": site.picture("product", p.address, page),
        "waivers": [_waiver(w, today) for w in p.governance.waivers],
        "source": _source_path(site.mesh, pf),
    }


def _identity(site: Site, page: str, pf: "ProductFile") -> dict:
    p = pf.product
    versions = site.versions_of(p.domain, p.name)
    lifecycle = p.lifecycle
    successor = lifecycle.successor if lifecycle else None
    replaces = site.replaced_by(p.address)
    return {
        "address": p.address, "name": p.name, "domain": p.domain, "title": p.title or p.name, "version": p.version,
        "status": p.status, "tags": list(p.tags), "compatibility": p.compatibility,
        "classification": resolved_classification(site, pf), "has_pii": p.has_pii,
        "domain_link": page_link(page, domain_page(p.domain), p.domain),
        "home_link": page_link(page, HOME, "the mesh"),
        "versions": [{"address": v.product.address, "version": v.product.version, "status": v.product.status,
                      "link": site.product_link(page, v.product.address, f"v{v.product.major}"),
                      "current": v is pf} for v in versions],
        "deprecated": p.status in ("deprecated", "retired") or successor is not None,
        "deprecation_date": lifecycle.deprecationDate.isoformat() if lifecycle and lifecycle.deprecationDate else None,
        "successor": site.product_link(page, successor) if successor else None,
        "replaces": [site.product_link(page, a) for a in replaces],
        "schedule": site.mesh.resolved(pf).schedule,
        "pipeline": p.pipeline.model_dump(exclude_none=True) if p.pipeline else {},
    }


def resolved_classification(site: Site, pf: "ProductFile") -> str:
    return site.mesh.resolved(pf).classification


def _owner(p) -> dict:
    owner = p.owner
    return {
        "team": owner.team,
        "email": escape.link(f"mailto:{owner.email}", owner.email) if owner.email else None,
        "product_owner": _contact(owner.productOwner) if owner.productOwner else None,
        "support": [{"channel": s.channel, "tool": s.tool, "link": escape.link(s.url, s.channel) if s.url else None}
                    for s in p.support],
    }


def _contact(value: str) -> Markup:
    """A person: a mailto link when it is an e-mail address, else text."""
    if "@" in value and " " not in value.strip():
        return Markup(escape.link(f"mailto:{value.strip()}", value))
    return Markup(escape.text(value))


def _description(p) -> dict:
    d = p.description
    if d is None:
        return {}
    if isinstance(d, str):
        return {"purpose": Markup(escape.description(d))}
    return {key: Markup(escape.description(value)) for key in ("purpose", "usage", "limitations")
            if (value := getattr(d, key))}


def _slos(p) -> list[dict]:
    s = p.slos
    if s is None:
        return []
    rows = []
    if s.freshness:
        rows.append({"name": "freshness", "target": f"at most {s.freshness.threshold} old",
                     "detail": f"measured on {s.freshness.timestampField}" if s.freshness.timestampField else ""})
    if s.accuracy:
        rows.append({"name": "accuracy", "target": _ratio(s.accuracy.target),
                     "detail": f"quality check {s.accuracy.check}" if s.accuracy.check else ""})
    for key in ("completeness", "availability"):
        if (slo := getattr(s, key)) is not None:
            rows.append({"name": key, "target": _ratio(slo.target), "detail": ""})
    if s.retention:
        rows.append({"name": "retention", "target": f"kept {s.retention.period}", "detail": ""})
    if s.latency:
        rows.append({"name": "latency", "target": f"at most {s.latency.threshold}", "detail": "event time to availability"})
    return rows


def _ratio(value: float) -> str:
    return f"{value * 100:.4g}%"


def _port(p, port) -> dict:
    return {"name": port.name, "type": port.type, "dataset": port.dataset, "platform": port.platform,
            "format": port.format, "topic": port.topic, "location": port.location,
            "url": escape.link(port.url) if port.url else None,
            "description": Markup(escape.description(port.description)) if port.description else None,
            "connect": Markup(escape.code(how_to_connect(p, port), "text")) if how_to_connect(p, port) else None}


def how_to_connect(p, port) -> str:
    """One line a consumer can start from: what to subscribe to, query, read or call."""
    if port.type == "events":
        fmt = f" ({port.format})" if port.format else ""
        return f"subscribe to topic {port.topic}{fmt} on {port.platform or 'the event broker'}"
    if port.type == "table":
        table = port.location or f"{p.domain}.{port.dataset}"
        return f"SELECT * FROM {table}  -- {port.platform or 'warehouse'}"
    if port.type == "files":
        fmt = f"{port.format} files" if port.format else "files"
        return f"read {fmt} under {port.location}" if port.location else ""
    if port.url:
        return f"{'GET' if port.type == 'rest' else 'call'} {port.url}"
    return ""


def _dataset(site: Site, page: str, resolved, ds) -> dict:
    return {
        "name": ds.name,
        "description": Markup(escape.description(ds.description)) if ds.description else None,
        "primary_key": list(ds.primaryKey), "partition_by": list(ds.partitionBy),
        "fields": [_field_row(site, page, resolved, ds, dotted, f) for dotted, f in dotted_fields(ds.fields)],
        "quality": [_check(c) for c in ds.quality],
        "sample_queries": [{"title": q.title, "sql": Markup(escape.code(q.sql, "sql"))} for q in ds.sampleQueries],
        "examples": Markup(escape.code(_examples_json(ds.examples), "json")) if ds.examples else None,
    }


def _examples_json(rows: list[dict]) -> str:
    from meshgen.serializer import json_text

    return json_text(rows)


def _field_row(site: Site, page: str, resolved, ds, dotted: str, f) -> dict:
    depth = dotted.count(".")
    classification = resolved.classification_of(ds.name, dotted)
    readers = sorted({c.consumer.product.address for c in resolved.consumers_of(ds.name, dotted)})
    return {
        "name": dotted, "leaf": dotted.rsplit(".", 1)[-1], "depth": depth, "type": _type_text(f),
        "required": f.required, "pii": f.pii, "classification": classification,
        "sensitive": CLASSIFICATION_ORDER.index(classification) >= CLASSIFICATION_ORDER.index("confidential"),
        "protection": f.protection,
        "description": Markup(escape.description(f.description, inline=True)) if f.description else "",
        "constraints": _constraints(f),
        "read_by": [site.product_link(page, a) for a in readers],
    }


def _type_text(f) -> str:
    t = f.data_type
    if t.kind is Kind.ENUM:
        return "enum"
    return str(t)


def _constraints(f) -> list[str]:
    out = []
    if f.unique:
        out.append("unique")
    for key, label in (("minLength", "min length"), ("maxLength", "max length"), ("minimum", "minimum"),
                       ("maximum", "maximum"), ("pattern", "pattern")):
        value = getattr(f, key)
        if value is not None:
            out.append(f"{label} {value}")
    if f.data_type.kind is Kind.ENUM:
        out.append("one of " + ", ".join(f.data_type.symbols))
    if f.default is not None:
        out.append(f"default {f.default}")
    if f.examples:
        out.append("e.g. " + ", ".join(str(e) for e in f.examples))
    if f.deprecated:
        text = "deprecated"
        if f.replacedBy:
            text += f", replaced by {f.replacedBy}"
        if f.deprecationDate:
            text += f", removed after {f.deprecationDate.isoformat()}"
        out.append(text)
    return out


def _check(c) -> dict:
    bound = next((f"{label} {getattr(c, key)}" for key, label in (
        ("mustBe", "must be"), ("mustBeLessThan", "must be less than"), ("mustBeGreaterThan", "must be greater than"),
        ("mustBeBetween", "must be between")) if getattr(c, key) is not None), "")
    what = Markup(escape.code(c.sql, "sql")) if c.sql else f"{c.metric}" + (f" of {c.field}" if c.field else "")
    return {"id": c.id, "dimension": c.dimension, "what": what, "bound": bound,
            "description": Markup(escape.description(c.description, inline=True)) if c.description else ""}


def _link_row(site: Site, page: str, link, address: str, other: "ProductFile | None") -> dict:
    """One input port: from the consumer's page the producer it reads, from the producer's the consumer."""
    return {"product": site.product_link(page, address), "port": link.port.name, "dataset": link.port.dataset,
            "fields": list(link.port.fields), "team": other.product.owner.team if other is not None else ""}


def _waiver(w, today) -> dict:
    return {"rule": w.rule, "path": w.path, "reason": w.reason or "",
            "expires": w.expires.isoformat() if w.expires else "never",
            "active": w.expires is None or w.expires >= today}


def _source_path(mesh: "Mesh", pf: "ProductFile") -> str:
    from pathlib import Path

    try:
        return Path(os.path.realpath(pf.path)).relative_to(_resolved_root(str(mesh.root))).as_posix()
    except ValueError:
        return Path(pf.path).name


@lru_cache(maxsize=8)
def _resolved_root(root: str) -> str:
    """The mesh root without symbolic links, resolved once per site rather than once per page."""
    return os.path.realpath(root)
