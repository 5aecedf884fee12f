"""A page's address opened by someone his role may not open it to, and an address that names no page (issue 13).

Streamlit's own answer to both is an English "Page not found" dialog over the landing page. The app answers
instead with its own message in the page's language: a manager opening /settings or /upload (director-only and
director / team-lead pages, core.scope.PAGE_ROLES) sees "无权打开此页面" (zh) or "You may not open this page"
(en), none of the page's own content, and a link back to his landing page; a mistyped address says the page does
not exist. In Chromium on SQLite and PostgreSQL; screenshots in test-artifacts/screens/<backend>/.
"""
from __future__ import annotations

import re

import pytest

from core.i18n import t
from tests.e2e.helpers import ARTIFACTS, main_area, main_text, sign_in, wait_idle

pytestmark = pytest.mark.e2e

SCREENS = ARTIFACTS / "screens"
STREAMLIT_DIALOG = ("You have requested page", "no corresponding file", "Running the app")


def _goto(page, e2e, path: str, lang: str) -> None:
    page.goto(f"{e2e.base_url}/{path}" + ("?lang=en" if lang == "en" else ""), wait_until="domcontentloaded")
    wait_idle(page, rerun=False)


def _text_without_icons(page) -> str:
    """The main area's text without the material icons (drawn from ligatures such as "info", "arrow_back")."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]').cloneNode(true);
        main.querySelectorAll('[role="img"][translate="no"], [data-testid="stIconMaterial"]')
            .forEach(e => e.remove());
        document.body.appendChild(main);
        const text = main.innerText;
        main.remove();
        return text;
    }""")


def _no_streamlit_dialog(page) -> None:
    body = page.locator("body").inner_text()
    for words in STREAMLIT_DIALOG:
        assert words not in body, body[:1500]
    assert page.locator('[role="dialog"]').count() == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_opening_director_pages_gets_our_refusal(page, e2e, lang):
    m = e2e.manager
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role, lang=lang)
    for path, key, own_text in (("settings", "page.settings", "settings."), ("upload", "page.upload", "upload.")):
        _goto(page, e2e, path, lang)
        # the link back is drawn last: once it is there, the whole refusal is
        wait_idle(page, t("app.page_back", lang), rerun=False, within=main_area(page))
        _no_streamlit_dialog(page)
        text = main_text(page)
        assert t("app.page_refused", lang, page=t(key, lang), role=t(f"role.{m.role}", lang)) in text, text
        assert t("app.page_back", lang) in text
        # nothing of the page itself: none of its widgets, tables or tabs
        assert page.locator('[data-testid="stMain"] [data-testid="stFileUploader"]').count() == 0
        assert page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count() == 0
        assert page.locator('[data-testid="stMain"] [data-testid="stTabs"]').count() == 0
        assert t("page.settings" if path == "settings" else "page.upload", lang) not in \
            page.locator('[data-testid="stSidebarNav"]').inner_text()
        if lang == "zh":              # no English on the Chinese page (the material icons' names aside)
            words = set(re.findall(r"[A-Za-z]{3,}", _text_without_icons(page)))
            assert not words, words
        page.screenshot(path=str(_shot(e2e, f"refused-{path}-manager_{lang}")))
    # the way back: the landing page (his statement)
    main_area(page).get_by_text(t("app.page_back", lang)).click()
    wait_idle(page, t("page.commission", lang), within=main_area(page))
    assert t("app.page_refused_title", lang) not in main_text(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_address_naming_no_page_says_so_in_the_language(page, e2e, lang):
    d = e2e.director
    sign_in(page, e2e.server, d.username, d.password, d.display_name, d.role, lang=lang)
    _goto(page, e2e, "setings", lang)
    wait_idle(page, t("app.page_unknown_title", lang), rerun=False, within=main_area(page))
    _no_streamlit_dialog(page)
    assert t("app.page_unknown", lang, path="/setings") in main_text(page)
    page.screenshot(path=str(_shot(e2e, f"unknown-address-director_{lang}")))


def _shot(e2e, name: str):
    path = SCREENS / e2e.backend / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
