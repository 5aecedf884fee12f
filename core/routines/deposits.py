"""Deposits: 日均 (average daily balance) against 时点 (point balance), per manager and as a daily series.

Built on :mod:`core.measures` (carried balances, 日均, 时点 and the one month-end spike definition): each calendar
day carries the last logged balance forward; days before the first balance of the month carry the previous
months' last balance; days before any known balance are left out. The spike threshold is the coaching rules'
``month_end_spike.ratio`` (the page model passes the active rules' value), so the monthly page and the coaching
page agree on who spiked.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from core import calendar as cal
from core import measures
from core.routines.compare import month_period
from core.routines.frames import manager_info, slice_period


def _grid(logs: pd.DataFrame, start, end, lookback) -> pd.DataFrame:
    """Carried balances (calendar day × manager) over start..end, looking back to `lookback`."""
    rows = slice_period(logs, lookback, end, ["employee_id", "date", "deposit_balance"] if not logs.empty else None)
    return measures.carried_balances(rows, start, end, lookback)


def average_daily_balance(logs: pd.DataFrame, month: str, overrides=None, as_of=None,
                          roster: pd.DataFrame | None = None, spike_at: float = measures.DEFAULT_SPIKE_RATIO) -> pd.DataFrame:
    """Deposit 日均 (average daily balance) and 时点 (point balance) per manager for `month`, in 万元.

    Each calendar day carries the last logged balance forward (see module doc); `as_of` cuts the month
    (month-to-date 日均, 时点 on as_of). The previous month is computed the same way over its whole length.
    Only managers with a known balance in the month appear. Columns: employee_id, name, team, adb (日均),
    month_end (时点), spike_ratio (month_end / adb), spike (:func:`core.measures.is_spike` at ratio `spike_at`), spike_amount
    (month_end − adb), days_counted (calendar days with a known balance), prev_adb, adb_increment (adb − prev_adb),
    prev_month_end, point_increment (month_end − prev_month_end), month. ``overrides`` is accepted for symmetry:
    日均 counts calendar days, not working days.
    """
    month = cal.month_key(month)
    f, l = month_period(month, as_of)
    pm = cal.add_months(month, -1)
    pf, pl = cal.month_bounds(pm)
    lookback = cal.month_bounds(cal.add_months(month, -2))[0]
    cols = ["employee_id", "name", "team", "adb", "month_end", "spike_ratio", "spike", "spike_amount",
            "days_counted", "prev_adb", "adb_increment", "prev_month_end", "point_increment", "month"]
    if l < f:
        return pd.DataFrame(columns=cols)
    grid = _grid(logs, pf, l, lookback)
    cur = grid.loc[pd.Timestamp(f):pd.Timestamp(l)]
    prev = grid.loc[pd.Timestamp(pf):pd.Timestamp(pl)]
    if cur.empty or cur.shape[1] == 0:
        return pd.DataFrame(columns=cols)
    adb = measures.average_daily(cur)
    known = cur.notna().sum(axis=0)
    keep = known > 0
    adb, known = adb[keep], known[keep]
    ids = pd.Index(adb.index, dtype=object)
    month_end = measures.point_balance(cur).reindex(ids)
    prev_adb = measures.average_daily(prev).reindex(ids) if len(prev) else pd.Series(np.nan, index=ids)
    prev_end = measures.point_balance(prev).reindex(ids) if len(prev) else pd.Series(np.nan, index=ids)
    info = manager_info(ids, roster, slice_period(logs, lookback, l) if roster is None or roster.empty else None)
    ratio = measures.spike_ratio(month_end.to_numpy(), adb.to_numpy())
    out = pd.DataFrame({
        "employee_id": ids.to_numpy(dtype=object), "name": info["name"].to_numpy(dtype=object),
        "team": info["team"].to_numpy(dtype=object), "adb": adb.to_numpy(dtype="float64"),
        "month_end": month_end.to_numpy(dtype="float64"), "spike_ratio": ratio,
        "spike": measures.is_spike(month_end.to_numpy(), adb.to_numpy(), spike_at),
        "spike_amount": month_end.to_numpy(dtype="float64") - adb.to_numpy(dtype="float64"),
        "days_counted": known.to_numpy(dtype="int64"),
        "prev_adb": prev_adb.to_numpy(dtype="float64"), "prev_month_end": prev_end.to_numpy(dtype="float64"),
    })
    out["adb_increment"] = out["adb"] - out["prev_adb"]
    out["point_increment"] = out["month_end"] - out["prev_month_end"]
    out["month"] = month
    return out[cols].sort_values(["team", "employee_id"], na_position="last").reset_index(drop=True)


def adb_from_figures(figures: pd.DataFrame, month: str, as_of=None, roster: pd.DataFrame | None = None,
                     spike_at: float = measures.DEFAULT_SPIKE_RATIO) -> pd.DataFrame:
    """:func:`average_daily_balance` from the carried-balance figures already made — the store's
    ``balance_figures`` frame (period, employee_id, known_days, balance_sum, point) with period ``cur`` for the
    month to `as_of` (:func:`core.routines.compare.month_period`) and ``prev`` for the whole month before, both
    carried from the first day of the month before that."""
    month = cal.month_key(month)
    f, l = month_period(month, as_of)
    cols = ["employee_id", "name", "team", "adb", "month_end", "spike_ratio", "spike", "spike_amount",
            "days_counted", "prev_adb", "adb_increment", "prev_month_end", "point_increment", "month"]
    cur = figures[(figures["period"] == "cur") & (figures["known_days"] > 0)] if len(figures) else figures
    if l < f or not len(cur):
        return pd.DataFrame(columns=cols)
    cur = cur.set_index("employee_id")
    ids = pd.Index(sorted(cur.index), dtype=object)
    cur = cur.reindex(ids)
    prev = figures[figures["period"] == "prev"].set_index("employee_id").reindex(ids)
    adb = (cur["balance_sum"] / cur["known_days"]).to_numpy(dtype="float64")
    month_end = cur["point"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        prev_adb = np.where(prev["known_days"].fillna(0).to_numpy() > 0,
                            prev["balance_sum"].to_numpy(dtype="float64") / prev["known_days"].to_numpy(dtype="float64"),
                            np.nan)
    info = manager_info(ids, roster, None)
    out = pd.DataFrame({
        "employee_id": ids.to_numpy(dtype=object), "name": info["name"].to_numpy(dtype=object),
        "team": info["team"].to_numpy(dtype=object), "adb": adb, "month_end": month_end,
        "spike_ratio": measures.spike_ratio(month_end, adb), "spike": measures.is_spike(month_end, adb, spike_at),
        "spike_amount": month_end - adb, "days_counted": cur["known_days"].to_numpy(dtype="int64"),
        "prev_adb": prev_adb, "prev_month_end": prev["point"].to_numpy(dtype="float64"),
    })
    out["adb_increment"] = out["adb"] - out["prev_adb"]
    out["point_increment"] = out["month_end"] - out["prev_month_end"]
    out["month"] = month
    return out[cols].sort_values(["team", "employee_id"], na_position="last").reset_index(drop=True)


def balance_periods(month: str, as_of=None) -> tuple[dict, object]:
    """The periods and the look-back :func:`adb_from_figures` needs: ({'cur': month to as_of, 'prev': the month
    before}, first day of the month before that)."""
    month = cal.month_key(month)
    f, l = month_period(month, as_of)
    pf, pl = cal.month_bounds(cal.add_months(month, -1))
    return {"cur": (f, l), "prev": (pf, pl)}, cal.month_bounds(cal.add_months(month, -2))[0]


def balance_series(logs: pd.DataFrame, month: str, employee_id: str | None = None, team: str | None = None,
                   as_of=None) -> pd.DataFrame:
    """Daily carried-forward deposit balance (万元) over the month, summed over the selected managers (all, one
    `team` via the logs' team column, or one `employee_id`), with the running 日均 to date.
    Columns: date, balance (carried; NaN before any known balance), adb_to_date (mean of balance so far)."""
    month = cal.month_key(month)
    f, l = month_period(month, as_of)
    lookback = cal.month_bounds(cal.add_months(month, -1))[0]
    sel = logs
    if team is not None and len(logs):
        sel = sel[sel["team"] == team]
    if employee_id is not None and len(logs):
        sel = sel[sel["employee_id"] == employee_id]
    grid = _grid(sel, f, l, lookback) if l >= f else pd.DataFrame()
    days = pd.date_range(pd.Timestamp(f), pd.Timestamp(l), freq="D") if l >= f else pd.DatetimeIndex([])
    bal = grid.sum(axis=1, min_count=1).reindex(days) if grid.shape[1] else pd.Series(np.nan, index=days)
    running = bal.expanding().mean() if len(bal) else bal
    return pd.DataFrame({"date": days, "balance": bal.to_numpy(dtype="float64"),
                         "adb_to_date": running.to_numpy(dtype="float64")})
