"""Durations, ratios, the derived schedule and value checks."""

from __future__ import annotations

import pytest

from meshgen.model.cron import schedule_for_freshness
from meshgen.model.values import duration_seconds, parse_ratio


@pytest.mark.parametrize("text, seconds", [("15m", 900), ("1h", 3600), ("7d", 604800), ("2y", 2 * 365 * 86400),
                                           ("PT15M", 900), ("P1DT2H", 93600), ("30s", 30)])
def test_durations(text, seconds):
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["15", "m", "P", "PT", "1.5h", "-1h", "15 minutes"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        duration_seconds(text)


@pytest.mark.parametrize("value, ratio", [("99.9%", 0.999), (0.999, 0.999), (1, 1.0), ("0%", 0.0)])
def test_ratios(value, ratio):
    assert parse_ratio(value) == pytest.approx(ratio)


@pytest.mark.parametrize("value", ["101%", 1.5, True, "high", -0.1])
def test_bad_ratios(value):
    with pytest.raises(ValueError):
        parse_ratio(value)


@pytest.mark.parametrize("threshold, cron", [
    ("15m", "*/15 * * * *"), ("7m", "*/6 * * * *"), ("1m", "* * * * *"), ("30s", "* * * * *"),
    ("1h", "0 * * * *"), ("90m", "0 * * * *"), ("5h", "0 */4 * * *"),
    ("1d", "0 0 * * *"), ("3d", "0 0 * * *"), ("14d", "0 0 * * 0"),
])
def test_schedule_derived_from_freshness(threshold, cron):
    assert schedule_for_freshness(duration_seconds(threshold)) == cron


@pytest.mark.parametrize("threshold", ["1m", "7m", "15m", "45m", "1h", "90m", "5h", "13h", "1d", "3d", "8d"])
def test_derived_schedule_always_meets_its_freshness(threshold):
    """Checked with the governance rule's own cron analysis, not by reading the output."""
    from meshgen.model.cron import longest_gap_seconds

    seconds = duration_seconds(threshold)
    if seconds >= 60:
        assert longest_gap_seconds(schedule_for_freshness(seconds)) <= seconds


def test_a_product_without_a_schedule_gets_the_derived_one():
    from meshgen.model.loader import load_product
    from tests.conftest import ROOT

    pf, _ = load_product(ROOT / "tests/fixtures/all_types/dataproduct.yaml")
    assert pf.product.schedule is None  # no freshness, no schedule
    data = pf.document.data | {"slos": {"freshness": {"threshold": "20m"}}}
    from meshgen.model.models import DataProduct

    assert DataProduct.model_validate(data).schedule == "*/20 * * * *"


@pytest.mark.parametrize("schedule", ["61 * * * *", "*/0 * * * *", "0 0 * * 5#6", "@often", "* * *"])
def test_the_spec_refuses_a_schedule_the_cron_analysis_cannot_read(schedule):
    """One cron grammar: what `pipeline.schedule` accepts is what governance and the orchestration targets read."""
    from pydantic import ValidationError

    from meshgen.model.loader import load_product
    from meshgen.model.models import DataProduct
    from tests.conftest import ROOT

    pf, _ = load_product(ROOT / "tests/fixtures/all_types/dataproduct.yaml")
    with pytest.raises(ValidationError, match="is not a schedule"):
        DataProduct.model_validate(pf.document.data | {"pipeline": {"schedule": schedule}})
    assert DataProduct.model_validate(pf.document.data | {"pipeline": {"schedule": "0 0 L * *"}}).schedule == "0 0 L * *"
