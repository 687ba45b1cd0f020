"""Pair the elements of two versions of a product, once, for every rule.

Datasets, fields (nested ones too, through arrays and maps), output ports and the SLO block
are matched by name. An element present on one side only is paired with None; its position
on the missing side is the collection that would hold it. Rename detection happens here:
a removed and an added field of the same type at the same level are paired as a rename when
the removed one says `replacedBy` the added one, or when they are the only such pair.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterator

from meshgen.diagnostics import Location
from meshgen.model.loader import ProductFile
from meshgen.model.portable import struct_members

EVENTS = "events"  # Avro schema resolution: readers resolve fields by name, defaults fill gaps
TABLE = "table"  # dbt contract semantics: queries name columns; a missing column fails them
DBT = "dbt"  # a `table` port: dbt's enforced contract fails on any change of a column's data_type
# a `grpc` port, or an `events` port with `format: protobuf`: consumers decode proto3's binary and
# JSON encodings, where a change of scalar type (int32→int64, float→double) breaks either reader
PROTOBUF = "protobuf"


@dataclass(frozen=True)
class Side:
    pf: ProductFile
    path: tuple  # the element's data path, or its would-be parent collection when absent

    def location(self, *sub: Any, key: bool = False) -> Location:
        return self.pf.location(*self.path, *sub, key=key)


@dataclass(frozen=True)
class Pair:
    """One element in the previous and the current version (either may be None)."""

    kind: str  # product, dataset, field, port, slos
    label: str  # human path: orders, orders.items.sku, port orders-events
    old: Any
    new: Any
    before: Side
    after: Side
    dataset: str | None = None
    field: str | None = None  # dotted field path as consumers name it (items.sku)
    semantics: frozenset[str] = frozenset({EVENTS, TABLE})
    renamed_from: Any = None  # for a rename: the removed field (old) paired with the added one (new)
    # for a removed field that is not paired as a rename: added fields of the same type beside it,
    # most similar name first (it may have been renamed to one of them)
    rename_candidates: tuple[str, ...] = ()

    @property
    def added(self) -> bool:
        return self.old is None and self.new is not None

    @property
    def removed(self) -> bool:
        return self.old is not None and self.new is None


def port_semantics(pf: ProductFile, dataset: str) -> frozenset[str]:
    """How a dataset is read: events ports resolve like Avro, every other port like a table; a port
    served as Protobuf also by proto3's encodings, a table port also by dbt's contract."""
    ports = [port for port in pf.product.outputPorts if port.dataset == dataset]
    kinds = {EVENTS if port.type == "events" else TABLE for port in ports}
    if any(port.type == "table" for port in ports):
        kinds.add(DBT)
    if any(port.type == "grpc" or (port.type == "events" and port.format == "protobuf") for port in ports):
        kinds.add(PROTOBUF)
    return frozenset(kinds) or frozenset({EVENTS, TABLE})


def pairs(old: ProductFile, new: ProductFile) -> Iterator[Pair]:
    """Every matched element pair, parents before children, in a stable order."""
    yield Pair("product", old.product.address, old.product, new.product, Side(old, ()), Side(new, ()))
    yield from _datasets(old, new)
    yield from _ports(old, new)
    yield Pair("slos", "slos", old.product.slos, new.product.slos, Side(old, ("slos",)), Side(new, ("slos",)))


def _index(items) -> dict[str, int]:
    return {item.name: i for i, item in enumerate(items)}


def _datasets(old: ProductFile, new: ProductFile) -> Iterator[Pair]:
    o_idx, n_idx = _index(old.product.datasets), _index(new.product.datasets)
    for name in _ordered(o_idx, n_idx):
        oi, ni = o_idx.get(name), n_idx.get(name)
        o = old.product.datasets[oi] if oi is not None else None
        n = new.product.datasets[ni] if ni is not None else None
        before = Side(old, ("datasets", oi) if oi is not None else ("datasets",))
        after = Side(new, ("datasets", ni) if ni is not None else ("datasets",))
        semantics = port_semantics(old, name) | (port_semantics(new, name) if n is not None else frozenset())
        yield Pair("dataset", name, o, n, before, after, dataset=name, semantics=semantics)
        if o is not None and n is not None:
            yield from _fields(o.fields, n.fields, before.path + ("fields",), after.path + ("fields",),
                               old, new, name, "", semantics)


def _ordered(a: dict[str, int], b: dict[str, int]) -> list[str]:
    """Names in the previous order, then names that are new, in their order."""
    return list(a) + [k for k in b if k not in a]


def _fields(olds: list, news: list, opath: tuple, npath: tuple, old: ProductFile, new: ProductFile,
            dataset: str, prefix: str, semantics: frozenset[str]) -> Iterator[Pair]:
    o_idx, n_idx = _index(olds), _index(news)
    removed = [n for n in o_idx if n not in n_idx]
    added = [n for n in n_idx if n not in o_idx]
    renames = _renames([olds[o_idx[n]] for n in removed], [news[n_idx[n]] for n in added])
    renamed_to = {r_new: r_old for r_old, r_new in renames.items()}
    unpaired = [news[n_idx[n]] for n in added if n not in renamed_to]
    for name in _ordered(o_idx, n_idx):
        oi, ni = o_idx.get(name), n_idx.get(name)
        if name in renamed_to:
            continue  # reported with the removed field it replaces
        o = olds[oi] if oi is not None else None
        n = news[ni] if ni is not None else None
        before = Side(old, opath + (oi,) if oi is not None else opath)
        after = Side(new, npath + (ni,) if ni is not None else npath)
        dotted = f"{prefix}{name}"
        if name in renames:
            target = renames[name]
            yield Pair("field", f"{dataset}.{dotted}", o, news[n_idx[target]], before,
                       Side(new, npath + (n_idx[target],)), dataset=dataset, field=dotted, semantics=semantics,
                       renamed_from=o)
            continue
        candidates = _similar(o, unpaired) if o is not None and n is None else ()
        yield Pair("field", f"{dataset}.{dotted}", o, n, before, after, dataset=dataset, field=dotted,
                   semantics=semantics, rename_candidates=candidates)
        if o is not None and n is not None:
            oc, nc = struct_members(o, before.path), struct_members(n, after.path)
            if oc is not None and nc is not None:
                yield from _fields(oc[0], nc[0], oc[1], nc[1], old, new, dataset, dotted + ".", semantics)


def _renames(removed: list, added: list) -> dict[str, str]:
    """removed field name → added field name, for pairs that look like a rename."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for r in removed:
        same_type = [a for a in added if a.name not in taken and a.data_type == r.data_type]
        pick = next((a for a in same_type if r.replacedBy == a.name), None)
        if pick is None and len(same_type) == 1 and len(removed) == 1:
            pick = same_type[0]
        if pick is not None:
            out[r.name] = pick.name
            taken.add(pick.name)
    return out


def _similar(removed: Any, added: list) -> tuple[str, ...]:
    """Names of added fields with the removed field's type, the most similar name first."""
    same_type = [a.name for a in added if a.data_type == removed.data_type]
    return tuple(sorted(same_type, key=lambda name: (-difflib.SequenceMatcher(None, removed.name, name).ratio(), name)))


def _ports(old: ProductFile, new: ProductFile) -> Iterator[Pair]:
    o_idx, n_idx = _index(old.product.outputPorts), _index(new.product.outputPorts)
    for name in _ordered(o_idx, n_idx):
        oi, ni = o_idx.get(name), n_idx.get(name)
        o = old.product.outputPorts[oi] if oi is not None else None
        n = new.product.outputPorts[ni] if ni is not None else None
        yield Pair("port", f"port {name}", o, n,
                   Side(old, ("outputPorts", oi) if oi is not None else ("outputPorts",)),
                   Side(new, ("outputPorts", ni) if ni is not None else ("outputPorts",)))
