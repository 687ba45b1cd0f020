"""Cron schedules, once for every pass: the grammar the spec accepts, the schedule derived from a
freshness SLO, and the longest gap between two runs (5-field cron or @hourly ...).

The spec model validates `pipeline.schedule` with `parse_cron` (so a schedule that cannot run,
such as `61 * * * *`, is refused where it is written); governance (SLO002) and the orchestration
targets read `longest_gap_seconds`, `schedule_for_freshness` and `parse_cron` from here.

Freshness can only be promised if the job runs more often than the threshold. The period we
derive is conservative: the longest gap between consecutive runs over eight whole years (so
leap days, month lengths and weekday/day-of-month combinations all occur). The day fields also
take the common extensions (Quartz, croniter): `L` (last day of the month), `LW` (its last
weekday), `15W` (the weekday nearest the 15th, within the month) in the day of month, and
`5L` (the last Friday), `5#3` (the third Friday) in the day of week; they are evaluated exactly,
so `0 0 L 1,7 *` is half a year, not a month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
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


class CronError(ValueError):
    """A schedule meshgen cannot read or that never runs; the message says which part."""


MACROS = tuple(_MACROS)


def _values(text: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"bad step in {part!r}")
            step = int(step_text)
        if base in ("*", "?"):
            start, end = low, high
        else:
            lo, dash, hi = base.partition("-")
            start = _number(lo, names)
            end = _number(hi, names) if dash else (high if step_text else start)
        if not (low <= start <= high and low <= end <= high):
            raise CronError(f"{part!r} is outside {low}-{high}")
        if end < start:
            raise CronError(f"{part!r} is a backwards range")
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
                raise CronError(f"{part!r} is outside 1-31")
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
                raise CronError(f"{part!r}: the week after # is 1-5")
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
        raise CronError(f"{part!r} is outside 0-7")
    return day % 7


def _cron_weekday(day: dt.date) -> int:
    return (day.weekday() + 1) % 7  # cron: 0 = Sunday


def _number(text: str, names: dict[str, int]) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise CronError(f"{text!r} is not a number")
    return int(text)


@dataclass(frozen=True)
class Cron:
    """A parsed 5-field cron expression (or an @macro, with `macro` set and no fields)."""

    text: str
    macro: str | None = None
    minutes: tuple[int, ...] = ()  # minutes of the day the job runs, sorted
    months: frozenset[int] = frozenset()
    on_dom: Callable[[dt.date], bool] | None = None
    on_dow: Callable[[dt.date], bool] | None = None
    dom_any: bool = True
    dow_any: bool = True

    def runs_on(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        if self.dom_any and self.dow_any:
            return True
        if self.dom_any:
            return self.on_dow(day)
        if self.dow_any:
            return self.on_dom(day)
        return self.on_dom(day) or self.on_dow(day)  # both restricted: cron runs when either matches


def parse_cron(schedule: str) -> Cron:
    """The expression's fields, checked (ranges, steps, L/W/#). Raises CronError."""
    schedule = schedule.strip()
    if schedule.startswith("@"):
        if schedule not in _MACROS:
            raise CronError(f"unknown schedule {schedule!r}: use {', '.join(MACROS)}")
        return Cron(schedule, macro=schedule)
    parts = schedule.split()
    if len(parts) != 5:
        raise CronError("a cron expression has five fields")
    minute, hour, dom, month, dow = parts
    minutes = tuple(sorted(h * 60 + m for h in _values(hour, 0, 23, {}) for m in _values(minute, 0, 59, {})))
    return Cron(schedule, minutes=minutes, months=frozenset(_values(month, 1, 12, _MONTHS)),
                on_dom=_day_of_month(dom), on_dow=_day_of_week(dow),
                dom_any=dom in ("*", "?"), dow_any=dow in ("*", "?"))


@lru_cache(maxsize=1024)
def longest_gap_seconds(schedule: str) -> int:
    """The longest time between two consecutive runs. Raises CronError for a bad expression.

    Cached: a mesh has thousands of products and a handful of distinct schedules.
    """
    cron = parse_cron(schedule)
    if cron.macro:
        return _MACROS[cron.macro]
    minutes = cron.minutes
    # Within one day, the gaps between runs are the same every day the job runs.
    gap = max((b - a for a, b in zip(minutes, minutes[1:])), default=0) * MINUTE
    day, last, first_of_day, last_of_day = _WINDOW[0], None, minutes[0], minutes[-1]
    while day <= _WINDOW[1]:
        if cron.runs_on(day):
            if last is not None:
                between = ((day - last).days * 1440 + first_of_day - last_of_day) * MINUTE
                gap = max(gap, between)
            last = day
        day += dt.timedelta(days=1)
    if last is None:
        raise CronError("the schedule never runs")
    return gap


def schedule_for_freshness(threshold_seconds: float) -> str:
    """The least frequent regular cron schedule whose runs are never further apart than the
    freshness threshold: what `pipeline.schedule` means when it is absent."""
    minutes = int(threshold_seconds // 60)
    if minutes < 60:
        step = max((d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d <= max(minutes, 1)))
        return "* * * * *" if step == 1 else f"*/{step} * * * *"
    hours = minutes // 60
    if hours < 24:
        step = max(d for d in (1, 2, 3, 4, 6, 8, 12) if d <= hours)
        return "0 * * * *" if step == 1 else f"0 */{step} * * *"
    if hours < 7 * 24:
        return "0 0 * * *"
    return "0 0 * * 0"


def human_duration(seconds: float) -> str:
    """5400 → 1h30m."""
    rest, parts = int(seconds), []
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"
