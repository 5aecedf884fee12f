"""Risk-reserve forfeits (追索扣回): stored rows and their scoped reads. SQL only.

A forfeit is a director's decision to take part or all of a manager's unreleased risk reserve (e.g. after a loan
he sold turned bad), with a reason. How much of the reserve it may take, and which instalments it takes, is
decided in the domain (:mod:`core.commission.reserve`); this module stores the row and audits it
(``reserve_forfeit``) in the same transaction.
"""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, insert, select

from core.convert import dec
from core.errors import ScopeError
from core.scope import Scope
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record
from core.store.logs import scoped_roster_query

FORFEIT_COLUMNS = ["id", "employee_id", "month", "amount", "reason", "created_by", "created_at"]


def read_forfeits(engine: Engine, scope: Scope, employee_id: str | None = None) -> pd.DataFrame:
    """Forfeits of the managers the caller may see (FORFEIT_COLUMNS; amount as exact Decimal), oldest first."""
    r = scoped_roster_query(scope).subquery()
    f = t.reserve_forfeits
    q = select(*[f.c[c] for c in FORFEIT_COLUMNS]).join(r, r.c.employee_id == f.c.employee_id)
    if employee_id is not None:
        q = q.where(f.c.employee_id == str(employee_id))
    q = q.order_by(f.c.id)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    df = pd.DataFrame([dict(row) for row in rows], columns=FORFEIT_COLUMNS)
    df["amount"] = [dec(v) for v in df["amount"]]
    return df


def add_forfeit(engine: Engine, scope: Scope, employee_id: str, month: str, amount: Decimal, reason: str) -> int:
    """Store one forfeit (directors only) and audit it; returns its id. Values are checked by the caller."""
    if not scope.may_configure:
        raise ScopeError("commission.reserve.director_only")
    with write_begin(engine) as conn:
        fid = conn.execute(insert(t.reserve_forfeits).values(
            employee_id=str(employee_id), month=month, amount=float(amount), reason=reason, created_by=scope.username,
            created_at=now())).inserted_primary_key[0]
        record(conn, scope.username, "reserve_forfeit", str(employee_id),
               {"id": int(fid), "month": month, "amount": str(amount), "reason": reason})
    return int(fid)


__all__ = ["FORFEIT_COLUMNS", "read_forfeits", "add_forfeit"]
