"""Issue 9.7: every generated file, in every language, parses with its own tool for every
hostile string in the project's hostile fixtures (control characters, line and paragraph
separators, odd unicode; see tests/fixtures/hostile_text)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.targets import builtin_targets
from tests.conftest import need_module
from tests.support.golden import case_source

ROOT = Path(__file__).resolve().parents[2]
MESHES = {
    "hostile_text": ROOT / "tests" / "fixtures" / "hostile_text",  # a product folder: given a mesh below
    "hostile": case_source("hostile"),
    "odd_strings": case_source("odd_strings"),
}
NAMING_OFF = 'name: hostile\ngovernance:\n  rules:\n    naming: "off"\n'


def hostile_text_mesh(name: str, tmp: Path) -> Path:
    """A private copy of one of MESHES as a mesh (a lone product gets a mesh with naming rules off)."""
    mesh = tmp / "mesh"
    if (MESHES[name] / "dataproduct.yaml").exists():
        shutil.copytree(MESHES[name], mesh / "qa" / name)
        (mesh / "meshgen.yaml").write_text(NAMING_OFF, encoding="utf-8")
    else:
        shutil.copytree(MESHES[name], mesh, ignore=shutil.ignore_patterns("build"))
    return mesh


@pytest.fixture(scope="module", params=sorted(MESHES))
def built(request, tmp_path_factory):
    need_module("datamodel_code_generator")
    tmp = tmp_path_factory.mktemp(request.param)
    out = tmp / "out"
    build(hostile_text_mesh(request.param, tmp), output=out, targets=sorted(builtin_targets()))
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != ".meshgen-manifest.json")
    assert files
    return out, files


def _by_suffix(files, *suffixes):
    return [p for p in files if p.name.endswith(suffixes)]


def test_python_compiles(built):
    _, files = built
    found = _by_suffix(files, ".py")
    assert found
    for path in found:
        compile(path.read_bytes(), str(path), "exec")  # a SyntaxError fails the test


def test_json_loads_and_has_no_raw_line_separators(built):
    _, files = built
    for path in _by_suffix(files, ".json", ".avsc"):
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        assert "\u2028" not in text and "\u2029" not in text, path  # JavaScript reads these as line ends


def test_yaml_loads(built):
    from ruamel.yaml import YAML

    _, files = built
    found = _by_suffix(files, ".yml", ".yaml")
    assert found
    for path in found:
        list(YAML(typ="safe", pure=True).load_all(path.read_text(encoding="utf-8")))  # catalog-info.yaml: many


def test_avro_schemas_parse_in_both_libraries(built):
    fastavro = need_module("fastavro")
    avro_schema = need_module("avro.schema")
    _, files = built
    for path in _by_suffix(files, ".avsc"):
        text = path.read_text(encoding="utf-8")
        fastavro.parse_schema(json.loads(text))
        avro_schema.parse(text)


def test_protos_compile_with_protoc(built, tmp_path):
    from tests.targets.protobuf.test_protobuf import protoc

    out, files = built
    found = _by_suffix(files, ".proto")
    assert found
    for path in found:
        protoc(path.relative_to(path.parent), path.parent, tmp_path / path.stem)


def test_duckdb_ddl_runs(built):
    duckdb = need_module("duckdb")
    _, files = built
    # the sql target's DDL (the quality target's queries need the tables it creates: tested there)
    for path in [p for p in _by_suffix(files, ".sql") if p.parent.name == "duckdb" and p.parent.parent.name == "sql"]:
        con = duckdb.connect()
        con.execute(path.read_text(encoding="utf-8"))
        con.close()
