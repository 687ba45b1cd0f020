"""The mesh index: what a build publishes (`<out>/_mesh/index.json`) so that other repositories'
meshes can resolve input ports against this one and name its consumers (docs/polyrepo.md).

The index holds, per product of the mesh (never the products it read from other indexes): its
address, version, status, owner team, compatibility promise, datasets with their fields and
types, output ports, and input ports with the fields they read. It is plain data written by
`meshgen.serializer`, sorted by address, without a timestamp: the same mesh gives the same bytes.

The models below are the format: they validate an index read from elsewhere (untrusted input)
and generate its JSON Schema (`python -m meshgen.mesh.index > docs/index.schema.json`). A
product read from an index becomes a `ForeignProduct`: a real `DataProduct` model, positioned
in the index it came from, that the mesh knows as a fact but never builds.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field as F, ValidationError

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.load.yaml_source import Document, SourceMap
from meshgen.model.loader import ProductFile, pydantic_diagnostics
from meshgen.model.models import API_VERSION, DataProduct, SchemaField, TypeSpec
from meshgen.serializer import json_document, json_text

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

INDEX_FORMAT = 1
INDEX_FILE = "_mesh/index.json"  # inside the output folder


class _IndexModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class IndexType(_IndexModel):
    """A type: its expression in the field type grammar and, for complex types, its parts."""

    type: str = F(max_length=1000, description="The type, in meshgen's field type grammar.")
    symbols: Optional[list[str]] = F(None, description="For `enum`: the allowed values.")
    items: Optional["IndexType"] = F(None, description="For `array`: the item type.")
    values: Optional["IndexType"] = F(None, description="For `map`: the value type.")
    fields: Optional[list["IndexField"]] = F(None, description="For `struct`: its fields.")


class IndexField(IndexType):
    """One field of a dataset (or of a struct)."""

    name: str = F(max_length=300)
    required: bool = False
    deprecated: bool = False
    replacedBy: Optional[str] = None
    pii: bool = False
    classification: Optional[Literal["public", "internal", "confidential", "restricted"]] = None


class IndexDataset(_IndexModel):
    name: str = F(max_length=300)
    primaryKey: list[str] = F(default_factory=list)
    fields: list[IndexField] = F(min_length=1)


class IndexOutputPort(_IndexModel):
    name: str = F(max_length=300)
    type: Literal["events", "table", "files", "rest", "grpc"]
    dataset: str
    platform: Optional[str] = None
    topic: Optional[str] = None
    format: Optional[str] = None
    location: Optional[str] = None
    url: Optional[str] = None


class IndexInputPort(_IndexModel):
    name: str = F(max_length=300)
    product: str = F(description="The producer's address, data://<domain>/<name>/v<major>.")
    dataset: str
    fields: list[str] = F(min_length=1, description="The fields the port reads (`items.sku` for nested ones).")


class IndexOwner(_IndexModel):
    team: str = F(max_length=300)


class IndexProduct(_IndexModel):
    address: str = F(pattern=r"^data://[^/\s]+/[^/\s]+/v[0-9]+$", description="data://<domain>/<name>/v<major>")
    domain: str
    name: str
    version: str
    status: Literal["draft", "active", "deprecated", "retired"]
    owner: IndexOwner
    compatibility: str
    datasets: list[IndexDataset] = F(min_length=1)
    outputPorts: list[IndexOutputPort] = F(default_factory=list)
    inputPorts: list[IndexInputPort] = F(default_factory=list)


class MeshIndex(_IndexModel):
    """`_mesh/index.json`: the products one mesh publishes for other repositories' meshes."""

    model_config = ConfigDict(extra="forbid", strict=True, title="meshgen mesh index")
    indexFormat: Literal[1] = F(description="The version of this format.")
    mesh: str = F(max_length=300, description="The publishing mesh's name.")
    products: list[IndexProduct] = F(description="Every product of the mesh, sorted by address.")


# ---- writing ---------------------------------------------------------------------------------

def _type_entry(spec: SchemaField | TypeSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"type": spec.type}
    if spec.symbols is not None:
        out["symbols"] = list(spec.symbols)
    for part in ("items", "values"):
        if getattr(spec, part) is not None:
            out[part] = _type_entry(getattr(spec, part))
    if spec.fields is not None:
        out["fields"] = [_field_entry(f) for f in spec.fields]
    return out


def _field_entry(f: SchemaField) -> dict[str, Any]:
    out = {"name": f.name, **_type_entry(f), "required": f.required}
    out.update({flag: True for flag in ("deprecated", "pii") if getattr(f, flag)})
    out.update({key: getattr(f, key) for key in ("replacedBy", "classification") if getattr(f, key) is not None})
    return out


def _product_entry(pf: ProductFile) -> dict[str, Any]:
    p = pf.product
    port_keys = {"name", "type", "dataset", "platform", "topic", "format", "location", "url"}
    return {
        "address": p.address, "domain": p.domain, "name": p.name, "version": p.version, "status": p.status,
        "owner": {"team": p.owner.team}, "compatibility": p.compatibility,
        "datasets": [{"name": ds.name, "primaryKey": list(ds.primaryKey), "fields": [_field_entry(f) for f in ds.fields]}
                     for ds in p.datasets],
        "outputPorts": [port.model_dump(mode="json", include=port_keys, exclude_none=True) for port in p.outputPorts],
        "inputPorts": [{"name": port.name, "product": port.product, "dataset": port.dataset, "fields": list(port.fields)}
                       for port in p.inputPorts],
    }


def index_document(mesh: "Mesh") -> dict[str, Any]:
    """The index of `mesh`: its own products (the first file of each address), sorted by address."""
    products = sorted(mesh.by_address().values(), key=lambda pf: pf.product.address)
    return {"indexFormat": INDEX_FORMAT, "mesh": mesh.name, "products": [_product_entry(pf) for pf in products]}


def index_text(mesh: "Mesh", entry_text: Callable[[ProductFile], str] | None = None) -> str:
    """`json_document(index_document(mesh))`, the same bytes, put together from each product's
    entry as `product_entry_text(pf)` writes it (`entry_text`: the same text, kept between builds by
    meshgen.mesh.mesh_record): JSON strings hold no raw line break, so an entry is indented into
    the list by indenting each of its lines."""
    products = sorted(mesh.by_address().values(), key=lambda pf: pf.product.address)
    entries = [(entry_text or product_entry_text)(pf).replace("\n", "\n    ") for pf in products]
    listed = "[\n    " + ",\n    ".join(entries) + "\n  ]" if entries else "[]"
    return (f'{{\n  "indexFormat": {json_text(INDEX_FORMAT)},\n  "mesh": {json_text(mesh.name)},\n'
            f'  "products": {listed}\n}}\n')


def product_entry_text(pf: ProductFile) -> str:
    """One product's entry of the index as indented JSON text (at the top level)."""
    return json_text(_product_entry(pf))


def index_json_schema() -> dict[str, Any]:
    schema = MeshIndex.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# ---- reading ---------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


class JsonPositions:
    """Where each key and value of a JSON text is (a SourceMap's interface), found on first use
    only: positions are needed for diagnostics, and the positioned YAML loader took 20 s where
    json.loads takes 0.2 s on a 3 MB index. The text was already parsed by json.loads."""

    def __init__(self, text: str, file: str):
        self.file, self._text, self._tables = file, text, None

    @property
    def values(self) -> dict:
        return self._scan()[0]

    @property
    def keys(self) -> dict:
        return self._scan()[1]

    def location(self, path=(), *, key: bool = False) -> Location:
        return SourceMap(self.file, self.values, self.keys).location(path, key=key)

    def has(self, path) -> bool:
        return tuple(path) in self.values

    def _scan(self) -> tuple[dict, dict]:
        if self._tables is None:
            self._tables = _json_positions(self._text)
        return self._tables


def json_too_deep(text: str, limit: int) -> int | None:
    """The offset of the first bracket that nests deeper than `limit`, or None (json.loads would
    recurse, and pydantic after it)."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
            if depth > limit:
                return match.start()
        elif token in ("}", "]"):
            depth -= 1
    return None


def _json_positions(text: str) -> tuple[dict, dict]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    values: dict[tuple, tuple[int, int]] = {}
    keys: dict[tuple, tuple[int, int]] = {}
    frames: list[list] = []  # [is_object, path, index or key, awaiting a key]

    def here() -> tuple:
        if not frames:
            return ()
        return (*frames[-1][1], frames[-1][2])

    for match in _JSON_TOKEN.finditer(text):
        token, offset = match.group(), match.start()
        if token in ("{", "["):
            values[here()] = at(offset)
            frames.append([token == "{", here(), 0 if token == "[" else None, token == "{"])
        elif token in ("}", "]"):
            frames.pop()
        elif token == ",":
            if frames[-1][0]:
                frames[-1][3] = True
            else:
                frames[-1][2] += 1
        elif token == ":":
            frames[-1][3] = False
        elif frames and frames[-1][0] and frames[-1][3]:
            frames[-1][2] = json.loads(token)
            keys[here()] = at(offset)
        else:
            values[here()] = at(offset)
    return values, keys

@dataclass
class ForeignProduct(ProductFile):
    """A product of another repository's mesh, read from its index: a fact of this mesh (its input
    ports and consumers resolve against it) that is never built. Positions point into the index."""

    origin: str = ""  # the index as meshgen.yaml names it (a path or a URL)
    entry: int = 0  # its position in the index's `products`

    def location(self, *path: Any, key: bool = False) -> Location:
        return self.document.source.location(("products", self.entry, *path), key=key)


def foreign_products(document: Document, origin: str, wanted: Callable[[dict], bool] = lambda entry: True,
                     ) -> tuple[list[ForeignProduct], list[Diagnostic]]:
    """The products of an index read from `origin` that are `wanted` (only those are validated as
    products: 10 ms each): INDEX004 when the document is not an index (positioned in it), an
    invalid product left out with its reasons (INDEX006)."""
    try:
        MeshIndex.model_validate(document.data)
    except ValidationError as exc:
        return [], [Diagnostic("INDEX004", d.severity, f"{origin} is not a meshgen index: {d.message}", d.location,
                               "publish it with `meshgen build` (it writes <output>/_mesh/index.json)")
                    for d in pydantic_diagnostics(exc, document.data, document.source, MeshIndex)[:5]]
    out: list[ForeignProduct] = []
    problems: list[Diagnostic] = []
    for i, entry in enumerate(document.data["products"]):
        if not wanted(entry):
            continue
        spec = {"apiVersion": API_VERSION, "kind": "DataProduct", **{k: v for k, v in entry.items() if k != "address"}}
        try:
            product = DataProduct.model_validate(spec)
        except ValidationError as exc:
            shifted = _entry_source(document.source, i)
            problems.extend(Diagnostic("INDEX006", Severity.WARNING, f"{origin}: product {entry['address']}: {d.message}",
                                       d.location, "the index was not written by `meshgen build`, or by an "
                                                   "incompatible version; it is left out")
                            for d in pydantic_diagnostics(exc, spec, shifted, DataProduct)[:3])
            continue
        if product.address != entry["address"]:
            problems.append(Diagnostic("INDEX006", Severity.WARNING,
                                       f"{origin}: entry {entry['address']} describes {product.address}; left out",
                                       document.source.location(("products", i, "address")),
                                       "the address must be data://<domain>/<name>/v<major of version>"))
            continue
        out.append(ForeignProduct(document.path, document, product, origin=origin, entry=i))
    return out, problems


def _entry_source(source: "SourceMap | JsonPositions", i: int) -> SourceMap:
    """The positions of product entry `i`, with paths as inside a product file (only on errors:
    it walks every position of the index)."""
    prefix = ("products", i)

    def inside(table: dict) -> dict:
        return {path[2:]: pos for path, pos in table.items() if path[:2] == prefix}

    return SourceMap(source.file, inside(source.values), inside(source.keys))


if __name__ == "__main__":  # python -m meshgen.mesh.index > docs/index.schema.json
    import sys

    sys.stdout.write(json_document(index_json_schema()))
