"""Leaders and laggards: leaderboards per metric, the 十佳 composite ranking, who is furthest behind pace, the
attainment matrix and the distribution of scores.

**composite score** (ranking, 十佳): mean over the metrics the manager has a target > 0 for of
min(attainment, :data:`SCORE_CAP`) — the cap (150 %) stops one metric from dominating.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.errors import AppError
from core.measures import EPS, ON_PACE_AT, status_of
from core.schema import FLOW_METRICS

SCORE_CAP = 1.5            # per-metric attainment cap in the composite score
ATTAINMENT_BANDS = (0.0, 0.6, 0.8, 1.0, 1.2, np.inf)
ATTAINMENT_BAND_LABELS = ("<60%", "60–80%", "80–100%", "100–120%", "≥120%")


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
        out = out[out["score"] < ON_PACE_AT - EPS]
    out = out.sort_values(["score", "employee_id"]).head(n)
    return out[cols].reset_index(drop=True)


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
                        "metrics_met": (p["attainment"] >= 1 - EPS).groupby(p["employee_id"], sort=False)
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
    return top_of(out[_RANK_COLUMNS].reset_index(drop=True), n)


def top_of(full: pd.DataFrame, n: int | None) -> pd.DataFrame:
    """The top `n` of a whole :func:`ranking` (ties at the cut-off kept; None = everyone)."""
    if n is not None and len(full):
        cut = full["rank"].iloc[min(n, len(full)) - 1] if n > 0 else 0
        full = full[full["rank"] <= cut]
    return full.reset_index(drop=True)


def bottom_of(full: pd.DataFrame, n: int, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """The `n` lowest of a whole :func:`ranking`, worst first, leaving out the managers `exclude`."""
    if len(exclude):
        full = full[~full["employee_id"].isin(list(exclude))]
    return full.iloc[::-1].head(n).reset_index(drop=True)


def bottom_ranking(progress: pd.DataFrame, n: int = 5, cap: float = SCORE_CAP,
                   metrics: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """The `n` lowest of :func:`ranking` (rank still counted from the top), worst first. Same columns.

    `exclude`: managers already shown above (the top list), left out, so that in a team of 8 the top 10 and
    the bottom never list the same people twice."""
    return bottom_of(ranking(progress, n=None, cap=cap, metrics=metrics), n, exclude)


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
        raise AppError("metrics.error.bands")
    idx = np.clip(np.searchsorted(edges, v.to_numpy(), side="right") - 1, 0, nb - 1)
    counts = np.bincount(idx, minlength=nb)[:nb]
    total = counts.sum()
    return pd.DataFrame({"band": list(labels), "lower": edges[:-1], "upper": edges[1:],
                         "count": counts.astype("int64"),
                         "share": counts / total if total else np.zeros(nb)})
