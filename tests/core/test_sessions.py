"""core.sessions + core.store.sessions: server-side sign-in sessions on both databases.

Clocks are given explicitly (T0 + ...), so expiry is tested without waiting.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from core import auth, sessions
from core.scope import SYSTEM
from core.store import audit, logs
from core.store import sessions as store_sessions
from core.store import tables as tb

T0 = dt.datetime(2026, 11, 23, 8, 0, 0)
PW = "Chenhui2026"


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")


@pytest.fixture
def db(engine):
    roster = pd.DataFrame([{"employee_id": "CM002", "name": "李娜", "team": "对公一队", "line": "corporate",
                            "grade": "客户经理", "start_date": dt.date(2024, 1, 1), "mentor_id": None}])
    logs.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r")
    auth.create_user(engine, SYSTEM, "wang", "王行长", "director", password=PW)
    auth.create_user(engine, SYSTEM, "boss2", "赵行长", "director", password=PW)
    auth.create_user(engine, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    return engine


def scope(engine, username="wang"):
    return auth.scope_for_username(engine, username)


def test_start_and_restore_gives_the_accounts_scope(db):
    token = sessions.start(db, scope(db, "cm002"), user_agent="Chromium", now=T0)
    found = sessions.restore(db, token, now=T0 + dt.timedelta(minutes=5))
    assert found is not None
    assert (found.username, found.scope.role, found.scope.employee_id) == ("cm002", "manager", "CM002")
    assert found.expires_at == T0 + sessions.MAX_AGE          # 7 days after sign-in


def test_the_token_is_never_stored_only_its_sha256(db):
    token = sessions.start(db, scope(db), now=T0)
    with db.connect() as c:
        rows = [dict(r) for r in c.execute(select(tb.sessions)).mappings()]
    assert len(rows) == 1
    assert all(token not in str(v) for v in rows[0].values())
    assert rows[0]["token_hash"] == sessions.token_hash(token) and len(rows[0]["token_hash"]) == 64
    assert len(token) >= 43          # 32 random bytes, url-safe base64


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 500])
def test_unknown_tokens_restore_nothing(db, token):
    sessions.start(db, scope(db), now=T0)
    assert sessions.restore(db, token, now=T0) is None


@pytest.mark.parametrize("idle, alive", [
    (dt.timedelta(hours=11, minutes=59), True),    # under the 12 h idle limit
    (dt.timedelta(hours=12), False),               # exactly 12 h unused: ended
])
def test_idle_timeout(db, idle, alive):
    token = sessions.start(db, scope(db), now=T0)
    assert (sessions.restore(db, token, now=T0 + idle) is not None) is alive


def test_use_slides_the_idle_clock_but_not_the_maximum_age(db):
    token = sessions.start(db, scope(db), now=T0)
    at = T0
    for _ in range(13):                  # used every 11 h (never idle 12 h), 13 × 11 = 143 h so far
        at += dt.timedelta(hours=11)
        assert sessions.restore(db, token, now=at) is not None, at
    at += dt.timedelta(hours=11)         # 154 h
    assert sessions.restore(db, token, now=at) is not None
    at += dt.timedelta(hours=11)         # 165 h
    assert sessions.restore(db, token, now=at) is not None
    at += dt.timedelta(hours=3)          # 168 h = 7 days: the maximum age, however active
    assert sessions.restore(db, token, now=at) is None


def test_last_seen_is_written_at_most_once_a_minute(db):
    token = sessions.start(db, scope(db), now=T0)

    def last_seen():
        return store_sessions.get_by_hash(db, sessions.token_hash(token))["last_seen"]
    sessions.restore(db, token, now=T0 + dt.timedelta(seconds=59))
    assert last_seen() == T0                                   # 59 s: not touched
    sessions.restore(db, token, now=T0 + dt.timedelta(seconds=60))
    assert last_seen() == T0 + dt.timedelta(seconds=60)        # 1 min: touched
    sessions.restore(db, token, now=T0 + dt.timedelta(seconds=90))
    assert last_seen() == T0 + dt.timedelta(seconds=60)


def test_sign_out_ends_only_this_device(db):
    a = sessions.start(db, scope(db), now=T0)
    b = sessions.start(db, scope(db), now=T0)
    assert sessions.end(db, a, now=T0) is True
    assert sessions.end(db, a, now=T0) is False                # already ended
    assert sessions.restore(db, a, now=T0) is None
    assert sessions.restore(db, b, now=T0) is not None


def test_sign_out_everywhere_ends_every_session_of_the_account_only(db):
    mine = [sessions.start(db, scope(db), now=T0) for _ in range(3)]
    other = sessions.start(db, scope(db, "cm002"), now=T0)
    assert sessions.end_everywhere(db, scope(db), now=T0) == 3
    assert all(sessions.restore(db, tk, now=T0) is None for tk in mine)
    assert sessions.restore(db, other, now=T0) is not None
    assert [r["revoked_reason"] for r in store_sessions.list_sessions(db, "wang")] == ["sign_out_all"] * 3


def test_a_new_password_or_a_disabled_account_ends_every_session(db):
    own = sessions.start(db, scope(db, "cm002"), now=T0)
    auth.change_own_password(db, scope(db, "cm002"), PW, "Another2026x")
    assert sessions.restore(db, own) is None
    reset = sessions.start(db, scope(db, "cm002"))
    auth.reset_password(db, scope(db), "cm002", "Third2026xyz")
    assert sessions.restore(db, reset) is None
    boss = sessions.start(db, scope(db, "boss2"))
    auth.set_active(db, scope(db), "boss2", False)
    assert sessions.restore(db, boss) is None
    reasons = {r["revoked_reason"] for u in ("cm002", "boss2") for r in store_sessions.list_sessions(db, u)}
    assert reasons == {"password", "disabled"}


def test_a_disabled_account_cannot_restore_even_an_open_session(db):
    token = sessions.start(db, scope(db, "boss2"), now=T0)
    with db.begin() as c:   # disabled behind the app's back (no revocation): the account check still refuses
        c.execute(tb.users.update().where(tb.users.c.username == "boss2").values(active=False))
    assert sessions.restore(db, token, now=T0) is None


def test_open_sessions_lists_the_valid_ones(db):
    a = sessions.start(db, scope(db), now=T0)
    sessions.start(db, scope(db), now=T0)
    sessions.end(db, a, now=T0)
    assert len(sessions.open_sessions(db, scope(db), now=T0)) == 1


def test_sign_in_sign_out_and_everywhere_are_audited(db):
    a = sessions.start(db, scope(db), method="password", now=T0)
    sessions.end(db, a, now=T0)
    sessions.start(db, scope(db), now=T0)
    sessions.end_everywhere(db, scope(db), now=T0)
    trail = audit.read_audit(db, SYSTEM)
    got = [(u, act) for u, act in zip(trail["username"], trail["action"])
           if act in ("session_start", "sign_out", "sign_out_all")][::-1]
    assert got == [("wang", "session_start"), ("wang", "sign_out"), ("wang", "session_start"),
                   ("wang", "sign_out_all")]
