"""Coaching sessions (辅导记录) and flag acknowledgements, scoped.

Reads: a director sees everything; a team lead sees his team's managers (and his own roster entry); a manager
sees only his own sessions and acknowledgements. Writes: a director for anyone, a team lead only for managers of
his own team; a manager may not write (:class:`core.scope.ScopeError`). Every write is one transaction through
:func:`core.store.write_begin` and is audited with :func:`core.store.audit.record`.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from core import calendar as cal
from core.i18n import t
from core.scope import Scope, ScopeError
from core.store import tables as t_
from core.store import write_begin
from core.store.audit import now, record
from core.store.logs import StoreError, _scoped_roster_query

SESSION_COLUMNS = ["id", "date", "coach", "employee_id", "manager_name", "team", "topic", "rule_id", "actions",
                   "follow_up", "outcome", "created_by", "created_at"]
ACK_COLUMNS = ["id", "employee_id", "manager_name", "team", "rule_id", "week", "until_week", "note", "username",
               "at"]
MAX_TOPIC = 200
MAX_COACH = 100
MAX_TEXT = 4000


def _err(key: str, **params) -> StoreError:
    return StoreError(t(f"coaching.err.{key}", "en", **params), t(f"coaching.err.{key}", "zh", **params))


def _rule_ids() -> tuple[str, ...]:
    from core.coaching import RULE_IDS
    return RULE_IDS


def _as_date(d) -> dt.date:
    return cal._as_date(d)


def _week(value: str) -> str:
    try:
        monday, _ = cal.week_bounds(value)
    except (ValueError, TypeError):
        raise _err("bad_week", value=value)
    return cal.week_key(monday)


def _check_target(conn: Connection, scope: Scope, employee_id: str) -> str:
    """The manager's team, after checking the caller may write for him."""
    if scope.role == "manager":
        raise ScopeError(t("coaching.err.manager_read_only", "en"))
    team = conn.execute(select(t_.managers.c.team).where(t_.managers.c.employee_id == employee_id)).scalar()
    if team is None:
        raise _err("not_on_roster", employee_id=employee_id)
    if scope.role == "team_lead" and team != scope.team:
        raise ScopeError(t("coaching.err.other_team", "en", employee_id=employee_id, team=team))
    return team


def _text(value, field: str, limit: int, required_key: str | None = None) -> str:
    s = "" if value is None else str(value).strip()
    if required_key and not s:
        raise _err(required_key)
    if len(s) > limit:
        raise _err("too_long", field=field, max=limit)
    return s


# ---------------------------------------------------------------- sessions

def add_session(engine: Engine, scope: Scope, *, date, coach: str, employee_id: str, topic: str,
                rule_id: str | None = None, actions: str = "", follow_up=None) -> int:
    """Record a coaching session; returns its id. Director: anyone; team lead: his team; manager: refused."""
    date = _as_date(date)
    follow_up = _as_date(follow_up) if follow_up not in (None, "") else None
    coach = _text(coach, "coach", MAX_COACH, "coach_required")
    topic = _text(topic, "topic", MAX_TOPIC, "topic_required")
    actions = _text(actions, "actions", MAX_TEXT)
    if rule_id in ("", None):
        rule_id = None
    elif rule_id not in _rule_ids():
        raise _err("unknown_rule", rule_id=rule_id)
    if follow_up is not None and follow_up < date:
        raise _err("follow_up_before")
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
        raise _err("no_session", id=session_id)
    return dict(row)


def record_outcome(engine: Engine, scope: Scope, session_id: int, outcome: str, follow_up=None) -> None:
    """Write the outcome of a session (did it work, what next), optionally moving its follow-up date."""
    outcome = _text(outcome, "outcome", MAX_TEXT)
    with write_begin(engine) as conn:
        row = _session_row(conn, session_id)
        _check_target(conn, scope, row["employee_id"])
        values = {"outcome": outcome or None}
        if follow_up not in (None, ""):
            fu = _as_date(follow_up)
            if fu < row["date"]:
                raise _err("follow_up_before")
            values["follow_up"] = fu
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
    r = _scoped_roster_query(scope).subquery()
    s = t_.coaching_sessions
    q = select(s.c.id, s.c.date, s.c.coach, s.c.employee_id, r.c.name.label("manager_name"), r.c.team, s.c.topic,
               s.c.rule_id, s.c.actions, s.c.follow_up, s.c.outcome, s.c.created_by, s.c.created_at).join(
        r, r.c.employee_id == s.c.employee_id)
    if team:
        q = q.where(r.c.team == team)
    if employee_id:
        q = q.where(s.c.employee_id == employee_id)
    if start is not None:
        q = q.where(s.c.date >= _as_date(start))
    if end is not None:
        q = q.where(s.c.date <= _as_date(end))
    q = q.order_by(s.c.date.desc(), s.c.id.desc())
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=SESSION_COLUMNS)
    for c in ("date", "follow_up"):
        df[c] = [None if v is None or pd.isna(v) else _as_date(v) for v in df[c]]
    return df


# ---------------------------------------------------------------- acknowledgements

def ack_flag(engine: Engine, scope: Scope, employee_id: str, rule_id: str, week: str, note: str,
             until_week: str | None = None) -> int:
    """Acknowledge a known issue so it is shown muted from `week` to `until_week` (inclusive; default `week`)."""
    if rule_id not in _rule_ids():
        raise _err("unknown_rule", rule_id=rule_id)
    week = _week(week)
    until_week = _week(until_week) if until_week else week
    if cal.week_bounds(until_week)[0] < cal.week_bounds(week)[0]:
        raise _err("until_before")
    note = _text(note, "note", MAX_TEXT, "note_required")
    with write_begin(engine) as conn:
        _check_target(conn, scope, employee_id)
        res = conn.execute(insert(t_.flag_acks).values(
            employee_id=employee_id, rule_id=rule_id, week=week, until_week=until_week, note=note,
            username=scope.username, at=now()))
        aid = int(res.inserted_primary_key[0])
        record(conn, scope.username, "coaching_ack", employee_id,
               {"id": aid, "rule_id": rule_id, "week": week, "until_week": until_week, "note": note})
    return aid


def remove_ack(engine: Engine, scope: Scope, ack_id: int) -> None:
    """Withdraw an acknowledgement (the flag shouts again)."""
    with write_begin(engine) as conn:
        row = conn.execute(select(t_.flag_acks).where(t_.flag_acks.c.id == ack_id)).mappings().first()
        if row is None:
            raise _err("no_ack", id=ack_id)
        _check_target(conn, scope, row["employee_id"])
        conn.execute(delete(t_.flag_acks).where(t_.flag_acks.c.id == ack_id))
        record(conn, scope.username, "coaching_ack_remove", row["employee_id"], dict(row))


def read_acks(engine: Engine, scope: Scope, week: str | None = None, team: str | None = None) -> pd.DataFrame:
    """Acknowledgements in the caller's scope (ACK_COLUMNS), oldest first; with `week`, only those covering it."""
    r = _scoped_roster_query(scope).subquery()
    a = t_.flag_acks
    q = select(a.c.id, a.c.employee_id, r.c.name.label("manager_name"), r.c.team, a.c.rule_id, a.c.week,
               a.c.until_week, a.c.note, a.c.username, a.c.at).join(r, r.c.employee_id == a.c.employee_id)
    if team:
        q = q.where(r.c.team == team)
    q = q.order_by(a.c.id)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=ACK_COLUMNS)
    if week is not None and not df.empty:
        w = cal.week_bounds(_week(week))[0]
        starts = [cal.week_bounds(x)[0] for x in df["week"]]
        ends = [cal.week_bounds(u or x)[0] for x, u in zip(df["week"], df["until_week"])]
        df = df[[s <= w <= e for s, e in zip(starts, ends)]].reset_index(drop=True)
    return df


# ---------------------------------------------------------------- rules setting

def save_rules(engine: Engine, scope: Scope, text: str):
    """Validate and store the coaching rules text (setting ``coaching_rules``; director only). Returns Rules.

    Raises :class:`core.coaching.RulesError` (nothing stored) when the text is not valid.
    """
    from core.coaching import SETTING_KEY, load_rules
    from core.store.config import set_setting
    scope.require("director")
    rules = load_rules(text)
    set_setting(engine, scope, SETTING_KEY, text)
    return rules


def reset_rules(engine: Engine, scope: Scope):
    """Store the default rules text again (director only)."""
    from core.coaching import default_rules_text
    return save_rules(engine, scope, default_rules_text())
