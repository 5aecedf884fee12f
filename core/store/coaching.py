"""Coaching sessions (辅导记录), flag acknowledgements and the coaching rules text: SQL only, scoped.

Reads: a director sees everything; a team lead sees his team's managers (and his own roster entry); a manager
sees only his own sessions and acknowledgements. Writes: whoever :attr:`Scope.may_coach`, for the managers
:meth:`Scope.check_write` allows (a director: anyone; a team lead: his team); a manager may not write
(:class:`core.errors.ScopeError`). Every write is one transaction through :func:`core.store.write_begin` and
is audited with :func:`core.store.audit.record`.

The values arrive validated by :mod:`core.coaching.sessions` (rule ids, weeks as ``core.calendar.week_key``
writes them, text lengths); the rules text arrives validated by :func:`core.coaching.save_rules`.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from core.convert import as_date
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import tables as t_
from core.store import write_begin
from core.store.audit import now, record
from core.store.config import get_setting, set_setting
from core.store.logs import scoped_roster_query

SETTING_KEY = "coaching_rules"
SESSION_COLUMNS = ["id", "date", "coach", "employee_id", "manager_name", "team", "topic", "rule_id", "actions",
                   "follow_up", "outcome", "created_by", "created_at"]
ACK_COLUMNS = ["id", "employee_id", "manager_name", "team", "rule_id", "week", "until_week", "note", "username",
               "at"]


def _check_target(conn: Connection, scope: Scope, employee_id: str) -> str:
    """The manager's team, after checking the caller may write coaching records for him."""
    if not scope.may_coach:
        raise ScopeError("coaching.err.manager_read_only")
    team = conn.execute(select(t_.managers.c.team).where(t_.managers.c.employee_id == employee_id)).scalar()
    if team is None:
        raise AppError("coaching.err.not_on_roster", employee_id=employee_id)
    scope.check_write(employee_id, team)
    return team


# ---------------------------------------------------------------- sessions

def insert_session(engine: Engine, scope: Scope, *, date: dt.date, coach: str, employee_id: str, topic: str,
                   rule_id: str | None, actions: str | None, follow_up: dt.date | None) -> int:
    """Store a coaching session; returns its id."""
    with write_begin(engine) as conn:
        _check_target(conn, scope, employee_id)
        res = conn.execute(insert(t_.coaching_sessions).values(
            date=date, coach=coach, employee_id=employee_id, topic=topic, rule_id=rule_id,
            actions=actions or None, follow_up=follow_up, outcome=None, created_by=scope.username,
            created_at=now()))
        sid = int(res.inserted_primary_key[0])
        record(conn, scope.username, "coaching_session", employee_id,
               {"id": sid, "date": date, "rule_id": rule_id, "topic": topic, "follow_up": follow_up})
    return sid


def _session_row(conn: Connection, session_id: int) -> dict:
    row = conn.execute(select(t_.coaching_sessions).where(t_.coaching_sessions.c.id == session_id)).mappings().first()
    if row is None:
        raise AppError("coaching.err.no_session", id=session_id)
    return dict(row)


def update_outcome(engine: Engine, scope: Scope, session_id: int, outcome: str | None,
                   follow_up: dt.date | None = None) -> None:
    """Store the outcome of a session, optionally moving its follow-up date (not before the session's date)."""
    with write_begin(engine) as conn:
        row = _session_row(conn, session_id)
        _check_target(conn, scope, row["employee_id"])
        values = {"outcome": outcome or None}
        if follow_up is not None:
            if follow_up < as_date(row["date"]):
                raise AppError("coaching.err.follow_up_before")
            values["follow_up"] = follow_up
        conn.execute(update(t_.coaching_sessions).where(t_.coaching_sessions.c.id == session_id).values(**values))
        record(conn, scope.username, "coaching_outcome", row["employee_id"],
               {"id": session_id, "outcome": outcome, "follow_up": values.get("follow_up")})


def delete_session(engine: Engine, scope: Scope, session_id: int) -> None:
    """Remove a session recorded by mistake (audited with its content)."""
    with write_begin(engine) as conn:
        row = _session_row(conn, session_id)
        _check_target(conn, scope, row["employee_id"])
        conn.execute(delete(t_.coaching_sessions).where(t_.coaching_sessions.c.id == session_id))
        record(conn, scope.username, "coaching_session_delete", row["employee_id"], row)


def read_sessions(engine: Engine, scope: Scope, team: str | None = None, employee_id: str | None = None,
                  start=None, end=None) -> pd.DataFrame:
    """Coaching sessions in the caller's scope (SESSION_COLUMNS), newest first; `start`/`end` bound the date."""
    r = scoped_roster_query(scope).subquery()
    s = t_.coaching_sessions
    q = select(s.c.id, s.c.date, s.c.coach, s.c.employee_id, r.c.name.label("manager_name"), r.c.team, s.c.topic,
               s.c.rule_id, s.c.actions, s.c.follow_up, s.c.outcome, s.c.created_by, s.c.created_at).join(
        r, r.c.employee_id == s.c.employee_id)
    if team:
        q = q.where(r.c.team == team)
    if employee_id:
        q = q.where(s.c.employee_id == employee_id)
    if start is not None:
        q = q.where(s.c.date >= as_date(start))
    if end is not None:
        q = q.where(s.c.date <= as_date(end))
    q = q.order_by(s.c.date.desc(), s.c.id.desc())
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=SESSION_COLUMNS)
    for c in ("date", "follow_up"):
        df[c] = [None if v is None or pd.isna(v) else as_date(v) for v in df[c]]
    return df


# ---------------------------------------------------------------- acknowledgements

def insert_ack(engine: Engine, scope: Scope, employee_id: str, rule_id: str, week: str, until_week: str,
               note: str) -> int:
    """Store an acknowledgement of (employee_id, rule_id) from `week` to `until_week`; returns its id."""
    with write_begin(engine) as conn:
        _check_target(conn, scope, employee_id)
        res = conn.execute(insert(t_.flag_acks).values(
            employee_id=employee_id, rule_id=rule_id, week=week, until_week=until_week, note=note,
            username=scope.username, at=now()))
        aid = int(res.inserted_primary_key[0])
        record(conn, scope.username, "coaching_ack", employee_id,
               {"id": aid, "rule_id": rule_id, "week": week, "until_week": until_week, "note": note})
    return aid


def delete_ack(engine: Engine, scope: Scope, ack_id: int) -> None:
    """Withdraw an acknowledgement (the flag shouts again)."""
    with write_begin(engine) as conn:
        row = conn.execute(select(t_.flag_acks).where(t_.flag_acks.c.id == ack_id)).mappings().first()
        if row is None:
            raise AppError("coaching.err.no_ack", id=ack_id)
        _check_target(conn, scope, row["employee_id"])
        conn.execute(delete(t_.flag_acks).where(t_.flag_acks.c.id == ack_id))
        record(conn, scope.username, "coaching_ack_remove", row["employee_id"], dict(row))


def read_acks(engine: Engine, scope: Scope, week: str | None = None, team: str | None = None) -> pd.DataFrame:
    """Acknowledgements in the caller's scope (ACK_COLUMNS), oldest first; with `week`, only those covering it.

    Weeks are stored as ``YYYY-Www`` (zero-padded), so "covers" is a text comparison: week ≤ W ≤ until_week.
    """
    r = scoped_roster_query(scope).subquery()
    a = t_.flag_acks
    q = select(a.c.id, a.c.employee_id, r.c.name.label("manager_name"), r.c.team, a.c.rule_id, a.c.week,
               a.c.until_week, a.c.note, a.c.username, a.c.at).join(r, r.c.employee_id == a.c.employee_id)
    if team:
        q = q.where(r.c.team == team)
    if week is not None:
        q = q.where(a.c.week <= week, func.coalesce(a.c.until_week, a.c.week) >= week)
    q = q.order_by(a.c.id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).fetchall(), columns=ACK_COLUMNS)


# ---------------------------------------------------------------- the rules text

def read_rules_text(engine: Engine) -> str | None:
    """The stored coaching rules YAML text (None when none is stored)."""
    return get_setting(engine, SETTING_KEY)


def write_rules_text(engine: Engine, scope: Scope, text: str) -> None:
    """Store the coaching rules YAML text (director only; audited)."""
    set_setting(engine, scope, SETTING_KEY, text)
