# The throwaway PostgreSQL server of the SQL target's tests, for the reserved-word tests here.
from tests.targets.sql.conftest import postgres_dsn  # noqa: F401
