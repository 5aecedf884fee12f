"""The month's money as a lifecycle: estimate → review (复核) → closed (结账, paid) → adjusted later.

* :func:`close` freezes every manager's statement of a period (:mod:`.snapshot`) with the adjustments it pays;
  a period closes only when every earlier period that has statements is closed. An adjustment (recomputed or
  manual, e.g. from a corrected question) of a manager who has no statement in the period being closed is not
  paid by it: it stays pending, shown in no snapshot, until the first period closed with a statement for him
  (so every adjustment marked paid is in exactly one snapshot, and none is paid without a statement).
* :func:`reopen` (with a reason) discards the period's snapshots and the recomputed adjustments it paid; only
  the latest closed period can be reopened, so closed periods stay an unbroken run.
* :func:`mark_review` opens a review window: managers see "in review until <date>" and can raise questions.
* :func:`settled_statement` / :func:`settled_statements` — what a manager is paid: a closed period's statement
  read from its snapshot (never recomputed), an open one computed now, with the adjustments the first open
  period pays (:mod:`.adjustments`) added to its payable.
Every step is audited by the store (:mod:`core.store.pay`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine

from core.commission import adjustments as adj
from core.commission import service
from core.commission.book import plan_in_force
from core.commission.compute import Statement
from core.commission.periods import Period, as_period
from core.commission.periods_state import (PeriodState, closed_periods, current_open, periods_with_statements,
                                           state_of)
from core.commission.snapshot import fingerprint, freeze, thaw
from core.convert import money
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs
from core.store import pay as store_pay


@dataclass
class Settled:
    """A statement as the manager is paid it: its status and the adjustments it carries."""
    statement: Statement
    state: PeriodState
    adjustments: list[adj.Adjustment] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.state.status

    def to_dict(self, lang: str = "zh", with_days: bool = False) -> dict:
        d = self.statement.to_dict(lang, with_days=with_days)
        st = self.state.to_dict()
        d.update(status=st["status"], closed_at=st["closed_at"], closed_by=st["closed_by"],
                 review_until=st["review_until"], adjustments=[a.to_dict() for a in self.adjustments])
        return d


def with_adjustments(s: Statement, adjs: list[adj.Adjustment]) -> Statement:
    """`s` with the adjustments added to its payable (and as its ``adjustment_total`` when the model has one)."""
    amount = adj.total(adjs)
    if amount == 0:
        return s
    changes = {"payable": money(adj.base_payable(s) + amount)}
    if "adjustment_total" in {f.name for f in dataclasses.fields(s)}:
        changes["adjustment_total"] = amount
    return dataclasses.replace(s, **changes)


# ---------------------------------------------------------------- reading

def _visible(engine: Engine, scope: Scope, employee_id: str) -> dict:
    roster = store_logs.read_roster(engine, scope)
    rows = roster[roster["employee_id"] == str(employee_id)]
    if rows.empty or not scope.can_see_manager(str(employee_id), rows.iloc[0]["team"]):
        raise ScopeError("commission.err.scope", employee_id=employee_id)
    return rows.iloc[0].to_dict()


def _frozen(engine: Engine, scope: Scope, st: PeriodState, employee_id: str | None = None,
            team: str | None = None) -> list[Settled]:
    paid = adj.paid_in(engine, scope, st.period, employee_id)
    out = []
    for snap in store_pay.read_snapshots(engine, scope, period=st.period, employee_id=employee_id):
        if team is not None and snap["team"] != team:
            continue
        out.append(Settled(thaw(snap["statement"]), st, paid.get(snap["employee_id"], [])))
    return out


def _is_current(engine: Engine, per: Period) -> bool:
    cur = current_open(engine)
    return cur is not None and cur.key == per.key


def settled_statement(engine: Engine, scope: Scope, employee_id: str, period: str | Period) -> Settled:
    """One manager's statement as paid. A closed period: the snapshot (AppError when he was not in it)."""
    per = as_period(period)
    st = state_of(engine, per)
    if st.is_closed:
        _visible(engine, scope, employee_id)
        found = _frozen(engine, scope, st, employee_id=str(employee_id))
        if not found:
            raise AppError("commission.pay.not_in_closed", employee_id=employee_id, period=per.key)
        return found[0]
    s = service.statement(engine, scope, employee_id, per)
    adjs = adj.pending(engine, scope, employee_id=s.employee_id).get(s.employee_id, []) \
        if _is_current(engine, per) else []
    return Settled(with_adjustments(s, adjs), st, adjs)


def settled_statements(engine: Engine, scope: Scope, period: str | Period, team: str | None = None) -> list[Settled]:
    """Every visible manager's statement as paid (strict, like :func:`core.commission.service.statements`)."""
    per = as_period(period)
    st = state_of(engine, per)
    if st.is_closed:
        return _frozen(engine, scope, st, team=team)
    stmts = service.statements(engine, scope, per, team=team)
    pend = adj.pending(engine, scope, team=team) if _is_current(engine, per) else {}
    return [Settled(with_adjustments(s, pend.get(s.employee_id, [])), st, pend.get(s.employee_id, []))
            for s in stmts]


# ---------------------------------------------------------------- changing state

def _check_order(engine: Engine, per: Period) -> None:
    closed = {c.period for c in closed_periods(engine)}
    earlier = [p.key for p in periods_with_statements(engine, upto=per) if p.start < per.start]
    missing = [k for k in earlier if k not in closed]
    if missing:
        raise AppError("commission.pay.earlier_open", period=per.key, earlier="、".join(missing))


def close(engine: Engine, scope: Scope, period: str | Period) -> dt.datetime:
    """Freeze every manager's statement of `period` (with the adjustments it pays). Directors only."""
    if not scope.may_configure:
        raise ScopeError("commission.pay.director_only")
    per = as_period(period)
    st = state_of(engine, per)
    if st.is_closed:
        raise AppError("commission.pay.already_closed", period=per.key)
    _check_order(engine, per)
    stmts = service.statements(engine, scope, per)
    pend = adj.pending(engine, scope)          # recomputed for closed periods, and every manual one
    pif = plan_in_force(engine, per.start)
    roster = store_logs.read_roster(engine, scope)
    teams = dict(zip(roster["employee_id"], roster["team"]))
    snaps, rows = [], []
    for s in stmts:
        mine = pend.get(s.employee_id, [])
        frozen = with_adjustments(s, mine)
        snaps.append({"employee_id": s.employee_id, "team": s.team, "plan_id": pif.plan_id,
                      "plan_name": s.plan_name[:200], "payable": float(adj.base_payable(s)),
                      "deferred": float(s.deferred), "fingerprint": fingerprint(s), "statement": freeze(frozen)})
    paying = {s.employee_id for s in stmts}        # the others' adjustments stay pending (module docstring)
    for eid, adjs in pend.items():
        if eid in paying:
            rows.extend(adj.store_rows(adjs, teams))
    return store_pay.close_period(engine, scope, per.key, snaps, rows)


def reopen(engine: Engine, scope: Scope, period: str | Period, reason: str) -> None:
    """Reopen the latest closed period (its snapshots and derived adjustments are discarded)."""
    if not scope.may_configure:
        raise ScopeError("commission.pay.director_only")
    per = as_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise AppError("commission.pay.reason_needed")
    closed = closed_periods(engine)
    if not closed or per.key not in {c.period for c in closed}:
        raise AppError("commission.pay.not_closed", period=per.key)
    if closed[-1].period != per.key:
        raise AppError("commission.pay.reopen_latest", period=per.key, latest=closed[-1].period)
    store_pay.reopen_period(engine, scope, per.key, reason)


def mark_review(engine: Engine, scope: Scope, period: str | Period, until: dt.date) -> None:
    """Open a review window (复核) until `until` (a day on or after the period's end)."""
    per = as_period(period)
    if until < per.end:
        raise AppError("commission.pay.review_before_end", period=per.key, until=until.isoformat(),
                       end=per.end.isoformat())
    store_pay.mark_review(engine, scope, per.key, until)


def latest_closed(engine: Engine) -> PeriodState | None:
    closed = closed_periods(engine)
    return closed[-1] if closed else None


def is_in_closed(engine: Engine, day: dt.date) -> bool:
    """True when `day` lies in or before the last closed period."""
    last = latest_closed(engine)
    return last is not None and day <= as_period(last.period).end


__all__ = ["Settled", "with_adjustments", "settled_statement", "settled_statements", "close", "reopen",
           "mark_review", "latest_closed", "is_in_closed"]
