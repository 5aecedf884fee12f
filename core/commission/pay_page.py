"""What the pages draw for the pay lifecycle, one call each (the views stay thin).

* :func:`pay_view` — one manager's statement as paid (status, adjustments), his questions on it, whether he has
  acknowledged it and the plan version in force, and the plan as a document in both languages.
* :func:`inbox` — the questions a team lead or director has to answer (open or answered, in scope).
* :func:`periods_view` — the settings tab: every period with its status, who has not acknowledged each closed
  period, and the open questions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from core.commission import inquiries as inq
from core.commission.book import PlanInForce, period_in_force
from core.commission.lifecycle import Settled, settled_statement
from core.commission.periods import Period, as_period
from core.commission.periods_state import PeriodState, listing
from core.commission.plan_doc import plan_document
from core.scope import Scope
from core.store import logs as store_logs


@dataclass
class PayView:
    settled: Settled
    questions: pd.DataFrame
    acknowledged: bool
    may_acknowledge: bool          # the manager himself, on a closed statement
    plan_document: dict[str, list[str]]
    plan_key: str
    plan_acknowledged: bool
    may_acknowledge_plan: bool     # the manager himself
    plan_in_force: PlanInForce | None = None
    lines: list[str] = field(default_factory=list)   # metrics a question can be about


def pay_view(engine: Engine, scope: Scope, employee_id: str, period: str | Period) -> PayView:
    per = as_period(period)
    settled = settled_statement(engine, scope, employee_id, per)
    s = settled.statement
    pif, _ = period_in_force(engine, per.months[0])
    mine = scope.employee_id == s.employee_id
    return PayView(
        settled=settled,
        questions=inq.questions(engine, scope, employee_id=s.employee_id, period=per.key),
        acknowledged=inq.statement_acknowledged(engine, s.employee_id, per.key),
        may_acknowledge=mine and settled.state.is_closed,
        plan_document={lang: plan_document(pif.plan, lang) for lang in ("zh", "en")},
        plan_key=inq.plan_key(pif), plan_acknowledged=inq.plan_acknowledged(engine, s.employee_id, pif),
        may_acknowledge_plan=mine, plan_in_force=pif,
        lines=[ln.metric for ln in s.lines] + [d.metric for d in s.deduction_lines])


def inbox(engine: Engine, scope: Scope, team: str | None = None) -> pd.DataFrame:
    """Unresolved questions in scope with the manager's name (INQ_COLUMNS + name), newest first."""
    q = inq.questions(engine, scope, open_only=True, team=team)
    names = store_logs.read_roster(engine, scope)[["employee_id", "name"]]
    return q.merge(names, on="employee_id", how="left")


@dataclass
class PeriodsView:
    periods: list[PeriodState]
    unacknowledged: dict[str, pd.DataFrame]     # closed period → managers who have not acknowledged
    questions: pd.DataFrame


def periods_view(engine: Engine, scope: Scope) -> PeriodsView:
    periods = listing(engine)
    names = store_logs.read_roster(engine, scope)[["employee_id", "name"]]
    unacked = {p.period: inq.unacknowledged(engine, scope, p.period).merge(names, on="employee_id", how="left")
               for p in periods if p.is_closed}
    return PeriodsView(periods, unacked, inbox(engine, scope))


__all__ = ["PayView", "pay_view", "inbox", "PeriodsView", "periods_view"]
