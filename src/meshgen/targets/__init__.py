"""The target registry. Targets are imported only when a build asks for them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meshgen.targets.base import Target, TemplateInfo

# name → "module:Class". Third-party targets register under the entry-point group meshgen.targets.
BUILTIN_TARGETS: dict[str, str] = {
    "asyncapi": "meshgen.targets.asyncapi:AsyncApiTarget",
    "avro": "meshgen.targets.avro:AvroTarget",
    "jsonschema": "meshgen.targets.jsonschema:JsonSchemaTarget",
    "openapi": "meshgen.targets.openapi:OpenApiTarget",
    "protobuf": "meshgen.targets.protobuf:ProtobufTarget",
    "pydantic": "meshgen.targets.pydantic_models:PydanticTarget",
    "schema-registry": "meshgen.targets.schema_registry:SchemaRegistryTarget",
    "dbt": "meshgen.targets.dbt:DbtTarget",
    "sql": "meshgen.targets.sql:SqlTarget",
    "quality": "meshgen.targets.quality:QualityTarget",
    "airflow": "meshgen.targets.airflow:AirflowTarget",
    "dagster": "meshgen.targets.dagster:DagsterTarget",
    "datahub": "meshgen.targets.datahub:DataHubTarget",
    "odcs": "meshgen.targets.odcs:OdcsTarget",
    "odps": "meshgen.targets.odps:OdpsTarget",
    "backstage": "meshgen.targets.backstage:BackstageTarget",
    "amundsen": "meshgen.targets.amundsen:AmundsenTarget",
    "openmetadata": "meshgen.targets.openmetadata:OpenMetadataTarget",
}

ENTRY_POINT_GROUP = "meshgen.targets"


def available_targets() -> dict[str, str]:
    from importlib.metadata import entry_points

    found = dict(BUILTIN_TARGETS)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def load_target(name: str) -> type["Target"]:
    spec = available_targets()[name]
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def declared_templates(names: list[str] | None = None) -> dict[str, tuple["TemplateInfo", list[str]]]:
    """Template name → (what it renders and its variables, the targets that render it), for the
    given targets (default: the built-in ones)."""
    found: dict[str, tuple["TemplateInfo", list[str]]] = {}
    for name in sorted(names if names is not None else BUILTIN_TARGETS):
        for template, info in load_target(name).templates.items():
            found.setdefault(template, (info, []))[1].append(name)
    return dict(sorted(found.items()))


def templates_markdown() -> str:
    """The generated part of docs/templates.md: every built-in template and its variables."""
    lines = []
    for template, (info, users) in declared_templates().items():
        lines += [f"### `{template}`", "", f"{info.what[:1].upper()}{info.what[1:]}. Rendered by: "
                  + ", ".join(f"`{u}`" for u in users) + ".", "", "| variable | what it holds |", "|---|---|"]
        lines += [f"| `{var}` | {meaning} |" for var, meaning in info.variables]
        lines.append("")
    return "\n".join(lines)
