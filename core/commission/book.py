"""Which plan is in force, and plan versions as the domain sees them (parsed and validated).

The plan in force on a day is the activated plan with the greatest ``effective_from`` on or before that day.
While no plan has ever been activated, the example plan ``sample_data/plan_2026.yaml`` is used
(``source == "sample"``) so the demo works. The store (:mod:`core.store.plans`) keeps only the YAML text and
its metadata; parsing and choosing happen here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission.periods import Period, period_for
from core.commission.plan import Plan
from core.commission.plan_yaml import parse_plan, sample_plan
from core.errors import AppError
from core.scope import Scope
from core.store import plans as store_plans

LIST_COLUMNS = ["id", "name", "effective_from", "settlement", "active", "uploaded_by", "uploaded_at",
                "activated_by", "activated_at"]


@dataclass(frozen=True)
class PlanInForce:
    plan: Plan
    plan_id: int | None      # None for the sample plan
    source: str              # "db" | "sample" | "file"


class PlanBook:
    """Activated plans (or the sample plan) loaded once, for choosing a plan for many periods."""

    def __init__(self, entries: list[tuple[int | None, Plan]], source: str):
        self.entries = sorted(entries, key=lambda e: (e[1].effective_from, e[0] or 0))
        self.source = source

    def entry_for(self, day: dt.date) -> tuple[int | None, Plan] | None:
        found = None
        for pid, plan in self.entries:
            if plan.effective_from <= day:
                found = (pid, plan)
        return found

    def plan_for(self, day: dt.date) -> Plan | None:
        e = self.entry_for(day)
        return e[1] if e else None


def plan_book(engine: Engine, fallback: bool = True) -> PlanBook:
    rows = store_plans.active_plan_rows(engine)
    if rows:
        return PlanBook([(pid, parse_plan(body)) for pid, body in rows], "db")
    if fallback:
        return PlanBook([(None, sample_plan())], "sample")
    return PlanBook([], "db")


def plan_in_force(engine: Engine, day: dt.date, fallback: bool = True, required: bool = True) -> PlanInForce | None:
    """The activated plan with the greatest effective_from ≤ `day` (the sample plan while none is activated).

    Raises AppError ``commission.err.no_plan`` when no plan covers the day (unless required=False: then None)."""
    book = plan_book(engine, fallback=fallback)
    e = book.entry_for(day)
    if e is None:
        if required:
            raise AppError("commission.err.no_plan", day=day.isoformat())
        return None
    return PlanInForce(plan=e[1], plan_id=e[0], source=book.source)


def period_in_force(engine: Engine, month: str) -> tuple[PlanInForce, Period]:
    """The settlement period that contains `month` and the plan governing it: under a quarterly plan, the plan
    in force at the quarter's first day (which may settle differently, so the period is chosen again)."""
    month_start = cal.month_bounds(month)[0]
    pif = plan_in_force(engine, month_start)
    period = period_for(month, pif.plan.settlement)
    if period.start != month_start:
        pif = plan_in_force(engine, period.start)
        period = period_for(month, pif.plan.settlement)
    return pif, period


def resolve_plan(engine: Engine, period: Period, plan: Plan | None = None) -> tuple[Plan, str]:
    """`plan` when given (source "file"), else the plan in force at the period's start."""
    if plan is not None:
        return plan, "file"
    pif = plan_in_force(engine, period.start)
    return pif.plan, pif.source


# ---------------------------------------------------------------- versions

def list_plans(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Every stored plan version, newest effective date first (LIST_COLUMNS; settlement None if unreadable)."""
    rows = store_plans.plan_rows(engine)
    recs = []
    for r in rows.to_dict("records"):
        try:
            settlement = parse_plan(r["body"]).settlement
        except AppError:
            settlement = None
        recs.append({**{k: r[k] for k in LIST_COLUMNS if k in r}, "settlement": settlement})
    return pd.DataFrame(recs, columns=LIST_COLUMNS)


def get_plan(engine: Engine, plan_id: int) -> Plan:
    return parse_plan(store_plans.plan_body(engine, plan_id))


def upload_plan(engine: Engine, scope: Scope, body: str | bytes, activate: bool = False) -> int:
    """Validate and store a new plan version (inactive unless `activate`). Returns its id.

    Raises AppError ``commission.plan.invalid`` (with line numbers) for an invalid plan and ScopeError for
    anyone but a director."""
    plan = parse_plan(body)
    return store_plans.insert_plan(engine, scope, name=plan.name, effective_from=plan.effective_from,
                                   settlement=plan.settlement, body=plan.source, activate=activate)


__all__ = ["LIST_COLUMNS", "PlanInForce", "PlanBook", "plan_book", "plan_in_force", "period_in_force",
           "resolve_plan", "list_plans", "get_plan", "upload_plan"]
