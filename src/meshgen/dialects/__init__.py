"""SQL dialects, one small subclass per warehouse, registered by being defined.

`DIALECTS` maps each name to its class in definition order; everything that lists warehouses
(the spec's table platforms, the `sql` and `dbt` options, NAM002's reserved words, the docs'
type table) reads it. A new warehouse is one module here: a subclass of `Dialect` with a
`name`, imported below.
"""

from __future__ import annotations

from meshgen.dialects.base import DIALECTS, Dialect, Partitioning, dialect, member_notes, reserved_anywhere
# Imported for their registration, in the order the spec lists the platforms.
from meshgen.dialects.postgres import Postgres
from meshgen.dialects.snowflake import Snowflake
from meshgen.dialects.bigquery import BigQuery
from meshgen.dialects.databricks import Databricks
from meshgen.dialects.duckdb import DuckDB
from meshgen.dialects.redshift import Redshift

__all__ = ["DIALECTS", "BigQuery", "Databricks", "Dialect", "DuckDB", "Partitioning", "Postgres", "Redshift",
           "Snowflake", "dialect", "member_notes", "reserved_anywhere"]
