"""The resolved layer: what each product file means once the whole mesh is known.

The raw layer is the product as written (`ProductFile`: document, positions, validated model).
This layer is built once per mesh (`Mesh.resolved(pf)`, `Mesh.graph`, `Mesh.consumers(address)`)
and every later pass (governance, contracts, targets) reads it instead of recomputing meaning:

- `ResolvedProduct`: address and major, the effective schedule, the effective classification of
  every field, the input ports resolved to producer objects, the consumers that read it, and
  the output ports grouped by kind with the datasets they serve;
- `InputLink`: one input port, seen from both ends (the consumer that reads, the producer,
  dataset and fields it reads; any of those None when the reference does not resolve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from meshgen.diagnostics import Location
from meshgen.mesh.graph import MeshGraph
from meshgen.model.loader import ProductFile
from meshgen.model.models import CLASSIFICATION_ORDER, Dataset, InputPort, OutputPort, SchemaField, dotted_fields

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh


@dataclass(frozen=True)
class InputLink:
    """Input port `index` of product file `consumer`, resolved in the mesh."""

    consumer: ProductFile
    index: int
    producer: ProductFile | None  # None: the address is not in the mesh (MESH002)
    dataset: Dataset | None  # None: no producer, or it has no such dataset (MESH003)
    fields: tuple[tuple[str, SchemaField | None], ...]  # each listed name and its field (None: MESH004)

    @property
    def port(self) -> InputPort:
        return self.consumer.product.inputPorts[self.index]

    @property
    def address(self) -> str:
        """The producer's address, as the port writes it."""
        return self.port.product

    @property
    def location(self) -> Location:
        return self.consumer.location("inputPorts", self.index)

    @property
    def origin(self) -> str | None:
        """The index (as meshgen.yaml names it) of a consumer from another repository; None for this mesh's."""
        return getattr(self.consumer, "origin", None)

    def describe(self) -> str:
        p = self.consumer.product
        where = f", in another repository: index {self.origin}" if self.origin is not None else ""
        return f"{p.address} ({p.owner.team}, input port {self.port.name!r}{where})"

    def uses(self, dataset: str | None, field: str | None) -> bool:
        """Does this port read `field` of `dataset` (a parent or a member of it counts)?"""
        if dataset is None or self.port.dataset != dataset:
            return False
        if field is None:
            return True
        return any(u == field or u.startswith(field + ".") or field.startswith(u + ".") for u in self.port.fields)


@dataclass(frozen=True)
class OutputLink:
    """Output port `index` of a product, with the dataset it serves (None: REF002)."""

    pf: ProductFile
    index: int
    dataset: Dataset | None

    @property
    def port(self) -> OutputPort:
        return self.pf.product.outputPorts[self.index]

    @property
    def location(self) -> Location:
        return self.pf.location("outputPorts", self.index)


@dataclass(frozen=True)
class ResolvedProduct:
    pf: ProductFile
    address: str  # data://domain/name/vN
    major: int
    schedule: str | None  # pipeline.schedule, or the one derived from slos.freshness; None without either
    schedule_derived: bool  # True when `schedule` comes from slos.freshness
    classification: str  # the product's: the highest of its fields' (public when none)
    field_classification: Mapping[tuple[str, str], str]  # (dataset, dotted field) → effective classification
    inputs: tuple[InputLink, ...]  # its input ports, in file order
    consumers: tuple[InputLink, ...]  # other products' (and its own) input ports that read its address
    outputs: Mapping[str, tuple[OutputLink, ...]] = field(default_factory=dict)  # port type → its ports

    @property
    def product(self):
        return self.pf.product

    def classification_of(self, dataset: str, dotted: str) -> str:
        """The effective classification of field `dotted` (`items.sku`) of `dataset`. KeyError if none."""
        return self.field_classification[(dataset, dotted)]

    def consumers_of(self, dataset: str, field_name: str | None = None) -> list[InputLink]:
        """The input ports that read `dataset` (and `field_name`, a parent or member of it counting)."""
        return [c for c in self.consumers if c.uses(dataset, field_name)]

    def output_ports(self, *kinds: str) -> list[OutputLink]:
        """Its output ports of the given types (`table`, `events`, ...), all of them without any."""
        wanted = kinds or tuple(self.outputs)
        return sorted((o for k in wanted for o in self.outputs.get(k, ())), key=lambda o: o.index)


@dataclass
class Resolution:
    """The resolved layer of one mesh; `Mesh` builds it on first use and keeps it."""

    by_file: dict[int, ResolvedProduct]  # id(ProductFile) → its resolution
    links_to: dict[str, list[InputLink]]  # address → every input port that names it (in the mesh or not)
    graph: MeshGraph
    # address → the input ports of other repositories' products (mesh.foreign) that name it
    foreign_links_to: dict[str, list[InputLink]] = field(default_factory=dict)


def resolve(mesh: "Mesh") -> Resolution:
    index = mesh.by_address()
    # An input port resolves in this mesh first, then among other repositories' products.
    known = {**{pf.product.address: pf for pf in mesh.foreign}, **index}
    links = {id(pf): tuple(_link(pf, i, known) for i in range(len(pf.product.inputPorts))) for pf in mesh.products}
    links_to: dict[str, list[InputLink]] = {}
    for pf in mesh.products:
        for link in links[id(pf)]:
            links_to.setdefault(link.address, []).append(link)
    foreign_links_to: dict[str, list[InputLink]] = {}
    for pf in mesh.foreign:
        for i, port in enumerate(pf.product.inputPorts):  # what another repository reads (of this mesh or not)
            foreign_links_to.setdefault(port.product, []).append(_link(pf, i, index))
    by_file = {id(pf): _product(pf, links[id(pf)], links_to.get(pf.product.address, ())) for pf in mesh.products}
    edges = [(link.address, pf.product.address) for pf in mesh.products if index[pf.product.address] is pf
             for link in links[id(pf)] if link.address in index]
    foreign_edges = [(link.address, pf.product.address) for pf in mesh.products if index[pf.product.address] is pf
                     for link in links[id(pf)] if link.producer is not None and link.address not in index]
    foreign_edges += [(address, link.consumer.product.address) for address, found in foreign_links_to.items()
                      if address in index for link in found]
    return Resolution(by_file, links_to, MeshGraph(index, edges, foreign_edges), foreign_links_to)


def _link(pf: ProductFile, i: int, index: Mapping[str, ProductFile]) -> InputLink:
    port = pf.product.inputPorts[i]
    producer = index.get(port.product)
    dataset = producer.product.dataset(port.dataset) if producer is not None else None
    fields = tuple((name, dataset.field_path(name) if dataset is not None else None) for name in port.fields)
    return InputLink(pf, i, producer, dataset, fields)


def _product(pf: ProductFile, inputs: tuple[InputLink, ...], consumers: Iterable[InputLink]) -> ResolvedProduct:
    p = pf.product
    explicit = p.pipeline is not None and bool(p.pipeline.schedule)
    classes = {(ds.name, dotted): f.effective_classification for ds in p.datasets
               for dotted, f in dotted_fields(ds.fields)}
    outputs: dict[str, list[OutputLink]] = {}
    for i, port in enumerate(p.outputPorts):
        outputs.setdefault(port.type, []).append(OutputLink(pf, i, p.dataset(port.dataset)))
    return ResolvedProduct(
        pf=pf, address=p.address, major=p.major, schedule=p.schedule,
        schedule_derived=p.schedule is not None and not explicit,
        # p.classification, from the field classifications just computed (not a second walk)
        classification=max(set(classes.values()) or {"public"}, key=CLASSIFICATION_ORDER.index),
        field_classification=classes, inputs=inputs, consumers=tuple(consumers),
        outputs={kind: tuple(ports) for kind, ports in sorted(outputs.items())})
