"""Valid YAML 1.2 that libyaml (a YAML 1.1 parser) rejects still loads: the pure parser decides.

Scalars resolve by YAML 1.2 whichever parser composed the document.
"""

from __future__ import annotations

import pytest
from ruamel.yaml.error import MarkedYAMLError

from meshgen.errors import InputError
from meshgen.load.yaml_source import _yaml, parse_yaml

FLOW_WITH_COLONS = "inputPorts: [{name: orders, product: data://checkout/orders/v1, fields: [order_id]}]\n"


def test_libyaml_is_installed_and_rejects_the_form():
    fast = _yaml(pure=False)
    assert fast is not _yaml(pure=True)
    with pytest.raises(MarkedYAMLError):
        fast.compose(FLOW_WITH_COLONS)


def test_a_flow_mapping_with_colons_in_plain_scalars_loads():
    data = parse_yaml(FLOW_WITH_COLONS, "p.yaml").data
    assert data == {"inputPorts": [{"name": "orders", "product": "data://checkout/orders/v1", "fields": ["order_id"]}]}


def test_positions_come_from_the_parser_that_read_the_file():
    doc = parse_yaml("a: 1\n" + FLOW_WITH_COLONS, "p.yaml")
    loc = doc.source.location(("inputPorts", 0, "product"))
    assert (loc.line, loc.column) == (2, FLOW_WITH_COLONS.index("data:") + 1)


# forms on which YAML 1.1 (libyaml's spec) and YAML 1.2 disagree, with the YAML 1.2 value
YAML_12 = [
    ("NO", "NO"), ("no", "no"), ("on", "on"), ("Off", "Off"), ("yes", "yes"), ("y", "y"),
    ("true", True), ("False", False),
    ("010", 10), ("0o10", 8), ("0x1F", 31), ("+1", 1), ("-0", 0),
    (".5", 0.5), ("1e3", 1000.0), ("~", None), ("null", None),
    ("'010'", "010"), ("2001-12-14", "2001-12-14"),
]


@pytest.mark.parametrize("text, value", YAML_12)
def test_yaml_12_scalars_with_either_parser(text, value):
    # alone (libyaml composes it) and inside a flow mapping with a colon (only the pure parser does)
    assert parse_yaml(f"v: {text}\n", "p.yaml").data["v"] == value
    both = parse_yaml(f"m: {{u: data://x/y/v1, v: {text}}}\n", "p.yaml").data["m"]
    assert both == {"u": "data://x/y/v1", "v": value}
    # a float keeps the text it was written with (YamlFloat, for exact decimals: issue 9.4)
    assert type(both["v"]) is type(value) or (type(value) is float and type(both["v"]).__mro__[1] is float)
    assert getattr(both["v"], "text", text) == text


def test_when_both_fail_the_pure_parsers_error_is_reported():
    text = "a: {b: data://x, c: [1, 2}\n"
    with pytest.raises(MarkedYAMLError) as pure_error:
        _yaml(pure=True).compose(text)
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "p.yaml")
    (diag,) = caught.value.diagnostics
    mark = pure_error.value.problem_mark
    assert diag.code == "LOAD001"
    assert pure_error.value.problem in diag.message
    assert (diag.location.line, diag.location.column) == (mark.line + 1, mark.column + 1)
