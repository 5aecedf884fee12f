"""Audit trail: who imported, undid, changed targets, plans, rules or accounts, and when."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from core.scope import Scope
from core.store import tables as t


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def record(conn: Connection, username: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    """Write one audit entry inside the caller's transaction."""
    conn.execute(insert(t.audit_log).values(
        at=now(), username=username[:100], action=action[:50], target=target[:200] if target else target,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail is not None else None))


def read_audit(engine: Engine, scope: Scope, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    """The audit trail, newest first. Directors only."""
    scope.require("director")
    q = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
    if action:
        q = q.where(t.audit_log.c.action == action)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=["id", "at", "username", "action", "target", "detail"])
