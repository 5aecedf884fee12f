"""Praise first: who improved most week-on-week relative to his peers."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core import calendar as cal
from core.coaching.engine import Inputs
from core.coaching.flags import Flag
from core.coaching.fmt import num
from core.coaching.rules import RULE_IDS
from core.schema import TARGET_METRICS

IMPROVEMENT_COLUMNS = ["employee_id", "manager_name", "team", "score", "metric", "before", "after", "resolved"]


def improvements(data: Inputs, monday: dt.date, horizon: dt.date, flags: list[Flag] | None = None) -> pd.DataFrame:
    """Who improved most week-on-week (praise first), best first.

    For visits, new customers and each metric the manager has a target for this month, the manager's weekly
    total relative to the peer median (capped at 3×) is compared between W and the week before;
    ``score`` = the mean change of that relative level over the metrics (0.25 = a quarter of a peer median
    better on average). ``metric``/``before``/``after`` name the metric that rose most. ``resolved`` lists the
    rule ids resolved since last week. Only scores ≥ ``praise.min_improvement`` are kept, at most ``top_n``.
    """
    prev = monday - dt.timedelta(weeks=1)
    tg = data.targeted(cal.month_key(horizon), TARGET_METRICS)
    targeted = tg.groupby("employee_id")["metric"].agg(set).to_dict()
    metrics = [m for m in TARGET_METRICS if m in ("visits", "new_customers") or m in set(tg["metric"])]
    deltas, raw = {}, {}
    for m in metrics:
        w = data.weekly(m, [prev, monday])
        rel = pd.DataFrame({c: (w[c] / data.peer_median(w[c]).where(lambda s: s > 0)).clip(upper=3.0)
                            for c in w.columns})
        deltas[m] = rel.iloc[:, 1] - rel.iloc[:, 0]
        raw[m] = w
    resolved: dict[str, list[str]] = {}
    for f in flags or []:
        if f.history == "resolved":
            resolved.setdefault(f.employee_id, []).append(f.rule_id)
    rows = []
    for eid in data.ids:
        own = [m for m in metrics if m in ("visits", "new_customers") or m in targeted.get(eid, set())]
        d = {m: deltas[m][eid] for m in own if not pd.isna(deltas[m][eid])}
        if not d:
            continue
        best = max(d, key=lambda m: (d[m], -TARGET_METRICS.index(m)))
        pos = raw[best].index.get_loc(eid)
        rows.append({"employee_id": eid, "manager_name": data.name(eid), "team": str(data.team[eid]),
                     "score": round(float(np.mean(list(d.values()))), 4), "metric": best,
                     "before": num(raw[best].iat[pos, 0]), "after": num(raw[best].iat[pos, 1]),
                     "resolved": sorted(resolved.get(eid, []), key=RULE_IDS.index)})
    df = pd.DataFrame(rows, columns=IMPROVEMENT_COLUMNS)
    if df.empty:
        return df
    df = df[df["score"] >= data.rules.praise_min_improvement]
    return df.sort_values(["score", "employee_id"], ascending=[False, True]).head(data.rules.praise_top_n) \
             .reset_index(drop=True)
