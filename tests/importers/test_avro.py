"""`meshgen import avro`: meshgen's own Avro imports back as an equivalent spec (on every
product of the example mesh), positioned warnings for what the spec cannot carry, clear errors
for a file that is not an Avro schema."""

from __future__ import annotations

import json

import pytest

from meshgen import api
from meshgen.model.loader import load_product
from tests.importers.conftest import products_of
from tests.importers.equivalence import avro_view
from tests.support import SPECS

PRODUCTS = [p.relative_to(SPECS).parent for p in products_of(SPECS)]


@pytest.mark.parametrize("product", PRODUCTS, ids=str)
def test_meshgen_avro_imports_back_as_an_equivalent_spec(built_mesh, product, tmp_path):
    mesh, out = built_mesh
    original, _ = load_product(mesh / product / "dataproduct.yaml")
    files = sorted((out / product / "avro").glob("*.avsc"))
    order = [ds.name for ds in original.product.datasets]
    files.sort(key=lambda f: order.index(f.stem))
    result = api.import_product("avro", files, output=tmp_path / "dataproduct.yaml")
    imported, diagnostics = load_product(tmp_path / "dataproduct.yaml")
    assert imported is not None, diagnostics
    assert avro_view(imported.product) == avro_view(original.product)
    # meshgen's own output carries nothing Avro-specific the spec would lose
    assert [d.code for d in result.diagnostics if d.code != "IMP009"] == []


def test_what_the_spec_cannot_carry_is_a_warning_at_its_source_position(tmp_path):
    source = tmp_path / "events.avsc"
    source.write_text(json.dumps({
        "type": "record", "name": "Click", "namespace": "web.clicks.v3", "fields": [
            {"name": "id", "type": "string", "aliases": ["click_id"]},
            {"name": "value", "type": ["null", "string", "long"]},
            {"name": "hash", "type": {"type": "fixed", "name": "Md5", "size": 16}},
        ]}, indent=2), encoding="utf-8")
    result = api.import_product("avro", [source])
    found = {(d.code, d.location.line, d.location.column) for d in result.diagnostics}
    lines = source.read_text().splitlines()
    aliases_line = next(i for i, line in enumerate(lines, 1) if '"aliases"' in line)
    assert ("IMP002", aliases_line, lines[aliases_line - 1].index('"aliases"') + 1) in found
    assert {"IMP003"} <= {d.code for d in result.diagnostics}
    assert all(d.location.file.endswith("events.avsc") for d in result.diagnostics)
    assert result.product["domain"] == "web" and result.product["name"] == "clicks"
    assert result.product["version"] == "3.0.0"
    fields = {f["name"]: f for f in result.product["datasets"][0]["fields"]}
    assert fields["value"]["type"] == "json" and "required" not in fields["value"]  # false, the default
    assert fields["hash"]["type"] == "bytes"


@pytest.mark.parametrize("text, where", [
    ('{"type": "record", "name": "X"}', (1, 1)),
    ('{"type": "record", "name": "X", "fields": [\n  {"name": "a"}\n]}', (2, 3)),
    ('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "Nope"}]}', (1, 66)),  # at "Nope"
    ('[1, 2]', (1, 1)),
    ('{"type": "record", "name": "X", "fields": [', (1, 44)),  # where the unclosed list ends
])
def test_a_file_that_is_not_an_avro_schema_is_a_clear_error(cli, tmp_path, text, where):
    source = tmp_path / "bad.avsc"
    source.write_text(text, encoding="utf-8")
    result = cli("import", "avro", source, "--format", "json")
    assert result.exit_code == 2, result.output
    found = json.loads(result.output)
    assert found and found[0]["code"] in ("IMP001", "LOAD001")
    assert (found[0]["line"], found[0]["column"]) == where
    assert "Traceback" not in result.output


def test_output_is_written_atomically_and_never_overwritten_without_force(cli, tmp_path):
    source = tmp_path / "a.avsc"
    source.write_text('{"type": "record", "name": "A", "namespace": "s.a.v1", "fields": [{"name": "x", '
                      '"type": "int"}]}', encoding="utf-8")
    target = tmp_path / "out" / "dataproduct.yaml"
    first = cli("import", "avro", source, "-o", target)
    assert first.exit_code == 0, first.output
    assert "apiVersion: meshgen/v1" in target.read_text()
    target.write_text("kept\n")
    second = cli("import", "avro", source, "-o", target)
    assert second.exit_code == 2 and "IMP005" in second.output
    assert target.read_text() == "kept\n"
    third = cli("import", "avro", source, "-o", target, "--force")
    assert third.exit_code == 0 and "apiVersion" in target.read_text()
    assert [p.name for p in target.parent.iterdir()] == ["dataproduct.yaml"]  # no temporary left


def test_without_output_the_spec_is_the_only_thing_on_stdout(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "a.avsc"
    source.write_text('{"type": "record", "name": "A", "fields": [{"name": "x", "type": "int", "order": "ascending"}]}',
                      encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "meshgen", "import", "avro", str(source), "--domain", "sales"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# Imported by `meshgen import avro`")
    assert "IMP002" in run.stderr and "IMP002" not in run.stdout
    (tmp_path / "p.yaml").write_text(run.stdout)
    pf, diagnostics = load_product(tmp_path / "p.yaml")
    assert pf is not None and pf.product.domain == "sales", diagnostics
