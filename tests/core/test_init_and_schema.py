"""`meshgen init`, the published JSON Schema and the generated spec reference."""

from __future__ import annotations

import json

import pytest

from meshgen.load.yaml_source import load_yaml
from meshgen.model.jsonschema import product_json_schema, product_json_schema_text
from meshgen.model.reference import reference_markdown
from tests.conftest import FULL_VOCABULARY, need, need_module, REFERENCE, ROOT, SPECS


def test_init_scaffolds_a_product_that_builds_valid_avro(cli, tmp_path):
    fastavro = need_module("fastavro")
    result = cli("init", tmp_path, "--domain", "sales", "--name", "leads", "--owner-team", "sales-team", "--no-input")
    assert result.exit_code == 0, result.output
    product = tmp_path / "sales/leads/v1/dataproduct.yaml"
    assert product.is_file()
    first = product.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema_file = (product.parent / first.split("=", 1)[1]).resolve()
    assert schema_file == (tmp_path / "dataproduct.schema.json").resolve()
    assert json.loads(schema_file.read_text())["title"] == "meshgen/v1 DataProduct"

    result = cli("build", tmp_path, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [d for d in json.loads(result.stdout) if d["severity"] == "error"] == []
    avsc = tmp_path / "out/sales/leads/v1/avro/leads.avsc"
    fastavro.parse_schema(json.loads(avsc.read_text()))


def test_init_prompts_when_flags_are_missing(cli, tmp_path):
    from click.testing import CliRunner

    from meshgen.cli import cli as group

    result = CliRunner().invoke(group, ["init", str(tmp_path)], input="crm\ncontacts\n\n\n")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "crm/contacts/v1/dataproduct.yaml").read_text()
    assert 'team: "crm-team"' in text and 'name: "contacts"' in text


@pytest.mark.parametrize("args", [
    ["--domain", "Bad Domain", "--name", "x", "--owner-team", "t"],
    ["--domain", "d", "--name", "../x", "--owner-team", "t"],
    ["--domain", "d", "--name", "x\"; rm -rf /", "--owner-team", "t"],
])
def test_init_rejects_bad_names(cli, tmp_path, args):
    result = cli("init", tmp_path, *args, "--no-input")
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_to_overwrite(cli, tmp_path):
    args = ["init", tmp_path, "--domain", "d", "--name", "n", "--owner-team", "t", "--no-input"]
    assert cli(*args).exit_code == 0
    assert cli(*args).exit_code == 2
    assert cli(*args, "--force").exit_code == 0


def test_init_without_no_input_fails_cleanly_on_missing_values(cli, tmp_path):
    result = cli("init", tmp_path, "--no-input")
    assert result.exit_code == 2
    assert "--domain is required" in result.output


def test_committed_json_schema_is_in_sync():
    committed = (ROOT / "docs" / "dataproduct.schema.json").read_text()
    assert committed == product_json_schema_text(), "run: meshgen schema -o docs/dataproduct.schema.json"


def test_committed_spec_reference_is_in_sync():
    committed = (ROOT / "docs" / "spec-reference.md").read_text()
    assert committed == reference_markdown(), "run: meshgen schema --markdown -o docs/spec-reference.md"


def test_schema_command_prints_the_schema(cli):
    result = cli("schema")
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _product_files():
    return sorted(SPECS.rglob("dataproduct.yaml")) + [FULL_VOCABULARY, REFERENCE]


@pytest.mark.parametrize("path", _product_files(), ids=lambda p: str(p.relative_to(p.parents[3])))
def test_published_schema_accepts_every_valid_product(path):
    """What editors underline must agree with what meshgen accepts."""
    jsonschema = need_module("jsonschema")
    if path == REFERENCE:  # ../shared: an interop check, present in CI
        need(REFERENCE.is_file(), f"the reference spec at {REFERENCE}")
    doc = load_yaml(path)
    jsonschema.Draft202012Validator(product_json_schema()).validate(doc.data)


def test_published_schema_is_a_valid_draft_2020_12_schema():
    jsonschema = need_module("jsonschema")
    jsonschema.Draft202012Validator.check_schema(product_json_schema())


def test_published_schema_rejects_unknown_keys():
    jsonschema = need_module("jsonschema")
    data = load_yaml(ROOT / "tests/core/bad_inputs/unknown_key.yaml").data
    errors = list(jsonschema.Draft202012Validator(product_json_schema()).iter_errors(data))
    assert any("requierd" in e.message for e in errors)


def test_every_reference_key_is_in_the_models():
    """The normative vocabulary: every key of the reference file is accepted by the models."""
    from meshgen.model.loader import load_product

    need(REFERENCE.is_file(), f"the reference spec at {REFERENCE}")
    pf, diagnostics = load_product(REFERENCE)
    assert pf is not None and [d for d in diagnostics if d.severity.name == "ERROR"] == []
    assert pf.product.address == "data://checkout/orders/v1"
