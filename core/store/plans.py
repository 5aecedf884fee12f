"""Commission plan versions (绩效计价办法): the stored YAML text and its metadata rows. SQL only.

Every upload is stored as a new, inactive version with the YAML exactly as uploaded; the domain
(:mod:`core.commission.book`) validates it first and passes its name, effective date and settlement. A director
activates a version; activating one deactivates any other active version with the same ``effective_from``
(it replaces it). Which plan is in force for a period, and the sample-plan fallback, are decided in
:mod:`core.commission.book` from :func:`active_plan_rows`.

Reads are open to every signed-in role (a plan is the bank's published rule, not personal data); writes are
director-only and audited (``plan_upload``, ``plan_activate``, ``plan_deactivate``).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record

ROW_COLUMNS = ["id", "name", "effective_from", "active", "uploaded_by", "uploaded_at", "activated_by",
               "activated_at", "body"]


def _require_director(scope: Scope) -> None:
    if not scope.may_configure:
        raise ScopeError("commission.err.director_only")


def _not_found(plan_id) -> AppError:
    return AppError("commission.err.plan_not_found", plan_id=plan_id)


def active_plan_rows(engine: Engine) -> list[tuple[int, str]]:
    """(id, YAML body) of every activated version, by effective date then id."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.plans.c.id, t.plans.c.body).where(t.plans.c.active.is_(True))
                            .order_by(t.plans.c.effective_from, t.plans.c.id)).all()
    return [(int(r[0]), r[1]) for r in rows]


def plan_rows(engine: Engine) -> pd.DataFrame:
    """Every stored version (ROW_COLUMNS, with the YAML body), newest effective date first."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.plans).order_by(t.plans.c.effective_from.desc(), t.plans.c.id.desc())
                            ).mappings().all()
    recs = [{**{k: r[k] for k in ROW_COLUMNS}, "active": bool(r["active"])} for r in rows]
    return pd.DataFrame(recs, columns=ROW_COLUMNS)


def plan_body(engine: Engine, plan_id: int) -> str:
    """The YAML of a stored version, exactly as uploaded."""
    with engine.connect() as conn:
        body = conn.execute(select(t.plans.c.body).where(t.plans.c.id == int(plan_id))).scalar()
    if body is None:
        raise _not_found(plan_id)
    return body


def insert_plan(engine: Engine, scope: Scope, *, name: str, effective_from: dt.date, settlement: str, body: str,
                activate: bool = False) -> int:
    """Store a validated plan's YAML as a new version (inactive unless `activate`). Returns its id."""
    _require_director(scope)
    name = name[:200]
    with write_begin(engine) as conn:
        res = conn.execute(insert(t.plans).values(
            name=name, effective_from=effective_from, body=body, active=False,
            uploaded_by=scope.username, uploaded_at=now()))
        plan_id = int(res.inserted_primary_key[0])
        record(conn, scope.username, "plan_upload", name,
               {"plan_id": plan_id, "effective_from": effective_from.isoformat(), "settlement": settlement,
                "chars": len(body)})
        if activate:
            _activate(conn, scope, plan_id, name, effective_from)
    return plan_id


def _activate(conn, scope: Scope, plan_id: int, name: str, effective_from: dt.date) -> list[int]:
    replaced = [int(r[0]) for r in conn.execute(
        select(t.plans.c.id).where(t.plans.c.active.is_(True), t.plans.c.effective_from == effective_from,
                                   t.plans.c.id != plan_id))]
    if replaced:
        conn.execute(update(t.plans).where(t.plans.c.id.in_(replaced)).values(active=False))
    conn.execute(update(t.plans).where(t.plans.c.id == plan_id).values(
        active=True, activated_by=scope.username, activated_at=now()))
    record(conn, scope.username, "plan_activate", name,
           {"plan_id": plan_id, "effective_from": effective_from.isoformat(), "replaced": replaced})
    return replaced


def activate_plan(engine: Engine, scope: Scope, plan_id: int) -> list[int]:
    """Activate a stored version; returns the ids of versions it replaced (same effective_from)."""
    _require_director(scope)
    with write_begin(engine) as conn:
        row = conn.execute(select(t.plans.c.name, t.plans.c.effective_from)
                           .where(t.plans.c.id == int(plan_id))).first()
        if row is None:
            raise _not_found(plan_id)
        return _activate(conn, scope, int(plan_id), row[0], row[1])


def deactivate_plan(engine: Engine, scope: Scope, plan_id: int) -> None:
    """Withdraw an activated version (the previous plan is in force again from its date)."""
    _require_director(scope)
    with write_begin(engine) as conn:
        row = conn.execute(select(t.plans.c.name, t.plans.c.active).where(t.plans.c.id == int(plan_id))).first()
        if row is None:
            raise _not_found(plan_id)
        conn.execute(update(t.plans).where(t.plans.c.id == int(plan_id)).values(active=False))
        record(conn, scope.username, "plan_deactivate", row[0], {"plan_id": int(plan_id)})


__all__ = ["ROW_COLUMNS", "active_plan_rows", "plan_rows", "plan_body", "insert_plan", "activate_plan",
           "deactivate_plan"]
