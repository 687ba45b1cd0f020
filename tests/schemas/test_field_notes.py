"""What a format cannot express about many fields of one record, message or table is one note a
code (naming 20 fields and counting the rest), not one a field: a 100,000-field dataset made
100,000 notes, each positioned, sorted and reported. One field keeps its own note."""

from __future__ import annotations

from collections import Counter

from meshgen import api
from meshgen.diagnostics import Location
from meshgen.schemas.reporter import LISTED, FieldNotes, Reporter, listed
from tests.support.products import one_dataset_product

MANY = 45


def _check(tmp_path, lines: str, targets: list[str], config: str = ""):
    product = tmp_path / "mesh" / "dataproduct.yaml"
    product.parent.mkdir(exist_ok=True)
    (product.parent / "meshgen.yaml").write_text('governance: {rules: {naming: "off"}}\n' + config)
    product.write_text(one_dataset_product(lines))
    result = api.check(product, targets=targets)
    assert not result.diagnostics.has_errors, [d.message for d in result.diagnostics]
    return list(result.diagnostics)


def test_listed_names_at_most_twenty_and_counts_the_rest():
    names = [f"f{i}" for i in range(MANY)]
    text = listed(names)
    assert text.startswith("f0, f1, ") and f"f{LISTED - 1} and {MANY - LISTED:,} more" in text
    assert f"f{LISTED}," not in text
    assert listed(["a", "b"]) == "a, b"


def test_one_field_keeps_its_note_and_many_are_one():
    reporter = Reporter()
    notes = FieldNotes()
    notes.add("X001", "'a'", "field 'a' is odd", Location("p.yaml", 3, 1), "fix it")
    notes.report(reporter, {"X001": "{count} fields are odd: {listed}"})
    for i in range(3):
        notes.add("X001", f"'b{i}'", f"field 'b{i}' is odd", Location("p.yaml", 10 + i, 1), "fix it")
    notes.report(reporter, {"X001": "{count} fields are odd: {listed}"})
    assert [(d.message, d.location.line) for d in reporter.diagnostics] == [
        ("field 'a' is odd", 3), ("3 fields are odd: 'b0', 'b1', 'b2'", 10)]


def test_avro_renames_are_one_note_a_record(tmp_path):
    lines = "".join(f"      - {{name: 'bad-{i}', type: string}}\n" for i in range(MANY))
    found = [d for d in _check(tmp_path, lines, ["avro"]) if d.code == "AVRO001"]
    assert len(found) == 1
    assert f"{MANY} field names are not valid Avro names" in found[0].message
    assert f"and {MANY - LISTED} more" in found[0].message
    assert found[0].location.line == one_dataset_product().count("\n") + 1  # the first renamed field


def test_proto3_presence_and_defaults_are_one_note_each_a_message(tmp_path):
    lines = "".join(f"      - {{name: tags_{i}, type: 'array<string>'}}\n" for i in range(MANY))
    lines += "".join(f"      - {{name: n_{i}, type: long, default: 7}}\n" for i in range(MANY))
    counts = Counter(d.code for d in _check(tmp_path, lines, ["protobuf"]))
    assert counts["PROTO003"] == 1 and counts["PROTO004"] == 1


def test_sql_column_notes_are_one_a_table_and_dialect(tmp_path):
    # BigQuery has no CHECK constraints (SQL006) and no UNIQUE (SQL003)
    lines = "".join(f"      - {{name: c_{i}, type: string, unique: true, minLength: 2}}\n" for i in range(MANY))
    found = [d for d in _check(tmp_path, lines, ["sql"], "targets:\n  sql:\n    dialects: [bigquery]\n")
             if d.code in ("SQL003", "SQL006")]
    assert sorted(d.code for d in found) == ["SQL003", "SQL006"], [d.message for d in found]
    assert all(f"{MANY} columns of things" in d.message and f"and {MANY - LISTED} more" in d.message for d in found)


def test_sql_protection_notes_are_one_a_table_and_dialect(tmp_path):
    # `encrypt` cannot be done by DDL: each protected column was its own SQL004, per dialect
    lines = "".join(f"      - {{name: c_{i}, type: string, pii: true, classification: confidential, protection: encrypt}}\n" for i in range(MANY))
    lines += "      - {name: alone, type: long, pii: true, classification: confidential, protection: hash}\n"  # Snowflake hashes only text
    found = [d for d in _check(tmp_path, lines, ["sql"], "targets:\n  sql:\n    dialects: [duckdb, snowflake]\n")
             if d.code == "SQL004"]
    by_dialect = {d.message.split(":")[0]: d for d in found}
    assert len(found) == 2 and set(by_dialect) == {"duckdb", "snowflake"}, [d.message for d in found]
    assert f"{MANY} protected columns of things" in by_dialect["duckdb"].message
    assert f"{MANY + 1} protected columns of things" in by_dialect["snowflake"].message
    assert "c_0 (`encrypt`)" in by_dialect["duckdb"].message and f"and {MANY - LISTED} more" in found[0].message
    assert by_dialect["duckdb"].location.line == one_dataset_product().count("\n") + 1  # the first such column
