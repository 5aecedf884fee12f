"""Where one stands without seeing anyone else: ranks, medians and branch totals from anonymous peer figures.

Input is :func:`core.store.peers.peer_figures` (one anonymous row per manager: own, own_team, team_no, sums,
target_<metric>). Everything here returns aggregates only — numbers and counts, never a row per peer — so a page
model built from them holds no other manager's name, employee ID or figures:

* :func:`standing` — the caller's composite score (the 十佳 score of :func:`core.routines.ranking.ranking`), his
  rank among the N ranked managers of his team and of the branch, and the median score of each; per metric his
  month-to-date rank (by amount) and the team and branch medians of the amount and of the attainment.
* :func:`branch_rows` — the branch (or a selection's) totals as :func:`core.routines.progress.month_progress`
  rows at level ``branch``: sums first, then the ratios (as the roll-up does).
* :func:`team_rank` — the caller's team among the teams by the same composite score on team sums.
* :func:`branch_sums` — the branch's sum of each metric over a period (weekly and monthly comparisons).

Ranks: 1 = best, ties share the better rank ('min'). Medians are over the N managers, the caller included.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.measures import attainment
from core.routines.progress import _derive_progress, rollup_progress
from core.routines.ranking import SCORE_CAP, ranking

STANDING_COLUMNS = ["metric", "actual", "team_rank", "team_n", "team_median", "branch_rank", "branch_n",
                    "branch_median", "team_median_attainment", "branch_median_attainment"]


@dataclass(frozen=True)
class Standing:
    """The caller among his peers. ``score`` is None when he has no target; ranks are None when not ranked.
    ``metrics``: one row per metric (STANDING_COLUMNS), only aggregates."""
    score: float | None = None
    team_rank: int | None = None
    team_n: int = 0
    team_median: float | None = None
    branch_rank: int | None = None
    branch_n: int = 0
    branch_median: float | None = None
    metrics: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STANDING_COLUMNS))


def _long(peers: pd.DataFrame, metrics: Sequence[str], w: dict | None) -> pd.DataFrame:
    """Peers as manager-level progress rows with anonymous keys ('#0', '#1' …, never leaving this module)."""
    n, k = len(peers), len(metrics)
    keys = np.array([f"#{i}" for i in range(n)], dtype=object)
    target = np.column_stack([peers[f"target_{m}"].to_numpy(dtype="float64") if f"target_{m}" in peers
                              else np.full(n, np.nan) for m in metrics]) if n else np.empty((0, k))
    actual = np.column_stack([peers[m].to_numpy(dtype="float64") for m in metrics]) if n else np.empty((0, k))
    df = pd.DataFrame({"level": "manager", "entity": np.repeat(keys, k), "employee_id": np.repeat(keys, k),
                       "name": None, "team": np.repeat(peers["team_no"].astype(str).to_numpy(dtype=object), k),
                       "metric": np.tile(np.array(metrics, dtype=object), n),
                       "actual": actual.reshape(-1), "target": target.reshape(-1)})
    if w is not None:
        df = _derive_progress(df, dict(w))
    else:
        df["attainment"] = attainment(df["actual"], df["target"])
    return df


def _rank_of(values: pd.Series, own_key: str) -> tuple[int | None, int, float | None]:
    """(rank of own_key, N, median) of a Series indexed by key, higher is better; NaN values are not ranked."""
    v = values.dropna()
    if v.empty:
        return None, 0, None
    rank = v.rank(method="min", ascending=False)
    return (int(rank[own_key]) if own_key in rank.index else None), int(len(v)), float(v.median())


def standing(peers: pd.DataFrame, metrics: Sequence[str], cap: float = SCORE_CAP) -> Standing:
    """The caller's rank and the medians of his team and of the branch (see the module doc). Empty Standing when
    the caller is not among the peers."""
    own = np.flatnonzero(peers["own"].to_numpy(dtype=bool)) if len(peers) else np.array([], dtype=int)
    if not len(own):
        return Standing()
    me = f"#{int(own[0])}"
    rows = _long(peers, list(metrics), None)
    in_team = np.repeat(peers["own_team"].to_numpy(dtype=bool), len(metrics))
    score = ranking(rows, n=None, cap=cap).set_index("employee_id")["score"]
    team_keys = set(rows.loc[in_team, "employee_id"])
    t_rank, t_n, t_med = _rank_of(score[score.index.isin(team_keys)], me)
    b_rank, b_n, b_med = _rank_of(score, me)
    per = []
    for m in metrics:
        r = rows[rows["metric"] == m].set_index("employee_id")
        team = r[r.index.isin(team_keys)]
        tr, tn, tm = _rank_of(team["actual"], me)
        br, bn, bm = _rank_of(r["actual"], me)
        per.append({"metric": m, "actual": float(r.at[me, "actual"]), "team_rank": tr, "team_n": tn,
                    "team_median": tm, "branch_rank": br, "branch_n": bn, "branch_median": bm,
                    "team_median_attainment": _median(team["attainment"]),
                    "branch_median_attainment": _median(r["attainment"])})
    return Standing(score=float(score[me]) if me in score.index else None, team_rank=t_rank, team_n=t_n,
                    team_median=t_med, branch_rank=b_rank, branch_n=b_n, branch_median=b_med,
                    metrics=pd.DataFrame(per, columns=STANDING_COLUMNS))


def _median(s: pd.Series) -> float | None:
    v = s.dropna()
    return float(v.median()) if len(v) else None


def branch_rows(peers: pd.DataFrame, metrics: Sequence[str], w: dict) -> pd.DataFrame:
    """The peers' totals as ``month_progress`` rows at level 'branch' (given workday info `w` of
    :func:`core.routines.frames.workday_info`, as_of applied)."""
    return rollup_progress(_long(peers, list(metrics), w), "branch")


@dataclass(frozen=True)
class TeamRank:
    """The caller's team among the branch's teams by composite score on team sums (rank None: no target)."""
    rank: int | None = None
    n: int = 0
    median: float | None = None
    score: float | None = None


def team_rank(peers: pd.DataFrame, metrics: Sequence[str], w: dict, cap: float = SCORE_CAP) -> TeamRank:
    """Rank of team 0 (the caller's) among the teams: their sums' attainment, capped and averaged per team."""
    if peers.empty:
        return TeamRank()
    teams = rollup_progress(_long(peers, list(metrics), w), "team")
    teams = teams.assign(level="manager", employee_id=teams["entity"])
    score = ranking(teams, n=None, cap=cap).set_index("employee_id")["score"]
    rank, n, med = _rank_of(score, "0")
    return TeamRank(rank=rank, n=n, median=med, score=float(score["0"]) if "0" in score.index else None)


def branch_sums(peers: pd.DataFrame, metrics: Sequence[str]) -> dict:
    """metric → the peers' sum over the period (0.0 for nobody)."""
    return {m: float(peers[m].sum()) if len(peers) else 0.0 for m in metrics}


def branch_target_sum(peers: pd.DataFrame, metric: str) -> float:
    """The peers' sum of targets for `metric` (NaN when nobody has one)."""
    col = f"target_{metric}"
    return float(peers[col].sum(min_count=1)) if col in peers and len(peers) else float("nan")


def median_score(peers: pd.DataFrame, metrics: Sequence[str], cap: float = SCORE_CAP) -> float | None:
    """The median composite score of the managers with a target (None when nobody has one)."""
    if peers.empty:
        return None
    score = ranking(_long(peers, list(metrics), None), n=None, cap=cap)["score"]
    return _median(score)
