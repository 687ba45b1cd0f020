"""Templates are declared on their targets: docs/templates.md lists them (generated, kept in
sync here), every variable a target passes is a declared one, and an override that overrides
nothing is a positioned warning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.render import TemplateRenderer, builtin_templates
from meshgen.docsite.render import TEMPLATES as DOCSITE_TEMPLATES, templates_markdown as docsite_templates_markdown
from meshgen.targets import builtin_targets, declared_templates, templates_markdown
from meshgen.targets.base import Target

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "templates.md"
BEGIN, END = "<!-- generated: templates -->\n", "<!-- end generated: templates -->\n"
DOCS_BEGIN, DOCS_END = "<!-- generated: docsite templates -->\n", "<!-- end generated: docsite templates -->\n"
ALL_TYPES = ROOT / "tests" / "fixtures" / "all_types"


def test_docs_list_every_declared_template():
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    assert generated == templates_markdown(), "regenerate docs/templates.md's generated section"
    docsite = text[text.index(DOCS_BEGIN) + len(DOCS_BEGIN):text.index(DOCS_END)]
    assert docsite == docsite_templates_markdown(), "regenerate docs/templates.md's docs site section"


def test_every_builtin_template_is_declared_by_a_target():
    declared = set(declared_templates())
    assert declared <= builtin_templates()
    assert set(DOCSITE_TEMPLATES) <= builtin_templates()  # the docs site's, declared in meshgen.docsite.render
    assert builtin_templates() - declared - set(DOCSITE_TEMPLATES) == {"init/dataproduct.yaml.j2"}  # meshgen init's


def _mesh(tmp_path: Path, config: str = "") -> Path:
    mesh = tmp_path / "mesh"
    shutil.copytree(ALL_TYPES, mesh / "testing" / "all_types")
    product = mesh / "testing" / "all_types" / "dataproduct.yaml"
    with product.open("a", encoding="utf-8") as f:  # every port kind, so every template renders
        f.write("  - {name: everything-api, type: rest, dataset: everything}\n")
    (mesh / "meshgen.yaml").write_text("name: t\n" + config, encoding="utf-8")
    return mesh


def test_each_target_passes_exactly_its_declared_variables(tmp_path, monkeypatch):
    seen: dict[str, set[str]] = {}
    original = TemplateRenderer.render

    def recording(self, template_name, /, **context):
        seen.setdefault(template_name, set()).update(context)
        return original(self, template_name, **context)

    monkeypatch.setattr(TemplateRenderer, "render", recording)
    # a target writes what a built-in template would without Jinja (datahub's mcps.json): here it renders
    monkeypatch.setattr(Target, "renders_builtin", lambda self, template: False)
    targets = [t for t in builtin_targets() if t != "pydantic"]  # pydantic needs the extra: below
    try:
        import datamodel_code_generator  # noqa: F401
        targets.append("pydantic")
    except ImportError:
        pass
    build(_mesh(tmp_path), output=tmp_path / "out", targets=targets)
    declared = declared_templates()
    for template, names in seen.items():
        assert names == {v for v, _ in declared[template][0].variables}, template
    expected = {t for t, (_, users) in declared.items() if set(users) & set(targets)}
    assert set(seen) == expected


def test_an_override_that_overrides_nothing_is_a_positioned_warning(tmp_path):
    mesh = _mesh(tmp_path, "templates: overrides\n")
    (mesh / "overrides" / "avro").mkdir(parents=True)
    (mesh / "overrides" / "avro" / "schema.avro.j2").write_text("typo\n", encoding="utf-8")
    (mesh / "overrides" / "avro" / "README.md").write_text("not a template\n", encoding="utf-8")
    (mesh / "overrides" / "jsonschema").mkdir()
    (mesh / "overrides" / "jsonschema" / "schema.json.j2").write_text('{"overridden": true}\n', encoding="utf-8")
    result = build(mesh, output=tmp_path / "out", targets=["avro", "jsonschema"])
    found = [d for d in result.diagnostics.items if d.code.startswith("TPL")]
    assert [(d.code, d.severity.label) for d in found] == [("TPL003", "warning")]
    assert found[0].location.file.endswith("overrides/avro/schema.avro.j2")
    assert "avro/schema.avsc.j2" in found[0].hint
    [written] = (tmp_path / "out").rglob("*.schema.json")
    assert written.read_text(encoding="utf-8") == '{"overridden": true}\n'  # the real override is used


@pytest.mark.parametrize("template", sorted(builtin_templates()))
def test_builtin_templates_exist_inside_the_package(template):
    from meshgen.render import builtin_template_dir

    assert (builtin_template_dir() / template).is_file()
