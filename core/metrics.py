"""Computations behind the three routines: 晨会 (morning meeting), 周小结 (weekly review), 月总结 (monthly wrap-up).

Pure functions over the DataFrames of ``docs/DEVELOPING.md`` (no engine, no streamlit):

* **logs** — ``employee_id, date (datetime64), <schema.METRICS> (float), notes, manager_name, team, line, grade``.
  Flow metrics are 0 when blank; ``deposit_balance`` is NaN when not logged.
* **roster** — ``employee_id, name, team, line, grade, start_date, mentor_id, active``.
* **targets** — long: ``month ('YYYY-MM'), employee_id, metric, value``.
* **overrides** — calendar overrides ``{date: bool}`` passed to :mod:`core.calendar`.

Units are the storage units of :mod:`core.schema`: 万元 for deposits_new / deposit_balance / loans_new /
wealth_sales, 元 for fee_income, counts for the rest. Ratios (attainment, pace_ratio, conversion rates) are
plain fractions (1.0 = 100 %).

Dates (``day``, ``as_of``, ``start``, ``end``) may be ``datetime.date``, ``pandas.Timestamp`` or ISO strings.
Periods are inclusive at both ends.

Definitions
-----------
* **attainment** (完成率) = actual / target (NaN when there is no target or it is 0).
* **expected to date** (序时进度目标) = target × elapsed working days / working days in the month.
* **gap** (差距) = actual − expected.  **pace_ratio** = actual / expected.
* **status**: ``ahead`` when pace_ratio ≥ :data:`AHEAD_AT` (1.05), ``on_pace`` when ≥ :data:`ON_PACE_AT` (0.95),
  else ``behind``; ``on_pace`` when a target exists but no working day has elapsed yet; ``None`` without target.
* Team and branch roll-ups sum the managers' actuals (everyone's, targeted or not) and targets (those set), and
  recompute the ratios from the sums (never an average of ratios).
* **products sold** (funnel): credit_cards + mobile_banking (counts) + one sale for each logged day with
  deposits_new > 0, loans_new > 0 or wealth_sales > 0 (each counted separately). fee_income is revenue from
  those products, not a product, and is not counted.
* **composite score** (ranking, 十佳): mean over the metrics the manager has a target > 0 for of
  min(attainment, :data:`SCORE_CAP`) — the cap (150 %) stops one metric from dominating.
* **日均** (average daily balance): mean over the calendar days of the month of the balance, each calendar day
  carrying the last logged balance forward (weekends, holidays, unlogged days); days before the first balance of
  the month carry the previous months' last balance; days before any known balance are left out.
  **时点** (point balance) = the carried balance on the month's last day (or ``as_of``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from core import calendar as cal
from core.schema import FLOW_METRICS, TARGET_METRICS

# ------------------------------------------------------------------ constants

AHEAD_AT = 1.05            # pace_ratio at or above → "ahead"
ON_PACE_AT = 0.95          # pace_ratio at or above (and below AHEAD_AT) → "on_pace"; below → "behind"
STATUSES = ("ahead", "on_pace", "behind")
SCORE_CAP = 1.5            # per-metric attainment cap in the composite score
SPIKE_AT = 1.10            # 时点 / 日均 at or above → month-end spike (冲时点) flag
ATTAINMENT_BANDS = (0.0, 0.6, 0.8, 1.0, 1.2, np.inf)
ATTAINMENT_BAND_LABELS = ("<60%", "60–80%", "80–100%", "100–120%", "≥120%")
FUNNEL_STAGES = ("visits", "new_customers", "products_sold")
DEAL_AMOUNT_METRICS = ("deposits_new", "loans_new", "wealth_sales")   # a day with > 0 counts one sale
DEAL_COUNT_METRICS = ("credit_cards", "mobile_banking")               # each unit counts one sale
LEVELS = ("manager", "team", "branch")
BRANCH = "branch"          # entity key of the branch roll-up row
INFO_COLUMNS = ("name", "team", "line", "grade")
LAST_LOGGED_LOOKBACK = 92  # days looked back for missing_logs' last_logged
_EPS = 1e-9

__all__ = [
    "AHEAD_AT", "ON_PACE_AT", "STATUSES", "SCORE_CAP", "SPIKE_AT", "ATTAINMENT_BANDS", "ATTAINMENT_BAND_LABELS",
    "FUNNEL_STAGES", "LEVELS", "BRANCH",
    "slice_period", "manager_info", "active_managers", "period_totals", "daily_totals", "daily_snapshot",
    "missing_logs", "workday_info", "month_progress", "rollup_progress", "pace_series", "pace_table", "leaders", "leaderboard",
    "furthest_behind", "week_target_share", "week_comparison", "visits_heatmap", "funnel", "funnel_stages",
    "attainment_matrix", "ranking", "bottom_ranking", "distribution", "month_over_month", "year_over_year",
    "compare_periods", "average_daily_balance", "balance_series", "status_of",
]


# ------------------------------------------------------------------ small helpers

def _d(x) -> dt.date:
    """Any date-like → datetime.date."""
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, pd.Timestamp):
        return x.date()
    return dt.date.fromisoformat(str(x)[:10])


def _ts(x) -> pd.Timestamp:
    return pd.Timestamp(_d(x))


def _metrics(metrics: Iterable[str] | None, default: Sequence[str]) -> list[str]:
    ms = list(default if metrics is None else metrics)
    if "deposit_balance" in ms:
        raise ValueError("deposit_balance is a stock (balance), it cannot be summed; use average_daily_balance")
    return ms


def _safe_div(a, b):
    """a / b with NaN where b is 0 or NaN (works on scalars, arrays and Series)."""
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((b != 0) & ~np.isnan(b), a / np.where(b == 0, 1.0, b), np.nan)
    return out


def status_of(ratio, has_target=True):
    """Status word(s) for pace ratio(s): 'ahead' / 'on_pace' / 'behind'; None where there is no target.

    A NaN ratio with a target (nothing expected yet) is 'on_pace'. Works on scalars and array-likes
    (returns an object ndarray for array input).
    """
    scalar = np.ndim(ratio) == 0
    r = np.atleast_1d(np.asarray(ratio, dtype="float64"))
    ht = np.broadcast_to(np.atleast_1d(np.asarray(has_target, dtype=bool)), r.shape)
    out = np.select([np.isnan(r), r >= AHEAD_AT - _EPS, r >= ON_PACE_AT - _EPS],
                    ["on_pace", "ahead", "on_pace"], "behind").astype(object)
    out[~ht] = None
    return out[0] if scalar else out


def _sorted(v: np.ndarray) -> bool:
    """True when a datetime64 array is non-decreasing (NaT-free), checked on its int64 view."""
    i = v.view("int64")
    return bool(len(i) < 2 or (i[1:] >= i[:-1]).all()) and not (i == np.iinfo("int64").min).any()


def _sum_by_id(sub: pd.DataFrame, metrics: Sequence[str], key: str = "employee_id"):
    """Group sums by one key via factorize + bincount: (sorted unique keys, sums [n_keys × n_metrics], row counts)."""
    codes, uniq = pd.factorize(sub[key].to_numpy(dtype=object), sort=True)
    n = len(uniq)
    sums = np.empty((n, len(metrics)), dtype="float64")
    for j, m in enumerate(metrics):
        sums[:, j] = np.bincount(codes, weights=sub[m].to_numpy(dtype="float64"), minlength=n)
    counts = np.bincount(codes, minlength=n).astype("int64")
    return pd.Index(uniq, dtype=object, name=key), sums, counts


def slice_period(logs: pd.DataFrame, start, end, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of `logs` with start ≤ date ≤ end (inclusive), optionally only `columns`.

    Uses a binary search when the frame is sorted by date (as ``read_logs`` returns it), else a mask.
    """
    a, b = _ts(start), _ts(end)
    cols = list(columns) if columns is not None else None
    if logs.empty or a > b:
        out = logs.iloc[0:0]
        return out[cols] if cols is not None else out
    dates = logs["date"]
    v = dates.to_numpy()
    if v.dtype.kind == "M" and _sorted(v):
        i = int(np.searchsorted(v, np.datetime64(a, "ns"), side="left"))
        j = int(np.searchsorted(v, np.datetime64(b, "ns"), side="right"))
        out = logs.iloc[i:j]
        return out[cols] if cols is not None else out
    mask = (dates >= a) & (dates <= b)
    return logs.loc[mask, cols] if cols is not None else logs.loc[mask]


def manager_info(ids: Iterable[str], roster: pd.DataFrame | None = None,
                 logs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Name, team, line, grade per employee_id (index ``employee_id``), from the roster, else from the logs'
    joined columns (``manager_name``, ``team``, ``line``, ``grade``; last row wins). Unknown → NaN."""
    ids = ids if isinstance(ids, (pd.Index, pd.Series, np.ndarray)) else list(ids)
    idx = pd.Index(pd.unique(np.asarray(ids, dtype=object)), name="employee_id", dtype=object)
    if roster is not None and len(roster):
        r = roster if roster["employee_id"].is_unique else roster.drop_duplicates("employee_id", keep="last")
        cols = [c for c in INFO_COLUMNS if c in r.columns]
        out = r.set_index("employee_id")[cols].reindex(idx).astype(object)
        for c in INFO_COLUMNS:
            if c not in out.columns:
                out[c] = None
        out = out[list(INFO_COLUMNS)]
    else:
        out = pd.DataFrame(index=idx, columns=list(INFO_COLUMNS), dtype=object)
    missing = out["name"].isna()
    if missing.any() and logs is not None and len(logs) and "employee_id" in logs.columns:
        want = idx[missing.to_numpy()]
        cols = [c for c in ("manager_name", "team", "line", "grade") if c in logs.columns]
        if cols:
            sub = logs.loc[logs["employee_id"].isin(want), ["employee_id", *cols]]
            sub = sub.drop_duplicates("employee_id", keep="last").set_index("employee_id")
            sub = sub.rename(columns={"manager_name": "name"}).reindex(want)
            for c in sub.columns:
                out.loc[want, c] = sub[c].to_numpy()
    return out


def active_managers(roster: pd.DataFrame | None, start=None, end=None) -> pd.Index:
    """employee_ids of the roster who are active and had started by `end` (start_date NaT counts as started)."""
    if roster is None or roster.empty:
        return pd.Index([], name="employee_id", dtype=object)
    keep = pd.Series(True, index=roster.index)
    if "active" in roster.columns:
        keep &= roster["active"].fillna(True).astype(bool)
    if end is not None and "start_date" in roster.columns:
        sd = roster["start_date"]
        if not pd.api.types.is_datetime64_any_dtype(sd):
            sd = pd.to_datetime(sd)
        keep &= sd.isna() | (sd <= _ts(end))
    return pd.Index(pd.unique(roster.loc[keep.to_numpy(), "employee_id"].to_numpy(dtype=object)),
                    name="employee_id", dtype=object)


def _ids(*parts) -> pd.Index:
    """Sorted unique employee_ids from several iterables."""
    u: set = set()
    for p in parts:
        u.update(pd.unique(pd.Series(list(p), dtype=object)))
    u.discard(None)
    return pd.Index(sorted(x for x in u if x == x), name="employee_id", dtype=object)


def _attach_info(df: pd.DataFrame, roster, logs, key: str = "employee_id") -> pd.DataFrame:
    info = manager_info(df[key], roster, logs)
    for c in ("name", "team"):
        df[c] = info[c].reindex(df[key]).to_numpy()
    return df


def workday_info(month: str, as_of=None, overrides=None) -> dict:
    """Working days of `month`: {'month', 'total', 'elapsed', 'left', 'first', 'last', 'days'} where
    elapsed counts working days ≤ as_of (all when as_of is None) and left = total − elapsed."""
    month = cal.month_key(month)
    days = cal.month_workdays(month, overrides)
    first, last = cal.month_bounds(month)
    a = last if as_of is None else _d(as_of)
    elapsed = sum(1 for d in days if d <= a)
    return {"month": month, "total": len(days), "elapsed": elapsed, "left": len(days) - elapsed,
            "first": first, "last": last, "days": days}


# ------------------------------------------------------------------ totals

def period_totals(logs: pd.DataFrame, start, end, by: Sequence[str] = ("employee_id",),
                  metrics: Sequence[str] | None = None, roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sums of flow metrics per group over start..end (inclusive).

    Output columns: ``*by``, each metric (sum, in its storage unit), ``days_logged`` (rows summed); when grouping
    by ``employee_id`` only, also ``name`` and ``team`` (roster first, else the logs). Sorted by the keys.
    ``metrics`` defaults to ``schema.FLOW_METRICS``; ``deposit_balance`` is refused (a stock cannot be summed).
    """
    ms = _metrics(metrics, FLOW_METRICS)
    by = list(by)
    sub = slice_period(logs, start, end, [*by, *ms] if not logs.empty else None)
    if sub.empty:
        out = pd.DataFrame({**{k: pd.Series(dtype=object) for k in by},
                            **{m: pd.Series(dtype="float64") for m in ms},
                            "days_logged": pd.Series(dtype="int64")})
    elif len(by) == 1:
        keys, sums, counts = _sum_by_id(sub, ms, by[0])
        out = pd.DataFrame(sums, columns=ms)
        out.insert(0, by[0], keys.to_numpy(dtype=object))
        out["days_logged"] = counts
    else:
        g = sub.groupby(by, sort=True, observed=True)
        out = g[ms].sum()
        out["days_logged"] = g.size().astype("int64")
        out = out.reset_index()
    if by == ["employee_id"]:
        out = _attach_info(out, roster, slice_period(logs, start, end) if roster is None else None)
        out = out[["employee_id", "name", "team", *ms, "days_logged"]]
    return out


def daily_totals(logs: pd.DataFrame, start, end, metrics: Sequence[str] | None = None,
                 by: str | None = None, overrides=None) -> pd.DataFrame:
    """Per calendar day (every day of start..end, zero-filled) and optionally per `by` (e.g. 'team'): sums of
    `metrics`, with ``is_workday``. Columns: date, [by], is_workday, metrics…"""
    ms = _metrics(metrics, FLOW_METRICS)
    days = pd.date_range(_ts(start), _ts(end), freq="D", name="date")
    keys = ["date"] + ([by] if by else [])
    sub = slice_period(logs, start, end, [*keys, *ms] if not logs.empty else None)
    if by:
        groups = sorted(sub[by].dropna().unique()) if len(sub) else []
        full = pd.MultiIndex.from_product([days, groups], names=keys)
    else:
        full = days
    if len(sub):
        agg = sub.groupby(keys, sort=True, observed=True)[ms].sum().reindex(full, fill_value=0.0)
    else:
        agg = pd.DataFrame(0.0, index=full, columns=ms)
    out = agg.reset_index()
    flags = {d: cal.is_workday(d, overrides) for d in days}
    out.insert(len(keys), "is_workday", out["date"].map(flags).astype(bool))
    return out


def daily_snapshot(logs: pd.DataFrame, roster: pd.DataFrame, day) -> pd.DataFrame:
    """One row per active roster manager (plus anyone else who logged that day) for `day` ("yesterday").

    Columns: employee_id, name, team, line, grade, logged (a row exists for that day), empty (logged but every
    flow metric 0 and no notes), every flow metric (0 when not logged), deposit_balance (NaN when not logged),
    notes. Sorted by team then employee_id.
    """
    day_ts = _ts(day)
    sub = slice_period(logs, day_ts, day_ts)
    ids = active_managers(roster, end=day_ts).union(pd.Index(sub["employee_id"].unique() if len(sub) else []),
                                                      sort=False)
    info = manager_info(ids, roster, sub)
    out = info.reset_index()
    row = sub.drop_duplicates("employee_id", keep="last").set_index("employee_id") if len(sub) else None
    logged = pd.Series(False, index=ids)
    if row is not None:
        logged = pd.Series(ids.isin(row.index), index=ids)
    out["logged"] = logged.to_numpy()
    for m in FLOW_METRICS:
        vals = row[m].reindex(ids).fillna(0.0) if row is not None and m in row.columns else pd.Series(0.0, index=ids)
        out[m] = vals.to_numpy(dtype="float64")
    if row is not None and "deposit_balance" in row.columns:
        out["deposit_balance"] = row["deposit_balance"].reindex(ids).to_numpy(dtype="float64")
    else:
        out["deposit_balance"] = np.nan
    notes = row["notes"].reindex(ids) if row is not None and "notes" in row.columns else pd.Series(None, index=ids)
    out["notes"] = notes.where(notes.notna(), None).to_numpy(dtype=object)
    no_notes = notes.fillna("").astype(str).str.strip().eq("").to_numpy()
    out["empty"] = out["logged"].to_numpy() & (out[list(FLOW_METRICS)].to_numpy() == 0).all(axis=1) & no_notes
    cols = ["employee_id", "name", "team", "line", "grade", "logged", "empty", *FLOW_METRICS, "deposit_balance",
            "notes"]
    return out[cols].sort_values(["team", "employee_id"], na_position="last").reset_index(drop=True)


def missing_logs(logs: pd.DataFrame, roster: pd.DataFrame, start, end, overrides=None,
                 lookback_days: int = LAST_LOGGED_LOOKBACK) -> pd.DataFrame:
    """Per active roster manager, log compliance over the working days of start..end (counted from the manager's
    start_date when later). Columns: employee_id, name, team, workdays, logged_workdays, missing,
    missing_dates (list of datetime.date), last_logged (last log date within `lookback_days` before `end`, else
    NaT). Sorted by missing desc, team, id."""
    a, b = _d(start), _d(end)
    wd_ts = pd.DatetimeIndex([pd.Timestamp(d) for d in cal.workdays(a, b, overrides)])
    ids = active_managers(roster, end=b)
    n, k = len(ids), len(wd_ts)
    window = slice_period(logs, min(a, b - dt.timedelta(days=lookback_days)), b,
                          ["employee_id", "date"] if not logs.empty else None)
    ri = ids.get_indexer(window["employee_id"].to_numpy(dtype=object)) if len(window) else np.array([], int)
    known = ri >= 0
    ri, dates = ri[known], window["date"].to_numpy()[known] if len(window) else np.array([], "datetime64[ns]")
    grid = np.zeros((n, k), dtype=bool)
    ci = wd_ts.get_indexer(dates) if k and len(dates) else np.full(len(ri), -1)
    on = ci >= 0
    grid[ri[on], ci[on]] = True
    due = np.ones((n, k), dtype=bool)
    if roster is not None and "start_date" in roster.columns and n and k:
        sd = roster.drop_duplicates("employee_id", keep="last").set_index("employee_id")["start_date"]
        sd = pd.to_datetime(sd).reindex(ids).fillna(pd.Timestamp.min).to_numpy()
        due = wd_ts.to_numpy()[None, :] >= sd[:, None]
    miss = due & ~grid
    last = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
    if len(ri):
        lg = pd.Series(dates, index=ri).groupby(level=0).max()
        last.iloc[lg.index.to_numpy()] = lg.to_numpy()
    info = manager_info(ids, roster, None)
    wd_dates = np.array([d.date() for d in wd_ts], dtype=object)
    out = pd.DataFrame({
        "employee_id": ids.to_numpy(dtype=object),
        "name": info["name"].to_numpy(), "team": info["team"].to_numpy(),
        "workdays": due.sum(axis=1).astype("int64"),
        "logged_workdays": (due & grid).sum(axis=1).astype("int64"),
        "missing": miss.sum(axis=1).astype("int64"),
        "missing_dates": [list(wd_dates[row]) for row in miss] if k else [[] for _ in range(n)],
        "last_logged": last.to_numpy(),
    })
    return out.sort_values(["missing", "team", "employee_id"], ascending=[False, True, True]).reset_index(drop=True)


# ------------------------------------------------------------------ targets and pace

_PROGRESS_COLUMNS = ["level", "entity", "employee_id", "name", "team", "metric", "actual", "target", "expected",
                     "gap", "attainment", "pace_ratio", "status", "remaining", "daily_needed", "elapsed_workdays",
                     "total_workdays", "workdays_left", "month"]


def _targets_for(targets: pd.DataFrame, month: str, metrics: Sequence[str]) -> pd.Series:
    """Target values for `month` as a Series indexed (employee_id, metric); duplicates summed."""
    if targets is None or targets.empty:
        return pd.Series(dtype="float64", index=pd.MultiIndex.from_arrays([[], []], names=["employee_id", "metric"]))
    t = _targets_month(targets, month, metrics)
    s = t.set_index(["employee_id", "metric"])["value"].astype("float64")
    if not s.index.is_unique:
        s = s.groupby(level=[0, 1], sort=False).sum(min_count=1)
    return s


def _targets_month(targets: pd.DataFrame, month: str, metrics: Sequence[str]) -> pd.DataFrame:
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
    frac = elapsed / total if total else np.nan
    expected = target * frac
    df["expected"] = expected
    df["gap"] = actual - expected
    has_t = ~np.isnan(target) & (target > 0)
    df["attainment"] = np.where(has_t, _safe_div(actual, target), np.nan)
    df["pace_ratio"] = np.where(has_t, _safe_div(actual, expected), np.nan)
    df["status"] = status_of(df["pace_ratio"].to_numpy(), has_t)
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
    if level not in (*LEVELS, "all"):
        raise ValueError(f"unknown level {level!r}")
    month = cal.month_key(month)
    ms = _metrics(metrics, TARGET_METRICS)
    w = workday_info(month, as_of, overrides)
    end = min(_d(as_of), w["last"])
    act = period_totals(logs, w["first"], end, metrics=ms, roster=roster) if end >= w["first"] else \
        period_totals(logs.iloc[0:0], w["first"], w["first"], metrics=ms, roster=roster)
    tgt = _targets_for(targets, month, ms)
    ids = _ids(active_managers(roster, end=w["last"]), act["employee_id"], tgt.index.get_level_values(0))
    n, k = len(ids), len(ms)
    actual_wide = act.set_index("employee_id")[ms].reindex(ids).fillna(0.0)
    target_wide = tgt.unstack("metric").reindex(index=ids, columns=ms) if len(tgt) else \
        pd.DataFrame(np.nan, index=ids, columns=ms)
    info = manager_info(ids, roster, slice_period(logs, w["first"], end) if roster is None or roster.empty else None)
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
    if level not in ("team", "branch"):
        raise ValueError(f"roll up to 'team' or 'branch', not {level!r}")
    man = progress[progress["level"] == "manager"]
    if man.empty:
        return progress.iloc[0:0][_PROGRESS_COLUMNS].copy()
    w = {"total": int(man["total_workdays"].iat[0]), "elapsed": int(man["elapsed_workdays"].iat[0]),
         "left": int(man["workdays_left"].iat[0]), "month": man["month"].iat[0]}
    key = man["team"].fillna("") if level == "team" else pd.Series(BRANCH, index=man.index)
    g = man.assign(_k=key.to_numpy()).groupby(["_k", "metric"], sort=False)
    agg = pd.DataFrame({"actual": g["actual"].sum(), "target": g["target"].sum(min_count=1)}).reset_index()
    order = {m: i for i, m in enumerate(pd.unique(man["metric"]))}
    agg = agg.sort_values(["_k", "metric"], key=lambda s: s.map(order) if s.name == "metric" else s)
    out = pd.DataFrame({
        "level": level, "entity": agg["_k"].to_numpy(dtype=object), "employee_id": None,
        "name": agg["_k"].to_numpy(dtype=object) if level == "team" else None,
        "team": agg["_k"].to_numpy(dtype=object) if level == "team" else None,
        "metric": agg["metric"].to_numpy(dtype=object),
        "actual": agg["actual"].to_numpy(dtype="float64"), "target": agg["target"].to_numpy(dtype="float64"),
    })
    return _derive_progress(out, w)[_PROGRESS_COLUMNS].reset_index(drop=True)


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
    month = cal.month_key(month)
    ms = _metrics(metrics, TARGET_METRICS)
    first, last = cal.month_bounds(month)
    a = _d(as_of)
    days = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D", name="date")
    flags = np.array([cal.is_workday(d, overrides) for d in days], dtype=bool)
    total = int(flags.sum())
    wd_no = np.cumsum(flags)
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
    cum = np.cumsum(daily, axis=0)
    cum[days.date > a, :] = np.nan
    tg = _targets_month(targets, month, ms) if targets is not None and len(targets) else None
    if tg is not None and len(tg):
        if members is not None:
            tg = tg[tg["employee_id"].isin(members)]
        if employee_id is not None:
            tg = tg[tg["employee_id"] == employee_id]
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


# ------------------------------------------------------------------ leaders and laggards

def leaderboard(totals: pd.DataFrame, metrics: Sequence[str] | None = None, n: int | None = 10,
                entity: str = "employee_id") -> pd.DataFrame:
    """Ranking per metric from a totals frame (e.g. :func:`period_totals` or :func:`daily_snapshot`).

    Only values > 0 are ranked (nobody leads with nothing). Ties share the better rank ('min'), then by entity.
    Columns: metric, rank (1 = best), <entity>, name, team (when present), value, share (of the metric's total
    over all rows of `totals`). `n` keeps the top n per metric (None = all).
    """
    ms = [m for m in (metrics if metrics is not None else FLOW_METRICS) if m in totals.columns]
    keep = [c for c in (entity, "name", "team") if c in totals.columns]
    parts = []
    for m in ms:   # loop over a handful of metrics, each vectorised
        v = totals[[*keep, m]].rename(columns={m: "value"})
        tot = v["value"].sum()
        v = v[v["value"] > 0]
        if not v[entity].is_monotonic_increasing:
            v = v.sort_values(entity, kind="stable")
        v = v.sort_values("value", ascending=False, kind="stable")
        v.insert(0, "rank", v["value"].rank(method="min", ascending=False).astype("int64"))
        v.insert(0, "metric", m)
        v["share"] = v["value"] / tot if tot else np.nan
        parts.append(v.head(n) if n is not None else v)
    if not parts:
        return pd.DataFrame(columns=["metric", "rank", *keep, "value", "share"])
    return pd.concat(parts, ignore_index=True)


def leaders(totals: pd.DataFrame, metric: str, n: int = 3) -> pd.DataFrame:
    """Top `n` by one metric (praise first): :func:`leaderboard` for that metric (rank, employee_id, name, team,
    value, share). Ties at the cut-off are kept (so more than n rows are possible)."""
    board = leaderboard(totals, [metric], n=None)
    if board.empty:
        return board.drop(columns=["metric"])
    cut = board["rank"].iloc[min(n, len(board)) - 1] if n > 0 else 0
    return board[board["rank"] <= cut].drop(columns=["metric"]).reset_index(drop=True)


def furthest_behind(progress: pd.DataFrame, n: int = 5, metrics: Sequence[str] | None = None,
                    only_behind: bool = True) -> pd.DataFrame:
    """Managers furthest behind pace, worst first, from manager-level :func:`month_progress`.

    Score = mean pace_ratio over the metrics with a target (and something expected). With `only_behind`, only
    managers whose score is below :data:`ON_PACE_AT`. Columns: employee_id, name, team, score, status,
    metrics_behind (count of metrics 'behind'), worst_metric, worst_pace_ratio, worst_gap (actual − expected of
    the worst metric, its storage unit).
    """
    p = progress[(progress["level"] == "manager") & progress["pace_ratio"].notna()]
    if metrics is not None:
        p = p[p["metric"].isin(list(metrics))]
    cols = ["employee_id", "name", "team", "score", "status", "metrics_behind", "worst_metric", "worst_pace_ratio",
            "worst_gap"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    g = p.groupby("employee_id", sort=False)
    score = g["pace_ratio"].mean()
    behind = (p["status"] == "behind").groupby(p["employee_id"], sort=False).sum().astype("int64")
    worst = p.sort_values(["pace_ratio", "metric"]).drop_duplicates("employee_id").set_index("employee_id")
    out = pd.DataFrame({"score": score, "metrics_behind": behind})
    out["worst_metric"] = worst["metric"].reindex(out.index)
    out["worst_pace_ratio"] = worst["pace_ratio"].reindex(out.index)
    out["worst_gap"] = worst["gap"].reindex(out.index)
    out["name"] = worst["name"].reindex(out.index)
    out["team"] = worst["team"].reindex(out.index)
    out["status"] = status_of(out["score"].to_numpy())
    out = out.reset_index()
    if only_behind:
        out = out[out["score"] < ON_PACE_AT - _EPS]
    out = out.sort_values(["score", "employee_id"]).head(n)
    return out[cols].reset_index(drop=True)


# ------------------------------------------------------------------ weekly

def week_target_share(targets: pd.DataFrame, week: str, overrides=None, metrics: Sequence[str] | None = None,
                      as_of=None) -> pd.DataFrame:
    """The week's share of the monthly targets per (employee_id, metric).

    share = Σ over the months the week touches of monthly target × (the week's working days in that month, up to
    `as_of` when given) / (working days of that month). A month without a target contributes nothing; NaN when no
    month has one. Columns: employee_id, metric, week_target, week_workdays.
    """
    ms = _metrics(metrics, TARGET_METRICS)
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else min(sun, _d(as_of))
    parts = []
    wd_total = 0
    for mk in sorted({cal.month_key(mon), cal.month_key(sun)}):
        f, l = cal.month_bounds(mk)
        wk = cal.count_workdays(max(mon, f), min(end, l), overrides) if end >= max(mon, f) else 0
        wd_total += wk
        mw = len(cal.month_workdays(mk, overrides))
        tg = _targets_for(targets, mk, ms)
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
    df["change_pct"] = _safe_div(tw - pw, pw)
    has_t = ~np.isnan(wt) & (wt > 0)
    df["week_attainment"] = np.where(has_t, _safe_div(tw, wt), np.nan)
    df["status"] = status_of(df["week_attainment"].to_numpy(), has_t)
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
    if level not in (*LEVELS, "all"):
        raise ValueError(f"unknown level {level!r}")
    ms = _metrics(metrics, TARGET_METRICS)
    week = cal.week_key(cal.week_bounds(week)[0])
    mon, sun = cal.week_bounds(week)
    end = sun if as_of is None else max(min(sun, _d(as_of)), mon - dt.timedelta(days=1))
    seven = dt.timedelta(days=7)
    cur = period_totals(logs, mon, end, metrics=ms, roster=roster)
    prv = period_totals(logs, mon - seven, end - seven, metrics=ms, roster=roster)
    share = week_target_share(targets, week, overrides, ms, as_of=as_of)
    wk_days = cal.count_workdays(mon, end, overrides) if end >= mon else 0
    ids = _ids(active_managers(roster, end=sun), cur["employee_id"], prv["employee_id"], share["employee_id"])
    n, k = len(ids), len(ms)
    tw = cur.set_index("employee_id")[ms].reindex(ids).fillna(0.0)
    pw = prv.set_index("employee_id")[ms].reindex(ids).fillna(0.0)
    wt = share.set_index(["employee_id", "metric"])["week_target"].unstack("metric").reindex(
        index=ids, columns=ms) if len(share) else pd.DataFrame(np.nan, index=ids, columns=ms)
    info = manager_info(ids, roster, slice_period(logs, mon - seven, sun) if roster is None or roster.empty else None)
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
        key = df["team"].fillna("") if lv == "team" else pd.Series(BRANCH, index=df.index)
        g = df.assign(_k=key.to_numpy()).groupby(["_k", "metric"], sort=True)
        agg = pd.DataFrame({"this_week": g["this_week"].sum(), "prev_week": g["prev_week"].sum(),
                            "week_target": g["week_target"].sum(min_count=1)}).reset_index()
        order = {m: i for i, m in enumerate(ms)}
        agg = agg.assign(_o=agg["metric"].map(order)).sort_values(["_k", "_o"])
        r = pd.DataFrame({"level": lv, "entity": agg["_k"].to_numpy(dtype=object), "employee_id": None,
                          "name": agg["_k"].to_numpy(dtype=object) if lv == "team" else None,
                          "team": agg["_k"].to_numpy(dtype=object) if lv == "team" else None,
                          "metric": agg["metric"].to_numpy(dtype=object),
                          "this_week": agg["this_week"].to_numpy(), "prev_week": agg["prev_week"].to_numpy(),
                          "week_target": agg["week_target"].to_numpy(), "week_workdays": wk_days, "week": week})
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
    days = pd.date_range(pd.Timestamp(mon), pd.Timestamp(sun), freq="D")
    sub = slice_period(logs, mon, sun, ["employee_id", "date", metric] if not logs.empty else None)
    ids = active_managers(roster, end=sun).union(pd.Index(sub["employee_id"].unique(), dtype=object), sort=False)
    info = manager_info(ids, roster, slice_period(logs, mon, sun) if roster is None or roster.empty else None)
    order = info.reset_index().sort_values(["team", "employee_id"], na_position="last")
    ids = pd.Index(order["employee_id"], dtype=object)
    if len(sub):
        piv = sub.groupby(["employee_id", "date"])[metric].sum().unstack("date").reindex(index=ids, columns=days)
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


def _products_sold(df: pd.DataFrame) -> pd.Series:
    out = pd.Series(0.0, index=df.index)
    for m in DEAL_COUNT_METRICS:
        out = out + df[m]
    for m in DEAL_AMOUNT_METRICS:
        out = out + (df[m] > 0).astype("float64")
    return out


_FUNNEL_RATES = ("visit_to_new", "new_to_product", "visit_to_product")


def _funnel_rates(df: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    v, nc, p = (df[prefix + c].to_numpy(dtype="float64") for c in FUNNEL_STAGES)
    return pd.DataFrame({prefix + "visit_to_new": _safe_div(nc, v), prefix + "new_to_product": _safe_div(p, nc),
                         prefix + "visit_to_product": _safe_div(p, v)}, index=df.index)


def funnel(logs: pd.DataFrame, start, end, level: str = "manager", roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Activity funnel visits → new customers → products sold over start..end, with conversion rates against the
    peer group (a manager against his team, a team against the branch; the branch against itself).

    Columns: level, entity, employee_id, name, team, visits, new_customers, products_sold (see module doc),
    visit_to_new (new_customers / visits), new_to_product (products_sold / new_customers — may exceed 1, existing
    customers buy too), visit_to_product (products_sold / visits), the same three rates for the peer group as
    peer_visit_to_new …, and the differences own − peer as visit_to_new_vs_peer … (NaN when undefined).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    need = ["employee_id", "date", "visits", "new_customers", *DEAL_COUNT_METRICS, *DEAL_AMOUNT_METRICS]
    sub = slice_period(logs, start, end, need if not logs.empty else None)
    per = pd.DataFrame({"employee_id": sub["employee_id"].to_numpy(dtype=object),
                        "visits": sub["visits"].to_numpy(dtype="float64"),
                        "new_customers": sub["new_customers"].to_numpy(dtype="float64"),
                        "products_sold": _products_sold(sub).to_numpy(dtype="float64")})
    keys, sums, _ = _sum_by_id(per, FUNNEL_STAGES)
    man = pd.DataFrame(sums, index=keys, columns=list(FUNNEL_STAGES))
    ids = pd.Index(man.index, dtype=object)
    info = manager_info(ids, roster, slice_period(logs, start, end) if roster is None or roster.empty else None)
    man = man.reset_index()
    man["team"] = info["team"].reindex(ids).to_numpy()
    man["name"] = info["name"].reindex(ids).to_numpy()
    team = man.groupby(man["team"].fillna(""), sort=True)[list(FUNNEL_STAGES)].sum()
    branch = pd.DataFrame([man[list(FUNNEL_STAGES)].sum()], index=[BRANCH])
    if level == "manager":
        out = man.assign(level="manager", entity=man["employee_id"])
        peer = team.reindex(out["team"].fillna("")).set_axis(out.index)
    elif level == "team":
        out = team.reset_index(names="entity").assign(level="team", employee_id=None)
        out["name"] = out["entity"]
        out["team"] = out["entity"]
        peer = pd.DataFrame(np.repeat(branch.to_numpy(), len(out), axis=0), columns=list(FUNNEL_STAGES),
                            index=out.index)
    else:
        out = branch.reset_index(names="entity").assign(level="branch", employee_id=None, name=None, team=None)
        peer = branch.set_axis(out.index)
    out = pd.concat([out.reset_index(drop=True), _funnel_rates(out).reset_index(drop=True)], axis=1)
    peer = peer.add_prefix("peer_").reset_index(drop=True)
    pr = _funnel_rates(peer, "peer_")
    for r in _FUNNEL_RATES:
        out["peer_" + r] = pr["peer_" + r].to_numpy()
        out[r + "_vs_peer"] = out[r].to_numpy() - pr["peer_" + r].to_numpy()
    cols = ["level", "entity", "employee_id", "name", "team", *FUNNEL_STAGES, *_FUNNEL_RATES,
            *("peer_" + r for r in _FUNNEL_RATES), *(r + "_vs_peer" for r in _FUNNEL_RATES)]
    return out[cols].reset_index(drop=True)


def funnel_stages(funnel_df: pd.DataFrame) -> pd.DataFrame:
    """:func:`funnel` rows in long form for a funnel chart: level, entity, name, team, stage (one of
    FUNNEL_STAGES), stage_no (0..2), value, rate (conversion from the previous stage; NaN for visits)."""
    rate_of = {"visits": None, "new_customers": "visit_to_new", "products_sold": "new_to_product"}
    parts = []
    for i, s in enumerate(FUNNEL_STAGES):
        p = funnel_df[["level", "entity", "name", "team"]].copy()
        p["stage"] = s
        p["stage_no"] = i
        p["value"] = funnel_df[s].to_numpy(dtype="float64")
        p["rate"] = funnel_df[rate_of[s]].to_numpy(dtype="float64") if rate_of[s] else np.nan
        parts.append(p)
    if not parts or funnel_df.empty:
        return pd.DataFrame(columns=["level", "entity", "name", "team", "stage", "stage_no", "value", "rate"])
    return pd.concat(parts, ignore_index=True).sort_values(["entity", "stage_no"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ monthly

def attainment_matrix(progress: pd.DataFrame, metrics: Sequence[str] | None = None,
                      cap: float = SCORE_CAP) -> pd.DataFrame:
    """Wide colour table from :func:`month_progress` (any level(s)): one row per (level, entity), one column per
    metric holding attainment (NaN where no target), plus ``score`` (composite, see :func:`ranking`).
    Columns: level, entity, employee_id, name, team, <metric…>, score. Row order: as in `progress`."""
    p = progress if metrics is None else progress[progress["metric"].isin(list(metrics))]
    ms = list(pd.unique(p["metric"])) if metrics is None else [m for m in metrics if m in set(p["metric"])]
    keys = ["level", "entity"]
    first = p.drop_duplicates(keys)[["level", "entity", "employee_id", "name", "team"]]
    wide = p.drop_duplicates([*keys, "metric"]).set_index([*keys, "metric"])["attainment"].unstack("metric")
    wide = wide.reindex(columns=ms)
    wide.columns.name = None
    capped = np.minimum(p["attainment"], cap)
    score = capped.groupby([p["level"], p["entity"]], sort=False).mean()
    out = first.set_index(keys).join(wide).join(score.rename("score")).reset_index()
    return out[["level", "entity", "employee_id", "name", "team", *ms, "score"]]


_RANK_COLUMNS = ["rank", "employee_id", "name", "team", "score", "metrics_scored", "metrics_met", "best_metric",
                 "worst_metric"]


def ranking(progress: pd.DataFrame, n: int | None = 10, cap: float = SCORE_CAP,
            metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """十佳-style ranking of managers from manager-level :func:`month_progress`.

    score = mean over the metrics with a target > 0 of min(attainment, cap). Managers without any target are
    not ranked. rank 1 = best; equal scores share a rank ('min'); order ties by employee_id. `n` keeps the top n
    (ties at the cut-off kept; None = everyone). Columns: rank, employee_id, name, team, score, metrics_scored,
    metrics_met (attainment ≥ 1), best_metric, worst_metric (by attainment).
    """
    p = progress[(progress["level"] == "manager") & progress["attainment"].notna()]
    if metrics is not None:
        p = p[p["metric"].isin(list(metrics))]
    if p.empty:
        return pd.DataFrame(columns=_RANK_COLUMNS)
    p = p.assign(_c=np.minimum(p["attainment"].to_numpy(), cap))
    g = p.groupby("employee_id", sort=False)
    out = pd.DataFrame({"score": g["_c"].mean(), "metrics_scored": g.size().astype("int64"),
                        "metrics_met": (p["attainment"] >= 1 - _EPS).groupby(p["employee_id"], sort=False)
                        .sum().astype("int64")})
    srt = p.sort_values(["attainment", "metric"], ascending=[False, True])
    best = srt.drop_duplicates("employee_id").set_index("employee_id")
    worst = p.sort_values(["attainment", "metric"]).drop_duplicates("employee_id").set_index("employee_id")
    out["best_metric"] = best["metric"].reindex(out.index)
    out["worst_metric"] = worst["metric"].reindex(out.index)
    out["name"] = best["name"].reindex(out.index)
    out["team"] = best["team"].reindex(out.index)
    out = out.reset_index().sort_values(["score", "employee_id"], ascending=[False, True])
    out["rank"] = out["score"].rank(method="min", ascending=False).astype("int64")
    out = out[_RANK_COLUMNS].reset_index(drop=True)
    if n is not None and len(out):
        cut = out["rank"].iloc[min(n, len(out)) - 1] if n > 0 else 0
        out = out[out["rank"] <= cut]
    return out.reset_index(drop=True)


def bottom_ranking(progress: pd.DataFrame, n: int = 5, cap: float = SCORE_CAP,
                   metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """The `n` lowest of :func:`ranking` (rank still counted from the top), worst first. Same columns."""
    full = ranking(progress, n=None, cap=cap, metrics=metrics)
    return full.iloc[::-1].head(n).reset_index(drop=True)


def distribution(values, bands: Sequence[float] = ATTAINMENT_BANDS,
                 labels: Sequence[str] | None = ATTAINMENT_BAND_LABELS) -> pd.DataFrame:
    """Histogram of `values` (e.g. ranking()['score'] or attainments) over `bands` (left-closed [a, b)).

    NaN values are left out. Columns: band (label), lower, upper, count, share (of the non-NaN values).
    Default bands: <60 %, 60–80 %, 80–100 %, 100–120 %, ≥120 %. Values below the first edge fall in the first band.
    """
    v = pd.Series(values, dtype="float64").dropna()
    edges = np.asarray(bands, dtype="float64")
    nb = len(edges) - 1
    if labels is None:
        labels = [f"{edges[i]:g}–{edges[i + 1]:g}" for i in range(nb)]
    if len(labels) != nb:
        raise ValueError("need one label per band")
    idx = np.clip(np.searchsorted(edges, v.to_numpy(), side="right") - 1, 0, nb - 1)
    counts = np.bincount(idx, minlength=nb)[:nb]
    total = counts.sum()
    return pd.DataFrame({"band": list(labels), "lower": edges[:-1], "upper": edges[1:],
                         "count": counts.astype("int64"),
                         "share": counts / total if total else np.zeros(nb)})


def compare_periods(logs: pd.DataFrame, cur: tuple, prev: tuple, level: str = "manager",
                    roster: pd.DataFrame | None = None, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Flow totals of period `cur` (start, end) vs period `prev` (start, end) per entity and metric.

    Entities: anyone with logs in either period. ``current``/``previous`` are NaN for an entity with no logs in
    that period (no data ≠ zero); ``previous`` is NaN everywhere when nobody logged in the previous period.
    Columns: level, entity, employee_id, name, team, metric, current, previous, change, change_pct.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    ms = _metrics(metrics, FLOW_METRICS)
    a = period_totals(logs, cur[0], cur[1], metrics=ms, roster=roster)
    b = period_totals(logs, prev[0], prev[1], metrics=ms, roster=roster)
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
        info = manager_info(ids, roster, pd.concat([slice_period(logs, *prev), slice_period(logs, *cur)])
                            if roster is None or roster.empty else None)
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
    out["change_pct"] = _safe_div(out["change"], out["previous"])
    return out


def _month_period(month: str, as_of=None) -> tuple[dt.date, dt.date]:
    f, l = cal.month_bounds(month)
    if as_of is not None:
        l = max(min(l, _d(as_of)), f - dt.timedelta(days=1))
    return f, l


def _aligned(month: str, other: str, as_of) -> tuple[dt.date, dt.date]:
    """`other` month's period cut at the same day-of-month as `as_of` in `month` (whole month when as_of is None
    or at/after `month`'s end)."""
    f, l = cal.month_bounds(month)
    of, ol = cal.month_bounds(other)
    if as_of is None or _d(as_of) >= l:
        return of, ol
    a = _d(as_of)
    if a < f:
        return of, of - dt.timedelta(days=1)
    return of, min(ol, of + dt.timedelta(days=a.day - 1))


def month_over_month(logs: pd.DataFrame, month: str, level: str = "manager", roster: pd.DataFrame | None = None,
                     metrics: Sequence[str] | None = None, as_of=None) -> pd.DataFrame:
    """`month` vs the previous month (环比), per entity and metric — :func:`compare_periods` columns plus
    ``month`` and ``previous_month``. With `as_of` inside the month both months are cut to the same day."""
    month = cal.month_key(month)
    pm = cal.add_months(month, -1)
    out = compare_periods(logs, _month_period(month, as_of), _aligned(month, pm, as_of), level, roster, metrics)
    out["month"] = month
    out["previous_month"] = pm
    return out


def year_over_year(logs: pd.DataFrame, month: str, level: str = "manager", roster: pd.DataFrame | None = None,
                   metrics: Sequence[str] | None = None, as_of=None) -> pd.DataFrame:
    """`month` vs the same month last year (同比), per entity and metric — :func:`compare_periods` columns plus
    ``month`` and ``previous_month``; ``previous`` is NaN where last year has no data."""
    month = cal.month_key(month)
    pm = cal.add_months(month, -12)
    out = compare_periods(logs, _month_period(month, as_of), _aligned(month, pm, as_of), level, roster, metrics)
    out["month"] = month
    out["previous_month"] = pm
    return out


# ------------------------------------------------------------------ deposits: 日均 vs 时点

def _carried_balances(logs: pd.DataFrame, start: dt.date, end: dt.date, lookback: dt.date) -> pd.DataFrame:
    """Calendar-day × manager frame of deposit_balance over start..end, each day carrying the last logged balance
    forward (looking back to `lookback` for balances before start). Columns: employee_ids; index: days."""
    sub = slice_period(logs, lookback, end, ["employee_id", "date", "deposit_balance"] if not logs.empty else None)
    vals = sub["deposit_balance"].to_numpy(dtype="float64") if len(sub) else np.array([])
    ok = ~np.isnan(vals)
    days = pd.date_range(pd.Timestamp(lookback), pd.Timestamp(end), freq="D")
    keep_from = int(days.get_loc(pd.Timestamp(start))) if pd.Timestamp(start) >= days[0] else 0
    if not ok.any():
        return pd.DataFrame(index=days[keep_from:])
    eids = sub["employee_id"].to_numpy(dtype=object)[ok]
    codes, uniq = pd.factorize(eids, sort=True)
    day_i = ((sub["date"].to_numpy()[ok] - days[0].to_datetime64()) // np.timedelta64(1, "D")).astype(np.int64)
    grid = np.full((len(days), len(uniq)), np.nan)
    grid[day_i, codes] = vals[ok]            # duplicates: the later row (frame order) wins
    # forward fill down the days, per column, vectorised
    idx = np.where(~np.isnan(grid), np.arange(len(days))[:, None], 0)
    np.maximum.accumulate(idx, axis=0, out=idx)
    filled = grid[idx, np.arange(len(uniq))[None, :]]
    return pd.DataFrame(filled[keep_from:], index=days[keep_from:], columns=pd.Index(uniq, dtype=object))


def average_daily_balance(logs: pd.DataFrame, month: str, overrides=None, as_of=None,
                          roster: pd.DataFrame | None = None, spike_at: float = SPIKE_AT) -> pd.DataFrame:
    """Deposit 日均 (average daily balance) and 时点 (point balance) per manager for `month`, in 万元.

    Each calendar day carries the last logged balance forward (see module doc); `as_of` cuts the month
    (month-to-date 日均, 时点 on as_of). The previous month is computed the same way over its whole length.
    Only managers with a known balance in the month appear. Columns: employee_id, name, team, adb (日均),
    month_end (时点), spike_ratio (month_end / adb), spike (spike_ratio ≥ spike_at), spike_amount
    (month_end − adb), days_counted (calendar days with a known balance), prev_adb, adb_increment (adb − prev_adb),
    prev_month_end, point_increment (month_end − prev_month_end), month. ``overrides`` is accepted for symmetry:
    日均 counts calendar days, not working days.
    """
    month = cal.month_key(month)
    f, l = _month_period(month, as_of)
    pm = cal.add_months(month, -1)
    pf, pl = cal.month_bounds(pm)
    lookback = cal.month_bounds(cal.add_months(month, -2))[0]
    cols = ["employee_id", "name", "team", "adb", "month_end", "spike_ratio", "spike", "spike_amount",
            "days_counted", "prev_adb", "adb_increment", "prev_month_end", "point_increment", "month"]
    if l < f:
        return pd.DataFrame(columns=cols)
    grid = _carried_balances(logs, pf, l, lookback)
    cur = grid.loc[pd.Timestamp(f):pd.Timestamp(l)]
    prev = grid.loc[pd.Timestamp(pf):pd.Timestamp(pl)]
    if cur.empty or cur.shape[1] == 0:
        return pd.DataFrame(columns=cols)
    adb = cur.mean(axis=0, skipna=True)
    known = cur.notna().sum(axis=0)
    keep = known > 0
    adb, known = adb[keep], known[keep]
    ids = pd.Index(adb.index, dtype=object)
    month_end = cur.iloc[-1].reindex(ids)
    prev_adb = prev.mean(axis=0, skipna=True).reindex(ids) if len(prev) else pd.Series(np.nan, index=ids)
    prev_end = prev.iloc[-1].reindex(ids) if len(prev) else pd.Series(np.nan, index=ids)
    info = manager_info(ids, roster, slice_period(logs, lookback, l) if roster is None or roster.empty else None)
    ratio = _safe_div(month_end.to_numpy(), adb.to_numpy())
    out = pd.DataFrame({
        "employee_id": ids.to_numpy(dtype=object), "name": info["name"].to_numpy(dtype=object),
        "team": info["team"].to_numpy(dtype=object), "adb": adb.to_numpy(dtype="float64"),
        "month_end": month_end.to_numpy(dtype="float64"), "spike_ratio": ratio,
        "spike": np.nan_to_num(ratio, nan=0.0) >= spike_at - _EPS,
        "spike_amount": month_end.to_numpy(dtype="float64") - adb.to_numpy(dtype="float64"),
        "days_counted": known.to_numpy(dtype="int64"),
        "prev_adb": prev_adb.to_numpy(dtype="float64"), "prev_month_end": prev_end.to_numpy(dtype="float64"),
    })
    out["adb_increment"] = out["adb"] - out["prev_adb"]
    out["point_increment"] = out["month_end"] - out["prev_month_end"]
    out["month"] = month
    return out[cols].sort_values(["team", "employee_id"], na_position="last").reset_index(drop=True)


def balance_series(logs: pd.DataFrame, month: str, employee_id: str | None = None, team: str | None = None,
                   as_of=None) -> pd.DataFrame:
    """Daily carried-forward deposit balance (万元) over the month, summed over the selected managers (all, one
    `team` via the logs' team column, or one `employee_id`), with the running 日均 to date.
    Columns: date, balance (carried; NaN before any known balance), adb_to_date (mean of balance so far)."""
    month = cal.month_key(month)
    f, l = _month_period(month, as_of)
    lookback = cal.month_bounds(cal.add_months(month, -1))[0]
    sel = logs
    if team is not None and len(logs):
        sel = sel[sel["team"] == team]
    if employee_id is not None and len(logs):
        sel = sel[sel["employee_id"] == employee_id]
    grid = _carried_balances(sel, f, l, lookback) if l >= f else pd.DataFrame()
    days = pd.date_range(pd.Timestamp(f), pd.Timestamp(l), freq="D") if l >= f else pd.DatetimeIndex([])
    bal = grid.sum(axis=1, min_count=1).reindex(days) if grid.shape[1] else pd.Series(np.nan, index=days)
    running = bal.expanding().mean() if len(bal) else bal
    return pd.DataFrame({"date": days, "balance": bal.to_numpy(dtype="float64"),
                         "adb_to_date": running.to_numpy(dtype="float64")})
