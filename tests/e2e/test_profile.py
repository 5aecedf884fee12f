"""The drill-down into a manager's profile (客户经理画像, issue 13), in Chromium on SQLite and PostgreSQL.

* The team lead opens 周小结, selects a manager's row in the per-manager table (the grid's row marker, like a
  person), and lands on that manager's profile in the same session: his name in the title and his month-to-date
  figures as core.routines.profile_page computes them.
* The manager opens 我的画像 from the navigation: his own page, no other manager's name in the page text; at
  1366×768 and 390×844 in zh and en (screenshots in test-artifacts/screens/).
"""
from __future__ import annotations

import re
import shutil

import pytest

from core import auth, fmt
from core import calendar as cal
from core.i18n import t
from core.routines import profile_page
from core.schema import metric_label
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.e2e.conftest import DEMO_END, LEAD_TEAM
from tests.e2e.helpers import (ARTIFACTS, TOO_WIDE_JS, VIEWPORT, assert_no_error, goto_page, grid_text_with, main_area,
                               main_text, screenshot, sideways as _sideways, sign_in, wait_idle)

pytestmark = pytest.mark.e2e

MONTH = cal.month_key(DEMO_END)
WEEK = cal.week_key(DEMO_END)
SCREENS = ARTIFACTS / "screens"
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
ROW_H, HEADER_H = 35, 35            # st.dataframe's default row and header heights (px)


def _select_row(page, grid, row: int) -> None:
    """Tick the row marker (left edge of the grid) of data row `row` (0-based), as a person clicks it."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + HEADER_H + ROW_H * row + ROW_H / 2)


def _grid_after(page, heading: str):
    """The first data grid after the subheading `heading`."""
    head = main_area(page).get_by_role("heading", name=heading).first
    return head.locator("xpath=following::*[@data-testid='stDataFrame'][1]")


def test_lead_drills_from_weekly_into_a_profile(page, e2e):
    lead = e2e.lead
    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role,
            query={"week": WEEK, "month": MONTH})
    goto_page(page, "page.weekly", "zh", t("weekly.summary", "zh"))
    heading = t("weekly.per_manager", "zh", metric=metric_label("visits", "zh", with_unit=False))
    grid = _grid_after(page, heading)
    grid.wait_for(state="visible")
    team = store_logs.read_roster(e2e.engine, SYSTEM, team=LEAD_TEAM)
    text = grid_text_with(page, team["name"].iat[0], within=grid.locator("xpath=.."))
    first = next(n for n in text.split("\t") if n in set(team["name"]))   # the first row's manager
    _select_row(page, grid, 0)
    title = t("profile.title_of", "zh", name=first)
    wait_idle(page, title)
    assert_no_error(page, "zh")
    assert "/profile" in page.url and "id=" in page.url
    eid = team.loc[team["name"] == first, "employee_id"].iat[0]
    m = profile_page(e2e.engine, auth.scope_for_username(e2e.engine, lead.username), eid, MONTH, "zh",
                     as_of=DEMO_END)
    visits = m.progress.set_index("metric").loc["visits"]
    # his month to date and his target for visits, as the page's card for visits shows them
    card = _card(page, metric_label("visits", "zh"))
    done = f"{fmt.number(visits['actual'], 'visits')} / {fmt.number(visits['target'], 'visits')}"
    assert _facts(card)[t("profile.col.actual", "zh")] == done
    assert card.locator(".mc-big").inner_text().strip() == fmt.pct(visits["attainment"])
    assert first in main_text(page)


def _card(page, title: str):
    """The card of the metric `title` in 本月目标与序时进度."""
    card = page.locator(".mc-progress .mc-card").filter(has=page.locator(".mc-title", has_text=title)).first
    card.wait_for(state="visible")
    return card


def _facts(card) -> dict[str, str]:
    """A card's label → value lines."""
    return card.locator("dl").evaluate(
        "dl => Object.fromEntries(Array.from(dl.querySelectorAll('dt')).map(d => [d.textContent.trim(), "
        "d.nextElementSibling.textContent.trim()]))")


def _first_cells(grid) -> list[str]:
    """The first cell of each data row of a grid (its accessible table)."""
    grid.locator("table td").first.wait_for(state="attached")
    return grid.locator("table").first.evaluate(
        "el => Array.from(el.querySelectorAll('tbody tr')).map(r => (r.querySelector('td') || {}).textContent || '')")


def test_lead_opens_the_managers_behind_his_team_total(page, e2e):
    lead = e2e.lead
    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role,
            query={"week": WEEK, "month": MONTH})
    goto_page(page, "page.weekly", "zh", t("weekly.summary", "zh"))
    grid = _grid_after(page, t("weekly.summary", "zh"))
    cells = _first_cells(grid)
    _select_row(page, grid, cells.index(LEAD_TEAM))          # the team's total row (its first metric)
    team = store_logs.read_roster(e2e.engine, SYSTEM, team=LEAD_TEAM)
    dialog = page.get_by_role("dialog")
    title = t("drill.behind_title", "zh", who=LEAD_TEAM, n=fmt.plural("drill.managers", len(team), "zh"))
    wait_idle(page, title, within=dialog)
    inner = dialog.locator('[data-testid="stDataFrame"]').first
    names = _first_cells(inner)
    assert sorted(names) == sorted(team["name"])                 # exactly the managers behind the total
    _select_row(page, inner, 1)
    wait_idle(page, t("profile.title_of", "zh", name=names[1]))
    assert_no_error(page, "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_own_profile_and_screens(page, e2e, lang):
    mgr = e2e.manager
    sign_in(page, e2e.server, mgr.username, mgr.password, mgr.display_name, mgr.role, lang=lang,
            query={"month": MONTH})
    goto_page(page, "page.profile_mine", lang, t("profile.title_mine", lang))
    wait_idle(page, t("profile.days", lang), rerun=False)
    assert_no_error(page, lang)
    roster = store_logs.read_roster(e2e.engine, SYSTEM)
    me = roster.loc[roster["employee_id"] == mgr.employee_id, "name"].iat[0]
    text = main_text(page)
    assert me in text
    assert not [n for n in roster["name"] if n != me and n in text]
    assert not re.search(r"\b(None|nan|NaN)\b", text)
    assert not re.search(r"(?<![\d.,])-0(\.0+)?(?![\d.,])", text), "a negative zero on the page"
    m = profile_page(e2e.engine, auth.scope_for_username(e2e.engine, mgr.username), mgr.employee_id, MONTH, lang,
                     as_of=DEMO_END)
    # 本月目标与序时进度: one card per target metric, each with core's 完成率 and its gap to the pace line
    cards = page.locator(".mc-progress .mc-card")
    assert cards.count() == len(m.progress)
    for r in m.progress.itertuples():
        card = _card(page, metric_label(r.metric, lang))
        assert card.locator(".mc-big").inner_text().strip() == fmt.pct(r.attainment)
        assert _facts(card)[t("profile.col.gap", lang)] == fmt.signed(r.gap, r.metric)
    SCREENS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        wait_idle(page, t("profile.days", lang), rerun=False)
        page.wait_for_timeout(500)                               # the charts and the grids lay out after the run
        if e2e.backend == "sqlite":
            shot = screenshot(page, e2e.backend, "profile", name, lang)  # the whole page, stretched to its height
            shutil.copy(shot, SCREENS / f"profile_{name}_{lang}.png")
        days_grid = page.locator('.st-key-profile_days_wide [data-testid="stDataFrame"]')
        day_cards = page.locator(".mc-days .mc-card")
        if name == "phone":
            assert _sideways(page) <= 1                                   # no horizontal scroll on a phone
            found = page.evaluate(TOO_WIDE_JS)
            assert not found["poking"], found                             # nothing in the main area past 390 px
            # nothing is wider than the screen, nothing scrolls sideways inside itself: the days (an eleven-column
            # grid on a laptop) and the statement's lines read as cards
            assert not found["wide"], found
            assert not found["scrollers"], found
            assert day_cards.count() > 0 and day_cards.first.is_visible() and not days_grid.is_visible()
        else:                                                             # a laptop keeps the days' table
            assert days_grid.is_visible() and not day_cards.first.is_visible()
    page.set_viewport_size(VIEWPORT)
