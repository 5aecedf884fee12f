"""core.ingest.corrections: the problem rows of an upload as an editable table, and the upload rebuilt with the
edited cells so the same checks run again. Workbooks are built in the test."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from core import ingest
from core.ingest import corrections as fix
from core.ingest.daily import parse_daily
from core.ingest.readers import read_workbook
from core.scope import SYSTEM
from tests.core.ingest.helpers import LEAD1, ROSTER, xlsx

H = ["日期", "工号", "拜访客户数", "新增存款(万元)", "工作日志"]
D = dt.datetime(2026, 11, 2)      # a Monday


def _file(rows, name="周报.xlsx", extra=None):
    sheets = {"日报": [H] + rows}
    sheets.update(extra or {})
    return [(name, xlsx(sheets))]


def _check(files):
    return parse_daily(files, ROSTER, LEAD1)


def test_problem_rows_show_the_rows_with_problems_as_text():
    files = _file([[D, "1001", 5, 12.5, "走访"], [D, "1002", "many", 1, None], [D, "2001", 2, "x", None]])
    res = _check(files)
    [sheet] = fix.problem_rows(files, res.problems, "daily", "en")
    assert (sheet.file, sheet.sheet, sheet.header_row) == ("周报.xlsx", "日报", 1)
    assert sheet.labels == ["A 日期", "B 工号", "C 拜访客户数", "D 新增存款(万元)", "E 工作日志"]
    assert sheet.rows == [3, 4]                        # row 2 has no problem
    assert sheet.values == [["2026-11-02", "1002", "many", "1", ""], ["2026-11-02", "2001", "2", "x", ""]]
    assert sheet.problems == ['"many" is not a number.',
                              '"2001" is not a manager of your team; you may not import this row.\n"x" is not a number.']
    assert sheet.total == 2 and sheet.label == "周报.xlsx › 日报"


def test_problem_rows_are_capped():
    files = _file([[D, "1001", "bad", 1, None]] * 5)
    [sheet] = fix.problem_rows(files, _check(files).problems, "daily", max_rows=2)
    # rows 2..6 each have a problem (a bad number; from row 3 on also a duplicate): the first two are offered
    assert sheet.rows == [2, 3] and sheet.total == 5


@pytest.mark.parametrize("edit, expected_cell, expected_ok", [
    # the typed text replaces the cell and is parsed again: 4户 → 4 visits
    ({(0, 2): "4户"}, "4户", True),
    # an emptied cell becomes empty: a blank flow is 0, the row imports
    ({(0, 2): ""}, None, True),
    # still wrong: the same check reports it again
    ({(0, 2): "lots"}, "lots", False),
    # text that looks like a formula stays text (never evaluated), and is still not a number
    ({(0, 2): "=1+1"}, "=1+1", False),
])
def test_apply_corrections_rebuilds_the_upload(edit, expected_cell, expected_ok):
    files = _file([[D, "1001", 5, 12.5, "走访"], [D, "1002", "many", 1, None]])
    res = _check(files)
    [sheet] = fix.problem_rows(files, res.problems, "daily")
    edited = [[list(r) for r in sheet.values]]
    for (i, c), v in edit.items():
        edited[0][i][c] = v
    done = fix.apply_corrections(files, [sheet], edited)
    assert done.changed == 1
    assert done.cells[0][:3] == ("周报.xlsx › 日报", "C3", "C 拜访客户数")
    [(name, data)] = done.files
    assert name == "周报.xlsx"
    [grid] = read_workbook(name, data)
    # unedited cells keep their value and type: the date stays a date, 12.5 a number, the note its text
    assert grid.rows[1][:5] == read_workbook(*files[0])[0].rows[1][:5] == [D.date(), "1001", 5.0, 12.5, "走访"]
    assert grid.rows[2][2] == expected_cell and grid.rows[2][3] == 1.0
    again = _check(done.files)
    assert again.ok is expected_ok
    if expected_ok:
        assert again.rows["visits"].tolist() == [5.0, 4.0 if expected_cell else 0.0]


def test_nothing_changed_keeps_the_files():
    files = _file([[D, "1002", "many", 1, None]])
    [sheet] = fix.problem_rows(files, _check(files).problems, "daily")
    done = fix.apply_corrections(files, [sheet], [[list(r) for r in sheet.values]])
    assert done.changed == 0 and done.files == files


def test_other_sheets_and_hidden_state_are_kept():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填写说明"
    ws.append(["请按模板填写"])
    data_ws = wb.create_sheet("日报")
    for r in [H, [D, "1002", "many", 1, None]]:
        data_ws.append(r)
    hidden = wb.create_sheet("lists")
    hidden.append(["a", "b"])
    hidden.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    files = [("w.xlsx", buf.getvalue())]
    [sheet] = fix.problem_rows(files, _check(files).problems, "daily")
    edited = [[list(r) for r in sheet.values]]
    edited[0][0][2] = "3"
    done = fix.apply_corrections(files, [sheet], edited)
    grids = read_workbook("w.xlsx", done.files[0][1])
    assert [(g.name, g.hidden) for g in grids] == [("填写说明", False), ("日报", False), ("lists", True)]
    assert grids[0].rows == [["请按模板填写"]] and grids[2].rows == [["a", "b"]]
    assert _check(done.files).ok


@pytest.mark.parametrize("name, expected", [
    ("周报.xlsx", "周报.xlsx"), ("周报.XLSX", "周报.XLSX"), ("周报.xls", "周报.xlsx"), ("周报.ods", "周报.xlsx"),
    ("周报.xlsm", "周报.xlsx"),
])
def test_a_rebuilt_workbook_is_an_xlsx(name, expected):
    assert fix._xlsx_name(name) == expected


def test_a_csv_stays_a_csv_and_imports(engine):
    roster = ("花名册.csv", "工号,姓名,团队,条线,职级\r\n1001,张伟,一队,零售,客户经理\r\n".encode("utf-8"))
    assert ingest.import_files(engine, SYSTEM, "roster", [roster]).ok
    files = [("周报.csv", "日期,工号,拜访客户数\r\n2026-11-02,1001,five\r\n".encode("utf-8"))]
    out = ingest.import_files(engine, LEAD1, "daily", files, dry_run=True)
    assert [p.code for p in out.errors] == ["ingest.bad_number"]
    [sheet] = fix.problem_rows(files, out.problems, "daily")
    assert sheet.sheet is None and sheet.values == [["2026-11-02", "1001", "five"]]
    done = fix.apply_corrections(files, [sheet], [[["2026-11-02", "1001", "5"]]])
    assert done.files[0][0] == "周报.csv"
    assert done.files[0][1].decode("utf-8-sig") == "日期,工号,拜访客户数\r\n2026-11-02,1001,5\r\n"
    out = ingest.import_files(engine, LEAD1, "daily", done.files)
    assert out.ok and out.summary.inserted == 1
