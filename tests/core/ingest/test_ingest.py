"""core.ingest: parsing and validating daily logs, roster and targets; importing through the store; the report.

Every workbook is built in the test; expected numbers are worked out by hand in the comments.
"""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

from core import ingest
from core.scope import SYSTEM, Scope
from core.store import logs as store_logs
from core.store import tables as t
from tests.core.ingest.helpers import LEAD1, ROSTER, xlsx

H = ["日期", "工号", "客户经理", "拜访客户数", "新增存款(万元)", "中间业务收入(元)", "信用卡", "工作日志"]


def daily(rows, header=H, title=None, name="周报.xlsx"):
    return [(name, xlsx({"日报": [header] + rows}, title))]


def codes(res, severity=None):
    return sorted((p.code, p.row, p.column) for p in res.problems if severity in (None, p.severity))


# ---------------------------------------------------------------- daily: what imports

D = dt.date(2026, 11, 2)   # a Monday, a working day


@pytest.mark.parametrize("header,row,expected", [
    # zh headers with half-width units: 12.5 万元 stays 12.5; 中间业务收入(元) 800 → 800 元
    (H, [D, "1001", "张伟", 5, 12.5, 800, 2, "走访"],
     {"visits": 5, "deposits_new": 12.5, "fee_income": 800, "credit_cards": 2, "notes": "走访"}),
    # full-width brackets, any order, fee income given in 万元: 0.08 万元 = 800 元
    (["工号", "新增存款（万元）", "日期", "中间业务收入（万元）", "拜访客户数"], ["1001", 12.5, D, 0.08, 5],
     {"visits": 5, "deposits_new": 12.5, "fee_income": 800}),
    # English headers with units: 125000 CNY = 12.5 万元
    (["Date", "Employee ID", "Visits", "New deposits (CNY)", "Fee income (CNY)"], [D, "1001", 5, 125000, 800],
     {"visits": 5, "deposits_new": 12.5, "fee_income": 800}),
    # bilingual template headers
    (["日期 Date", "工号 Employee ID", "拜访客户数 Visits", "新增存款(万元) New deposits (10k CNY)"],
     [D, "1001", 5, 12.5], {"visits": 5, "deposits_new": 12.5}),
    # text with units and separators; 12.5万 in a 元 column of deposits is 125000 元 = 12.5 万元
    (["日期", "工号", "拜访客户数", "新增存款(元)", "中间业务收入(元)", "信用卡", "手机银行"],
     ["2026/11/2", "1001", "5户", "12.5万", "1,234.50", "3 张", "—"],
     {"visits": 5, "deposits_new": 12.5, "fee_income": 1234.5, "credit_cards": 3, "mobile_banking": 0}),
    # date typed as an Excel serial and as 2026年11月2日; name only → resolves to 1001 through the roster
    (["日期", "客户经理", "拜访客户数"], [46328, "张伟", 5], {"visits": 5}),
    (["日期", "客户经理", "拜访客户数"], ["2026年11月2日", "张伟", 5], {"visits": 5}),
    # employee ID typed as a number; ID typed without its leading zeros still finds 00123
    (["日期", "工号", "拜访客户数"], [D, 1001, 5], {"visits": 5}),
    # 存款余额 blank stays NaN (not logged), a blank flow is 0
    (["日期", "工号", "存款余额(万元)", "新增贷款(万元)"], [D, "1001", None, None],
     {"deposit_balance": np.nan, "loans_new": 0}),
])
def test_daily_variants_import_the_same_values(header, row, expected):
    res = ingest.parse_daily(daily([row], header=header), ROSTER, LEAD1)
    assert res.errors == []
    assert len(res.rows) == 1
    rec = res.rows.iloc[0]
    assert rec["employee_id"] == "1001"
    assert rec["date"] == pd.Timestamp(D)
    for k, v in expected.items():
        if isinstance(v, float) and np.isnan(v):
            assert np.isnan(rec[k])
        elif isinstance(v, str):
            assert rec[k] == v
        else:
            assert rec[k] == pytest.approx(v), k


def test_leading_zero_ids_match_the_roster():
    res = ingest.parse_daily(daily([[D, 123, None, 1]], header=["日期", "工号", "客户经理", "拜访客户数"]), ROSTER)
    assert res.errors == [] and list(res.rows["employee_id"]) == ["00123"]


def test_messy_workbook_title_rows_totals_blank_rows_and_several_sheets():
    week1 = [H,
             [D, "1001", "张伟", "5户", 10, 100, 1, None],
             [None] * 8,                                         # blank row
             ["2026-11-03", "1002", "李娜", 3, "1,000", None, None, None],
             ["合计", None, None, 8, 1010, 100, 1, None]]         # totals row
    week2 = [H, [dt.date(2026, 11, 9), "1001", "张伟", 4, 2, 0, 0, None],
             [None, None, "小计", 4, 2, 0, 0, None]]
    files = [("周报.xlsx", xlsx({"第45周": week1, "第46周": week2, "填写说明": [["说明:每人每天一行"]]},
                               title="XX支行客户经理工作日报 2026年第45周"))]
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    assert res.problems == []
    assert res.sheets == ["周报.xlsx › 第45周", "周报.xlsx › 第46周"]
    assert res.sheet_rows == {"周报.xlsx › 第45周": 2, "周报.xlsx › 第46周": 1}
    # visits 5 + 3 + 4 = 12; deposits 10 + 1000 + 2 = 1012 万元
    assert res.rows["visits"].sum() == 12
    assert res.rows["deposits_new"].sum() == pytest.approx(1012)


def test_csv_gbk_and_xls_sheets_combine_across_files():
    import xlwt
    csv = "日期,工号,拜访客户数\r\n2026-11-02,1001,5\r\n".encode("gbk")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("日报")
    for j, v in enumerate(["日期", "工号", "拜访客户数"]):
        ws.write(0, j, v)
    ws.write(1, 0, 46329.0)       # 2026-11-03 as a serial number
    ws.write(1, 1, "1002")
    ws.write(1, 2, 7)
    buf = io.BytesIO()
    wb.save(buf)
    res = ingest.parse_daily([("a.csv", csv), ("b.xls", buf.getvalue())], ROSTER, LEAD1)
    assert res.errors == []
    assert res.sheets == ["a.csv", "b.xls › 日报"]
    got = {(r.employee_id, r.date.date()): r.visits for r in res.rows.itertuples()}
    assert got == {("1001", dt.date(2026, 11, 2)): 5, ("1002", dt.date(2026, 11, 3)): 7}


# ---------------------------------------------------------------- daily: problems

@pytest.mark.parametrize("header,rows,expected", [
    # missing required column: no date
    (["工号", "拜访客户数", "新增存款(万元)"], [["1001", 5, 1]],
     [("error", "ingest.missing_column", 1, None)]),
    # no identity column at all
    (["日期", "拜访客户数", "新增存款(万元)"], [[D, 5, 1]], [("error", "ingest.missing_column", 1, None)]),
    # unparseable date and number
    (["日期", "工号", "拜访客户数"], [["2026-13-45", "1001", "五"]],
     [("error", "ingest.bad_date", 2, "日期"), ("error", "ingest.bad_number", 2, "拜访客户数")]),
    # negative and fractional counts
    (["日期", "工号", "拜访客户数", "信用卡"], [[D, "1001", -2, 1.5]],
     [("error", "ingest.negative_count", 2, "拜访客户数"), ("error", "ingest.fractional_count", 2, "信用卡")]),
    # a manager not on the roster
    (["日期", "工号", "拜访客户数"], [[D, "9999", 1]], [("error", "ingest.unknown_manager_none", 2, "工号")]),
    # the same manager and date twice
    (["日期", "工号", "拜访客户数"], [[D, "1001", 1], ["2026/11/2", "1001", 2]],
     [("error", "ingest.duplicate_row", 3, "工号")]),
    # ID and name disagree
    (["日期", "工号", "客户经理", "拜访客户数"], [[D, "1001", "李娜", 1]],
     [("error", "ingest.id_name_mismatch", 2, "客户经理")]),
    # another team's manager (team lead of 一队 uploading 二队's 王强)
    (["日期", "工号", "拜访客户数"], [[D, "2001", 1]], [("error", "ingest.out_of_scope", 2, "工号")]),
    # two 李娜 on the roster, name only, no team column → ambiguous
    (["日期", "客户经理", "拜访客户数"], [[D, "李娜", 1]], [("error", "ingest.ambiguous_name_hidden", 2, "客户经理")]),
    # data but no manager
    (["日期", "工号", "客户经理", "拜访客户数"], [[D, None, None, 1]], [("error", "ingest.missing_manager", 2, "工号")]),
    # a date missing while numbers are there
    (["日期", "工号", "拜访客户数"], [[None, "1001", 1]], [("error", "ingest.missing_value", 2, "日期")]),
    # warnings only: unknown column, > 100 visits, Saturday 2026-11-07
    (["日期", "工号", "拜访客户数", "心情指数"], [[dt.date(2026, 11, 7), "1001", 120, 9]],
     [("warning", "ingest.implausible", 2, "拜访客户数"), ("warning", "ingest.unknown_column", 1, "心情指数"),
      ("warning", "ingest.weekend", 2, "日期")]),
    # National Day 2026-10-01 → holiday warning; Saturday 2026-10-10 is a make-up working day (调休) → nothing
    (["日期", "工号", "拜访客户数"], [[dt.date(2026, 10, 1), "1001", 1], [dt.date(2026, 10, 10), "1001", 2]],
     [("warning", "ingest.holiday", 2, "日期")]),
    # a team column that disagrees with the roster → warning, roster wins
    (["日期", "工号", "团队", "拜访客户数"], [[D, "1001", "二队", 1]], [("warning", "ingest.team_mismatch", 2, "团队")]),
    # data in a column without a header
    (["日期", "工号", "拜访客户数", None], [[D, "1001", 1, "x"]], [("warning", "ingest.unnamed_column", 1, None)]),
    # the same field twice
    (["日期", "工号", "拜访客户数", "拜访户数"], [[D, "1001", 1, 2]], [("error", "ingest.duplicate_column", 1, "拜访户数")]),
])
def test_daily_problems(header, rows, expected):
    res = ingest.parse_daily(daily(rows, header=header), ROSTER, LEAD1)
    got = sorted((p.severity, p.code, p.row, p.column) for p in res.problems)
    assert got == sorted(expected)
    for p in res.problems:
        assert p.file == "周报.xlsx" and p.sheet == "日报"
        assert p.message("zh") and p.message("en")


def test_errors_keep_the_good_rows_out_of_the_result_only_for_bad_rows():
    res = ingest.parse_daily(daily([[D, "1001", None, 1], [D, "1002", None, "x"]]), ROSTER, LEAD1)
    assert [p.code for p in res.errors] == ["ingest.bad_number"]
    assert not res.ok
    assert list(res.rows["employee_id"]) == ["1001"]


def test_unknown_manager_suggests_close_names_within_scope():
    res = ingest.parse_daily(daily([[D, None, "张玮", 1]]), ROSTER, LEAD1)
    (p,) = res.errors
    assert p.code == "ingest.unknown_manager"
    assert p.params["suggestions"][0] == "张伟(1001)"
    # 王强 (二队) is never suggested to the lead of 一队
    assert not any("2001" in s for s in p.params["suggestions"])
    assert p.message("en").startswith('"张玮" is not on the roster. Did you mean: 张伟(1001)')


def test_manager_identified_by_name_and_team_when_names_repeat():
    res = ingest.parse_daily(daily([[D, "李娜", "一队", 1]], header=["日期", "客户经理", "团队", "拜访客户数"]),
                             ROSTER, LEAD1)
    assert res.errors == [] and list(res.rows["employee_id"]) == ["1002"]


def test_duplicate_across_files_names_the_first_location():
    files = daily([[D, "1001", None, 1]], name="a.xlsx") + daily([[D, "1001", None, 2]], name="b.xlsx")
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    (p,) = res.errors
    assert (p.code, p.file, p.row) == ("ingest.duplicate_row", "b.xlsx", 2)
    assert "a.xlsx › 日报 row 2" in p.message("en")


def test_file_without_any_daily_sheet():
    files = [("x.xlsx", xlsx({"Sheet1": [["随便写点什么"], ["hello"]]}))]
    res = ingest.parse_daily(files, ROSTER)
    assert [(p.severity, p.code) for p in res.problems] == [("warning", "ingest.sheet_skipped"),
                                                            ("error", "ingest.no_sheet")]


def test_roster_sheet_in_a_daily_workbook_is_skipped_not_an_error():
    files = [("w.xlsx", xlsx({"日报": [["日期", "工号", "拜访客户数"], [D, "1001", 1]],
                              "花名册": [["工号", "姓名", "团队", "条线", "职级"], ["1001", "张伟", "一队", "零售", "客户经理"]]}))]
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    assert res.errors == [] and [p.code for p in res.warnings] == ["ingest.sheet_skipped"]


# ---------------------------------------------------------------- roster

RH = ["工号", "姓名", "团队", "条线", "职级", "入职日期", "导师工号"]


@pytest.mark.parametrize("header,rows,expected_rows,expected_problems", [
    (RH, [["1001", "张伟", "一队", "零售", "客户经理", "2020-03-01", None],
          ["1002", "李娜", "一队", "对私", "客户经理助理", dt.date(2025, 7, 1), "1001"],
          [3001, "周杰", "三队", "对公", "高级客户经理", 43891, None]],      # serial 43891 = 2020-03-01
     [("1001", "retail", dt.date(2020, 3, 1), None), ("1002", "retail", dt.date(2025, 7, 1), "1001"),
      ("3001", "corporate", dt.date(2020, 3, 1), None)], []),
    (["Employee ID", "Name", "Team", "Line", "Grade"], [["1001", "张伟", "一队", "corporate", "CM"]],
     [("1001", "corporate", None, None)], []),
    (RH, [["1001", "张伟", "一队", "综合", "客户经理", None, None]], [], [("error", "ingest.bad_line", 2, "条线")]),
    (RH, [["1001", "张伟", "一队", "零售", None, None, None]], [], [("error", "ingest.missing_value", 2, "职级")]),
    (RH, [["1001", "张伟", "一队", "零售", "客户经理", None, None], ["1001", "张三", "一队", "零售", "客户经理", None, None]],
     [("1001", "retail", None, None)], [("error", "ingest.duplicate_employee", 3, "工号")]),
    (RH, [["1001", "张伟", "一队", "零售", "客户经理", "去年", None]], [], [("error", "ingest.bad_date", 2, "入职日期")]),
    (RH, [["1001", "张伟", "一队", "零售", "客户经理", None, "7777"], ["1002", "李娜", "一队", "零售", "客户经理", None, "1002"]],
     [("1001", "retail", None, "7777"), ("1002", "retail", None, "1002")],
     [("warning", "ingest.unknown_mentor", 2, "导师工号"), ("warning", "ingest.self_mentor", 3, "导师工号")]),
    (["工号", "姓名", "条线", "职级"], [["1001", "张伟", "零售", "客户经理"]], [],
     [("error", "ingest.missing_column", 1, None)]),
])
def test_parse_roster(header, rows, expected_rows, expected_problems):
    res = ingest.parse_roster([("花名册.xlsx", xlsx({"花名册": [header] + rows}))])
    got = sorted((p.severity, p.code, p.row, p.column) for p in res.problems)
    assert got == sorted(expected_problems)
    out = [(r.employee_id, r.line, None if pd.isna(r.start_date) else r.start_date.date(), r.mentor_id)
           for r in res.rows.itertuples()]
    assert out == expected_rows


def test_team_lead_roster_rows_of_other_teams_are_errors():
    rows = [RH, ["1001", "张伟", "一队", "零售", "客户经理", None, None], ["2001", "王强", "二队", "对公", "客户经理", None, None]]
    res = ingest.parse_roster([("r.xlsx", xlsx({"r": rows}))], scope=LEAD1)
    assert [(p.code, p.row) for p in res.errors] == [("ingest.out_of_scope", 3)]


# ---------------------------------------------------------------- targets

TH = ["月份", "工号", "姓名", "新增存款(万元)", "信用卡", "中间业务收入(万元)"]


@pytest.mark.parametrize("header,rows,expected,expected_problems", [
    # blank = no target; 中间业务收入 1.5 万元 = 15000 元
    (TH, [["2026-11", "1001", "张伟", 500, 20, 1.5], ["2026年12月", "1002", None, "300", None, None]],
     {("2026-11", "1001", "deposits_new"): 500, ("2026-11", "1001", "credit_cards"): 20,
      ("2026-11", "1001", "fee_income"): 15000, ("2026-12", "1002", "deposits_new"): 300}, []),
    # month as a date cell; team column is fine; 存款余额 cannot take a target → warning
    (["月份", "工号", "团队", "新增存款(元)", "存款余额(万元)"], [[dt.date(2026, 11, 1), "1001", "一队", 5_000_000, 9]],
     {("2026-11", "1001", "deposits_new"): 500}, [("warning", "ingest.not_target_metric", 1, "存款余额(万元)")]),
    (TH, [["2026-13", "1001", None, 1, 1, 1]], {}, [("error", "ingest.bad_month", 2, "月份")]),
    (TH, [["2026-11", "1001", None, -1, 1, 1]], {}, [("error", "ingest.negative_value", 2, "新增存款(万元)")]),
    (TH, [["2026-11", "1001", None, 1, -1, 1]], {}, [("error", "ingest.negative_count", 2, "信用卡")]),
    (TH, [["2026-11", "1001", None, 1, None, None], ["2026/11", "1001", None, 2, None, None]],
     {("2026-11", "1001", "deposits_new"): 1}, [("error", "ingest.duplicate_target", 3, "新增存款(万元)")]),
    (TH, [["2026-11", "2001", None, 1, None, None]], {}, [("error", "ingest.out_of_scope", 2, "工号")]),
    (["月份", "工号", "存款余额(万元)"], [["2026-11", "1001", 1]], {},
     [("warning", "ingest.not_target_metric", 1, "存款余额(万元)"), ("error", "ingest.no_target_metrics", 1, None)]),
])
def test_parse_targets(header, rows, expected, expected_problems):
    # A title row and a blank row sit above the header, so every Excel row number is 2 more than in the table.
    res = ingest.parse_targets([("目标.xlsx", xlsx({"目标": [header] + rows}, title="2026年11月目标分解"))], ROSTER, LEAD1)
    got = sorted((p.severity, p.code, p.row, p.column) for p in res.problems)
    assert got == sorted((s, c, r + 2, col) for s, c, r, col in expected_problems)
    assert {(r.month, r.employee_id, r.metric): r.value for r in res.rows.itertuples()} == expected


# ---------------------------------------------------------------- import through the store

ROSTER_FILE = ("花名册.xlsx", xlsx({"花名册": [RH,
                                            ["1001", "张伟", "一队", "零售", "客户经理", "2020-03-01", None],
                                            ["1002", "李娜", "一队", "零售", "客户经理", None, "1001"],
                                            ["2001", "王强", "二队", "对公", "高级客户经理", None, None]]}))


def _count(engine, table):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


def test_import_roster_daily_targets_and_reimport(engine):
    out = ingest.import_files(engine, SYSTEM, "roster", [ROSTER_FILE])
    assert out.ok, [p.message("en") for p in out.problems]
    assert (out.summary.inserted, out.summary.updated, out.summary.unchanged) == (3, 0, 0)

    f = daily([[D, "1001", "张伟", 5, 12.5, 800, 2, None], ["2026-11-03", "1002", None, 3, None, None, None, "x"]])
    out = ingest.import_files(engine, LEAD1, "daily", f)
    assert out.ok and (out.summary.inserted, out.summary.updated, out.summary.unchanged) == (2, 0, 0)
    assert out.filename == "周报.xlsx"
    import hashlib
    assert out.sha256 == hashlib.sha256(f[0][1]).hexdigest()
    logs = store_logs.read_logs(engine, SYSTEM)
    assert logs.set_index("employee_id").loc["1001", "deposits_new"] == 12.5
    assert logs.set_index("employee_id").loc["1001", "fee_income"] == 800

    # the same file again: nothing changes
    out = ingest.import_files(engine, LEAD1, "daily", f)
    assert (out.summary.inserted, out.summary.updated, out.summary.unchanged) == (0, 0, 2)
    # a corrected file: one row updated
    f2 = daily([[D, "1001", "张伟", 6, 12.5, 800, 2, None], ["2026-11-03", "1002", None, 3, None, None, None, "x"]])
    out = ingest.import_files(engine, LEAD1, "daily", f2)
    assert (out.summary.inserted, out.summary.updated, out.summary.unchanged) == (0, 1, 1)

    tgt = [("目标.xlsx", xlsx({"目标": [TH, ["2026-11", "1001", "张伟", 500, 20, 1.5]]}))]
    out = ingest.import_files(engine, LEAD1, "targets", tgt)
    assert out.ok and out.summary.inserted == 3
    got = store_logs.read_targets(engine, SYSTEM)
    assert dict(zip(got["metric"], got["value"])) == {"credit_cards": 20, "deposits_new": 500, "fee_income": 15000}

    # re-importing the roster updates people and never deletes their logs
    ros2 = ("花名册.xlsx", xlsx({"花名册": [RH, ["1001", "张伟", "一队", "零售", "高级客户经理", "2020-03-01", None]]}))
    out = ingest.import_files(engine, SYSTEM, "roster", [ros2])
    assert (out.summary.inserted, out.summary.updated, out.summary.unchanged) == (0, 1, 0)
    assert _count(engine, t.daily_logs) == 2 and _count(engine, t.managers) == 3


def test_errors_store_nothing(engine):
    ingest.import_files(engine, SYSTEM, "roster", [ROSTER_FILE])
    before = (_count(engine, t.daily_logs), _count(engine, t.imports))
    f = daily([[D, "1001", None, 5, 1, 1, 1, None], [D, "9999", None, 1, 1, 1, 1, None]])
    out = ingest.import_files(engine, LEAD1, "daily", f)
    assert out.summary is None and not out.ok
    assert [p.code for p in out.errors] == ["ingest.unknown_manager_none"]
    assert (_count(engine, t.daily_logs), _count(engine, t.imports)) == before


def test_dry_run_counts_without_writing(engine):
    ingest.import_files(engine, SYSTEM, "roster", [ROSTER_FILE])
    out = ingest.import_files(engine, LEAD1, "daily", daily([[D, "1001", None, 5, 1, 1, 1, None]]), dry_run=True)
    assert out.ok and out.summary.dry_run and out.summary.inserted == 1
    assert _count(engine, t.daily_logs) == 0


@pytest.mark.parametrize("scope,code", [
    (Scope("manager", "cm1", employee_id="1001"), "ingest.role_cannot_import"),
    (LEAD1, "ingest.out_of_scope"),
])
def test_scope_refusals(engine, scope, code):
    ingest.import_files(engine, SYSTEM, "roster", [ROSTER_FILE])
    out = ingest.import_files(engine, scope, "daily", daily([[D, "2001", None, 5, 1, 1, 1, None]]))
    assert [p.code for p in out.errors] == [code]
    assert _count(engine, t.daily_logs) == 0


def test_unsafe_file_is_refused_before_parsing(engine):
    out = ingest.import_files(engine, SYSTEM, "daily", [("a.xlsx", b"PK\x03\x04garbage")])
    assert [p.code for p in out.errors] == ["upload.corrupt"]
    out = ingest.import_files(engine, SYSTEM, "daily", [("a.exe", b"MZ...")])
    assert [p.code for p in out.errors] == ["upload.bad_extension"]


def test_store_refusal_becomes_a_problem(engine):
    # A team lead may not change a manager of another team through the roster (store-side check).
    ingest.import_files(engine, SYSTEM, "roster", [ROSTER_FILE])
    lead2 = Scope("team_lead", "lead2", team="二队")
    moved = ("r.xlsx", xlsx({"r": [RH, ["1001", "张伟", "二队", "零售", "客户经理", None, None]]}))
    out = ingest.import_files(engine, lead2, "roster", [moved])
    assert [p.code for p in out.errors] == ["ingest.scope_refused"]
    # the refusal is rendered in the reader's language (not an English str(exc) in a Chinese page)
    assert out.errors[0].message("en") == ("Outside your permissions: Customer manager 1001 is outside your scope. "
                                           "Nothing was imported.")
    assert out.errors[0].message("zh") == "超出您的权限范围:无权查看或修改客户经理 1001 的数据。未导入任何数据。"
    assert store_logs.read_roster(engine, SYSTEM).set_index("employee_id").loc["1001", "team"] == "一队"


# ---------------------------------------------------------------- the highlighted report

def test_problems_report_marks_cells():
    files = daily([[D, "1001", None, "五", 1, 1, 1, None], [dt.date(2026, 11, 7), "1002", None, 1, 1, 1, 1, None]])
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    data = ingest.problems_report_xlsx(files, res.problems, "en")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Problems", "日报"]
    ps = wb["Problems"]
    assert [c.value for c in ps[1]] == ["Severity", "File", "Sheet", "Row", "Column", "Cell", "Value", "Message"]
    rows = [[c.value for c in r] for r in ps.iter_rows(min_row=2)]
    assert rows[0][:7] == ["Error", "周报.xlsx", "日报", 2, "拜访客户数", "D2", "五"]
    assert rows[0][7] == '"五" is not a number.'
    assert rows[1][:6] == ["Warning", "周报.xlsx", "日报", 3, "日期", "A3"]
    ws = wb["日报"]
    assert ws["D2"].value == "五"
    assert ws["D2"].fill.fgColor.rgb.endswith("FFC7CE")         # error: red
    assert "not a number" in ws["D2"].comment.text
    assert ws["A3"].fill.fgColor.rgb.endswith("FFEB9C")         # warning: amber
    assert ws["B2"].comment is None


def test_problems_report_escapes_formulas_and_lists_unreadable_files():
    files = [("evil.csv", "日期,工号,拜访客户数\n2026-11-02,=HYPERLINK(\"x\"),1\n".encode()), ("bad.xlsx", b"PK\x03\x04x")]
    problems = [ingest.Problem("error", "upload.corrupt", "bad.xlsx")]
    res = ingest.parse_daily(files[:1], ROSTER)
    data = ingest.problems_report_xlsx(files, problems + res.problems, "zh")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["问题清单", "evil.csv"]
    assert wb["evil.csv"]["B2"].value == "'=HYPERLINK(\"x\")"
    assert wb["evil.csv"]["B2"].data_type == "s"
    files_listed = [r[1].value for r in wb["问题清单"].iter_rows(min_row=2)]
    assert "bad.xlsx" in files_listed and "evil.csv" in files_listed
