"""Governance tests pin today's date, so that waiver expiries and deprecation dates never rot."""

from __future__ import annotations

import pytest

TODAY = "2026-11-26"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", TODAY)
