"""The built-in templates made only of text and `{{ name | filter }}` are rendered without Jinja
(render.TemplateRenderer._render_pieces): the text must be Jinja's, byte for byte, and every
other template, an override, a missing name or a replaced filter still goes through Jinja."""

from __future__ import annotations

import pytest

from meshgen.errors import TemplateFailure
from meshgen.render import TemplateRenderer, _expression_pieces, builtin_template_dir, builtin_templates

# values of the kinds targets pass: nested data, text with quotes, breaks, non-ASCII, separators
VALUES = [
    {"type": "record", "name": "Ünïcode", "fields": [{"name": "a", "type": ["null", "long"], "default": None}]},
    "line one\nline two: 'quoted' \"double\" \u2028 */ {{ not jinja }}",
    ["x", 1, 2.5, True, None, {"nested": {"deep": []}}],
    12,
    None,
]


def _jinja(renderer: TemplateRenderer, name: str, **context) -> str:
    """What Jinja renders, as TemplateRenderer.render finishes it (a final newline)."""
    text = renderer.env.get_template(name).render(**context)
    return text if text.endswith("\n") else text + "\n"


def _names(name: str) -> list[str]:
    return [n for _text, n, _filter in _expression_pieces(builtin_template_dir(), name) if n is not None]


SIMPLE = sorted(n for n in builtin_templates() if _expression_pieces(builtin_template_dir(), n) is not None)


def test_the_machine_formats_templates_are_the_simple_ones():
    assert {"avro/schema.avsc.j2", "datahub/mcps.json.j2", "odcs/contract.odcs.yaml.j2",
            "openmetadata/body.json.j2"} <= set(SIMPLE)
    assert _expression_pieces(builtin_template_dir(), "sql/table.sql.j2") is None  # blocks: Jinja renders it
    assert _expression_pieces(builtin_template_dir(), "dbt/models.yml.j2") is None  # two filters in a row


@pytest.mark.parametrize("name", SIMPLE)
@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_pieces_render_what_jinja_renders(name, value):
    renderer = TemplateRenderer()
    context = {n: value for n in _names(name)}
    assert renderer._render_pieces(name, context) is not None
    assert renderer.render(name, **context) == _jinja(renderer, name, **context)


def test_a_missing_name_is_jinjas_failure():
    with pytest.raises(TemplateFailure) as failure:
        TemplateRenderer().render("avro/schema.avsc.j2", other={})
    assert failure.value.diagnostics[0].code == "TPL002"


def test_an_override_replaced_filter_or_finalize_goes_through_jinja(tmp_path):
    (tmp_path / "avro").mkdir()
    (tmp_path / "avro" / "schema.avsc.j2").write_text('{"overridden": {{ schema | tojson }}}\n')
    assert TemplateRenderer(tmp_path).render("avro/schema.avsc.j2", schema=1) == '{"overridden": 1}\n'
    replaced = TemplateRenderer()
    replaced.env.filters["tojson"] = lambda value: "replaced"
    assert replaced.render("avro/schema.avsc.j2", schema=1) == "replaced\n"
    finalized = TemplateRenderer()
    finalized.env.finalize = lambda value: "final"
    assert finalized.render("avro/schema.avsc.j2", schema=1) == "final\n"
