"""The validators a fuzzed build's files must pass: each format's own parser or compiler."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import need_module


def check_artifacts(out: Path) -> None:
    """Every file under `out` passes its format's real validator: Avro schemas parse in fastavro
    and avro, JSON Schemas meet the 2020-12 metaschema, .proto files compile with protoc, DuckDB
    runs the DuckDB DDL, JSON and YAML files parse."""
    from ruamel.yaml import YAML

    avro_schema, fastavro = need_module("avro.schema"), need_module("fastavro")
    jsonschema, duckdb = need_module("jsonschema"), need_module("duckdb")
    files = sorted(p for p in out.rglob("*") if p.is_file())
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".json", ".avsc"):
            value = json.loads(text)
            if path.suffix == ".avsc":
                fastavro.parse_schema(value)
                avro_schema.parse(text)
            elif path.name.endswith(".schema.json"):
                jsonschema.Draft202012Validator.check_schema(value)
        elif path.suffix in (".yml", ".yaml"):
            list(YAML(typ="safe", pure=True).load_all(text))
        elif path.suffix == ".sql" and path.parent.name == "duckdb" and path.parent.parent.name == "sql":
            con = duckdb.connect()
            try:
                con.execute(text)
            finally:
                con.close()
    _compile_protos(files, out)


def _compile_protos(files: list[Path], out: Path) -> None:
    from tests.targets.protobuf.test_protobuf import protoc

    for path in (p for p in files if p.suffix == ".proto"):
        module = next(parent for parent in path.parents if (parent / "buf.yaml").exists())
        protoc(path.relative_to(module), module, out.parent / "protoc" / path.stem)
