"""What a statement is computed from, read for one period: quantities, targets, 日均 and reserve instalments.

The service (:mod:`core.commission.service`) reads the store with the caller's scope and hands the frames here;
these functions turn them into the keyword arguments of :func:`core.commission.compute.compute`:

* flows: the sum over the period of the manager's daily values, each day converted exactly
  (:func:`core.convert.dec`), with the non-zero days behind it;
* ``measure: avg_daily | avg_daily_increase`` items: the 日均 of ``deposit_balance`` (:mod:`.measure`), over the
  period's days up to the last date with any logged row in the database (:func:`data_end`);
* targets: the sum of the monthly targets of the period's months (no row in any month: no target); under an
  attainment multiplier every metric with a target counts, its actual being the period sum (the 日均 for
  ``deposit_balance``);
* reserve instalments paid in the period: every earlier period's deferred amount under the plan in force then,
  released by its plan's schedule, net of forfeits (:mod:`.reserve`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission import measure as avg
from core.commission import reserve
from core.commission.book import PlanBook
from core.commission.compute import Statement, compute
from core.commission.periods import Period, month_index, period_for
from core.commission.plan import AVG_MEASURES, Plan
from core.convert import ZERO, dec
from core.errors import AppError
from core.scope import Scope, internal
from core.store import logs as store_logs
from core.store import reserve as store_reserve


def data_end(engine: Engine) -> dt.date | None:
    """The last date that has any logged row in the database (not only the caller's): where 日均 periods stop."""
    _first, last = store_logs.log_date_range(engine, internal("commission"))
    return None if last is None else pd.Timestamp(last).date()


def quantities(logs: pd.DataFrame, metrics: Iterable[str]) -> tuple[dict, dict]:
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


def targets_for(targets: pd.DataFrame, months: Iterable[str], metrics: Iterable[str]) -> dict:
    out = {}
    months = set(months)
    sub = targets[targets["month"].isin(months)] if not targets.empty else targets
    for m in metrics:
        rows = sub[sub["metric"] == m] if not sub.empty else sub
        out[m] = None if rows.empty else sum((dec(v) for v in rows["value"]), ZERO)
    return out


def measured(plan: Plan, per: Period, logs: pd.DataFrame, targets: pd.DataFrame,
             balances: pd.DataFrame | None = None, end: dt.date | None = None) -> dict:
    """compute()'s quantities, days, targets, actuals and avg for one manager: `logs` are his rows in the period,
    `targets` his target rows, `balances` his logged balances up to the period's end (any earlier date)."""
    metrics = list(plan.metrics)
    if plan.attainment_multiplier is not None and not targets.empty:
        sub = targets[targets["month"].isin(per.months)]
        metrics += [m for m in dict.fromkeys(sub["metric"]) if m not in metrics]
    flows = [m for m in metrics if m != avg.METRIC]
    q, days = quantities(logs, flows)
    tg = targets_for(targets, per.months, metrics)
    actuals = {m: q[m] for m in flows}
    balances = balances if balances is not None else logs.iloc[0:0][["employee_id", "date", avg.METRIC]]
    avgs = {}
    for item in plan.items:
        if item.measure in AVG_MEASURES:
            a = avg.measure(item.measure, item.base, per, balances, end)
            avgs[item.metric], q[item.metric], days[item.metric] = a, a.quantity, a.days
    if avg.METRIC in metrics:
        actuals[avg.METRIC] = avgs[avg.METRIC].current if avg.METRIC in avgs else avg.avg_daily(balances, per, end)[0]
        q.setdefault(avg.METRIC, actuals[avg.METRIC])
    return {"quantities": q, "days": days, "targets": tg, "actuals": actuals, "avg": avgs}


def needs_balances(plan: Plan) -> bool:
    return any(i.measure in AVG_MEASURES for i in plan.items) or plan.attainment_multiplier is not None


# ---------------------------------------------------------------- past periods and the reserve

def release_span(plans: Iterable[Plan]) -> int:
    """The most months an amount may wait for its last instalment under any of `plans` (0: none releases)."""
    span = 0
    for p in plans:
        r = p.reserve_release
        if r is not None and any(i.deferred_share > 0 for i in p.items):
            span = max(span, r.first_after_months + r.every_months * (r.instalments - 1))
    return span


def _defers(plan: Plan) -> bool:
    return any(i.deferred_share > 0 for i in plan.items)


def _due_in(p: Period, plan: Plan, per: Period) -> bool:
    """Whether an amount deferred in `p` under `plan` has an instalment due in `per`."""
    r = plan.reserve_release
    if r is None:
        return False
    due = {cal.add_months(p.months[-1], r.first_after_months + k * r.every_months) for k in range(r.instalments)}
    return bool(due & set(per.months))


def months_between(first: str, last: str) -> list[str]:
    months, m = [], first
    while month_index(m) <= month_index(last):
        months.append(m)
        m = cal.add_months(m, 1)
    return months


def past_periods(book: PlanBook, months: list[str]) -> list[tuple[Period, Plan]]:
    """The settlement periods covering `months` (in order), each with the plan in force for it; months without
    a plan, and periods whose plan settles differently, are skipped."""
    out, seen = [], set()
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
        out.append((p, pl))
    return out


def past_statements(row: dict, periods: list[tuple[Period, Plan]], logs: pd.DataFrame, targets: pd.DataFrame,
                    balances: pd.DataFrame, end: dt.date | None) -> list[tuple[Period, Plan, Statement]]:
    """One manager's statement for each of `periods` (no releases: a deferral does not depend on them);
    periods that cannot be computed (grade not in that plan) are skipped."""
    out = []
    for p, pl in periods:
        sub = logs[(logs["date"] >= pd.Timestamp(p.start)) & (logs["date"] <= pd.Timestamp(p.end))] \
            if not logs.empty else logs
        try:
            s = compute(pl, employee_id=row["employee_id"], grade=row["grade"], period=p, name=row["name"],
                        team=row["team"], **measured(pl, p, sub, targets, balances, end))
        except AppError:
            continue
        out.append((p, pl, s))
    return out


def instalments(past: list[tuple[Period, Plan, Statement]], forfeits: pd.DataFrame) -> list[reserve.Instalment]:
    """Every instalment of the deferrals in `past`, after the manager's forfeits (month, amount; oldest first)."""
    deferrals = [reserve.Deferral(p.key, p.months[-1], s.deferred, pl.reserve_release) for p, pl, s in past]
    inst = reserve.schedule(deferrals)
    fs = [] if forfeits is None or forfeits.empty else list(zip(forfeits["month"], forfeits["amount"]))
    return reserve.apply_forfeits(inst, fs)[0]


def window_start(per: Period, span: int, forfeits: pd.DataFrame | None) -> str:
    """The first month whose deferrals can be released in `per` (or be reached by one of its forfeits)."""
    first = per.months[0]
    if forfeits is not None and not forfeits.empty:
        first = min([first, *forfeits["month"]], key=month_index)
    return cal.add_months(first, -(span + 2))


def release_periods(book: PlanBook, plan: Plan, per: Period,
                    forfeits: pd.DataFrame | None) -> list[tuple[Period, Plan]]:
    """The earlier periods whose deferrals must be computed to know what `per` releases: with no forfeit to
    allocate, those with an instalment due in `per`; with forfeits, every deferring period they may reach."""
    span = release_span([plan, *(pl for _pid, pl in book.entries)])
    if span == 0:
        return []
    start = window_start(per, span, forfeits)
    before = cal.add_months(per.months[0], -1)
    if month_index(before) < month_index(start):
        return []
    periods = [(p, pl) for p, pl in past_periods(book, months_between(start, before))
               if p.end < per.start and _defers(pl)]
    if forfeits is None or forfeits.empty:
        periods = [(p, pl) for p, pl in periods if _due_in(p, pl, per)]
    return periods


def read_forfeits(engine: Engine, scope: Scope, employee_id: str | None = None) -> pd.DataFrame:
    return store_reserve.read_forfeits(engine, scope, employee_id=employee_id)


def releases(engine: Engine, scope: Scope, book: PlanBook, row: dict, per: Period, plan: Plan,
             end: dt.date | None, logs: pd.DataFrame | None = None, targets: pd.DataFrame | None = None,
             balances: pd.DataFrame | None = None, forfeits: pd.DataFrame | None = None) -> list[reserve.Instalment]:
    """The reserve instalments paid to one manager in `per` (frames read here when not given; `logs` and
    `targets` must cover the periods of :func:`release_periods`, `balances` every date before `per`)."""
    if release_span([plan, *(pl for _pid, pl in book.entries)]) == 0:
        return []
    eid = row["employee_id"]
    if forfeits is None:
        forfeits = read_forfeits(engine, scope, eid)
    periods = release_periods(book, plan, per, forfeits)
    if not periods:
        return []
    first, last = periods[0][0], periods[-1][0]
    if logs is None:
        logs = store_logs.read_logs(engine, scope, start=first.start, end=last.end, employee_id=eid)
    if targets is None:
        targets = store_logs.read_targets(engine, scope, months=months_between(first.months[0], last.months[-1]),
                                          employee_id=eid)
    if balances is None:
        balances = store_logs.read_balances(engine, scope, end=last.end, employee_id=eid)
    past = past_statements(row, periods, logs, targets, balances, end)
    return reserve.released_in(instalments(past, forfeits), per)


__all__ = ["data_end", "quantities", "targets_for", "measured", "needs_balances", "release_span",
           "months_between", "past_periods", "past_statements", "instalments", "window_start", "release_periods",
           "read_forfeits", "releases"]
