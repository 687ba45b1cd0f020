"""The fast path (libyaml events, meshgen's YAML 1.2 scalar table, no node tree) reads what the
full path reads: ruamel.yaml's pure YAML 1.2 composer with its own resolver and constructor.

Generated scalars are resolved both ways; generated documents (block and flow, numbers, YAML 1.1
forms, colons in flow collections) give the same values and the same positions of every key and
value both ways.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from meshgen.errors import InputError
from meshgen.load import scalars
from meshgen.load.yaml_source import _libyaml, _yaml, parse_yaml

FORMS = ["yes", "no", "on", "Off", "y", "N", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false",
         "0o17", "0o8", "010", "09", "0x1F", "0xg", "0b101", "0b2", "1_000", "_1", "12:30:00", "190:20:30.15",
         "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-1-1 1:02:03", "2001-12-14 21:59:43.10 Z", ".inf", "-.Inf",
         "+.INF", ".NaN", ".nan", "1e400", "1.", ".5", ".5e3", ".5e+3", "1e3", "1E+3", "-0", "+1", "-_", "0b", "0x_",
         "=", "<<", "data://x/y/v1", "a:b", "n", "t", ".", "+", "1.2.3", "0.1_5"]
NUMBERS = st.from_regex(r"\A[-+]?(0[xob])?[0-9a-fA-F_]{0,4}(\.[0-9_]{0,3})?([eE][-+]?[0-9]{0,3})?\Z")
SCALARS = st.one_of(st.sampled_from(FORMS), NUMBERS.filter(lambda t: t not in ("", "-", "+")))


def ruamel_value(node):
    """What ruamel.yaml's YAML 1.2 constructor makes of a scalar node (the oracle), or an error."""
    constructor = _yaml(pure=True).constructor
    tag = str(node.tag)
    try:
        if tag == scalars.INT:
            return constructor.construct_yaml_int(node)
        if tag == scalars.FLOAT:
            return ("float", repr(constructor.construct_yaml_float(node)), node.value)
    except Exception:
        return "unreadable"
    if tag == scalars.BOOL:
        return node.value.lower() == "true"
    if tag == scalars.NULL:
        return None
    return ("refused", tag) if tag not in scalars.CORE_TAGS else node.value


def ruamel_document(text: str):
    """(data, positions of values, positions of keys) as ruamel's pure composer reads `text`."""
    values, keys = {}, {}

    def walk(node, path):
        values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, ScalarNode):
            return ruamel_value(node)
        if isinstance(node, SequenceNode):
            return [walk(child, path + (i,)) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        out = {}
        for key_node, value_node in node.value:
            key = key_node.value
            keys[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = walk(value_node, path + (key,))
        return out

    return walk(_yaml(pure=True).compose(text), ()), values, keys


def comparable(value):
    if isinstance(value, float):
        return ("float", repr(float(value)) if not math.isnan(value) else "nan", value.text)
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def oracle_comparable(value):
    if isinstance(value, tuple) and value[0] == "float":
        return ("float", "nan" if value[1] == "nan" else value[1], value[2])
    if isinstance(value, dict):
        return {k: oracle_comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [oracle_comparable(v) for v in value]
    return value


@settings(max_examples=400, deadline=None)
@given(SCALARS)
def test_a_plain_scalar_resolves_as_ruamels_yaml_12_resolver_says(text):
    from ruamel.yaml.nodes import ScalarNode as Node

    expected = str(_yaml(pure=True).resolver.resolve(Node, text, (True, False)))
    assert scalars.resolve_plain(text) == expected


def meshgen_or_error(text: str):
    try:
        doc = parse_yaml(text, "p.yaml")
    except InputError as exc:
        return {d.code for d in exc.diagnostics}
    return comparable(doc.data), doc.source.values, doc.source.keys


def expected_or_error(text: str):
    data, values, keys = ruamel_document(text)
    found = []

    def scan(value):
        if value == "unreadable":
            found.append("LOAD001")
        elif isinstance(value, tuple) and value[0] == "refused":
            found.append("LOAD003")
        elif isinstance(value, dict):
            [scan(v) for v in value.values()]
        elif isinstance(value, list):
            [scan(v) for v in value]

    scan(data)
    if found:
        return set(found)
    return oracle_comparable(data), values, keys


KEYS = st.from_regex(r"\A[a-z][a-z0-9_]{0,6}\Z")


def render(value, indent: int, flow: bool) -> str:
    """`value` (a tree of scalar texts) as YAML, in flow or block style."""
    if isinstance(value, str):
        return value
    if flow or not value:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {render(v, 0, True)}" for k, v in value.items()) + "}"
        return "[" + ", ".join(render(v, 0, True) for v in value) + "]"
    pad = " " * indent
    lines = []
    for k, v in (value.items() if isinstance(value, dict) else ((None, v) for v in value)):
        lead = f"{pad}{k}:" if k is not None else f"{pad}-"
        if isinstance(v, str) or not v:
            lines.append(f"{lead} {render(v, 0, True)}")
        else:
            lines.append(f"{lead}\n{render(v, indent + 2, False)}")
    return "\n".join(lines)


TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12)
DOCUMENTS = st.tuples(st.dictionaries(KEYS, TREES, min_size=1, max_size=5), st.booleans())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_generated_documents_read_the_same_as_ruamels_composer(document):
    tree, flow = document
    text = render(tree, 0, flow) + "\n"
    assert meshgen_or_error(text) == expected_or_error(text), text


def test_the_fast_parser_is_libyaml_and_reads_yaml_12_flow_colons():
    events, classes, _ = _libyaml()
    text = "ports: [{product: data://checkout/orders/v1, fields: [a:b]}]\n"
    assert [e.value for e in events(text) if type(e) is classes.scalar] == [
        "ports", "product", "data://checkout/orders/v1", "fields", "a:b"]
    assert meshgen_or_error(text) == expected_or_error(text)
