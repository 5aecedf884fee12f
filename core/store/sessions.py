"""Sign-in sessions: every SQL statement about ``sessions``.

The rules (token making and hashing, idle and maximum age, when to touch) live in :mod:`core.sessions`; this
module stores and returns rows keyed by the token's hash (the token itself never reaches the database).
Audit entries in the same transaction: ``session_start``, ``sign_out``, ``sign_out_all``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, insert, select, update

from core.store import tables as t
from core.store import write_begin
from core.store.audit import record

SESSION_COLUMNS = ["id", "username", "created_at", "last_seen", "expires_at", "user_agent", "method",
                   "revoked_at", "revoked_reason"]


def _row(row) -> dict:
    return {c: row[c] for c in SESSION_COLUMNS}


def insert_session(engine: Engine, token_hash: str, username: str, at: dt.datetime, expires_at: dt.datetime,
                   user_agent: str | None, method: str | None) -> int:
    """A new session (audited as ``session_start``). Returns its id."""
    with write_begin(engine) as conn:
        sid = conn.execute(insert(t.sessions).values(
            token_hash=token_hash, username=username, created_at=at, last_seen=at, expires_at=expires_at,
            user_agent=(user_agent or "")[:300] or None, method=method)).inserted_primary_key[0]
        record(conn, username, "session_start", username, {"session": int(sid), "method": method})
    return int(sid)


def get_by_hash(engine: Engine, token_hash: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.sessions).where(t.sessions.c.token_hash == token_hash)).mappings().first()
    return _row(row) if row is not None else None


def touch(engine: Engine, session_id: int, at: dt.datetime) -> None:
    """Move the session's last-seen time (its idle clock) to `at`."""
    with engine.begin() as conn:
        conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(last_seen=at))


def revoke(engine: Engine, session_id: int, at: dt.datetime, actor: str) -> bool:
    """End one session (sign-out on this device). Returns False when it had already ended."""
    with write_begin(engine) as conn:
        n = conn.execute(update(t.sessions).where(t.sessions.c.id == session_id, t.sessions.c.revoked_at.is_(None))
                         .values(revoked_at=at, revoked_reason="sign_out")).rowcount
        if n:
            record(conn, actor, "sign_out", actor, {"session": int(session_id)})
    return bool(n)


def revoke_all_in(conn: Connection, username: str, at: dt.datetime, reason: str) -> int:
    """End every open session of `username` inside the caller's transaction. Returns how many."""
    return conn.execute(update(t.sessions).where(t.sessions.c.username == username,
                                                 t.sessions.c.revoked_at.is_(None))
                        .values(revoked_at=at, revoked_reason=reason)).rowcount


def revoke_all(engine: Engine, username: str, at: dt.datetime, actor: str) -> int:
    """Sign out everywhere: end every open session of `username` (audited as ``sign_out_all``)."""
    with write_begin(engine) as conn:
        n = revoke_all_in(conn, username, at, "sign_out_all")
        record(conn, actor, "sign_out_all", username, {"sessions": int(n)})
    return int(n)


def list_sessions(engine: Engine, username: str) -> list[dict]:
    """The sessions of `username`, newest first (ended ones included)."""
    q = select(t.sessions).where(t.sessions.c.username == username).order_by(t.sessions.c.id.desc())
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(q).mappings().all()]
