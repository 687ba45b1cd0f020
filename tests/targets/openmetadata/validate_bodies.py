"""Run inside the openmetadata tool venv (scripts/venvs/openmetadata.txt), never in meshgen's:
every request body the openmetadata target wrote, checked with OpenMetadata's own code.

    python validate_bodies.py OUT_DIR...

For each `openmetadata/requests.json` under each folder, every body must:
- validate with its Create*Request model (metadata.generated.schema.api...), and dump back to
  itself (so meshgen already applied the name encoding OpenMetadata's client applies);
- have the fully qualified name OpenMetadata's fqn module builds from its name and parent;
- name only entities (parent, tags, domains, data products) sent before it by the same index.
Avro topics: OpenMetadata's Avro parser reads the same field tree from schemaText as schemaFields\nlists (its extra node per nested record type aside).
Prints one JSON object: {"checked": {path: count}, "problems": [text, ...]}.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

MODELS = {
    "/api/v1/classifications": "classification.createClassification:CreateClassificationRequest",
    "/api/v1/tags": "classification.createTag:CreateTagRequest",
    "/api/v1/domains": "domains.createDomain:CreateDomainRequest",
    "/api/v1/services/databaseServices": "services.createDatabaseService:CreateDatabaseServiceRequest",
    "/api/v1/services/messagingServices": "services.createMessagingService:CreateMessagingServiceRequest",
    "/api/v1/databases": "data.createDatabase:CreateDatabaseRequest",
    "/api/v1/databaseSchemas": "data.createDatabaseSchema:CreateDatabaseSchemaRequest",
    "/api/v1/dataProducts": "domains.createDataProduct:CreateDataProductRequest",
    "/api/v1/tables": "data.createTable:CreateTableRequest",
    "/api/v1/topics": "data.createTopic:CreateTopicRequest",
}
# The body field naming an entity's parent, by API path (the FQN is parent + the quoted name).
PARENTS = {"/api/v1/tags": "classification", "/api/v1/databases": "service", "/api/v1/databaseSchemas": "database",
           "/api/v1/tables": "databaseSchema", "/api/v1/topics": "service"}


def model(path: str):
    module, _, name = MODELS[path].partition(":")
    return getattr(importlib.import_module(f"metadata.generated.schema.api.{module}"), name)


def references(body: dict) -> list[str]:
    """Every FQN a body names besides its parent: tags (also on nested columns), domains, data products."""
    found = list(body.get("domains") or []) + list(body.get("dataProducts") or [])
    stack = [body]
    while stack:
        node = stack.pop()
        found += [t["tagFQN"] for t in node.get("tags") or []]
        stack += list(node.get("columns") or []) + list(node.get("children") or [])
        stack += list((node.get("messageSchema") or {}).get("schemaFields") or [])
    return found


def field_tree(fields, wrapped: bool = False) -> list:
    """[name, children] per field. `wrapped`: OpenMetadata's Avro parser lists a nested record's
    fields under one node named after the record type (the only child of the field): skip it."""
    out = []
    for f in fields or []:
        name, children = (f.name.root, f.children) if hasattr(f, "name") else (f["name"], f.get("children"))
        if wrapped and children and len(children) == 1 and str(getattr(children[0].dataType, "value", "")) == "RECORD":
            children = children[0].children
        out.append([name, field_tree(children, wrapped)])
    return out


def check_request(folder: Path, request: dict, sent: set[str], problems: list[str]) -> None:
    from metadata.parsers.avro_parser import parse_avro_schema
    from metadata.utils import fqn as om_fqn

    where = f"{folder}/{request['body']}"
    body = json.loads((folder / request["body"]).read_text(encoding="utf-8"))
    try:
        parsed = model(request["path"]).model_validate(body)
    except Exception as exc:  # a pydantic ValidationError: report it and go on
        problems.append(f"{where}: {exc}")
        return
    dumped = parsed.model_dump(mode="json", exclude_unset=True)
    if dumped != body:
        problems.append(f"{where}: the model dumps a different body: {json.dumps(dumped, sort_keys=True)[:400]}")
    parent = body.get(PARENTS.get(request["path"], ""), None)
    expected = (parent + "." if parent else "") + om_fqn.quote_name(body["name"])
    if request["fqn"] != expected:
        problems.append(f"{where}: fqn {request['fqn']!r}, OpenMetadata builds {expected!r}")
    for name in ([parent] if parent else []) + references(body):
        if name not in sent:
            problems.append(f"{where}: names {name!r}, which no earlier request creates")
    schema = body.get("messageSchema") or {}
    if schema.get("schemaType") == "Avro":
        (root,) = parse_avro_schema(schema["schemaText"])
        theirs = [[root.name.root, field_tree(root.children, wrapped=True)]]
        if theirs != field_tree(schema["schemaFields"]):
            problems.append(f"{where}: OpenMetadata's Avro parser reads {theirs}, the body lists "
                            f"{field_tree(schema['schemaFields'])}")
    sent.add(request["fqn"])


def main(folders: list[str]) -> None:
    checked: dict[str, int] = {}
    problems: list[str] = []
    for out in folders:
        for index in sorted(Path(out).rglob("openmetadata/requests.json")):
            sent: set[str] = set()
            for request in json.loads(index.read_text(encoding="utf-8"))["requests"]:
                check_request(index.parent, request, sent, problems)
                checked[request["path"]] = checked.get(request["path"], 0) + 1
    print(json.dumps({"checked": checked, "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1:])
