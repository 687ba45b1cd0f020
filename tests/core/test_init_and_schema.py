"""`meshgen init`, the published JSON Schema and the generated spec reference."""

from __future__ import annotations

import json

import pytest

from meshgen.load.yaml_source import load_yaml
from meshgen.model.jsonschema import product_json_schema, product_json_schema_text
from meshgen.model.reference import reference_markdown
from tests.conftest import FULL_VOCABULARY, need_module, need_shared, REFERENCE, ROOT, SPECS


def test_init_scaffolds_a_product_that_builds_valid_avro(cli, tmp_path):
    fastavro = need_module("fastavro")
    result = cli("init", tmp_path, "--domain", "sales", "--name", "leads", "--owner-team", "sales-team",
                 "--owner-email", "sales-data@example.com", "--purpose", "Leads from the web form.", "--no-input")
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


def _init_with_answers(directory, answers: list[str], *flags: str):
    """Run `meshgen init` interactively, answering its prompts in order."""
    from click.testing import CliRunner

    from meshgen.cli import cli as group

    return CliRunner().invoke(group, ["init", str(directory), *flags], input="".join(a + "\n" for a in answers))


def test_init_prompts_when_flags_are_missing(tmp_path):
    # domain, name, owner team, owner e-mail, dataset, purpose; empty: take the default
    result = _init_with_answers(tmp_path, ["crm", "contacts", "", "crm@example.com", "", "Everyone we talk to."])
    assert result.exit_code == 0, result.output
    for prompt in ("domain", "name", "owner team", "owner email", "dataset", "purpose"):
        assert f"{prompt}" in result.output
    text = (tmp_path / "crm/contacts/v1/dataproduct.yaml").read_text()
    assert 'team: "crm-team"' in text and 'name: "contacts"' in text
    assert 'email: "crm@example.com"' in text and 'purpose: "Everyone we talk to."' in text


def test_init_asks_again_after_a_bad_answer(tmp_path):
    answers = ["Bad Domain", "crm", "../x", "contacts", "Team!", "crm-team", "not-an-address", "crm@example.com",
               "", "Everyone we talk to."]
    result = _init_with_answers(tmp_path, answers)
    assert result.exit_code == 0, result.output
    assert "--domain 'Bad Domain': use snake_case" in result.output
    assert "--name '../x'" in result.output and "--owner-team 'Team!'" in result.output
    assert "--owner-email 'not-an-address': not an e-mail address" in result.output
    assert (tmp_path / "crm/contacts/v1/dataproduct.yaml").is_file()


def test_init_placeholders_fail_governance_until_replaced(tmp_path, cli):
    from meshgen.api import check

    assert cli("init", tmp_path, "--domain", "d", "--name", "n", "--owner-team", "t", "--no-input").exit_code == 0
    product = tmp_path / "d/n/v1/dataproduct.yaml"
    found = {(d.code, d.severity.name) for d in check(tmp_path).diagnostics.sorted()}
    assert found == {("OWN001", "ERROR"), ("DOC001", "ERROR")}
    text = product.read_text()
    assert "t@example.invalid" in text and "TODO: say why d/n exists" in text
    product.write_text(text.replace("t@example.invalid", "t@example.com")
                       .replace("TODO: say why d/n exists and what it holds.", "Every n of d."))
    assert check(tmp_path).diagnostics.sorted() == []


def test_init_from_a_domain_folder_writes_where_it_says(tmp_path, monkeypatch):
    mesh = tmp_path / "mesh"
    (mesh / "users").mkdir(parents=True)
    (mesh / "meshgen.yaml").write_text("name: m\n")
    monkeypatch.chdir(mesh / "users")
    result = _init_with_answers(".", [], "--domain", "users", "--name", "sessions", "--owner-team", "t", "--no-input")
    assert result.exit_code == 0, result.output
    reported = result.output.splitlines()[0].removeprefix("created ")
    assert (mesh / "users" / reported).resolve() == (mesh / "users/sessions/v1/dataproduct.yaml").resolve()
    assert (mesh / "users/sessions/v1/dataproduct.yaml").is_file() and not (mesh / "users/users").exists()


def test_init_refuses_a_place_the_mesh_would_not_find(tmp_path, monkeypatch):
    (tmp_path / "meshgen.yaml").write_text('products: ["products/**/dataproduct.yaml"]\n')
    result = _init_with_answers(tmp_path, [], "--domain", "d", "--name", "n", "--owner-team", "t", "--no-input")
    assert result.exit_code == 2 and "INIT003" in result.output
    assert not (tmp_path / "d").exists()
    result = _init_with_answers(tmp_path / "products", [], "--domain", "d", "--name", "n", "--owner-team", "t",
                                "--no-input")
    assert result.exit_code == 0, result.output


def test_init_uses_the_mesh_template_overrides(tmp_path):
    (tmp_path / "meshgen.yaml").write_text("templates: templates\n")
    override = tmp_path / "templates/init/dataproduct.yaml.j2"
    override.parent.mkdir(parents=True)
    builtin = (ROOT / "src/meshgen/templates/init/dataproduct.yaml.j2").read_text()
    override.write_text(builtin.replace("tags: []", "tags: [made-by-our-template]"))
    result = _init_with_answers(tmp_path, [], "--domain", "d", "--name", "n", "--owner-team", "t", "--no-input")
    assert result.exit_code == 0, result.output
    assert "tags: [made-by-our-template]" in (tmp_path / "d/n/v1/dataproduct.yaml").read_text()


@pytest.mark.parametrize("args", [
    ["--domain", "Bad Domain", "--name", "x", "--owner-team", "t"],
    ["--domain", "d", "--name", "../x", "--owner-team", "t"],
    ["--domain", "d", "--name", "x\"; rm -rf /", "--owner-team", "t"],
    # accepted before, then failed validate (tests/fuzz/test_init_names.py found them):
    ["--domain", "d", "--name", "select", "--owner-team", "t"],           # NAM002: the dataset is the name
    ["--domain", "d", "--name", "x", "--dataset", "user", "--owner-team", "t"],
    ["--domain", "a_", "--name", "x", "--owner-team", "t"],               # NAM001: not snake case
    ["--domain", "d", "--name", "a__b", "--owner-team", "t"],
    ["--domain", "d", "--name", "a" * 129, "--owner-team", "t"],          # SPEC004: over 128 characters
    ["--domain", "d", "--name", "x", "--owner-team", "t" * 129],
    ["--domain", "d", "--name", "x", "--owner-team", "t", "--purpose", "a\0b"],  # SPEC012: NUL
])
def test_init_rejects_bad_names(cli, tmp_path, args):
    result = cli("init", tmp_path, *args, "--no-input")
    assert result.exit_code == 2
    assert "error[INIT001]" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_accepts_a_name_that_is_no_reserved_dataset_once_the_dataset_is_given(cli, tmp_path):
    result = cli("init", tmp_path, "--domain", "d", "--name", "select", "--dataset", "selections",
                 "--owner-team", "t", "--owner-email", "t@example.com", "--purpose", "Why.", "--no-input")
    assert result.exit_code == 0, result.output
    assert cli("validate", tmp_path / "d/select/v1").exit_code == 0


def test_init_refuses_to_overwrite(cli, tmp_path):
    args = ["init", tmp_path, "--domain", "d", "--name", "n", "--owner-team", "t", "--no-input"]
    assert cli(*args).exit_code == 0
    assert cli(*args).exit_code == 2
    assert cli(*args, "--force").exit_code == 0


def test_init_without_no_input_fails_cleanly_on_missing_values(cli, tmp_path):
    result = cli("init", tmp_path, "--no-input")
    assert result.exit_code == 2
    assert "<command line>:1:1: error[INIT001] --domain is required" in result.output
    # given empty, a value is missing too (it was click's unpositioned usage error: the init fuzz test)
    result = cli("init", tmp_path, "--domain", "d", "--name", "", "--owner-team", "t", "--no-input")
    assert result.exit_code == 2 and "error[INIT001] --name is required" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


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
        need_shared(REFERENCE, "the reference spec")
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

    need_shared(REFERENCE, "the reference spec")
    pf, diagnostics = load_product(REFERENCE)
    assert pf is not None and [d for d in diagnostics if d.severity.name == "ERROR"] == []
    assert pf.product.address == "data://checkout/orders/v1"
