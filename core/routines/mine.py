"""A customer manager's own 晨会 / 周小结 / 月总结: his questions, not the director's page filtered to one person.

For each target metric: my month to date against my target and the straight pace line, what I need per remaining
working day, my rank among the N managers of my team and of the branch and the peer medians (from
:mod:`core.routines.peers`, aggregates only); my coaching flags this week and what to work on; a few sentences in
the morning meeting's tone (praise first). Nothing here holds another manager's name, ID or figures.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import fmt
from core.i18n import fmt_date, fmt_pct, norm_lang, t
from core.routines.peers import STANDING_COLUMNS, Standing
from core.schema import metric_label

_PEER_COLUMNS = [c for c in STANDING_COLUMNS if c not in ("metric", "actual")]
MAX_WORK_ON = 4


@dataclass
class Mine:
    """The manager's own view. ``rows``: one row per target metric — his figures (month or week) merged with the
    peers' aggregates (team_rank, team_n, team_median, branch_rank, branch_n, branch_median, …)."""
    employee_id: str
    name: str
    team: str
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    standing: Standing = field(default_factory=Standing)
    points: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    work_on: list = field(default_factory=list)
    logged: bool | None = None              # logged yesterday (morning) — None elsewhere
    yesterday: dict = field(default_factory=dict)   # metric → his value yesterday (morning)
    funnel: dict = field(default_factory=dict)      # week: own and team conversion / rate (weekly)


def merge_standing(own: pd.DataFrame, st: Standing) -> pd.DataFrame:
    """His rows (one per metric) with the peers' aggregates of `st` joined on metric."""
    peers = st.metrics.set_index("metric")[_PEER_COLUMNS] if len(st.metrics) else \
        pd.DataFrame(columns=_PEER_COLUMNS)
    out = own.reset_index(drop=True).copy()
    for c in _PEER_COLUMNS:
        out[c] = peers[c].reindex(out["metric"]).to_numpy() if len(peers) else np.nan
    return out


def work_on(rows: pd.DataFrame, flags: list, lang: str = "zh") -> list[str]:
    """What to work on: this week's coaching flags (focus and why), then the metrics furthest behind pace with what
    each remaining working day needs; a steady-as-you-go line when nothing is behind and nothing flagged."""
    lang = norm_lang(lang)
    out = []
    seen = set()
    for f in flags:
        topic = f.focus_topic(lang)
        if topic in seen:
            continue
        seen.add(topic)
        out.append(t("mine.work_flag", lang, focus=topic, reason=f.reason(lang)))
    if len(rows) and "status" in rows:
        behind = rows[(rows["status"] == "behind") & rows["pace_ratio"].notna()].sort_values(["pace_ratio", "metric"])
        for _, r in behind.iterrows():
            m, left = r["metric"], int(r["workdays_left"])
            label = metric_label(m, lang, with_unit=False)
            if left > 0:
                out.append(t("mine.work_behind", lang, metric=label,
                             daily=fmt.amount(m, r["daily_needed"], lang, "up"),
                             days=fmt.plural("mine.days", left, lang)))
            else:
                out.append(t("mine.work_short", lang, metric=label, remaining=fmt.amount(m, r["remaining"], lang)))
    if not out:
        out.append(t("mine.work_none", lang))
    return out[:MAX_WORK_ON]


def rank_text(rank: int | None, n: int, where: str, lang: str = "zh") -> str:
    """'团队 8 人中第 3' / '3rd of 8 in the team' style; '—' when not ranked."""
    if rank is None or not n:
        return fmt.BLANK
    return t(f"mine.rank_{where}", lang, rank=rank, n=n)


def points(rows: pd.DataFrame, st: Standing, lang: str = "zh", yesterday: dict | None = None,
           logged: bool | None = None, day: dt.date | None = None) -> list[str]:
    """A few sentences for the manager, praise first: metrics ahead of pace, yesterday's work, where he stands;
    then the metrics behind pace with the daily need; then a missing daily report."""
    lang = norm_lang(lang)
    praise, concerns, action = [], [], []
    if len(rows) and "status" in rows:
        ahead = rows[(rows["status"] == "ahead") & rows["pace_ratio"].notna()].sort_values(
            ["pace_ratio", "metric"], ascending=[False, True])
        for _, r in ahead.head(2).iterrows():
            praise.append(t("mine.point_ahead", lang, metric=metric_label(r["metric"], lang, with_unit=False),
                            amount=fmt.amount(r["metric"], r["gap"], lang), attainment=fmt_pct(r["attainment"])))
    if yesterday and logged:
        praise.append(t("mine.point_yesterday", lang, visits=fmt.amount("visits", yesterday.get("visits", 0), lang),
                        new=fmt.amount("new_customers", yesterday.get("new_customers", 0), lang)))
    if st.score is not None and st.branch_rank is not None:
        praise.append(t("mine.point_rank", lang, score=fmt_pct(st.score),
                        team=rank_text(st.team_rank, st.team_n, "team", lang),
                        branch=rank_text(st.branch_rank, st.branch_n, "branch", lang)))
    if len(rows) and "status" in rows:
        behind = rows[(rows["status"] == "behind") & rows["pace_ratio"].notna()].sort_values(["pace_ratio", "metric"])
        for _, r in behind.head(2).iterrows():
            m, left = r["metric"], int(r["workdays_left"])
            label = metric_label(m, lang, with_unit=False)
            if left > 0:
                concerns.append(t("briefing.behind", lang, metric=label, gap=fmt.amount(m, -r["gap"], lang),
                                  days=fmt.plural("mine.days", left, lang),
                                  daily=fmt.amount(m, r["daily_needed"], lang, "up")))
            else:
                concerns.append(t("briefing.behind_last_day", lang, metric=label,
                                  remaining=fmt.amount(m, r["remaining"], lang)))
    if logged is False and day is not None:
        action.append(t("mine.point_not_logged", lang, date=fmt_date(day, lang)))
    return (praise[:2] + concerns[:2] + action)[:5]
