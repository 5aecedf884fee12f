"""Screenshots of every page as each role, at the sizes they are used at (issue 13), in Chromium on SQLite and
PostgreSQL: a laptop (1366×768) for everyone, the projector (1920×1080) for the director, a phone (390×844) for the
manager; Chinese and English. They go to test-artifacts/screens/<backend>/<role>_<size>_<page>_<lang>.png for a
person to look at, and each shot is checked for what a person would call broken: a traceback, "None" / "nan" /
"NaN" in the text, a tile's value or a button's label cut off with "…", the page scrolling sideways, and (in
Chinese) the file uploader's English texts.
"""
from __future__ import annotations

import re

import pytest

from core.i18n import t
from core.scope import PAGE_ROLES
from tests.e2e.conftest import DEMO_END, meeting_day
from tests.e2e.helpers import (ARTIFACTS, IDLE, RUN_COUNTER_JS, TIMEOUT, VIEWPORT, assert_no_error, goto_page,
                               open_app, sign_in, wait_idle)
from core import calendar as cal

pytestmark = pytest.mark.e2e

SCREENS = ARTIFACTS / "screens"
SIZES = {"laptop": {"width": 1366, "height": 768}, "projector": {"width": 1920, "height": 1080},
         "phone": {"width": 390, "height": 844}}
WHO = {"director": ("laptop", "projector"), "team_lead": ("laptop",), "manager": ("laptop", "phone")}
_BAD = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bNaT\b")
# a tile's value or a button's label cut with "…" (its text wider than its box): '8,314.40 (C…', 'Download the mo…'
CUT_JS = """() => Array.from(document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] *,'
        + ' [data-testid="stMain"] button *'))
    .filter(e => e.offsetParent !== null && !e.closest('[data-testid="stIconMaterial"]') && (e.textContent || '').trim()
                 && e.scrollWidth > e.clientWidth + 1).map(e => (e.textContent || '').slice(0, 40))"""


def _account(e2e, role):
    return {"director": e2e.director, "team_lead": e2e.lead, "manager": e2e.manager}[role]


def _shot(page, path):
    """A full-page PNG: Streamlit scrolls inside its main container, so the viewport is stretched for the shot."""
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(...[document.querySelector('[data-testid="stMain"]'),
        document.querySelector('[data-testid="stAppViewContainer"]')].filter(Boolean).map(e => e.scrollHeight),
        document.body.scrollHeight)""")
    tall = max(size["height"], min(int(height) + 40, 9000))
    page.set_viewport_size({"width": size["width"], "height": tall})
    try:
        page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT)
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    finally:
        page.set_viewport_size(size)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(WHO))
def test_screens(browser, e2e, role, lang):
    acc = _account(e2e, role)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  device_scale_factor=1)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(RUN_COUNTER_JS)
    page = context.new_page()
    out = SCREENS / e2e.backend
    out.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        open_app(page, e2e.server, {"lang": lang} if lang != "zh" else None)   # the sign-in page first
        for size in WHO[role]:
            page.set_viewport_size(SIZES[size])
            wait_idle(page, t("auth.signin_title", lang), rerun=False)
            _shot(page, out / f"{role}_{size}_signin_{lang}.png")
        page.set_viewport_size(VIEWPORT)
        sign_in(page, e2e.server, acc.username, acc.password, acc.display_name, acc.role, lang=lang,
                query={"day": meeting_day().isoformat(), "week": cal.week_key(DEMO_END),
                       "month": cal.month_key(DEMO_END)})
        for key in [p for p, roles in PAGE_ROLES.items() if role in roles]:
            page.set_viewport_size(VIEWPORT)
            # a manager's own profile is called 我的画像 / My profile in his navigation
            title = f"page.{key}_mine" if key == "profile" and role == "manager" else f"page.{key}"
            goto_page(page, title, lang, t(title, lang))
            for size in WHO[role]:
                page.set_viewport_size(SIZES[size])
                wait_idle(page, rerun=False)
                assert_no_error(page, lang)
                _shot(page, out / f"{role}_{size}_{key}_{lang}.png")
                text = page.evaluate("() => document.body.innerText")
                problems += [f"{key} {size}: …{text[max(0, m.start() - 40):m.end() + 40]}…"
                             for m in _BAD.finditer(text)]
                problems += [f"{key} {size}: cut off: {c}" for c in dict.fromkeys(page.evaluate(CUT_JS))]
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                if wide > SIZES[size]["width"]:
                    problems.append(f"{key} {size}: the page scrolls sideways ({wide} px)")
                if lang == "zh":
                    upload_p = page.locator('[data-testid="stFileUploaderDropzone"] button p')
                    for i in range(upload_p.count()):
                        style = upload_p.nth(i).evaluate(
                            "e => [getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content]")
                        if style[0] != "0px" or not re.search(r"[\u4e00-\u9fff]", style[1]):
                            problems.append(f"{key} {size}: the uploader's button reads in English ({style})")
    finally:
        context.close()
    assert not problems, "\n".join(problems[:20])
