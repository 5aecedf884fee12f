"""views/signin.py: the session cookie's script — set with its attributes after sign-in, cleared at sign-out,
and the server-side session behind it (AppTest cannot send cookies; the browser journey does:
tests/e2e/test_sessions_display.py)."""
from __future__ import annotations

import re

from core import auth, sessions, store
from core.i18n import t
from core.scope import SYSTEM
from core.store import sessions as store_sessions
from tests.views.helpers import rerun, run_page

PW = "Chenhui2026"


def _scripts(at) -> list[str]:
    return [e.proto.body for e in at.get("html") if "document.cookie" in e.proto.body]


def test_sign_in_sets_the_cookie_and_sign_out_clears_it_and_ends_the_session(demo_db_url, monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "wang", "王行长", "director", password=PW)
    at = run_page(None, demo_db_url, None)
    at.text_input(key="signin_username").input("wang")
    at.text_input(key="signin_password").input(PW)
    next(b for b in at.button if b.label == t("auth.submit", "zh")).click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    assert at.session_state["username"] == "wang"
    (script,) = _scripts(at)
    token = at.session_state["_session_token"]
    assert f"cmdash_session={token}; Path=/; SameSite=Strict; Max-Age={7 * 24 * 3600}" in script
    assert "Secure" not in script                       # plain http here; https adds Secure
    assert sessions.restore(eng, token) is not None
    (row,) = store_sessions.list_sessions(eng, "wang")
    assert row["method"] == "password" and row["revoked_at"] is None

    at.button(key="w_signout").click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    assert "username" not in at.session_state
    (script,) = _scripts(at)
    assert re.search(r"cmdash_session=; Path=/; SameSite=Strict; Max-Age=0", script)
    assert sessions.restore(eng, token) is None
    assert store_sessions.list_sessions(eng, "wang")[0]["revoked_reason"] == "sign_out"


def test_a_revoked_session_signs_the_tab_out_at_its_next_run(demo_db_url, monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "wang", "王行长", "director", password=PW)
    scope = auth.scope_for_username(eng, "wang")
    token = sessions.start(eng, scope)
    at = run_page(None, demo_db_url, "wang", session={"_session_token": token})
    assert at.session_state["username"] == "wang"
    sessions.end_everywhere(eng, scope)                    # e.g. from another browser
    rerun(at, demo_db_url)
    assert "username" not in at.session_state
    assert t("session.ended", "zh") in [i.value for i in at.info]
