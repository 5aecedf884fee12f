"""Writing the coaching log: sessions, their outcomes and flag acknowledgements, validated, then stored.

Who may write is checked by the store with the caller's scope (:mod:`core.store.coaching`); this module checks
the values (rule ids, weeks, required and too-long texts, dates in order) and raises
:class:`core.errors.AppError` with a ``coaching.err.*`` key before anything is stored.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core import calendar as cal
from core.coaching.rules import RULE_IDS
from core.convert import as_date
from core.errors import AppError
from core.store import coaching as store

MAX_TOPIC = 200          # coaching_sessions.topic
MAX_COACH = 100          # coaching_sessions.coach
MAX_TEXT = 4000          # actions, outcome, acknowledgement notes


def _text(value, field: str, limit: int, required_key: str | None = None) -> str:
    s = "" if value is None else str(value).strip()
    if required_key and not s:
        raise AppError(f"coaching.err.{required_key}")
    if len(s) > limit:
        raise AppError("coaching.err.too_long", field=field, max=limit)
    return s


def _rule_id(rule_id) -> str:
    if rule_id not in RULE_IDS:
        raise AppError("coaching.err.unknown_rule", rule_id=rule_id)
    return rule_id


def _week(value) -> str:
    try:
        monday, _ = cal.week_bounds(value)
    except (ValueError, TypeError):
        raise AppError("coaching.err.bad_week", value=value) from None
    return cal.week_key(monday)


def add_session(engine, scope, *, date, coach: str, employee_id: str, topic: str, rule_id: str | None = None,
                actions: str = "", follow_up=None) -> int:
    """Record a coaching session; returns its id. Director: anyone; team lead: his team; manager: refused."""
    date = as_date(date)
    follow_up = as_date(follow_up) if follow_up not in (None, "") else None
    coach = _text(coach, "coach", MAX_COACH, "coach_required")
    topic = _text(topic, "topic", MAX_TOPIC, "topic_required")
    actions = _text(actions, "actions", MAX_TEXT)
    rule_id = None if rule_id in ("", None) else _rule_id(rule_id)
    if follow_up is not None and follow_up < date:
        raise AppError("coaching.err.follow_up_before")
    return store.insert_session(engine, scope, date=date, coach=coach, employee_id=employee_id, topic=topic,
                                rule_id=rule_id, actions=actions, follow_up=follow_up)


def record_outcome(engine, scope, session_id: int, outcome: str, follow_up=None) -> None:
    """Write the outcome of a session (did it work, what next), optionally moving its follow-up date."""
    outcome = _text(outcome, "outcome", MAX_TEXT)
    store.update_outcome(engine, scope, session_id, outcome,
                         as_date(follow_up) if follow_up not in (None, "") else None)


def delete_session(engine, scope, session_id: int) -> None:
    """Remove a session recorded by mistake (audited with its content)."""
    store.delete_session(engine, scope, session_id)


def ack_flag(engine, scope, employee_id: str, rule_id: str, week: str, note: str, until_week: str | None = None) -> int:
    """Acknowledge a known issue so it is shown muted from `week` to `until_week` (inclusive; default `week`)."""
    rule_id = _rule_id(rule_id)
    week = _week(week)
    until_week = _week(until_week) if until_week else week
    if cal.week_bounds(until_week)[0] < cal.week_bounds(week)[0]:
        raise AppError("coaching.err.until_before")
    note = _text(note, "note", MAX_TEXT, "note_required")
    return store.insert_ack(engine, scope, employee_id, rule_id, week, until_week, note)


def remove_ack(engine, scope, ack_id: int) -> None:
    """Withdraw an acknowledgement (the flag shouts again)."""
    store.delete_ack(engine, scope, ack_id)


def read_acks(engine, scope, week: str | None = None, team: str | None = None):
    """Acknowledgements in the caller's scope; with `week` (any spelling of an ISO week), those covering it."""
    return store.read_acks(engine, scope, week=None if week is None else _week(week), team=team)


# ---------------------------------------------------------------- defaults the coaching page offers

ACK_WEEKS_AHEAD = 8      # an acknowledgement may silence a flag up to this many weeks after the review week
FOLLOW_UP_DAYS = 14      # a session's follow-up, by default two weeks after it


def coachable(roster: pd.DataFrame, scope) -> pd.DataFrame:
    """The active managers of `roster` this account may record coaching for (none for a manager)."""
    if roster.empty:
        return roster
    may = pd.Series([scope.may_write_for(e, tm) for e, tm in zip(roster["employee_id"], roster["team"])],
                    index=roster.index, dtype=bool)
    return roster[roster["active"].astype(bool) & may]


def ack_until_choices(week: str) -> list[str]:
    """The weeks an acknowledgement of `week` may run until: `week` itself and the next ACK_WEEKS_AHEAD."""
    monday = cal.week_bounds(week)[0]
    return [cal.week_key(monday + dt.timedelta(weeks=i)) for i in range(ACK_WEEKS_AHEAD + 1)]


def default_session_date(week: str, today: dt.date) -> dt.date:
    """A session recorded from review week `week`: today, or the week's Sunday for a past week."""
    return min(today, cal.week_bounds(week)[1])


def default_follow_up(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=FOLLOW_UP_DAYS)
