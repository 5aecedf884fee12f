"""views/upload.py through the real app (AppTest): check → report → import, history and undo, refusals.

Demo bank (tests/views/conftest.py): demo_lead leads 对公一队 (CM001–CM008); CM009 is on 对公二队. The demo's
logs end 2026-11-20, so uploads for 2026-11-23 (a Monday) insert new rows.
"""
from __future__ import annotations

import datetime as dt
import re
import io
import os

import openpyxl
from streamlit.testing.v1 import AppTest

from core import ingest, store
from core.scope import SYSTEM, Scope
from core.store import logs as store_logs
from tests.views.helpers import rerun, run_page, texts

PAGE = "views/upload.py"
LEAD = Scope("team_lead", "demo_lead", team="对公一队", employee_id="CM001")
DH = ["日期", "工号", "拜访客户数", "新增存款(万元)"]


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "日报"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _button(at, key):
    return at.button(key=key)


def _upload(at, kind, files):
    at.file_uploader(key=f"upl_files_{kind}").set_value(
        [(n, d, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") for n, d in files])


def _row(url, eid, day):
    logs = store_logs.read_logs(store.get_engine(url), SYSTEM, start=day, end=day)
    return logs[logs["employee_id"] == eid]


def test_lead_checks_then_imports_a_daily_file(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead")
    assert not at.exception
    assert [b.label for b in at.get("download_button")][:3] == ["下载日报模板", "下载花名册模板", "下载目标分解模板"]
    assert _button(at, "upl_import_daily").disabled
    data = xlsx([["XX支行客户经理工作日报"], DH, ["2026-11-23", "CM003", "5户", "12.5万"]])
    _upload(at, "daily", [("周报.xlsx", data)])
    rerun(at, demo_db_url)
    assert "请先点击「检查」。" in texts(at)
    _button(at, "upl_check_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    body = texts(at)
    assert "检查通过,没有发现问题。" in body
    assert "检查通过:将新增 1 行,更新 0 行,未变化 0 行。" in body
    sheets = next(df for df in (d.value for d in at.dataframe) if "工作表" in df.columns)
    assert sheets.to_dict("records") == [{"工作表": "周报.xlsx › 日报", "数据行数": 1}]
    assert _row(demo_db_url, "CM003", dt.date(2026, 11, 23)).empty        # a check writes nothing
    assert not _button(at, "upl_import_daily").disabled
    _button(at, "upl_import_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert "新增 1 行,更新 0 行,未变化 0 行" in texts(at)
    row = _row(demo_db_url, "CM003", dt.date(2026, 11, 23))
    assert row["visits"].tolist() == [5.0] and row["deposits_new"].tolist() == [12.5]
    history = next(df for df in (d.value for d in at.dataframe) if "导入人" in df.columns)
    assert history.iloc[0]["文件"] == "周报.xlsx" and history.iloc[0]["新增"] == 1


def test_errors_block_the_import_and_offer_the_report(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    data = xlsx([DH, ["2026-11-23", "CM003", "many", 1], ["2026-11-23", "CM009", 1, 1]])
    _upload(at, "daily", [("week.xlsx", data)])
    rerun(at, demo_db_url)
    _button(at, "upl_check_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert "Errors: 2, warnings: 0" in texts(at)
    problems = next(df for df in (d.value for d in at.dataframe) if "Message" in df.columns)
    got = sorted(zip(problems["Row"], problems["Column"], problems["Value"]))
    assert got == [(2, "拜访客户数", "many"), (3, "工号", "CM009")]
    assert any("is not a manager of your team" in m for m in problems["Message"])   # and not his name (issue 14)
    assert _button(at, "upl_import_daily").disabled
    labels = [b.label for b in at.get("download_button")]
    assert "Download the problem report (Excel with the cells marked)" in labels
    assert _row(demo_db_url, "CM003", dt.date(2026, 11, 23)).empty


def test_undo_after_confirmation(demo_db_url):
    eng = store.get_engine(demo_db_url)
    out = ingest.import_files(eng, LEAD, "daily", [("a.xlsx", xlsx([DH, ["2026-11-23", "CM004", 3, 1]]))])
    assert out.ok
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    assert at.selectbox(key="upl_undo_pick").value == out.summary.import_id
    _button(at, "upl_undo").click()
    rerun(at, demo_db_url)
    # the batch as users know it (when · kind · file), not the store's batch number (4: the demo has 3); the
    # label is escaped for Markdown (ui.text.md): shown as "… · Daily logs · a.xlsx"
    assert re.search(r"Undo 2\d{3}\\-\d\d\\-\d\d \d\d\\:\d\d · Daily logs · a\\\.xlsx\?", texts(at))
    assert f"import {out.summary.import_id}" not in texts(at).lower()
    assert len(_row(demo_db_url, "CM004", dt.date(2026, 11, 23))) == 1     # not yet
    _button(at, "upl_undo_yes").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert "· Daily logs · a\\.xlsx: 0 rows restored, 1 removed." in texts(at)
    assert _row(demo_db_url, "CM004", dt.date(2026, 11, 23)).empty


def test_refused_undo_shows_the_reason(demo_db_url):
    eng = store.get_engine(demo_db_url)
    first = ingest.import_files(eng, LEAD, "daily", [("a.xlsx", xlsx([DH, ["2026-11-23", "CM004", 3, 1]]))])
    second = ingest.import_files(eng, LEAD, "daily", [("b.xlsx", xlsx([DH, ["2026-11-23", "CM004", 4, 1]]))])
    assert first.ok and second.ok
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    at.selectbox(key="upl_undo_pick").set_value(first.summary.import_id)
    rerun(at, demo_db_url)
    _button(at, "upl_undo").click()
    rerun(at, demo_db_url)
    _button(at, "upl_undo_yes").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert [e.value for e in at.error][0].startswith(f"Cannot undo: import {second.summary.import_id} changed")
    assert _row(demo_db_url, "CM004", dt.date(2026, 11, 23))["visits"].tolist() == [4.0]


def test_roster_tab_imports_and_history_is_scoped(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead")
    rows = [["工号", "姓名", "团队", "条线", "职级"], ["CM003", "陈立新", "对公一队", "对公", "高级客户经理"]]
    _upload(at, "roster", [("花名册.xlsx", xlsx(rows))])
    rerun(at, demo_db_url)
    _button(at, "upl_check_roster").click()
    rerun(at, demo_db_url)
    assert "检查通过:将新增 0 行,更新 1 行,未变化 0 行。" in texts(at)
    _button(at, "upl_import_roster").click()
    rerun(at, demo_db_url)
    assert not at.exception
    roster = store_logs.read_roster(store.get_engine(demo_db_url), SYSTEM).set_index("employee_id")
    assert roster.loc["CM003", "grade"] == "高级客户经理"
    history = next(df for df in (d.value for d in at.dataframe) if "导入人" in df.columns)
    # the lead sees his own import, not the system's demo imports (which have no team)
    assert history["导入人"].tolist() == ["demo_lead"]


def _direct(db_url: str, scope: Scope, lang: str = "en") -> AppTest:
    """Run the page file alone with a hand-made page context (for a role the navigation never offers it to)."""
    from ui.context import PageContext
    at = AppTest.from_file(os.path.abspath(PAGE), default_timeout=60)
    today = dt.date(2026, 11, 23)
    at.session_state["_page_context"] = PageContext(
        engine=store.get_engine(db_url), scope=scope, lang=lang, today=today, day=today, week="2026-W48",
        month="2026-11", db_url=db_url)
    at.run()
    return at


def test_manager_gets_a_clear_message(demo_db_url):
    at = _direct(demo_db_url, Scope("manager", "demo_manager", team="对公一队", employee_id="CM002"))
    assert not at.exception
    assert [i.value for i in at.info] == ["Team leads and directors import data. Customer managers see their own "
                                          "figures on the other pages."]
    assert len(at.file_uploader) == 0 and len(at.button) == 0


def test_director_sees_every_import(demo_db_url):
    at = _direct(demo_db_url, SYSTEM, lang="zh")
    assert not at.exception
    history = next(df for df in (d.value for d in at.dataframe) if "导入人" in df.columns)
    assert history["类型"].tolist() == ["日报", "目标分解", "花名册"]
    assert len(at.file_uploader) == 3


def test_check_reports_per_column_what_a_partial_file_changes(demo_db_url):
    """Issue 14, item 2: a file with only some columns says which stored values it changes and keeps."""
    day = dt.date(2026, 11, 20)
    before = _row(demo_db_url, "CM003", day).iloc[0]
    at = run_page(PAGE, demo_db_url, "demo_lead")
    data = xlsx([["日期", "工号", "新增存款(万元)"], [day.isoformat(), "CM003", before["deposits_new"] + 1]])
    _upload(at, "daily", [("补录.xlsx", data)])
    rerun(at, demo_db_url)
    _button(at, "upl_check_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    body = texts(at)
    assert "「新增存款(万元)」:将修改 1 个已存数据" in body
    assert "文件中没有这些列,已存数据保持不变:拜访客户数" in body
    _button(at, "upl_import_daily").click()
    rerun(at, demo_db_url)
    after = _row(demo_db_url, "CM003", day).iloc[0]
    assert after["deposits_new"] == before["deposits_new"] + 1
    assert (after["visits"], after["fee_income"], after["notes"]) == \
        (before["visits"], before["fee_income"], before["notes"])
