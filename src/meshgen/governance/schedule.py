"""The longest gap between two runs of a pipeline schedule (5-field cron or @hourly ...).

Freshness can only be promised if the job runs more often than the threshold. The period we
derive is conservative: the longest gap between consecutive runs over eight whole years (so
leap days, month lengths and weekday/day-of-month combinations all occur). The day fields also
take the common extensions (Quartz, croniter): `L` (last day of the month), `LW` (its last
weekday), `15W` (the weekday nearest the 15th, within the month) in the day of month, and
`5L` (the last Friday), `5#3` (the third Friday) in the day of week; they are evaluated exactly,
so `0 0 L 1,7 *` is half a year, not a month.
"""

from __future__ import annotations

import datetime as dt
import calendar
from functools import lru_cache
from typing import Callable

MINUTE = 60
HOUR = 3600
DAY = 86400

_MACROS = {"@hourly": HOUR, "@daily": DAY, "@weekly": 7 * DAY, "@monthly": 31 * DAY, "@yearly": 366 * DAY}
_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
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


def _last_day(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: dt.date, target: int) -> int | None:
    """`<target>W`: the weekday (Mon-Fri) nearest the target day, never leaving the month."""
    last = _last_day(day)
    if target > last:
        return None
    weekday = dt.date(day.year, day.month, target).weekday()  # 5 = Saturday, 6 = Sunday
    if weekday == 5:
        return target - 1 if target > 1 else target + 2
    if weekday == 6:
        return target + 1 if target < last else target - 2
    return target


def _day_of_month(text: str) -> Callable[[dt.date], bool]:
    """The day-of-month field as a test on a date (numbers, ranges, steps, L, LW, <n>W)."""
    plain, special = [], []
    for part in text.upper().split(","):
        if part == "L":
            special.append(lambda d: d.day == _last_day(d))
        elif part == "LW":
            special.append(lambda d: d.weekday() < 5 and all(
                (d + dt.timedelta(days=i)).weekday() >= 5 for i in range(1, _last_day(d) - d.day + 1)))
        elif part.endswith("W"):
            target = _number(part[:-1], {})
            if not 1 <= target <= 31:
                raise ScheduleError(f"{part!r} is outside 1-31")
            special.append(lambda d, t=target: d.day == _nearest_weekday(d, t))
        else:
            plain.append(part)
    days = _values(",".join(plain), 1, 31, {}) if plain else set()
    return lambda d: d.day in days or any(test(d) for test in special)


def _day_of_week(text: str) -> Callable[[dt.date], bool]:
    """The day-of-week field as a test on a date (0 or 7 = Sunday, names, <d>L, <d>#<n>)."""
    plain, special = [], []
    for part in text.upper().split(","):
        if "#" in part:
            day_text, _, nth_text = part.partition("#")
            wanted = _weekday(day_text, part)
            if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
                raise ScheduleError(f"{part!r}: the week after # is 1-5")
            nth = int(nth_text)
            special.append(lambda d, w=wanted, n=nth: _cron_weekday(d) == w and (d.day - 1) // 7 + 1 == n)
        elif len(part) > 1 and part.endswith("L"):
            wanted = _weekday(part[:-1], part)
            special.append(lambda d, w=wanted: _cron_weekday(d) == w and d.day + 7 > _last_day(d))
        else:
            plain.append(part)
    days = {d % 7 for d in _values(",".join(plain), 0, 7, _DAYS)} if plain else set()
    return lambda d: _cron_weekday(d) in days or any(test(d) for test in special)


def _weekday(text: str, part: str) -> int:
    day = _number(text, _DAYS)
    if not 0 <= day <= 7:
        raise ScheduleError(f"{part!r} is outside 0-7")
    return day % 7


def _cron_weekday(day: dt.date) -> int:
    return (day.weekday() + 1) % 7  # cron: 0 = Sunday


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
    minute, hour, dom, month, dow = parts
    minutes = sorted(h * 60 + m for h in _values(hour, 0, 23, {}) for m in _values(minute, 0, 59, {}))
    on_dom, on_dow = _day_of_month(dom), _day_of_week(dow)
    months = _values(month, 1, 12, _MONTHS)
    dom_any, dow_any = dom in ("*", "?"), dow in ("*", "?")
    # Within one day, the gaps between runs are the same every day the job runs.
    gap = max((b - a for a, b in zip(minutes, minutes[1:])), default=0) * MINUTE
    day, last, first_of_day, last_of_day = _WINDOW[0], None, minutes[0], minutes[-1]
    while day <= _WINDOW[1]:
        if dom_any and dow_any:
            runs = True
        elif dom_any:
            runs = on_dow(day)
        elif dow_any:
            runs = on_dom(day)
        else:  # both restricted: cron runs when either matches
            runs = on_dom(day) or on_dow(day)
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
