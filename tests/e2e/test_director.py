"""The director's journey (行长/营销总监): the 8:30 morning meeting, in Chinese and English, on the big screen, and
the weekly report exported to Excel.

Every figure the test expects is worked out here from the rows in the database (the store, with the director's
scope), not by calling the page's own code path, and compared with what the browser shows, formatted as the page
formats it (``core.routines.tile_label``/``tile_value`` for tiles, ``core.i18n.fmt_pct`` for attainment).
"""
from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pytest

from core import auth
from core import fmt
from core.routines import talking as briefing
from core import calendar as cal
from core import routines as M
from core.i18n import fmt_date, fmt_month, fmt_pct, t
from core.schema import PRODUCT_METRICS, metric_label
from core.store import config as store_config
from core.store import logs as store_logs
from tests.e2e.conftest import meeting_day
from tests.e2e.helpers import (BIG_VIEWPORT, assert_no_error, download, goto_page, main_area, metric_value,
                               nav_titles, screenshot, section_metrics, section_text, set_language, sidebar,
                               sign_in, wait_idle)

pytestmark = pytest.mark.e2e

JOURNEY = "director"
PAGES = ("page.morning", "page.weekly", "page.monthly", "page.commission", "page.coaching", "page.profile",
         "page.upload", "page.settings")


def _sign_in(page, e2e, lang="zh", **query):
    d = e2e.director
    sign_in(page, e2e.server, d.username, d.password, d.display_name, d.role, lang=lang,
            query={"day": meeting_day().isoformat(), **query})


def _expected_morning(e2e, lang: str) -> dict:
    """What the morning meeting must show for the whole branch, worked out from the stored rows."""
    eng = e2e.engine
    scope = auth.scope_for_username(eng, e2e.director.username)
    overrides = store_config.calendar_overrides(eng)
    day = meeting_day()
    yday = cal.previous_workday(day, overrides)
    month = cal.month_key(yday)
    first, _ = cal.month_bounds(month)
    roster = store_logs.read_roster(eng, scope)
    logs = store_logs.read_logs(eng, scope, start=first, end=yday)
    targets = store_logs.read_targets(eng, scope, months=[month])

    y = logs[logs["date"] == str(yday)]
    started = roster["active"] & (roster["start_date"].isna() | (roster["start_date"] <= str(yday)))
    managers = set(roster.loc[started, "employee_id"]) | set(y["employee_id"])
    tiles = {"logged": f"{y['employee_id'].nunique()} / {len(managers)}"}
    for m in ("visits", "new_customers", "deposits_new", "credit_cards"):
        tiles[briefing.tile_label(m, lang)] = briefing.tile_value(m, float(y[m].sum()), lang)

    workdays = cal.month_workdays(month, overrides)
    elapsed = sum(1 for d in workdays if d <= yday)
    mtd = {}
    for m in PRODUCT_METRICS:
        target = float(targets.loc[targets["metric"] == m, "value"].sum())
        if target <= 0:
            continue
        actual = float(logs[m].sum())
        gap = actual - target * elapsed / len(workdays)
        mtd[metric_label(m, lang, with_unit=False)] = (
            fmt_pct(actual / target), t("morning.gap_delta", lang, gap=fmt.amount(m, gap, lang)))
    caption = t("morning.workdays", lang, elapsed=elapsed, total=len(workdays), left=len(workdays) - elapsed,
                pace=fmt_pct(elapsed / len(workdays)))

    snap = M.daily_snapshot(logs, roster, yday)
    progress = M.month_progress(logs, targets, roster, month, yday, overrides, level="all")
    points = briefing.talking_points(progress[progress["level"] == "branch"], progress[progress["level"] == "team"],
                                     snap, lang, progress_manager=progress[progress["level"] == "manager"])
    missing = sorted(set(roster.loc[started, "employee_id"]) - set(y["employee_id"]))
    return {"day": day, "yday": yday, "month": month, "tiles": tiles, "mtd": mtd, "caption": caption,
            "points": points, "missing": roster.set_index("employee_id").loc[missing, "name"].tolist()}


def _check_morning(page, e2e, lang: str) -> dict:
    exp = _expected_morning(e2e, lang)
    title = f"{t('page.morning', lang)} · {fmt_date(exp['day'], lang)}"
    yheading = t("morning.yesterday", lang, date=fmt_date(exp["yday"], lang))
    mheading = t("morning.month_to_date", lang, month=fmt_month(exp["month"], lang))
    wait_idle(page, title, yheading, mheading, within=main_area(page), rerun=False)
    assert_no_error(page, lang)

    # yesterday: who logged, and the four headline tiles
    shown = {m["label"]: m["value"] for m in section_metrics(page, yheading)}
    want = dict(exp["tiles"])
    want[t("morning.logged", lang)] = want.pop("logged")
    assert shown == want
    ytext = section_text(page, yheading)
    if exp["missing"]:
        for name in exp["missing"]:
            assert name in ytext
    else:
        assert t("morning.all_logged", lang) in ytext

    # month to date: attainment and gap to the expected-to-date target per product, and the working days
    tiles = {m["label"]: (m["value"], m["delta"]) for m in section_metrics(page, mheading)}
    assert tiles == exp["mtd"]
    assert exp["caption"] in section_text(page, mheading)

    # the talking points, sentence by sentence (numbers, units, working days left)
    talk = section_text(page, t("morning.talking_points", lang))
    assert exp["points"], "the demo bank always has something to say"
    for point in exp["points"]:
        assert point in talk
    return exp


def test_morning_meeting_shows_yesterday_and_month_to_date(page, e2e):
    _sign_in(page, e2e)
    # a director sees every routine
    assert nav_titles(page) == [t(k, "zh") for k in PAGES]
    _check_morning(page, e2e, "zh")
    screenshot(page, e2e.backend, JOURNEY, "morning", "zh")


def test_switch_to_english(page, e2e):
    _sign_in(page, e2e)
    wait_idle(page, t("morning.talking_points", "zh"), rerun=False)
    set_language(page, "en")
    exp = _check_morning(page, e2e, "en")
    assert nav_titles(page) == [t(k, "en") for k in PAGES]
    assert t("app.signed_in_as", "en", name=e2e.director.display_name, role=t("role.director", "en")) in \
        sidebar(page).inner_text()
    # the language is kept in the URL (a bookmark opens in English) and across pages
    page.wait_for_url(lambda url: "lang=en" in url)
    goto_page(page, "page.weekly", "en", t("weekly.summary", "en"))
    goto_page(page, "page.morning", "en", t("morning.talking_points", "en"))
    assert metric_value(page, t("morning.logged", "en")) == exp["tiles"]["logged"]
    screenshot(page, e2e.backend, JOURNEY, "morning", "en")
    set_language(page, "zh")
    wait_idle(page, t("morning.talking_points", "zh"))
    assert "lang=en" not in page.url


def _tiles(page) -> dict[str, str]:
    """The projector slide's tiles (ui/bigscreen.py): label → value."""
    out = {}
    for tile in page.locator(".bs-tile").all():
        out[tile.locator(".bs-label").inner_text().strip()] = tile.locator(".bs-value").inner_text().strip()
    return out


def test_big_screen_mode(page, e2e):
    page.set_viewport_size(BIG_VIEWPORT)
    _sign_in(page, e2e)
    exp = _expected_morning(e2e, "zh")
    wait_idle(page, t("morning.talking_points", "zh"), rerun=False)
    sidebar(page).get_by_text(t("app.big_screen", "zh"), exact=True).click()
    exit_label = t("display.exit", "zh")
    wait_idle(page, exit_label)
    page.wait_for_url(lambda url: "big=1" in url)
    # the projector view: no sidebar, big numbers larger than their labels, the same numbers, no scrolling
    assert not sidebar(page).is_visible()
    value_px = page.locator(".bs-value").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    label_px = page.locator(".bs-label").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert value_px >= 2.5 * label_px and value_px >= 80, (value_px, label_px)   # 8.6vh of 1080 ≈ 93 px
    shown = _tiles(page)
    assert shown[t("morning.logged", "zh")] == exp["tiles"]["logged"]
    assert shown[briefing.tile_label("visits", "zh")] == exp["tiles"][briefing.tile_label("visits", "zh")]
    assert page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight") <= 1080
    screenshot(page, e2e.backend, JOURNEY, "morning-bigscreen", "zh")
    # the coaching slide carries the talking points, big
    main_area(page).get_by_text(t("display.slide_coaching", "zh"), exact=True).click()
    wait_idle(page)
    point_px = page.locator(".bs-points li").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert point_px >= 36, point_px
    # leaving it brings the sidebar back
    main_area(page).get_by_role("button", name=exit_label).click()
    wait_idle(page, t("morning.talking_points", "zh"))
    sidebar(page).wait_for(state="visible")
    assert "big=1" not in page.url


def _expected_week(e2e, week: str) -> dict:
    eng = e2e.engine
    scope = auth.scope_for_username(eng, e2e.director.username)
    a, b = cal.week_bounds(week)
    logs = store_logs.read_logs(eng, scope, start=a - dt.timedelta(days=7), end=b)
    this = logs[logs["date"] >= str(a)]
    prev = logs[logs["date"] < str(a)]
    return {m: (float(this[m].sum()), float(prev[m].sum())) for m in ("visits", "new_customers", "deposits_new")}


def test_export_weekly_report(page, e2e, downloads):
    _sign_in(page, e2e)
    week = cal.week_key(meeting_day() - dt.timedelta(days=3))     # the week of the last logged day: 2026-W47
    goto_page(page, "page.weekly", "zh", t("weekly.summary", "zh"), t("weekly.export", "zh"))
    assert_no_error(page, "zh")
    exp = _expected_week(e2e, week)
    # the week's headline tiles
    for m in ("visits", "new_customers"):
        assert metric_value(page, metric_label(m, "zh")) == fmt.number(exp[m][0], m)   # the unit in the label
    screenshot(page, e2e.backend, JOURNEY, "weekly", "zh")

    path = download(page, t("weekly.download", "zh"), downloads)
    assert path.name == f"weekly-{week}.xlsx"
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames[:5] == [t(f"report.sheet.{s}", "zh") for s in
                                 ("summary", "managers", "leaderboard", "visits", "funnel")]
    ws = wb[t("report.sheet.summary", "zh")]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    assert rows[0][0].startswith(t("page.weekly", "zh"))
    branch = t("word.branch", "zh")
    found = {}
    for r in rows:
        if r[0] == branch and isinstance(r[1], str):
            found[r[1]] = (r[2], r[3])
    for m, (this_week, prev_week) in exp.items():
        got = found[metric_label(m, "zh")]
        assert math.isclose(got[0], this_week, abs_tol=0.005), (m, got, this_week)
        assert math.isclose(got[1], prev_week, abs_tol=0.005), (m, got, prev_week)
    # one row per manager of the branch on the managers sheet
    mws = wb[t("report.sheet.managers", "zh")]
    ids = {r[0] for r in mws.iter_rows(values_only=True) if isinstance(r[0], str) and r[0].startswith("CM")}
    assert ids == {f"CM{i:03d}" for i in range(1, 33)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders(page, e2e, lang):
    """The director's tour of every page, with a screenshot of each (in both languages)."""
    _sign_in(page, e2e, lang=lang)
    for key in PAGES:
        goto_page(page, key, lang)
        wait_idle(page, t(key, lang), within=main_area(page), rerun=False)
        assert t(key, lang) in main_area(page).locator("h1").first.inner_text()
        assert_no_error(page, lang)
        screenshot(page, e2e.backend, JOURNEY, key.split(".")[1], lang)
