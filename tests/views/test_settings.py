"""设置 Settings page: directors only; accounts (create, disable, reset), roster (read-only), calendar overrides,
audit trail. The page is run on its own with a PageContext (as app.py would set it), on the demo bank."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from streamlit.testing.v1 import AppTest

from core import auth, store
from core.i18n import t
from core.scope import SYSTEM, ScopeError
from core.store import accounts as acc
from core.store import audit, config
from tests.views.helpers import texts
from ui.context import PageContext

PAGE = os.path.join(os.path.dirname(__file__), "..", "..", "views", "settings.py")
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")
    monkeypatch.setenv("DASH_RAISE", "1")


def _context(url: str, username: str, lang: str) -> PageContext:
    eng = store.get_engine(url)
    return PageContext(engine=eng, scope=auth.scope_for_username(eng, username), lang=lang, today=TODAY,
                       day=TODAY, week="2026-W47", month="2026-11", db_url=url, data_version=store.data_version(eng),
                       display_name=username, demo=True)


def open_settings(url: str, username: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(os.path.abspath(PAGE), default_timeout=120)
    at.session_state["username"] = username
    at.session_state["_page_context"] = _context(url, username, lang)
    at.run()
    return at


def again(at: AppTest, url: str, username: str, lang: str = "zh") -> AppTest:
    """Run again after an interaction (app.py rebuilds the context, with a fresh data version, on every run)."""
    at.session_state["_page_context"] = _context(url, username, lang)
    at.run()
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_director_sees_every_section(demo_db_url, lang):
    at = open_settings(demo_db_url, "demo_director", lang)
    assert not at.exception, at.exception
    assert not at.error
    labels = [tb.label for tb in at.tabs]
    for key in ("settings.tab_accounts", "settings.tab_roster", "settings.tab_calendar", "settings.tab_audit"):
        assert t(key, lang) in labels
    body = texts(at)
    assert t("settings.accounts_summary", lang, total=3, active=3, directors=0) in body
    assert t("settings.no_real_director", lang) in body          # demo accounts only, so far
    users = next(df.value for df in at.dataframe if "username" in df.value.columns)
    assert sorted(users["username"]) == ["demo_director", "demo_lead", "demo_manager"]
    roster = next(df.value for df in at.dataframe if "mentor" in df.value.columns)
    assert len(roster) == 32 and roster["employee_id"].is_unique    # the demo bank: 4 teams × 8


@pytest.mark.parametrize("username", ["demo_lead", "demo_manager"])
def test_the_page_refuses_non_directors(demo_db_url, username):
    at = open_settings(demo_db_url, username)
    assert not at.exception
    assert [e.value for e in at.error] == [t("settings.directors_only", "zh")]
    assert not at.tabs and not at.dataframe and not at.text_input


def _fill_create(at, **values):
    for key, value in values.items():
        if key in ("role", "team", "employee"):
            at.selectbox(key=f"acc_new_{key}").select(value)
        else:
            at.text_input(key=f"acc_new_{key}").input(value)


@pytest.mark.parametrize("values, username, expected", [
    (dict(username="li.na", role="manager", employee="CM002", pw="abc12345", pw2="abc12345"), "li.na",
     dict(role="manager", employee_id="CM002", has_password=True)),
    (dict(username="lead.one", role="team_lead", team="对公一队", pw="abc12345", pw2="abc12345"), "lead.one",
     dict(role="team_lead", team="对公一队", employee_id=None)),
    (dict(username="sso.boss", role="director", email="boss@bank.example"), "sso.boss",
     dict(role="director", email="boss@bank.example", has_password=False)),
])
def test_director_creates_an_account(demo_db_url, values, username, expected):
    at = open_settings(demo_db_url, "demo_director", "en")
    _fill_create(at, **values)
    button(at, t("settings.create_button", "en")).click()
    again(at, demo_db_url, "demo_director", "en")
    eng = store.get_engine(demo_db_url)
    user = acc.get_user(eng, username)
    assert user is not None
    for k, v in expected.items():
        assert user[k] == v, k
    created = audit.read_audit(eng, SYSTEM, action="user_create")
    assert (created["username"].iat[0], created["target"].iat[0]) == ("demo_director", username)
    if expected["role"] != "director":
        assert t("settings.created", "en", username=username) in texts(at)


@pytest.mark.parametrize("values, message_key, params", [
    (dict(username="li.na", role="manager", employee="CM002", pw="abc12345", pw2="abc12399"),
     "auth.password_mismatch", {}),
    (dict(username="li.na", role="manager", employee="CM002", pw="short", pw2="short"),
     "auth.password_too_short", {"min": 8}),
    (dict(username="li.na", role="manager", pw="abc12345", pw2="abc12345"), "auth.employee_required", {}),
    (dict(username="li.na", role="manager", employee="CM002"), "settings.password_or_email", {}),
    (dict(username="demo_lead", role="director", pw="abc12345", pw2="abc12345"), "auth.username_taken",
     {"username": "demo_lead"}),
])
def test_rejected_account_shows_why_and_stores_nothing(demo_db_url, values, message_key, params):
    at = open_settings(demo_db_url, "demo_director", "zh")
    _fill_create(at, **values)
    button(at, t("settings.create_button", "zh")).click()
    again(at, demo_db_url, "demo_director", "zh")
    assert not at.exception
    assert t(message_key, "zh", **params) in [e.value for e in at.error]
    assert len(acc.list_users(store.get_engine(demo_db_url))) == 3


def test_creating_a_real_director_ends_the_demo_session(demo_db_url):
    at = open_settings(demo_db_url, "demo_director", "en")
    _fill_create(at, username="boss", role="director", pw="abc12345", pw2="abc12345")
    button(at, t("settings.create_button", "en")).click()
    at.run()
    eng = store.get_engine(demo_db_url)
    assert acc.get_user(eng, "boss")["role"] == "director"
    assert not auth.demo_signin_available(eng)
    with pytest.raises(ScopeError):
        auth.scope_for_username(eng, "demo_director")


def test_director_disables_and_enables_an_account(demo_db_url):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")
    auth.create_user(eng, SYSTEM, "li.na", None, "manager", employee_id="CM002", password="abc12345")
    at = open_settings(demo_db_url, "boss", "en")
    at.selectbox(key="acc_manage_user").select("li.na")
    again(at, demo_db_url, "boss", "en")
    button(at, t("settings.disable", "en")).click()
    again(at, demo_db_url, "boss", "en")
    assert not acc.get_user(eng, "li.na")["active"]
    assert t("settings.disabled_ok", "en", username="li.na") in texts(at)
    button(at, t("settings.enable", "en")).click()
    again(at, demo_db_url, "boss", "en")
    assert acc.get_user(eng, "li.na")["active"]
    trail = audit.read_audit(eng, SYSTEM)
    assert list(trail.loc[trail["action"].isin(["user_disable", "user_enable"]), "username"]) == ["boss", "boss"]


def test_director_cannot_disable_himself(demo_db_url):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")
    at = open_settings(demo_db_url, "boss", "en")
    at.selectbox(key="acc_manage_user").select("boss")
    again(at, demo_db_url, "boss", "en")
    assert button(at, t("settings.disable", "en")).disabled


def test_director_resets_a_password(demo_db_url):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")
    auth.create_user(eng, SYSTEM, "li.na", None, "manager", employee_id="CM002", password="abc12345")
    at = open_settings(demo_db_url, "boss", "zh")
    at.selectbox(key="acc_manage_user").select("li.na")
    again(at, demo_db_url, "boss", "zh")
    at.text_input(key="acc_reset_pw").input("fresh2026")
    at.text_input(key="acc_reset_pw2").input("fresh2026")
    button(at, t("settings.reset_button", "zh")).click()
    again(at, demo_db_url, "boss", "zh")
    assert auth.authenticate(eng, "li.na", "fresh2026").ok
    assert not auth.authenticate(eng, "li.na", "abc12345").ok


@pytest.mark.parametrize("kind, day, workday", [
    ("dayoff", dt.date(2026, 11, 23), False),     # a Monday made a day off
    ("workday", dt.date(2026, 11, 22), True),     # a Sunday made a working day
])
def test_calendar_override_is_saved_and_listed(demo_db_url, kind, day, workday):
    at = open_settings(demo_db_url, "demo_director", "en")
    at.date_input(key="cal_day").set_value(day)
    at.radio(key="cal_kind").set_value(kind)
    at.text_input(key="cal_note").input("branch event")
    button(at, t("word.save", "en")).click()
    again(at, demo_db_url, "demo_director", "en")
    eng = store.get_engine(demo_db_url)
    assert config.calendar_overrides(eng) == {day: workday}
    table = next(df.value for df in at.dataframe if "override" in df.value.columns)
    assert list(table["note"]) == ["branch event"]
    # removing it again
    at.date_input(key="cal_day").set_value(day)
    at.radio(key="cal_kind").set_value("remove")
    button(at, t("word.save", "en")).click()
    again(at, demo_db_url, "demo_director", "en")
    assert config.calendar_overrides(eng) == {}
    assert list(audit.read_audit(eng, SYSTEM, action="calendar")["username"]) == ["demo_director"] * 2


def test_audit_trail_shows_who_did_what(demo_db_url):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")
    config.set_calendar_override(eng, auth.scope_for_username(eng, "boss"), dt.date(2026, 12, 31), False, "年终")
    at = open_settings(demo_db_url, "boss", "zh")
    trail = next(df.value for df in at.dataframe if "detail" in df.value.columns)
    rows = set(zip(trail["username"], trail["action"], trail["target"]))
    assert ("system", t("settings.action.user_create", "zh"), "boss") in rows
    assert ("boss", t("settings.action.calendar", "zh"), "2026-12-31") in rows
    # sign-ins are hidden unless asked for
    auth.authenticate(eng, "boss", "abc12345")
    at.toggle(key="audit_hide_logins").set_value(False)
    again(at, demo_db_url, "boss", "zh")
    trail = next(df.value for df in at.dataframe if "detail" in df.value.columns)
    assert t("settings.action.login", "zh") in set(trail["action"])
