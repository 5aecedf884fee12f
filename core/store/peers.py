"""Peer figures without the peers: what a manager or a team lead may know about the branch around him.

A manager sees his own rows only (:attr:`core.scope.Scope.sees_only_self`); a team lead his own team. Their pages
still answer "where do I stand": a rank among the N managers of the team and of the branch, the peer median, the
branch total. :func:`peer_figures` reads the branch with SQL ``GROUP BY`` (one row per manager, per team for the
targets) and hands back **anonymous** rows: no employee ID, no name, no team name — only whether the row is the
caller himself (``own``), whether it is in the caller's team (``own_team``) and a team number (``team_no``: 0 is
the caller's team, the others numbered 1… in no meaningful order). The core turns those into ranks and medians
(:mod:`core.routines.peers`); no individual row reaches a page.

What may be read is decided here from the :class:`Scope`: a director (or the system) gets the same anonymous
frame; a manager's own team is his roster team; a team lead's is his scope team. Nothing about pay is read.
"""
from __future__ import annotations


import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from core.errors import AppError
from core.schema import METRICS
from core.scope import Scope
from core.store import tables as t

FLOWS = tuple(m for m in METRICS if m != "deposit_balance")
POSITIVE_DAY_METRICS = ("deposits_new", "loans_new", "wealth_sales")   # days with > 0 counted (the funnel's sales)
PEER_COLUMNS = ["own", "own_team", "team_no", "active", *FLOWS, *(f"days_{m}" for m in POSITIVE_DAY_METRICS),
                "days_logged"]


def _own(engine: Engine, scope: Scope) -> tuple[str | None, str | None]:
    """(the caller's employee_id, the caller's team) as the branch sees them."""
    if scope.sees_only_self:
        with engine.connect() as conn:
            team = conn.execute(select(t.managers.c.team).where(
                t.managers.c.employee_id == scope.employee_id)).scalar_one_or_none()
        if team is None:
            raise AppError("peers.unknown_self", employee_id=scope.employee_id or "—")
        return scope.employee_id, team
    return scope.employee_id, scope.team


def peer_figures(engine: Engine, scope: Scope, start, end, month: str | None = None,
                 line: str | None = None) -> pd.DataFrame:
    """Anonymous per-manager figures of the branch (or of one business `line`) for start..end.

    One row per manager on the roster who is active and had started by `end`, or logged in the period, or has a
    target in `month` (as the pages count managers), and the caller himself, always.
    Columns: own (bool), own_team (bool), team_no (int, 0 = the caller's team), active, the sum of every flow
    metric over the period (0 when nothing logged), days_<m> (logged days with <m> > 0, for the deposits, loans
    and wealth sales), days_logged, and with `month`, target_<metric> per target metric (NaN when none set).
    Rows are ordered by team_no and then by the figures, never by who they are.
    """
    a, b = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if a > b:
        raise AppError("peers.bad_period", start=str(a), end=str(b))
    own_id, own_team = _own(engine, scope)
    m = t.managers.c
    d = t.daily_logs.c
    in_period = and_(d.date >= a, d.date <= b)
    started = or_(m.start_date.is_(None), m.start_date <= b)
    # as the pages count managers: the active ones, and anyone who logged in the period or has a target that month
    who = or_(and_(m.active.is_(True), started),
              m.employee_id.in_(select(d.employee_id).where(in_period).distinct()))
    if month:
        who = or_(who, m.employee_id.in_(select(t.targets.c.employee_id).where(t.targets.c.month == month)))
    if own_id is not None:
        who = or_(who, m.employee_id == own_id)
    roster_q = select(m.employee_id, m.team, m.active).where(who)
    if line:
        roster_q = roster_q.where(or_(m.line == line, m.employee_id == own_id) if own_id else m.line == line)
    sums = [func.sum(func.coalesce(d[f], 0)).label(f) for f in FLOWS]
    days = [func.sum(case((d[f] > 0, 1), else_=0)).label(f"days_{f}") for f in POSITIVE_DAY_METRICS]
    logs_q = select(d.employee_id, *sums, *days, func.count().label("days_logged")).where(
        in_period, d.employee_id.in_(roster_q.with_only_columns(m.employee_id))).group_by(d.employee_id)
    with engine.connect() as conn:
        roster = pd.DataFrame(conn.execute(roster_q).fetchall(), columns=["employee_id", "team", "active"])
        logs = pd.DataFrame(conn.execute(logs_q).fetchall(),
                            columns=["employee_id", *FLOWS, *(f"days_{f}" for f in POSITIVE_DAY_METRICS),
                                     "days_logged"])
        tg = pd.DataFrame(columns=["employee_id", "metric", "value"])
        if month:
            tq = select(t.targets.c.employee_id, t.targets.c.metric, func.sum(t.targets.c.value)).where(
                t.targets.c.month == month).group_by(t.targets.c.employee_id, t.targets.c.metric)
            tg = pd.DataFrame(conn.execute(tq).fetchall(), columns=["employee_id", "metric", "value"])
    out = roster.merge(logs, on="employee_id", how="left")
    for c in logs.columns[1:]:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64").fillna(0.0)
    if month:
        wide = tg.assign(value=pd.to_numeric(tg["value"]).astype("float64")).pivot_table(
            index="employee_id", columns="metric", values="value", aggfunc="sum") if len(tg) else pd.DataFrame()
        for metric in wide.columns:
            out[f"target_{metric}"] = wide[metric].reindex(out["employee_id"]).to_numpy(dtype="float64")
    teams = sorted(set(out["team"].dropna()) - {own_team})
    numbers = {own_team: 0, **{name: i for i, name in enumerate(teams, start=1)}}
    out["own"] = (out["employee_id"] == own_id).to_numpy(dtype=bool) if own_id else np.zeros(len(out), dtype=bool)
    out["own_team"] = (out["team"] == own_team).to_numpy(dtype=bool) if own_team else np.zeros(len(out), dtype=bool)
    out["team_no"] = out["team"].map(numbers).fillna(-1).astype("int64")
    out["active"] = out["active"].astype(bool)
    keep = [c for c in out.columns if c not in ("employee_id", "team")]
    out = out[keep].sort_values(["team_no", *FLOWS], kind="stable").reset_index(drop=True)
    return out[[c for c in PEER_COLUMNS if c in out.columns] + [c for c in out.columns if c.startswith("target_")]]
