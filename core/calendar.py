"""China working-day calendar: statutory holidays and make-up working days (调休), plus a bank's overrides.

Built on the maintained `chinesecalendar` package. For a year that package does not cover yet, Monday–Friday
are working days (and the bank's override table can mark that year's holidays by hand).

Overrides are a mapping ``date -> bool`` (True = working day, False = day off); they win over the package.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import chinese_calendar

Overrides = Mapping[dt.date, bool] | None


def _as_date(d) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    if hasattr(d, "date"):  # pandas Timestamp
        return d.date()
    return dt.date.fromisoformat(str(d)[:10])


@lru_cache(maxsize=8192)
def _package_workday(d: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:  # year not covered by the package
        return d.weekday() < 5


def holiday_name(d, overrides: Overrides = None) -> str | None:
    """The statutory holiday's English name (e.g. "National Day") when `d` is one, else None."""
    d = _as_date(d)
    try:
        on, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        return None
    return name if on and name else None


def is_makeup_workday(d, overrides: Overrides = None) -> bool:
    """A weekend day that is a working day (调休)."""
    d = _as_date(d)
    return d.weekday() >= 5 and is_workday(d, overrides)


def is_workday(d, overrides: Overrides = None) -> bool:
    d = _as_date(d)
    if overrides and d in overrides:
        return bool(overrides[d])
    return _package_workday(d)


def workdays(start, end, overrides: Overrides = None) -> list[dt.date]:
    """Working days from `start` to `end`, both inclusive."""
    start, end = _as_date(start), _as_date(end)
    out = []
    d = start
    one = dt.timedelta(days=1)
    while d <= end:
        if is_workday(d, overrides):
            out.append(d)
        d += one
    return out


def count_workdays(start, end, overrides: Overrides = None) -> int:
    return len(workdays(start, end, overrides))


def month_bounds(month: str | dt.date) -> tuple[dt.date, dt.date]:
    """First and last calendar day of a month given as 'YYYY-MM' (or a date in it)."""
    if isinstance(month, str):
        y, m = parse_month(month)
    else:
        y, m = month.year, month.month
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def month_workdays(month: str | dt.date, overrides: Overrides = None) -> list[dt.date]:
    a, b = month_bounds(month)
    return workdays(a, b, overrides)


def last_workday_on_or_before(d, overrides: Overrides = None) -> dt.date:
    d = _as_date(d)
    for _ in range(60):
        if is_workday(d, overrides):
            return d
        d -= dt.timedelta(days=1)
    raise ValueError("no working day in the 60 days before %s" % d)


def previous_workday(d, overrides: Overrides = None) -> dt.date:
    """The last working day strictly before `d` ("yesterday" for the morning meeting)."""
    return last_workday_on_or_before(_as_date(d) - dt.timedelta(days=1), overrides)


def elapsed_workdays(month: str | dt.date, as_of, overrides: Overrides = None) -> int:
    """Working days of `month` up to and including `as_of` (0 before the month, all after it)."""
    days = month_workdays(month, overrides)
    as_of = _as_date(as_of)
    return sum(1 for d in days if d <= as_of)


def workdays_left(month: str | dt.date, as_of, overrides: Overrides = None) -> int:
    """Working days of `month` strictly after `as_of`."""
    days = month_workdays(month, overrides)
    as_of = _as_date(as_of)
    return sum(1 for d in days if d > as_of)


_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?\s*$")


def parse_month(text) -> tuple[int, int]:
    """'2026-11', '2026/11', '2026年11月', '2026.11' → (2026, 11). Raises ValueError otherwise."""
    if isinstance(text, (dt.date, dt.datetime)):
        return text.year, text.month
    m = _MONTH_RE.match(str(text))
    if not m:
        raise ValueError(f"not a month: {text!r}")
    y, mo = int(m.group(1)), int(m.group(2))
    if not 1 <= mo <= 12:
        raise ValueError(f"not a month: {text!r}")
    return y, mo


def month_key(d) -> str:
    d = _as_date(d) if not isinstance(d, str) else dt.date(*parse_month(d), 1)
    return f"{d.year:04d}-{d.month:02d}"


def add_months(month: str, n: int) -> str:
    y, m = parse_month(month)
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


_WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.I)


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """ISO week '2026-W44' → (Monday, Sunday)."""
    m = _WEEK_RE.match(str(week))
    if not m:
        raise ValueError(f"not an ISO week: {week!r} (expected e.g. 2026-W44)")
    monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    return monday, monday + dt.timedelta(days=6)


def week_key(d) -> str:
    y, w, _ = _as_date(d).isocalendar()
    return f"{y:04d}-W{w:02d}"


def quarter_months(period: str) -> list[str]:
    """'2026-Q3' → ['2026-07', '2026-08', '2026-09']."""
    m = re.match(r"^\s*(\d{4})-?Q([1-4])\s*$", str(period), re.I)
    if not m:
        raise ValueError(f"not a quarter: {period!r} (expected e.g. 2026-Q3)")
    y, q = int(m.group(1)), int(m.group(2))
    return [f"{y:04d}-{(q - 1) * 3 + i:02d}" for i in (1, 2, 3)]


def workday_flags(dates: Iterable, overrides: Overrides = None) -> list[bool]:
    return [is_workday(d, overrides) for d in dates]
