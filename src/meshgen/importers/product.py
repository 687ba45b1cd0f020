"""What every importer shares: the options, the findings, and the spec they assemble.

A reader (odcs.py, avro.py, sql.py) turns its source into an `Imported`: datasets and ports as
plain spec data, what the source says about the product (`Identity`) and positioned findings.
`assemble` adds what the source did not say (the owner placeholders `meshgen init` uses,
so governance fails until a person fills them in), `render` writes the YAML and `checked`
validates it against meshgen/v1 before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from meshgen.diagnostics import Diagnostic, Location, Severity

_NAME_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]|\.\.")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


@dataclass
class ImportOptions:
    """What the command line gives: each overrides what the source says."""

    domain: str | None = None
    name: str | None = None
    version: str | None = None
    owner_team: str | None = None
    owner_email: str | None = None
    dialect: str | None = None  # SQL only


class Findings:
    """The positioned warnings (and errors) of one import."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, code: str, message: str, where: Location, hint: str = "", severity: Severity = Severity.WARNING):
        self.items.append(Diagnostic(code, severity, message, where, hint))

    def lost(self, message: str, where: Location, hint: str = "") -> None:
        """IMP002: something of the source that the spec has no place for."""
        self.add("IMP002", message, where, hint or "carry it by hand if it matters (a description, a quality check)")

    def nearest_type(self, message: str, where: Location, hint: str = "") -> None:
        self.add("IMP003", message, where, hint or "change the field's type if another meshgen type fits better")

    def changed(self, message: str, where: Location, hint: str = "") -> None:
        self.add("IMP004", message, where, hint or "check the imported value")


@dataclass
class Identity:
    """What the source says about the product; `where` keeps the position of each value read."""

    domain: str | None = None
    name: str | None = None
    version: str | None = None
    title: str | None = None
    status: str | None = None
    tags: list[str] = field(default_factory=list)
    description: Any = None  # a string, or {purpose, usage, limitations}
    owner_team: str | None = None
    owner_email: str | None = None
    product_owner: str | None = None
    where: dict[str, Location] = field(default_factory=dict)


@dataclass
class Imported:
    """One source read: its datasets and ports as spec data, and the rest of the product."""

    source: Location  # the first line of the (first) source file
    identity: Identity
    datasets: list[dict]
    ports: list[dict] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # support, slos, ... in spec form


# ---- Names ---------------------------------------------------------------------------------

def snake_case(text: str) -> str:
    """`MarketingLoyaltyAggregation` → `marketing_loyalty_aggregation`, `order-ID` → `order_id`;
    the inverse of meshgen.naming.pascal_case on snake_case names."""
    words = _WORDS.findall(text)
    out = "_".join(w.lower() for w in words) or "x"
    return out if not out[0].isdigit() else "_" + out


def safe_name(name: Any, where: Location, findings: Findings, what: str = "name") -> str:
    """A source name as the spec can hold it (no '/', '\\', '..' or control characters, at most
    128 characters); a changed name is IMP004."""
    text = str(name).strip() if name is not None else ""
    fixed = _NAME_UNSAFE.sub("_", text)[:128] or "unnamed"
    if fixed != text:
        findings.changed(f"{what} {text!r} cannot be a spec name; imported as {fixed!r}", where,
                         "rename it in the spec (and where consumers read it)")
    return fixed


def address_part(text: str) -> str:
    """A domain or product name: snake_case without ':' or whitespace."""
    return snake_case(text)


def semantic_version(text: Any, where: Location, findings: Findings) -> str:
    """The source's version as a semantic version: `1.0` → `1.0.0`, `v2` → `2.0.0`."""
    raw = str(text).strip()
    if _SEMVER.match(raw):
        return raw
    numbers = re.findall(r"\d+", raw)[:3]
    fixed = ".".join(str(int(n)) for n in numbers + ["0"] * (3 - len(numbers))) if numbers else "1.0.0"
    findings.changed(f"version {raw!r} is not a semantic version; imported as {fixed}", where,
                     "pass --version, or edit `version:` in the spec")
    return fixed


# ---- The product ---------------------------------------------------------------------------

def _identity(imported: Imported, options: ImportOptions, findings: Findings) -> tuple[str, str, str]:
    ident = imported.identity
    here = imported.source
    domain = options.domain or ident.domain
    name = options.name or ident.name
    if not domain:
        domain = "imported"
        findings.add("IMP009", "the source names no domain; the product is put in domain 'imported'", here,
                     "pass --domain with the domain that owns the product")
    if not name:
        name = snake_case(imported.datasets[0]["name"]) if imported.datasets else "imported"
        findings.add("IMP009", f"the source names no product; it is named {name!r} after its first dataset", here,
                     "pass --name")
    version = options.version or ident.version
    if version is None:
        version = "1.0.0"
        findings.add("IMP009", "the source has no version; the product starts at 1.0.0", here, "pass --version")
    version = semantic_version(version, ident.where.get("version", here), findings)
    return address_part(domain), address_part(name), version


def assemble(imported: Imported, options: ImportOptions, findings: Findings) -> dict[str, Any]:
    """The dataproduct.yaml as data, keys in the order the reference documents them."""
    from meshgen.scaffolding import placeholder_email, placeholder_purpose

    ident = imported.identity
    domain, name, version = _identity(imported, options, findings)
    team = options.owner_team or ident.owner_team or f"{domain}-team"
    owner = {"team": snake_or_team(team), "email": options.owner_email or ident.owner_email
             or placeholder_email(snake_or_team(team))}
    if ident.product_owner:
        owner["productOwner"] = ident.product_owner
    description = ident.description or {"purpose": placeholder_purpose(domain, name)}
    doc: dict[str, Any] = {"apiVersion": "meshgen/v1", "kind": "DataProduct", "domain": domain, "name": name,
                           "version": version}
    for key in ("title", "status"):
        if getattr(ident, key):
            doc[key] = getattr(ident, key)
    if ident.tags:
        doc["tags"] = ident.tags
    doc["description"] = description
    doc["owner"] = owner
    for key in ("support", "lifecycle", "slos"):
        if imported.extra.get(key):
            doc[key] = imported.extra[key]
    doc["datasets"] = imported.datasets
    if imported.ports:
        doc["outputPorts"] = imported.ports
    for key in ("pipeline", "compatibility"):
        if imported.extra.get(key):
            doc[key] = imported.extra[key]
    return doc


def snake_or_team(team: str) -> str:
    """An owner team as the spec's names allow (lower case, digits, '-' or '_')."""
    text = re.sub(r"[^a-z0-9_-]+", "-", team.strip().lower()).strip("-_")
    return text or "owner-team"


def render(doc: dict[str, Any], sources: list[str], fmt: str) -> str:
    from meshgen.scaffolding import PLACEHOLDER_EMAIL_DOMAIN, PLACEHOLDER_PREFIX
    from meshgen.serializer import json_text, yaml_document

    purpose = doc["description"].get("purpose", "") if isinstance(doc["description"], dict) else doc["description"]
    placeholders = [what for what, there in (
        ("the owner e-mail", doc["owner"]["email"].endswith("@" + PLACEHOLDER_EMAIL_DOMAIN)),
        ("the purpose", str(purpose).startswith(PLACEHOLDER_PREFIX))) if there]
    header = f"# Imported by `meshgen import {fmt}` from {', '.join(sources)}.\n"
    if placeholders:
        header += (f"# Replace the placeholder{'s' if len(placeholders) > 1 else ''} for {' and '.join(placeholders)} "
                   "(governance reports them until then), then run `meshgen validate`.\n")
    # plain values only: what the loader read (a float that remembers its text) as JSON has it
    plain = json.loads(json_text(doc, compact=True, sort_keys=False))
    return header + yaml_document(plain)


def checked(text: str, shown: str) -> list[Diagnostic]:
    """The spec's own findings on the imported text (errors mean an importer bug or an
    unholdable source value): the loader's and the model's diagnostics, positioned in `shown`."""
    from meshgen.load.yaml_source import parse_yaml
    from meshgen.model.loader import validate_document

    _, diagnostics = validate_document(parse_yaml(text, shown))
    return diagnostics


# ---- Fields --------------------------------------------------------------------------------

# The keys an imported field can lose when the spec refuses them (a default that is not a value
# of the type, a pattern RE2 cannot compile, ...), in the order they are given up.
_OPTIONAL_KEYS = ("default", "examples", "pattern", "minimum", "maximum", "minLength", "maxLength", "unique")


def _problem(field_data: dict) -> str | None:
    from pydantic import ValidationError

    from meshgen.model.models import SchemaField

    try:
        SchemaField.model_validate(field_data)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]
    return None


def fitted(field_data: dict, where: Location, findings: Findings) -> dict:
    """The field as the spec accepts it: keys it refuses are dropped (IMP004, with the reason);
    a type it refuses becomes json (IMP003). Members of a struct are fitted before their parent."""
    if field_data.get("required") is False:  # the default: not written
        field_data = {k: v for k, v in field_data.items() if k != "required"}
    problem = _problem(field_data)
    if problem is None:
        return field_data
    for key in _OPTIONAL_KEYS:
        if key in field_data:
            trial = {k: v for k, v in field_data.items() if k != key}
            if _problem(trial) is None:
                findings.changed(f"field {field_data['name']!r}: {key} {field_data[key]!r} left out ({problem})", where)
                return trial
    kept = {k: v for k, v in field_data.items() if k in ("name", "required", "description")}
    findings.nearest_type(f"field {field_data['name']!r}: imported as json ({problem})", where)
    return {**kept, "type": "json"}


def collection(kind: str, key: str, inner: dict) -> dict:
    """An array or map type: `array<string>` where the element is a plain type, else
    `type: array` with `items:` (`type: map` with `values:`) holding the element's keys."""
    if set(inner) == {"type"} and inner["type"] not in ("struct", "enum", "array", "map"):
        return {"type": f"{kind}<{inner['type']}>"}
    return {"type": kind, key: inner}


def unique_fields(fields: list[tuple[dict, Location]], findings: Findings) -> list[dict]:
    """Fields with the names the spec allows once each: a repeated name is IMP004 and renamed."""
    seen: set[str] = set()
    out = []
    for data, where in fields:
        name = data["name"]
        if name in seen:
            n = 2
            while f"{name}_{n}" in seen:
                n += 1
            findings.changed(f"field name {name!r} is used twice; the second is imported as {name}_{n}", where)
            data = {**data, "name": f"{name}_{n}"}
        seen.add(data["name"])
        out.append(data)
    return out
