"""Access through the real app (app.py → sign-in gate → st.navigation → page), for every page and role:

* every page a role may open renders without an exception;
* a manager sees only his own employee ID and name in every table of every page; a team lead only his team;
* the settings page's file is not registered for team leads and managers (and refuses them itself, see
  tests/views/test_settings.py); its address leads to app.py's refusal page instead (in the page's language,
  tests/e2e/test_refusals.py);
* not signed in, only the sign-in form shows — on a real database without anything about accounts, in demo mode
  with the demo banner and the three one-click buttons;
* sign-in by form (wrong password, rate limit), by demo button, and a disabled account losing its session.
"""
from __future__ import annotations

import ast
import os
import re

import pandas as pd
import pytest

from core import auth, store
from core.i18n import t
from core.scope import PAGE_ROLES, SYSTEM
from core.store import config
from core.store import logs as store_logs
from tests.views.helpers import APP, rerun, run_page, texts

DAY = {"day": "2026-11-20", "week": "2026-W47", "month": "2026-11"}
ROLES = {"demo_director": "director", "demo_lead": "team_lead", "demo_manager": "manager"}


def _app_pages() -> list[tuple[str, tuple[str, ...]]]:
    """(page file, roles allowed): the pages app.py routes (read from its source; importing it would run it) with
    the roles core.scope.PAGE_ROLES lets open each."""
    tree = ast.parse(open(APP, encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(tg, "id", None) == "PAGES" for tg in node.targets):
            files = [p[0] for p in ast.literal_eval(node.value)]
            assert set(PAGE_ROLES) == {f.split("/")[-1][:-3] for f in files}
            return [(f, tuple(PAGE_ROLES[f.split("/")[-1][:-3]])) for f in files]
    raise AssertionError("app.py declares no PAGES")


PAGES = _app_pages()
ALLOWED = [(page, user) for page, roles in PAGES for user, role in ROLES.items() if role in roles]
REFUSED = [(page, user) for page, roles in PAGES for user, role in ROLES.items() if role not in roles]


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")


def _frames(at) -> list[pd.DataFrame]:
    out = []
    for el in list(at.dataframe) + list(at.table):
        value = el.value
        if isinstance(value, pd.DataFrame):
            out.append(value)
    return out


def _cells(df: pd.DataFrame) -> set[str]:
    values = {str(c) for c in df.columns} | {str(i) for i in df.index}
    for col in df.columns:
        values |= {str(v).strip() for v in df[col].tolist()}
    return values


def _roster(url: str) -> pd.DataFrame:
    return store_logs.read_roster(store.get_engine(url), SYSTEM)


# ---------------------------------------------------------------- every page, every role

@pytest.mark.parametrize("page, user", ALLOWED)
def test_page_renders_for_role(demo_db_url, page, user):
    at = run_page(page, demo_db_url, user, query=DAY)
    assert not at.exception, at.exception
    assert at.session_state["username"] == user


@pytest.mark.parametrize("page, user", REFUSED)
def test_page_not_offered_to_role(demo_db_url, page, user):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_page(page, demo_db_url, user, query=DAY)


@pytest.mark.parametrize("page", [p for p, roles in PAGES if "manager" in roles])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_sees_only_himself(demo_db_url, page, lang):
    roster = _roster(demo_db_url)
    me = auth.scope_for_username(store.get_engine(demo_db_url), "demo_manager").employee_id
    my_name = roster.set_index("employee_id").loc[me, "name"]
    others = roster[roster["employee_id"] != me]
    other_ids, other_names = set(others["employee_id"]), set(others["name"]) - {my_name}
    at = run_page(page, demo_db_url, "demo_manager", lang=lang, query=DAY)
    assert not at.exception, at.exception
    for df in _frames(at):
        cells = _cells(df)
        assert not cells & other_ids, (page, sorted(cells & other_ids)[:5])
        assert not cells & other_names, (page, sorted(cells & other_names)[:5])
    body = texts(at)
    leaked_ids = {e for e in other_ids if re.search(rf"(?<![A-Za-z0-9]){re.escape(e)}(?![0-9])", body)}
    assert not leaked_ids, (page, sorted(leaked_ids)[:5])
    assert not {n for n in other_names if n in body}, page


@pytest.mark.parametrize("page", [p for p, roles in PAGES if "team_lead" in roles])
def test_team_lead_sees_only_his_team(demo_db_url, page):
    roster = _roster(demo_db_url)
    scope = auth.scope_for_username(store.get_engine(demo_db_url), "demo_lead")
    mine = roster[(roster["team"] == scope.team) | (roster["employee_id"] == scope.employee_id)]
    other_ids = set(roster["employee_id"]) - set(mine["employee_id"])
    other_names = set(roster["name"]) - set(mine["name"])
    other_teams = set(roster["team"]) - {scope.team}
    at = run_page(page, demo_db_url, "demo_lead", query=DAY)
    assert not at.exception, at.exception
    for df in _frames(at):
        cells = _cells(df)
        assert not cells & other_ids, (page, sorted(cells & other_ids)[:5])
        assert not cells & other_names, (page, sorted(cells & other_names)[:5])
        assert not cells & other_teams, (page, sorted(cells & other_teams))


# ---------------------------------------------------------------- not signed in

def _only_signin_form(at, lang: str) -> None:
    assert not at.exception, at.exception
    labels = [w.label for w in at.text_input]
    assert labels == [t("auth.username", lang), t("auth.password", lang)]
    assert not _frames(at) and not at.metric and not at.tabs
    assert "username" not in at.session_state


@pytest.mark.parametrize("page", [None] + [p for p, _roles in PAGES])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_not_signed_in_real_database_shows_nothing_but_the_form(demo_db_url, page, lang):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")   # demo sign-in closes
    config.set_setting(eng, SYSTEM, "demo_mode", "false")                           # and it is real data
    roster = _roster(demo_db_url)
    at = run_page(page, demo_db_url, None, lang=lang)
    assert not at.exception, at.exception
    # Whatever page is asked for, no data: no table, no tile, no name or employee ID of anyone.
    assert not _frames(at) and not at.metric and not at.tabs
    body = texts(at)
    assert not any(name in body for name in roster["name"])
    assert not any(eid in body for eid in roster["employee_id"])
    assert "username" not in at.session_state
    if page is None:
        _only_signin_form(at, lang)
        assert [b.label for b in at.button] == [t("auth.submit", lang)]       # nothing about accounts
        assert t("auth.demo_banner", lang) not in body


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_not_signed_in_demo_shows_banner_and_demo_buttons(demo_db_url, lang):
    at = run_page(None, demo_db_url, None, lang=lang)
    _only_signin_form(at, lang)
    assert any(t("auth.demo_banner", lang) in w.value for w in at.warning)
    assert [b.label for b in at.button][:3] == [t(f"auth.demo_as_{r}", lang)
                                                for r in ("director", "team_lead", "manager")]


def test_demo_buttons_disappear_once_a_real_director_exists(demo_db_url):
    auth.create_user(store.get_engine(demo_db_url), SYSTEM, "boss", None, "director", password="abc12345")
    at = run_page(None, demo_db_url, None, lang="en")
    _only_signin_form(at, "en")
    assert [b.label for b in at.button] == [t("auth.submit", "en")]
    assert t("auth.demo_closed", "en") in texts(at)


# ---------------------------------------------------------------- signing in and out

@pytest.mark.parametrize("role, user", [("director", "demo_director"), ("team_lead", "demo_lead"),
                                        ("manager", "demo_manager")])
def test_demo_button_signs_in(demo_db_url, role, user):
    at = run_page(None, demo_db_url, None, lang="en")
    next(b for b in at.button if b.key == f"signin_demo_{role}").click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    assert at.session_state["username"] == user
    assert not [w for w in at.text_input if w.label == t("auth.password", "en")]


def _sign_in(at, url: str, username: str, password: str):
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    next(b for b in at.button if b.label == t("auth.submit", "en")).click()
    return rerun(at, url)


def test_form_sign_in_wrong_password_and_lock(demo_db_url):
    auth.create_user(store.get_engine(demo_db_url), SYSTEM, "boss", None, "director", password="abc12345")
    at = run_page(None, demo_db_url, None, lang="en")
    for _ in range(4):
        _sign_in(at, demo_db_url, "boss", "wrong9999")
        assert [e.value for e in at.error] == [t("auth.bad_credentials", "en")]
    _sign_in(at, demo_db_url, "boss", "wrong9999")
    # the 5th failure from this browser makes it wait 1 minute (core.throttle back-off: 1, 2, 4... min)
    assert [e.value for e in at.error] == [t("auth.locked", "en", minutes=1)]
    _sign_in(at, demo_db_url, "boss", "abc12345")        # the right password while locked: still refused
    assert "username" not in at.session_state
    assert at.error and "Try again in" in at.error[0].value


def test_form_sign_in(demo_db_url):
    auth.create_user(store.get_engine(demo_db_url), SYSTEM, "boss", "王行长", "director", password="abc12345")
    at = run_page(None, demo_db_url, None, lang="en")
    _sign_in(at, demo_db_url, "Boss", "abc12345")
    assert not at.exception, at.exception
    assert at.session_state["username"] == "boss"
    assert at.session_state["display_name"] == "王行长"
    assert at.button(key="w_signout").label == t("app.sign_out", "en")
    assert not [w for w in at.text_input if w.label == t("auth.password", "en")]


def _sign_out_app():
    import streamlit as st

    from views import signin
    if st.button("out", key="out"):
        signin.sign_out()
    st.write(sorted(k for k in st.session_state if not k.startswith("$")))


def test_sign_out_forgets_the_account_and_the_page_context():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_sign_out_app)
    for k, v in {"username": "boss", "display_name": "王行长", "signin_method": "password",
                 "_page_context": object()}.items():
        at.session_state[k] = v
    at.run()
    at.button(key="out").click().run()
    assert not at.exception
    for k in ("username", "display_name", "signin_method", "_page_context"):
        assert k not in at.session_state, k
    assert at.session_state["_signin_notice"] == "auth.signed_out"


def test_disabled_account_loses_its_session_at_once(demo_db_url):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")
    auth.create_user(eng, SYSTEM, "li.na", None, "manager", employee_id="CM002", password="abc12345")
    at = run_page(None, demo_db_url, "li.na", lang="en")
    assert not at.exception, at.exception
    assert at.session_state["username"] == "li.na"
    auth.set_active(eng, SYSTEM, "li.na", False)
    # app.py rebuilds the scope from the database on its next run: the same session is now refused
    at = run_page(None, demo_db_url, "li.na", lang="en")
    _only_signin_form(at, "en")
    assert t("auth.session_ended", "en") in [i.value for i in at.info]


SSO_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                         "client_id": "dashboard", "client_secret": "s3cret",
                         "server_metadata_url": "https://sso.bank.example/.well-known/openid-configuration"}}


def _run_sso(url: str, user: dict, lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    from tests.views.helpers import _env
    at = AppTest.from_file(os.path.abspath(APP), default_timeout=120)
    at.secrets = SSO_SECRETS
    at.user = user
    if lang != "zh":
        at.query_params["lang"] = lang
    with _env(DATABASE_URL=url, DASH_NO_DEMO="1", DASH_RAISE="1"):
        at.run()
    return at


@pytest.mark.parametrize("email, username", [("li.na@bank.example", "li.na"), ("LI.NA@bank.example", "li.na"),
                                             ("boss@bank.example", "boss")])
def test_single_sign_on_maps_the_email_to_the_account(demo_db_url, email, username):
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "boss", None, "director", email="boss@bank.example")
    auth.create_user(eng, SYSTEM, "li.na", None, "manager", employee_id="CM002", email="li.na@bank.example")
    at = _run_sso(demo_db_url, {"is_logged_in": True, "email": email})
    assert not at.exception, at.exception
    assert at.session_state["username"] == username
    assert at.session_state["signin_method"] == "sso"


@pytest.mark.parametrize("email", ["stranger@bank.example", ""])
def test_single_sign_on_with_an_unknown_email_is_refused(demo_db_url, email):
    auth.create_user(store.get_engine(demo_db_url), SYSTEM, "boss", None, "director", password="abc12345")
    at = _run_sso(demo_db_url, {"is_logged_in": True, "email": email})
    _only_signin_form(at, "en")
    assert [e.value for e in at.error] == [t("auth.sso_unknown", "en", email=email or "—")]
    assert not any(name in texts(at) for name in _roster(demo_db_url)["name"])


def test_single_sign_on_button_when_configured(demo_db_url):
    auth.create_user(store.get_engine(demo_db_url), SYSTEM, "boss", None, "director", password="abc12345")
    at = _run_sso(demo_db_url, {"is_logged_in": False})
    _only_signin_form(at, "en")
    assert [b.label for b in at.button] == [t("auth.submit", "en"), t("auth.sso_button", "en")]


def test_unknown_session_username_is_refused(demo_db_url):
    at = run_page(None, demo_db_url, "no.such.person", lang="en")
    _only_signin_form(at, "en")


def test_app_file_is_where_helpers_expect_it():
    assert os.path.exists(APP)
