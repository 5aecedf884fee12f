"""日均 quantities (average daily balance) of a plan item: ``measure: avg_daily | avg_daily_increase``. Pure.

Definitions (the plan's contract, tested by hand in tests/core/commission/test_avg_daily.py):

* **B(d)** for a manager and a calendar day d = the ``deposit_balance`` logged on the latest date ≤ d that has one
  (it may lie before the period, however long before), or 0 if none (as :func:`core.measures.carried_balances`;
  here per manager by bisection, :class:`Balances`).
* A period P counts its calendar days from its first day up to min(its last day, the last date that has any
  logged row in the database — ``data_end``); none when data_end is before P (then 日均 = 0).
* **avg_daily(P)** = Σ B(d) over those days ÷ their number, rounded to 0.01 (half up).
* **avg_daily_increase(P)** = avg_daily(P) − base, where base is avg_daily of the previous period of the same
  kind (``previous_period``: the month or quarter just before P), of the same period a year earlier
  (``same_period_last_year``), or the single point balance B(31 December of the year before P's) rounded to 0.01
  (``year_start``, 比年初). Both terms are rounded before they are subtracted, so the statement adds up; a
  negative increase pays negatively.
* A period none of whose days is counted yet (it starts after ``data_end``) has no 日均: the item's quantity is 0.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from core import calendar as cal
from core.commission.days import BalanceDays
from core.commission.periods import Period, parse_period, quarter_of
from core.convert import ZERO, dec, money

METRIC = "deposit_balance"


@dataclass(frozen=True)
class AvgDaily:
    """One item's 日均 quantity and what it came from (shown on the statement and in its how-text)."""
    measure: str                          # avg_daily | avg_daily_increase
    base: str | None                      # previous_period | year_start | same_period_last_year
    current: Decimal                      # avg_daily(P), 0.01
    base_value: Decimal | None            # the base (0.01), None for avg_daily
    base_label: str | None                # the base period key ('2026-09', '2025-Q4') or the day ('2025-12-31')
    days: list = field(default_factory=list)   # (day, B(d)) for every day of P counted

    @property
    def quantity(self) -> Decimal:
        """The item's quantity; 0 while the period has no day counted yet (no 日均, so no increase either)."""
        if not self.days:
            return Decimal("0.00")
        return self.current if self.base_value is None else self.current - self.base_value


def window(per: Period, data_end: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The days of P that count: P's first day to min(P's last day, data_end); None when there are none."""
    end = per.end if data_end is None else min(per.end, data_end)
    return None if end < per.start else (per.start, end)


class Balances:
    """One manager's logged balances, prepared once: the dates (ascending) with a value, and that value (two rows
    of one day: the later row wins), so that B(d) is a bisection. Built from his rows (:meth:`of`) or, for many
    managers at once, by :func:`balances_by_employee`."""

    __slots__ = ("dates", "values")

    def __init__(self, dates: list[dt.date], values: list[float]):
        self.dates, self.values = dates, values

    @classmethod
    def of(cls, rows: pd.DataFrame | Balances | None) -> Balances:
        if isinstance(rows, Balances):
            return rows
        if rows is None or rows.empty:
            return cls([], [])
        vals = rows[METRIC].to_numpy(dtype="float64")
        keep = ~np.isnan(vals)
        return _prepared(rows["date"].to_numpy(dtype="datetime64[D]")[keep].tolist(), vals[keep].tolist())

    def at(self, day: dt.date) -> float | None:
        """B(day) as logged (None: nothing logged on or before `day`)."""
        i = bisect_right(self.dates, day)
        return self.values[i - 1] if i else None

    def days(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal]]:
        """(d, B(d)) for start ≤ d ≤ end."""
        out, d, one = [], start, dt.timedelta(days=1)
        i = bisect_right(self.dates, start)
        cur = self.values[i - 1] if i else None
        n = len(self.dates)
        cache: dict = {}
        while d <= end:
            while i < n and self.dates[i] <= d:
                cur = self.values[i]
                i += 1
            if cur is None:
                out.append((d, ZERO))
            else:
                v = cache.get(cur)
                if v is None:
                    v = cache[cur] = dec(cur)
                out.append((d, v))
            d += one
        return out

    def total(self, start: dt.date, end: dt.date) -> Decimal:
        """Σ B(d) for start ≤ d ≤ end — the sum of :meth:`days`' values, exactly, one term per logged balance
        (its value × the days it holds) instead of one per day."""
        total, d, one = ZERO, start, dt.timedelta(days=1)
        i = bisect_right(self.dates, start)
        cur = self.values[i - 1] if i else None
        n = len(self.dates)
        while d <= end:
            stop = end if i >= n else min(end, self.dates[i] - one)    # cur holds until the next logged date
            if cur is not None:
                total += dec(cur) * ((stop - d).days + 1)
            d = stop + one
            if i < n:
                cur = self.values[i]
                i += 1
        return total


def _prepared(dates: list[dt.date], values: list[float]) -> Balances:
    """Sorted by date (stable), one value per date: the last of a day's rows."""
    order = sorted(range(len(dates)), key=dates.__getitem__)
    ds, vs = [], []
    for k in order:
        if ds and ds[-1] == dates[k]:
            vs[-1] = values[k]
        else:
            ds.append(dates[k])
            vs.append(values[k])
    return Balances(ds, vs)


def balances_by_employee(rows: pd.DataFrame | None) -> dict[str, Balances]:
    """Every manager's :class:`Balances` from rows (employee_id, date, deposit_balance) of many managers: as
    :meth:`Balances.of` on each manager's rows (by date, stable; of two rows of one day the later), for all at once."""
    if rows is None or rows.empty:
        return {}
    vals = rows[METRIC].to_numpy(dtype="float64")
    keep = ~np.isnan(vals)
    if not keep.any():
        return {}
    codes, uniq = pd.factorize(rows["employee_id"].to_numpy(dtype=object)[keep])
    days = rows["date"].to_numpy(dtype="datetime64[D]")[keep].astype("int64")
    key = codes.astype("int64") * (1 << 32) + (days - days.min())
    order = np.argsort(key, kind="stable")
    key, vals = key[order], vals[keep][order]
    last = np.append(key[1:] != key[:-1], True)             # the last row of each (manager, day)
    key, vals = key[last], vals[last]
    dates = (days.min() + (key & ((1 << 32) - 1))).astype("datetime64[D]").tolist()
    values = vals.tolist()
    owner = (key >> 32).tolist()
    cuts = [0, *(np.flatnonzero(np.diff(key >> 32)) + 1).tolist(), len(key)]
    return {uniq[owner[lo]]: Balances(dates[lo:hi], values[lo:hi]) for lo, hi in zip(cuts[:-1], cuts[1:])}


def balance_days(rows: pd.DataFrame | Balances, start: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal]]:
    """(d, B(d)) for start ≤ d ≤ end from one manager's balance rows (employee_id, date, deposit_balance)."""
    return Balances.of(rows).days(start, end)


def avg_daily(rows: pd.DataFrame | Balances, per: Period, data_end: dt.date | None) -> tuple[Decimal, list]:
    """avg_daily(P) (rounded to 0.01 half up) and the (day, B(d)) it averages."""
    w = window(per, data_end)
    if w is None:
        return Decimal("0.00"), []
    rows = Balances.of(rows)
    days = BalanceDays(rows, *w)        # built when a statement shows them
    return money(rows.total(*w) / len(days)), days


def base_period(per: Period, base: str) -> Period:
    """The period an avg_daily_increase compares with: the previous period of the same kind, or a year earlier."""
    back = {"previous_period": len(per.months), "same_period_last_year": 12}[base]
    first = cal.add_months(per.months[0], -back)
    return parse_period(first if per.kind == "monthly" else quarter_of(first))


def point(rows: pd.DataFrame | Balances, day: dt.date) -> Decimal:
    """B(day): the balance logged on the latest date ≤ day, 0 if none."""
    v = Balances.of(rows).at(day)
    return ZERO if v is None else dec(v)


def measure(measure_name: str, base: str | None, per: Period, rows: pd.DataFrame | Balances,
            data_end: dt.date | None) -> AvgDaily:
    """The 日均 quantity of an item with ``measure: avg_daily`` / ``avg_daily_increase`` for one manager."""
    rows = Balances.of(rows)
    current, days = avg_daily(rows, per, data_end)
    if measure_name == "avg_daily":
        return AvgDaily(measure_name, None, current, None, None, days)
    if base == "year_start":
        day = dt.date(per.start.year - 1, 12, 31)
        return AvgDaily(measure_name, base, current, money(point(rows, day)), day.isoformat(), days)
    bp = base_period(per, base)
    value, _days = avg_daily(rows, bp, data_end)
    return AvgDaily(measure_name, base, current, value, bp.key, days)


__all__ = ["METRIC", "AvgDaily", "Balances", "balances_by_employee", "window", "balance_days", "avg_daily", "base_period", "point", "measure"]
