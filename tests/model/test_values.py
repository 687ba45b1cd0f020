"""Canonical values to Python: one converter per kind (a new kind without one fails here)."""

import datetime as dt
from decimal import Decimal

import pytest

from meshgen.model.types import Kind, parse_type
from meshgen.model.values import PYTHON_VALUES, ValueProblem, to_python


def test_every_kind_has_a_converter():
    assert set(PYTHON_VALUES) == set(Kind)


@pytest.mark.parametrize("type_, value, expected", [
    ("string", "a", "a"), ("int", 7, 7), ("long", 2**40, 2**40), ("float", 1, 1.0), ("double", 2.5, 2.5),
    ("decimal(5,2)", "1.50", Decimal("1.50")), ("boolean", True, True),
    ("date", "2026-11-02", dt.date(2026, 11, 2)), ("time", "10:15:00", dt.time(10, 15)),
    ("timestamp", "2026-11-02T10:15:00+01:00", dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.timezone.utc)),
    ("timestamp_ntz", "2026-11-02T10:15:00", dt.datetime(2026, 11, 2, 10, 15)),
    ("bytes", "aGk=", b"hi"), ("uuid", "123E4567-E89B-12D3-A456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
    ("json", {"a": [1]}, {"a": [1]}), ("array<int>", [1, 2], [1, 2]), ("map<long>", {"k": 1}, {"k": 1}),
])
def test_values_convert(type_, value, expected):
    assert to_python(value, parse_type(type_)) == expected


@pytest.mark.parametrize("type_, value", [
    ("int", True), ("int", 2**31), ("float", "1"), ("date", "2026-02-30"), ("time", "10:15:00+01:00"),
    ("timestamp", "2026-11-02T10:15:00"), ("timestamp_ntz", "2026-11-02T10:15:00Z"), ("bytes", "!!"),
    ("uuid", "nope"), ("array<int>", {"a": 1}), ("map<int>", [1]), ("array<int>", [1, None]),
])
def test_bad_values_are_problems_with_their_path(type_, value):
    with pytest.raises(ValueProblem):
        to_python(value, parse_type(type_))
