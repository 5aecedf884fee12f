"""Accounts and sign-in attempts: every SQL statement about ``users`` and ``login_attempts``.

The rules (who may do what, password policy, rate limits) live in :mod:`core.auth`; this module only reads and
writes rows. Writes go through :func:`core.store.write_begin` and leave an audit entry in the same transaction
(``user_create``, ``user_disable``, ``user_enable``, ``user_unlock``, ``password_reset``, ``password_change``,
``login``, ``login_failed``, ``login_locked``). Disabling an account or setting its password ends all its
sessions (core.store.sessions) in the same transaction.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from core.errors import AppError
from core.scope import DIRECTOR, ROLES, is_director_role
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record
from core.store.sessions import revoke_all_in

USER_COLUMNS = ["username", "display_name", "role", "team", "employee_id", "email", "active", "is_demo",
                "created_at", "failed_attempts", "locked_until", "last_login"]
"""Columns of a user as handed out of the store (never the password hash, see :func:`get_user_secret`)."""


def _public(row) -> dict:
    d = {c: row[c] for c in USER_COLUMNS}
    d["active"] = bool(d["active"])
    d["is_demo"] = bool(d["is_demo"])
    d["has_password"] = row["password_hash"] is not None
    return d


# ---------------------------------------------------------------- reads

def get_user(engine_or_conn, username: str) -> dict | None:
    """The account (public columns plus ``has_password``) or None."""
    row = _one(engine_or_conn, select(t.users).where(t.users.c.username == username))
    return _public(row) if row is not None else None


def get_user_secret(engine_or_conn, username: str) -> tuple[dict, str | None] | None:
    """(account, password hash) for verifying a password, or None for an unknown username."""
    row = _one(engine_or_conn, select(t.users).where(t.users.c.username == username))
    return (_public(row), row["password_hash"]) if row is not None else None


def get_users_by_email(engine: Engine, email: str) -> list[dict]:
    """Accounts whose e-mail matches (case-insensitive), oldest first."""
    q = select(t.users).where(func.lower(t.users.c.email) == email.strip().lower()).order_by(t.users.c.created_at,
                                                                                               t.users.c.username)
    with engine.connect() as conn:
        return [_public(r) for r in conn.execute(q).mappings()]


def list_users(engine: Engine) -> list[dict]:
    """Every account, directors first, then team leads, then managers; by username within a role."""
    order = {role: i for i, role in enumerate(ROLES)}
    with engine.connect() as conn:
        rows = [_public(r) for r in conn.execute(select(t.users)).mappings()]
    return sorted(rows, key=lambda r: (order.get(r["role"], 9), r["username"]))


def active_director_exists(engine_or_conn, include_demo: bool = False, excluding: str | None = None) -> bool:
    """True when an active director account exists (demo accounts only with include_demo)."""
    q = select(func.count()).select_from(t.users).where(t.users.c.role == DIRECTOR, t.users.c.active.is_(True))
    if not include_demo:
        q = q.where(t.users.c.is_demo.is_(False))
    if excluding is not None:
        q = q.where(t.users.c.username != excluding)
    return bool(_scalar(engine_or_conn, q))


def team_exists(engine_or_conn, team: str) -> bool:
    """A team is known when it is in ``teams`` or someone on the roster belongs to it."""
    q1 = select(func.count()).select_from(t.teams).where(t.teams.c.name == team)
    q2 = select(func.count()).select_from(t.managers).where(t.managers.c.team == team)
    return bool(_scalar(engine_or_conn, q1)) or bool(_scalar(engine_or_conn, q2))


def roster_entry(engine_or_conn, employee_id: str) -> dict | None:
    """One roster row (employee_id, name, team, line, grade, active) or None."""
    q = select(t.managers.c.employee_id, t.managers.c.name, t.managers.c.team, t.managers.c.line,
               t.managers.c.grade, t.managers.c.active).where(t.managers.c.employee_id == employee_id)
    row = _one(engine_or_conn, q)
    return dict(row) if row is not None else None


def roster_entries(engine: Engine) -> list[dict]:
    """The whole roster as dicts ordered by team and employee_id (for picking demo accounts)."""
    q = select(t.managers.c.employee_id, t.managers.c.name, t.managers.c.team, t.managers.c.line,
               t.managers.c.grade, t.managers.c.active).order_by(t.managers.c.team, t.managers.c.employee_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def recent_attempts(engine_or_conn, username: str, since: dt.datetime) -> list[tuple[dt.datetime, bool, str]]:
    """Sign-in attempts for `username` at or after `since`, oldest first: [(at, ok, client), ...] (client ""
    when unknown)."""
    q = select(t.login_attempts.c.at, t.login_attempts.c.ok, t.login_attempts.c.client).where(
        t.login_attempts.c.username == username, t.login_attempts.c.at >= since).order_by(
        t.login_attempts.c.at, t.login_attempts.c.id)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return [(r[0], bool(r[1]), r[2] or "") for r in conn.execute(q)]
    return [(r[0], bool(r[1]), r[2] or "") for r in engine_or_conn.execute(q)]


def attempts_since(engine_or_conn, since: dt.datetime) -> int:
    """How many sign-in attempts (each one a password check) the whole server recorded since `since`."""
    return int(_scalar(engine_or_conn, select(func.count()).select_from(t.login_attempts).where(
        t.login_attempts.c.at >= since)) or 0)


# ---------------------------------------------------------------- writes

def insert_user(engine: Engine, actor: str, row: dict, password_hash: str | None) -> None:
    """Create an account and audit it; raises AppError (auth.username_taken) if the username exists (checked inside the tx)."""
    with write_begin(engine) as conn:
        if _one(conn, select(t.users.c.username).where(t.users.c.username == row["username"])) is not None:
            raise AppError("auth.username_taken", username=row["username"])
        conn.execute(insert(t.users).values(
            username=row["username"], display_name=row["display_name"], password_hash=password_hash,
            role=row["role"], team=row.get("team"), employee_id=row.get("employee_id"), email=row.get("email"),
            active=True, is_demo=bool(row.get("is_demo")), created_at=now(), failed_attempts=0,
            locked_until=None, last_login=None))
        record(conn, actor, "user_create", row["username"],
               {"role": row["role"], "team": row.get("team"), "employee_id": row.get("employee_id"),
                "email": row.get("email"), "is_demo": bool(row.get("is_demo")),
                "password": password_hash is not None})


def set_active(engine: Engine, actor: str, username: str, active: bool,
               guard_last_director: bool = True) -> bool:
    """Enable or disable an account. Returns False if nothing changed.

    With guard_last_director, disabling the last active (non-demo) director raises AppError (auth.last_director); the check runs
    inside the write transaction so two directors cannot disable each other at the same moment.
    """
    with write_begin(engine) as conn:
        row = _one(conn, select(t.users).where(t.users.c.username == username))
        if row is None:
            raise AppError("auth.unknown_user", username=username)
        if bool(row["active"]) == bool(active):
            return False
        if (not active and guard_last_director and is_director_role(row["role"]) and not row["is_demo"]
                and not active_director_exists(conn, excluding=username)):
            raise AppError("auth.last_director")
        values = {"active": bool(active)}
        if active:
            values.update(failed_attempts=0, locked_until=None)
            conn.execute(delete(t.login_attempts).where(t.login_attempts.c.username == username))
        conn.execute(update(t.users).where(t.users.c.username == username).values(**values))
        ended = 0 if active else revoke_all_in(conn, username, now(), "disabled")   # signed out everywhere
        record(conn, actor, "user_enable" if active else "user_disable", username,
               {"sessions_ended": int(ended)} if ended else None)
    return True


def set_password_hash(engine: Engine, actor: str, username: str, password_hash: str | None,
                      action: str | None) -> None:
    """Store a new password hash; clears any sign-in lock. `action` is the audit action (None: no entry,
    used for silent re-hashing with newer parameters)."""
    with write_begin(engine) as conn:
        if _one(conn, select(t.users.c.username).where(t.users.c.username == username)) is None:
            raise AppError("auth.unknown_user", username=username)
        values = {"password_hash": password_hash}
        if action is not None:
            values.update(failed_attempts=0, locked_until=None)
            conn.execute(delete(t.login_attempts).where(t.login_attempts.c.username == username))
        conn.execute(update(t.users).where(t.users.c.username == username).values(**values))
        if action is not None:   # a new password signs the account out everywhere
            ended = revoke_all_in(conn, username, now(), "password")
            record(conn, actor, action, username, {"sessions_ended": int(ended)} if ended else None)


def unlock(engine: Engine, actor: str, username: str) -> None:
    """Forget the failed sign-in attempts of `username` (the audit trail keeps them)."""
    with write_begin(engine) as conn:
        if _one(conn, select(t.users.c.username).where(t.users.c.username == username)) is None:
            raise AppError("auth.unknown_user", username=username)
        conn.execute(delete(t.login_attempts).where(t.login_attempts.c.username == username))
        conn.execute(update(t.users).where(t.users.c.username == username).values(failed_attempts=0,
                                                                                  locked_until=None))
        record(conn, actor, "user_unlock", username, None)


def record_attempt(engine: Engine, username: str, ok: bool, at: dt.datetime, lock_rule,
                   detail: dict | None = None, client: str = "", history: dt.timedelta = dt.timedelta(days=90),
                   ) -> dt.datetime | None:
    """Record one sign-in attempt atomically and return the lock end it causes or finds (None = not locked).

    ``lock_rule(attempts, at) -> locked_until | None`` decides from the attempts of `username` over `history`
    ([(at, ok, client)], see :func:`recent_attempts`). If the attempt is already refused when it is recorded
    (another attempt won the race), nothing is stored and the lock end is returned. Failures older than a day
    are deleted (they no longer count), successes after `history` (they tell which clients are known).
    Audit: ``login`` / ``login_failed`` / ``login_locked`` (with the client).
    """
    with write_begin(engine) as conn:
        attempts = recent_attempts(conn, username, at - history)
        locked = lock_rule(attempts, at)
        if locked is not None:
            return locked
        conn.execute(insert(t.login_attempts).values(username=username, at=at, ok=bool(ok), client=client or None))
        conn.execute(delete(t.login_attempts).where(
            t.login_attempts.c.at < at - history))
        conn.execute(delete(t.login_attempts).where(
            t.login_attempts.c.ok.is_(False), t.login_attempts.c.at < at - dt.timedelta(days=1)))
        user = _one(conn, select(t.users.c.username).where(t.users.c.username == username))
        where = {"client": client} if client else {}
        if ok:
            if user is not None:
                conn.execute(update(t.users).where(t.users.c.username == username).values(
                    last_login=at, failed_attempts=0))
            record(conn, username, "login", username, {**(detail or {}), **where})
            return None
        new_lock = lock_rule(attempts + [(at, False, client or "")], at)
        if user is not None:
            conn.execute(update(t.users).where(t.users.c.username == username).values(
                failed_attempts=t.users.c.failed_attempts + 1, locked_until=new_lock))
        record(conn, username, "login_failed", username, {"known": user is not None, **(detail or {}), **where})
        if new_lock is not None:
            record(conn, username, "login_locked", username, {"until": new_lock.isoformat(), **where})
        return new_lock


def record_login(engine: Engine, username: str, at: dt.datetime, detail: dict | None = None) -> None:
    """A sign-in that did not go through a password (single sign-on, demo button)."""
    with write_begin(engine) as conn:
        conn.execute(update(t.users).where(t.users.c.username == username).values(last_login=at))
        record(conn, username, "login", username, detail)


def insert_demo_users(engine: Engine, rows: list[dict]) -> list[str]:
    """Create the demo accounts that do not exist yet (no password). Returns the usernames created."""
    created = []
    with write_begin(engine) as conn:
        for row in rows:
            if _one(conn, select(t.users.c.username).where(t.users.c.username == row["username"])) is not None:
                continue
            conn.execute(insert(t.users).values(
                username=row["username"], display_name=row["display_name"], password_hash=None, role=row["role"],
                team=row.get("team"), employee_id=row.get("employee_id"), email=None, active=True, is_demo=True,
                created_at=now(), failed_attempts=0, locked_until=None, last_login=None))
            record(conn, "system", "user_create", row["username"],
                   {"role": row["role"], "team": row.get("team"), "employee_id": row.get("employee_id"),
                    "is_demo": True, "password": False})
            created.append(row["username"])
    return created


# ---------------------------------------------------------------- helpers

def _one(engine_or_conn, q):
    if isinstance(engine_or_conn, Connection):
        return engine_or_conn.execute(q).mappings().first()
    with engine_or_conn.connect() as conn:
        return conn.execute(q).mappings().first()


def _scalar(engine_or_conn, q):
    if isinstance(engine_or_conn, Connection):
        return engine_or_conn.execute(q).scalar()
    with engine_or_conn.connect() as conn:
        return conn.execute(q).scalar()
