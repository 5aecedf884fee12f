"""views/upload.py with views/upload_mappings.py through the real app (AppTest): an unknown column mapped in the
report, saved for the team and applied to the next upload without a question; a bad cell fixed in the report's
editable table and the import re-run on the page; the saved mappings listed and removed.

Demo bank (tests/views/conftest.py): demo_lead leads 对公一队 (CM001–CM008); the demo's logs end 2026-11-20, so
rows for 2026-11-23 (a Monday) are new.
"""
from __future__ import annotations

import datetime as dt

from core import ingest, store
from core.ingest import mappings as mp
from core.scope import SYSTEM, Scope
from core.store import logs as store_logs
from tests.views.helpers import rerun, run_page, texts
from ui.text import md
from tests.views.test_upload import _row, _upload, xlsx

PAGE = "views/upload.py"
LEAD = Scope("team_lead", "demo_lead", team="对公一队", employee_id="CM001")
HEAD = ["日期", "工号", "本周走访数", "新增存款(万元)", "ETC"]
FILE = ("本周日报.xlsx", xlsx([HEAD, ["2026-11-23", "CM003", 5, 12.5, "粤A"], ["2026-11-23", "CM004", 7, 0, None]]))


def _click(at, label):
    [b for b in at.button if b.label == label][0].click()


def _check(at, url, files, lang="en"):
    _upload(at, "daily", files)
    rerun(at, url)
    at.button(key="upl_check_daily").click()
    rerun(at, url)
    assert not at.exception


def test_map_an_unknown_column_import_and_reupload_without_a_question(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    _check(at, demo_db_url, [FILE])
    body = texts(at)
    assert "Unknown columns" in body and "mapped by your saved mapping" not in body
    boxes = {s.label: s for s in at.selectbox if s.label in ("本周走访数", "ETC")}
    assert set(boxes) == {"本周走访数", "ETC"}
    assert boxes["本周走访数"].value == "" and boxes["本周走访数"].options[:6] == [
        "— leave it —", "Date", "Employee ID", "Manager", "Team", "Visits"]
    assert boxes["ETC"].options[-1] == "Ignore this column"
    assert "Save for: team 对公一队" in body                     # a team lead saves for his team only
    boxes["本周走访数"].set_value("visits")
    boxes["ETC"].set_value("ignore")
    _click(at, "Save the mappings and check again")
    rerun(at, demo_db_url)
    assert not at.exception
    body = texts(at)
    assert md("Column mappings saved (team 对公一队): 2; checked again.") in body
    assert md("“本周走访数” read as Visits — mapped by your saved mapping (team 对公一队)") in body
    assert md("“ETC” not imported — ignored by your saved mapping (team 对公一队)") in body
    assert "Unknown columns" not in body
    assert "Check passed: no problems found." in body
    assert [(m.header_text, m.field, m.team) for m in mp.list_mappings(store.get_engine(demo_db_url), LEAD)] == [
        ("ETC", "ignore", "对公一队"), ("本周走访数", "visits", "对公一队")]      # by header
    at.button(key="upl_import_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert _row(demo_db_url, "CM003", dt.date(2026, 11, 23))["visits"].tolist() == [5.0]
    assert _row(demo_db_url, "CM004", dt.date(2026, 11, 23))["visits"].tolist() == [7.0]

    # next week's upload, a new session: the same headers, no question asked
    again = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    _check(again, demo_db_url, [FILE])
    body = texts(again)
    assert "Unknown columns" not in body
    assert not [s for s in again.selectbox if s.label in ("本周走访数", "ETC")]
    assert md("“本周走访数” read as Visits — mapped by your saved mapping (team 对公一队)") in body
    assert "Check passed: 0 rows would be inserted, 0 updated, 2 unchanged." in body


def test_a_mapping_to_a_field_the_file_has_is_refused_on_the_page(demo_db_url):
    head = ["日期", "工号", "拜访客户数", "本周走访数"]
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    _check(at, demo_db_url, [("w.xlsx", xlsx([head, ["2026-11-23", "CM003", 5, 6]]))])
    [box] = [s for s in at.selectbox if s.label == "本周走访数"]
    box.set_value("visits")
    _click(at, "Save the mappings and check again")
    rerun(at, demo_db_url)
    assert not at.exception
    assert [e.value for e in at.error] == [md("The column mappings were not saved:") + "\n- " + md(
        "“本周走访数” cannot be read as Visits: the file already has a Visits column.")]
    assert mp.list_mappings(store.get_engine(demo_db_url), LEAD) == []


def test_a_director_may_save_branch_wide(demo_db_url):
    from tests.views.test_upload import _direct
    at = _direct(demo_db_url, SYSTEM, lang="en")
    _check(at, demo_db_url, [FILE])
    team_box = at.selectbox(key="upl_map_team_daily")
    assert team_box.value is None and team_box.options == ["branch-wide", "team 对公一队", "team 对公二队",
                                                           "team 零售一队", "team 零售二队"]
    [box] = [s for s in at.selectbox if s.label == "本周走访数"]
    box.set_value("visits")
    _click(at, "Save the mappings and check again")
    at.run()
    assert not at.exception
    assert md("Column mappings saved (branch-wide): 1; checked again.") in texts(at)
    assert [(m.header_text, m.team) for m in mp.list_mappings(store.get_engine(demo_db_url), SYSTEM)] == [
        ("本周走访数", None)]


def test_fix_a_bad_cell_in_the_report_and_import(demo_db_url):
    head = ["日期", "工号", "拜访客户数", "新增存款(万元)"]
    files = [("w.xlsx", xlsx([head, ["2026-11-23", "CM003", "many", 1], ["2026-11-23", "CM004", 2, 3]]))]
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    _check(at, demo_db_url, files)
    assert "Errors: 1, warnings: 0" in texts(at)
    key = f"upl_fix_daily_0_{ingest.sha256_of(files)[:12]}"
    editor = at.data_editor(key=key)
    shown = editor.value
    assert list(shown.columns) == ["Row", "A 日期", "B 工号", "C 拜访客户数", "D 新增存款(万元)", "Problems"]
    assert shown[["Row", "C 拜访客户数"]].values.tolist() == [[2, "many"]]
    assert at.button(key="upl_import_daily").disabled
    at.session_state[key] = {"edited_rows": {0: {"C 拜访客户数": "4户"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="upl_fix_apply_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    body = texts(at)
    assert md("Corrections applied and checked again: 1.") in body
    assert "Using the file as corrected on this page (corrections: 1)." in body
    assert "Check passed: 2 rows would be inserted, 0 updated, 0 unchanged." in body
    assert _row(demo_db_url, "CM003", dt.date(2026, 11, 23)).empty     # a check writes nothing
    at.button(key="upl_import_daily").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert _row(demo_db_url, "CM003", dt.date(2026, 11, 23))["visits"].tolist() == [4.0]
    assert _row(demo_db_url, "CM004", dt.date(2026, 11, 23))["deposits_new"].tolist() == [3.0]
    history = store_logs.list_imports(store.get_engine(demo_db_url), LEAD)
    assert history.iloc[0]["filename"] == "w.xlsx"


def test_the_lead_lists_and_removes_his_mappings_on_the_upload_page(demo_db_url):
    eng = store.get_engine(demo_db_url)
    branch = mp.add_mapping(eng, SYSTEM, "ETC", "ignore", None)
    own = mp.add_mapping(eng, LEAD, "本周走访数", "visits", "对公一队")
    mp.add_mapping(eng, SYSTEM, "走访数", "visits", "对公二队")
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    assert not at.exception
    listed = next(df for df in (d.value for d in at.dataframe) if "Read as" in df.columns)
    assert listed[["ID", "Header", "Read as", "Applies to"]].values.tolist() == [
        [branch.id, "ETC", "Ignore this column", "branch-wide"], [own.id, "本周走访数", "Visits", "team 对公一队"]]
    assert at.selectbox(key="upl_map_list_pick").options == [f"#{own.id} · 本周走访数 → Visits · team 对公一队"]
    at.button(key="upl_map_list_remove").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert md("Mapping “本周走访数” → Visits (team 对公一队) removed.") in texts(at)
    assert [m.id for m in mp.list_mappings(eng, LEAD)] == [branch.id]


def test_settings_tab_lists_every_mapping_for_the_director(demo_db_url):
    eng = store.get_engine(demo_db_url)
    mp.add_mapping(eng, SYSTEM, "ETC", "ignore", None)
    mp.add_mapping(eng, LEAD, "本周走访数", "visits", "对公一队")
    at = run_page("views/settings.py", demo_db_url, "demo_director", lang="en")
    assert not at.exception
    listed = next(df for df in (d.value for d in at.dataframe) if "Read as" in df.columns)
    assert listed["Header"].tolist() == ["ETC", "本周走访数"]
    assert len(at.selectbox(key="set_map_pick").options) == 2      # a director may remove both


def test_a_header_from_the_file_is_shown_literally(demo_db_url):
    head = ["日期", "工号", "拜访客户数", "[点此](http://evil.example)"]
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    _check(at, demo_db_url, [("w.xlsx", xlsx([head, ["2026-11-23", "CM003", 5, 1]]))])
    # the label is escaped Markdown: it shows the text as written, never a link
    assert [s.label for s in at.selectbox if "evil" in s.label] == [r"\[点此\]\(http\:\/\/evil\.example\)"]
