"""The routine pages as a manager and a team lead see them (issue 13), in Chromium on SQLite and PostgreSQL.

* The manager (客户经理) opens 晨会, 周小结 and 月总结 on a phone (390×844): each is his own page — his rank among
  the N managers of his team and of the branch is shown, no other manager's name is anywhere in the page text,
  and the page does not scroll sideways (tables scroll inside themselves, the page does not).
* The team lead opens 晨会 and 月总结: the 全行 row is the branch's figure (the director's), not his team's.

Screenshots go to test-artifacts/screenshots/<backend>/manager_pages_*.png and team_lead_pages_*.png.
"""
from __future__ import annotations

import re

import pytest

from core import auth, fmt
from core import calendar as cal
from core.i18n import t
from core.routines import monthly_page, morning_page
from core.schema import metric_label
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.e2e.conftest import DEMO_END, meeting_day
from tests.e2e.helpers import (TOO_WIDE_JS, VIEWPORT, assert_no_error, goto_page, grid_text_with, main_text,
                               screenshot, sideways as _sideways, sign_in, wait_idle)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
MONTH = cal.month_key(DEMO_END)
WEEK = cal.week_key(DEMO_END)
PAGES = (("page.morning", "mine.standing"), ("page.weekly", "mine.my_week"), ("page.monthly", "mine.standing"))


def _query() -> dict:
    return {"day": meeting_day().isoformat(), "week": WEEK, "month": MONTH}


@pytest.mark.parametrize("lang", ["zh"])
def test_manager_pages_on_a_phone(page, e2e, lang):
    m = e2e.manager
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role, query=_query())
    others = [r.name for r in store_logs.read_roster(e2e.engine, SYSTEM).itertuples()
              if r.employee_id != m.employee_id]
    for key, heading in PAGES:
        page.set_viewport_size(VIEWPORT)
        goto_page(page, key, lang, t(heading, lang))
        page.set_viewport_size(PHONE)
        wait_idle(page, t(heading, lang), rerun=False)
        assert_no_error(page, lang)
        text = main_text(page)
        leaked = [n for n in others if n in text]
        assert not leaked, f"{key}: other managers on the manager's page: {leaked[:5]}"
        assert re.search(r"\d+ / \d+", text), f"{key}: no rank shown"        # e.g. '8 / 8', '31 / 32'
        wide = _sideways(page)
        assert wide <= 1, f"{key}: the page scrolls sideways by {wide} px on a phone"
        screenshot(page, e2e.backend, "manager_pages", key.split(".")[1] + "_phone", lang)
    page.set_viewport_size(VIEWPORT)


def test_team_lead_branch_rows_are_the_branch(page, e2e):
    lead = e2e.lead
    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role, query=_query())
    scope = auth.scope_for_username(e2e.engine, lead.username)
    # 晨会: the 全行 row's visits are the branch's (the director's page), the team row is his team's
    boss = morning_page(e2e.engine, SYSTEM, meeting_day())
    mine = morning_page(e2e.engine, scope, meeting_day())
    branch = boss.rollup[(boss.rollup["level"] == "branch") & (boss.rollup["metric"] == "visits")].iloc[0]
    team = mine.rollup[(mine.rollup["level"] == "team") & (mine.rollup["metric"] == "visits")].iloc[0]
    assert branch["actual"] > team["actual"]
    goto_page(page, "page.morning", "zh", t("morning.month_to_date", "zh", month=f"{DEMO_END.year}年{DEMO_END.month}月"))
    grid = grid_text_with(page, f"{int(branch['actual']):,d}")
    assert f"{int(branch['actual']):,d}" in grid and f"{int(team['actual']):,d}" in grid
    assert_no_error(page, "zh")
    screenshot(page, e2e.backend, "team_lead_pages", "morning", "zh")
    # 月总结: the 全行 summary row equals the director's branch row
    boss_m = monthly_page(e2e.engine, SYSTEM, MONTH)
    b = boss_m.summary[(boss_m.summary["level"] == "branch") & (boss_m.summary["metric"] == "visits")].iloc[0]
    goto_page(page, "page.monthly", "zh", t("monthly.summary", "zh"))
    grid = grid_text_with(page, f"{int(b['actual']):,d}")
    assert f"{int(b['actual']):,d}" in grid
    assert_no_error(page, "zh")
    screenshot(page, e2e.backend, "team_lead_pages", "monthly", "zh")
    goto_page(page, "page.weekly", "zh", t("weekly.template_download", "zh"))
    screenshot(page, e2e.backend, "team_lead_pages", "weekly", "zh")


def test_manager_morning_month_reads_as_cards_on_a_phone(page, e2e):
    """His month against target and pace (晨会, 本月进度): one card per metric, every card and figure inside the
    screen, no table scrolling sideways; the 完成率 on each card is core's figure."""
    m = e2e.manager
    lang = "zh"
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role, query=_query())
    goto_page(page, "page.morning", lang, t("mine.my_month", lang))
    page.set_viewport_size(PHONE)
    wait_idle(page, t("mine.my_month", lang), rerun=False)
    page.wait_for_timeout(500)                               # the chart and the grids lay out after the run
    rows = morning_page(e2e.engine, auth.scope_for_username(e2e.engine, m.username), meeting_day()).mine.rows
    assert len(rows) >= 4
    cards = page.locator(".mc-month .mc-card")
    assert cards.count() == len(rows)
    for i, r in enumerate(rows.itertuples()):
        card = cards.nth(i)
        assert card.locator(".mc-title").inner_text().strip() == metric_label(r.metric, lang)
        big = card.locator(".mc-big")
        assert big.inner_text().strip() == fmt.pct(r.attainment)
        for el in (card, big, card.locator("dd").last):       # the card, its key figure, the ranks line
            box = el.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, (r.metric, box)
        assert card.get_by_text(t("mine.col.gap", lang)).is_visible()
    found = page.evaluate(TOO_WIDE_JS)
    assert not found["wide"], found
    assert not found["scrollers"], found
    assert _sideways(page) <= 1
    screenshot(page, e2e.backend, "manager_pages", "morning_month_cards_phone", lang)
    page.set_viewport_size(VIEWPORT)
