"""The current mesh against a baseline mesh (from git): every product version, and who breaks.

Products are paired by address (a major version is a new address). For each pair the rules
run and `judge` decides, with the current mesh's consumers of that address. An address that
existed in the baseline and is gone, or is now `status: retired`, must have no consumers left:

VERSION004  a file that held vN now declares another major in place (a new major is a new file)
VERSION005  a product version was removed or retired while consumers still read it
VERSION006  a product version was removed, and nothing consumed it (info)
"""

from __future__ import annotations

from pathlib import Path

from meshgen.contracts.baseline import Baseline, history_at, read_file_at
from meshgen.contracts.judge import consumers_of, judge, name_consumers
from meshgen.contracts.rules import compare
from meshgen.contracts.settings import ContractSettings
from meshgen.diagnostics import Diagnostic, Severity
from meshgen.errors import InputError
from meshgen.mesh.model import Mesh
from meshgen.spec.loader import ProductFile


def compare_meshes(baseline: Baseline, mesh: Mesh, settings: ContractSettings) -> list[Diagnostic]:
    current: dict[str, ProductFile] = {}
    for pf in mesh.products:
        current.setdefault(pf.product.address, pf)
    by_path = {_rel(pf.path, baseline.top): pf for pf in mesh.products}
    out = list(baseline.diagnostics)
    seen: set[str] = set()
    for old in sorted(baseline.products, key=lambda pf: pf.product.address):
        address = old.product.address
        if address in seen:
            continue  # defined twice at the baseline: compare the first
        seen.add(address)
        consumers = consumers_of(mesh.products, address)
        new = current.get(address)
        if new is None:
            rel = baseline.paths.get(address, "")
            if rel and rel not in by_path and (baseline.top / rel).is_file():
                continue  # still there but does not load: its own errors say why
            out.extend(_removed(baseline, old, mesh, by_path, consumers))
            continue
        found = judge(compare(old, new, settings.ignore), old, new, consumers)
        out.extend(found)
        if old.product.compatibility.endswith("_transitive"):
            known = {(d.code, d.location) for d in found}
            out.extend(d for d in _transitive(baseline, old, new, settings) if (d.code, d.location) not in known)
        if new.product.status == "retired" and old.product.status != "retired" and consumers:
            out.append(Diagnostic(
                "VERSION005", Severity.ERROR,
                f"{address} is retired while {name_consumers(consumers)} still read{'s' if len(consumers) == 1 else ''} it",
                new.location("status"), _migrate_hint(new, consumers), "contracts.retired-while-consumed",
                (old.location("status"),) + tuple(c.location for c in consumers)))
    return out


def _rel(path: Path, top: Path) -> str:
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return str(path)


def _migrate_hint(pf: ProductFile, consumers) -> str:
    lc = pf.product.lifecycle
    target = lc.successor if lc and lc.successor else "the next major version"
    ports = ", ".join(f"{c.pf.product.address} port {c.port.name!r}" for c in consumers)
    return f"keep {pf.product.address} published until {ports} move{'s' if len(consumers) == 1 else ''} to {target}"


def _removed(baseline: Baseline, old: ProductFile, mesh: Mesh, by_path: dict[str, ProductFile],
             consumers) -> list[Diagnostic]:
    address = old.product.address
    rel = baseline.paths.get(address, "")
    was = old.location("name")
    out = []
    in_place = by_path.get(rel)
    if in_place is not None and (in_place.product.domain, in_place.product.name) == (old.product.domain, old.product.name):
        out.append(Diagnostic(
            "VERSION004", Severity.ERROR,
            f"this file was {address} ({old.product.version}) at {baseline.ref}; it now declares "
            f"{in_place.product.address} ({in_place.product.version}) in its place",
            in_place.location("version"),
            f"a new major version is a new address: restore {rel} as it was and add "
            f"{in_place.product.domain}/{in_place.product.name}/v{in_place.product.major}/dataproduct.yaml beside it",
            "contracts.major-bump-in-place", (old.location("version"),)))
    siblings = [pf for pf in mesh.versions_of(old.product.domain, old.product.name)]
    anchor = in_place or (siblings[-1] if siblings else None)
    if consumers:
        where = anchor.location("version") if anchor is not None else consumers[0].location
        restore = f"restore {rel} (`git checkout {baseline.ref} -- {rel}`)" if rel else f"restore {address}"
        out.append(Diagnostic(
            "VERSION005", Severity.ERROR,
            f"{address} was removed (it exists at {baseline.ref}) but {name_consumers(consumers)} "
            f"still read{'s' if len(consumers) == 1 else ''} it",
            where, f"{restore} with `status: deprecated` until they migrate"
            + (f" to {anchor.product.address}" if anchor is not None else ""),
            "contracts.removed-while-consumed", (was,) + tuple(c.location for c in consumers)))
    else:
        out.append(Diagnostic(
            "VERSION006", Severity.INFO, f"{address} was removed; no product in the mesh reads it",
            anchor.location("version") if anchor is not None else was, "nothing to do: it retired cleanly",
            "contracts.removed", (was,)))
    return out


def _transitive(baseline: Baseline, old: ProductFile, new: ProductFile, settings: ContractSettings) -> list[Diagnostic]:
    """`*_transitive`: the promise holds against every earlier version in history, not just the last."""
    rel = baseline.paths.get(old.product.address)
    if not rel:
        return []
    out, seen_versions = [], {old.product.version}
    for commit in history_at(baseline.top, baseline.commit, rel)[1:]:
        try:
            earlier, _ = read_file_at(baseline.top, commit[:12], rel)
        except InputError:
            continue
        if earlier is None or earlier.product.address != old.product.address or earlier.product.version in seen_versions:
            continue
        seen_versions.add(earlier.product.version)
        for d in judge(compare(earlier, new, settings.ignore), earlier, new, None):
            if d.severity is Severity.ERROR and d.code.startswith("BRK"):
                out.append(Diagnostic(d.code, d.severity, f"against version {earlier.product.version}: {d.message}",
                                      d.location, d.hint, d.name, d.related))
    return out
