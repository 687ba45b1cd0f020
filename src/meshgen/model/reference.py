"""docs/spec-reference.md, generated from the models: every key with its meaning, default and example."""

from __future__ import annotations

import json
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from meshgen.model.loader import _unwrap_models


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin in (list,):
        return f"list of {_type_name(args[0])}"
    if origin in (dict,):
        return "mapping"
    if origin is typing.Union or str(origin) == "types.UnionType":
        return " or ".join(_type_name(a) for a in args)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
        return {"str": "text", "int": "integer", "float": "number", "bool": "boolean", "date": "date"}.get(
            annotation.__name__, annotation.__name__)
    if annotation is Any:
        return "any"
    return str(annotation).replace("typing.", "")


def _default(info) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()
        return "`[]`" if value == [] else "`{}`" if value in ({},) else "—"
    if info.default is None or info.default is PydanticUndefined:
        return "—"
    if isinstance(info.default, bool):
        return f"`{str(info.default).lower()}`"
    return f"`{info.default}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown() -> str:
    from meshgen.mesh.config import MeshConfig
    from meshgen.model.models import DataProduct

    lines = [
        "# dataproduct.yaml reference (`apiVersion: meshgen/v1`)",
        "",
        "Generated from meshgen's models by `meshgen schema --markdown`; a test keeps this file in sync.",
        "Every key below is accepted with the meaning given; any other key is an error (with a",
        "did-you-mean suggestion). The JSON Schema for editors is `meshgen schema`",
        "([committed copy](dataproduct.schema.json)).",
        "",
        "Field types: `string` `int` (32-bit) `long` (64-bit) `float` `double` `decimal(p,s)` `boolean`",
        "`date` `time` `timestamp` (an instant, UTC) `timestamp_ntz` (wall-clock, no zone) `bytes` `uuid` `json`",
        "`enum` (with `symbols`) `array<T>` (or `type: array` + `items`) `map<T>` (string keys; or `type: map` + `values`)",
        "`struct` (with `fields`).",
        "",
        "Durations: `15m`, `1h`, `7d`, `2y` or ISO 8601 (`PT15M`). Ratios: `99.9%` or `0.999`.",
        "The product's address is derived: `data://<domain>/<name>/v<major of version>`.",
        "",
    ]
    seen: set[type] = set()
    order: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        order.append(model)
        for info in model.model_fields.values():
            for sub in _unwrap_models(info.annotation):
                visit(sub)

    visit(DataProduct)
    for model in order + [MeshConfig]:
        lines += [f"## {model.__name__}", ""]
        doc = (model.__doc__ or "").strip().splitlines()
        if doc:
            lines += [doc[0], ""]
        lines += ["| key | type | default | meaning | example |", "|---|---|---|---|---|"]
        for key, info in model.model_fields.items():
            example = ", ".join(f"`{e if isinstance(e, str) else json.dumps(e)}`" for e in (info.examples or []))
            lines.append(f"| `{key}` | {_cell(_type_name(info.annotation))} | {_default(info)} | "
                         f"{_cell(info.description or '')} | {_cell(example)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
