"""Connections to the engines that hold the data: DuckDB (embedded), PostgreSQL and Spark.

Each runs a query inside the engine and hands back one value; no rows are pulled into
meshgen. Drivers are optional packages imported only when a URL asks for them:
duckdb, psycopg, pyspark (with `pyspark[connect]` for `sc://`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from meshgen.dialects import Dialect, dialect


class ConnectionProblem(Exception):
    """The URL is wrong or the engine cannot be reached: (message, hint)."""

    def __init__(self, message: str, hint: str, usage: bool = False):
        super().__init__(message)
        self.hint = hint
        self.usage = usage  # a bad URL (exit 2) rather than an unreachable engine


class QueryFailed(Exception):
    """The engine rejected a query; the message is the engine's own."""


def _driver(module: str, extra: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConnectionProblem(f"the {module} package is not installed",
                                f"pip install 'meshgen[{extra}]'") from None


@dataclass
class Engine:
    """What the runner needs from a database."""

    url: str
    dialect: Dialect

    def scalar(self, sql: str) -> Any:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The table's column names; QueryFailed when it does not exist."""
        raise NotImplementedError

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def attached(self, catalog: str) -> bool:
        """Whether a three-part name's catalog is reachable from this connection."""
        return True

    def close(self) -> None:
        pass


class DuckDBEngine(Engine):
    def __init__(self, url: str, path: str):
        super().__init__(url, dialect("duckdb"))
        duckdb = _driver("duckdb", "duckdb")
        try:
            self.con = duckdb.connect(path or ":memory:")
        except duckdb.Error as exc:
            raise ConnectionProblem(f"cannot open DuckDB database {path!r}: {exc}",
                                    "check the path and that no other process holds the file") from None
        self.error = duckdb.Error

    def scalar(self, sql: str) -> Any:
        try:
            row = self.con.execute(sql).fetchone()
        except self.error as exc:
            raise QueryFailed(str(exc).strip()) from None
        return None if row is None else row[0]

    def columns(self, table: str) -> list[str]:
        try:
            cur = self.con.execute(f"SELECT * FROM {table} LIMIT 0")
        except self.error as exc:
            raise QueryFailed(str(exc).strip()) from None
        return [c[0] for c in cur.description]

    def execute(self, sql: str) -> None:
        try:
            self.con.execute(sql)
        except self.error as exc:
            raise QueryFailed(str(exc).strip()) from None

    def attached(self, catalog: str) -> bool:
        rows = self.con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
        return catalog.lower() in {r[0].lower() for r in rows}

    def close(self) -> None:
        self.con.close()


class PostgresEngine(Engine):
    def __init__(self, url: str):
        super().__init__(url, dialect("postgres"))
        psycopg = _driver("psycopg", "postgres")
        try:
            self.con = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise ConnectionProblem(f"cannot connect to PostgreSQL: {str(exc).strip()}",
                                    "check host, port, database, user and password in the URL") from None
        self.error = psycopg.Error

    def scalar(self, sql: str) -> Any:
        try:
            with self.con.cursor() as cur:
                cur.execute(sql)
                row = cur.fetchone()
        except self.error as exc:
            raise QueryFailed(str(exc).strip()) from None
        return None if row is None else row[0]

    def columns(self, table: str) -> list[str]:
        try:
            with self.con.cursor() as cur:
                cur.execute(f"SELECT * FROM {table} LIMIT 0")
                return [c.name for c in cur.description]
        except self.error as exc:
            raise QueryFailed(str(exc).strip()) from None

    def execute(self, sql: str) -> None:
        try:
            with self.con.cursor() as cur:
                cur.execute(sql)
        except self.error as exc:
            raise QueryFailed(str(exc).strip()) from None

    def close(self) -> None:
        self.con.close()


class SparkEngine(Engine):
    """Spark SQL in the Databricks dialect: a local session (`spark://local`) or Spark Connect (`sc://`)."""

    def __init__(self, url: str, remote: str | None):
        super().__init__(url, dialect("databricks"))
        _driver("pyspark", "spark")
        from pyspark.sql import SparkSession

        try:
            builder = SparkSession.builder.appName("meshgen-test")
            if remote is not None:
                builder = builder.remote(remote)
            else:
                builder = builder.master("local[1]").config("spark.ui.enabled", "false") \
                    .config("spark.sql.shuffle.partitions", "1")
            self.spark = builder.getOrCreate()
        except Exception as exc:  # pyspark raises many unrelated types for one cause
            raise ConnectionProblem(f"cannot start a Spark session for {url}: {_first_line(exc)}",
                                    "a local session needs Java 17+ on PATH; sc:// needs a running Spark Connect "
                                    "server and pyspark[connect]") from None

    def scalar(self, sql: str) -> Any:
        try:
            rows = self.spark.sql(sql).collect()
        except Exception as exc:
            raise QueryFailed(_first_line(exc)) from None
        return rows[0][0] if rows else None

    def columns(self, table: str) -> list[str]:
        try:
            return list(self.spark.sql(f"SELECT * FROM {table} LIMIT 0").columns)
        except Exception as exc:
            raise QueryFailed(_first_line(exc)) from None

    def execute(self, sql: str) -> None:
        try:
            self.spark.sql(sql).collect()
        except Exception as exc:
            raise QueryFailed(_first_line(exc)) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def open_engine(url: str) -> Engine:
    """duckdb:///path.duckdb, duckdb:// (in memory), postgresql://..., spark://local, sc://host:port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "duckdb":
        if parts.netloc:
            raise ConnectionProblem(f"{url!r}: a DuckDB URL has no host",
                                    "write duckdb:///relative/file.duckdb or duckdb:////absolute/file.duckdb",
                                    usage=True)
        return DuckDBEngine(url, unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path))
    if scheme in ("postgres", "postgresql"):
        return PostgresEngine(url if scheme == "postgresql" else "postgresql" + url[len("postgres"):])
    if scheme == "spark":
        if parts.netloc != "local":
            raise ConnectionProblem(f"{url!r}: only spark://local (a session in this process) is supported",
                                    "for a cluster, run a Spark Connect server and pass sc://HOST:PORT", usage=True)
        return SparkEngine(url, None)
    if scheme == "sc":
        return SparkEngine(url, url)
    raise ConnectionProblem(f"{url!r} is not a connection URL meshgen knows",
                            "use duckdb:///file.duckdb, postgresql://user@host/db, spark://local or sc://host:15002",
                            usage=True)
