"""What a governance rule is, what it sees, and what it reports.

A rule is a small class in its own module: a stable `code` (PII001), a dotted `name`
(pii.protection-required), `groups`, a default `severity`, typed `Options`, and a docstring
whose first line is its summary and which shows an anti-pattern and a best practice in YAML.
The engine, not the rule, decides the severity in force, applies waivers and turns findings
into positioned diagnostics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator, get_args

from pydantic import BaseModel, ConfigDict

from meshgen.diagnostics import Severity
from meshgen.model.models import Dataset, SchemaField, Kind

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh
    from meshgen.model.loader import ProductFile


# How a domain policy may tighten an option the mesh policy sets, declared on the option with
# `F(..., json_schema_extra=tighten("grow"))`. An option without one may not change.
TIGHTEN = {
    "raise": "only raise it",          # a bool from false to true, an ordered Literal upwards
    "grow": "only add entries",        # a list (or a mapping of lists) may gain, never lose
    "shrink": "only remove entries",   # a list of what is accepted may lose, never gain
    "lower": "only lower it",          # a limit may drop, or be set where the mesh has none
    "set": "only set it where the mesh leaves it unset (null or `any`)",
    "keep": "not change it",
}


def tighten(kind: str) -> dict:
    assert kind in TIGHTEN, kind
    return {"tighten": kind}


def tighten_kind(info) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return extra.get("tighten", "keep")


class RuleOptions(BaseModel):
    """Options of a rule, set in a policy under `rules: {CODE: {options: {...}}}`. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def loosened(self, base: "RuleOptions", prefix: tuple = ()) -> list[tuple[tuple, str]]:
        """Where these options are looser than `base`: (option path, what is wrong). Empty: as strict or stricter."""
        out: list[tuple[tuple, str]] = []
        for name, info in type(self).model_fields.items():
            new, old, path = getattr(self, name), getattr(base, name), prefix + (name,)
            if new == old:
                continue
            if isinstance(new, RuleOptions):
                out.extend(new.loosened(old, path))
                continue
            problem = _loosening(tighten_kind(info), new, old, info.annotation)
            if problem:
                out.append((path, problem))
        return out


def _shown(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def _loosening(kind: str, new: Any, old: Any, annotation: Any) -> str:
    """Why `new` loosens `old` under `kind`, or "" when it tightens."""
    allowed = f"a domain may {TIGHTEN[kind]}"
    if kind == "raise":
        order = (False, True) if isinstance(new, bool) else get_args(annotation)
        if order.index(new) > order.index(old):
            return ""
        return f"{_shown(new)} is below the mesh's {_shown(old)} ({' < '.join(_shown(v) for v in order)}); {allowed}"
    if kind == "grow":
        if isinstance(new, dict):
            lost = {k: sorted(set(v) - set(new.get(k, ()))) for k, v in old.items()}
            lost = {k: v for k, v in lost.items() if v or k not in new}
            return f"drops {_shown(lost)} that the mesh requires; {allowed}" if lost else ""
        lost = sorted(set(old) - set(new))
        return f"drops {_shown(lost)} that the mesh requires; {allowed}" if lost else ""
    if kind == "shrink":
        gained = sorted(set(new) - set(old))
        return f"adds {_shown(gained)} that the mesh does not accept; {allowed}" if gained else ""
    if kind == "lower":
        if old is None or (new is not None and new < old):
            return ""
        return f"{_shown(new)} is above the mesh's {_shown(old)}; {allowed}"
    if kind == "set" and old in (None, "any"):
        return ""
    return f"the mesh sets {_shown(old)}; {allowed}"


@dataclass(frozen=True)
class Place:
    """Where a finding is: `at` is the data path in the product file (for line and column),
    `path` the dotted, name-based path that a waiver names (datasets.orders.fields.user_id)."""

    at: tuple
    path: str
    key: bool = False  # point at the key rather than its value

    def child(self, *keys: Any, key: bool = False) -> "Place":
        """The same logical place, positioned on a key below it (e.g. a field's `classification`)."""
        return Place(self.at + keys, self.path, key)


@dataclass(frozen=True)
class Finding:
    message: str
    place: Place
    hint: str = ""


@dataclass(frozen=True)
class FieldRef:
    """A field of a dataset, nested ones included, with its place."""

    dataset: Dataset
    dotted: str  # items.sku
    field: SchemaField
    place: Place
    parent: "FieldRef | None" = None

    @property
    def depth(self) -> int:
        return self.dotted.count(".")


@dataclass
class RuleContext:
    """What a rule sees: the product it checks, the whole mesh (a plugin's rule; meshgen's own
    rules judge one product, their findings kept per product: governance.engine._MeshNotRead),
    its options and today's date."""

    pf: "ProductFile"
    mesh: "Mesh"
    options: Any
    today: dt.date

    @property
    def product(self):
        return self.pf.product

    def at(self, *keys: Any, key: bool = False) -> Place:
        """A product-level place: `at("owner", "email")` is waived with path `owner.email`."""
        return Place(tuple(keys), ".".join(str(k) for k in keys) or "product", key)

    def dataset(self, ds: Dataset, *keys: Any, key: bool = False) -> Place:
        return Place(self.pf.dataset_path(ds.name) + keys, f"datasets.{ds.name}", key)

    def port(self, kind: str, index: int, *keys: Any) -> Place:
        port = getattr(self.product, kind)[index]
        return Place((kind, index) + keys, f"{kind}.{port.name}")

    def fields(self) -> Iterator[FieldRef]:
        """Every field of every dataset, depth first, nested struct members included. Walked once
        per product file and shared by the rules (six rules walk every field)."""
        datasets = self.product.datasets
        cached = self.pf.__dict__.get("_governance_fields")
        if cached is None or cached[0] is not datasets:
            refs = tuple(ref for ds in datasets
                         for ref in self._walk(ds, ds.fields, "", None, self.pf.dataset_path(ds.name) + ("fields",)))
            cached = self.pf.__dict__["_governance_fields"] = (datasets, refs)
        return iter(cached[1])

    def _walk(self, ds: Dataset, fields: Iterable[SchemaField], prefix: str, parent: FieldRef | None,
              at: tuple) -> Iterator[FieldRef]:
        """The fields below `at` (the data path of their list), each placed where pf.field_path
        places it, by index as the walk goes rather than by looking up each dotted name."""
        waived = f"datasets.{ds.name}.fields."
        for i, f in enumerate(fields):
            dotted = f"{prefix}{f.name}"
            t = f.data_type
            while t.kind in (Kind.ARRAY, Kind.MAP):
                t = t.items if t.kind is Kind.ARRAY else t.values
            members = f.members_path() if t.kind is Kind.STRUCT else None
            # a struct field is placed at its members' list, as pf.field_path places it
            here = at + (i,) + (members or ())
            ref = FieldRef(ds, dotted, f, Place(here, waived + dotted), parent)
            yield ref
            if members is not None:
                yield from self._walk(ds, t.fields, dotted + ".", ref, here)


class Rule:
    """Base class of every rule. Subclasses set the class attributes and implement `check`."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    groups: ClassVar[tuple[str, ...]] = ()
    severity: ClassVar[Severity] = Severity.ERROR
    enabled: ClassVar[bool] = True  # on unless a policy turns it off; False: a policy must turn it on
    Options: ClassVar[type[RuleOptions]] = RuleOptions

    def check(self, ctx: RuleContext) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0].strip() if doc else ""

    @classmethod
    def default_level(cls) -> str:
        return cls.severity.label if cls.enabled else "off"
