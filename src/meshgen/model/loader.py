"""A dataproduct.yaml file → a validated `DataProduct`, or positioned diagnostics."""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.load.collector import collector_paused
from meshgen.load.yaml_source import Document, SourceMap, load_yaml
from meshgen.model.models import API_VERSION, DataProduct
from meshgen.model.portable import portability_diagnostics, unholdable_values
from meshgen.model.values import ValueProblem, record_to_python


@dataclass
class ProductFile:
    """A product as written (its document, with positions) and as validated."""

    path: Path
    document: Document
    product: DataProduct

    @property
    def source(self) -> SourceMap:
        return self.document.source

    def location(self, *path: Any, key: bool = False) -> Location:
        return self.document.source.location(tuple(path), key=key)

    # Positions of named elements, for later passes that know names rather than indices.
    # Lookups go through name → index tables built once per list: governance asks for the
    # position of every field, and a linear search each time made a wide product quadratic.
    def _index(self, items: Any) -> dict[str, int]:
        cache = self.__dict__.setdefault("_name_indexes", {})
        hit = cache.get(id(items))
        if hit is None or hit[0] is not items:
            table: dict[str, int] = {}
            for i, item in enumerate(items):
                table.setdefault(item.name, i)  # the first of a repeated name, as a search finds
            hit = cache[id(items)] = (items, table)
        return hit[1]

    def dataset_path(self, dataset: str) -> tuple:
        index = self._index(self.product.datasets).get(dataset)
        return ("datasets", index) if index is not None else ("datasets",)

    def field_path(self, dataset: str, dotted: str) -> tuple:
        """The data path of `items.sku` in dataset `orders` (through arrays and maps)."""
        path = self.dataset_path(dataset)
        if len(path) == 1:
            return path
        fields: Any = self.product.datasets[path[1]].fields
        path = path + ("fields",)
        for part in dotted.split("."):
            index = self._index(fields).get(part)
            if index is None:
                return path
            f = fields[index]
            path = path + (index,)
            members = f.members_path()
            if members is not None:
                path = path + members
                spec: Any = f
                for key in members[:-1]:
                    spec = getattr(spec, key)
                fields = spec.fields
        return path


def load_product(path: Path | str) -> tuple[ProductFile | None, list[Diagnostic]]:
    """Load and validate one product file. Unreadable input raises InputError."""
    document = load_yaml(path)
    return validate_document(document)


def validate_document(document: Document) -> tuple[ProductFile | None, list[Diagnostic]]:
    source = document.source
    data = document.data
    if not isinstance(data, dict):
        return None, [Diagnostic("SPEC001", Severity.ERROR, "a data product is a mapping of keys at the top level",
                                 source.location(()), "start from `meshgen init`, or compare with docs/spec-reference.md")]
    if data.get("apiVersion") != API_VERSION and "apiVersion" in data:
        return None, [Diagnostic("SPEC005", Severity.ERROR,
                                 f"apiVersion {data.get('apiVersion')!r} is not supported",
                                 source.location(("apiVersion",)), f"this meshgen reads apiVersion: {API_VERSION}")]
    unholdable = unholdable_values(data, source)
    if unholdable:
        return None, unholdable
    try:
        with collector_paused():  # models hold no cycles: no collection walks them while they are made
            product = DataProduct.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_diagnostics(exc, data, source, DataProduct)
    pf = ProductFile(Path(document.path), document, product)
    return pf, example_diagnostics(pf) + portability_diagnostics(pf)


def example_diagnostics(pf: ProductFile) -> list[Diagnostic]:
    out = []
    for di, ds in enumerate(pf.product.datasets):
        for ei, row in enumerate(ds.examples):
            try:
                record_to_python(row, ds.fields)
            except ValueProblem as problem:
                path = ("datasets", di, "examples", ei) + problem.path
                out.append(Diagnostic("SPEC010", Severity.ERROR, f"example {ei + 1} of dataset {ds.name!r}: {problem}",
                                      pf.source.location(path),
                                      "fix the example so it matches the field's type and constraints"))
    return out


# ---- pydantic errors → diagnostics -----------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping (key: value pairs)",
    "model_type": "a mapping (key: value pairs)",
    "model_attributes_type": "a mapping (key: value pairs)",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _describe(value: Any) -> str:
    kinds = {bool: "boolean", int: "number", float: "number", str: "text", list: "list", dict: "mapping", type(None): "nothing"}
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kinds.get(type(value), type(value).__name__)} {shown}" if value is not None else "nothing (null)"


def _align(loc: tuple, data: Any) -> tuple[tuple, bool]:
    """Keep the loc elements that address the data (drop pydantic's union-branch tags)."""
    path: list = []
    cursor = data
    complete = True
    for i, part in enumerate(loc):
        if isinstance(cursor, dict) and part in cursor:
            path.append(part)
            cursor = cursor[part]
        elif isinstance(cursor, list) and isinstance(part, int) and 0 <= part < len(cursor):
            path.append(part)
            cursor = cursor[part]
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(cursor, dict):
            path.append(part)  # a missing or unknown key
            complete = False
        # else: a union tag such as 'ProductDescription' or 'str'
    return tuple(path), complete


def _unwrap_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list = []
    for arg in typing.get_args(annotation):
        out.extend(_unwrap_models(arg))
    return out


def _allowed_keys(root: type[BaseModel], path: tuple) -> list[str]:
    """The keys that the model at `path` accepts."""
    models = [root]
    for part in path:
        if isinstance(part, int):
            continue
        nxt: list = []
        for m in models:
            info = m.model_fields.get(part)
            if info is not None:
                nxt.extend(_unwrap_models(info.annotation))
        if not nxt:
            return []
        models = nxt
    keys: list[str] = []
    for m in models:
        keys.extend(k for k in m.model_fields if k not in keys)
    return keys


def _inside_scalar(where: Location, text: Any, offset: int) -> Location:
    """The position of character `offset` of a one-line scalar written at `where` (quoted or not)."""
    if not isinstance(text, str) or offset <= 0:
        return where
    from meshgen.load.files import accepted_text

    try:
        line = (accepted_text(where.file) or "").splitlines()[where.line - 1]
    except IndexError:
        return where
    start = where.column - 1
    quoted = line[start:start + 1] in ("'", '"')
    body = start + (1 if quoted else 0)
    if line[body:body + len(text)] != text:  # escapes or folding: stay at the scalar's start
        return where
    return Location(where.file, where.line, body + offset + 1)


def pydantic_diagnostics(exc: ValidationError, data: Any, source: SourceMap, root: type[BaseModel]) -> list[Diagnostic]:
    errors = exc.errors(include_url=False)
    aligned = [(err, *_align(tuple(err["loc"]), data)) for err in errors]
    deep_paths = {path for _, path, _ in aligned}
    out: list[Diagnostic] = []
    for err, path, complete in aligned:
        etype = err["type"]
        # A union reports each branch; when a deeper error explains the value, drop the shallow one.
        if etype.endswith("_type") and any(len(p) > len(path) and p[: len(path)] == path for p in deep_paths):
            continue
        key = path[-1] if path else None
        if etype == "extra_forbidden":
            allowed = _allowed_keys(root, path[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else (
                f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it")
            out.append(Diagnostic("SPEC002", Severity.ERROR, f"unknown key {key!r}",
                                  source.location(path, key=True), hint))
        elif etype == "missing":
            parent = path[:-1]
            where = ".".join(str(p) for p in parent) or "the top level"
            out.append(Diagnostic("SPEC003", Severity.ERROR, f"missing required key {key!r} in {where}",
                                  source.location(parent), f"add `{key}:`; see docs/spec-reference.md"))
        elif etype == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
            close = difflib.get_close_matches(str(err.get("input")), options, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(options)}"
            out.append(Diagnostic("SPEC004", Severity.ERROR,
                                  f"{key}: {_describe(err.get('input'))} is not allowed; expected {expected}",
                                  source.location(path), hint))
        elif etype in _TYPE_WORDS:
            value = err.get("input")
            hint = "quote the value to make it text" if etype == "string_type" and isinstance(value, (int, float, bool)) else \
                "see docs/spec-reference.md for this key's shape"
            if key == "version" and isinstance(value, (int, float)):
                hint = "quote a full semantic version: version: \"1.4.0\""
            out.append(Diagnostic("SPEC004", Severity.ERROR,
                                  f"{key}: expected {_TYPE_WORDS[etype]}, got {_describe(value)}",
                                  source.location(path), hint))
        else:
            message = err["msg"]
            for prefix in ("Value error, ", "Assertion failed, "):
                if message.startswith(prefix):
                    message = message[len(prefix):]
            code = "SPEC006" if etype == "type_syntax" else "SPEC004"
            label = f"{key}: " if isinstance(key, str) else ""
            where = source.location(path)
            if etype == "type_syntax":
                where = _inside_scalar(where, err.get("input"), err["ctx"]["offset"])
            out.append(Diagnostic(code, Severity.ERROR, f"{label}{message}", where,
                                  "write a type of the grammar: see docs/spec-reference.md" if code == "SPEC006"
                                  else "see docs/spec-reference.md for this key's meaning"))
    return out
