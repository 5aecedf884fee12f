"""The pay question journey (申诉): with October closed, the manager (CM002) raises a question on a line of his
closed October statement; his team lead corrects it with +150.00; the manager sees the answer on October (still
frozen) and the adjustment line in November, whose payable rises by exactly 150.00.

Expected figures come from ``core.commission`` on the same database (the statement computed before the
correction, + 150.00 worked out by hand). Periods are closed and reopened through the core (the settings tab has
its own AppTest); the journey leaves the database as it found it for the other journeys (periods reopened: a
manual adjustment is shown only while a period is closed).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from core import auth
from core import commission as cm
from core.commission import lifecycle, periods_state
from core.i18n import t
from tests.e2e.helpers import (section_text, assert_no_error, click_button, goto_page, grid_text_with, main_area, metric_value,
                               screenshot, select_option, sign_in, sign_out, wait_idle)

pytestmark = pytest.mark.e2e

JOURNEY = "pay_questions"
QUESTION = "10月贷款少算了一笔"
ANSWER = "10月25日一笔贷款晚录入,补发"


def _yuan(d: Decimal) -> str:
    return f"{cm.money(d):,.2f} 元"


@pytest.fixture
def october_closed(e2e):
    director = auth.scope_for_username(e2e.engine, e2e.director.username)
    closed = []
    for p in periods_state.periods_with_statements(e2e.engine, upto="2026-10"):
        lifecycle.close(e2e.engine, director, p.key)
        closed.append(p.key)
    yield
    for key in reversed(closed):
        lifecycle.reopen(e2e.engine, director, key, "e2e journey done")


def _month(page, month: str) -> None:
    y, m = month.split("-")
    select_option(page, t("filter.month", "zh"), f"{y}年{int(m)}月", within=page.locator('[data-testid="stSidebar"]'))


def _pick(page, label: str, option: str, within) -> None:
    """Choose an option; the list re-renders while it opens now and then, so try again (at most 3 times)."""
    for attempt in range(3):
        try:
            select_option(page, label, option, within=within)
            return
        except Exception:  # the option was detached while being clicked; open the list again
            if attempt == 2:
                raise
            page.keyboard.press("Escape")


def test_manager_raises_lead_corrects_manager_sees_adjustment(page, e2e, october_closed):
    m = e2e.manager
    scope = auth.scope_for_username(e2e.engine, m.username)
    november = cm.statement(e2e.engine, scope, m.employee_id, "2026-11")
    october = lifecycle.settled_statement(e2e.engine, scope, m.employee_id, "2026-10").statement

    # the manager, on his closed October statement, asks about the loans line
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role)
    _month(page, "2026-10")
    wait_idle(page, t("commission.pay.badge.closed", "zh", date="", by="").split(":")[0])
    assert_no_error(page, "zh")
    assert metric_value(page, t("commission.step.payable", "zh")) == _yuan(october.payable)
    main = main_area(page)
    main.get_by_text(t("commission.pay.q.title", "zh")).click()
    wait_idle(page, t("commission.pay.q.text", "zh"), rerun=False)
    _pick(page, t("commission.pay.q.line", "zh"), cm.metric_name("loans_new", "zh"), main)
    main.get_by_label(t("commission.pay.q.text", "zh")).fill(QUESTION)
    click_button(page, t("commission.pay.q.submit", "zh"))
    wait_idle(page, "已提交疑问")
    assert QUESTION in grid_text_with(page, QUESTION)
    screenshot(page, e2e.backend, JOURNEY, "raised", "zh")
    sign_out(page)

    # the team lead answers it in his open questions and corrects it by +150.00
    lead = e2e.lead
    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role)
    goto_page(page, "page.commission", "zh", t("commission.pay.q.inbox", "zh"))
    main.get_by_role("tab", name=t("commission.pay.q.inbox", "zh")).click()
    wait_idle(page, QUESTION, rerun=False)
    panel = main.get_by_role("tabpanel").filter(has_text=QUESTION)
    panel.get_by_text(t("commission.pay.q.status.corrected", "zh"), exact=True).click()
    panel.get_by_label(t("commission.pay.q.answer", "zh")).fill(ANSWER)
    panel.get_by_label(t("commission.pay.q.amount", "zh")).fill("150")
    click_button(page, t("commission.pay.q.save", "zh"), within=panel)
    wait_idle(page, "已保存答复,并记录往期调整 150.00 元")
    assert_no_error(page, "zh")
    screenshot(page, e2e.backend, JOURNEY, "corrected", "zh")
    sign_out(page)

    # the manager: October unchanged with the answer; November carries the adjustment
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role)
    _month(page, "2026-10")
    wait_idle(page, t("commission.pay.q.mine", "zh"), rerun=False)
    assert metric_value(page, t("commission.step.payable", "zh")) == _yuan(october.payable)
    assert t("commission.pay.q.status.corrected", "zh") in grid_text_with(page, ANSWER)
    _month(page, "2026-11")
    wait_idle(page, t("commission.pay.adj.title", "zh"))
    wait_idle(page, "2026-10 往期调整", rerun=False)   # the adjustment line (a card): item, reason, amount
    text = section_text(page, t("commission.page.statement_title", "zh", name=m.display_name,
                                employee_id=m.employee_id, period="2026年11月"))
    assert "2026-10 往期调整" in text and "150.00" in text and ANSWER in text
    assert metric_value(page, t("commission.step.payable", "zh")) == _yuan(november.payable + Decimal("150.00"))
    assert_no_error(page, "zh")
    screenshot(page, e2e.backend, JOURNEY, "adjustment", "zh")
