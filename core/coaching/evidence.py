"""A flag's evidence as a small chart series (drawn by :func:`core.charts.evidence_chart`)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core import calendar as cal
from core import fmt
from core.coaching.engine import Inputs
from core.coaching.flags import Flag

SERIES_COLUMNS = ["order", "x", "series", "value"]


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def flag_series(data: Inputs, flag: Flag, monday: dt.date, horizon: dt.date, weeks: int = 8) -> pd.DataFrame:
    """The evidence of one flag as a small chart: columns order, x (label), series, value.

    Weekly rules: the manager's weekly series (``manager``) against the peer median (``peer_median``) for the
    last `weeks` weeks. month_end_spike: the daily balance (``balance``) against the month's 日均
    (``avg_daily``) on working days. new_without_mentor has no series.
    """
    eid, rid = flag.employee_id, flag.rule_id
    rows: list[dict] = []
    if rid == "new_without_mentor" or eid not in data.ids:
        return _frame(rows)
    if rid == "month_end_spike":
        sm = data.spike_month(horizon)
        if sm is None:
            return _frame(rows)
        month, _, after = sm
        first, last = cal.month_bounds(month)
        bal = data.balances(first, after[-1], [eid])[eid]          # his balances alone: no peer median here
        avg = bal.loc[:pd.Timestamp(last)].mean(skipna=True)
        for i, (c, v) in enumerate(bal.items()):
            if not cal.is_workday(c.date(), data.ov):
                continue
            rows.append({"order": i, "x": c.date().isoformat(), "series": "balance", "value": fmt.json_num(v, 2)})
            rows.append({"order": i, "x": c.date().isoformat(), "series": "avg_daily", "value": fmt.json_num(avg, 2)})
        return _frame(rows)
    mondays = [monday - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    if rid == "busy_not_converting":
        v = data.weekly("visits", mondays)
        n = data.weekly("new_customers", mondays)
        w = (n / v.where(v > 0)).where(v.notna())
    elif rid == "missing_logs":
        w = data.weekly("logged_days", mondays)
    else:
        w = data.weekly(flag.metric or "visits", mondays)
    for i, c in enumerate(w.columns):
        med = data.peer_median(w[c])
        label = cal.week_key(c.date())
        rows.append({"order": i, "x": label, "series": "manager", "value": fmt.json_num(w.at[eid, c])})
        rows.append({"order": i, "x": label, "series": "peer_median", "value": fmt.json_num(med[eid])})
    return _frame(rows)
