"""The compatibility rules: each a stable code, an ID, categories and a handler over one pair.

A handler sees one matched `Pair` (match.py did the walking) and yields `Verdict`s: what
changed, which directions it breaks, and how to fix it. `compare()` turns findings into
`Change`s with the positions of the element in both versions. The first docstring line of a
handler is the rule's purpose; docs/contracts.md lists them all.

Categories (select or ignore them with `contracts: {ignore: [...]}` in meshgen.yaml):
  schema       datasets and fields: presence, names, types, nullability, enums, defaults
  constraints  keys and value constraints: primary key, unique, pattern, lengths, ranges
  ports        where and how consumers read the data
  slos         the service levels promised
  policy       personal data, classification, compatibility promise
  metadata     ownership and documentation (informational)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from meshgen.contracts.changes import BACKWARD, BOTH, FORWARD, NONE, Change, ChangeRule
from meshgen.contracts.match import DBT, PROTOBUF, TABLE, Pair, pairs
from meshgen.diagnostics import Severity
from meshgen.model.loader import ProductFile
from meshgen.model.models import CLASSIFICATION_ORDER
from meshgen.model.proto_types import proto_type
from meshgen.model.types import DataType, Kind
from meshgen.model.values import duration_seconds

INFO, WARNING = Severity.INFO, Severity.WARNING


@dataclass(frozen=True)
class Verdict:
    message: str
    breaks: frozenset[str] = NONE
    level: Severity = INFO
    fix: str = ""
    key: tuple = ()  # the sub-key of the element both positions point at, e.g. ("type",)
    removes: bool = False


RULES: list[ChangeRule] = []


def rule(code: str, rule_id: str, element: str, *categories: str, breaks: str = "—") -> Callable:
    """Register a handler. `breaks` summarizes the directions its verdicts break, for the rule
    table of docs/contracts.md (the handler decides per change)."""
    def register(handler: Callable[[Pair], Iterable[Verdict]]) -> Callable:
        RULES.append(ChangeRule(code, rule_id, element, tuple(categories), handler, breaks))
        return handler

    return register


def compare(old: ProductFile, new: ProductFile, ignore: Iterable[str] = ()) -> list[Change]:
    """Every change from `old` to `new`, in document order."""
    skip = set(ignore)
    active = [r for r in RULES if not ({r.code, r.id, r.name} | set(r.categories)) & skip]
    out: list[Change] = []
    for pair in pairs(old, new):
        for r in active:
            if r.element != pair.kind:
                continue
            for f in r.handler(pair):
                out.append(Change(
                    rule=r, message=f.message, element=pair.label,
                    old=pair.before.location(*f.key) if pair.old is not None else pair.before.location(key=True),
                    new=pair.after.location(*f.key) if pair.new is not None else pair.after.location(key=True),
                    breaks=f.breaks, level=f.level, fix=f.fix, dataset=pair.dataset, field=pair.field,
                    removes=f.removes))
    return out


# ---- fixes ------------------------------------------------------------------------------

def new_major(p: Pair) -> str:
    prod = p.before.pf.product
    return (f"publish a new major version beside this one ({prod.domain}/{prod.name}/v{prod.major + 1}/"
            f"dataproduct.yaml, version {prod.major + 1}.0.0) and keep v{prod.major} until its consumers migrate")


def _what(p: Pair) -> str:
    return f"field {p.field!r} of dataset {p.dataset!r}"


def _both(p: Pair) -> bool:
    """The element exists in both versions."""
    return p.old is not None and p.new is not None


# ---- product ----------------------------------------------------------------------------

@rule("BRK001", "PRODUCT_OWNER_CHANGED", "product", "metadata")

def owner_changed(p: Pair) -> Iterator[Verdict]:
    """The owning team changed: consumers should know whom to ask."""
    if p.old.owner.team != p.new.owner.team:
        yield Verdict(f"owner team changed from {p.old.owner.team!r} to {p.new.owner.team!r}",
                      fix="tell the consumers who their new contact is", key=("owner", "team"))


_PROMISE_STRENGTH = {"none": 0, "backward": 1, "forward": 1, "full": 2}


@rule("BRK002", "PRODUCT_COMPATIBILITY_WEAKENED", "product", "policy", breaks="— (warning)")
def compatibility_weakened(p: Pair) -> Iterator[Verdict]:
    """The declared compatibility promise is weaker, or no longer covers every earlier version."""
    o, n = p.old.compatibility, p.new.compatibility
    if o == n:
        return
    ob, nb = o.removesuffix("_transitive"), n.removesuffix("_transitive")
    weaker = (_PROMISE_STRENGTH[nb] < _PROMISE_STRENGTH[ob] or (nb != ob and _PROMISE_STRENGTH[nb] == 1)
              or (o.endswith("_transitive") and not n.endswith("_transitive") and nb == ob))
    if weaker:
        yield Verdict(f"compatibility promise weakened from {o} to {n}", level=WARNING, key=("compatibility",),
                      fix=f"keep `compatibility: {o}`; changes are still judged against the previous promise ({o})")
    else:
        yield Verdict(f"compatibility promise strengthened from {o} to {n}", key=("compatibility",))


@rule("BRK003", "PRODUCT_METADATA_CHANGED", "product", "metadata")

def metadata_changed(p: Pair) -> Iterator[Verdict]:
    """Title, description, tags, support channels or status changed (documentation only)."""
    for key in ("title", "description", "tags", "support", "status"):
        a, b = _plain(getattr(p.old, key)), _plain(getattr(p.new, key))
        if a != b:
            shown = f" from {a!r} to {b!r}" if key == "status" else ""
            yield Verdict(f"{key} changed{shown}", key=(key,))


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.model_dump() if hasattr(value, "model_dump") else value


# ---- dataset ----------------------------------------------------------------------------

@rule("BRK101", "DATASET_REMOVED", "dataset", "schema", breaks="backward, forward")
def dataset_removed(p: Pair) -> Iterator[Verdict]:
    """A dataset was removed: every reader of it breaks."""
    if p.removed:
        yield Verdict(f"dataset {p.dataset!r} was removed", BOTH, removes=True,
                      fix=f"keep the dataset (mark its fields deprecated), or {new_major(p)}")


@rule("BRK102", "DATASET_ADDED", "dataset", "schema")

def dataset_added(p: Pair) -> Iterator[Verdict]:
    """A dataset was added (additive)."""
    if p.added:
        yield Verdict(f"dataset {p.dataset!r} was added")


@rule("BRK103", "PRIMARY_KEY_CHANGED", "dataset", "constraints", breaks="backward, forward")
def primary_key_changed(p: Pair) -> Iterator[Verdict]:
    """The primary key changed: what identifies a row, and every join and upsert on it, changed."""
    if _both(p) and p.old.primaryKey != p.new.primaryKey:
        yield Verdict(f"primary key of dataset {p.dataset!r} changed from {p.old.primaryKey} to {p.new.primaryKey}",
                      BOTH, key=("primaryKey",), fix=f"keep the primary key, or {new_major(p)}")


# ---- field: presence --------------------------------------------------------------------

def _has_default(f) -> bool:
    """Avro: a nullable field defaults to null; a required one only if it declares a default."""
    return f.default is not None or not f.required


@rule("BRK201", "FIELD_REMOVED", "field", "schema",
      breaks="table ports: backward, forward; events: forward if it had no default, else none")
def field_removed(p: Pair) -> Iterator[Verdict]:
    """A field was removed: consumers that read it break."""
    if not p.removed or p.renamed_from is not None:
        return
    breaks = NONE
    if TABLE in p.semantics:
        breaks = BOTH  # dbt: a removed column breaks every query that names it
    elif not _has_default(p.old):
        breaks = frozenset({FORWARD})  # Avro: old readers need a value and have no default
    keep = "keep the field and mark it `deprecated: true` (with replacedBy)"
    if p.rename_candidates:  # added fields of the same type: perhaps a rename to one of them
        names = " or ".join(repr(n) for n in p.rename_candidates[:3])
        keep = (f"if it was renamed (to {names}?), keep {p.old.name!r} beside the new field with "
                f"`deprecated: true` and replacedBy: {p.rename_candidates[0]} until consumers move")
    yield Verdict(f"{_what(p)} was removed", breaks, removes=True, fix=f"{keep}, or {new_major(p)}")


@rule("BRK202", "FIELD_RENAMED", "field", "schema", breaks="backward, forward")
def field_renamed(p: Pair) -> Iterator[Verdict]:
    """A field was renamed (seen as a removal plus an addition of the same type): readers of the old name break."""
    if p.renamed_from is not None:
        yield Verdict(f"{_what(p)} was removed and {p.new.name!r} added with the same type {p.new.type}: "
                      f"a rename", BOTH, removes=True,
                      fix=f"keep {p.old.name!r} beside {p.new.name!r} (deprecated: true, replacedBy: {p.new.name}) "
                          f"until consumers move, or {new_major(p)}")


@rule("BRK203", "FIELD_ADDED", "field", "schema")

def field_added(p: Pair) -> Iterator[Verdict]:
    """A nullable field, or one with a default, was added (additive)."""
    if p.added and _has_default(p.new):
        yield Verdict(f"{_what(p)} was added")


@rule("BRK204", "FIELD_ADDED_WITHOUT_DEFAULT", "field", "schema", breaks="backward")
def field_added_without_default(p: Pair) -> Iterator[Verdict]:
    """A required field without a default was added: new readers cannot read data written before it."""
    if p.added and not _has_default(p.new):
        yield Verdict(f"required {_what(p)} was added without a default", frozenset({BACKWARD}),
                      fix=f"give it a `default`, or leave it nullable (not required), or {new_major(p)}")


# ---- field: type ------------------------------------------------------------------------

_WIDER = {
    Kind.INT: {Kind.LONG, Kind.FLOAT, Kind.DOUBLE},
    Kind.LONG: {Kind.FLOAT, Kind.DOUBLE},
    Kind.FLOAT: {Kind.DOUBLE},
    Kind.UUID: {Kind.STRING},  # every uuid is a string; not every string is a uuid
}


def type_relation(old: DataType, new: DataType) -> str:
    """same | widened (every old value fits the new type) | narrowed | changed."""
    if old.kind is not new.kind:
        if new.kind in _WIDER.get(old.kind, ()):
            return "widened"
        if old.kind in _WIDER.get(new.kind, ()):
            return "narrowed"
        return "changed"
    if old.kind is Kind.ARRAY:
        return type_relation(old.items, new.items)
    if old.kind is Kind.MAP:
        return type_relation(old.values, new.values)
    if old.kind is Kind.DECIMAL and (old.precision, old.scale) != (new.precision, new.scale):
        o_int, n_int = old.precision - old.scale, new.precision - new.scale
        if new.scale >= old.scale and n_int >= o_int:
            return "widened"
        if new.scale <= old.scale and n_int <= o_int:
            return "narrowed"
        return "changed"
    return "same"


@rule("BRK205", "FIELD_TYPE_CHANGED", "field", "schema", breaks="backward, forward")
def type_changed(p: Pair) -> Iterator[Verdict]:
    """A field's type changed incompatibly: neither version's readers can read the other's data."""
    if _both(p) and type_relation(p.old.data_type, p.new.data_type) == "changed":
        yield Verdict(f"type of {_what(p)} changed from {p.old.data_type} to {p.new.data_type}",
                      BOTH, key=("type",),
                      fix=f"add a new field with the new type and deprecate this one, or {new_major(p)}")


def _dbt_type_change(p: Pair, verb: str, adjective: str) -> Verdict:
    """A table port (dbt's enforced contract) fails on any data_type change, widening included."""
    return Verdict(f"type of {_what(p)} {verb} from {p.old.data_type} to {p.new.data_type}; "
                   "its table port's enforced contract (dbt) fails on any change of a column's data_type",
                   BOTH, key=("type",),
                   fix=f"add a new column with the {adjective} type and deprecate this one, or {new_major(p)}")


def _proto_type_change(p: Pair, verb: str, adjective: str) -> Verdict | None:
    """A port served as Protobuf: a promotion that changes the proto3 scalar (int32→int64 changes
    the JSON encoding, float→double and int→double the wire type) breaks readers of either version,
    as `buf breaking` (WIRE_JSON) says. None when the proto3 type stays (uuid→string, decimals)."""
    if PROTOBUF not in p.semantics:
        return None
    old, new = proto_type(p.old.data_type), proto_type(p.new.data_type)
    if old == new:
        return None
    return Verdict(f"type of {_what(p)} {verb} from {p.old.data_type} to {p.new.data_type}; its Protobuf port "
                   f"changes {old} to {new}, which proto3's binary or JSON readers of the other version cannot "
                   "read (buf breaking: WIRE_JSON)", BOTH, key=("type",),
                   fix=f"add a new field with the {adjective} type and deprecate this one, or {new_major(p)}")


@rule("BRK206", "FIELD_TYPE_WIDENED", "field", "schema",
      breaks="forward; with a table port (dbt data_type), or a Protobuf port whose proto3 type changes: "
             "backward, forward")
def type_widened(p: Pair) -> Iterator[Verdict]:
    """A field's type was widened (int→long, float→double, uuid→string, decimal precision up): safe for new readers only."""
    if _both(p) and type_relation(p.old.data_type, p.new.data_type) == "widened":
        if DBT in p.semantics:
            yield _dbt_type_change(p, "widened", "wider")
            return
        if (proto := _proto_type_change(p, "widened", "wider")) is not None:
            yield proto
            return
        yield Verdict(f"type of {_what(p)} widened from {p.old.data_type} to {p.new.data_type}; "
                      "new readers read old data, but existing readers cannot hold every new value",
                      frozenset({FORWARD}), key=("type",),
                      fix="safe under `compatibility: backward`; under forward or full keep the narrower type, "
                          f"or {new_major(p)}")


@rule("BRK207", "FIELD_TYPE_NARROWED", "field", "schema",
      breaks="backward; with a table port (dbt data_type), or a Protobuf port whose proto3 type changes: "
             "backward, forward")
def type_narrowed(p: Pair) -> Iterator[Verdict]:
    """A field's type was narrowed (long→int, string→uuid, decimal precision down): new readers cannot read old data."""
    if _both(p) and type_relation(p.old.data_type, p.new.data_type) == "narrowed":
        if DBT in p.semantics:
            yield _dbt_type_change(p, "narrowed", "narrower")
            return
        if (proto := _proto_type_change(p, "narrowed", "narrower")) is not None:
            yield proto
            return
        yield Verdict(f"type of {_what(p)} narrowed from {p.old.data_type} to {p.new.data_type}; "
                      "existing readers still read new data, but old values may not fit the new type",
                      frozenset({BACKWARD}), key=("type",),
                      fix="safe under `compatibility: forward`; otherwise keep the wider type, "
                          f"or {new_major(p)}")


def _leaf(t: DataType) -> DataType:
    while t.kind in (Kind.ARRAY, Kind.MAP):
        t = t.items if t.kind is Kind.ARRAY else t.values
    return t


def _enum_symbols(p: Pair) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    if not _both(p) or type_relation(p.old.data_type, p.new.data_type) != "same":
        return None
    o, n = _leaf(p.old.data_type), _leaf(p.new.data_type)
    if o.kind is not Kind.ENUM or n.kind is not Kind.ENUM:
        return None
    return o.symbols, n.symbols


def _symbols_key(p: Pair) -> tuple:
    spec, key = p.new, ()
    while spec is not None and spec.symbols is None:
        spec, key = (spec.items, key + ("items",)) if spec.items is not None else (spec.values, key + ("values",))
    return key + ("symbols",)


@rule("BRK210", "ENUM_SYMBOL_ADDED", "field", "schema", breaks="forward")
def enum_symbol_added(p: Pair) -> Iterator[Verdict]:
    """An enum gained symbols: existing readers meet values they do not know."""
    symbols = _enum_symbols(p)
    if symbols:
        added = [s for s in symbols[1] if s not in symbols[0]]
        if added:
            yield Verdict(f"enum {_what(p)} gained symbol{'s' if len(added) > 1 else ''} {', '.join(added)}",
                          frozenset({FORWARD}), key=_symbols_key(p),
                          fix="safe under `compatibility: backward`; tell consumers to handle the new values, "
                              f"or {new_major(p)}")


@rule("BRK211", "ENUM_SYMBOL_REMOVED", "field", "schema", breaks="backward")
def enum_symbol_removed(p: Pair) -> Iterator[Verdict]:
    """An enum lost symbols: new readers cannot read old data that holds them."""
    symbols = _enum_symbols(p)
    if symbols:
        removed = [s for s in symbols[0] if s not in symbols[1]]
        if removed:
            yield Verdict(f"enum {_what(p)} lost symbol{'s' if len(removed) > 1 else ''} {', '.join(removed)}",
                          frozenset({BACKWARD}), key=_symbols_key(p),
                          fix=f"keep the symbols (stop writing them instead), or {new_major(p)}")


# ---- field: nullability, defaults, constraints -------------------------------------------

@rule("BRK208", "FIELD_REQUIRED_ADDED", "field", "schema", breaks="backward")
def required_added(p: Pair) -> Iterator[Verdict]:
    """A nullable field became required: new readers cannot read old data that holds nulls."""
    if _both(p) and not p.old.required and p.new.required:
        yield Verdict(f"{_what(p)} became required (never null)", frozenset({BACKWARD}), key=("required",),
                      fix=f"keep it nullable and fill it from now on, or {new_major(p)}")


@rule("BRK209", "FIELD_REQUIRED_REMOVED", "field", "schema", breaks="forward")
def required_removed(p: Pair) -> Iterator[Verdict]:
    """A required field became nullable: existing readers that rely on a value meet nulls."""
    if _both(p) and p.old.required and not p.new.required:
        yield Verdict(f"{_what(p)} is no longer required (may be null)", frozenset({FORWARD}), key=("required",),
                      fix=f"keep `required: true`, or {new_major(p)}")


@rule("BRK212", "FIELD_DEFAULT_CHANGED", "field", "schema", breaks="— (warning)")
def default_changed(p: Pair) -> Iterator[Verdict]:
    """A field's default was added, changed or removed: readers fill absent values differently."""
    if not _both(p) or p.old.default == p.new.default:
        return
    if p.old.default is None:
        yield Verdict(f"{_what(p)} got the default {p.new.default!r}", key=("default",))
    elif p.new.default is None:
        yield Verdict(f"{_what(p)} lost its default {p.old.default!r}", level=WARNING, key=("default",),
                      fix="keep the default: readers that fill absent values with it would now get nothing")
    else:
        yield Verdict(f"default of {_what(p)} changed from {p.old.default!r} to {p.new.default!r}", level=WARNING,
                      key=("default",), fix="keep the old default; a new meaning deserves a new field")


@rule("BRK213", "FIELD_UNIQUE_CHANGED", "field", "constraints", breaks="added: backward; removed: forward")
def unique_changed(p: Pair) -> Iterator[Verdict]:
    """A field's uniqueness changed: dropped, readers that dedupe or join on it break; added, old data may repeat."""
    if _both(p) and p.old.unique != p.new.unique:
        if p.new.unique:
            yield Verdict(f"{_what(p)} became unique", frozenset({BACKWARD}), key=("unique",),
                          fix="make sure data written before was unique too, or publish it as a new field")
        else:
            yield Verdict(f"{_what(p)} is no longer unique", frozenset({FORWARD}), key=("unique",),
                          fix=f"keep `unique: true`, or {new_major(p)}")


def _constraint_changes(o, n) -> Iterator[tuple[str, str, str]]:
    """(key, tightened|loosened|changed, description) for each value constraint that changed."""
    if o.data_type.kind is not n.data_type.kind:
        return  # a new type: its constraints start afresh, and the type rule reports the change
    upper = {"maxLength": "maximum length", "maximum": "maximum"}
    lower = {"minLength": "minimum length", "minimum": "minimum"}
    for key, label in {**upper, **lower}.items():
        a, b = getattr(o, key), getattr(n, key)
        if a == b:
            continue
        if a is None:
            yield key, "tightened", f"{label} {b} added"
        elif b is None:
            yield key, "loosened", f"{label} {a} removed"
        else:
            stricter = b < a if key in upper else b > a
            yield key, "tightened" if stricter else "loosened", f"{label} {a} → {b}"
    if o.pattern != n.pattern:
        if o.pattern is None:
            yield "pattern", "tightened", f"pattern {n.pattern!r} added"
        elif n.pattern is None:
            yield "pattern", "loosened", f"pattern {o.pattern!r} removed"
        else:
            yield "pattern", "changed", f"pattern {o.pattern!r} → {n.pattern!r}"


@rule("BRK214", "FIELD_CONSTRAINT_TIGHTENED", "field", "constraints", breaks="backward (a changed pattern: both)")
def constraint_tightened(p: Pair) -> Iterator[Verdict]:
    """A pattern, length or range became stricter (or was changed): old data may no longer be valid."""
    if not _both(p):
        return
    for key, how, text in _constraint_changes(p.old, p.new):
        if how == "tightened":
            yield Verdict(f"{_what(p)} tightened: {text}", frozenset({BACKWARD}), key=(key,),
                          fix=f"keep the old bound, or {new_major(p)}")
        elif how == "changed":
            yield Verdict(f"{_what(p)} constraint changed: {text} (neither accepts all the other's values)", BOTH,
                          key=(key,), fix=f"keep the old pattern, or {new_major(p)}")


@rule("BRK215", "FIELD_CONSTRAINT_LOOSENED", "field", "constraints", breaks="forward")
def constraint_loosened(p: Pair) -> Iterator[Verdict]:
    """A pattern, length or range became looser: existing readers may meet values they reject."""
    if not _both(p):
        return
    for key, how, text in _constraint_changes(p.old, p.new):
        if how == "loosened":
            yield Verdict(f"{_what(p)} loosened: {text}", frozenset({FORWARD}), key=(key,),
                          fix=f"safe under `compatibility: backward`; otherwise keep the bound, or {new_major(p)}")


# ---- field: personal data ----------------------------------------------------------------

def _level(f) -> int:
    return CLASSIFICATION_ORDER.index(f.effective_classification)


@rule("BRK216", "FIELD_CLASSIFICATION_LOWERED", "field", "policy", breaks="— (warning)")
def classification_lowered(p: Pair) -> Iterator[Verdict]:
    """A field's personal-data flag or classification was lowered: downstream copies may be handled too loosely."""
    if not _both(p):
        return
    if p.old.pii and not p.new.pii:
        yield Verdict(f"{_what(p)} is no longer marked as personal data (pii)", level=WARNING, key=("pii",),
                      fix="keep `pii: true` unless the data really changed; consumers' copies follow this flag")
    if _level(p.new) < _level(p.old):
        o, n = p.old.effective_classification, p.new.effective_classification
        yield Verdict(f"classification of {_what(p)} lowered from {o} to {n}", level=WARNING,
                      key=("classification",), fix="keep the classification unless the data really changed")


@rule("BRK217", "FIELD_PROTECTION_REMOVED", "field", "policy", breaks="changed method: forward; removed: warning")
def protection_removed(p: Pair) -> Iterator[Verdict]:
    """A personal-data field lost or changed its protection (encrypt, mask, hash, tokenize)."""
    if not _both(p) or p.old.protection is None or p.old.protection == p.new.protection:
        return
    if p.new.protection is None:
        yield Verdict(f"{_what(p)} lost its protection ({p.old.protection})", level=WARNING, key=("protection",),
                      fix=f"restore `protection: {p.old.protection}`")
    else:
        yield Verdict(f"protection of {_what(p)} changed from {p.old.protection} to {p.new.protection}",
                      frozenset({FORWARD}), level=WARNING, key=("protection",),
                      fix="consumers that unmask or decrypt the values must change too; coordinate, "
                          f"or {new_major(p)}")


@rule("BRK218", "FIELD_DEPRECATED", "field", "metadata")

def field_deprecated(p: Pair) -> Iterator[Verdict]:
    """A field was marked deprecated: consumers should move off it."""
    if _both(p) and p.new.deprecated and not p.old.deprecated:
        instead = f"; use {p.new.replacedBy!r}" if p.new.replacedBy else ""
        yield Verdict(f"{_what(p)} was deprecated{instead}", level=INFO, key=("deprecated",))


@rule("BRK219", "FIELD_DESCRIPTION_CHANGED", "field", "metadata")

def description_changed(p: Pair) -> Iterator[Verdict]:
    """A field's description changed (documentation only)."""
    if _both(p) and p.old.description != p.new.description:
        yield Verdict(f"description of {_what(p)} changed", key=("description",))


# ---- output ports -----------------------------------------------------------------------

@rule("BRK301", "PORT_REMOVED", "port", "ports", breaks="backward, forward")
def port_removed(p: Pair) -> Iterator[Verdict]:
    """An output port was removed: consumers reading through it lose access."""
    if p.removed:
        yield Verdict(f"output port {p.old.name!r} ({p.old.type}) was removed", BOTH,
                      fix=f"keep the port, or {new_major(p)}")


@rule("BRK302", "PORT_LOCATION_CHANGED", "port", "ports", breaks="backward, forward")
def port_location_changed(p: Pair) -> Iterator[Verdict]:
    """An output port's location, topic, URL, platform or format changed: consumers read from the wrong place."""
    if not _both(p):
        return
    for key in ("location", "topic", "url", "platform", "format"):
        a, b = getattr(p.old, key), getattr(p.new, key)
        if a != b:
            yield Verdict(f"output port {p.new.name!r}: {key} changed from {a!r} to {b!r}", BOTH, key=(key,),
                          fix=f"keep the old {key} and add a new port for the new one, or {new_major(p)}")


@rule("BRK303", "PORT_TYPE_CHANGED", "port", "ports", breaks="backward, forward")
def port_type_changed(p: Pair) -> Iterator[Verdict]:
    """An output port's type or dataset changed."""
    if not _both(p):
        return
    for key in ("type", "dataset"):
        a, b = getattr(p.old, key), getattr(p.new, key)
        if a != b:
            yield Verdict(f"output port {p.new.name!r}: {key} changed from {a!r} to {b!r}", BOTH, key=(key,),
                          fix=f"add a new port instead, or {new_major(p)}")


@rule("BRK304", "PORT_ADDED", "port", "ports")

def port_added(p: Pair) -> Iterator[Verdict]:
    """An output port was added (additive)."""
    if p.added:
        yield Verdict(f"output port {p.new.name!r} ({p.new.type}) was added")


# ---- SLOs -------------------------------------------------------------------------------

# slo → (the value that is promised, larger_is_better)
_SLO_VALUES: dict[str, tuple[Callable[[Any], float], bool, str]] = {
    "freshness": (lambda s: duration_seconds(s.threshold), False, "threshold"),
    "latency": (lambda s: duration_seconds(s.threshold), False, "threshold"),
    "retention": (lambda s: duration_seconds(s.period), True, "period"),
    "accuracy": (lambda s: s.target, True, "target"),
    "completeness": (lambda s: s.target, True, "target"),
    "availability": (lambda s: s.target, True, "target"),
}


def _slo_shown(slo: Any, attr: str) -> str:
    value = getattr(slo, attr)
    return f"{value * 100:g}%" if isinstance(value, float) else str(value)


def _slo_changes(p: Pair) -> Iterator[tuple[str, str, str]]:
    """(slo name, weakened|strengthened|removed|added, description)."""
    for name, (value, larger_better, attr) in _SLO_VALUES.items():
        a = getattr(p.old, name) if p.old is not None else None
        b = getattr(p.new, name) if p.new is not None else None
        if a is None and b is None:
            continue
        if b is None:
            yield name, "removed", f"{name} SLO ({_slo_shown(a, attr)}) was removed"
        elif a is None:
            yield name, "added", f"{name} SLO ({_slo_shown(b, attr)}) was added"
        elif value(a) != value(b):
            better = value(b) > value(a) if larger_better else value(b) < value(a)
            yield (name, "strengthened" if better else "weakened",
                   f"{name} {attr} {'tightened' if better else 'weakened'} from {_slo_shown(a, attr)} "
                   f"to {_slo_shown(b, attr)}")


@rule("BRK401", "SLO_WEAKENED", "slos", "slos", breaks="forward (warning otherwise)")
def slo_weakened(p: Pair) -> Iterator[Verdict]:
    """A service level was weakened or dropped (freshness threshold raised, accuracy target lowered, ...)."""
    for name, how, text in _slo_changes(p):
        if how in ("weakened", "removed"):
            yield Verdict(text, frozenset({FORWARD}), level=WARNING, key=(name,),
                          fix="consumers built on the old promise may miss theirs: keep it, or agree the new one "
                              "with them first")


@rule("BRK402", "SLO_STRENGTHENED", "slos", "slos")

def slo_strengthened(p: Pair) -> Iterator[Verdict]:
    """A service level was tightened or added."""
    for name, how, text in _slo_changes(p):
        if how in ("strengthened", "added"):
            yield Verdict(text, key=(name,))


def rules_markdown() -> str:
    """The rule table of docs/contracts.md, generated from the registry (a test keeps it current)."""
    lines = ["| code | rule | element | categories | breaks | purpose |", "|---|---|---|---|---|---|"]
    for r in sorted(RULES, key=lambda r: r.code):
        lines.append(f"| {r.code} | `{r.id}` | {r.element} | {', '.join(r.categories)} | "
                     f"{r.breaks} | {r.purpose} |")
    return "\n".join(lines) + "\n"


