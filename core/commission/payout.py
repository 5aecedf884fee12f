"""What the branch pays: per-manager and per-team payout summaries with pay bands, and the dry run comparing a
new plan with the plan in force (team leads and directors)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission.book import plan_in_force
from core.commission.compute import Statement
from core.commission.periods import Period, period_for, quarter_of
from core.commission.plan import Plan, pay_band_names
from core.commission.service import PeriodRun, run_period
from core.convert import ZERO, money
from core.scope import Scope

SUMMARY_COLUMNS = ["employee_id", "name", "team", "grade", "gross", "performance", "deferred", "payable", "pay_band"]
COMPARE_COLUMNS = ["employee_id", "name", "team", "grade", "old_payable", "new_payable", "delta", "old_performance",
                   "new_performance"]


def summary_frame(stmts: list[Statement]) -> pd.DataFrame:
    """One row per statement (money as float yuan for charts and tables)."""
    return pd.DataFrame([{"employee_id": s.employee_id, "name": s.name, "team": s.team, "grade": s.grade,
                          "gross": float(s.gross), "performance": float(s.performance),
                          "deferred": float(s.deferred), "payable": float(s.payable), "pay_band": s.pay_band}
                         for s in stmts], columns=SUMMARY_COLUMNS)


def team_summary(stmts: list[Statement], plan: Plan) -> pd.DataFrame:
    """Per team: managers, total and mean payable, performance, reserve, and how many fall in each pay band.

    Money columns are Decimal (exact sums); the last row is the total over all teams."""
    bands = pay_band_names(plan)
    groups: dict[str, list[Statement]] = {}
    for s in stmts:
        groups.setdefault(s.team, []).append(s)

    def row(team, ss):
        n = len(ss)
        pay = sum((s.payable for s in ss), ZERO)
        perf = sum((s.performance for s in ss), ZERO)
        r = {"team": team, "managers": n, "payable": money(pay), "performance": money(perf),
             "deferred": money(sum((s.deferred for s in ss), ZERO)),
             "mean_payable": money(pay / n) if n else money(0),
             "median_performance": money(pd.Series([s.performance for s in ss]).median()) if n else money(0)}
        for b in bands:
            r[b] = sum(1 for s in ss if s.pay_band == b)
        return r

    recs = [row(team, groups[team]) for team in sorted(groups)]
    if len(groups) > 1:
        recs.append(row(None, stmts))
    cols = ["team", "managers", "payable", "performance", "deferred", "mean_payable", "median_performance", *bands]
    return pd.DataFrame(recs, columns=cols)


@dataclass
class PayoutSummary:
    """The payout-summary tab: the period's run, the per-team table (last row: total) and one row per manager."""
    run: PeriodRun
    teams: pd.DataFrame
    managers: pd.DataFrame
    bands: list[str]


def payout_summary(engine: Engine, scope: Scope, period: str | Period, team: str | None = None,
                   line: str | None = None) -> PayoutSummary:
    run = run_period(engine, scope, period, team=team, line=line)
    return PayoutSummary(run, team_summary(run.statements, run.plan), summary_frame(run.statements),
                         pay_band_names(run.plan))


# ---------------------------------------------------------------- plan comparison (dry run)

def _payable_over(engine: Engine, scope: Scope, plan: Plan | None, months: list[str], team=None):
    """{employee_id: [name, team, grade, payable, performance]} summed over the plan's periods covering
    `months` (the plan in force for each month when `plan` is None); plus the errors."""
    out: dict[str, list] = {}
    errors, keys = [], []
    for m in months:
        if plan is None:
            pif = plan_in_force(engine, cal.month_bounds(m)[0], fallback=True, required=False)
            if pif is None:
                continue
            pl = pif.plan
        else:
            pl = plan
        p = period_for(m, pl.settlement)
        if p.key in keys:
            continue
        keys.append(p.key)
        run = run_period(engine, scope, p, pl, team=team)
        errors.extend(run.errors)
        for s in run.statements:
            acc = out.setdefault(s.employee_id, [s.name, s.team, s.grade, ZERO, ZERO])
            acc[3] += s.payable
            acc[4] += s.performance
    return out, errors


def compare_plans(engine: Engine, scope: Scope, new_plan: Plan, month: str, team: str | None = None):
    """Dry run: every visible manager's pay under the plan in force and under `new_plan`, side by side.

    The span compared is the month, or its quarter when either plan settles quarterly (a monthly plan is then
    summed over the quarter's three months). Returns (DataFrame, errors, span) where the frame has
    COMPARE_COLUMNS (money as Decimal) and errors lists the managers that cannot be computed under either plan.
    """
    month = cal.month_key(month)
    old_pif = plan_in_force(engine, cal.month_bounds(month)[0], required=False)
    old_plan = old_pif.plan if old_pif else None
    quarterly = new_plan.settlement == "quarterly" or (old_plan is not None and old_plan.settlement == "quarterly")
    months = cal.quarter_months(quarter_of(month)) if quarterly else [month]
    old, old_err = _payable_over(engine, scope, None, months, team) if old_plan else ({}, [])
    new, new_err = _payable_over(engine, scope, new_plan, months, team)
    recs = []
    for eid in sorted(set(old) | set(new)):
        info = new.get(eid) or old.get(eid)
        o, n = old.get(eid), new.get(eid)
        recs.append({"employee_id": eid, "name": info[0], "team": info[1], "grade": info[2],
                     "old_payable": money(o[3]) if o else None, "new_payable": money(n[3]) if n else None,
                     "delta": money(n[3] - o[3]) if (o and n) else None,
                     "old_performance": money(o[4]) if o else None, "new_performance": money(n[4]) if n else None})
    span = quarter_of(month) if quarterly else month
    return pd.DataFrame(recs, columns=COMPARE_COLUMNS), old_err + new_err, span


@dataclass
class DryRun:
    """The settings page's dry run: the comparison, its totals over managers known under both plans, and
    how many are paid more / less."""
    frame: pd.DataFrame
    errors: list
    span: str
    old_total: Decimal
    new_total: Decimal
    up: int
    down: int

    @property
    def delta(self) -> Decimal:
        return money(self.new_total - self.old_total)


def dry_run(engine: Engine, scope: Scope, new_plan: Plan, month: str) -> DryRun:
    frame, errors, span = compare_plans(engine, scope, new_plan, month)
    known = frame.dropna(subset=["old_payable", "new_payable"])
    up = int(sum(1 for d in frame["delta"] if d is not None and d > 0))
    down = int(sum(1 for d in frame["delta"] if d is not None and d < 0))
    return DryRun(frame, errors, span, sum(known["old_payable"], ZERO), sum(known["new_payable"], ZERO), up, down)


__all__ = ["summary_frame", "team_summary", "PayoutSummary", "payout_summary", "compare_plans", "DryRun", "dry_run"]
