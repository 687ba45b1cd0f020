"""Values and names that every artifact can hold, checked when a product is validated.

A spec that validates must build into artifacts that their own tools accept, so what no
target can carry is refused here, at the position where it is written, rather than by a
warehouse, protoc or a JSON parser later:

- `.nan` and `.inf` (JSON, Avro and SQL have no literal for them), NUL (protoc, PostgreSQL
  text and C strings cannot hold it) and lone surrogates (not encodable as UTF-8): SPEC012;
- a field's `default` or `examples` that break the field's own constraints: SPEC011;
- names that are distinct as written but collide once a target folds case or sanitizes them
  (`note`/`Note` in one table, datasets `a_b`/`a-b`/`AB` → one Avro full name and one proto
  message `AB`): SPEC013;
- a `maxLength` above what a table port's warehouse can declare: SPEC014;
- a key listed twice in `primaryKey` or `partitionBy`: REF006.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Iterator

from meshgen.diagnostics import Diagnostic, Severity
from meshgen.model.values import ValueProblem, check_constraints, to_python

if TYPE_CHECKING:
    from meshgen.load.yaml_source import SourceMap
    from meshgen.model.loader import ProductFile
    from meshgen.model.models import SchemaField

# The largest string length each warehouse can declare (VARCHAR(n)), in characters (Redshift
# counts bytes, so no character length above its byte maximum can ever fit). Warehouses that
# are absent have no declared-length type meshgen writes, or no documented maximum.
VARCHAR_MAX = {
    "postgres": 10_485_760,   # "length for type varchar cannot exceed 10485760"
    "redshift": 65_535,       # VARCHAR(65535) bytes
    "snowflake": 16_777_216,  # VARCHAR's documented maximum length
}


# ---- Values no format can carry -------------------------------------------------------------

_UNHOLDABLE = re.compile("[\x00\ud800-\udfff]")


def _unholdable_text(text: str) -> str | None:
    found = _UNHOLDABLE.search(text)
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "a lone surrogate (not a Unicode character)"


def _yaml_float(value: float) -> str:
    return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")


def _holds_unholdable(data: Any) -> bool:
    """Whether the document may hold a value unholdable_values reports (a yes is then checked
    value by value): one json.dumps, json's C encoder, which refuses a non-finite float, writes
    NUL as \\u0000 and keeps a lone surrogate, then one search over its text. A document json
    cannot write (no YAML gives one) is walked in Python."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, check_circular=False)
    except ValueError:  # .nan or .inf
        return True
    except (TypeError, RecursionError):
        return _walk_holds_unholdable(data)
    return "\\u0000" in text or _SURROGATE.search(text) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _walk_holds_unholdable(data: Any) -> bool:
    """_holds_unholdable for any data: one pass that builds no paths, with one search over all
    the text."""
    texts: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            texts.append(value)
        elif kind is dict or (kind is not list and isinstance(value, dict)):
            texts.extend(k for k in value if isinstance(k, str))
            stack.extend(value.values())
        elif kind is list or isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, str):
            texts.append(value)
    return _UNHOLDABLE.search("\x01".join(texts)) is not None


def unholdable_values(data: Any, source: "SourceMap") -> list[Diagnostic]:
    """SPEC012 for every `.nan`/`.inf`, NUL or lone surrogate in a document, keys included."""
    if not _holds_unholdable(data):
        return []
    out: list[Diagnostic] = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            out.append(Diagnostic(
                "SPEC012", Severity.ERROR, f"{_yaml_float(value)} is not a number JSON, Avro or SQL can hold",
                source.location(path), "write a finite number; a bound that does not apply is left out"))
        elif isinstance(value, str) and (what := _unholdable_text(value)):
            out.append(Diagnostic("SPEC012", Severity.ERROR, f"the text contains {what}, which no artifact can carry",
                                  source.location(path), "remove the character (YAML escapes such as \"\\0\" write it)"))
        elif isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and (what := _unholdable_text(key)):
                    out.append(Diagnostic("SPEC012", Severity.ERROR, f"the key contains {what}",
                                          source.location(path + (key,), key=True), "rename the key"))
                stack.append((path + (key,), child))
        elif isinstance(value, list):
            stack.extend((path + (i,), child) for i, child in enumerate(value))
    out.sort(key=lambda d: (d.location.line, d.location.column))
    return out


# ---- Fields, with the data path where each is written ---------------------------------------

def struct_members(spec: Any, path: tuple) -> tuple[list, tuple] | None:
    """A field's struct members and their data path, through `items` and `values` (None when it
    holds no struct)."""
    while spec is not None:
        if spec.fields is not None:
            return list(spec.fields), path + ("fields",)
        if spec.items is not None:
            spec, path = spec.items, path + ("items",)
        elif spec.values is not None:
            spec, path = spec.values, path + ("values",)
        else:
            return None
    return None


def records(pf: "ProductFile") -> Iterator[tuple[str, list, tuple]]:
    """(dataset name, a list of sibling fields, its data path): each dataset and nested struct."""
    for di, ds in enumerate(pf.product.datasets):
        stack = [(list(ds.fields), ("datasets", di, "fields"))]
        while stack:
            fields, path = stack.pop()
            yield ds.name, fields, path
            for i, f in enumerate(fields):
                if f.fields is None and f.items is None and f.values is None:
                    continue  # a scalar, enum or typed-by-expression field: no struct below (most fields)
                below = struct_members(f, path + (i,))
                if below is not None:
                    stack.append((list(below[0]), below[1]))


# ---- Defaults and field examples against their own field ------------------------------------

def own_value_diagnostics(pf: "ProductFile") -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for _, fields, path in records(pf):
        for i, f in enumerate(fields):
            if f.default is None and not f.examples:
                continue  # nothing of its own to check (most fields)
            candidates = [(("default",), f.default, "default")] if f.default is not None else []
            candidates += [(("examples", j), v, f"example {j + 1}") for j, v in enumerate(f.examples or [])]
            for where, raw, label in candidates:
                try:
                    check_constraints(to_python(raw, f.data_type, required=False), raw, f, ())
                except ValueProblem as problem:
                    out.append(Diagnostic(
                        "SPEC011", Severity.ERROR, f"{label} of field {f.name!r}: {problem}",
                        pf.location(*path, i, *where, *problem.path),
                        "a default or example must be a value the field itself accepts"))
    return out


# ---- Names that collide in some target ------------------------------------------------------

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")
_WORDS = re.compile(r"[A-Za-z0-9]+")


def _folded(name: str) -> str:
    """Case folded and sanitized the way Avro, SQL and file names treat it."""
    return _NOT_IDENTIFIER.sub("_", name).casefold()


def _pascal(name: str) -> str:
    """The record, message and class name targets derive (as targets.base.pascal_case)."""
    return "".join(w[:1].upper() + w[1:] for w in _WORDS.findall(name))


# Datasets name files, tables, records and messages; fields name columns (a field's record or
# message name, when it has one, is claimed in a scope that suffixes duplicates).
DATASET_FORMS = {"case folded and sanitized": _folded, "PascalCase": _pascal}
FIELD_FORMS = {"case folded and sanitized": _folded}


def _collisions(names: list[str], forms: dict) -> Iterator[tuple[int, int, str, str]]:
    """(later index, earlier index, form name, shared form) for each name that collides."""
    for form_name, form in forms.items():
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            key = form(name)
            if key in seen and names[seen[key]] != name:
                yield i, seen[key], form_name, key
            seen.setdefault(key, i)


def collision_diagnostics(pf: "ProductFile") -> list[Diagnostic]:
    out: list[Diagnostic] = []
    reported: set[tuple] = set()

    def report(path: tuple, what: str, other: str, form: str, key: str, first: tuple) -> None:
        if path in reported:
            return
        reported.add(path)
        out.append(Diagnostic(
            "SPEC013", Severity.ERROR, f"{what} collides with {other!r}: both become {key!r} ({form})",
            pf.location(*path), "rename one of them; targets fold case and replace characters a language cannot hold",
            related=(pf.location(*first),)))

    datasets = [ds.name for ds in pf.product.datasets]
    for i, j, form, key in _collisions(datasets, DATASET_FORMS):
        report(("datasets", i, "name"), f"dataset {datasets[i]!r}", datasets[j], form, key, ("datasets", j, "name"))
    for ds_name, fields, path in records(pf):
        names = [f.name for f in fields]
        for i, j, form, key in _collisions(names, FIELD_FORMS):
            report(path + (i, "name"), f"field {names[i]!r} of dataset {ds_name!r}", names[j], form, key,
                   path + (j, "name"))
    return out


# ---- Keys and lengths -----------------------------------------------------------------------

def key_and_length_diagnostics(pf: "ProductFile") -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for di, ds in enumerate(pf.product.datasets):
        for key in ("primaryKey", "partitionBy"):
            seen: dict[str, int] = {}
            for j, name in enumerate(getattr(ds, key)):
                if name in seen:
                    out.append(Diagnostic(
                        "REF006", Severity.ERROR, f"{key} lists {name!r} twice", pf.location("datasets", di, key, j),
                        "list each field once", related=(pf.location("datasets", di, key, seen[name]),)))
                seen.setdefault(name, j)
    platforms = sorted({port.platform for port in pf.product.outputPorts
                        if port.type == "table" and port.platform in VARCHAR_MAX})
    if not platforms:
        return out
    for _, fields, path in records(pf):
        for i, f in enumerate(fields):
            if f.maxLength is None:
                continue
            over = [p for p in platforms if f.maxLength > VARCHAR_MAX[p]]
            if over:
                limits = ", ".join(f"{p} {VARCHAR_MAX[p]:,}" for p in over)
                out.append(Diagnostic(
                    "SPEC014", Severity.ERROR, f"maxLength {f.maxLength:,} of field {f.name!r} is more than "
                    f"the table port's warehouse can declare ({limits})", pf.location(*path, i, "maxLength"),
                    "lower maxLength, or leave it out for text of any length"))
    return out


def portability_diagnostics(pf: "ProductFile") -> list[Diagnostic]:
    """Every check of this module that needs the validated product."""
    return own_value_diagnostics(pf) + collision_diagnostics(pf) + key_and_length_diagnostics(pf)
