"""Values every artifact can hold: what no target can carry is refused at validate time, at
the position where it is written (before today's fixes these built, or crashed with exit 3)."""

from __future__ import annotations

import json

import pytest

from meshgen.model.portable import unholdable_values
from tests.hostile.product import HEAD, line_of, write_product


def errors_of(cli, path, command="validate"):
    result = cli(command, path, "--format", "json")
    found = [d for d in json.loads(result.stdout) if d["severity"] == "error"] if result.stdout.strip() else []
    return result.exit_code, found


@pytest.mark.parametrize("field, needle", [
    ("{name: x, type: double, minimum: .nan}", ".nan"),            # was exit 3
    ("{name: x, type: double, maximum: .inf}", ".inf"),
    ("{name: x, type: double, default: -.inf}", "-.inf"),
    ("{name: x, type: json, default: {a: [1, .nan]}}", ".nan"),   # deep inside a json value
])
def test_nan_and_inf_never_reach_an_artifact(cli, tmp_path, field, needle):
    tail = "    examples:\n      - {id: 1, x: 1.5}\n" if "json" not in field else ""
    path = write_product(tmp_path, f"      - {field}\n", tail)
    code, errors = errors_of(cli, path)
    assert code == 1
    assert [(e["code"], e["line"]) for e in errors] == [("SPEC012", line_of(path, needle))]
    assert needle in errors[0]["message"]
    code, _ = errors_of(cli, path, "build")
    assert code == 1 and not (tmp_path / "out").exists()


def test_a_nul_character_never_reaches_an_artifact(cli, tmp_path):
    # protoc rejects a .proto with NUL in a comment; PostgreSQL text cannot hold it
    path = write_product(tmp_path, '      - {name: note, type: string, description: "a\\0b"}\n')
    code, errors = errors_of(cli, path)
    assert code == 1
    assert [(e["code"], e["line"]) for e in errors] == [("SPEC012", line_of(path, "note"))]
    assert "NUL" in errors[0]["message"]


def test_lone_surrogates_and_keys_are_checked_too():
    # the YAML reader already refuses "\ud800" escapes; the check does not depend on it
    from meshgen.load.yaml_source import SourceMap

    found = unholdable_values({"a": ["x\ud800"], "b\x00": 1}, SourceMap("f"))
    assert sorted(d.message for d in found) == ["the key contains a NUL character",
                                                "the text contains a lone surrogate (not a Unicode character), "
                                                "which no artifact can carry"]


@pytest.mark.parametrize("field, message", [
    ("{name: code, type: string, maxLength: 2, default: abcdef}", "longer than maxLength 2"),
    ("{name: qty, type: int, minimum: 10, default: 1}", "below minimum 10"),
    ("{name: qty, type: 'decimal(5,2)', maximum: 100, default: '100.01'}", "above maximum 100"),
    ("{name: code, type: string, pattern: '^[A-Z]+$', default: abc}", "does not match pattern"),
    ("{name: code, type: string, minLength: 3, examples: [abcd, ab]}", "shorter than minLength 3"),
])
def test_a_default_or_example_meets_its_own_constraints(cli, tmp_path, field, message):
    path = write_product(tmp_path, f"      - {field}\n")
    code, errors = errors_of(cli, path)
    assert code == 1
    (error,) = errors
    assert error["code"] == "SPEC011" and message in error["message"]
    assert error["line"] == line_of(path, field[:12])
    # the column is the offending value's, not the field's
    assert error["column"] > path.read_text().splitlines()[error["line"] - 1].index("{") + 1


def test_a_valid_default_and_examples_pass(cli, tmp_path):
    path = write_product(tmp_path, "      - {name: code, type: string, maxLength: 3, pattern: '^[A-Z]+$', "
                                   "default: EUR, examples: [USD, GBP]}\n")
    assert errors_of(cli, path) == (0, [])


def test_a_primary_key_field_listed_twice(cli, tmp_path):
    path = write_product(tmp_path, head=HEAD.replace("primaryKey: [id]", "primaryKey: [id, id]"))
    code, errors = errors_of(cli, path)
    assert code == 1
    assert [(e["code"], e["line"], e["column"]) for e in errors] == [("REF006", line_of(path, "primaryKey"), 22)]


def test_a_length_above_the_ports_warehouse_maximum(cli, tmp_path):
    tail = ("outputPorts:\n  - {name: wh, type: table, dataset: ds, platform: postgres}\n")
    path = write_product(tmp_path, "      - {name: body, type: string, maxLength: 20000000}\n", tail)
    code, errors = errors_of(cli, path)
    assert code == 1
    (error,) = errors
    assert error["code"] == "SPEC014" and "postgres 10,485,760" in error["message"]
    assert error["line"] == line_of(path, "maxLength")
    # the same length is fine where no port puts it in such a warehouse
    path = write_product(tmp_path, "      - {name: body, type: string, maxLength: 20000000}\n")
    assert errors_of(cli, path) == (0, [])


def test_field_names_that_collide_after_case_folding(cli, tmp_path):
    fields = ("      - {name: note, type: string}\n      - {name: Note, type: string}\n"
              "      - {name: s, type: struct, fields: [{name: a-b, type: int}, {name: a_b, type: int}]}\n")
    path = write_product(tmp_path, fields)
    code, errors = errors_of(cli, path)
    assert code == 1
    assert [(e["code"], e["line"]) for e in errors] == [("SPEC013", line_of(path, "Note")),
                                                        ("SPEC013", line_of(path, "a_b"))]
    assert "'Note' of dataset 'ds' collides with 'note'" in errors[0]["message"]
    assert errors[0]["related"][0]["line"] == line_of(path, "name: note")


def test_dataset_names_that_collide_after_sanitizing(cli, tmp_path):
    tail = "".join(f"  - name: {n}\n    description: d\n    primaryKey: [id]\n"
                   f"    fields: [{{name: id, type: long, required: true}}]\n" for n in ("a_b", "a-b", "AB"))
    path = write_product(tmp_path, "", tail)
    code, errors = errors_of(cli, path)
    assert code == 1
    assert [(e["code"], e["line"]) for e in errors] == [("SPEC013", line_of(path, "name: a-b")),
                                                        ("SPEC013", line_of(path, "name: AB"))]
    assert "'AB'" in errors[1]["message"] and "PascalCase" in errors[1]["message"]


@pytest.mark.parametrize("domain", ["'a:b'", "'a b'"])
def test_a_domain_that_cannot_be_part_of_an_address(cli, tmp_path, domain):
    path = write_product(tmp_path, head=HEAD.replace("domain: d", f"domain: {domain}"))
    code, errors = errors_of(cli, path)
    assert code == 1
    assert [(e["code"], e["line"], e["column"]) for e in errors] == [("SPEC004", 3, 9)]
    assert "product address" in errors[0]["message"]
