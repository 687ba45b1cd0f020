"""Every dialect writes a type for every kind of the grammar (a new kind fails here, not in a
user's build), and docs/targets-sql.md shows the table the dialects generate."""

from __future__ import annotations

import pytest

from meshgen.dialects import DIALECTS, dialect
from meshgen.dialects.docs import BEGIN, END, SAMPLES, type_table
from meshgen.model.models import SchemaField
from meshgen.model.types import Kind
from tests.conftest import ROOT


def test_the_samples_cover_every_kind():
    kinds = {SchemaField.model_validate({"name": "x", **spec}).data_type.kind for _, spec in SAMPLES}
    assert kinds == set(Kind)


@pytest.mark.parametrize("name", sorted(DIALECTS))
@pytest.mark.parametrize("label,spec", SAMPLES, ids=[label for label, _ in SAMPLES])
def test_every_dialect_maps_every_kind(name, label, spec):
    field = SchemaField.model_validate({"name": "x", **spec})
    losses: list[str] = []
    sql = dialect(name).column_type(field.data_type, losses, "x", field.maxLength)
    assert sql and sql.strip() == sql
    # What a dialect writes back reads as a meshgen type, or the loss was reported.
    assert dialect(name).meshgen_type(sql) is not None or losses or field.data_type.kind in (Kind.STRUCT, Kind.ENUM)


def test_the_docs_show_the_generated_type_table():
    page = (ROOT / "docs" / "targets-sql.md").read_text(encoding="utf-8")
    committed = page[page.index(BEGIN):page.index(END) + len(END)]
    assert committed == type_table(), "run `python -m meshgen.dialects.docs` and paste it into docs/targets-sql.md"
