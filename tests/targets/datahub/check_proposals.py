"""Run with the datahub tool venv's Python (it never imports meshgen): every file named on the
command line through `datahub check metadata-file` (the real CLI command, in this one process), and
every proposal through DataHub's model classes. Prints one JSON report on its last line.

The CLI alone would pass an aspect DataHub does not know (the file source keeps it as a raw
proposal), so each proposal must also become a typed MetadataChangeProposalWrapper, validate,
name an aspect its entity has, and serialize back to exactly the JSON meshgen wrote.
"""

import json
import sys

from click.testing import CliRunner
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.entrypoints import datahub as datahub_cli
from datahub.metadata.schema_classes import ASPECT_NAME_MAP, KEY_ASPECTS
from datahub.utilities.urns.urn import Urn


def entity_aspects() -> dict:
    """entity type → the aspects DataHub's entity registry gives it."""
    return {cls.ASPECT_INFO["keyForEntity"]: set(cls.ASPECT_INFO.get("entityAspects", [])) | {cls.ASPECT_NAME}
            for cls in KEY_ASPECTS.values()}


def check_file(path: str, aspects_of: dict, problems: list, seen: dict) -> int:
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
        seen.setdefault(mcp.aspectName, 0)
        seen[mcp.aspectName] += 1
    return len(items)


def main(paths: list) -> None:
    aspects_of = entity_aspects()
    problems: list = []
    seen: dict = {}
    count = sum(check_file(p, aspects_of, problems, seen) for p in paths)
    print(json.dumps({"files": len(paths), "proposals": count, "aspects": seen, "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1:])
