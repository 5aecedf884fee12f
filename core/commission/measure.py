"""日均 quantities (average daily balance) of a plan item: ``measure: avg_daily | avg_daily_increase``. Pure.

Definitions (the plan's contract, tested by hand in tests/core/commission/test_avg_daily.py):

* **B(d)** for a manager and a calendar day d = the ``deposit_balance`` logged on the latest date ≤ d that has one
  (it may lie before the period, however long before), or 0 if none (:func:`core.measures.carried_balances`).
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
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from core import calendar as cal
from core.commission.periods import Period, parse_period, quarter_of
from core.convert import ZERO, dec, money
from core.measures import carried_balances

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


def balance_days(rows: pd.DataFrame, start: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal]]:
    """(d, B(d)) for start ≤ d ≤ end from one manager's balance rows (employee_id, date, deposit_balance)."""
    rows = rows[rows["date"] <= pd.Timestamp(end)] if not rows.empty else rows
    lookback = min(start, rows["date"].min().date()) if not rows.empty else start
    grid = carried_balances(rows, start, end, lookback=lookback)
    days = [d.date() for d in pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")]
    if grid.shape[1] == 0:
        return [(d, ZERO) for d in days]
    col = grid.iloc[:, 0]
    return [(d, dec(v)) for d, v in zip(days, col.tolist())]


def avg_daily(rows: pd.DataFrame, per: Period, data_end: dt.date | None) -> tuple[Decimal, list]:
    """avg_daily(P) (rounded to 0.01 half up) and the (day, B(d)) it averages."""
    w = window(per, data_end)
    if w is None:
        return Decimal("0.00"), []
    days = balance_days(rows, *w)
    return money(sum((b for _, b in days), ZERO) / len(days)), days


def base_period(per: Period, base: str) -> Period:
    """The period an avg_daily_increase compares with: the previous period of the same kind, or a year earlier."""
    back = {"previous_period": len(per.months), "same_period_last_year": 12}[base]
    first = cal.add_months(per.months[0], -back)
    return parse_period(first if per.kind == "monthly" else quarter_of(first))


def point(rows: pd.DataFrame, day: dt.date) -> Decimal:
    """B(day): the balance logged on the latest date ≤ day, 0 if none."""
    rows = rows[(rows["date"] <= pd.Timestamp(day)) & rows["deposit_balance"].notna()] if not rows.empty else rows
    if rows.empty:
        return ZERO
    return dec(rows.sort_values("date", kind="stable")["deposit_balance"].iloc[-1])


def measure(measure_name: str, base: str | None, per: Period, rows: pd.DataFrame,
            data_end: dt.date | None) -> AvgDaily:
    """The 日均 quantity of an item with ``measure: avg_daily`` / ``avg_daily_increase`` for one manager."""
    current, days = avg_daily(rows, per, data_end)
    if measure_name == "avg_daily":
        return AvgDaily(measure_name, None, current, None, None, days)
    if base == "year_start":
        day = dt.date(per.start.year - 1, 12, 31)
        return AvgDaily(measure_name, base, current, money(point(rows, day)), day.isoformat(), days)
    bp = base_period(per, base)
    value, _days = avg_daily(rows, bp, data_end)
    return AvgDaily(measure_name, base, current, value, bp.key, days)


__all__ = ["METRIC", "AvgDaily", "window", "balance_days", "avg_daily", "base_period", "point", "measure"]
