"""Statements from the store: read everything with the caller's scope, then compute (:mod:`.compute`).

* :func:`statement` — one manager and one period (ScopeError for a manager the caller may not see).
* :func:`run_period` / :func:`statements` — every visible manager for one period.
* :func:`history` — a manager's past periods under the plan in force for each, and his risk-reserve balance.
* :func:`commission_page` / :func:`statement_page` — what the 绩效测算 page draws, in one call each.

Quantities are the sum over the period of the manager's daily values, each day converted exactly
(:func:`core.convert.dec`); targets are the sum of the monthly targets of the period's months (a metric with no
target row in any of those months has no target).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission.book import PlanInForce, period_in_force, plan_book, resolve_plan
from core.commission.compute import Statement, compute
from core.commission.periods import Period, as_period, check_period, month_index, period_for
from core.commission.plan import Plan
from core.convert import ZERO, dec, money
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs


class _Joined:
    """Several errors rendered as one parameter, each in the reader's language."""

    def __init__(self, errors: list[AppError]):
        self.errors = errors

    def message(self, lang: str = "zh") -> str:
        return "; ".join(e.message(lang) for e in self.errors)


def _visible_manager(engine: Engine, scope: Scope, employee_id: str) -> dict:
    """The roster row of `employee_id`, or ScopeError when the caller may not see that manager."""
    roster = store_logs.read_roster(engine, scope)
    rows = roster[roster["employee_id"] == str(employee_id)]
    if rows.empty:
        if scope.is_director:
            raise AppError("commission.err.not_on_roster", employee_id=employee_id)
        raise ScopeError("commission.err.scope", employee_id=employee_id)
    row = rows.iloc[0].to_dict()
    if not scope.can_see_manager(row["employee_id"], row["team"]):
        raise ScopeError("commission.err.scope", employee_id=employee_id)
    return row


def _quantities(logs: pd.DataFrame, metrics: Iterable[str]) -> tuple[dict, dict]:
    """Per metric: the period's sum (Decimal, per-day conversion) and the non-zero days behind it."""
    q, days = {}, {}
    for m in metrics:
        if logs.empty or m not in logs:
            q[m], days[m] = ZERO, []
            continue
        vals = [(d.date(), dec(v)) for d, v in zip(logs["date"], logs[m])]
        vals = [(d, v) for d, v in vals if v != 0]
        q[m] = sum((v for _, v in vals), ZERO)
        days[m] = vals
    return q, days


def _targets_for(targets: pd.DataFrame, months: Iterable[str], metrics: Iterable[str]) -> dict:
    out = {}
    months = set(months)
    sub = targets[targets["month"].isin(months)] if not targets.empty else targets
    for m in metrics:
        rows = sub[sub["metric"] == m] if not sub.empty else sub
        out[m] = None if rows.empty else sum((dec(v) for v in rows["value"]), ZERO)
    return out


# ---------------------------------------------------------------- one period

@dataclass
class PeriodRun:
    """Every visible manager's statement for one period, and the managers that could not be computed."""
    period: Period
    plan: Plan
    plan_source: str                              # "db" | "sample" | "file"
    statements: list[Statement]
    errors: list[AppError]


def statement(engine: Engine, scope: Scope, employee_id: str, period: str | Period,
              plan: Plan | None = None) -> Statement:
    """One manager's statement. Raises ScopeError for a manager the caller may not see."""
    per = as_period(period)
    row = _visible_manager(engine, scope, employee_id)
    plan, _src = resolve_plan(engine, per, plan)
    check_period(plan, per)
    eid = row["employee_id"]
    logs = store_logs.read_logs(engine, scope, start=per.start, end=per.end, employee_id=eid)
    targets = store_logs.read_targets(engine, scope, months=list(per.months), employee_id=eid)
    q, days = _quantities(logs, plan.metrics)
    return compute(plan, employee_id=eid, grade=row["grade"], period=per, quantities=q,
                   targets=_targets_for(targets, per.months, plan.metrics), name=row["name"], team=row["team"],
                   days=days)


def run_period(engine: Engine, scope: Scope, period: str | Period, plan: Plan | None = None,
               team: str | None = None, line: str | None = None) -> PeriodRun:
    """Statements of every manager the caller may see (active, or with logs in the period)."""
    per = as_period(period)
    plan, src = resolve_plan(engine, per, plan)
    check_period(plan, per)
    roster = store_logs.read_roster(engine, scope, team=team, line=line)
    logs = store_logs.read_logs(engine, scope, start=per.start, end=per.end, team=team, line=line)
    targets = store_logs.read_targets(engine, scope, months=list(per.months), team=team, line=line)
    with_logs = set(logs["employee_id"])
    roster = roster[roster["active"] | roster["employee_id"].isin(with_logs)]
    out, errors = [], []
    by_emp = dict(tuple(logs.groupby("employee_id"))) if not logs.empty else {}
    t_by_emp = dict(tuple(targets.groupby("employee_id"))) if not targets.empty else {}
    empty_t = targets.iloc[0:0]
    for r in roster.itertuples(index=False):
        if not scope.can_see_manager(r.employee_id, r.team):
            continue
        q, days = _quantities(by_emp.get(r.employee_id, logs.iloc[0:0]), plan.metrics)
        tg = _targets_for(t_by_emp.get(r.employee_id, empty_t), per.months, plan.metrics)
        try:
            out.append(compute(plan, employee_id=r.employee_id, grade=r.grade, period=per, quantities=q, targets=tg,
                               name=r.name, team=r.team, days=days))
        except AppError as exc:
            errors.append(exc)
    return PeriodRun(per, plan, src, out, errors)


def statements(engine: Engine, scope: Scope, period: str | Period, plan: Plan | None = None,
               team: str | None = None, line: str | None = None) -> list[Statement]:
    """Like :func:`run_period` but strict: any manager that cannot be computed raises (all named at once)."""
    run = run_period(engine, scope, period, plan, team=team, line=line)
    if run.errors:
        if len(run.errors) == 1:
            raise run.errors[0]
        raise AppError("commission.err.many", count=len(run.errors), detail=_Joined(run.errors))
    return run.statements


# ---------------------------------------------------------------- history and reserve

@dataclass
class History:
    rows: pd.DataFrame            # period, plan, gross, performance, deductions, deferred, payable, released
    reserve_held: Decimal
    reserve_released: Decimal
    release_after_months: int | None

    def as_records(self) -> list[dict]:
        return self.rows.to_dict("records")


HISTORY_COLUMNS = ["period", "plan", "gross", "performance", "deductions", "deferred", "payable", "pay_band",
                   "released"]


def _months_between(first: str, last: str) -> list[str]:
    months, m = [], first
    while month_index(m) <= month_index(last):
        months.append(m)
        m = cal.add_months(m, 1)
    return months


def history(engine: Engine, scope: Scope, employee_id: str, upto: str | Period, months_back: int = 36) -> History:
    """The manager's statements for each settlement period up to `upto` (from his first logged month, at most
    `months_back` months), and his risk-reserve balance. Periods without a plan in force are skipped.

    The reserve balance is the sum of ``deferred`` over the periods; with ``reserve_release_after_months: N``
    in the plan in force for `upto`, an amount deferred in a period whose last month lies N or more months
    before `upto`'s last month is released (paid out) and no longer counts in the balance."""
    per = as_period(upto)
    row = _visible_manager(engine, scope, employee_id)
    eid = row["employee_id"]
    book = plan_book(engine)
    first_month = cal.add_months(per.months[-1], -(months_back - 1))
    logs = store_logs.read_logs(engine, scope, start=cal.month_bounds(first_month)[0], end=per.end, employee_id=eid)
    start_month = per.months[0]
    if not logs.empty:
        start_month = min(start_month, cal.month_key(logs["date"].min()))
    months = _months_between(start_month, per.months[-1])
    targets = store_logs.read_targets(engine, scope, months=months, employee_id=eid)
    periods: list[tuple[Period, Plan]] = []
    seen = set()
    for m in months:
        pl = book.plan_for(cal.month_bounds(m)[0])
        if pl is None:
            continue
        p = period_for(m, pl.settlement)
        if p.key in seen:
            continue
        pl = book.plan_for(p.start) or pl
        if pl.settlement != p.kind:
            continue
        seen.add(p.key)
        periods.append((p, pl))
    current_plan = book.plan_for(per.start)
    release = current_plan.reserve_release_after_months if current_plan else None
    recs = []
    held = released = ZERO
    for p, pl in periods:
        sub = logs[(logs["date"] >= pd.Timestamp(p.start)) & (logs["date"] <= pd.Timestamp(p.end))]
        q, _days = _quantities(sub, pl.metrics)
        tg = _targets_for(targets, p.months, pl.metrics)
        try:
            s = compute(pl, employee_id=eid, grade=row["grade"], period=p, quantities=q, targets=tg,
                        name=row["name"], team=row["team"])
        except AppError:
            continue
        age = month_index(per.months[-1]) - month_index(p.months[-1])
        is_released = release is not None and age >= release
        if is_released:
            released += s.deferred
        else:
            held += s.deferred
        recs.append({"period": p.key, "plan": pl.name, "gross": s.gross, "performance": s.performance,
                     "deductions": s.deductions, "deferred": s.deferred, "payable": s.payable,
                     "pay_band": s.pay_band, "released": is_released})
    return History(pd.DataFrame(recs, columns=HISTORY_COLUMNS), money(held), money(released), release)


# ---------------------------------------------------------------- what the page draws

@dataclass
class CommissionPage:
    """The page's frame: the plan in force and its period, and the managers the caller may pick."""
    plan_in_force: PlanInForce
    period: Period
    managers: pd.DataFrame        # employee_id, name, team (the roster the caller may see)
    missing_self: bool            # a manager whose own roster entry is gone


def commission_page(engine: Engine, scope: Scope, month: str, team: str | None = None,
                    line: str | None = None) -> CommissionPage:
    """The plan governing `month`'s settlement period and the managers to choose from (a manager: himself,
    whatever the team/line filters say)."""
    pif, period = period_in_force(engine, month)
    if scope.sees_only_self:
        team = line = None
    roster = store_logs.read_roster(engine, scope, team=team, line=line)
    missing = scope.sees_only_self and scope.employee_id not in set(roster["employee_id"])
    return CommissionPage(pif, period, roster[["employee_id", "name", "team"]].reset_index(drop=True), missing)


@dataclass
class StatementPage:
    """One manager's statement with his history and reserve, as the page shows them."""
    statement: Statement
    history: History


def statement_page(engine: Engine, scope: Scope, employee_id: str, period: str | Period) -> StatementPage:
    per = as_period(period)
    return StatementPage(statement(engine, scope, employee_id, per), history(engine, scope, employee_id, per))


__all__ = ["PeriodRun", "statement", "run_period", "statements", "History", "history", "CommissionPage",
           "commission_page", "StatementPage", "statement_page"]
