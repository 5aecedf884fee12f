"""Staying signed in, bookmarks, and the director's display link — in Chromium, on SQLite and PostgreSQL.

* F5 keeps the session, the page and big-screen mode; a new browser window with the same cookie jar (a browser
  restart) is still signed in; "sign out everywhere" ends the other window's session at its next load.
* A bookmark (/weekly?team=对公二队&week=2026-W46) opened while signed out shows the sign-in form and, after
  signing in, that page with those filters.
* The display link opens with no password, shows only the kiosk (no sidebar, no navigation), refreshes itself
  (DASH_DISPLAY_REFRESH=3 s on this journey's server), rotates (DASH_DISPLAY_ROTATE=4 s) and every slide fits
  1920×1080 and 1280×720 with no scrolling; a revoked link shows nothing but its message — including on a screen
  already showing it, at its next refresh.
Screenshots: test-artifacts/screens/<backend>/ (kiosk slides at both sizes in zh and en, the sign-in flow).
"""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from core import display
from core.i18n import t
from core.scope import SYSTEM
from tests.e2e.helpers import (ARTIFACTS, BIG_VIEWPORT, IDLE, TIMEOUT, AppServer, main_area, sidebar, sign_in,
                               wait_idle, wait_session_cookie)

SCREENS = ARTIFACTS / "screens"
SMALL_VIEWPORT = {"width": 1280, "height": 720}
BOOKMARK = {"team": "对公二队", "week": "2026-W46"}


@pytest.fixture(scope="module")
def kiosk_server(e2e):
    """A second app server on the journey's database with short kiosk timers (rotation 4 s, refresh 3 s)."""
    server = AppServer(e2e.db_url, e2e.backend, ARTIFACTS / "logs" / f"server-kiosk-{e2e.backend}.log",
                       extra_env={"DASH_DISPLAY_ROTATE": "4", "DASH_DISPLAY_REFRESH": "3"}).start()
    yield server
    server.stop()


def _shot(page, backend: str, name: str) -> None:
    path = SCREENS / backend / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), animations="disabled", caret="hide")


def _signed_in_text(acc, lang="zh") -> str:
    return t("app.signed_in_as", lang, name=acc.display_name, role=t(f"role.{acc.role}", lang))


def _heights(page) -> tuple[int, int, int]:
    """(document scroll height, main container scroll height, main container visible height)."""
    return tuple(page.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]');
        return [document.scrollingElement.scrollHeight, m ? m.scrollHeight : 0, m ? m.clientHeight : 0];
    }"""))


def _assert_chart_fills(page, viewport: dict) -> None:
    """The pace slide's chart reaches down to (nearly) the bottom of the screen: no fixed height leaving a band
    of empty screen under it at 1920×1080, none pushing the page into scrolling at 1280×720."""
    chart = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first
    chart.wait_for(state="visible", timeout=TIMEOUT)
    box = chart.bounding_box()
    bottom = box["y"] + box["height"]
    assert bottom <= viewport["height"], (box, viewport)
    assert viewport["height"] - bottom <= 0.06 * viewport["height"], ("empty band under the chart", box, viewport)
    assert box["height"] >= 0.25 * viewport["height"], (box, viewport)


def _slide_no(page, lang: str) -> int | None:
    sub = page.locator(".bs-sub").first.inner_text(timeout=TIMEOUT)
    m = re.search(r"第 (\d)/4 页" if lang == "zh" else r"Slide (\d) of 4", sub)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- sessions and bookmarks

def test_bookmark_survives_sign_in_and_f5_keeps_session_page_and_big_screen(browser, e2e):
    d = e2e.director
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        q = "&".join(f"{k}={v}" for k, v in BOOKMARK.items())
        page.goto(f"{e2e.base_url}/weekly?{q}", wait_until="domcontentloaded")
        form = page.locator('[data-testid="stForm"]')
        wait_idle(page, t("auth.signin_title", "zh"), rerun=False)
        assert "/weekly" in page.url
        _shot(page, e2e.backend, "signin-1-bookmark-form_zh")
        form.get_by_label(t("auth.username", "zh"), exact=True).fill(d.username)
        form.get_by_label(t("auth.password", "zh"), exact=True).fill(d.password)
        form.get_by_role("button", name=t("auth.submit", "zh")).click()
        week_title = t("page.weekly", "zh")
        wait_idle(page, _signed_in_text(d), within=sidebar(page))
        wait_idle(page, week_title, rerun=False, within=main_area(page))
        wait_session_cookie(page)
        assert page.locator("h1").first.inner_text().startswith(week_title)
        assert "第46周" in page.locator("h1").first.inner_text()
        _shot(page, e2e.backend, "signin-2-bookmark-landed_zh")
        box = sidebar(page).get_by_role("combobox", name=t("filter.team", "zh"), exact=True).first
        assert "对公二队" in (box.input_value() or box.get_attribute("aria-label") or "") + sidebar(page).inner_text()
        assert "/weekly" in page.url and "week=2026-W46" in page.url and "team=对公二队" in unquote(page.url)
        cookie = next(c for c in ctx.cookies() if c["name"] == "cmdash_session")
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["expires"] > 0

        # F5: still signed in, same page, same filters
        page.reload(wait_until="domcontentloaded")
        wait_idle(page, _signed_in_text(d), rerun=False, within=sidebar(page))
        assert page.locator("h1").first.inner_text().startswith(week_title)
        assert "第46周" in page.locator("h1").first.inner_text()
        _shot(page, e2e.backend, "signin-3-after-f5_zh")

        # big-screen mode survives F5 too
        page.goto(f"{e2e.base_url}/?big=1&day=2026-11-23", wait_until="domcontentloaded")
        wait_idle(page, t("display.exit", "zh"), rerun=False)
        page.reload(wait_until="domcontentloaded")
        wait_idle(page, t("display.exit", "zh"), rerun=False)
        assert page.locator(".bs-tile").count() >= 4 and not sidebar(page).is_visible()

        # a browser restart: a new window with the same cookie jar is still signed in
        state = ctx.storage_state()
        other = browser.new_context(viewport={"width": 1400, "height": 900}, storage_state=state)
        other.set_default_timeout(TIMEOUT)
        try:
            p2 = other.new_page()
            p2.goto(f"{e2e.base_url}/monthly", wait_until="domcontentloaded")
            wait_idle(p2, _signed_in_text(d), rerun=False, within=sidebar(p2))
            wait_idle(p2, t("page.monthly", "zh"), rerun=False, within=main_area(p2))
            assert t("page.monthly", "zh") in p2.locator("h1").first.inner_text()

            # sign out everywhere from the first window: the second one is signed out at its next load
            page.goto(f"{e2e.base_url}/weekly", wait_until="domcontentloaded")
            wait_idle(page, _signed_in_text(d), rerun=False, within=sidebar(page))
            sidebar(page).get_by_role("button", name=t("session.sign_out_all", "zh")).click()
            wait_idle(page, t("session.signed_out_all", "zh"))
            _shot(page, e2e.backend, "signin-4-signed-out-everywhere_zh")
            p2.reload(wait_until="domcontentloaded")
            wait_idle(p2, t("auth.signin_title", "zh"), rerun=False)
            assert not p2.get_by_text(_signed_in_text(d)).count()
            # and F5 in the first window does not bring the session back
            page.reload(wait_until="domcontentloaded")
            wait_idle(page, t("auth.signin_title", "zh"), rerun=False)
        finally:
            other.close()
    finally:
        ctx.close()


def test_sign_out_on_this_device_forgets_the_cookie(page, e2e):
    m = e2e.manager
    sign_in(page, e2e.server, m.username, m.password, m.display_name or m.username, m.role)
    sidebar(page).get_by_role("button", name=t("app.sign_out", "zh")).click()
    wait_idle(page, t("auth.signin_title", "zh"))
    page.reload(wait_until="domcontentloaded")
    wait_idle(page, t("auth.signin_title", "zh"), rerun=False)
    assert not page.get_by_text(t("app.sign_out", "zh"), exact=True).count()


# ---------------------------------------------------------------- the display link

def _open_kiosk(browser, url: str, viewport: dict):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT)
    return ctx, page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_display_link_opens_without_password_rotates_and_fits_the_screen(browser, e2e, kiosk_server, lang):
    _id, token = display.create(e2e.engine, SYSTEM, "branch", "三楼会议室")
    url = display.link_url(kiosk_server.base_url, token) + ("&lang=en" if lang == "en" else "")
    for viewport in (BIG_VIEWPORT, SMALL_VIEWPORT):
        ctx, page = _open_kiosk(browser, url, viewport)
        try:
            page.locator(".bs-title").first.wait_for(state="visible", timeout=TIMEOUT)
            assert t("display.kiosk_title", lang, label="三楼会议室") in page.locator(".bs-title").first.inner_text()
            # no password, no sidebar, no navigation, no sign-in form
            assert page.locator('[data-testid="stSidebar"]').count() == 0
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
            assert page.locator('[data-testid="stForm"]').count() == 0
            seen: set[int] = set()
            for _ in range(60):                           # the slides come round every 4 s
                n = _slide_no(page, lang)
                if n is not None and n not in seen:
                    page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT)
                    page.wait_for_timeout(800)           # let the chart draw before measuring
                    doc, main, visible = _heights(page)
                    assert doc <= viewport["height"] and main <= visible, (n, viewport, doc, main, visible)
                    if n == 1:
                        value_px = page.locator(".bs-value").first.evaluate(
                            "el => parseFloat(getComputedStyle(el).fontSize)")
                        label_px = page.locator(".bs-label").first.evaluate(
                            "el => parseFloat(getComputedStyle(el).fontSize)")
                        assert value_px > 2.5 * label_px, (value_px, label_px)
                    if n == 2:                            # deltas wrap inside their tile, never cut off
                        _assert_chart_fills(page, viewport)
                        for tile in page.locator(".bs-tile").all():
                            box, delta = tile.bounding_box(), tile.locator(".bs-delta").bounding_box()
                            assert delta["x"] + delta["width"] <= box["x"] + box["width"] + 1
                    text = main_area(page).inner_text()
                    assert page.locator('[data-testid="stException"], [data-testid="stAlertContainer"]').count() == 0, text
                    assert "None" not in text and "nan" not in text.lower().split()
                    _shot(page, e2e.backend, f"kiosk-{viewport['width']}x{viewport['height']}-slide{n}_{lang}")
                    seen.add(n)
                if len(seen) == 4:
                    break
                page.wait_for_timeout(1000)
            assert seen == {1, 2, 3, 4}
        finally:
            ctx.close()


def test_display_link_refreshes_itself_and_a_revoked_link_shows_only_the_message(browser, e2e, kiosk_server):
    link_id, token = display.create(e2e.engine, SYSTEM, "team", "对公一队晨会", team="对公一队")
    ctx, page = _open_kiosk(browser, display.link_url(kiosk_server.base_url, token) + "&rotate=0", BIG_VIEWPORT)
    try:
        sub = page.locator(".bs-sub").first
        sub.wait_for(state="visible", timeout=TIMEOUT)
        first = sub.inner_text()
        assert t("display.every_sec", "zh", n="3") in first
        page.wait_for_function("(before) => { const el = document.querySelector('.bs-sub');"
                               " return el && el.innerText !== before; }", arg=first, timeout=20_000)
        # a team link: its own team's people only
        text = main_area(page).inner_text()
        assert "对公二队" not in text and "零售" not in text, text[:2000]
        # revoke while it is on the screen: at its next refresh only the message is left
        display.revoke(e2e.engine, SYSTEM, link_id)
        page.get_by_text(t("display.closed_title", "zh")).wait_for(state="visible", timeout=20_000)
        page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT)
        body = main_area(page).inner_text().strip()
        assert body.split() == (t("display.closed_title", "zh") + " " + t("display.closed_body", "zh")).split()
        _shot(page, e2e.backend, "kiosk-revoked_zh")
    finally:
        ctx.close()
    # opened afresh: the same message and nothing else
    for lang in ("zh", "en"):
        url = display.link_url(kiosk_server.base_url, token) + ("&lang=en" if lang == "en" else "")
        ctx, page = _open_kiosk(browser, url, SMALL_VIEWPORT)
        try:
            page.get_by_text(t("display.closed_title", lang)).wait_for(state="visible", timeout=TIMEOUT)
            body = main_area(page).inner_text().strip()
            assert body.split() == (t("display.closed_title", lang) + " " + t("display.closed_body", lang)).split()
            assert page.locator('[data-testid="stSidebar"]').count() == 0
            assert page.locator(".bs-tile").count() == 0
        finally:
            ctx.close()


@pytest.mark.parametrize("viewport", [BIG_VIEWPORT, SMALL_VIEWPORT], ids=["1920x1080", "1280x720"])
def test_big_screen_toggle_uses_the_projector_slides_and_fits(page, e2e, viewport):
    """The 晨会 page's big-screen mode: every slide picked by hand fits the screen, the exit button reads in full."""
    d = e2e.director
    page.set_viewport_size(viewport)
    sign_in(page, e2e.server, d.username, d.password, d.display_name, d.role, query={"day": "2026-11-23"})
    page.goto(f"{e2e.base_url}/?day=2026-11-23&big=1", wait_until="domcontentloaded")    # the session stays
    exit_label = t("display.exit", "zh")
    wait_idle(page, exit_label, rerun=False)
    button = main_area(page).get_by_role("button", name=exit_label)
    assert button.evaluate("el => { const p = el.querySelector('p') || el;"
                           " return p.scrollWidth <= p.clientWidth + 1; }"), "the exit button's text is cut off"
    for i, slide in enumerate(("yesterday", "pace", "leaders", "coaching"), start=1):
        main_area(page).get_by_text(t(f"display.slide_{slide}", "zh"), exact=True).click()
        wait_idle(page)
        page.wait_for_timeout(600)                       # the chart draws after the run
        doc, main, visible = _heights(page)
        assert doc <= viewport["height"] and main <= visible, (slide, doc, main, visible)
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContainer"]').count() == 0
        if slide == "pace":                              # the chart takes the height the tiles leave
            _assert_chart_fills(page, viewport)
        _shot(page, e2e.backend, f"bigscreen-{viewport['width']}x{viewport['height']}-slide{i}_zh")
