"""The longest gap between two runs of a pipeline schedule (5-field cron or @hourly ...).

Freshness can only be promised if the job runs more often than the threshold. The period we
derive is conservative: the longest gap between consecutive runs over eight whole years (so
leap days, month lengths and weekday/day-of-month combinations all occur). Syntax we cannot
evaluate exactly (L, W, #) counts as five weeks, the longest gap such a schedule can have
while still running every month.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

MINUTE = 60
HOUR = 3600
DAY = 86400

_MACROS = {"@hourly": HOUR, "@daily": DAY, "@weekly": 7 * DAY, "@monthly": 31 * DAY, "@yearly": 366 * DAY}
_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_UNKNOWN = 35 * DAY
_WINDOW = (dt.date(2024, 1, 1), dt.date(2031, 12, 31))


class ScheduleError(ValueError):
    pass


def _values(text: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"bad step in {part!r}")
            step = int(step_text)
        if base in ("*", "?"):
            start, end = low, high
        else:
            lo, dash, hi = base.partition("-")
            start = _number(lo, names)
            end = _number(hi, names) if dash else (high if step_text else start)
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"{part!r} is outside {low}-{high}")
        if end < start:
            raise ScheduleError(f"{part!r} is a backwards range")
        out.update(range(start, end + 1, step))
    return out


def _number(text: str, names: dict[str, int]) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleError(f"{text!r} is not a number")
    return int(text)


@lru_cache(maxsize=1024)
def longest_gap_seconds(schedule: str) -> int:
    """The longest time between two consecutive runs. Raises ScheduleError for a bad expression.

    Cached: a mesh has thousands of products and a handful of distinct schedules.
    """
    schedule = schedule.strip()
    if schedule.startswith("@"):
        if schedule not in _MACROS:
            raise ScheduleError(f"unknown schedule {schedule!r}")
        return _MACROS[schedule]
    parts = schedule.split()
    if len(parts) != 5:
        raise ScheduleError("a cron expression has five fields")
    if any(c in "".join(parts).upper() for c in "LW#"):
        return _UNKNOWN
    minute, hour, dom, month, dow = parts
    minutes = sorted(h * 60 + m for h in _values(hour, 0, 23, {}) for m in _values(minute, 0, 59, {}))
    doms = _values(dom, 1, 31, {})
    months = _values(month, 1, 12, _MONTHS)
    dows = {d % 7 for d in _values(dow, 0, 7, _DAYS)}
    dom_any, dow_any = dom in ("*", "?"), dow in ("*", "?")
    # Within one day, the gaps between runs are the same every day the job runs.
    gap = max((b - a for a, b in zip(minutes, minutes[1:])), default=0) * MINUTE
    day, last, first_of_day, last_of_day = _WINDOW[0], None, minutes[0], minutes[-1]
    while day <= _WINDOW[1]:
        cron_dow = (day.weekday() + 1) % 7  # cron: 0 = Sunday
        if dom_any and dow_any:
            runs = True
        elif dom_any:
            runs = cron_dow in dows
        elif dow_any:
            runs = day.day in doms
        else:  # both restricted: cron runs when either matches
            runs = day.day in doms or cron_dow in dows
        if runs and day.month in months:
            if last is not None:
                between = ((day - last).days * 1440 + first_of_day - last_of_day) * MINUTE
                gap = max(gap, between)
            last = day
        day += dt.timedelta(days=1)
    if last is None:
        raise ScheduleError("the schedule never runs")
    return gap


def human_duration(seconds: float) -> str:
    """5400 → 1h30m."""
    rest, parts = int(seconds), []
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"
