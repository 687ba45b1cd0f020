"""Values from the event stream: the policy holds whichever parser produced the events, and
refusals that only a composer used to find (a second document, an alias of no anchor) still
come out as positioned diagnostics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import events as ruamel_events
from ruamel.yaml.error import YAMLError

from meshgen.errors import InputError
from meshgen.load import yaml_source
from meshgen.load.builder import EventClasses
from meshgen.load.yaml_source import _yaml, parse_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"


def refusals(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "p.yaml")
    return [(d.code, d.location.line, d.location.column) for d in caught.value.diagnostics]


@pytest.mark.parametrize("text, expected", [
    ("a: &x 1\n*x : 2\n", [("LOAD004", 2, 1)]),              # an alias as a key (was read as the key "1")
    ("&k a: 1\nb: *k\n", [("LOAD004", 2, 4)]),               # an alias of a key's anchor
    ("a: &x [1]\nb: {c: *x}\n", [("LOAD004", 2, 8)]),
    ("a: *nope\n", [("LOAD001", 1, 4)]),                      # an alias of no anchor
    ("a: 1\n---\nb: 2\n", [("LOAD001", 2, 1)]),               # a second document
    ("a: !!python/object:os.system x\nb: *y\n", [("LOAD001", 2, 4)]),
    ("a: {<<: {b: 1}}\n", [("LOAD004", 1, 5)]),
    ("a: 1\nb: [x, {a: 1, a: 2}]\n", [("LOAD002", 2, 15)]),
])
def test_what_the_policy_refuses_is_positioned(text, expected):
    assert refusals(text) == expected


def test_the_first_alias_is_reported_even_inside_a_refused_node():
    assert refusals("a: &x 1\nb: !foo [*x]\n") == [("LOAD004", 2, 10), ("LOAD003", 2, 4)]


def test_deep_nesting_that_libyaml_of_ruamel_rejected_is_refused_not_crashed():
    # ruamel.yaml.clib's libyaml rejects the flow colon, so the old depth pre-pass gave up on it;
    # a C composer would have recursed 30,000 times. A real process: a crash shows as such.
    code = ("from meshgen.load.yaml_source import parse_yaml\nfrom meshgen.errors import InputError\n"
            "text = 'a: {u: data://x/y/v1, v: ' + '[' * 30000 + ']' * 30000 + '}\\n'\n"
            "try:\n    parse_yaml(text, 'p.yaml')\nexcept InputError as e:\n"
            "    print([(d.code, d.location.line, d.location.column) for d in e.diagnostics])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    first = len("a: {u: data://x/y/v1, v: ") + 1  # the column of the first "[", at depth 2
    assert proc.stdout.strip() == str([("LOAD008", 1, first + 63)])  # the one at depth 65


def product_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.rglob("*.yaml"))]
    assert len(texts) >= 3
    return texts


@pytest.mark.parametrize("binding", ["ruamel.yaml.clib", "pure only"])
def test_every_binding_reads_the_same_values_and_positions(monkeypatch, binding):
    """Where PyYAML has no libyaml binding, ruamel.yaml.clib's parser (or only the pure one)
    feeds the same builder: the same data and source map, flow colons included."""
    texts = product_texts() + ["m: {u: data://x/y/v1, v: [a:b, 010, no, 1.50]}\n"]
    expected = [(d.data, d.source.values, d.source.keys) for d in (parse_yaml(t, "p.yaml") for t in texts)]
    fast = _yaml(pure=False)
    other = (fast.parse, EventClasses.of(ruamel_events), (YAMLError,)) if binding == "ruamel.yaml.clib" else None
    monkeypatch.setitem(yaml_source._PARSERS, "libyaml", other)
    assert [(d.data, d.source.values, d.source.keys) for d in (parse_yaml(t, "p.yaml") for t in texts)] == expected


@pytest.mark.parametrize("stopped", ["%FOO bar\n---\na: *nope\n", "%FOO bar\n---\na: " + "[" * 600 + "]" * 600 + "\n"])
def test_a_stream_the_builder_stops_early_leaves_the_parser_ready_for_the_next_file(stopped):
    # libyaml refuses the unknown directive, so ruamel's pure parser reads these files; the builder
    # stops at the alias of no anchor, or at the first collection too deep
    next_file = "%FOO bar\n---\na: {b: [1, 2]}\n"
    for _ in range(2):
        with pytest.raises(InputError):
            parse_yaml(stopped, "p.yaml")
        assert parse_yaml(next_file, "p.yaml").data == {"a": {"b": [1, 2]}}
