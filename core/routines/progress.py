"""Month-to-date pace (序时进度) per manager, rolled up to teams and the branch, and the daily pace series.

* **expected to date** = target × elapsed working days / working days in the month; **gap** = actual − expected;
  **pace_ratio** = actual / expected; **status** from :func:`core.measures.status_of` (see :mod:`core.measures`).
* Team and branch roll-ups sum the managers' actuals (everyone's, targeted or not) and targets (those set), and
  recompute the ratios from the sums (never an average of ratios) — :func:`roll_up`, used by the weekly review too.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core import calendar as cal
from core import measures
from core.convert import as_date
from core.routines.frames import (BRANCH, LEVELS, active_managers, check_level, check_metrics, manager_info,
                                  period_totals, slice_period, union_ids, workday_info)
from core.schema import TARGET_METRICS

_PROGRESS_COLUMNS = ["level", "entity", "employee_id", "name", "team", "metric", "actual", "target", "expected",
                     "gap", "attainment", "pace_ratio", "status", "remaining", "daily_needed", "elapsed_workdays",
                     "total_workdays", "workdays_left", "month"]


def targets_for(targets: pd.DataFrame, month: str, metrics: Sequence[str]) -> pd.Series:
    """Target values for `month` as a Series indexed (employee_id, metric); duplicates summed."""
    if targets is None or targets.empty:
        return pd.Series(dtype="float64", index=pd.MultiIndex.from_arrays([[], []], names=["employee_id", "metric"]))
    t = targets_month(targets, month, metrics)
    s = t.set_index(["employee_id", "metric"])["value"].astype("float64")
    if not s.index.is_unique:
        s = s.groupby(level=[0, 1], sort=False).sum(min_count=1)
    return s


def targets_month(targets: pd.DataFrame, month: str, metrics: Sequence[str]) -> pd.DataFrame:
    """Target rows of one month restricted to `metrics` (month compared as text)."""
    mcol = targets["month"].to_numpy()
    sel = (mcol == month) if mcol.dtype == object else (targets["month"].astype(str).to_numpy() == month)
    t = targets.loc[sel, ["employee_id", "metric", "value"]]
    mset = set(metrics)
    if not mset.issuperset(pd.unique(t["metric"].to_numpy(dtype=object))):
        t = t[t["metric"].isin(list(metrics))]
    return t


def _derive_progress(df: pd.DataFrame, w: dict) -> pd.DataFrame:
    """Fill expected … daily_needed from actual and target, given workday info `w`."""
    total, elapsed, left = w["total"], w["elapsed"], w["left"]
    target = df["target"].to_numpy(dtype="float64")
    actual = df["actual"].to_numpy(dtype="float64")
    p = measures.pace(actual, target, elapsed, total)
    for c in ("expected", "gap", "attainment", "pace_ratio", "status"):
        df[c] = p[c]
    remaining = np.where(np.isnan(target), np.nan, np.clip(target - actual, 0, None))
    df["remaining"] = remaining
    df["daily_needed"] = remaining / left if left else np.nan
    df["elapsed_workdays"] = elapsed
    df["total_workdays"] = total
    df["workdays_left"] = left
    df["month"] = w["month"]
    return df


def month_progress(logs: pd.DataFrame, targets: pd.DataFrame, roster: pd.DataFrame | None, month: str, as_of,
                   overrides=None, level: str = "manager", metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Month-to-date actual vs target vs expected (时间进度), long per (entity, metric).

    Entities at level ``manager``: active roster managers (started by month end) ∪ anyone with logs or targets
    in the month. ``team`` / ``branch`` roll up those managers (see module doc); ``all`` returns the three
    levels stacked (manager rows first).

    Columns: level ('manager'|'team'|'branch'), entity (employee_id / team name / 'branch'), employee_id (None
    above manager), name (manager or team name; None for branch), team (None for branch), metric,
    actual (month start … min(as_of, month end), storage unit), target (NaN = none set), expected
    (= target × elapsed / total working days), gap (= actual − expected), attainment (actual / target),
    pace_ratio (actual / expected), status ('ahead'|'on_pace'|'behind'|None), remaining (max(target − actual, 0)),
    daily_needed (remaining / workdays_left; NaN when none left), elapsed_workdays, total_workdays,
    workdays_left, month. ``metrics`` defaults to ``schema.TARGET_METRICS``.
    """
    check_level(level, (*LEVELS, "all"))
    month = cal.month_key(month)
    ms = check_metrics(metrics, TARGET_METRICS)
    w = workday_info(month, as_of, overrides)
    end = min(as_date(as_of), w["last"])
    act = period_totals(logs, w["first"], end, metrics=ms, roster=roster) if end >= w["first"] else \
        period_totals(logs.iloc[0:0], w["first"], w["first"], metrics=ms, roster=roster)
    info_logs = slice_period(logs, w["first"], end) if roster is None or roster.empty else None
    return progress_from_totals(act, targets, roster, month, as_of, overrides, level, ms, info_logs)


def progress_from_totals(act: pd.DataFrame, targets: pd.DataFrame, roster: pd.DataFrame | None, month: str, as_of,
                         overrides=None, level: str = "manager", metrics: Sequence[str] | None = None,
                         info_logs: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`month_progress` from the month-to-date sums per manager already made (`act`: employee_id and the
    metrics, as :func:`core.routines.frames.period_totals` or a store aggregate gives them); `info_logs` names
    the managers when there is no roster."""
    check_level(level, (*LEVELS, "all"))
    month = cal.month_key(month)
    ms = check_metrics(metrics, TARGET_METRICS)
    w = workday_info(month, as_of, overrides)
    tgt = targets_for(targets, month, ms)
    ids = union_ids(active_managers(roster, end=w["last"]), act["employee_id"], tgt.index.get_level_values(0))
    n, k = len(ids), len(ms)
    actual_wide = act.set_index("employee_id")[ms].reindex(ids).fillna(0.0)
    target_wide = tgt.unstack("metric").reindex(index=ids, columns=ms) if len(tgt) else \
        pd.DataFrame(np.nan, index=ids, columns=ms)
    info = manager_info(ids, roster, info_logs if roster is None or roster.empty else None)
    df = pd.DataFrame({
        "level": "manager",
        "entity": np.repeat(ids.to_numpy(dtype=object), k),
        "employee_id": np.repeat(ids.to_numpy(dtype=object), k),
        "name": np.repeat(info["name"].to_numpy(dtype=object), k),
        "team": np.repeat(info["team"].to_numpy(dtype=object), k),
        "metric": np.tile(np.array(ms, dtype=object), n),
        "actual": actual_wide.to_numpy(dtype="float64").reshape(-1),
        "target": target_wide.to_numpy(dtype="float64").reshape(-1),
    })
    df = _derive_progress(df, w)[_PROGRESS_COLUMNS]
    if level == "manager":
        return df
    if level == "all":
        return pd.concat([df, rollup_progress(df, "team", overrides=overrides, as_of=as_of),
                          rollup_progress(df, "branch", overrides=overrides, as_of=as_of)], ignore_index=True)
    return rollup_progress(df, level, overrides=overrides, as_of=as_of)


def rollup_progress(progress: pd.DataFrame, level: str, overrides=None, as_of=None) -> pd.DataFrame:
    """Roll manager-level :func:`month_progress` rows up to ``team`` or ``branch`` (sums, then ratios recomputed).

    The working-day figures are taken from the input rows (``overrides``/``as_of`` are accepted for symmetry and
    only used when the input is empty)."""
    check_level(level, ("team", "branch"))
    man = progress[progress["level"] == "manager"]
    if man.empty:
        return progress.iloc[0:0][_PROGRESS_COLUMNS].copy()
    w = {"total": int(man["total_workdays"].iat[0]), "elapsed": int(man["elapsed_workdays"].iat[0]),
         "left": int(man["workdays_left"].iat[0]), "month": man["month"].iat[0]}
    out = roll_up(man, level, sums=("actual",), partial=("target",))
    return _derive_progress(out, w)[_PROGRESS_COLUMNS].reset_index(drop=True)


def roll_up(rows: pd.DataFrame, level: str, sums: Sequence[str], partial: Sequence[str] = ()) -> pd.DataFrame:
    """Manager rows (long per metric) summed up to ``team`` (by team; no team → '') or ``branch``.

    Columns: level, entity, employee_id (None), name and team (the team; None for the branch), metric, then the
    `sums` (plain sums) and the `partial` columns (sums that stay NaN when every part is NaN, e.g. targets).
    Rows ordered by entity, then by the metrics' order in `rows`. The callers recompute their ratios from these
    sums (never an average of ratios)."""
    check_level(level, ("team", "branch"))
    key = rows["team"].fillna("") if level == "team" else pd.Series(BRANCH, index=rows.index)
    g = rows.assign(_k=key.to_numpy()).groupby(["_k", "metric"], sort=False)
    agg = pd.DataFrame({**{c: g[c].sum() for c in sums}, **{c: g[c].sum(min_count=1) for c in partial}})
    agg = agg.reset_index()
    order = {m: i for i, m in enumerate(pd.unique(rows["metric"]))}
    agg = agg.assign(_o=agg["metric"].map(order)).sort_values(["_k", "_o"])
    entity = agg["_k"].to_numpy(dtype=object)
    team = entity if level == "team" else None
    return pd.DataFrame({"level": level, "entity": entity, "employee_id": None, "name": team, "team": team,
                         "metric": agg["metric"].to_numpy(dtype=object),
                         **{c: agg[c].to_numpy(dtype="float64") for c in (*sums, *partial)}})


def month_pace(month: str, as_of, overrides=None) -> float:
    """Time elapsed (时间进度): working days of `month` gone by `as_of` / all its working days (1.0 for a month
    without working days)."""
    w = workday_info(month, as_of, overrides)
    return measures.time_elapsed(w["elapsed"], w["total"]) if w["total"] else 1.0


def pace_series(logs: pd.DataFrame, targets: pd.DataFrame, month: str, as_of, metric: str, overrides=None,
                team: str | None = None, employee_id: str | None = None,
                roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Daily series for the pace chart: cumulative actual against the straight target-pace line.

    Scope: the whole frame, or one `team` (members from `roster`, else from the logs' team column), or one
    `employee_id`. One row per calendar day of the month. Columns: date (Timestamp), is_workday, workday_no
    (working days elapsed through that day), daily_actual, actual_cum (NaN after as_of), target (month total, NaN
    when none), target_pace (= target × workday_no / total working days; flat over days off), metric.
    """
    return pace_table(logs, targets, month, as_of, [metric], overrides, team, employee_id, roster)


def pace_table(logs: pd.DataFrame, targets: pd.DataFrame, month: str, as_of, metrics: Sequence[str] | None = None,
               overrides=None, team: str | None = None, employee_id: str | None = None,
               roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`pace_series` for several metrics in one pass (default: TARGET_METRICS), stacked metric by metric
    (same columns; filter on ``metric``)."""
    month, ms, first, last, a, days, flags = _pace_month(month, metrics, as_of, overrides)
    cols = ["employee_id", "date", *ms] + (["team"] if team is not None and "team" in logs.columns else [])
    sub = slice_period(logs, first, min(a, last), cols if not logs.empty else None) if a >= first else logs.iloc[0:0]
    members = None
    if team is not None:
        if roster is not None and len(roster):
            members = set(roster.loc[roster["team"] == team, "employee_id"])
        else:
            members = set(logs.loc[logs["team"] == team, "employee_id"].unique()) if len(logs) else set()
        sub = sub[sub["employee_id"].isin(members)]
    if employee_id is not None:
        sub = sub[sub["employee_id"] == employee_id]
    if len(sub):
        di = ((sub["date"].to_numpy() - days[0].to_datetime64()) // np.timedelta64(1, "D")).astype(np.int64)
        daily = np.stack([np.bincount(di, weights=sub[m].to_numpy(dtype="float64"), minlength=len(days))
                          for m in ms], axis=1)
    else:
        daily = np.zeros((len(days), len(ms)))
    tg = targets_month(targets, month, ms) if targets is not None and len(targets) else None
    if tg is not None and len(tg):
        if members is not None:
            tg = tg[tg["employee_id"].isin(members)]
        if employee_id is not None:
            tg = tg[tg["employee_id"] == employee_id]
    return _pace_frame(days, flags, daily, a, tg, ms)


def pace_from_daily(daily_sums: pd.DataFrame, targets: pd.DataFrame, month: str, as_of,
                    metrics: Sequence[str] | None = None, overrides=None) -> pd.DataFrame:
    """:func:`pace_table` of everyone in the frames from per-day sums already made (`daily_sums`: date and the
    metrics, one row per logged day, as the store's daily aggregate gives them)."""
    month, ms, first, last, a, days, flags = _pace_month(month, metrics, as_of, overrides)
    daily = np.zeros((len(days), len(ms)))
    if a >= first and len(daily_sums):
        sub = slice_period(daily_sums, first, min(a, last))
        di = ((sub["date"].to_numpy() - days[0].to_datetime64()) // np.timedelta64(1, "D")).astype(np.int64)
        for j, m in enumerate(ms):
            daily[:, j] = np.bincount(di, weights=sub[m].to_numpy(dtype="float64"), minlength=len(days))
    tg = targets_month(targets, month, ms) if targets is not None and len(targets) else None
    return _pace_frame(days, flags, daily, a, tg, ms)


def _pace_month(month: str, metrics, as_of, overrides):
    """What both pace tables start from: the month key, the metrics, its first and last day, the as-of date, its
    calendar days and which of them are working days."""
    month = cal.month_key(month)
    ms = check_metrics(metrics, TARGET_METRICS)
    first, last = cal.month_bounds(month)
    days = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D", name="date")
    flags = np.array([cal.is_workday(d, overrides) for d in days], dtype=bool)
    return month, ms, first, last, as_date(as_of), days, flags


def _pace_frame(days: pd.DatetimeIndex, flags: np.ndarray, daily: np.ndarray, a, tg, ms) -> pd.DataFrame:
    total = int(flags.sum())
    wd_no = np.cumsum(flags)
    cum = np.cumsum(daily, axis=0)
    cum[days.date > a, :] = np.nan
    tsum = tg.groupby("metric")["value"].sum(min_count=1) if tg is not None and len(tg) else pd.Series(dtype=float)
    parts = []
    for j, m in enumerate(ms):
        target = float(tsum.get(m, np.nan))
        parts.append(pd.DataFrame({
            "date": days, "is_workday": flags, "workday_no": wd_no.astype("int64"),
            "daily_actual": daily[:, j], "actual_cum": cum[:, j], "target": target,
            "target_pace": target * wd_no / total if total else np.nan, "metric": m,
        }))
    return pd.concat(parts, ignore_index=True)
