"""The display link in the app: Settings → 投屏链接 (create, show once, revoke) and the kiosk that app.py shows
for ``?display=TOKEN`` (AppTest; the browser journey is tests/e2e/test_sessions_display.py)."""
from __future__ import annotations

import pytest

from core import display, store
from core.i18n import t
from core.scope import SYSTEM
from tests.views.helpers import run_page, texts
from tests.views.test_settings import again, button, open_settings


def _html(at) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def _all(at) -> str:
    return texts(at) + "\n" + "\n".join(str(c.value) for c in at.code) + "\n" + _html(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_director_creates_a_team_link_sees_it_once_and_revokes_it(demo_db_url, lang):
    eng = store.get_engine(demo_db_url)
    at = open_settings(demo_db_url, "demo_director", lang)
    assert not at.exception, at.exception
    assert t("display.settings_tab", lang) in [tb.label for tb in at.tabs]
    assert t("display.none", lang) in texts(at)
    at.text_input(key="display_label").input("三楼会议室")
    at.radio(key="display_scope").set_value("team")
    at.selectbox(key="display_team").select("对公一队")
    button(at, t("display.create", lang)).click()
    at = again(at, demo_db_url, "demo_director", lang)      # (creating reruns the page, which shows the address)
    assert not at.exception, at.exception
    codes = [str(c.value) for c in at.code if "display=" in str(c.value)]
    assert len(codes) == 1, _all(at)[:2000]
    token = codes[0].split("display=")[1]
    opened = display.open_link(eng, token)
    assert opened is not None and opened.team == "对公一队" and opened.label == "三楼会议室"
    # shown once: the next run no longer has it
    at = again(at, demo_db_url, "demo_director", lang)
    assert not [c for c in at.code if token in str(c.value)]
    (link,) = display.list_links(eng, SYSTEM)
    at.selectbox(key="display_revoke_pick").select(link["id"])
    button(at, t("display.revoke", lang)).click()
    at = again(at, demo_db_url, "demo_director", lang)
    assert not at.exception, at.exception
    assert display.open_link(eng, token) is None
    assert [r["status"] for r in display.list_links(eng, SYSTEM)] == ["revoked"]


def test_bad_input_shows_the_message(demo_db_url):
    at = open_settings(demo_db_url, "demo_director", "en")
    button(at, t("display.create", "en")).click()             # no name
    at = again(at, demo_db_url, "demo_director", "en")
    assert t("display.bad_label", "en", max=100) in [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_kiosk_shows_slides_and_nothing_else(demo_db_url, lang):
    _id, token = display.create(store.get_engine(demo_db_url), SYSTEM, "branch", "大屏")
    at = run_page(None, demo_db_url, None, lang=lang, query={"display": token, "rotate": "0"})   # held on slide 1
    assert not at.exception, at.exception
    body = _html(at)
    assert "bs-tile" in body and t("display.kiosk_title", lang, label="大屏") in body
    assert not at.sidebar.children or all(not c.children for c in at.sidebar.children.values())
    assert not at.text_input                                   # no sign-in form
    assert t("auth.signin_title", lang) not in texts(at)


@pytest.mark.parametrize("now, shown", [(0.0, 1), (20.0, 2), (45.0, 3), (79.9, 4), (80.0, 1)])
def test_a_rotating_kiosk_shows_the_slide_of_the_clock(demo_db_url, monkeypatch, now, shown):
    """Rotating, the slide comes from the clock (every 20 s by default): no state to keep between refreshes."""
    from ui import bigscreen
    real = bigscreen.slide_at
    monkeypatch.setattr(bigscreen, "slide_at", lambda every, n=len(bigscreen.SLIDES), now=None, _at=now: real(every, n, _at))
    _id, token = display.create(store.get_engine(demo_db_url), SYSTEM, "branch", "大屏")
    at = run_page(None, demo_db_url, None, lang="zh", query={"display": token})
    assert not at.exception, at.exception
    body = _html(at)
    assert t("display.slide_of", "zh", n=shown, total=4) in body, body[:600]


def test_a_revoked_link_shows_only_the_message(demo_db_url):
    eng = store.get_engine(demo_db_url)
    link_id, token = display.create(eng, SYSTEM, "branch", "大屏")
    display.revoke(eng, SYSTEM, link_id)
    at = run_page(None, demo_db_url, "demo_director", query={"display": token})   # even when signed in
    assert not at.exception, at.exception
    body = _html(at)
    assert t("display.closed_title", "zh") in body and "bs-tile" not in body
    assert not at.button and not at.text_input and not at.dataframe
