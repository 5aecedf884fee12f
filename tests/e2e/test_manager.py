"""The customer manager's journey (客户经理 CM002): his own statement of the month, the what-if, the statement
downloaded and opened; and the walls: no other manager's statement by URL, by any widget, or on any page.

Expected pay figures come from ``core.commission`` with the manager's own scope on the same database; the
quantities on the statement are checked against the stored daily rows (the sum of the month).
"""
from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from core import auth
from core import calendar as cal
from core import commission as cm
from core.i18n import t
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.e2e.conftest import DEMO_END
from tests.e2e.helpers import (assert_no_error, download, goto_page, main_area, main_text, metric_value, nav_titles,
                               open_app, screenshot, section_metrics, sidebar, sign_in, wait_idle)

pytestmark = pytest.mark.e2e

JOURNEY = "manager"
MONTH = cal.month_key(DEMO_END)


def _yuan(d: Decimal, lang: str = "zh") -> str:
    s = f"{cm.money(d):,.2f}"
    return f"{s} 元" if lang == "zh" else f"CNY {s}"


def _statement(e2e):
    scope = auth.scope_for_username(e2e.engine, e2e.manager.username)
    period = cm.period_for(MONTH, cm.plan_in_force(e2e.engine, cal.month_bounds(MONTH)[0]).plan.settlement)
    return cm.statement(e2e.engine, scope, e2e.manager.employee_id, period), period


def _others(e2e) -> dict[str, str]:
    """Every other manager on the roster: employee_id → name."""
    roster = store_logs.read_roster(e2e.engine, SYSTEM)
    return {r.employee_id: r.name for r in roster.itertuples() if r.employee_id != e2e.manager.employee_id}


def _title(e2e, stmt, lang="zh") -> str:
    y, m = MONTH.split("-")
    period = f"{y}年{int(m)}月" if lang == "zh" else MONTH
    return t("commission.page.statement_title", lang, name=e2e.manager.display_name,
             employee_id=e2e.manager.employee_id, period=period)


def _sign_in(page, e2e, **query):
    m = e2e.manager
    sign_in(page, e2e.server, m.username, m.password, m.display_name, m.role, query=query)


def test_own_statement_what_if_and_download(page, e2e, downloads):
    stmt, period = _statement(e2e)
    assert stmt.lines, "the demo plan pays CM002 for something this month"
    _sign_in(page, e2e)
    # a manager lands on his own statement; no import, no settings
    assert nav_titles(page) == [t(k, "zh") for k in ("page.morning", "page.weekly", "page.monthly",
                                                       "page.commission", "page.coaching", "page.profile_mine")]
    wait_idle(page, _title(e2e, stmt), rerun=False)
    assert_no_error(page, "zh")
    tiles = {m["label"]: m["value"] for m in section_metrics(page, _title(e2e, stmt))}
    assert tiles == {t("commission.step.gross", "zh"): _yuan(stmt.gross),
                     t("commission.step.performance", "zh"): _yuan(stmt.performance),
                     t("commission.step.deferred", "zh"): _yuan(stmt.deferred),
                     t("commission.step.payable", "zh"): _yuan(stmt.payable)}
    # each paid quantity is the month's sum of his daily rows
    scope = auth.scope_for_username(e2e.engine, e2e.manager.username)
    logs = store_logs.read_logs(e2e.engine, scope, start=period.start, end=period.end)
    assert set(logs["employee_id"]) == {e2e.manager.employee_id}
    for line in stmt.lines:
        assert float(line.quantity) == pytest.approx(float(logs[line.metric].sum()), abs=1e-6), line.metric
    screenshot(page, e2e.backend, JOURNEY, "commission", "zh")

    # what if I sell a few more of the first paid product?
    plan = cm.plan_in_force(e2e.engine, period.start).plan
    item = plan.items[0]
    extra = Decimal(5) if item.metric in ("credit_cards", "mobile_banking", "visits", "new_customers") \
        else Decimal(100)
    w = cm.what_if(plan, stmt, {item.metric: extra})
    box = main_area(page).get_by_role("spinbutton", name=cm.metric_name(item.metric, "zh"), exact=False).first
    box.fill(str(extra))
    box.press("Enter")
    wait_idle(page, _yuan(w.payable))
    assert metric_value(page, t("commission.page.whatif_performance", "zh")) == _yuan(w.performance)
    assert metric_value(page, t("commission.page.whatif_payable", "zh")) == _yuan(w.payable)
    assert w.payable > stmt.payable
    screenshot(page, e2e.backend, JOURNEY, "commission-whatif", "zh")

    # the statement as a workbook: the same amounts to the cent
    path = download(page, t("commission.page.download", "zh"), downloads)
    assert e2e.manager.employee_id in path.name and path.suffix == ".xlsx"
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    amounts = {r[0]: r[5] for r in ws.iter_rows(values_only=True) if isinstance(r[0], str) and len(r) > 5}
    assert Decimal(str(amounts["payable"])) == cm.money(stmt.payable)
    assert Decimal(str(amounts["gross"])) == cm.money(stmt.gross)
    for line in stmt.lines:
        assert Decimal(str(amounts[f"line:{line.metric}"])) == cm.money(line.amount)


def test_cannot_reach_another_managers_statement(page, e2e):
    others = _others(e2e)
    stmt, _ = _statement(e2e)
    teammate = "CM005" if "CM005" in others else sorted(others)[0]
    # a bookmark crafted for somebody else: query parameters for another manager and another team
    open_app(page, e2e.server, {"employee_id": teammate, "cm_manager": teammate, "manager": teammate,
                                "team": "对公二队", "page": "commission"})
    # …first of all it does not get past the sign-in
    wait_idle(page, t("auth.signin_title", "zh"), rerun=False)
    assert others[teammate] not in main_text(page)
    page.goto(f"{e2e.base_url}/commission?employee_id={teammate}&cm_manager={teammate}&team=对公二队")
    wait_idle(page, t("auth.signin_title", "zh"), rerun=False)
    _sign_in(page, e2e)
    wait_idle(page, _title(e2e, stmt), rerun=False)
    text = main_text(page)
    for eid, name in others.items():
        assert eid not in text and name not in text, (eid, name)
    # no widget offers a choice of manager, team or line
    assert main_area(page).get_by_role("combobox", name=t("commission.page.pick_manager", "zh")).count() == 0
    assert main_area(page).get_by_role("tab", name=t("commission.page.tab_summary", "zh")).count() == 0
    assert sidebar(page).get_by_role("combobox", name=t("filter.team", "zh")).count() == 0
    assert sidebar(page).get_by_role("combobox", name=t("filter.line", "zh")).count() == 0

    # pages for other roles are not reachable by URL either (a new browser session, signed in again from the
    # session cookie): our own refusal in his language, nothing of the page, and the page is not in his menu
    for path, key in (("upload", "upload.title"), ("settings", "page.settings")):
        page.goto(f"{e2e.base_url}/{path}")
        wait_idle(page, t("app.page_back", "zh"), rerun=False, within=main_area(page))
        assert main_area(page).locator("h1").first.inner_text() == t("app.page_refused_title", "zh")
        assert page.get_by_role("dialog").count() == 0
        assert main_area(page).locator('[data-testid="stFileUploader"]').count() == 0
        text = main_text(page)
        for eid, name in others.items():
            assert eid not in text and name not in text, (eid, name)
        assert t(key, "zh") not in nav_titles(page)

    # every page he can open shows his own rows only
    for key in ("page.morning", "page.weekly", "page.monthly", "page.coaching"):
        goto_page(page, key, "zh", t(key, "zh"))
        assert_no_error(page, "zh")
        text = main_text(page)
        for eid, name in others.items():
            assert name not in text, (key, eid, name)
        screenshot(page, e2e.backend, JOURNEY, key.split(".")[1], "zh")
