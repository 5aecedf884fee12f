"""Uploads that remember (团队长, 对公一队): the lead uploads the team's Friday with two columns the system does not
know — 本周走访数 (his own name for 拜访客户数) and ETC (a column he keeps for himself) — maps them in the report
(visits, ignore), imports, then uploads the very same file again: no question is asked, the report says the columns
were mapped by his saved mapping, and the import changes nothing. Afterwards the database is as before (imports
undone, mappings removed) for the other journeys.

The day is the demo's last one (2026-11-20): every manager of the team is re-sent with his visits plus one, so each
stored row changes and no new date moves the other journeys' "latest day".
"""
from __future__ import annotations

import openpyxl
import pytest

from core import auth
from core.i18n import t
from core.ingest import mappings as mp
from core.store import logs as store_logs
from tests.e2e.conftest import DEMO_END, LEAD_TEAM
from tests.e2e.helpers import (assert_no_error, goto_page, main_area, main_text, remove_upload, screenshot,
                               select_option, sign_in, upload, wait_idle)

pytestmark = pytest.mark.e2e

JOURNEY = "mappings"
HEAD = ["日期", "工号", "客户经理", "本周走访数", "新增存款(万元)", "ETC"]


def _scope(e2e):
    return auth.scope_for_username(e2e.engine, e2e.lead.username)


def _day(e2e):
    return store_logs.read_logs(e2e.engine, _scope(e2e), start=DEMO_END, end=DEMO_END, team=LEAD_TEAM)


def _write(rows, dest):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "日报"
    ws.append(HEAD)
    for r in rows.itertuples():
        ws.append([DEMO_END, r.employee_id, r.manager_name, int(r.visits) + 1, float(r.deposits_new), "粤A·12345"])
    wb.save(dest)
    return dest


DONE = t("upload.done_named", "zh", filename="", inserted="", updated="", unchanged="").split("「")[0]   # 已导入


def _applied(lang, column, field):
    return t("mappings.applied", lang, column=column, field=mp.choice_label(field, lang),
             whose=mp.whose(LEAD_TEAM, lang))


def test_map_unknown_columns_import_and_reupload_without_a_question(page, e2e, tmp_path):
    lead = e2e.lead
    before = _day(e2e)
    assert len(before) >= 5, "the demo team logs every working day"
    before_visits = before.set_index("employee_id")["visits"].to_dict()
    n_imports = len(store_logs.list_imports(e2e.engine, _scope(e2e)))
    path = _write(before, tmp_path / "对公一队日报-1120.xlsx")

    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role)
    goto_page(page, "page.upload", "zh", t("upload.title", "zh"), t("upload.history", "zh"))
    try:
        # the first upload: two unknown columns, the report asks what each one is
        upload(page, path)
        main_area(page).get_by_role("button", name=t("upload.check", "zh")).click()
        wait_idle(page, t("mappings.offer_title", "zh"), t("mappings.offer_save", "zh"))
        assert_no_error(page, "zh")
        text = main_text(page)
        assert f"{t('mappings.offer_for', 'zh')}: {mp.whose(LEAD_TEAM, 'zh')}" in text   # his team, nothing else
        screenshot(page, e2e.backend, JOURNEY, "offer", "zh")

        select_option(page, "本周走访数", mp.choice_label("visits", "zh"))
        select_option(page, "ETC", mp.choice_label("ignore", "zh"))
        main_area(page).get_by_role("button", name=t("mappings.offer_save", "zh")).click()
        wait_idle(page, t("mappings.offer_saved", "zh", n=2, whose=mp.whose(LEAD_TEAM, "zh")),
                  _applied("zh", "本周走访数", "visits"),
                  t("upload.preview", "zh", inserted=0, updated=len(before), unchanged=0))
        assert t("mappings.offer_title", "zh") not in main_text(page)
        saved = mp.list_mappings(e2e.engine, _scope(e2e))
        assert sorted((m.header_text, m.field, m.team) for m in saved) == [
            ("ETC", "ignore", LEAD_TEAM), ("本周走访数", "visits", LEAD_TEAM)]
        screenshot(page, e2e.backend, JOURNEY, "mapped", "zh")

        main_area(page).get_by_role("button", name=t("upload.import", "zh")).click()
        wait_idle(page, DONE)
        first = int(store_logs.list_imports(e2e.engine, _scope(e2e))["id"].iloc[0])
        wait_idle(page, t("upload.done_named", "zh", filename=path.name, inserted=0, updated=len(before), unchanged=0),
                  rerun=False)
        after = _day(e2e).set_index("employee_id")["visits"].to_dict()
        assert after == {k: v + 1 for k, v in before_visits.items()}      # 本周走访数 became 拜访客户数

        # the same file again (next week's habit): no question asked, the saved mapping reads it
        remove_upload(page)
        upload(page, path)
        main_area(page).get_by_role("button", name=t("upload.check", "zh")).click()
        wait_idle(page, _applied("zh", "本周走访数", "visits"),
                  t("upload.preview", "zh", inserted=0, updated=0, unchanged=len(before)))
        text = main_text(page)
        assert t("mappings.offer_title", "zh") not in text and t("mappings.offer_save", "zh") not in text
        assert t("mappings.applied_ignore", "zh", column="ETC", whose=mp.whose(LEAD_TEAM, "zh")) in text
        assert_no_error(page, "zh")
        screenshot(page, e2e.backend, JOURNEY, "reupload", "zh")
        main_area(page).get_by_role("button", name=t("upload.import", "zh")).click()
        wait_idle(page, DONE)
        second = int(store_logs.list_imports(e2e.engine, _scope(e2e))["id"].iloc[0])
        wait_idle(page, t("upload.done_named", "zh", filename=path.name, inserted=0, updated=0, unchanged=len(before)),
                  rerun=False)
        assert _day(e2e).set_index("employee_id")["visits"].to_dict() == after

        # the saved mappings, listed for the lead on the upload page
        page.get_by_text(t("mappings.list_title", "zh")).first.click()
        wait_idle(page, t("mappings.list_caption", "zh"), rerun=False)
        screenshot(page, e2e.backend, JOURNEY, "saved-list", "zh")
    finally:
        # leave the shared database as the other journeys expect it: newest import undone first
        scope = _scope(e2e)
        hist = store_logs.list_imports(e2e.engine, scope)
        for row in hist[(hist["status"] == "done") & (hist["filename"] == path.name)].itertuples():
            store_logs.undo_import(e2e.engine, scope, int(row.id))
        for m in mp.list_mappings(e2e.engine, scope):
            if m.team == LEAD_TEAM:
                mp.remove_mapping(e2e.engine, scope, m.id)
    assert _day(e2e).set_index("employee_id")["visits"].to_dict() == before_visits
    assert len(store_logs.list_imports(e2e.engine, _scope(e2e))) == n_imports + 2
