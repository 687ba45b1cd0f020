"""Each dialect's type table read both ways: a meshgen type written as the dialect's SQL type
reads back as itself, unless the dialect stores several kinds in that one SQL type."""

from __future__ import annotations

import pytest

from meshgen.dialects import DIALECTS, dialect
from meshgen.model.types import parse_type

TYPES = ["string", "int", "long", "float", "double", "decimal(12,2)", "decimal(38,9)", "boolean", "date", "time",
         "timestamp", "timestamp_ntz", "bytes", "uuid", "json", "array<long>", "array<decimal(5,1)>", "map<double>"]


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_sql_types_read_back(name):
    d = dialect(name)
    written = {t: d.column_type(parse_type(t), [], "x") for t in TYPES}
    for t, sql in written.items():
        back = d.meshgen_type(sql)
        sharing = [u for u, other in written.items() if other == sql]
        if back is None:
            losses: list[str] = []
            d.column_type(parse_type(t), losses, "x")
            assert losses, (name, t, sql)  # only a lossy fallback may not read back
            continue
        parse_type(back)  # a type of meshgen's grammar
        stand_in = back == "string" and t in ("uuid", "json")  # stored as text: reads back as text
        assert back == t or (len(sharing) > 1 and back in sharing) or stand_in, (name, t, sql, back)


def test_aliases_read_back():
    assert dialect("postgres").meshgen_type("character varying(20)") == "string"
    assert dialect("postgres").meshgen_type("timestamp with time zone") == "timestamp"
    assert dialect("postgres").meshgen_type("numeric") is None  # unbounded: no meshgen decimal
    assert dialect("bigquery").meshgen_type("BIGNUMERIC(40, 20)") == "decimal(40,20)"
    assert dialect("databricks").meshgen_type("map<string, array<int>>") == "map<array<int>>"
    assert dialect("duckdb").meshgen_type("MAP(VARCHAR, BIGINT)") == "map<long>"
    assert dialect("duckdb").meshgen_type("MAP(INTEGER, BIGINT)") is None  # meshgen maps have string keys
