"""Praise first: who improved most week-on-week relative to his peers."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core import calendar as cal
from core import fmt
from core.coaching.engine import Inputs
from core.coaching.flags import Flag
from core.coaching.rules import RULE_IDS
from core.schema import TARGET_METRICS

IMPROVEMENT_COLUMNS = ["employee_id", "manager_name", "team", "score", "metric", "before", "after", "resolved"]


def improvements(data: Inputs, monday: dt.date, horizon: dt.date, flags: list[Flag] | None = None) -> pd.DataFrame:
    """Who improved most week-on-week (praise first), best first.

    For visits, new customers and each metric the manager has a target for this month, the manager's weekly
    total relative to the peer median (capped at 3×) is compared between W and the week before;
    ``score`` = the mean change of that relative level over the metrics (0.25 = a quarter of a peer median
    better on average). ``metric``/``before``/``after`` name, of the metrics whose own number rose, the one that rose
    most against the peers; a manager none of whose own numbers rose is not listed. ``resolved`` lists the
    rule ids resolved since last week. Only scores ≥ ``praise.min_improvement`` are kept, at most ``top_n``.
    """
    prev = monday - dt.timedelta(weeks=1)
    month = cal.month_key(horizon)
    tg = data.targeted(month, TARGET_METRICS)
    metrics = [m for m in TARGET_METRICS if m in ("visits", "new_customers") or m in set(tg["metric"])]
    has = data.has_target(month, metrics)
    n = len(data.ids)
    before, after = np.full((n, len(metrics)), np.nan), np.full((n, len(metrics)), np.nan)
    delta = np.full((n, len(metrics)), np.nan)
    for j, m in enumerate(metrics):
        w = data.weekly(m, [prev, monday])
        rel = pd.DataFrame({c: (w[c] / data.peer_median(w[c]).where(lambda s: s > 0)).clip(upper=3.0)
                            for c in w.columns})
        d = (rel.iloc[:, 1] - rel.iloc[:, 0]).to_numpy()
        own = np.ones(n, dtype=bool) if m in ("visits", "new_customers") else has[m].to_numpy()
        delta[:, j] = np.where(own, d, np.nan)
        before[:, j], after[:, j] = w.iloc[:, 0].to_numpy(), w.iloc[:, 1].to_numpy()
    resolved: dict[str, list[str]] = {}
    for f in flags or []:
        if f.history == "resolved":
            resolved.setdefault(f.employee_id, []).append(f.rule_id)
    # Praise is for his own work: the metric shown is one whose own number rose ("12 → 12" because the peers fell
    # is no praise), and a manager none of whose numbers rose is not praised however his peers did.
    with np.errstate(invalid="ignore"):
        rose = np.where(after > before, delta, np.nan)
    any_delta = ~np.isnan(rose).all(axis=1) if len(metrics) else np.zeros(n, dtype=bool)   # rose ⊆ delta
    rows = []
    if any_delta.any():
        with np.errstate(all="ignore"):
            score = np.nanmean(delta[any_delta], axis=1)
        # Of the metrics whose own number rose, the one that rose most against the peers; on a tie the one first
        # in TARGET_METRICS (metrics are in that order).
        best = np.nanargmax(rose[any_delta], axis=1)
        idx = np.flatnonzero(any_delta)
        score = np.array([round(float(x), 4) for x in score])
        keep = score >= data.rules.praise_min_improvement      # only those can be praised: build their rows
        for i, sc, b in zip(idx[keep], score[keep], best[keep]):
            eid = data.ids[i]
            rows.append({"employee_id": eid, "manager_name": data.name(eid), "team": str(data.team.iat[i]),
                         "score": round(float(sc), 4), "metric": metrics[b],
                         "before": fmt.json_num(before[i, b]), "after": fmt.json_num(after[i, b]),
                         "resolved": sorted(resolved.get(eid, []), key=RULE_IDS.index)})
    df = pd.DataFrame(rows, columns=IMPROVEMENT_COLUMNS)
    if df.empty:
        return df
    df = df[df["score"] >= data.rules.praise_min_improvement]
    return df.sort_values(["score", "employee_id"], ascending=[False, True]).head(data.rules.praise_top_n) \
             .reset_index(drop=True)
