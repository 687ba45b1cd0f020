"""The schema builders (meshgen.schemas): pure functions over (product, dataset, reporter),
shared by the targets; type tables both ways; no target builds or reads another target."""

from __future__ import annotations

import ast
import copy
import shutil
from pathlib import Path

import pytest

from meshgen.model.types import DataType, Kind, parse_type
from meshgen.schemas import (
    AVRO_TYPES, JSON_SCHEMA_TYPES, PROTO_TYPES, Reporter, avro_schema, json_schema, json_schema_document,
    kind_of_avro, kind_of_json_schema, kind_of_proto, proto_file,
)
from meshgen.schemas.jsonschema import non_null
from meshgen.targets import builtin_targets
from meshgen.targets.protobuf_lock import NumberLock

ROOT = Path(__file__).resolve().parents[2]
ALL_TYPES = ROOT / "tests" / "fixtures" / "all_types"
SAMPLE_TYPES = {
    Kind.DECIMAL: "decimal(12,2)", Kind.ENUM: None, Kind.ARRAY: "array<string>", Kind.MAP: "map<long>",
    Kind.STRUCT: None,
}


def _product(tmp_path: Path):
    from meshgen.api import check

    mesh = tmp_path / "mesh"
    shutil.copytree(ALL_TYPES, mesh / "testing" / "all_types")
    result = check(mesh)
    assert not result.diagnostics.has_errors, result.diagnostics.sorted()
    [pf] = result.mesh.products
    return pf


def _every_field_kind(pf) -> set[Kind]:
    return {f.data_type.kind for ds in pf.product.datasets for f in ds.fields}


def test_the_fixture_has_every_kind(tmp_path):
    assert _every_field_kind(_product(tmp_path)) == set(Kind)


def test_builders_are_pure_and_report_each_fact_once(tmp_path):
    pf = _product(tmp_path)
    ds = pf.product.datasets[0]
    frozen = copy.deepcopy(pf.product.model_dump())
    reporter = Reporter()
    first = (avro_schema(pf, ds, reporter), json_schema_document(pf, ds, reporter),
             proto_file(pf, ds, NumberLock(), reporter))
    said = list(reporter.diagnostics)
    second = (avro_schema(pf, ds, reporter), json_schema_document(pf, ds, reporter),
              proto_file(pf, ds, NumberLock(), reporter))
    assert first == second  # nothing carried from one call to the next
    assert reporter.diagnostics == said and said  # a second build says nothing new
    assert len(set(said)) == len(said)
    assert pf.product.model_dump() == frozen  # the product is only read


def test_strict_reporter_makes_what_a_format_cannot_express_an_error(tmp_path):
    pf = _product(tmp_path)
    strict = Reporter(strict=True)
    proto_file(pf, pf.product.datasets[0], NumberLock(), strict)
    assert strict.diagnostics and all(d.severity.label == "error" for d in strict.diagnostics)


@pytest.mark.parametrize("kind", [k for k in Kind if k not in (Kind.ENUM, Kind.STRUCT)])
def test_type_tables_read_back(kind):
    """What each builder writes for a type, its reverse table reads as that type (json is Avro
    and proto text, and reads back as string there)."""
    t = parse_type(SAMPLE_TYPES.get(kind) or kind.value)
    reporter = Reporter()
    avro = AVRO_TYPES.get(kind) or _avro_of(t, reporter)
    assert kind_of_avro(avro) is (Kind.STRING if kind is Kind.JSON else kind)
    js = JSON_SCHEMA_TYPES.get(kind) or _json_of(t, reporter)
    expected_js = {Kind.FLOAT: Kind.DOUBLE, Kind.DECIMAL: None}.get(kind, kind)  # JSON numbers have no width
    if kind is not Kind.DECIMAL:
        assert kind_of_json_schema(js) is expected_js
    if kind in PROTO_TYPES:
        expected = kind if PROTO_TYPES[kind] != "string" else Kind.STRING
        assert kind_of_proto(PROTO_TYPES[kind]) is expected


def _avro_of(t: DataType, reporter: Reporter):
    from meshgen.schemas.avro import _AvroBuild

    return _AvroBuild(None, reporter).type(t, "X", ())


def _json_of(t: DataType, reporter: Reporter):
    from meshgen.schemas.jsonschema import _JsonSchemaBuild

    return non_null(_JsonSchemaBuild(None, reporter).type(t, ()))


def test_every_kind_has_a_forward_mapping_in_each_builder(tmp_path):
    pf = _product(tmp_path)
    ds = pf.product.datasets[0]
    reporter = Reporter()
    avro = {f["name"]: f for f in avro_schema(pf, ds, reporter)["fields"]}
    js = json_schema(pf, ds, reporter)["properties"]
    for f in ds.fields:
        assert f.name in avro and f.name in js


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_target_imports_another_target():
    modules = {spec.partition(":")[0] for spec in builtin_targets().values()}
    # dbt reads the SQL dialects' type mapping; the dialects package (issue 8) takes it out of targets/.
    allowed = {("meshgen.targets.dbt", "meshgen.targets.sql"), ("meshgen.targets.dbt", "meshgen.targets.sql.dialects"),
               # Known, to fix in the pipelines lane: dagster reads airflow's product_data (a shared
               # job description belongs in a module both use, as the schema builders are here).
               ("meshgen.targets.dagster", "meshgen.targets.airflow"),
               # quality reads the sql target's table names (where the DDL creates each table).
               ("meshgen.targets.quality", "meshgen.targets.sql"),
               # datahub names a table port's dataset by the table the sql target creates.
               ("meshgen.targets.datahub", "meshgen.targets.sql"),
               # openmetadata names each table where the sql target's DDL creates it.
               ("meshgen.targets.openmetadata", "meshgen.targets.sql")}
    for module in sorted(modules):
        rel = Path(*module.split("."))
        path = ROOT / "src" / (str(rel) + ".py")
        if not path.exists():
            path = ROOT / "src" / rel / "__init__.py"
        others = {m for m in _imports(path) if any(m == o or m.startswith(o + ".") for o in modules - {module})}
        assert {(module, m) for m in others} <= allowed, f"{module} imports {sorted(others)}"


def test_no_schema_builder_imports_a_target():
    for path in sorted((ROOT / "src" / "meshgen" / "schemas").glob("*.py")):
        targets = {m for m in _imports(path) if m.startswith("meshgen.targets")}
        # base (names) until meshgen/naming.py lands; the lock file format is the product's.
        assert targets <= {"meshgen.targets.base", "meshgen.targets.protobuf_lock"}, (path.name, targets)
