"""The team lead's journey (团队长, 对公一队): download the daily template, fill in the week, upload it with the file
chooser, read the validation report of a broken file (nothing stored), import the fixed file, see the new numbers
on the weekly review, and undo the import — after which the database is exactly as before.

The week is the demo's last one (2026-W47, 11-16..11-20): the lead re-sends the team's week with every day's visits
corrected upwards by one, so each stored row changes (no new dates that would move other journeys' "latest week").
"""
from __future__ import annotations


import openpyxl
import pandas as pd
import pytest

from core import auth
from core import fmt
from core.routines import talking as briefing
from core import calendar as cal
from core import ingest
from core.ingest import templates
from core.i18n import t
from core.schema import METRICS, metric_label
from core.store import logs as store_logs
from tests.e2e.conftest import DEMO_END, LEAD_TEAM
from tests.e2e.helpers import (main_text, assert_no_error, download, goto_page, grid_text, main_area, metric_value,
                               nav_titles, remove_upload, screenshot, select_option, set_language,
                               sidebar, sign_in, upload, wait_idle)

pytestmark = pytest.mark.e2e

JOURNEY = "lead"
WEEK = cal.week_key(DEMO_END)
# (what is wrong, the cell written) — four errors a tired team lead could make on a Friday evening
BROKEN = {"unknown": "CM999", "bad_date": "2026-13-01", "not_a_number": "三个", "other_team": "CM009"}


def _lead_scope(e2e):
    return auth.scope_for_username(e2e.engine, e2e.lead.username)


def _team_week(e2e):
    a, b = cal.week_bounds(WEEK)
    return store_logs.read_logs(e2e.engine, _lead_scope(e2e), start=a, end=b, team=LEAD_TEAM)


def _fill(template_path, dest, rows, broken: bool):
    """Fill the downloaded template like a person: one line per manager and day, under the bilingual headers."""
    wb = openpyxl.load_workbook(template_path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    col = {f.name: headers.index(f.bilingual_header()) + 1 for f in templates.template_fields("daily")}
    r = 2
    for _, rec in rows.iterrows():
        ws.cell(r, col["date"], rec["date"].date())
        ws.cell(r, col["employee_id"], rec["employee_id"])
        ws.cell(r, col["manager_name"], rec["manager_name"])
        ws.cell(r, col["team"], rec["team"])
        for m in METRICS:
            v = rec[m]
            if v == v:   # NaN: a balance not logged stays blank
                ws.cell(r, col[m], float(v))
        ws.cell(r, col["visits"], int(rec["visits"]) + 1)
        if isinstance(rec["notes"], str) and rec["notes"]:
            ws.cell(r, col["notes"], rec["notes"])
        r += 1
    if broken:
        first = rows.iloc[0]
        ws.cell(2, col["visits"], BROKEN["not_a_number"])
        ws.cell(3, col["date"], BROKEN["bad_date"])
        ws.cell(r, col["date"], first["date"].date())
        ws.cell(r, col["employee_id"], BROKEN["unknown"])
        ws.cell(r, col["visits"], 3)
        ws.cell(r + 1, col["date"], first["date"].date())
        ws.cell(r + 1, col["employee_id"], BROKEN["other_team"])
        ws.cell(r + 1, col["visits"], 3)
    wb.save(dest)
    return dest


def _imports(e2e):
    return store_logs.list_imports(e2e.engine, _lead_scope(e2e))


def test_upload_check_import_review_undo(page, e2e, downloads, tmp_path):
    lead = e2e.lead
    before = _team_week(e2e)
    assert len(before) >= 30, "the demo team logs every working day"
    before_visits = float(before["visits"].sum())
    n_imports = len(_imports(e2e))

    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role)
    # a team lead runs the team's routines and imports data, but has no settings page
    assert nav_titles(page) == [t(k, "zh") for k in ("page.morning", "page.weekly", "page.monthly",
                                                       "page.commission", "page.coaching", "page.profile",
                                                       "page.upload")]
    assert f"{t('filter.team', 'zh')}: {LEAD_TEAM}" in sidebar(page).inner_text()

    # the weekly review before the upload: the team's visits this week
    goto_page(page, "page.weekly", "zh", t("weekly.summary", "zh"))
    visits_label = metric_label("visits", "zh")              # the tile's label carries the unit, its value is bare
    assert metric_value(page, visits_label) == fmt.number(before_visits, "visits")
    screenshot(page, e2e.backend, JOURNEY, "weekly", "zh")

    # the template
    goto_page(page, "page.upload", "zh", t("upload.title", "zh"), t("upload.history", "zh"))
    assert_no_error(page, "zh")
    tpl = download(page, t("upload.template_button", "zh", kind=t("ingest.kind.daily", "zh")), downloads)
    assert tpl.name == "daily_template.xlsx"
    heads = [c.value for c in openpyxl.load_workbook(tpl).worksheets[0][1]]
    assert heads == [f.bilingual_header() for f in templates.template_fields("daily")]

    # a broken file: the validation report, the import button stays disabled, nothing is stored
    bad = _fill(tpl, tmp_path / f"对公一队周报-{WEEK}-错误.xlsx", before, broken=True)
    upload(page, bad)
    main_area(page).get_by_role("button", name=t("upload.check", "zh")).click()
    dry = ingest.import_files(e2e.engine, _lead_scope(e2e), "daily", [(bad.name, bad.read_bytes())], dry_run=True)
    assert len(dry.errors) == len(BROKEN)
    banner = t("upload.counts", "zh", errors=len(BROKEN), warnings=len(dry.warnings))
    wait_idle(page, banner)
    assert metric_value(page, t("ingest.severity.error", "zh")) == str(len(BROKEN))
    report = grid_text(page)
    for value in (BROKEN["unknown"], BROKEN["bad_date"], BROKEN["not_a_number"], BROKEN["other_team"]):
        assert value in report, (value, report[:2000])
    assert t("upload.import_disabled", "zh") in main_text_of(page)
    assert main_area(page).get_by_role("button", name=t("upload.import", "zh")).first.is_disabled()
    problems = download(page, t("upload.report_download", "zh"), downloads)
    assert openpyxl.load_workbook(problems).sheetnames
    screenshot(page, e2e.backend, JOURNEY, "upload-report", "zh")
    # the report in English too (the lead's deputy reads English)
    set_language(page, "en")
    wait_idle(page, t("upload.counts", "en", errors=len(BROKEN), warnings=len(dry.warnings)))
    screenshot(page, e2e.backend, JOURNEY, "upload-report", "en")
    set_language(page, "zh")
    wait_idle(page, banner)
    assert len(_imports(e2e)) == n_imports
    assert float(_team_week(e2e)["visits"].sum()) == before_visits

    # the fixed file: check passes, the preview says what will change, import
    good = _fill(tpl, tmp_path / f"对公一队周报-{WEEK}.xlsx", before, broken=False)
    remove_upload(page)
    upload(page, good)
    main_area(page).get_by_role("button", name=t("upload.check", "zh")).click()
    wait_idle(page, t("upload.preview", "zh", inserted=0, updated=len(before), unchanged=0))
    main_area(page).get_by_role("button", name=t("upload.import", "zh")).click()
    imported = None
    try:
        wait_idle(page, t("upload.history", "zh"))
        hist = _imports(e2e)
        assert len(hist) == n_imports + 1
        imported = int(hist["id"].iloc[0])
        assert hist["filename"].iloc[0] == good.name and hist["status"].iloc[0] == "done"
        wait_idle(page, t("upload.done_named", "zh", filename=good.name, inserted=0, updated=len(before),
                          unchanged=0), rerun=False)
        assert t("upload.need_check", "zh") not in main_text(page)     # the page follows what happened
        after_visits = float(_team_week(e2e)["visits"].sum())
        assert after_visits == before_visits + len(before)
        screenshot(page, e2e.backend, JOURNEY, "upload-done", "zh")

        # the weekly review shows the new numbers
        goto_page(page, "page.weekly", "zh", t("weekly.summary", "zh"))
        assert metric_value(page, visits_label) == fmt.number(after_visits, "visits")

        # undo the import, with the confirmation
        goto_page(page, "page.upload", "zh", t("upload.history", "zh"))
        when = pd.Timestamp(hist["created_at"].iloc[0]).strftime("%Y-%m-%d %H:%M")
        label = t("upload.batch_label", "zh", when=when, kind=t("ingest.kind.daily", "zh"), filename=good.name)
        select_option(page, t("upload.undo_pick", "zh"), label)
        main_area(page).get_by_role("button", name=t("upload.undo", "zh")).click()
        wait_idle(page, t("upload.undo_confirm_named", "zh", label=label))
        main_area(page).get_by_role("button", name=t("upload.undo_yes", "zh")).click()
        wait_idle(page, t("upload.undone_named", "zh", label=label, restored=len(before), removed=0))
        assert _imports(e2e)["status"].iloc[0] == "undone"
        screenshot(page, e2e.backend, JOURNEY, "upload-undone", "zh")
    finally:
        # whatever happened above, leave the shared database as the other journeys expect it
        hist = _imports(e2e)
        for row in hist[(hist["status"] == "done") & (hist["filename"] == good.name)].itertuples():
            store_logs.undo_import(e2e.engine, _lead_scope(e2e), int(row.id))

    # the numbers are back to what they were, on the page and in the database
    assert float(_team_week(e2e)["visits"].sum()) == before_visits
    goto_page(page, "page.weekly", "zh", t("weekly.summary", "zh"))
    assert metric_value(page, visits_label) == fmt.number(before_visits, "visits")


def main_text_of(page) -> str:
    return main_area(page).inner_text()
