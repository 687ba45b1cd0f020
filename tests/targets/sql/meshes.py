"""The meshes the SQL and dbt validators run on, built with every dialect, and their examples
converted for the real databases."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from meshgen.api import build
from meshgen.mesh.model import Mesh
from meshgen.model.models import Dataset
from meshgen.model.values import json_as_text, map_leaves
from meshgen.model.types import DataType, Kind
from meshgen.model.values import record_to_python
from meshgen.dialects import DIALECTS, Postgres
from tests.support.golden import case_source
from tests.conftest import FULL_VOCABULARY, FULL_VOCABULARY_TODAY, ROOT, SPECS, copy_source, pinned_today

ALL_DIALECTS = sorted(DIALECTS)

# id → a mesh folder or a bare product file. Meshes are rebuilt with every dialect; a bare file
# that references other products (the full-vocabulary product) keeps its default dialects.
SOURCES = {
    "specs": SPECS,
    "all_types": ROOT / "tests" / "fixtures" / "all_types" / "dataproduct.yaml",
    "odd_strings": case_source("odd_strings"),
    "versions": case_source("versions"),
    "full_vocabulary": FULL_VOCABULARY,
}


@dataclass
class Built:
    out: Path
    mesh: Mesh

    def sql_files(self, dialect: str):
        """(file, product, dataset) for every generated file of one dialect."""
        for pf in self.mesh.products:
            p = pf.product
            for ds in p.datasets:
                path = self.out / p.domain / p.name / f"v{p.major}" / "sql" / dialect / f"{ds.name}.sql"
                if path.exists():
                    yield path, pf, ds


def build_for_validation(source_id: str, tmp_path: Path, warehouse: str | None = "duckdb") -> Built:
    """Build `sql` (every dialect) and `dbt` (types of `warehouse`; None: each product's own) for one source."""
    source = SOURCES[source_id]
    targets = (f"targets:\n  sql: {{dialects: [{', '.join(ALL_DIALECTS)}]}}\n"
               f"  dbt: {{{'warehouse: ' + warehouse if warehouse else ''}}}\n")
    if source_id == "full_vocabulary":
        with pinned_today(FULL_VOCABULARY_TODAY):
            return _generate_standalone(copy_source(source, tmp_path / "src"), tmp_path / "out", warehouse)
    root = tmp_path / "mesh"
    if source.is_dir():
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("build"))
        config = root / "meshgen.yaml"
        kept, skipping = [], False
        for line in config.read_text(encoding="utf-8").splitlines():
            if line and not line[0].isspace():
                skipping = line.startswith("targets:")
            if not skipping:
                kept.append(line)
        config.write_text("\n".join(kept) + "\n" + targets, encoding="utf-8")
    else:
        (root / "product").mkdir(parents=True)
        shutil.copy(source, root / "product" / "dataproduct.yaml")
        (root / "meshgen.yaml").write_text(targets, encoding="utf-8")
    result = build(root, output=tmp_path / "out")
    return Built(tmp_path / "out", result.mesh)


def _generate_standalone(source: Path, out: Path, warehouse: str) -> Built:
    """A product that references others is checked alone (its references become warnings);
    its options can't come from a meshgen.yaml, so the targets are run directly."""
    from meshgen.api import check
    from meshgen.planner import product_folder as product_dir
    from meshgen.render import renderer_for
    from meshgen.targets.base import TargetContext
    from meshgen.targets.dbt import DbtOptions, DbtTarget
    from meshgen.targets.sql import SqlOptions, SqlTarget

    result = check(source)
    assert not result.diagnostics.has_errors
    context = TargetContext(mesh=result.mesh, renderer=renderer_for(None))
    sql = SqlTarget(context, SqlOptions(dialects=ALL_DIALECTS))
    for pf in result.mesh.products:
        for artifact in sql.generate(pf):
            path = out / product_dir(pf) / "sql" / artifact.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(artifact.content, encoding="utf-8")
    for artifact in DbtTarget(context, DbtOptions(warehouse=warehouse)).generate_mesh():  # noqa: B007
        path = out / "_mesh" / "dbt" / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content, encoding="utf-8")
    return Built(out, result.mesh)


def example_rows(ds: Dataset) -> list[tuple[dict, dict]]:
    """(raw row with defaults filled in, Python values) for every example of a dataset."""
    rows = []
    for raw in ds.examples:
        full = dict(raw)
        for f in ds.fields:
            if f.name not in full and f.default is not None:
                full[f.name] = f.default
        rows.append((full, record_to_python(raw, ds.fields)))
    return rows


def duckdb_value(v, t: DataType):
    return map_leaves(v, t, json_as_text)


def postgres_value(v, raw, t: DataType):
    """psycopg parameters for the types the postgres DDL chose (JSONB for nested values)."""
    from psycopg.types.json import Jsonb

    if v is None:
        return None
    sql_type = Postgres().column_type(t, [], "x")
    if sql_type == "JSONB":
        return Jsonb(raw)
    if t.kind is Kind.UUID:
        return uuid.UUID(v)
    if t.kind is Kind.ARRAY:
        return [postgres_value(x, r, t.items) for x, r in zip(v, raw)]
    return v


def insert_sql(dialect, pf, ds: Dataset, placeholder: str) -> str:
    from meshgen.targets.sql import table_name

    cols = ", ".join(dialect.quote(f.name) for f in ds.fields)
    marks = ", ".join(placeholder for _ in ds.fields)
    return f"INSERT INTO {table_name(pf, ds, dialect.name)} ({cols}) VALUES ({marks})"


NON_MATCHING = ["", "!", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "0", "a", "a b", "\u00e9"]


def violations(ds: Dataset):
    """(field, row) pairs: the first example with one top-level field broken against one of its
    value constraints (minimum, maximum, minLength, pattern), for the CHECK tests."""
    import re

    if not ds.examples:
        return
    base = example_rows(ds)[0][0]
    for f in ds.fields:
        bad = []
        if f.minimum is not None:
            bad.append(f.minimum - 1)
        if f.maximum is not None:
            bad.append(f.maximum + 1)
        if f.minLength:
            bad.append("")
        if f.pattern is not None:
            bad.append(next(v for v in NON_MATCHING if not re.search(f.pattern, v)))
        for value in bad:
            if f.data_type.kind is Kind.DECIMAL:
                value = str(value)
            yield f, {**base, f.name: value}
