"""`meshgen test --create`: make a missing table from the sql target's DuckDB DDL and load the
dataset's `examples` into it, so the whole loop runs with nothing but DuckDB.

The DDL runs unchanged inside the product's own schema (so two versions never collide);
example values become DuckDB literals cast to the column's type, never text pasted into SQL.
"""

from __future__ import annotations

import json
from typing import Any

from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset
from meshgen.model.types import DataType, Kind
from meshgen.dialects import Dialect
from meshgen.targets.quality_checks import number
from meshgen.testing.connections import Engine, QueryFailed


def duckdb_ddl(pf: ProductFile, ds: Dataset) -> str:
    from meshgen.mesh.config import MeshConfig
    from meshgen.mesh.model import Mesh
    from meshgen.render import renderer_for
    from meshgen.targets.base import TargetContext
    from meshgen.targets.sql import SqlOptions, SqlTarget

    context = TargetContext(mesh=Mesh(pf.path.parent, MeshConfig(), None, [pf]), renderer=renderer_for(None))
    target = SqlTarget(context, SqlOptions(dialects=["duckdb"]))
    return next(a.content for a in target.generate(pf) if a.path == f"duckdb/{ds.name}.sql")


def create_and_load(engine: Engine, pf: ProductFile, ds: Dataset, table: str) -> str:
    d = engine.dialect
    if d.name != "duckdb":
        raise QueryFailed("--create works on DuckDB only; create the table with the sql target's DDL")
    engine.execute(duckdb_ddl(pf, ds))
    for row in ds.examples:
        engine.execute(insert_statement(d, ds, table, row))
    return table


def insert_statement(d: Dialect, ds: Dataset, table: str, row: dict[str, Any]) -> str:
    names, values = [], []
    for f in ds.fields:
        if f.name not in row:
            continue  # the column's DEFAULT (or NULL) applies
        losses: list[str] = []
        names.append(d.quote(f.name))
        sql_type = d.column_type(f.data_type, losses, f.name, f.maxLength)
        values.append(f"CAST({literal(d, row[f.name], f.data_type)} AS {sql_type})")
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)})"


def literal(d: Dialect, value: Any, t: DataType) -> str:
    """A DuckDB literal for an example value in its YAML form (the example checks ran on load)."""
    if value is None:
        return "NULL"
    kind = t.kind
    if kind is Kind.BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind in (Kind.INT, Kind.LONG, Kind.FLOAT, Kind.DOUBLE) and isinstance(value, (int, float)):
        return number(value)
    if kind is Kind.JSON:
        return d.literal(json.dumps(value, sort_keys=True, ensure_ascii=False))
    if kind is Kind.BYTES:
        return f"from_base64({d.literal(value)})"
    if kind is Kind.ARRAY:
        return "[" + ", ".join(literal(d, v, t.items) for v in value) + "]"
    if kind is Kind.MAP:
        return "MAP {" + ", ".join(f"{d.literal(k)}: {literal(d, v, t.values)}" for k, v in value.items()) + "}"
    if kind is Kind.STRUCT:
        return "{" + ", ".join(f"{d.literal(f.name)}: {literal(d, value.get(f.name), f.data_type)}"
                               for f in t.fields) + "}"
    return d.literal(value)
