"""Period against period: month-over-month (环比) and year-over-year (同比) are one function,
:func:`compare_months`, `back` months apart."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from core import calendar as cal
from core.convert import as_date
from core.measures import safe_div
from core.routines.frames import (BRANCH, check_level, check_metrics, manager_info, period_totals,
                                  slice_period)
from core.schema import FLOW_METRICS


def compare_periods(logs: pd.DataFrame, cur: tuple, prev: tuple, level: str = "manager",
                    roster: pd.DataFrame | None = None, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Flow totals of period `cur` (start, end) vs period `prev` (start, end) per entity and metric.

    Entities: anyone with logs in either period. ``current``/``previous`` are NaN for an entity with no logs in
    that period (no data ≠ zero); ``previous`` is NaN everywhere when nobody logged in the previous period.
    Columns: level, entity, employee_id, name, team, metric, current, previous, change, change_pct.
    """
    check_level(level)
    ms = check_metrics(metrics, FLOW_METRICS)
    a = period_totals(logs, cur[0], cur[1], metrics=ms, roster=roster)
    b = period_totals(logs, prev[0], prev[1], metrics=ms, roster=roster)
    info_logs = pd.concat([slice_period(logs, *prev), slice_period(logs, *cur)]) \
        if roster is None or roster.empty else None
    return compare_totals(a, b, level, roster, ms, info_logs)


def compare_totals(a: pd.DataFrame, b: pd.DataFrame, level: str = "manager", roster: pd.DataFrame | None = None,
                   metrics: Sequence[str] | None = None, info_logs: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compare_periods` from the two periods' totals per manager already made (`a` current, `b`
    previous: :func:`core.routines.frames.period_totals` frames)."""
    check_level(level)
    ms = check_metrics(metrics, FLOW_METRICS)
    a, b = a.copy(), b.copy()
    if level == "manager":
        key = "employee_id"
    else:
        key = "_k"
        for f in (a, b):
            f["_k"] = f["team"].fillna("") if level == "team" else BRANCH
    ag = a.groupby(key, sort=True)[ms].sum() if len(a) else pd.DataFrame(columns=ms, dtype="float64")
    bg = b.groupby(key, sort=True)[ms].sum() if len(b) else pd.DataFrame(columns=ms, dtype="float64")
    ids = pd.Index(sorted(set(ag.index) | set(bg.index)), dtype=object)
    k = len(ms)
    curv = ag.reindex(ids).to_numpy(dtype="float64").reshape(-1)
    prevv = bg.reindex(ids).to_numpy(dtype="float64").reshape(-1)
    if level == "manager":
        info = manager_info(ids, roster, info_logs if roster is None or roster.empty else None)
        names, teams, eids = info["name"].to_numpy(dtype=object), info["team"].to_numpy(dtype=object), \
            ids.to_numpy(dtype=object)
    else:
        eids = np.full(len(ids), None, dtype=object)
        names = ids.to_numpy(dtype=object) if level == "team" else eids
        teams = names
    out = pd.DataFrame({"level": level, "entity": np.repeat(ids.to_numpy(dtype=object), k),
                        "employee_id": np.repeat(eids, k), "name": np.repeat(names, k),
                        "team": np.repeat(teams, k), "metric": np.tile(np.array(ms, dtype=object), len(ids)),
                        "current": curv, "previous": prevv})
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = safe_div(out["change"], out["previous"])
    return out


def month_period(month: str, as_of=None) -> tuple[dt.date, dt.date]:
    f, l = cal.month_bounds(month)
    if as_of is not None:
        l = max(min(l, as_date(as_of)), f - dt.timedelta(days=1))
    return f, l


def _aligned(month: str, other: str, as_of) -> tuple[dt.date, dt.date]:
    """`other` month's period cut at the same day-of-month as `as_of` in `month` (whole month when as_of is None
    or at/after `month`'s end)."""
    f, l = cal.month_bounds(month)
    of, ol = cal.month_bounds(other)
    if as_of is None or as_date(as_of) >= l:
        return of, ol
    a = as_date(as_of)
    if a < f:
        return of, of - dt.timedelta(days=1)
    return of, min(ol, of + dt.timedelta(days=a.day - 1))


def compare_months(logs: pd.DataFrame, month: str, back: int, level: str = "manager",
                   roster: pd.DataFrame | None = None, metrics: Sequence[str] | None = None,
                   as_of=None) -> pd.DataFrame:
    """`month` vs the month `back` months earlier (1: 环比 month-over-month, 12: 同比 year-over-year), per entity
    and metric — :func:`compare_periods` columns plus ``month`` and ``previous_month``. With `as_of` inside the
    month both months are cut to the same day of the month; ``previous`` is NaN where that month has no data."""
    month = cal.month_key(month)
    pm = cal.add_months(month, -back)
    out = compare_periods(logs, month_period(month, as_of), _aligned(month, pm, as_of), level, roster, metrics)
    out["month"] = month
    out["previous_month"] = pm
    return out


def compare_months_from(cur: pd.DataFrame, prev: pd.DataFrame, month: str, back: int, level: str = "manager",
                        roster: pd.DataFrame | None = None, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`compare_months` from the totals per manager already made of `month` (to as_of) and of the month
    `back` months earlier cut the same way (:func:`aligned_period`)."""
    month = cal.month_key(month)
    out = compare_totals(cur, prev, level, roster, metrics)
    out["month"] = month
    out["previous_month"] = cal.add_months(month, -back)
    return out


def aligned_period(month: str, back: int, as_of=None) -> tuple[dt.date, dt.date]:
    """The period of the month `back` months before `month` that :func:`compare_months` compares with."""
    return _aligned(month, cal.add_months(cal.month_key(month), -back), as_of)


def month_over_month(logs: pd.DataFrame, month: str, level: str = "manager", roster: pd.DataFrame | None = None,
                     metrics: Sequence[str] | None = None, as_of=None) -> pd.DataFrame:
    """环比: :func:`compare_months` one month back."""
    return compare_months(logs, month, 1, level, roster, metrics, as_of)


def year_over_year(logs: pd.DataFrame, month: str, level: str = "manager", roster: pd.DataFrame | None = None,
                   metrics: Sequence[str] | None = None, as_of=None) -> pd.DataFrame:
    """同比: :func:`compare_months` twelve months back."""
    return compare_months(logs, month, 12, level, roster, metrics, as_of)
