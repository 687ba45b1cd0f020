"""Run with the datahub tool venv's Python (it never imports meshgen): every file named on the
command line through `datahub check metadata-file` (the real CLI command, in this one process), and
every proposal through DataHub's model classes. Prints one JSON report on its last line.

The CLI alone would pass an aspect DataHub does not know (the file source keeps it as a raw
proposal), so each proposal must also become a typed MetadataChangeProposalWrapper, validate,
name an aspect its entity has, and serialize back to exactly the JSON meshgen wrote.
"""

import json
import re
import sys

from click.testing import CliRunner
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.entrypoints import datahub as datahub_cli
from datahub.ingestion.extractor.schema_util import avro_schema_to_mce_fields
from datahub.metadata.schema_classes import ASPECT_NAME_MAP, KEY_ASPECTS, KafkaSchemaClass, SchemaMetadataClass
from datahub.utilities.urns.field_paths import get_simple_field_path_from_v2_field_path
from datahub.utilities.urns.urn import Urn

# The type tokens of DataHub's Avro converter that are not record names.
AVRO_TOKENS = {"string", "int", "long", "float", "double", "boolean", "bytes", "enum", "array", "map", "union", "null",
               "fixed"}


def entity_aspects() -> dict:
    """entity type → the aspects DataHub's entity registry gives it."""
    return {cls.ASPECT_INFO["keyForEntity"]: set(cls.ASPECT_INFO.get("entityAspects", [])) | {cls.ASPECT_NAME}
            for cls in KEY_ASPECTS.values()}


def check_file(path: str, aspects_of: dict, problems: list, avro: list, seen: dict) -> int:
    result = CliRunner().invoke(datahub_cli, ["check", "metadata-file", path])
    if result.exit_code != 0 or "all valid" not in result.output:
        problems.append(f"{path}: datahub check metadata-file: exit {result.exit_code}: {result.output[-2000:]}"
                        f" {result.exception!r}")
    with open(path, encoding="utf-8") as f:
        items = json.load(f)
    for i, obj in enumerate(items):
        where = f"{path}[{i}] {obj.get('aspectName')} of {obj.get('entityUrn')}"
        original = json.loads(json.dumps(obj))
        mcp = MetadataChangeProposalWrapper.from_obj(obj)
        if not isinstance(mcp, MetadataChangeProposalWrapper):
            problems.append(f"{where}: not a typed proposal (unknown aspect or entity)")
            continue
        if not mcp.validate():
            problems.append(f"{where}: does not validate")
        if mcp.aspectName not in ASPECT_NAME_MAP:
            problems.append(f"{where}: unknown aspect name")
        if mcp.aspectName not in aspects_of.get(mcp.entityType, set()):
            problems.append(f"{where}: entity {mcp.entityType!r} has no aspect {mcp.aspectName!r}")
        urn = Urn.from_string(mcp.entityUrn)
        if urn.entity_type != mcp.entityType:
            problems.append(f"{where}: URN of entity type {urn.entity_type!r}")
        back = mcp.to_obj(simplified_structure=True)
        if back != original:
            problems.append(f"{where}: does not round-trip: wrote {json.dumps(original, sort_keys=True)[:1500]} "
                            f"DataHub reads {json.dumps(back, sort_keys=True)[:1500]}")
        if isinstance(mcp.aspect, SchemaMetadataClass):
            found = avro_disagreements(where, mcp.aspect)
            if found is not None:
                avro.extend(found)
                seen["avro-compared"] = seen.get("avro-compared", 0) + 1
        seen.setdefault(mcp.aspectName, 0)
        seen[mcp.aspectName] += 1
    return len(items)


def _as_struct(path: str) -> str:
    """A path of DataHub's Avro converter with every record level named `struct`, as meshgen names them."""
    return re.sub(r"\[type=([^\]]+)\]", lambda m: m.group(0) if m.group(1) in AVRO_TOKENS else "[type=struct]", path)


def _shape(path: str, f) -> tuple:
    kind = type(f.type.type).__name__
    return path, f.nullable, kind


def avro_disagreements(where: str, schema: SchemaMetadataClass) -> list | None:
    """What DataHub's own Avro converter (its Kafka source's) makes of the Avro schema that an events
    port's KafkaSchema holds, against meshgen's fields: the same paths, nullability and types. One
    known difference: DataHub reads local-timestamp-micros as a number; meshgen says TimeType."""
    ps = schema.platformSchema
    if not isinstance(ps, KafkaSchemaClass) or ps.documentSchemaType != "AVRO":
        return None
    v2 = any(f.fieldPath.startswith("[version=2.0]") for f in schema.fields)
    theirs = {_shape(_as_struct(f.fieldPath) if v2 else get_simple_field_path_from_v2_field_path(f.fieldPath), f)
              for f in avro_schema_to_mce_fields(ps.documentSchema)}
    ours = {_shape(f.fieldPath, f) for f in schema.fields}
    local = {(p, n, "NumberTypeClass") for p, n, k in ours if k == "TimeTypeClass"} & theirs
    theirs = (theirs - local) | {(p, n, "TimeTypeClass") for p, n, _ in local}
    return [f"{where}: only meshgen: {sorted(ours - theirs)}; only DataHub's Avro converter: {sorted(theirs - ours)}"] \
        if ours != theirs else []


def main(paths: list) -> None:
    aspects_of = entity_aspects()
    problems: list = []
    avro: list = []
    seen: dict = {}
    count = sum(check_file(p, aspects_of, problems, avro, seen) for p in paths)
    print(json.dumps({"files": len(paths), "proposals": count, "aspects": seen, "problems": problems, "avro": avro}))


if __name__ == "__main__":
    main(sys.argv[1:])
