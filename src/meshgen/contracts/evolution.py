"""The current mesh against a baseline mesh (from git): every product version, and who breaks.

Products are paired by address (a major version is a new address). For each pair the rules
run and `judge` decides, with the current mesh's consumers of that address. An address that
existed in the baseline and is gone, or is now `status: retired`, must have no consumers left:

VERSION001  a file that held vN now declares an older major (the version went backwards)
VERSION004  a file that held vN now declares a newer major in place (a new major is a new file)
VERSION005  a product version was removed or retired while consumers still read it
VERSION006  a product version was removed, and nothing consumed it (info)
"""

from __future__ import annotations

from pathlib import Path

from meshgen.contracts.baseline import Baseline, history_at, read_file_at
from meshgen.contracts.changes import Change
from meshgen.contracts.judge import judge, name_consumers, semver_key
from meshgen.contracts.rules import compare
from meshgen.contracts.settings import ContractSettings
from meshgen.diagnostics import Diagnostic, Severity
from meshgen.errors import InputError
from meshgen.mesh.model import Mesh
from meshgen.model.loader import ProductFile


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
        consumers = mesh.consumers(address)
        new = current.get(address)
        if new is None:
            rel = baseline.paths.get(address, "")
            if rel and rel not in by_path and (baseline.top / rel).is_file():
                continue  # still there but does not load: its own errors say why
            out.extend(_removed(baseline, old, mesh, by_path, consumers))
            continue
        changes = compare(old, new, settings.ignore)
        out.extend(judge(changes, old, new, consumers))
        if old.product.compatibility.endswith("_transitive"):
            out.extend(_transitive(baseline, old, new, settings, {_identity(c) for c in changes}))
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
    ports = ", ".join(f"{c.consumer.product.address} port {c.port.name!r}" for c in consumers)
    return f"keep {pf.product.address} published until {ports} move{'s' if len(consumers) == 1 else ''} to {target}"


def _removed(baseline: Baseline, old: ProductFile, mesh: Mesh, by_path: dict[str, ProductFile],
             consumers) -> list[Diagnostic]:
    address = old.product.address
    rel = baseline.paths.get(address, "")
    was = old.location("name")
    out = []
    in_place = by_path.get(rel)
    if in_place is not None and (in_place.product.domain, in_place.product.name) != (old.product.domain, old.product.name):
        in_place = None  # the path now holds another product
    if in_place is not None and in_place.product.major < old.product.major:
        out.append(Diagnostic(
            "VERSION001", Severity.ERROR,
            f"version went backwards from {old.product.version} to {in_place.product.version}: this file was "
            f"{address} at {baseline.ref} and now declares {in_place.product.address}",
            in_place.location("version"), f"a new version must be greater than {old.product.version}",
            "contracts.version-backwards", (old.location("version"),)))
    elif in_place is not None:
        out.append(Diagnostic(
            "VERSION004", Severity.ERROR,
            f"this file was {address} ({old.product.version}) at {baseline.ref}; it now declares "
            f"{in_place.product.address} ({in_place.product.version}) in its place",
            in_place.location("version"),
            f"a new major version is a new address: restore {rel} as it was and add "
            f"{in_place.product.domain}/{in_place.product.name}/v{in_place.product.major}/dataproduct.yaml beside it",
            "contracts.major-bump-in-place", (old.location("version"),)))
    siblings = mesh.versions_of(old.product.domain, old.product.name)
    newer = [pf for pf in siblings if pf.product.major > old.product.major]
    anchor = in_place or (siblings[-1] if siblings else None)
    if consumers:
        where = anchor.location("version") if anchor is not None else consumers[0].location
        restore = f"restore {rel} (`git checkout {baseline.ref} -- {rel}`)" if rel else f"restore {address}"
        gone = (f"no longer exists (its file now declares {in_place.product.address})" if in_place is not None
                else f"was removed (it exists at {baseline.ref})")
        out.append(Diagnostic(
            "VERSION005", Severity.ERROR,
            f"{address} {gone} but {name_consumers(consumers)} still read{'s' if len(consumers) == 1 else ''} it",
            where, f"{restore} with `status: deprecated` until they migrate"
            + (f" to {newer[-1].product.address}" if newer else ""),
            "contracts.removed-while-consumed", (was,) + tuple(c.location for c in consumers)))
    else:
        out.append(Diagnostic(
            "VERSION006", Severity.INFO, f"{address} was removed; no product in the mesh reads it",
            anchor.location("version") if anchor is not None else was, "nothing to do: it retired cleanly",
            "contracts.removed", (was,)))
    return out


def _identity(change: Change) -> tuple:
    return change.rule.code, change.location, change.message


def _transitive(baseline: Baseline, old: ProductFile, new: ProductFile, settings: ContractSettings,
                known: set[tuple]) -> list[Diagnostic]:
    """`*_transitive`: the baseline's promise holds against every earlier version of the address in
    the file's git history, not just the last. A break found against several earlier versions is
    one error naming them all (each version's position is a `see` line); a change the direct
    comparison already reports (`known`) is not repeated."""
    rel = baseline.paths.get(old.product.address)
    if not rel:
        return []
    found: dict[tuple, list[tuple[str, Diagnostic]]] = {}
    seen_versions = {old.product.version}
    for commit in history_at(baseline.top, baseline.commit, rel)[1:]:
        try:
            earlier, _ = read_file_at(baseline.top, commit[:12], rel)
        except InputError:
            continue
        if earlier is None or earlier.product.address != old.product.address or earlier.product.version in seen_versions:
            continue
        seen_versions.add(earlier.product.version)
        changes = compare(earlier, new, settings.ignore)
        # judge the earlier version by the baseline's promise: that is the one that is transitive
        for change, d in zip(changes, judge(changes, earlier, new, None, promise=old.product.compatibility)):
            if d.severity is Severity.ERROR and _identity(change) not in known:
                found.setdefault(_identity(change), []).append((earlier.product.version, d))
    out = []
    for versions in found.values():
        versions.sort(key=lambda vd: semver_key(vd[0]))
        names = [v for v, _ in versions]
        shown = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        first = versions[0][1]
        related = tuple(r for _, d in versions for r in d.related if r != first.location)
        out.append(Diagnostic(first.code, first.severity,
                              f"against earlier version{'s' if len(names) > 1 else ''} {shown}: {first.message}",
                              first.location, first.hint, first.name, related))
    return out
