"""Backstage: a `catalog-info.yaml` per product version, and one for the mesh that imports them all.

Per product (one multi-document YAML file):
- a **Component** of type `data-product`: lifecycle from the status, owner, system (the domain),
  the APIs it provides, and what it depends on (its own storage, and its input ports' producers);
- a **Resource** per storage port (`table`, `files`, `events`: the table, the files, the topic),
  depending on the producers' resources its data is derived from;
- an **API** per `rest`, `grpc` and `events` port, whose definition is the OpenAPI, Protobuf or
  AsyncAPI file the build writes beside it (`$text` relative to the catalog file).

Backstage's Resource is infrastructure with a location (a table, a topic, a bucket): that is
what a port is, so there is one per port, not per dataset (a dataset served as a table and as a
topic is two resources that fail, scale and get granted separately). A REST or gRPC port is an
interface, Backstage's API kind, not a resource.

The mesh file (`_mesh/backstage/catalog-info.yaml`) holds what the product entities refer to: a
**Domain** for the mesh (it owns the docs site: `backstage.io/techdocs-ref` names the MkDocs
project of `meshgen docs build`, so TechDocs builds the site once), a **System** per domain, a
**Group** per owner team, and a **Location** listing every product's file, so registering that
one file imports the mesh. Every product entity shows its own page of that site
(`backstage.io/techdocs-entity` + `backstage.io/techdocs-entity-path`).

Entity names follow Backstage's rules (at most 63 characters of `[a-z0-9]` runs joined by `-`,
`_` or `.`); they are handed out once for the whole mesh, in address order, so two products that
sanitize alike never collide and every unit agrees on every reference.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.mesh.links import product_page_path, product_page_url
from meshgen.model.loader import ProductFile
from meshgen.output import Artifact
from meshgen.schemas.protobuf import proto_file_names
from meshgen.targets.base import CANNOT_EXPRESS, Layout, NameScope, Target, TemplateInfo

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

API_VERSION = "backstage.io/v1alpha1"
NAMESPACE = "default"
CATALOG_FILE = "catalog-info.yaml"
# meshgen's status → Backstage's well-known lifecycles (Backstage has no "retired").
LIFECYCLE = {"draft": "experimental", "active": "production", "deprecated": "deprecated", "retired": "deprecated"}
RESOURCE_TYPES = {"table": "table", "files": "files", "events": "topic"}
# port type → (API type, the target that writes its definition)
API_TYPES = {"rest": ("openapi", "openapi"), "grpc": ("grpc", "protobuf"), "events": ("asyncapi", "asyncapi")}
MAX_NAME = 63
_NOT_NAME = re.compile(r"[^a-z0-9]+")
_NOT_TAG = re.compile(r"[^a-z0-9+#]+")
_HTTP_URL = re.compile(r"https?://[^\s/?#]+[^\s]*")


def entity_name(*parts: str) -> str:
    """The nearest Backstage entity name to the joined parts: lower case, runs of anything else
    than letters and digits as one `-`; a name past 58 characters is cut and ends in a digest of
    the whole (room for a collision suffix within 63)."""
    text = "-".join(p for p in (_NOT_NAME.sub("-", part.lower()).strip("-") for part in parts) if p) or "x"
    if len(text) > MAX_NAME - 5:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        text = text[: MAX_NAME - 5 - 9].rstrip("-") + "-" + digest
    return text


def tag(text: str) -> str | None:
    """A Backstage tag (`[a-z0-9+#]` runs joined by `-`, at most 63), or None when nothing is left."""
    value = _NOT_TAG.sub("-", text.lower()).strip("-")[:MAX_NAME].rstrip("-")
    return value or None


def ref(kind: str, name: str) -> str:
    return f"{kind.lower()}:{NAMESPACE}/{name}"


@dataclass
class EntityNames:
    """Every entity name of the mesh, handed out once (per kind, case-folded, in address order)."""

    domain: str  # the mesh's Domain
    mesh_group: str  # the Group of the mesh's teams (owns the Domain)
    systems: dict[str, str] = field(default_factory=dict)  # domain → name
    groups: dict[str, str] = field(default_factory=dict)  # owner team → name
    components: dict[str, str] = field(default_factory=dict)  # address → name
    resources: dict[tuple[str, int], str] = field(default_factory=dict)  # (address, port index) → name
    apis: dict[tuple[str, int], str] = field(default_factory=dict)


def entity_names(mesh: "Mesh") -> EntityNames:
    """The names of the mesh's entities. Every unit of a build asks: they are handed out once per
    loaded mesh (a key built from every product, per unit, grew with the square of the products)."""
    return mesh.memo("backstage.entity_names", lambda: hand_out_names(mesh.name, mesh.products))


def hand_out_names(mesh_name: str, products: list[ProductFile]) -> EntityNames:
    scopes = {kind: NameScope(fold=True) for kind in ("system", "group", "component", "resource", "api")}
    names = EntityNames(entity_name(mesh_name), scopes["group"].claim(entity_name(mesh_name, "teams")))
    for pf in sorted(products, key=lambda pf: (pf.product.address, str(pf.path))):
        p = pf.product
        if p.address in names.components:
            continue  # two files of one address: MESH reports it
        if p.domain not in names.systems:
            names.systems[p.domain] = scopes["system"].claim(entity_name(p.domain))
        if p.owner.team not in names.groups:
            names.groups[p.owner.team] = scopes["group"].claim(entity_name(p.owner.team))
        component = names.components[p.address] = scopes["component"].claim(entity_name(p.domain, p.name, f"v{p.major}"))
        for index, port in enumerate(p.outputPorts):
            if port.type in RESOURCE_TYPES:
                names.resources[(p.address, index)] = scopes["resource"].claim(entity_name(component, port.name))
            if port.type in API_TYPES:
                names.apis[(p.address, index)] = scopes["api"].claim(entity_name(component, port.name))
    return names


class BackstageTarget(Target):
    name = "backstage"
    description = "Backstage catalog-info.yaml per product (Component, Resources, APIs) and a mesh file to register"
    scope = "product+mesh"
    # entity names are unique across the mesh (the names handed out are its mesh facts), and dependsOn
    # names the producers' entities; the mesh unit (the site's locations) reads the whole mesh
    reads = "neighbours"
    mesh_facts = staticmethod(entity_names)
    codes = CodeFamily("BACKSTAGE", "The Backstage target can express the product's catalog entry.",
                       "docs/targets-backstage.md", (
        DiagnosticCode("BACKSTAGE001", CANNOT_EXPRESS,
                       "a support channel's url is not an http(s) URL: it is left out of the entity's links"),
        DiagnosticCode("BACKSTAGE002", CANNOT_EXPRESS,
                       "an API's definition file is written by a target this mesh does not build"),
    ), target="backstage")
    templates: ClassVar[dict[str, TemplateInfo]] = {"backstage/catalog-info.yaml.j2": TemplateInfo(
        "the `catalog-info.yaml` of a product version, or of the mesh (`_mesh/backstage/`): one YAML document per entity",
        (("entities", "the entities as data, in order (use the `toyaml` filter on each)"),))}

    @property
    def layout(self) -> Layout:
        if self.context.layout is None:
            raise RuntimeError("the backstage target needs the planner's layout (TargetContext.layout)")
        return self.context.layout

    def names(self) -> EntityNames:
        return entity_names(self.mesh)

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        names = self.names()
        entities = ProductEntities(self, pf, names).entities()
        yield Artifact(CATALOG_FILE, self.render("catalog-info.yaml.j2", entities=entities))

    def generate_mesh(self) -> Iterable[Artifact]:
        names = self.names()
        here = self.layout.unit_folder(self.name, None)
        products = sorted(self.mesh.by_address().values(), key=lambda pf: pf.product.address)
        mesh_name = self.mesh.name
        teams = ref("Group", names.mesh_group)
        entities: list[dict[str, Any]] = [entity("Domain", names.domain, {
            "title": mesh_name, "description": f"The data mesh {mesh_name}: its products, by domain.",
            "annotations": {"backstage.io/techdocs-ref": "dir:" + self.relative(here, self.layout.docs_site)},
        }, {"owner": teams})]
        for domain, system in sorted(names.systems.items(), key=lambda kv: kv[1]):
            entities.append(entity("System", system, {"title": domain, "description": f"The {domain} domain of {mesh_name}."},
                                   {"owner": teams, "domain": ref("Domain", names.domain)}))
        entities.append(entity("Group", names.mesh_group, {"title": f"{mesh_name} teams",
                                                           "description": f"Every team that owns a product of {mesh_name}."},
                               {"type": "data-mesh", "children": [ref("Group", g) for g in sorted(names.groups.values())]}))
        for team, group in sorted(names.groups.items(), key=lambda kv: kv[1]):
            spec: dict[str, Any] = {"type": "team", "parent": teams, "children": []}
            emails = sorted({pf.product.owner.email for pf in products if pf.product.owner.team == team} - {None})
            if emails:  # the team's contact address (the first, if its products give several)
                spec["profile"] = {"email": emails[0]}
            entities.append(entity("Group", group, {"title": team}, spec))
        targets = [self.relative(here, f"{self.layout.unit_folder(self.name, pf)}/{CATALOG_FILE}") for pf in products]
        entities.append(entity("Location", entity_name(mesh_name, "products"),
                               {"description": f"Every product version of {mesh_name}."}, {"targets": targets}))
        yield Artifact(CATALOG_FILE, self.render("catalog-info.yaml.j2", entities=entities))

    @staticmethod
    def relative(start: str, path: str) -> str:
        """`path` (inside the output folder) as seen from the folder `start`: `../../docs`."""
        rel = posixpath.relpath(path, start)
        return rel if rel.startswith("..") else "./" + rel


def entity(kind: str, name: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name, "namespace": NAMESPACE, **metadata},
            "spec": spec}


class ProductEntities:
    """The entities of one product version's catalog-info.yaml."""

    def __init__(self, target: BackstageTarget, pf: ProductFile, names: EntityNames):
        self.target, self.pf, self.names = target, pf, names
        self.product = pf.product
        self.address = pf.product.address
        self.folder = target.layout.unit_folder(target.name, pf)

    def entities(self) -> list[dict[str, Any]]:
        p = self.product
        component = self.names.components[self.address]
        resources, apis = [], []
        for index, port in enumerate(p.outputPorts):
            if (self.address, index) in self.names.resources:
                resources.append(self.resource(index, port))
            if (self.address, index) in self.names.apis:
                apis.append(self.api(index, port))
        inputs = self.input_refs()
        spec: dict[str, Any] = {"type": "data-product", "lifecycle": LIFECYCLE[p.status], **self.ownership()}
        if apis:
            spec["providesApis"] = [ref("API", a["metadata"]["name"]) for a in apis]
        if inputs["consumesApis"]:
            spec["consumesApis"] = inputs["consumesApis"]
        depends = [ref("Resource", r["metadata"]["name"]) for r in resources] + inputs["dependsOn"]
        if depends:
            spec["dependsOn"] = depends
        metadata = self.metadata(p.title or self.address, p.purpose)
        metadata["annotations"]["meshgen/version"] = p.version
        for r in resources:
            if inputs["dependsOn"]:
                r["spec"]["dependsOn"] = inputs["dependsOn"]
        return [entity("Component", component, metadata, spec)] + resources + apis

    def ownership(self) -> dict[str, str]:
        return {"owner": ref("Group", self.names.groups[self.product.owner.team]),
                "system": ref("System", self.names.systems[self.product.domain])}

    def metadata(self, title: str, description: str, port: str | None = None) -> dict[str, Any]:
        p = self.product
        annotations = {"meshgen/address": self.address,
                       "backstage.io/techdocs-entity": ref("Domain", self.names.domain),
                       "backstage.io/techdocs-entity-path": product_page_path(self.address)}
        if port is not None:
            annotations["meshgen/port"] = port
        metadata: dict[str, Any] = {"title": title}
        if description:
            metadata["description"] = description
        metadata["annotations"] = annotations
        labels = {"meshgen/classification": p.classification}
        if p.has_pii:
            labels["meshgen/pii"] = "true"
        metadata["labels"] = labels
        tags = sorted({t for t in (tag(t) for t in p.tags) if t})
        if tags:
            metadata["tags"] = tags
        links = self.links()
        if links:
            metadata["links"] = links
        return metadata

    def links(self) -> list[dict[str, str]]:
        out = []
        page = product_page_url(self.target.mesh.config.site_url, self.address)
        if page:
            out.append({"url": page, "title": "Documentation", "icon": "docs", "type": "documentation"})
        for index, channel in enumerate(self.product.support):
            if channel.url is None:
                continue
            if not _HTTP_URL.fullmatch(channel.url):
                self.target.unsupported("BACKSTAGE001", f"support url {channel.url!r} is not an http(s) URL: left "
                                        "out of the Backstage links", self.pf.location("support", index, "url"),
                                        "give an https:// address of the channel")
                continue
            out.append({"url": channel.url, "title": f"Support: {channel.channel}", "icon": "chat", "type": "support"})
        return out

    def resource(self, index: int, port) -> dict[str, Any]:
        ds = self.product.dataset(port.dataset)
        description = port.description or (ds.description if ds is not None else None) or ""
        metadata = self.metadata(f"{port.name} ({self.address})", description, port.name)
        where = port.topic if port.type == "events" else port.location
        if where:
            metadata["annotations"]["meshgen/location"] = where
        spec = {"type": RESOURCE_TYPES[port.type], **self.ownership()}
        return entity("Resource", self.names.resources[(self.address, index)], metadata, spec)

    def api(self, index: int, port) -> dict[str, Any]:
        api_type, writer = API_TYPES[port.type]
        ds = self.product.dataset(port.dataset)
        description = port.description or (ds.description if ds is not None else None) or ""
        metadata = self.metadata(f"{port.name} ({self.address})", description, port.name)
        configured = self.target.mesh.config.target_options()
        if configured and writer not in configured:
            self.target.unsupported("BACKSTAGE002", f"the {api_type} definition of port {port.name!r} is written by "
                                    f"the {writer} target, which this mesh does not build: Backstage cannot read it",
                                    self.pf.location("outputPorts", index, "type"),
                                    f"add {writer} to the targets in meshgen.yaml")
        file = proto_file_names(self.pf).get(port.dataset, "") if writer == "protobuf" \
            else f"{port.name}.json"
        definition = BackstageTarget.relative(self.folder, f"{self.target.layout.unit_folder(writer, self.pf)}/{file}")
        spec = {"type": api_type, "lifecycle": LIFECYCLE[self.product.status], **self.ownership(),
                "definition": {"$text": definition}}
        return entity("API", self.names.apis[(self.address, index)], metadata, spec)

    def input_refs(self) -> dict[str, list[str]]:
        """What the input ports read: the producers' resources of the dataset; else their APIs of
        it (consumed); else the producer's component. Inputs that resolve to nothing are the mesh
        checks' to report."""
        depends: list[str] = []
        consumes: list[str] = []
        for link in self.target.mesh.resolved(self.pf).inputs:
            producer = link.producer
            if producer is None or producer.product.address not in self.names.components:
                continue
            address = producer.product.address
            ports = [i for i, port in enumerate(producer.product.outputPorts) if port.dataset == link.port.dataset]
            resources = [ref("Resource", self.names.resources[(address, i)]) for i in ports
                         if (address, i) in self.names.resources]
            apis = [ref("API", self.names.apis[(address, i)]) for i in ports if (address, i) in self.names.apis]
            if resources:
                depends += resources
            elif apis:
                consumes += apis
            else:
                depends.append(ref("Component", self.names.components[address]))
        return {"dependsOn": list(dict.fromkeys(depends)), "consumesApis": list(dict.fromkeys(consumes))}
