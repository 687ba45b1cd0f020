"""What the port targets share: the dataset schemas they embed, in JSON Schema and Avro."""

from __future__ import annotations

from typing import Any

from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset
from meshgen.targets.avro import AvroTarget
from meshgen.targets.base import Target, TargetContext
from meshgen.targets.jsonschema import JsonSchemaTarget


def embedded_json_schema(owner: Target, pf: ProductFile, ds: Dataset) -> dict[str, Any]:
    """The dataset's JSON Schema without $schema and $id, to embed in another document."""
    schema = _borrow(owner, JsonSchemaTarget).document(pf, ds)
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return schema


def avro_schema(owner: Target, pf: ProductFile, ds: Dataset) -> dict[str, Any]:
    return _borrow(owner, AvroTarget).record_schema(pf, ds)


def protobuf_schema(owner: Target, pf: ProductFile, ds: Dataset) -> str:
    """The dataset's .proto text, with the protobuf target's options from meshgen.yaml (its lock mode)."""
    from pydantic import ValidationError

    from meshgen.targets.protobuf import ProtobufOptions, ProtobufTarget

    try:  # bad options are reported by the protobuf target itself when it runs
        options = ProtobufOptions.model_validate(owner.mesh.config.target_options().get("protobuf") or {})
    except ValidationError:
        options = ProtobufOptions()
    return _borrow(owner, ProtobufTarget, options).dataset_proto(pf, ds)


def non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's schema without its null alternative (for parameters, which are never null)."""
    out = dict(schema)
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        out["type"] = types[0] if len(types) == 1 else types
    if "enum" in out:
        out["enum"] = [v for v in out["enum"] if v is not None]
    if "anyOf" in out:
        branches = [b for b in out.pop("anyOf") if b != {"type": "null"}]
        out.update(branches[0])
    for key in ("default", "examples", "deprecated"):
        out.pop(key, None)
    return out


def _borrow(owner: Target, cls: type[Target], options=None) -> Target:
    """Another target's schema builder; what it cannot express is reported once, by its owner's
    context. Its deferred writes (a lock file) are never run: only the owning target writes."""
    child = TargetContext(mesh=owner.context.mesh, renderer=owner.context.renderer, strict=owner.context.strict)
    target = cls(child, options)
    _ForwardDiagnostics(owner, child)
    return target


class _ForwardDiagnostics(list):
    def __init__(self, owner: Target, child: TargetContext):
        super().__init__()
        self.owner = owner
        child.diagnostics = self

    def append(self, diagnostic) -> None:  # type: ignore[override]
        if diagnostic not in self.owner.context.diagnostics:
            self.owner.context.diagnostics.append(diagnostic)
