"""Statements from the store: read everything with the caller's scope, then compute (:mod:`.compute`).

* :func:`statement` — one manager and one period (ScopeError for a manager the caller may not see).
* :func:`run_period` / :func:`statements` — every visible manager for one period.
* :func:`history` — a manager's past periods under the plan in force for each, and his risk-reserve balance.
* :func:`commission_page` / :func:`statement_page` — what the 绩效测算 page draws, in one call each.

Quantities, targets, 日均 and the reserve instalments paid in a period are read as
:mod:`core.commission.inputs` describes (flows summed day by day, exactly; 日均 over the period's days up to the
last logged date; targets summed over the period's months; instalments of earlier deferrals net of forfeits).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission import inputs
from core.commission import measure as avg
from core.commission import reserve as rsv
from core.commission.book import PlanInForce, period_in_force, plan_book, resolve_plan
from core.commission.compute import Statement, compute
from core.commission.periods import Period, as_period, check_period, month_index
from core.commission.plan import Plan, ReserveRelease
from core.convert import ZERO
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs
from core.store import pay as store_pay
from core.store import pay_reads


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
    """Per metric: the period's sum and the non-zero days behind it (:func:`inputs.quantities`)."""
    return inputs.quantities(logs, metrics)


def _targets_for(targets: pd.DataFrame, months: Iterable[str], metrics: Iterable[str]) -> dict:
    return inputs.targets_for(targets, months, metrics)


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
    end = inputs.data_end(engine)
    balances = store_logs.read_balances(engine, scope, end=per.end, employee_id=eid) \
        if inputs.needs_balances(plan) else None
    released = inputs.releases(engine, scope, plan_book(engine), row, per, plan, end, balances=balances)
    return compute(plan, employee_id=eid, grade=row["grade"], period=per, name=row["name"], team=row["team"],
                   releases=released, **inputs.measured(plan, per, logs, targets, balances, end))


def run_period(engine: Engine, scope: Scope, period: str | Period, plan: Plan | None = None,
               team: str | None = None, line: str | None = None) -> PeriodRun:
    """Statements of every manager the caller may see (active, or with logs in the period)."""
    per = as_period(period)
    plan, src = resolve_plan(engine, per, plan)
    check_period(plan, per)
    roster = store_logs.read_roster(engine, scope, team=team, line=line)
    end = inputs.data_end(engine)
    book = plan_book(engine)
    span = inputs.release_span([plan, *(pl for _pid, pl in book.entries)])
    forfeits = inputs.read_forfeits(engine, scope) if span else None
    due = inputs.release_periods(book, plan, per, forfeits) if span else []   # any manager's, widest window
    closed, frozen, adjustments = frozenset(), {}, None
    if span:
        closed, frozen = inputs.read_frozen(engine, scope)
        adjustments = store_pay.read_adjustments(engine, scope)
        adjustments = adjustments[adjustments["paid_in"].notna()]
    due_open = [(p, pl) for p, pl in due if p.key not in closed]    # closed periods defer what they froze
    metrics = inputs.needed_metrics([plan, *(pl for _p, pl in due_open)])
    logs = pay_reads.period_flows(engine, scope, per.start, per.end, metrics, team=team, line=line)
    targets = store_logs.read_targets(engine, scope, months=list(per.months), team=team, line=line)
    with_logs = set(logs["employee_id"])
    roster = roster[roster["active"] | roster["employee_id"].isin(with_logs)]
    out, errors = [], []
    balances = None
    if due_open or inputs.needs_balances(plan):
        first = min([per.start, *(p.start for p, _pl in due_open)])
        since = cal.month_bounds(cal.add_months(cal.month_key(first), -15))[0]   # bases: ≤ 12 months + a quarter
        balances = pay_reads.balances_since(engine, scope, since, per.end, team=team, line=line)
    past_logs = past_t = None
    if due_open:
        first, last = due_open[0][0], due_open[-1][0]
        past_logs = pay_reads.period_flows(engine, scope, first.start, last.end, metrics, team=team, line=line)
        past_t = store_logs.read_targets(engine, scope, months=inputs.months_between(first.months[0],
                                                                                    last.months[-1]),
                                         team=team, line=line)
    flows = inputs.flows_by_employee(logs, metrics)
    past_flows = inputs.flows_by_employee(past_logs, metrics) if due_open else {}
    tgs = inputs.targets_by_employee(targets)
    past_tgs = inputs.targets_by_employee(past_t) if due_open else {}
    bals = avg.balances_by_employee(balances)
    fgroups = {"forfeits": _by_employee(forfeits), "adjustments": _by_employee(adjustments)}
    empty = {"forfeits": None if forfeits is None else forfeits.iloc[0:0],
             "adjustments": None if adjustments is None else adjustments.iloc[0:0]}

    def of(name: str, eid: str, like: pd.DataFrame | None) -> pd.DataFrame | None:
        return None if like is None else fgroups[name].get(eid, empty[name])

    plain = inputs.release_periods(book, plan, per, None) if span else []
    no_flows, no_targets, no_bal = inputs.Flows(), inputs.TargetRows(), avg.Balances([], [])
    for r in roster.itertuples(index=False):
        if not scope.can_see_manager(r.employee_id, r.team):
            continue
        eid, row = r.employee_id, r._asdict()
        bal = bals.get(eid, no_bal)
        try:
            quiet = not plain and eid not in fgroups["forfeits"] and eid not in fgroups["adjustments"]
            released = [] if not span or quiet else inputs.releases(
                engine, scope, book, row, per, plan, end, logs=past_flows.get(eid, no_flows),
                targets=past_tgs.get(eid, no_targets), balances=bal, forfeits=of("forfeits", eid, forfeits),
                frozen=inputs.Frozen(closed, frozen.get(str(eid), {})),
                adjustments=of("adjustments", eid, adjustments), plain=plain)
            out.append(compute(plan, employee_id=eid, grade=r.grade, period=per, name=r.name, team=r.team,
                               releases=released, **inputs.measured(plan, per, flows.get(eid, no_flows),
                                                                    tgs.get(eid, no_targets), bal, end)))
        except AppError as exc:
            errors.append(exc)
    return PeriodRun(per, plan, src, out, errors)


def _by_employee(df: pd.DataFrame | None) -> dict:
    return {} if df is None or df.empty else dict(tuple(df.groupby("employee_id")))


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
    rows: pd.DataFrame            # HISTORY_COLUMNS, one row per past period
    reserve_held: Decimal         # deferred, not yet released, not forfeited (as of the end of `upto`)
    reserve_released: Decimal     # released (paid) by the end of `upto`
    release_after_months: int | None     # the plan in force's first release (months), None: held
    reserve_forfeited: Decimal = ZERO    # taken by forfeits (追索扣回)
    release: ReserveRelease | None = None          # the plan in force's full schedule
    instalments: list = field(default_factory=list)   # every scheduled instalment (reserve.Instalment)
    forfeits: pd.DataFrame | None = None           # the manager's forfeits (id, month, amount, reason, by, at)

    def as_records(self) -> list[dict]:
        return self.rows.to_dict("records")


HISTORY_COLUMNS = ["period", "plan", "gross", "performance", "deductions", "deferred", "payable", "pay_band",
                   "released", "released_in_period", "forfeited"]


def _months_between(first: str, last: str) -> list[str]:
    return inputs.months_between(first, last)


def history(engine: Engine, scope: Scope, employee_id: str, upto: str | Period, months_back: int = 36) -> History:
    """The manager's statements for each settlement period up to `upto` (from his first logged month, at most
    `months_back` months — more when a release schedule is longer), and his risk-reserve balance. Periods
    without a plan in force are skipped.

    Every period's deferred amount is released by the schedule of the plan it was computed under
    (:mod:`core.commission.reserve`); the balance as of `upto`'s last month counts what is not yet due and not
    forfeited. Per row: ``released`` — every instalment of its deferral has been paid by then;
    ``released_in_period`` — the instalments (of earlier deferrals) paid in that period, which its payable
    includes; ``forfeited`` — what forfeits took from its deferral. The deferred difference of an adjustment
    (往期调整) paid in a closed period counts as deferred in that paying period, under its plan's schedule."""
    per = as_period(upto)
    row = _visible_manager(engine, scope, employee_id)
    eid = row["employee_id"]
    book = plan_book(engine)
    months_back = max(months_back, inputs.release_span(pl for _pid, pl in book.entries) + 3)
    first_month = cal.add_months(per.months[-1], -(months_back - 1))
    logs = store_logs.read_logs(engine, scope, start=cal.month_bounds(first_month)[0], end=per.end, employee_id=eid)
    start_month = per.months[0]
    if not logs.empty:
        start_month = min(start_month, cal.month_key(logs["date"].min()))
    months = _months_between(start_month, per.months[-1])
    targets = store_logs.read_targets(engine, scope, months=months, employee_id=eid)
    end = inputs.data_end(engine)
    periods = inputs.past_periods(book, months)
    balances = None
    if any(inputs.needs_balances(pl) for _p, pl in periods):
        balances = store_logs.read_balances(engine, scope, end=per.end, employee_id=eid)
    past = inputs.past_statements(row, periods, logs, targets, balances, end)
    forfeits = inputs.read_forfeits(engine, scope, eid)
    adjusted = inputs.adjustment_deferrals(store_pay.read_adjustments(engine, scope, employee_id=eid), book, per.end)
    adj_def = {d.period: d for d in adjusted}
    closed, mine = inputs.read_frozen(engine, scope, eid)
    frozen = inputs.Frozen(closed, mine.get(str(eid), {}))
    inst = inputs.instalments(inputs.deferrals(past, frozen, adjusted), forfeits)
    current_plan = book.plan_for(per.start)
    schedule = current_plan.reserve_release if current_plan else None
    last = month_index(per.months[-1])
    recs = []
    for p, pl, s in past:
        mine = [i for i in inst if i.period == p.key]
        paid_here = [i for i in inst if i.month in p.months and i.paid > 0]
        if mine:
            is_released = any(i.paid > 0 for i in mine) and all(month_index(i.month) <= last
                                                               for i in mine if i.paid > 0)
        else:       # nothing deferred: "released" once its schedule has run its course
            r = pl.reserve_release
            is_released = r is not None and month_index(p.months[-1]) + r.first_after_months + \
                r.every_months * (r.instalments - 1) <= last
        recs.append({"period": p.key, "plan": pl.name, "gross": s.gross, "performance": s.performance,
                     "deductions": s.deductions,
                     "deferred": frozen.deferred_of(p.key, s.deferred) + (adj_def[p.key].amount if p.key in adj_def
                                                                         else ZERO),
                     "payable": s.payable + sum((i.paid for i in paid_here), ZERO), "pay_band": s.pay_band,
                     "released": is_released, "released_in_period": sum((i.paid for i in paid_here), ZERO),
                     "forfeited": sum((i.forfeited for i in mine), ZERO)})
    bal = rsv.balance(inst, per.months[-1])
    return History(pd.DataFrame(recs, columns=HISTORY_COLUMNS), bal.held, bal.released,
                   schedule.first_after_months if schedule else None, bal.forfeited, schedule, inst, forfeits)


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
