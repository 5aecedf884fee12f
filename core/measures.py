"""The measures the whole product agrees on, each defined once: attainment, pace, 日均, month-end spike.

The routine pages and the coaching rules use these functions; none re-derives them.

* **attainment** (完成率) = actual / target (NaN when there is no target or it is 0).
* **time elapsed** (时间进度) = elapsed working days / working days in the period.
* **expected to date** (序时进度目标) = target × time elapsed; **gap** = actual − expected;
  **pace ratio** = actual / expected.
* **status**: ``ahead`` when pace ratio ≥ :data:`AHEAD_AT` (1.05), ``on_pace`` when ≥ :data:`ON_PACE_AT` (0.95),
  else ``behind``; ``on_pace`` when a target exists but nothing is expected yet; ``None`` without a target.
* **carried balance** B(d): the ``deposit_balance`` logged on the latest date ≤ d that has one (looking back as
  far as the caller's `lookback`); unknown (NaN) before any logged balance.
* **日均** (average daily balance) over days d1..dn = mean of the known B(d); **时点** (point balance) = B(dn).
* **month-end spike** (冲时点): point balance ≥ ``ratio`` × 日均 (the ratio is a coaching-rules setting, one
  value for the monthly page and the coaching flag). The coaching rule adds a second condition — part of the
  spike flows back in the next working days — which makes it a conduct flag; the monthly page shows every spike.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

AHEAD_AT = 1.05
ON_PACE_AT = 0.95
STATUSES = ("ahead", "on_pace", "behind")
DEFAULT_SPIKE_RATIO = 1.3     # the coaching rules' month_end_spike.ratio default (sample_data/coaching_rules.yaml)
EPS = 1e-9


def safe_div(a, b):
    """a / b with NaN where b is 0 or NaN (scalars, arrays and Series alike; returns an ndarray)."""
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((b != 0) & ~np.isnan(b), a / np.where(b == 0, 1.0, b), np.nan)


def attainment(actual, target):
    """完成率: actual / target where target > 0, else NaN."""
    target = np.asarray(target, dtype="float64")
    has_t = ~np.isnan(target) & (target > 0)
    return np.where(has_t, safe_div(actual, target), np.nan)


def time_elapsed(elapsed: int, total: int) -> float:
    """时间进度: the share of the period's working days that have passed (NaN for a period with none)."""
    return elapsed / total if total else float("nan")


def status_of(ratio, has_target=True):
    """Status word(s) for pace ratio(s): 'ahead' / 'on_pace' / 'behind'; None where there is no target.

    A NaN ratio with a target (nothing expected yet) is 'on_pace'. Works on scalars and array-likes
    (returns an object ndarray for array input).
    """
    scalar = np.ndim(ratio) == 0
    r = np.atleast_1d(np.asarray(ratio, dtype="float64"))
    ht = np.broadcast_to(np.atleast_1d(np.asarray(has_target, dtype=bool)), r.shape)
    out = np.select([np.isnan(r), r >= AHEAD_AT - EPS, r >= ON_PACE_AT - EPS],
                    ["on_pace", "ahead", "on_pace"], "behind").astype(object)
    out[~ht] = None
    return out[0] if scalar else out


def pace(actual, target, elapsed: int, total: int) -> dict[str, np.ndarray]:
    """expected, gap, attainment, pace_ratio and status for arrays of actuals and targets at one point of a
    period with `total` working days of which `elapsed` have passed."""
    target = np.asarray(target, dtype="float64")
    actual = np.asarray(actual, dtype="float64")
    expected = target * time_elapsed(elapsed, total)
    has_t = ~np.isnan(target) & (target > 0)
    ratio = np.where(has_t, safe_div(actual, expected), np.nan)
    return {"expected": expected, "gap": actual - expected, "attainment": attainment(actual, target),
            "pace_ratio": ratio, "status": status_of(ratio, has_t)}


# ------------------------------------------------------------------ deposits: 日均 and 时点

def carried_balances(rows: pd.DataFrame, start: dt.date, end: dt.date, lookback: dt.date | None = None) -> pd.DataFrame:
    """Calendar day × manager frame of B(d) for start ≤ d ≤ end (index: days; columns: employee_ids).

    `rows` holds ``employee_id, date (datetime64), deposit_balance`` (NaN where not logged), in any order; only
    rows with lookback ≤ date ≤ end are used (lookback defaults to start), so a balance logged before the period
    carries into it. Two rows for one manager and day: the later row of `rows` wins.
    """
    lookback = start if lookback is None else min(lookback, start)
    days = pd.date_range(pd.Timestamp(lookback), pd.Timestamp(end), freq="D")
    keep_from = (pd.Timestamp(start) - pd.Timestamp(lookback)).days
    if rows is None or rows.empty or len(days) == 0:
        return pd.DataFrame(index=days[keep_from:])
    dates = rows["date"].to_numpy(dtype="datetime64[ns]")
    vals = rows["deposit_balance"].to_numpy(dtype="float64")
    ok = ~np.isnan(vals) & (dates >= days[0].to_datetime64()) & (dates <= days[-1].to_datetime64())
    if not ok.any():
        return pd.DataFrame(index=days[keep_from:])
    codes, uniq = pd.factorize(rows["employee_id"].to_numpy(dtype=object)[ok], sort=True)
    day_i = ((dates[ok] - days[0].to_datetime64()) // np.timedelta64(1, "D")).astype(np.int64)
    grid = np.full((len(days), len(uniq)), np.nan)
    grid[day_i, codes] = vals[ok]
    idx = np.where(~np.isnan(grid), np.arange(len(days))[:, None], 0)   # forward fill down the days
    np.maximum.accumulate(idx, axis=0, out=idx)
    filled = grid[idx, np.arange(len(uniq))[None, :]]
    return pd.DataFrame(filled[keep_from:], index=days[keep_from:], columns=pd.Index(uniq, dtype=object))


def average_daily(grid: pd.DataFrame) -> pd.Series:
    """日均 per manager over the grid's days: the mean of the known carried balances."""
    return grid.mean(axis=0, skipna=True)


def point_balance(grid: pd.DataFrame) -> pd.Series:
    """时点 per manager: the carried balance on the grid's last day."""
    return grid.iloc[-1] if len(grid) else pd.Series(dtype="float64")


def spike_ratio(point, adb):
    """时点 ÷ 日均 (NaN where 日均 is 0 or unknown)."""
    return safe_div(point, adb)


def is_spike(point, adb, ratio: float = DEFAULT_SPIKE_RATIO):
    """Month-end spike: 日均 > 0 and 时点 ≥ ratio × 日均."""
    r = spike_ratio(point, adb)
    return np.nan_to_num(r, nan=0.0) >= ratio - EPS
