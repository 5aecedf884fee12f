"""The pay lifecycle's rows (issue 11): period states, frozen statements, adjustments, questions, acknowledgements.

SQL only; the domain (:mod:`core.commission.lifecycle` and its siblings) decides what to freeze, what an
adjustment is worth and who may do what beyond the checks here. Every write is one transaction and audited
(``period_close``, ``period_reopen``, ``period_review``, ``adjustment_manual``, ``inquiry_raise``,
``inquiry_resolve``, ``ack_statement``, ``ack_plan``).

Reads take the caller's :class:`core.scope.Scope`: snapshots, adjustments and questions are filtered with
``Scope.row_filter`` (team or own employee ID) inside the query, like the daily logs.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, and_, delete, insert, or_, select, update

from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record

PERIOD_COLUMNS = ["period", "status", "review_until", "closed_at", "closed_by", "updated_by", "updated_at", "note"]
ADJ_COLUMNS = ["id", "employee_id", "team", "paid_in", "corrects", "amount", "deferred", "reasons", "kind",
               "inquiry_id", "created_by", "created_at"]
INQ_COLUMNS = ["id", "employee_id", "team", "period", "line", "text", "status", "answer", "raised_by",
               "raised_at", "answered_by", "answered_at", "adjustment_id"]


def _scoped(q, table, scope: Scope):
    team, eid = scope.row_filter()
    if team is None and eid is None:
        return q
    conds = []
    if team is not None:
        conds.append(table.c.team == team)
    if eid is not None:
        conds.append(table.c.employee_id == eid)
    return q.where(or_(*conds))


def _director(scope: Scope) -> None:
    if not scope.may_configure:
        raise ScopeError("commission.pay.director_only")


# ---------------------------------------------------------------- periods

def period_rows(engine: Engine) -> pd.DataFrame:
    """Every period with a stored state (PERIOD_COLUMNS), oldest first. A period without a row is open."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.pay_periods).order_by(t.pay_periods.c.period)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=PERIOD_COLUMNS)


def _set_period(conn, scope: Scope, period: str, **values) -> None:
    values.update(updated_by=scope.username, updated_at=now())
    found = conn.execute(select(t.pay_periods.c.period).where(t.pay_periods.c.period == period)).first()
    if found:
        conn.execute(update(t.pay_periods).where(t.pay_periods.c.period == period).values(**values))
    else:
        conn.execute(insert(t.pay_periods).values(period=period, **values))


def _status(conn, period: str) -> str:
    st = conn.execute(select(t.pay_periods.c.status).where(t.pay_periods.c.period == period)).scalar()
    return st or "open"


def mark_review(engine: Engine, scope: Scope, period: str, until: dt.date) -> None:
    _director(scope)
    with write_begin(engine) as conn:
        if _status(conn, period) == "closed":
            raise AppError("commission.pay.already_closed", period=period)
        _set_period(conn, scope, period, status="in_review", review_until=until)
        record(conn, scope.username, "period_review", period, {"until": until.isoformat()})


def close_period(engine: Engine, scope: Scope, period: str, snapshots: list[dict], adjustments: list[dict],
                 expect_open: tuple[str, ...] = ("open", "in_review")) -> dt.datetime:
    """Freeze `period`: store its snapshots (pay_snapshots rows without closed_at/by), the recomputed
    adjustments it pays (pay_adjustments rows without paid_in/kind/created_*), and pin to it the pending manual
    adjustments of the managers it has a snapshot for (the others stay pending). Returns the close time."""
    _director(scope)
    at = now()
    with write_begin(engine) as conn:
        if _status(conn, period) not in expect_open:
            raise AppError("commission.pay.already_closed", period=period)
        for s in snapshots:
            conn.execute(insert(t.pay_snapshots).values(**s, period=period, closed_at=at, closed_by=scope.username))
        for a in adjustments:
            conn.execute(insert(t.pay_adjustments).values(**a, paid_in=period, kind="recomputed",
                                                         created_by=scope.username, created_at=at))
        paid = sorted({str(s["employee_id"]) for s in snapshots})
        manual = conn.execute(update(t.pay_adjustments).where(t.pay_adjustments.c.paid_in.is_(None),
                                                              t.pay_adjustments.c.employee_id.in_(paid))
                              .values(paid_in=period)).rowcount if paid else 0
        _set_period(conn, scope, period, status="closed", closed_at=at, closed_by=scope.username)
        record(conn, scope.username, "period_close", period,
               {"statements": len(snapshots), "adjustments": len(adjustments), "manual_adjustments": manual,
                "payable": sum(float(s["payable"]) for s in snapshots)})
    return at


def reopen_period(engine: Engine, scope: Scope, period: str, reason: str) -> None:
    """Discard `period`'s snapshots and the recomputed adjustments it paid; manual ones become pending again."""
    _director(scope)
    with write_begin(engine) as conn:
        if _status(conn, period) != "closed":
            raise AppError("commission.pay.not_closed", period=period)
        n = conn.execute(delete(t.pay_snapshots).where(t.pay_snapshots.c.period == period)).rowcount
        d = conn.execute(delete(t.pay_adjustments).where(t.pay_adjustments.c.paid_in == period,
                                                         t.pay_adjustments.c.kind == "recomputed")).rowcount
        conn.execute(update(t.pay_adjustments).where(t.pay_adjustments.c.paid_in == period)
                     .values(paid_in=None))
        _set_period(conn, scope, period, status="open", closed_at=None, closed_by=None, review_until=None,
                    note=reason)
        record(conn, scope.username, "period_reopen", period,
               {"reason": reason, "snapshots_discarded": n, "adjustments_discarded": d})


# ---------------------------------------------------------------- snapshots

def read_snapshots(engine: Engine, scope: Scope, period: str | None = None,
                   employee_id: str | None = None) -> list[dict]:
    q = select(t.pay_snapshots).order_by(t.pay_snapshots.c.period, t.pay_snapshots.c.employee_id)
    if period is not None:
        q = q.where(t.pay_snapshots.c.period == period)
    if employee_id is not None:
        q = q.where(t.pay_snapshots.c.employee_id == str(employee_id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(_scoped(q, t.pay_snapshots, scope)).mappings()]


def read_frozen_deferred(engine: Engine, scope: Scope, employee_id: str | None = None) -> pd.DataFrame:
    """The deferred amount of every snapshot the caller may see (employee_id, period, deferred), without the
    frozen statements: what a later period's reserve releases read."""
    s = t.pay_snapshots
    q = select(s.c.employee_id, s.c.period, s.c.deferred).order_by(s.c.employee_id, s.c.period)
    if employee_id is not None:
        q = q.where(s.c.employee_id == str(employee_id))
    with engine.connect() as conn:
        rows = conn.execute(_scoped(q, s, scope)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["employee_id", "period", "deferred"])


def closed_keys(engine: Engine) -> set[str]:
    """The keys of the closed periods."""
    with engine.connect() as conn:
        return set(conn.execute(select(t.pay_periods.c.period).where(t.pay_periods.c.status == "closed")).scalars())


# ---------------------------------------------------------------- adjustments

def read_adjustments(engine: Engine, scope: Scope, employee_id: str | None = None, paid_in: str | None = None,
                     pending: bool = False, kind: str | None = None) -> pd.DataFrame:
    """Adjustments (ADJ_COLUMNS, reasons as parsed JSON): those paid in `paid_in`, or still `pending`."""
    q = select(t.pay_adjustments).order_by(t.pay_adjustments.c.corrects, t.pay_adjustments.c.id)
    if employee_id is not None:
        q = q.where(t.pay_adjustments.c.employee_id == str(employee_id))
    if paid_in is not None:
        q = q.where(t.pay_adjustments.c.paid_in == paid_in)
    if pending:
        q = q.where(t.pay_adjustments.c.paid_in.is_(None))
    if kind is not None:
        q = q.where(t.pay_adjustments.c.kind == kind)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(_scoped(q, t.pay_adjustments, scope)).mappings()]
    for r in rows:
        r["reasons"] = json.loads(r["reasons"])
    return pd.DataFrame(rows, columns=ADJ_COLUMNS)


def _insert_manual(conn, scope: Scope, employee_id: str, team: str | None, corrects: str, amount: float,
                   reasons: list, inquiry_id: int | None = None) -> int:
    res = conn.execute(insert(t.pay_adjustments).values(
        employee_id=employee_id, team=team, paid_in=None, corrects=corrects, amount=amount, deferred=0,
        reasons=json.dumps(reasons, ensure_ascii=False), kind="manual", inquiry_id=inquiry_id,
        created_by=scope.username, created_at=now()))
    adj_id = int(res.inserted_primary_key[0])
    record(conn, scope.username, "adjustment_manual", employee_id,
           {"id": adj_id, "corrects": corrects, "amount": amount, "reasons": reasons, "inquiry_id": inquiry_id})
    return adj_id


def add_manual_adjustment(engine: Engine, scope: Scope, employee_id: str, team: str | None, corrects: str,
                          amount: float, reason: str) -> int:
    """A manual adjustment (paid in the first open period) for a manager the caller may write for."""
    scope.check_write(employee_id, team)
    with write_begin(engine) as conn:
        return _insert_manual(conn, scope, employee_id, team, corrects, amount, [{"kind": "manual", "text": reason}])


# ---------------------------------------------------------------- questions

def add_inquiry(engine: Engine, scope: Scope, employee_id: str, team: str | None, period: str, line: str | None,
                text: str) -> int:
    if not scope.can_see_manager(employee_id, team):
        raise ScopeError("commission.err.scope", employee_id=employee_id)
    with write_begin(engine) as conn:
        res = conn.execute(insert(t.pay_inquiries).values(
            employee_id=employee_id, team=team, period=period, line=line, text=text, status="open",
            raised_by=scope.username, raised_at=now()))
        iid = int(res.inserted_primary_key[0])
        record(conn, scope.username, "inquiry_raise", employee_id,
               {"id": iid, "period": period, "line": line, "text": text})
    return iid


def read_inquiries(engine: Engine, scope: Scope, open_only: bool = False, team: str | None = None,
                   employee_id: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Questions the caller may see (INQ_COLUMNS), newest first."""
    q = select(t.pay_inquiries).order_by(t.pay_inquiries.c.id.desc())
    if open_only:
        q = q.where(t.pay_inquiries.c.status.in_(("open", "answered")))
    if team is not None:
        q = q.where(t.pay_inquiries.c.team == team)
    if employee_id is not None:
        q = q.where(t.pay_inquiries.c.employee_id == str(employee_id))
    if period is not None:
        q = q.where(t.pay_inquiries.c.period == period)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(_scoped(q, t.pay_inquiries, scope)).mappings()]
    return pd.DataFrame(rows, columns=INQ_COLUMNS)


def resolve_inquiry(engine: Engine, scope: Scope, inquiry_id: int, status: str, answer: str,
                    amount: float | None = None) -> int | None:
    """Answer a question (status answered | explained | corrected); a correction records a manual adjustment of
    `amount` for the question's period with the answer as its reason. Returns the adjustment's id, if any."""
    with write_begin(engine) as conn:
        row = conn.execute(select(t.pay_inquiries).where(t.pay_inquiries.c.id == int(inquiry_id))).mappings().first()
        if row is None:
            raise AppError("commission.pay.inquiry_not_found", inquiry_id=inquiry_id)
        scope.check_write(row["employee_id"], row["team"])
        if row["status"] in ("explained", "corrected"):
            raise AppError("commission.pay.inquiry_closed", inquiry_id=inquiry_id)
        adj_id = None
        if status == "corrected":
            adj_id = _insert_manual(conn, scope, row["employee_id"], row["team"], row["period"], amount,
                                    [{"kind": "inquiry", "inquiry_id": int(inquiry_id), "line": row["line"],
                                      "text": answer}], inquiry_id=int(inquiry_id))
        conn.execute(update(t.pay_inquiries).where(t.pay_inquiries.c.id == int(inquiry_id)).values(
            status=status, answer=answer, answered_by=scope.username, answered_at=now(), adjustment_id=adj_id))
        record(conn, scope.username, "inquiry_resolve", row["employee_id"],
               {"id": int(inquiry_id), "status": status, "answer": answer, "adjustment_id": adj_id})
    return adj_id


# ---------------------------------------------------------------- acknowledgements

def add_ack(engine: Engine, scope: Scope, kind: str, employee_id: str, subject: str) -> None:
    """The manager himself acknowledges a closed statement (subject = period) or a plan version (its key)."""
    if scope.employee_id != employee_id:
        raise ScopeError("commission.pay.ack_self")
    with write_begin(engine) as conn:
        found = conn.execute(select(t.pay_acks.c.id).where(and_(
            t.pay_acks.c.kind == kind, t.pay_acks.c.employee_id == employee_id,
            t.pay_acks.c.subject == subject))).first()
        if found:
            return
        conn.execute(insert(t.pay_acks).values(kind=kind, employee_id=employee_id, subject=subject,
                                               username=scope.username, at=now()))
        record(conn, scope.username, f"ack_{kind}", employee_id, {"subject": subject})


def read_acks(engine: Engine, kind: str, subject: str | None = None,
              employee_id: str | None = None) -> pd.DataFrame:
    q = select(t.pay_acks).where(t.pay_acks.c.kind == kind)
    if subject is not None:
        q = q.where(t.pay_acks.c.subject == subject)
    if employee_id is not None:
        q = q.where(t.pay_acks.c.employee_id == employee_id)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return pd.DataFrame(rows, columns=["id", "kind", "employee_id", "subject", "username", "at"])


# ---------------------------------------------------------------- what changed since a close

def changes_since(engine: Engine, since: dt.datetime) -> list[dict]:
    """Imports made or undone after `since`, each with the keys it touched (table, parsed row key)."""
    q = (select(t.imports.c.id, t.imports.c.kind, t.imports.c.filename, t.imports.c.created_at,
                t.imports.c.status, t.imports.c.undone_at, t.import_changes.c.table_name, t.import_changes.c.row_key)
         .join(t.import_changes, t.import_changes.c.import_id == t.imports.c.id)
         .where(or_(t.imports.c.created_at >= since, t.imports.c.undone_at >= since))
         .order_by(t.imports.c.id))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["row_key"] = json.loads(r["row_key"])
    return rows


__all__ = ["PERIOD_COLUMNS", "ADJ_COLUMNS", "INQ_COLUMNS", "period_rows", "mark_review", "close_period",
           "reopen_period", "read_snapshots", "read_frozen_deferred", "closed_keys", "read_adjustments", "add_manual_adjustment", "add_inquiry",
           "read_inquiries", "resolve_inquiry", "add_ack", "read_acks", "changes_since"]
