"""Commission plans (绩效计价办法): upload (versioned), list, activate, and the plan in force for a period.

Every upload is stored as a new, inactive version with the YAML exactly as uploaded (validated first with
:func:`core.commission.parse_plan`). A director activates a version; activating one deactivates any other
active version with the same ``effective_from`` (it replaces it). The plan in force on a day is the activated
plan with the greatest ``effective_from`` on or before that day. While no plan has ever been activated, the
example plan ``sample_data/plan_2026.yaml`` is used (``source == "sample"``) so the demo works.

Reads are open to every signed-in role (a plan is the bank's published rule, not personal data); writes are
director-only and audited (``plan_upload``, ``plan_activate``, ``plan_deactivate``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from core.commission import CommissionError, Plan, parse_plan, sample_plan
from core.scope import Scope, ScopeError
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record

LIST_COLUMNS = ["id", "name", "effective_from", "settlement", "active", "uploaded_by", "uploaded_at",
                "activated_by", "activated_at"]


@dataclass(frozen=True)
class PlanInForce:
    plan: Plan
    plan_id: int | None      # None for the sample plan
    source: str              # "db" | "sample"


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


def _require_director(scope: Scope) -> None:
    if not scope.is_director:
        raise ScopeError(CommissionError("commission.err.director_only").message("en"))


def _active_rows(conn) -> list:
    return conn.execute(select(t.plans.c.id, t.plans.c.body).where(t.plans.c.active.is_(True))
                        .order_by(t.plans.c.effective_from, t.plans.c.id)).all()


def plan_book(engine: Engine, fallback: bool = True) -> PlanBook:
    with engine.connect() as conn:
        rows = _active_rows(conn)
    if rows:
        return PlanBook([(int(r[0]), parse_plan(r[1])) for r in rows], "db")
    if fallback:
        return PlanBook([(None, sample_plan())], "sample")
    return PlanBook([], "db")


def plan_in_force(engine: Engine, day: dt.date, fallback: bool = True, required: bool = True) -> PlanInForce | None:
    """The activated plan with the greatest effective_from ≤ `day` (the sample plan while none is activated).

    Raises CommissionError ``commission.err.no_plan`` when no plan covers the day (unless required=False:
    then None)."""
    book = plan_book(engine, fallback=fallback)
    e = book.entry_for(day)
    if e is None:
        if required:
            raise CommissionError("commission.err.no_plan", day=day.isoformat())
        return None
    return PlanInForce(plan=e[1], plan_id=e[0], source=book.source)


def list_plans(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Every stored plan version, newest effective date first (LIST_COLUMNS)."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.plans).order_by(t.plans.c.effective_from.desc(), t.plans.c.id.desc())
                            ).mappings().all()
    recs = []
    for r in rows:
        try:
            settlement = parse_plan(r["body"]).settlement
        except ValueError:
            settlement = None
        recs.append({**{k: r[k] for k in LIST_COLUMNS if k in r}, "settlement": settlement,
                     "active": bool(r["active"])})
    return pd.DataFrame(recs, columns=LIST_COLUMNS)


def get_plan(engine: Engine, plan_id: int) -> Plan:
    with engine.connect() as conn:
        body = conn.execute(select(t.plans.c.body).where(t.plans.c.id == int(plan_id))).scalar()
    if body is None:
        raise CommissionError("commission.err.plan_not_found", plan_id=plan_id)
    return parse_plan(body)


def upload_plan(engine: Engine, scope: Scope, body: str | bytes, activate: bool = False) -> int:
    """Validate and store a new plan version (inactive unless `activate`). Returns its id.

    Raises PlanError (with line numbers) for an invalid plan and ScopeError for anyone but a director."""
    _require_director(scope)
    if isinstance(body, bytes):
        plan = parse_plan(body)
        body = plan.source
    else:
        plan = parse_plan(body)
    with write_begin(engine) as conn:
        res = conn.execute(insert(t.plans).values(
            name=plan.name[:200], effective_from=plan.effective_from, body=body, active=False,
            uploaded_by=scope.username, uploaded_at=now()))
        plan_id = int(res.inserted_primary_key[0])
        record(conn, scope.username, "plan_upload", plan.name[:200],
               {"plan_id": plan_id, "effective_from": plan.effective_from.isoformat(),
                "settlement": plan.settlement, "chars": len(body)})
        if activate:
            _activate(conn, scope, plan_id, plan)
    return plan_id


def _activate(conn, scope: Scope, plan_id: int, plan: Plan) -> list[int]:
    replaced = [int(r[0]) for r in conn.execute(
        select(t.plans.c.id).where(t.plans.c.active.is_(True), t.plans.c.effective_from == plan.effective_from,
                                   t.plans.c.id != plan_id))]
    if replaced:
        conn.execute(update(t.plans).where(t.plans.c.id.in_(replaced)).values(active=False))
    conn.execute(update(t.plans).where(t.plans.c.id == plan_id).values(
        active=True, activated_by=scope.username, activated_at=now()))
    record(conn, scope.username, "plan_activate", plan.name[:200],
           {"plan_id": plan_id, "effective_from": plan.effective_from.isoformat(), "replaced": replaced})
    return replaced


def activate_plan(engine: Engine, scope: Scope, plan_id: int) -> list[int]:
    """Activate a stored version; returns the ids of versions it replaced (same effective_from)."""
    _require_director(scope)
    with write_begin(engine) as conn:
        body = conn.execute(select(t.plans.c.body).where(t.plans.c.id == int(plan_id))).scalar()
        if body is None:
            raise CommissionError("commission.err.plan_not_found", plan_id=plan_id)
        return _activate(conn, scope, int(plan_id), parse_plan(body))


def deactivate_plan(engine: Engine, scope: Scope, plan_id: int) -> None:
    """Withdraw an activated version (the previous plan is in force again from its date)."""
    _require_director(scope)
    with write_begin(engine) as conn:
        row = conn.execute(select(t.plans.c.name, t.plans.c.active).where(t.plans.c.id == int(plan_id))).first()
        if row is None:
            raise CommissionError("commission.err.plan_not_found", plan_id=plan_id)
        conn.execute(update(t.plans).where(t.plans.c.id == int(plan_id)).values(active=False))
        record(conn, scope.username, "plan_deactivate", row[0], {"plan_id": int(plan_id)})


def plan_body(engine: Engine, plan_id: int) -> str:
    with engine.connect() as conn:
        body = conn.execute(select(t.plans.c.body).where(t.plans.c.id == int(plan_id))).scalar()
    if body is None:
        raise CommissionError("commission.err.plan_not_found", plan_id=plan_id)
    return body


__all__ = ["PlanInForce", "PlanBook", "plan_book", "plan_in_force", "list_plans", "get_plan", "plan_body",
           "upload_plan", "activate_plan", "deactivate_plan", "LIST_COLUMNS"]
