"""The routines' building blocks over the DataFrames of ``docs/DEVELOPING.md`` (pure, no engine, no streamlit).

* **logs** — ``employee_id, date (datetime64), <schema.METRICS> (float), notes, manager_name, team, line, grade``.
  Flow metrics are 0 when blank; ``deposit_balance`` is NaN when not logged.
* **roster** — ``employee_id, name, team, line, grade, start_date, mentor_id, active``.
* **targets** — long: ``month ('YYYY-MM'), employee_id, metric, value``.
* **overrides** — calendar overrides ``{date: bool}`` passed to :mod:`core.calendar`.

Units are the storage units of :mod:`core.schema`. Dates may be ``datetime.date``, ``pandas.Timestamp`` or ISO
strings; periods are inclusive at both ends. This module: slicing by date, who the managers are (name, team…),
period and daily totals, yesterday's snapshot and log compliance.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from core import calendar as cal
from core.convert import as_date
from core.errors import AppError
from core.schema import FLOW_METRICS

LEVELS = ("manager", "team", "branch")
BRANCH = "branch"          # entity key of the branch roll-up row
INFO_COLUMNS = ("name", "team", "line", "grade")
CHART_MANAGERS = 40       # more managers on a page than this: its per-manager charts show teams (tables keep all)
LAST_LOGGED_LOOKBACK = 92  # days looked back for missing_logs' last_logged


def day_ts(x) -> pd.Timestamp:
    """Any date-like → midnight Timestamp."""
    return pd.Timestamp(as_date(x))


def check_level(level: str, allowed=LEVELS) -> None:
    if level not in allowed:
        raise AppError("metrics.error.level", level=level)


def check_metrics(metrics: Iterable[str] | None, default: Sequence[str]) -> list[str]:
    ms = list(default if metrics is None else metrics)
    if "deposit_balance" in ms:
        raise AppError("metrics.error.stock")
    return ms


def _sorted(v: np.ndarray) -> bool:
    """True when a datetime64 array is non-decreasing (NaT-free), checked on its int64 view."""
    i = v.view("int64")
    return bool(len(i) < 2 or (i[1:] >= i[:-1]).all()) and not (i == np.iinfo("int64").min).any()


def sum_by_id(sub: pd.DataFrame, metrics: Sequence[str], key: str = "employee_id"):
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
    a, b = day_ts(start), day_ts(end)
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
        keep &= sd.isna() | (sd <= day_ts(end))
    return pd.Index(pd.unique(roster.loc[keep.to_numpy(), "employee_id"].to_numpy(dtype=object)),
                    name="employee_id", dtype=object)


def union_ids(*parts) -> pd.Index:
    """Sorted unique employee_ids from several iterables."""
    u: set = set()
    for p in parts:
        u.update(pd.unique(pd.Series(list(p), dtype=object)))
    u.discard(None)
    return pd.Index(sorted(x for x in u if x == x), name="employee_id", dtype=object)


def attach_info(df: pd.DataFrame, roster, logs, key: str = "employee_id") -> pd.DataFrame:
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
    a = last if as_of is None else as_date(as_of)
    elapsed = sum(1 for d in days if d <= a)
    return {"month": month, "total": len(days), "elapsed": elapsed, "left": len(days) - elapsed,
            "first": first, "last": last, "days": days}


def period_totals(logs: pd.DataFrame, start, end, by: Sequence[str] = ("employee_id",),
                  metrics: Sequence[str] | None = None, roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sums of flow metrics per group over start..end (inclusive).

    Output columns: ``*by``, each metric (sum, in its storage unit), ``days_logged`` (rows summed); when grouping
    by ``employee_id`` only, also ``name`` and ``team`` (roster first, else the logs). Sorted by the keys.
    ``metrics`` defaults to ``schema.FLOW_METRICS``; ``deposit_balance`` is refused (a stock cannot be summed).
    """
    ms = check_metrics(metrics, FLOW_METRICS)
    by = list(by)
    sub = slice_period(logs, start, end, [*by, *ms] if not logs.empty else None)
    if sub.empty:
        out = pd.DataFrame({**{k: pd.Series(dtype=object) for k in by},
                            **{m: pd.Series(dtype="float64") for m in ms},
                            "days_logged": pd.Series(dtype="int64")})
    elif len(by) == 1:
        keys, sums, counts = sum_by_id(sub, ms, by[0])
        out = pd.DataFrame(sums, columns=ms)
        out.insert(0, by[0], keys.to_numpy(dtype=object))
        out["days_logged"] = counts
    else:
        g = sub.groupby(by, sort=True, observed=True)
        out = g[ms].sum()
        out["days_logged"] = g.size().astype("int64")
        out = out.reset_index()
    if by == ["employee_id"]:
        out = attach_info(out, roster, slice_period(logs, start, end) if roster is None else None)
        out = out[["employee_id", "name", "team", *ms, "days_logged"]]
    return out


def totals_from_sums(sums: pd.DataFrame, roster: pd.DataFrame | None, metrics: Sequence[str] | None = None
                     ) -> pd.DataFrame:
    """:func:`period_totals` (by employee_id) from sums per manager already made — a store aggregate's frame
    (employee_id, the metrics, days_logged) — named from the roster: employee_id, name, team, metrics…,
    days_logged, sorted by employee_id."""
    ms = check_metrics(metrics, FLOW_METRICS)
    out = sums.sort_values("employee_id", kind="stable").reset_index(drop=True) if len(sums) else \
        pd.DataFrame({"employee_id": pd.Series(dtype=object), **{m: pd.Series(dtype="float64") for m in ms},
                      "days_logged": pd.Series(dtype="int64")})
    out = pd.DataFrame({"employee_id": out["employee_id"].to_numpy(dtype=object),
                        **{m: out[m].to_numpy(dtype="float64") for m in ms},
                        "days_logged": out["days_logged"].to_numpy(dtype="int64")})
    out = attach_info(out, roster, None)
    return out[["employee_id", "name", "team", *ms, "days_logged"]]


def daily_totals(logs: pd.DataFrame, start, end, metrics: Sequence[str] | None = None,
                 by: str | None = None, overrides=None) -> pd.DataFrame:
    """Per calendar day (every day of start..end, zero-filled) and optionally per `by` (e.g. 'team'): sums of
    `metrics`, with ``is_workday``. Columns: date, [by], is_workday, metrics…"""
    ms = check_metrics(metrics, FLOW_METRICS)
    days = pd.date_range(day_ts(start), day_ts(end), freq="D", name="date")
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
    day_at = day_ts(day)
    sub = slice_period(logs, day_at, day_at)
    ids = active_managers(roster, end=day_at).union(pd.Index(sub["employee_id"].unique() if len(sub) else []),
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
    a, b = as_date(start), as_date(end)
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
