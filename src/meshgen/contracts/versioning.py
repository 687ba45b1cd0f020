"""Version policy over the current mesh: no baseline needed.

VERSION007  a consumer reads a retired product version
VERSION008  a consumer reads a deprecated version (warning; past lifecycle.deprecationDate an error,
            configurable with `contracts: {pastDeprecation: warning}`)
VERSION009  an older major version is still `active` beside a newer active one
VERSION010  lifecycle.successor names an older (or the same) major version of the product
VERSION011  a consumer's input port reads a deprecated field (warning naming `replacedBy` and the date;
            past `deprecationDate` an error, or a warning with `contracts: {pastDeprecation: warning}`)
"""

from __future__ import annotations

import datetime as dt

from meshgen.contracts.settings import ContractSettings
from meshgen.diagnostics import Diagnostic, Severity
from meshgen.mesh.model import Mesh
from meshgen.mesh.resolved import InputLink
from meshgen.model.models import dotted_fields, parse_address


def policy_checks(mesh: Mesh, settings: ContractSettings, today: dt.date) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for pf in mesh.products:
        for link in mesh.resolved(pf).inputs:
            if link.producer is not None:
                out.extend(_consumer_of(link, link.producer, settings, today))
            if link.dataset is not None:
                out.extend(_deprecated_fields_read(link, settings, today))
    out.extend(_versions_side_by_side(mesh))
    return out


def _consumer_of(consumer: InputLink, producer, settings: ContractSettings, today: dt.date) -> list[Diagnostic]:
    p = producer.product
    lc = p.lifecycle
    successor = lc.successor if lc and lc.successor else None
    move = f"move input port {consumer.port.name!r} to {successor}" if successor else \
        f"ask {p.owner.team} which version replaces {p.address}"
    where = consumer.location
    related = (producer.location("status"),)
    if p.status == "retired":
        return [Diagnostic("VERSION007", Severity.ERROR,
                           f"{consumer.consumer.product.address} reads {p.address}, which is retired",
                           where, move, "contracts.consumer-of-retired", related)]
    date = lc.deprecationDate if lc else None
    if p.status != "deprecated" and date is None:
        return []
    if date is not None and today > date:
        severity = Severity.ERROR if settings.pastDeprecation == "error" else Severity.WARNING
        text = f"{p.address} was deprecated and its deprecation date {date.isoformat()} has passed"
    elif date is not None:
        severity = Severity.WARNING
        text = f"{p.address} is deprecated until {date.isoformat()}"
    else:
        severity = Severity.WARNING
        text = f"{p.address} is deprecated"
    related = (producer.location("lifecycle", "deprecationDate") if date else producer.location("status"),)
    return [Diagnostic("VERSION008", severity, f"input port {consumer.port.name!r} of {consumer.consumer.product.address} "
                                               f"reads a deprecated version: {text}",
                       where, move, "contracts.consumer-of-deprecated", related)]


def _deprecated_fields_read(link: InputLink, settings: ContractSettings, today: dt.date) -> list[Diagnostic]:
    """VERSION011, at the consumer's input port: each deprecated field it reads (a listed field, a
    member of one, or the struct that holds it)."""
    out = []
    producer, ds = link.producer, link.dataset
    for dotted, f in dotted_fields(ds.fields):
        if not f.deprecated or not link.uses(ds.name, dotted):
            continue
        j = next(j for j, u in enumerate(link.port.fields)
                 if u == dotted or u.startswith(dotted + ".") or dotted.startswith(u + "."))
        date = f.deprecationDate
        past = date is not None and today > date
        severity = (Severity.ERROR if settings.pastDeprecation == "error" else Severity.WARNING) if past \
            else Severity.WARNING
        instead = f"; use {f.replacedBy!r} instead" if f.replacedBy else ""
        when = (f"; its deprecation date {date.isoformat()} has passed" if past else
                f"; it may be removed after {date.isoformat()}") if date else ""
        hint = (f"read {f.replacedBy!r} in input port {link.port.name!r}, then drop {link.port.fields[j]!r}"
                if f.replacedBy else f"ask {producer.product.owner.team} what replaces {dotted!r}")
        out.append(Diagnostic(
            "VERSION011", severity,
            f"input port {link.port.name!r} of {link.consumer.product.address} reads field {dotted!r} of "
            f"{producer.product.address} dataset {ds.name!r}, which is deprecated{instead}{when}",
            link.consumer.location("inputPorts", link.index, "fields", j), hint,
            "contracts.consumer-of-deprecated-field",
            (producer.location(*producer.field_path(ds.name, dotted), "deprecated", key=True),)))
    return out


def _versions_side_by_side(mesh: Mesh) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    families: dict[tuple[str, str], list] = {}
    for pf in mesh.products:
        families.setdefault((pf.product.domain, pf.product.name), []).append(pf)
    for (domain, name), versions in sorted(families.items()):
        versions.sort(key=lambda pf: pf.product.major)
        active = [pf for pf in versions if pf.product.status == "active"]
        newest = active[-1] if active else None
        for pf in active[:-1]:
            out.append(Diagnostic(
                "VERSION009", Severity.WARNING,
                f"{pf.product.address} is still active beside the newer {newest.product.address}",
                pf.location("status") if pf.source.has(("status",)) else pf.location("version"),
                f"set `status: deprecated` with lifecycle.successor: {newest.product.address} and a "
                "deprecationDate, so its consumers know to move", "contracts.old-major-still-active",
                (newest.location("version"),)))
        for pf in versions:
            lc = pf.product.lifecycle
            target = parse_address(lc.successor) if lc and lc.successor else None
            if target and target[:2] == (domain, name) and target[2] <= pf.product.major:
                out.append(Diagnostic(
                    "VERSION010", Severity.ERROR,
                    f"successor {lc.successor} of {pf.product.address} is not a newer major version",
                    pf.location("lifecycle", "successor"), "a successor is the next major version: "
                    f"data://{domain}/{name}/v{pf.product.major + 1}", "contracts.successor-not-newer"))
    return out
