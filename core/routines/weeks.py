"""The week (周小结): this week against last week and against the week's share of the monthly targets, and the
manager × day visits grid."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from core import calendar as cal
from core import measures
from core.convert import as_date
from core.routines.frames import (LEVELS, active_managers, check_level, check_metrics, manager_info,
                                  period_totals, slice_period, union_ids)
from core.routines.progress import roll_up, targets_for
from core.schema import TARGET_METRICS


def week_target_share(targets: pd.DataFrame, week: str, overrides=None, metrics: Sequence[str] | None = None,
                      as_of=None) -> pd.DataFrame:
    """The week's share of the monthly targets per (employee_id, metric).

    share = Σ over the months the week touches of monthly target × (the week's working days in that month, up to
    `as_of` when given) / (working days of that month). A month without a target contributes nothing; NaN when no
    month has one. Columns: employee_id, metric, week_target, week_workdays.
    """
    ms = check_metrics(metrics, TARGET_METRICS)
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else min(sun, as_date(as_of))
    parts = []
    wd_total = 0
    for mk in sorted({cal.month_key(mon), cal.month_key(sun)}):
        f, l = cal.month_bounds(mk)
        wk = cal.count_workdays(max(mon, f), min(end, l), overrides) if end >= max(mon, f) else 0
        wd_total += wk
        mw = len(cal.month_workdays(mk, overrides))
        tg = targets_for(targets, mk, ms)
        if len(tg) and mw and wk:
            parts.append(tg * (wk / mw))
    if not parts:
        return pd.DataFrame({"employee_id": pd.Series(dtype=object), "metric": pd.Series(dtype=object),
                             "week_target": pd.Series(dtype="float64"), "week_workdays": pd.Series(dtype="int64")})
    s = pd.concat(parts).groupby(level=[0, 1]).sum(min_count=1)
    out = s.rename("week_target").reset_index()
    out["week_workdays"] = wd_total
    return out

_WEEK_COLUMNS = ["level", "entity", "employee_id", "name", "team", "metric", "this_week", "prev_week", "change",
                 "change_pct", "week_target", "week_attainment", "status", "week_workdays", "week"]


def _derive_week(df: pd.DataFrame) -> pd.DataFrame:
    tw, pw, wt = (df[c].to_numpy(dtype="float64") for c in ("this_week", "prev_week", "week_target"))
    df["change"] = tw - pw
    df["change_pct"] = measures.safe_div(tw - pw, pw)
    has_t = ~np.isnan(wt) & (wt > 0)
    df["week_attainment"] = measures.attainment(tw, wt)
    df["status"] = measures.status_of(df["week_attainment"].to_numpy(), has_t)
    return df


def week_comparison(logs: pd.DataFrame, targets: pd.DataFrame, roster: pd.DataFrame | None, week: str,
                    overrides=None, level: str = "manager", metrics: Sequence[str] | None = None,
                    as_of=None) -> pd.DataFrame:
    """This ISO week vs the previous week and vs the week's share of the monthly target, long per (entity, metric).

    With `as_of` inside the week, both weeks are cut to the same weekday (Mon…as_of vs the same days a week
    earlier) and the target share counts only the working days up to as_of.
    Columns: level, entity, employee_id, name, team, metric, this_week, prev_week, change (this − prev),
    change_pct (change / prev; NaN when prev is 0), week_target (:func:`week_target_share`, summed for
    roll-ups), week_attainment (this_week / week_target), status (same thresholds as pace), week_workdays, week.
    `level`: 'manager' | 'team' | 'branch' | 'all'.
    """
    check_level(level, (*LEVELS, "all"))
    ms = check_metrics(metrics, TARGET_METRICS)
    week = cal.week_key(cal.week_bounds(week)[0])
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else max(min(sun, as_date(as_of)), mon - dt.timedelta(days=1))
    seven = dt.timedelta(days=7)
    cur = period_totals(logs, mon, end, metrics=ms, roster=roster)
    prv = period_totals(logs, mon - seven, end - seven, metrics=ms, roster=roster)
    info_logs = slice_period(logs, mon - seven, sun) if roster is None or roster.empty else None
    return comparison_from_totals(cur, prv, targets, roster, week, overrides, level, ms, as_of, info_logs)


def comparison_from_totals(cur: pd.DataFrame, prv: pd.DataFrame, targets: pd.DataFrame, roster: pd.DataFrame | None,
                           week: str, overrides=None, level: str = "manager", metrics: Sequence[str] | None = None,
                           as_of=None, info_logs: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`week_comparison` from the totals per manager already made of this week (`cur`, cut at `as_of`)
    and of last week cut to the same weekday (`prv`) — :func:`core.routines.frames.period_totals` frames."""
    check_level(level, (*LEVELS, "all"))
    ms = check_metrics(metrics, TARGET_METRICS)
    week = cal.week_key(cal.week_bounds(week)[0])
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else max(min(sun, as_date(as_of)), mon - dt.timedelta(days=1))
    share = week_target_share(targets, week, overrides, ms, as_of=as_of)
    wk_days = cal.count_workdays(mon, end, overrides) if end >= mon else 0
    ids = union_ids(active_managers(roster, end=sun), cur["employee_id"], prv["employee_id"], share["employee_id"])
    n, k = len(ids), len(ms)
    tw = cur.set_index("employee_id")[ms].reindex(ids).fillna(0.0)
    pw = prv.set_index("employee_id")[ms].reindex(ids).fillna(0.0)
    wt = share.set_index(["employee_id", "metric"])["week_target"].unstack("metric").reindex(
        index=ids, columns=ms) if len(share) else pd.DataFrame(np.nan, index=ids, columns=ms)
    info = manager_info(ids, roster, info_logs if roster is None or roster.empty else None)
    df = pd.DataFrame({
        "level": "manager", "entity": np.repeat(ids.to_numpy(dtype=object), k),
        "employee_id": np.repeat(ids.to_numpy(dtype=object), k),
        "name": np.repeat(info["name"].to_numpy(dtype=object), k),
        "team": np.repeat(info["team"].to_numpy(dtype=object), k),
        "metric": np.tile(np.array(ms, dtype=object), n),
        "this_week": tw.to_numpy(dtype="float64").reshape(-1), "prev_week": pw.to_numpy(dtype="float64").reshape(-1),
        "week_target": wt.to_numpy(dtype="float64").reshape(-1),
    })
    df["week_workdays"] = wk_days
    df["week"] = week
    df = _derive_week(df)[_WEEK_COLUMNS]
    if level == "manager":
        return df
    levels = ("team", "branch") if level == "all" else (level,)
    parts = [df] if level == "all" else []
    for lv in levels:
        r = roll_up(df, lv, sums=("this_week", "prev_week"), partial=("week_target",))
        r["week_workdays"] = wk_days
        r["week"] = week
        parts.append(_derive_week(r)[_WEEK_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def visits_heatmap(logs: pd.DataFrame, roster: pd.DataFrame | None, week: str, overrides=None,
                   metric: str = "visits") -> pd.DataFrame:
    """Manager × day grid of one metric (visits by default) for an ISO week, long format.

    Rows: every active roster manager (and anyone who logged that week) × the 7 days Mon..Sun.
    Columns: employee_id, name, team, date (Timestamp), weekday (0 = Mon), is_workday, logged, value (NaN when
    not logged), week_total (the manager's total over the week). Sorted by team, employee_id, date.
    """
    mon, sun = cal.week_bounds(week)
    sub = slice_period(logs, mon, sun, ["employee_id", "date", metric] if not logs.empty else None)
    info_logs = slice_period(logs, mon, sun) if roster is None or roster.empty else None
    return heatmap_from_values(sub.rename(columns={metric: "value"}), roster, week, overrides, info_logs)


def heatmap_from_values(sub: pd.DataFrame, roster: pd.DataFrame | None, week: str, overrides=None,
                        info_logs: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`visits_heatmap` from the week's logged values already read (`sub`: employee_id, date, value — one
    row per logged manager-day, as the store's daily values give them)."""
    mon, sun = cal.week_bounds(week)
    days = pd.date_range(pd.Timestamp(mon), pd.Timestamp(sun), freq="D")
    ids = active_managers(roster, end=sun).union(pd.Index(sub["employee_id"].unique(), dtype=object), sort=False)
    info = manager_info(ids, roster, info_logs if roster is None or roster.empty else None)
    order = info.reset_index().sort_values(["team", "employee_id"], na_position="last")
    ids = pd.Index(order["employee_id"], dtype=object)
    if len(sub):
        piv = sub.groupby(["employee_id", "date"])["value"].sum().unstack("date").reindex(index=ids, columns=days)
    else:
        piv = pd.DataFrame(np.nan, index=ids, columns=days)
    vals = piv.to_numpy(dtype="float64")
    n = len(ids)
    flags = np.array([cal.is_workday(d, overrides) for d in days], dtype=bool)
    return pd.DataFrame({
        "employee_id": np.repeat(ids.to_numpy(dtype=object), 7),
        "name": np.repeat(order["name"].to_numpy(dtype=object), 7),
        "team": np.repeat(order["team"].to_numpy(dtype=object), 7),
        "date": np.tile(days.to_numpy(), n), "weekday": np.tile(np.arange(7), n),
        "is_workday": np.tile(flags, n), "logged": ~np.isnan(vals.reshape(-1)),
        "value": vals.reshape(-1), "week_total": np.repeat(np.nansum(vals, axis=1) if n else vals[:, 0], 7),
    })


def branch_week_rows(this_week: dict, prev_week: dict, week_target: dict, week: str, wk_days: int) -> pd.DataFrame:
    """The branch's :func:`week_comparison` rows (level 'branch') from its sums per metric — this week, last week
    (cut to the same weekday) and the week's share of the monthly targets (NaN: none set) — ratios recomputed."""
    ms = list(this_week)
    df = pd.DataFrame({"level": "branch", "entity": "branch", "employee_id": None, "name": None, "team": None,
                       "metric": ms, "this_week": [this_week[m] for m in ms],
                       "prev_week": [prev_week.get(m, 0.0) for m in ms],
                       "week_target": [week_target.get(m, np.nan) for m in ms]})
    df["week_workdays"] = wk_days
    df["week"] = week
    return _derive_week(df)[_WEEK_COLUMNS]


def week_window(week: str, as_of=None) -> tuple[dt.date, dt.date]:
    """(Monday, last day counted): the week cut at `as_of` as :func:`week_comparison` cuts it."""
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else max(min(sun, as_date(as_of)), mon - dt.timedelta(days=1))
    return mon, end


def week_share_factors(week: str, as_of=None, overrides=None) -> dict:
    """month → the share of that month's target falling in the week (its working days in the week up to `as_of`
    over the month's working days), as :func:`week_target_share` weighs them; 0 months left out."""
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else min(sun, as_date(as_of))
    out = {}
    for mk in sorted({cal.month_key(mon), cal.month_key(sun)}):
        f, l = cal.month_bounds(mk)
        wk = cal.count_workdays(max(mon, f), min(end, l), overrides) if end >= max(mon, f) else 0
        mw = len(cal.month_workdays(mk, overrides))
        if mw and wk:
            out[mk] = wk / mw
    return out
