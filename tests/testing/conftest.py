"""Engines for the `meshgen test` tests: the SQL target's throwaway PostgreSQL server, and one
local Spark session for the whole run (starting Spark costs seconds; one session is shared)."""

from __future__ import annotations

import pytest

from tests.conftest import need, need_module
from tests.targets.sql.conftest import postgres_dsn  # noqa: F401  (the session's PostgreSQL server)


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory):
    import shutil

    need(shutil.which("java") is not None, "java (scripts/setup-test-env.sh installs openjdk-17-jre-headless)")
    need_module("pyspark")
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    spark = (SparkSession.builder.master("local[1]").appName("meshgen-tests")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
             .config("spark.sql.warehouse.dir", str(warehouse))
             # small queries: compiling generated code costs more than it saves
             .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false")
             .getOrCreate())
    yield spark
    spark.stop()
