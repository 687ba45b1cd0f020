"""`meshgen test` on a real PostgreSQL server and a local Spark session (Databricks-dialect SQL
run by Spark SQL): good rows pass, and each kind of bad row fails exactly its check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.engines import BAD_CASES, SeededEngine, good_rows

from meshgen.testing.runner import run_tests

SEEDED = Path(__file__).parent / "seeded"
PLAIN = {"readings": "readings"}  # the seeded table, not the DDL's qa.seeded__readings_v1


@pytest.fixture(scope="module")
def postgres(postgres_dsn):  # noqa: F811
    import psycopg

    def execute(sql: str) -> None:
        with psycopg.connect(postgres_dsn, autocommit=True) as con:
            con.execute(sql)

    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(postgres_dsn)
    url = f"postgresql://{parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}"
    return SeededEngine(url, execute, "TEXT", "TIMESTAMPTZ",
                        lambda hours: f"CURRENT_TIMESTAMP - INTERVAL '{int(hours * 3600)} seconds'")


@pytest.fixture(scope="module")
def spark(spark_session):
    return SeededEngine("spark://local", lambda sql: spark_session.sql(sql).collect(), "STRING", "TIMESTAMP",
                        lambda hours: f"current_timestamp() - INTERVAL {int(hours * 3600)} SECONDS",
                        as_view=True)


@pytest.fixture(params=["postgres", "spark"])
def engine(request):
    return request.getfixturevalue(request.param)


def failed_ids(run) -> set[str]:
    return {o.check.id for o in run.outcomes if o.status != "passed"}


def test_good_rows_pass(engine):
    engine.seed(good_rows())
    run = run_tests(SEEDED, engine.url, tables=PLAIN)
    assert not run.diagnostics and len(run.outcomes) == 14 and failed_ids(run) == set()


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_each_kind_of_bad_row_fails_exactly_its_check_on_postgres(postgres, case):
    check_case(postgres, case)


# Spark answers each query in about a second: the cases whose SQL differs most in the Databricks
# dialect (RLIKE, unix_timestamp freshness, custom SQL); PostgreSQL runs them all.
SPARK_CASES = ["pattern_mismatch", "stale", "custom_sql"]


@pytest.mark.parametrize("case", SPARK_CASES)
def test_each_kind_of_bad_row_fails_exactly_its_check_on_spark(spark, case):
    check_case(spark, case)


def check_case(engine, case):
    rows, expected = BAD_CASES[case]
    engine.seed(rows)
    run = run_tests(SEEDED, engine.url, tables=PLAIN)
    assert failed_ids(run) == expected
    assert run.failed == (case != "stale")


def test_an_unreachable_server_is_a_diagnostic(cli):
    result = cli("test", SEEDED, "--connection", "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 2 and "TEST002" in result.output and "Traceback" not in result.output
