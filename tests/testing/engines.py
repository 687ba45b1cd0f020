"""The three engines `meshgen test` runs on, as the seeded-rows tests drive them: each makes a
plain table (no constraints, so bad rows can be inserted) and inserts rows with SQL literals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

COLUMNS = ("reading_id", "sensor", "status", "code", "level", "label", "serial", "read_at")


@dataclass
class SeededEngine:
    url: str
    execute: Callable[[str], None]
    text: str        # the engine's text type
    timestamp: str   # its zoned timestamp type
    ago: Callable[[float], str]  # an SQL expression: the database's now minus that many hours
    table_options: str = ""
    as_view: bool = False  # Spark: a temporary view over the rows (no files to write per case)

    def seed(self, rows: list[dict]) -> None:
        if self.as_view:
            self.execute(f"CREATE OR REPLACE TEMPORARY VIEW readings AS SELECT * FROM VALUES "
                         f"{', '.join(self.values(rows))} AS t({', '.join(COLUMNS)})")
            return
        self.execute("DROP TABLE IF EXISTS readings")
        types = {"level": "INT", "read_at": self.timestamp}
        cols = ", ".join(f"{c} {types.get(c, self.text)}" for c in COLUMNS)
        self.execute(f"CREATE TABLE readings ({cols}){self.table_options}")
        self.execute(f"INSERT INTO readings ({', '.join(COLUMNS)}) VALUES {', '.join(self.values(rows))}")

    def values(self, rows: list[dict]) -> list[str]:
        values = []
        for row in rows:
            items = []
            for c in COLUMNS:
                v = row.get(c)
                if c == "read_at":
                    items.append(self.ago(v))
                elif v is None:
                    items.append("NULL")
                elif isinstance(v, int):
                    items.append(str(v))
                else:
                    items.append("'" + v.replace("'", "''") + "'")
            values.append("(" + ", ".join(items) + ")")
        return values


def good_rows() -> list[dict]:
    return [
        {"reading_id": f"r{i}", "sensor": f"s{i}", "status": "OK" if i % 2 else "FAULT", "code": f"AB-{i}",
         "level": 10 * i, "label": f"lab{i}", "serial": f"SN{i}", "read_at": 0.1 * i}
        for i in range(1, 5)
    ]


def one_bad(**changes) -> list[dict]:
    rows = good_rows()
    rows[-1] = {**rows[-1], **changes}
    return rows


# each kind of breakage → the ids of exactly the checks it must fail
BAD_CASES = {
    "null_required": (one_bad(sensor=None), {"readings.required.sensor"}),
    "duplicate_key": (one_bad(reading_id="r1"), {"readings.primary_key"}),
    "duplicate_unique": (one_bad(serial="SN1"), {"readings.unique.serial"}),
    "unknown_enum": (one_bad(status="BROKEN"), {"readings.enum.status"}),
    "pattern_mismatch": (one_bad(code="ab-1"), {"readings.pattern.code"}),
    "above_maximum": (one_bad(level=101), {"readings.maximum.level"}),
    "below_minimum": (one_bad(level=-1), {"readings.minimum.level"}),
    "too_short": (one_bad(label="a"), {"readings.min_length.label"}),
    "too_long": (one_bad(label="abcdefghi"), {"readings.max_length.label"}),
    "stale": ([{**r, "read_at": 2.0 + r["read_at"]} for r in good_rows()], {"readings.freshness"}),
    "custom_sql": (one_bad(level=13), {"readings.no_unlucky_level"}),
}
