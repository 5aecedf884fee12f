"""A customer manager on his phone (390×844), in Chromium on SQLite and PostgreSQL (issue 13):

* he lands on his statement (绩效测算) and the payable (本期应发) is on the first screen — its tile's bounding box
  ends within 844 px without scrolling — with the value core computes for him;
* the statement's lines are cards (item, quantity × rate, amount) whose amounts are inside the screen, and the
  page never scrolls sideways (document scrollWidth ≤ 390);
* the what-if inputs come in the plan's order (they stack, one under the other, as the plan lists its items);
* the developer notice naming the sample plan's file is gone;
* on 晨会 his rank is shown ("全行 32 人中第 n 名") and no other manager's name is anywhere in the page's text
  (compared with the whole roster), on both pages.

Screenshots: test-artifacts/screenshots/<backend>/phone_statement_*.png.
"""
from __future__ import annotations

import re

import pytest

from core import auth
from core import commission as cm
from core import calendar as cal
from core.i18n import t
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.e2e.conftest import DEMO_END, meeting_day
from tests.e2e.helpers import (RUN_COUNTER_JS, TIMEOUT, VIEWPORT, assert_no_error, goto_page, main_area, screenshot,
                               sign_in, wait_idle)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
MONTH = cal.month_key(DEMO_END)


def _yuan(d) -> str:
    return f"{cm.money(d):,.2f} 元"


def _page_width(page) -> dict:
    return page.evaluate("""() => ({doc: document.documentElement.scrollWidth,
        main: (document.querySelector('[data-testid="stMain"]') || document.body).scrollWidth})""")


def _body_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


def _others(e2e) -> list[str]:
    return [r.name for r in store_logs.read_roster(e2e.engine, SYSTEM).itertuples()
            if r.employee_id != e2e.manager.employee_id]


def test_manager_statement_on_a_phone(browser, e2e):
    """A phone context of its own (the conftest's page fixture is a 1400×900 laptop)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(RUN_COUNTER_JS)
    page = context.new_page()
    try:
        _journey(page, e2e)
    finally:
        context.close()


def _journey(page, e2e):
    m = e2e.manager
    scope = auth.scope_for_username(e2e.engine, m.username)
    stmt = cm.statement(e2e.engine, scope, m.employee_id, MONTH)
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role,
            query={"month": MONTH, "day": meeting_day().isoformat()})
    payable_label = t("commission.step.payable", "zh")
    wait_idle(page, t("commission.page.statement_title", "zh", name=stmt.name, employee_id=m.employee_id,
                      period=f"{DEMO_END.year}年{DEMO_END.month}月"), rerun=False)
    assert_no_error(page, "zh")

    # the payable: the first tile of the statement, inside the first screen
    tile = main_area(page).locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{payable_label}\s*$"))).first
    assert tile.locator('[data-testid="stMetricValue"]').inner_text().strip() == _yuan(stmt.payable)
    box = tile.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    first = main_area(page).locator('[data-testid="stMetric"]').first
    assert first.locator('[data-testid="stMetricLabel"]').inner_text().strip() == payable_label

    # the lines as cards: every amount visible within the screen's width; no sideways scrolling
    cards = main_area(page).locator(".lc-list").first.locator(".lc-row:not(.lc-head)")
    assert cards.count() == len(stmt.lines)
    for i, line in enumerate(stmt.lines):
        card = cards.nth(i)
        assert card.locator(".lc-item").inner_text().strip() == cm.metric_name(line.metric, "zh")
        assert card.locator(".lc-how").inner_text().strip() == line.how("zh")
        amount = card.locator(".lc-amt")
        assert amount.inner_text().strip() == f"{line.amount:,.2f}"
        a = amount.bounding_box()
        assert a["x"] >= 0 and a["x"] + a["width"] <= PHONE["width"], (line.metric, a)
    widths = _page_width(page)
    assert widths["doc"] <= PHONE["width"] and widths["main"] <= PHONE["width"], widths

    # what-if inputs in the plan's order, top to bottom; no developer notice naming a file
    plan = cm.commission_page(e2e.engine, scope, MONTH).plan_in_force.plan
    labels = main_area(page).locator('[data-testid="stNumberInput"] label')
    tops = [(labels.nth(i).bounding_box()["y"], labels.nth(i).inner_text().strip()) for i in range(labels.count())]
    assert [text for _y, text in sorted(tops)] == [text for _y, text in tops]     # stacked in DOM (plan) order
    names = [cm.metric_name(item.metric, "zh") for item in plan.items]
    assert [next(n for n in names if text.startswith(n)) for _y, text in tops] == names
    body = _body_text(page)
    assert "sample_data" not in body and ".yaml" not in body
    leaked = [n for n in _others(e2e) if n in body]
    assert not leaked, f"other managers on his statement: {leaked[:5]}"
    screenshot(page, e2e.backend, "phone_statement", "commission", "zh")

    # 晨会: his rank, nobody else's name, no sideways scrolling
    page.set_viewport_size(VIEWPORT)
    goto_page(page, "page.morning", "zh", t("mine.standing", "zh"))
    page.set_viewport_size(PHONE)
    wait_idle(page, t("mine.standing", "zh"), rerun=False)
    assert_no_error(page, "zh")
    body = _body_text(page)
    assert re.search(r"全行 \d+ 人中第 \d+ 名", body), body[:2000]
    leaked = [n for n in _others(e2e) if n in body]
    assert not leaked, f"other managers on his 晨会: {leaked[:5]}"
    widths = _page_width(page)
    assert widths["doc"] <= PHONE["width"], widths
    screenshot(page, e2e.backend, "phone_statement", "morning", "zh")
