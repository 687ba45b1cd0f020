"""The mesh: every product, with its cross-references resolved and checked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from meshgen.diagnostics import Diagnostic, DiagnosticList, Severity
from meshgen.load.yaml_source import SourceMap
from meshgen.mesh.config import MeshConfig
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, Kind, parse_address

if TYPE_CHECKING:
    from meshgen.mesh.graph import MeshGraph
    from meshgen.mesh.index import ForeignProduct
    from meshgen.mesh.resolved import InputLink, Resolution, ResolvedProduct


@dataclass
class Mesh:
    root: Path
    config: MeshConfig
    config_source: SourceMap | None
    products: list[ProductFile]
    selected: set[Path] = field(default_factory=set)  # the product files this command acts on
    standalone: bool = False  # a bare product file with no meshgen.yaml: outside references can't be checked
    # Addresses of product files that failed validation: their own errors explain them, so
    # references to them are not reported again as "not in the mesh".
    broken: dict[str, Path] = field(default_factory=dict)
    # Products of other repositories, read from the indexes of `indexes:` (mesh/remote.py): facts
    # that input ports resolve against and consumers that contract checks name, never built.
    foreign: "list[ForeignProduct]" = field(default_factory=list)
    # loaded with this user's cache (mesh/product_cache.py): meshgen's code digest, and each product
    # file's record (a digest of what loading it read), which checking passes key their own records by
    cached: str | None = field(default=None, compare=False)
    records: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # each product file loaded with the cache → sha256 of the bytes loaded (the planner's specs digests)
    digests: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _index: dict[str, ProductFile] | None = field(default=None, repr=False, compare=False)
    _resolution: "Resolution | None" = field(default=None, repr=False, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.config.name or self.root.resolve().name

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A fact derived from the whole mesh (e.g. the job id of every product), computed once per
        loaded mesh: a unit per product that recomputed a mesh-wide fact made builds quadratic."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def by_address(self) -> dict[str, ProductFile]:
        """Address → product (the first file, if two define the same address)."""
        if self._index is None:
            self._index = {}
            for pf in self.products:
                self._index.setdefault(pf.product.address, pf)
        return self._index

    def get(self, address: str) -> ProductFile | None:
        return self.by_address().get(address)

    def selected_products(self) -> list[ProductFile]:
        return [pf for pf in self.products if pf.path in self.selected]

    # ---- the resolved layer (mesh/resolved.py), built once on first use -------------------

    def _resolved_layer(self) -> "Resolution":
        if self._resolution is None:
            from meshgen.mesh.resolved import resolve

            self._resolution = resolve(self)
        return self._resolution

    def resolved(self, product: "ProductFile | str") -> "ResolvedProduct":
        """The resolved product of a product file, or of an address (its first file). KeyError if absent."""
        layer = self._resolved_layer()
        pf = self.by_address()[product] if isinstance(product, str) else product
        return layer.by_file[id(pf)]

    @property
    def graph(self) -> "MeshGraph":
        """Producers → consumers between the products of this mesh."""
        return self._resolved_layer().graph

    def consumers(self, address: str) -> "list[InputLink]":
        """Every input port in this mesh that reads `address`, whether or not `address` is in the mesh,
        then those of other repositories' products (from `indexes:`)."""
        layer = self._resolved_layer()
        return [*layer.links_to.get(address, ()), *layer.foreign_links_to.get(address, ())]

    def concerning(self, diagnostics: Iterable[Diagnostic]) -> DiagnosticList:
        """The diagnostics that concern the products this command acts on: when acting on some
        products of a mesh, findings positioned in the other product files are left out."""
        items = list(diagnostics.items if isinstance(diagnostics, DiagnosticList) else diagnostics)
        if len(self.selected) == len(self.products):
            return DiagnosticList(items)
        others = {pf.source.file for pf in self.products if pf.path not in self.selected}
        return DiagnosticList([d for d in items if d.location.file not in others])

    def versions_of(self, domain: str, name: str) -> list[ProductFile]:
        return sorted((pf for pf in self.products if pf.product.domain == domain and pf.product.name == name),
                      key=lambda pf: pf.product.major)


def _suggest(word: str, options: list[str]) -> str:
    # 0.75: a typo (order_idd → order_id, 0.94) is suggested; a different name that merely
    # shares a suffix (user_id → order_id, 0.67) is not.
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return f"did you mean {close[0]!r}?" if close else (f"known: {', '.join(sorted(options)[:8])}" if options else "")


def check_references(mesh: Mesh) -> list[Diagnostic]:
    """References inside each product and across the mesh (input ports, successors)."""
    out: list[Diagnostic] = []
    seen = mesh.by_address()  # the first file of each address
    for pf in mesh.products:
        first = seen[pf.product.address]
        if first is not pf:
            out.append(Diagnostic("MESH001", Severity.ERROR, f"{pf.product.address} is defined twice",
                                  pf.location("name"), f"also defined in {first.location('name')}; "
                                  "give one a new name or a new major version", related=(first.location("name"),)))
    for pf in mesh.products:
        out.extend(_product_references(pf))
        out.extend(_input_ports(mesh, pf, seen))
        lc = pf.product.lifecycle
        if lc and lc.successor and lc.successor not in seen:
            out.append(Diagnostic(
                "MESH005", Severity.WARNING if mesh.standalone else Severity.ERROR,
                f"successor {lc.successor} is not in this mesh", pf.location("lifecycle", "successor"),
                "this product was loaded alone; run meshgen on the mesh folder to check the reference"
                if mesh.standalone else
                _suggest(lc.successor, [a for a in seen if a != pf.product.address]) or "publish the successor, or fix the address"))
    out.extend(_circular_input_ports(mesh))
    out.extend(_foreign_consumers(mesh, seen))
    return out


def _foreign_consumers(mesh: Mesh, index: dict[str, ProductFile]) -> list[Diagnostic]:
    """MESH007: a product of another repository reads a dataset or field this mesh's product does not
    have (the producer's build fails, naming the consumer and the index it came from)."""
    out = []
    for address, pf in sorted(index.items()):
        for link in mesh._resolved_layer().foreign_links_to.get(address, ()):
            if link.dataset is None:
                what, where = f"dataset {link.port.dataset!r}, which {address} does not have", pf.location("datasets")
            else:
                missing = [name for name, found in link.fields if found is None]
                if not missing:
                    continue
                what = (f"field{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} of dataset "
                        f"{link.dataset.name!r}, which {address} does not have")
                where = pf.location(*pf.dataset_path(link.dataset.name))
            out.append(Diagnostic(
                "MESH007", Severity.ERROR, f"{link.describe()} reads {what}", where,
                "restore it (deprecate it first: `deprecated: true` with `replacedBy:`), or publish a new major "
                "version and keep this one until the consumer migrates", related=(link.location,)))
    return out


def _input_ports(mesh: Mesh, pf: ProductFile, index: dict[str, ProductFile]) -> list[Diagnostic]:
    out = []
    for link in mesh.resolved(pf).inputs:
        port, i = link.port, link.index
        if link.producer is None:
            if port.product not in mesh.broken:  # else: the producer's file has errors of its own
                out.append(_missing_producer(mesh, pf, i, index))
            continue
        if link.dataset is None:
            out.append(Diagnostic("MESH003", Severity.ERROR,
                                  f"input port {port.name!r}: {port.product} has no dataset {port.dataset!r}",
                                  pf.location("inputPorts", i, "dataset"),
                                  _suggest(port.dataset, [d.name for d in link.producer.product.datasets])))
            continue
        for j, (name, found) in enumerate(link.fields):
            if found is None:
                out.append(Diagnostic("MESH004", Severity.ERROR,
                                      f"input port {port.name!r}: {port.product} dataset {link.dataset.name!r} "
                                      f"has no field {name!r}", pf.location("inputPorts", i, "fields", j),
                                      _suggest(name, [f.name for f in link.dataset.fields])))
    return out


def _circular_input_ports(mesh: Mesh) -> list[Diagnostic]:
    """MESH006: products that read each other in a circle (a → b → a), or a product that reads itself."""
    out = []
    for circle in mesh.graph.cycles():
        ports = []  # (product file, input port index) of each step of the circle
        for reader, read in zip(circle, circle[1:] + circle[:1]):
            pf = mesh.get(reader)
            ports.extend((pf, link.index) for link in mesh.resolved(pf).inputs if link.address == read)
        for pf, i in ports:
            port = pf.product.inputPorts[i]
            if len(circle) == 1:
                message = f"input port {port.name!r} reads {port.product}, this product itself"
            else:
                start = circle.index(pf.product.address)
                path = " → ".join(circle[start:] + circle[:start] + circle[start:start + 1])
                message = f"input port {port.name!r} reads {port.product}, and the products read each other " \
                          f"in a circle: {path}"
            out.append(Diagnostic(
                "MESH006", Severity.ERROR, message, pf.location("inputPorts", i, "product"),
                "a product cannot be built from its own output, directly or through other products: "
                "remove one input port of the circle, or read an earlier major version",
                related=tuple(other.location("inputPorts", j, "product") for other, j in ports if (other, j) != (pf, i))))
    return out


def _missing_producer(mesh: Mesh, pf: ProductFile, i: int, index: dict[str, ProductFile]) -> Diagnostic:
    port = pf.product.inputPorts[i]
    parsed = parse_address(port.product)
    # A bare product file can't see the rest of the mesh: say so instead of failing.
    severity = Severity.WARNING if mesh.standalone else Severity.ERROR
    versions = [p.product.address for p in index.values()
                if parsed and (p.product.domain, p.product.name) == parsed[:2]]
    hint = (f"versions in the mesh: {', '.join(versions)}" if versions
            else _suggest(port.product, list(index)) or "check the address")
    if mesh.standalone:
        hint = "this product was loaded alone; run meshgen on the mesh folder to check the reference"
    return Diagnostic("MESH002", severity, f"input port {port.name!r}: product {port.product} is not in the mesh",
                      pf.location("inputPorts", i, "product"), hint)


def _product_references(pf: ProductFile) -> list[Diagnostic]:
    p = pf.product
    out: list[Diagnostic] = []

    def err(code: str, message: str, path: tuple, hint: str) -> None:
        out.append(Diagnostic(code, Severity.ERROR, message, pf.location(*path), hint))

    check_ids = _dataset_references(p, err)
    dataset_names = [d.name for d in p.datasets]
    seen_ports: set[str] = set()
    for kind, ports in (("outputPorts", p.outputPorts), ("inputPorts", p.inputPorts)):
        for i, port in enumerate(ports):
            if port.name in seen_ports:
                err("REF007", f"port name {port.name!r} is used twice", (kind, i, "name"), "give every port its own name")
            seen_ports.add(port.name)
    for i, port in enumerate(p.outputPorts):
        if p.dataset(port.dataset) is None:
            err("REF002", f"output port {port.name!r} serves dataset {port.dataset!r}, which this product does not have",
                ("outputPorts", i, "dataset"), _suggest(port.dataset, dataset_names))
    slos = p.slos
    if slos and slos.freshness and slos.freshness.timestampField:
        ref = slos.freshness.timestampField
        ds_name, _, field_name = ref.partition(".")
        ds = p.dataset(ds_name)
        f = ds.field_path(field_name) if ds and field_name else None
        if f is None:
            err("REF003", f"freshness timestampField {ref!r} is not `<dataset>.<field>` of this product",
                ("slos", "freshness", "timestampField"),
                _suggest(ref, [f"{d.name}.{x.name}" for d in p.datasets for x in d.fields]))
        elif f.data_type.kind not in (Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ, Kind.DATE):
            err("REF003", f"freshness timestampField {ref!r} has type {f.type}; it must be a timestamp",
                ("slos", "freshness", "timestampField"), "point at a timestamp field")
    if slos and slos.accuracy and slos.accuracy.check and slos.accuracy.check not in check_ids:
        err("REF004", f"accuracy check {slos.accuracy.check!r} is not a quality check of this product",
            ("slos", "accuracy", "check"), _suggest(slos.accuracy.check, list(check_ids)) or "add the check under datasets[].quality")
    return out


def _dataset_references(p, err) -> dict[str, Dataset]:
    """Keys, replacements and quality checks within each dataset; the check ids, for the SLOs."""
    check_ids: dict[str, Dataset] = {}
    for di, ds in enumerate(p.datasets):
        names = [f.name for f in ds.fields]
        for key in ("primaryKey", "partitionBy"):
            for j, name in enumerate(getattr(ds, key)):
                f = ds.field(name)
                if f is None:
                    err("REF001", f"{key} field {name!r} is not a field of dataset {ds.name!r}",
                        ("datasets", di, key, j), _suggest(name, names))
                elif key == "primaryKey" and not f.required:
                    err("REF001", f"primary key field {name!r} must be `required: true`",
                        ("datasets", di, key, j), f"set required: true on {name!r}")
                elif f.data_type.kind.is_complex or f.data_type.kind is Kind.JSON:
                    err("REF001", f"{key} field {name!r} has type {f.type}; keys must be simple values",
                        ("datasets", di, key, j), "use a scalar field")
        for fi, f in enumerate(ds.fields):
            if f.replacedBy is not None and ds.field(f.replacedBy) is None:
                err("REF008", f"field {f.name!r} is replaced by {f.replacedBy!r}, which is not a field of {ds.name!r}",
                    ("datasets", di, "fields", fi, "replacedBy"), _suggest(f.replacedBy, names))
        for qi, q in enumerate(ds.quality):
            if q.id in check_ids:
                err("REF007", f"quality check id {q.id!r} is used twice", ("datasets", di, "quality", qi, "id"),
                    "give every check of the product its own id")
            check_ids[q.id] = ds
            if q.field is not None and ds.field_path(q.field) is None:
                err("REF005", f"quality check {q.id!r}: {q.field!r} is not a field of {ds.name!r}",
                    ("datasets", di, "quality", qi, "field"), _suggest(q.field, names))
    return check_ids
