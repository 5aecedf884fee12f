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
from core.commission import reserve as rsv
from core.commission.book import PlanInForce, period_in_force, plan_book, resolve_plan
from core.commission.compute import Statement, compute
from core.commission.periods import Period, as_period, check_period, month_index
from core.commission.plan import Plan, ReserveRelease
from core.convert import ZERO, dec, money
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs
from core.store import pay as store_pay


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
    logs = store_logs.read_logs(engine, scope, start=per.start, end=per.end, team=team, line=line)
    targets = store_logs.read_targets(engine, scope, months=list(per.months), team=team, line=line)
    with_logs = set(logs["employee_id"])
    roster = roster[roster["active"] | roster["employee_id"].isin(with_logs)]
    out, errors = [], []
    end = inputs.data_end(engine)
    book = plan_book(engine)
    span = inputs.release_span([plan, *(pl for _pid, pl in book.entries)])
    forfeits = inputs.read_forfeits(engine, scope) if span else None
    due = inputs.release_periods(book, plan, per, forfeits) if span else []   # any manager's, widest window
    span = span if due else 0
    balances = None
    if span or inputs.needs_balances(plan):
        balances = store_logs.read_balances(engine, scope, end=per.end, team=team, line=line)
    past_logs = past_t = None
    if span:
        first, last = due[0][0], due[-1][0]
        past_logs = store_logs.read_logs(engine, scope, start=first.start, end=last.end, team=team, line=line)
        past_t = store_logs.read_targets(engine, scope, months=inputs.months_between(first.months[0],
                                                                                    last.months[-1]),
                                         team=team, line=line)
    groups = {name: _by_employee(df) for name, df in (("logs", logs), ("targets", targets), ("balances", balances),
                                                      ("past_logs", past_logs), ("past_t", past_t),
                                                      ("forfeits", forfeits))}

    def of(name: str, eid: str, like: pd.DataFrame | None) -> pd.DataFrame | None:
        return None if like is None else groups[name].get(eid, like.iloc[0:0])

    for r in roster.itertuples(index=False):
        if not scope.can_see_manager(r.employee_id, r.team):
            continue
        eid, row = r.employee_id, r._asdict()
        bal = of("balances", eid, balances)
        try:
            released = [] if not span else inputs.releases(
                engine, scope, book, row, per, plan, end, logs=of("past_logs", eid, past_logs),
                targets=of("past_t", eid, past_t), balances=bal, forfeits=of("forfeits", eid, forfeits))
            out.append(compute(plan, employee_id=eid, grade=r.grade, period=per, name=r.name, team=r.team,
                               releases=released, **inputs.measured(plan, per, of("logs", eid, logs),
                                                                    of("targets", eid, targets), bal, end)))
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
    adj_def = _adjustment_deferrals(engine, scope, eid, book, per)
    frozen = {x["period"]: dec(x["deferred"]) for x in store_pay.read_snapshots(engine, scope, employee_id=eid)}
    deferrals = [rsv.Deferral(p.key, p.months[-1], frozen.get(p.key, s.deferred), pl.reserve_release)
                 for p, pl, s in past]      # a closed period defers what was frozen; the difference: adj_def
    fs = [] if forfeits is None or forfeits.empty else list(zip(forfeits["month"], forfeits["amount"]))
    inst = rsv.apply_forfeits(rsv.schedule([*deferrals, *adj_def.values()]), fs)[0]
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
                     "deferred": frozen.get(p.key, s.deferred) + (adj_def[p.key].amount if p.key in adj_def
                                                                 else ZERO),
                     "payable": s.payable + sum((i.paid for i in paid_here), ZERO), "pay_band": s.pay_band,
                     "released": is_released, "released_in_period": sum((i.paid for i in paid_here), ZERO),
                     "forfeited": sum((i.forfeited for i in mine), ZERO)})
    bal = rsv.balance(inst, per.months[-1])
    return History(pd.DataFrame(recs, columns=HISTORY_COLUMNS), bal.held, bal.released,
                   schedule.first_after_months if schedule else None, bal.forfeited, schedule, inst, forfeits)


def _adjustment_deferrals(engine: Engine, scope: Scope, employee_id: str, book, upto: Period) -> dict:
    """Paying period key → the deferred differences of the adjustments paid (frozen) in it, up to `upto`, as one
    :class:`~core.commission.reserve.Deferral` under the schedule of the plan in force in the paying period: a
    late change to a closed period's deferred amount is held as if deferred in the period that pays it."""
    df = store_pay.read_adjustments(engine, scope, employee_id=employee_id)
    sums: dict[str, Decimal] = {}
    for r in df.to_dict("records"):
        paid_in = r["paid_in"]
        if not isinstance(paid_in, str) or dec(r["deferred"]) == 0:
            continue
        if as_period(paid_in).end > upto.end:
            continue
        sums[paid_in] = sums.get(paid_in, ZERO) + dec(r["deferred"])
    out = {}
    for key, amount in sums.items():
        p = as_period(key)
        plan = book.plan_for(p.start)
        out[key] = rsv.Deferral(key, p.months[-1], money(amount), plan.reserve_release if plan else None)
    return out


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
