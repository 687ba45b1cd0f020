"""The one serializer (meshgen.serializer): JSON and YAML that read back to the same value,
for every hostile string, and the only place targets turn data into JSON or YAML text."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from meshgen.serializer import csv_document, json_document, json_text, yaml_document

SRC = Path(__file__).resolve().parents[2] / "src" / "meshgen"
HOSTILE = ["quote \" back \\ slash", "tab\tvt\x0bff\x0ccr\rnl\n", "sep\u2028para\u2029", "bell\x07esc\x1b del\x7f",
           "c1 \x85\x9f", "bom \ufeff zw \u200b rtl \u202e", "astral \U0001f600", "{{ jinja }} {% x %}", "yes", "010",
           "- item", "key: value", "#comment", "@at", "'single'", "*/ /* -- //", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_json_and_yaml_read_back_every_hostile_string(text):
    value = {"b": [text, 1, 2.5, None, True], "a": {text or "empty": text}}
    for out in (json_text(value), json_text(value, compact=True), json_document(value)):
        assert json.loads(out) == value
        assert "\u2028" not in out and "\u2029" not in out  # one value per line, in JS and editors too
    assert YAML(typ="safe", pure=True).load(yaml_document(value)) == value


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_reads_back_every_hostile_string_as_universal_newlines_read_it(text, tmp_path):
    import csv

    path = tmp_path / "records.csv"
    path.write_text(csv_document(["a", "b"], [[text, "x,y"], [None, 3]]), encoding="utf-8")
    with path.open(encoding="utf-8") as f:  # no newline="": as the CSV readers of other tools open files
        rows = list(csv.DictReader(f))
    assert rows == [{"a": text.replace("\r\n", "\n").replace("\r", "\n"), "b": "x,y"}, {"a": "", "b": "3"}]


def test_json_is_sorted_and_final_newline_only_on_documents():
    assert json_text({"b": 1, "a": 2}) == '{\n  "a": 2,\n  "b": 1\n}'
    assert json_text({"b": 1, "a": "é"}, compact=True) == '{"a":"é","b":1}'
    assert json_text({"b": 1, "a": 2}, compact=True, sort_keys=False) == '{"b":1,"a":2}'
    assert json_document([]) == "[]\n"


def test_targets_and_schemas_serialize_only_through_the_serializer():
    offenders = []
    for folder in ("targets", "schemas"):
        for path in sorted((SRC / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("dumps", "dump") and \
                        isinstance(node.value, ast.Name) and node.value.id in ("json", "yaml"):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("keys", ["names", "any"])
def test_yaml_block_writer_writes_ruamels_bytes_for_generated_documents(keys):
    """yaml_document writes the block structure itself and leaves some scalars (or a whole
    unusual document) to ruamel; the bytes must be ruamel's for any document. With `names` keys
    the documents are the shapes the writer handles (most examples take its own path)."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    from meshgen.serializer import _ruamel_document

    alphabet = st.sampled_from(list("aZ09_ ./()-,:#'\"?!&*|>%@`[]{}~\t\n\\") + ["\x07", "\x85", "\u2028", "é", "\U0001f600"])
    words = st.sampled_from(["true", "Null", "yes", "no", "1", "1.5", "0x1F", "2001-12-14", ".inf", "~", "-", "---",
                             "a b", "a  b", "it's", "a: b", "a #b", "...x", "- a", "? a", ":", "a:", " #", "a\\\"b", "x" * 200, "y " * 600, "z" * 1001, ""])
    text = st.one_of(st.text(alphabet, max_size=12), words)
    key = st.from_regex(r"[a-z][a-zA-Z0-9_]{0,8}", fullmatch=True) if keys == "names" else text
    scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                       st.floats(allow_nan=False, allow_infinity=False), text)
    if keys == "names":
        value = st.recursive(scalar, lambda inner: st.one_of(
            st.lists(st.one_of(scalar, st.dictionaries(key, inner, max_size=3)), max_size=4),
            st.dictionaries(key, inner, max_size=4)), max_leaves=20)
    else:
        value = st.recursive(scalar, lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)), max_leaves=20)

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(document=st.dictionaries(key, value, min_size=1, max_size=5), sort_keys=st.booleans())
    def same_bytes(document, sort_keys):
        assert yaml_document(document, sort_keys=sort_keys) == _ruamel_document(document, sort_keys)

    same_bytes()


def test_yaml_scalars_ruamel_quoted_once_keep_their_own_text():
    """The floats and strings ruamel quotes are remembered per process (one ruamel dump each, not
    one per document): a second document, and equal floats of another sign, still get ruamel's
    text (0.0 and -0.0 are equal as keys)."""
    from meshgen.serializer import _ruamel_document

    first = {"a": 0.0, "b": -0.0, "c": [99.5, 1e-05, 1e20], "d": "café"}
    second = {"x": [-0.0, 0.0], "y": {"z": 1e20, "w": "café", "v": "thé"}, "u": 99.5}
    for document in (first, second, first):
        assert yaml_document(document) == _ruamel_document(document, False)
    assert "b: -0.0\n" in yaml_document(first) and "a: 0.0\n" in yaml_document(first)


def test_indented_json_is_json_dumps_byte_for_byte():
    """json_text writes indented JSON itself (json's indented encoder is pure Python and slow);
    the bytes must be json.dumps's for any document, including the ones it hands back to it."""
    import json

    from hypothesis import HealthCheck, given, settings, strategies as st

    from meshgen.serializer import _indented_json

    text = st.text(st.sampled_from(list("aZ09 \"\\/\n\t\x00\x7fé\u2028\U0001f600")), max_size=6)
    scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(), text)
    value = st.recursive(scalar, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(text, inner, max_size=4),
        st.dictionaries(st.integers(0, 3), inner, max_size=2),
        st.dictionaries(st.one_of(text, st.integers(0, 3)), inner, max_size=3)), max_leaves=25)

    @settings(max_examples=400, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(document=value, indent=st.sampled_from([1, 2, 4]), sort_keys=st.booleans())
    def same_bytes(document, indent, sort_keys):
        try:
            expected = json.dumps(document, indent=indent, sort_keys=sort_keys, ensure_ascii=False,
                                  separators=(",", ": "))
        except TypeError:  # keys of mixed types cannot be sorted: json.dumps's own error, kept
            with pytest.raises(TypeError):
                _indented_json(document, indent, sort_keys)
            return
        assert _indented_json(document, indent, sort_keys) == expected

    same_bytes()
