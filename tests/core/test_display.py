"""core.display + core.store.display: the director's display links on both databases, and the read-only
display scope they open (core.scope.display_scope)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from core import display
from core.errors import AppError, ScopeError
from core.scope import SYSTEM, Scope, display_scope
from core.store import audit, logs
from core.store import tables as tb

T0 = dt.datetime(2026, 11, 23, 8, 0, 0)
LEAD = Scope("team_lead", username="li", team="对公一队")
MANAGER = Scope("manager", username="cm002", employee_id="CM002")


@pytest.fixture
def db(engine):
    roster = pd.DataFrame([
        {"employee_id": e, "name": n, "team": tm, "line": "corporate", "grade": "客户经理",
         "start_date": dt.date(2024, 1, 1), "mentor_id": None}
        for e, n, tm in (("CM001", "张伟", "对公一队"), ("CM002", "李娜", "对公一队"), ("CM101", "王强", "对公二队"))])
    logs.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r")
    return engine


def opens(db, action="display_open") -> int:
    return int((audit.read_audit(db, SYSTEM, action=action)["action"] == action).sum())


def test_a_branch_link_opens_the_whole_branch_read_only(db):
    link_id, token = display.create(db, SYSTEM, "branch", "三楼会议室", now=T0)
    got = display.open_link(db, token, now=T0)
    assert got is not None and got.link_id == link_id and got.label == "三楼会议室"
    assert got.scope.is_display and got.scope.team is None
    assert sorted(logs.read_roster(db, got.scope)["employee_id"]) == ["CM001", "CM002", "CM101"]


def test_a_team_link_reads_only_its_team(db):
    _id, token = display.create(db, SYSTEM, "team", "对公一队晨会", team="对公一队", now=T0)
    got = display.open_link(db, token, now=T0)
    assert sorted(logs.read_roster(db, got.scope)["employee_id"]) == ["CM001", "CM002"]


def test_the_token_is_never_stored(db):
    _id, token = display.create(db, SYSTEM, "branch", "大屏", now=T0)
    with db.connect() as c:
        row = dict(c.execute(select(tb.display_links)).mappings().one())
    assert all(token not in str(v) for v in row.values())
    assert row["token_hash"] == display.token_hash(token)


@pytest.mark.parametrize("actor", [LEAD, MANAGER, display_scope(1, None)])
def test_only_a_director_creates_lists_or_revokes(db, actor):
    link_id, _ = display.create(db, SYSTEM, "branch", "大屏", now=T0)
    with pytest.raises(ScopeError):
        display.create(db, actor, "branch", "x")
    with pytest.raises(ScopeError):
        display.revoke(db, actor, link_id)
    with pytest.raises(ScopeError):
        display.list_links(db, actor)


@pytest.mark.parametrize("kwargs, key", [
    (dict(scope="room", label="x"), "display.bad_scope"),
    (dict(scope="branch", label="  "), "display.bad_label"),
    (dict(scope="branch", label="x" * 101), "display.bad_label"),
    (dict(scope="team", label="x"), "display.team_needed"),
    (dict(scope="team", label="x", team="不存在的队"), "display.unknown_team"),
    (dict(scope="branch", label="x", days=0), "display.bad_days"),
])
def test_bad_input_is_refused_with_its_message(db, kwargs, key):
    with pytest.raises(AppError) as exc:
        display.create(db, SYSTEM, **kwargs)
    assert exc.value.key == key


def test_a_revoked_link_opens_nothing(db):
    link_id, token = display.create(db, SYSTEM, "branch", "大屏", now=T0)
    assert display.revoke(db, SYSTEM, link_id, now=T0) is True
    assert display.revoke(db, SYSTEM, link_id, now=T0) is False
    assert display.open_link(db, token, now=T0) is None
    assert display.still_open(db, link_id, now=T0) is False
    with pytest.raises(AppError):
        display.revoke(db, SYSTEM, 999)


def test_an_expired_link_opens_nothing(db):
    link_id, token = display.create(db, SYSTEM, "branch", "大屏", days=2, now=T0)
    assert display.open_link(db, token, now=T0 + dt.timedelta(days=2, seconds=-1)) is not None
    assert display.open_link(db, token, now=T0 + dt.timedelta(days=2)) is None
    assert [r["status"] for r in display.list_links(db, SYSTEM, now=T0 + dt.timedelta(days=3))] == ["expired"]


@pytest.mark.parametrize("token", [None, "", "guess", "y" * 300])
def test_unknown_tokens_open_nothing(db, token):
    display.create(db, SYSTEM, "branch", "大屏", now=T0)
    assert display.open_link(db, token, now=T0) is None


def test_opening_is_audited_at_most_once_an_hour(db):
    _id, token = display.create(db, SYSTEM, "branch", "大屏", now=T0)
    for minutes in (0, 3, 6, 59):                 # refreshes within the first hour: one entry
        display.open_link(db, token, now=T0 + dt.timedelta(minutes=minutes))
    assert opens(db) == 1
    display.open_link(db, token, now=T0 + dt.timedelta(minutes=60))   # an hour after the first: a second
    display.open_link(db, token, now=T0 + dt.timedelta(minutes=61))
    assert opens(db) == 2
    assert opens(db, "display_create") == 1


def test_create_and_revoke_are_audited(db):
    link_id, _ = display.create(db, SYSTEM, "team", "对公一队晨会", team="对公一队", now=T0)
    display.revoke(db, SYSTEM, link_id, now=T0)
    trail = audit.read_audit(db, SYSTEM)
    got = [(a, tg) for a, tg in zip(trail["action"], trail["target"]) if a.startswith("display_")][::-1]
    assert got == [("display_create", "对公一队晨会"), ("display_revoke", "对公一队晨会")]


def test_link_url():
    assert display.link_url("http://10.0.0.5:8501/settings?x=1", "abc") == "http://10.0.0.5:8501/?display=abc"
    assert display.link_url("", "abc") == "http://localhost:8501/?display=abc"


def test_the_display_scope_writes_nothing_even_for_its_team(db):
    """Writes through the store are refused for the kiosk's scope, in core."""
    kiosk = display_scope(1, "对公一队")
    roster = pd.DataFrame([{"employee_id": "CM003", "name": "新人", "team": "对公一队", "line": "corporate",
                            "grade": "客户经理", "start_date": dt.date(2024, 1, 1), "mentor_id": None}])
    with pytest.raises(ScopeError):
        logs.apply_roster(db, kiosk, roster, "roster.xlsx", "k")
    assert "CM003" not in set(logs.read_roster(db, SYSTEM)["employee_id"])
