from __future__ import annotations

import datetime as dt
from decimal import Decimal


def minimal_record() -> dict:
    """A record of the all_types fixture with only what an old writer would have."""
    return {
        "id": "0b4f8f6e-2c1e-4a4e-9d1a-1f7f5b3f9c11", "label": "alpha", "note": None, "small": 1, "ratio": None,
        "score": 1.0, "amount": Decimal("1.00"), "active": True, "day": dt.date(2026, 1, 1), "at_time": None,
        "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "local_at": None, "blob": None,
        "payload": None, "tags": None, "amounts": None, "attributes": None, "counters": None, "lines": [],
        "address": None, "scores_by_game": None, "levels": None,
    }
