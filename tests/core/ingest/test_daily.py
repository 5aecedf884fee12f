"""core.ingest.daily: the daily log read column by column — every behaviour worked out by hand.

`parse_daily` checks a sheet per column (numpy for number cells, one parse per distinct text, one roster lookup
per distinct manager, one calendar lookup per distinct date) and reports problems in the order of a row-by-row
reading. These tables pin what comes out: rows (values in storage units), problems with their location (row,
header as written, value as seen) and their order; cells of every type a grid may hold; dates; who a row is;
days off; duplicates; sheets with nothing to import.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import ingest
from core.ingest import locate
from core.ingest.readers import Sheet
from core.schema import METRICS
from tests.core.ingest.helpers import LEAD1, ROSTER, xlsx

D = dt.date(2026, 11, 2)          # a Monday, a working day
SAT = dt.date(2026, 11, 7)
NATIONAL_DAY = dt.date(2026, 10, 1)


def from_grid(monkeypatch, rows, scope=LEAD1, overrides=None):
    """parse_daily of one sheet handed over as a grid (cells of any type, rows of any length)."""
    monkeypatch.setattr(locate, "read_workbook", lambda *a, **k: [Sheet("日报", rows)])
    return ingest.parse_daily([("a.xlsx", b"PK")], ROSTER, scope, overrides=overrides)


def found(res):
    return [(p.severity, p.code, p.row, p.column, p.value) for p in res.problems]


# ---------------------------------------------------------------- a messy sheet, worked out by hand

H = ["日期", "工号", "客户经理", "团队", "拜访客户数", "新增存款(元)", "存款余额(万元)", "中间业务收入(万元)", "信用卡",
     "工作日志"]
MESSY = [
    H,                                                                                        # Excel row 1
    [D, "1001", "张伟", "一队", "5户", "12.5万", 20000, 0.08, "3 张", "走访"],                 # 2
    ["2026/11/03", 1002, None, None, 3, "1,234.50", "—", None, None, None],                  # 3
    [SAT, "1001", "张伟", "一队", 2, None, None, None, 1, None],                             # 4
    [D, "9999", None, None, 1, None, None, None, None, None],                                 # 5
    ["2026-13-45", "1003", "王芳", "一队", "五", None, None, None, None, None],               # 6
    [D, "1003", "王芳", "一队", -2, None, None, None, 1.5, None],                             # 7
    ["2026年11月2日", "1001", "张伟", None, 1, None, None, None, None, None],                  # 8
    ["合计", None, None, None, 13, None, None, None, 4, None],                               # 9
    [None] * 10,                                                                              # 10
    [None, "1002", "李娜", "一队", None, "-", None, None, None, None],                        # 11
    [NATIONAL_DAY, "2001", "王强", "二队", 1, None, None, None, None, None],                  # 12
    [D, None, "李娜", None, 1, None, None, None, None, None],                                  # 13
    [dt.date(2026, 11, 4), "1003", " 王 芳 ", "二队", 150, -5, 20000, -0.01, 2, "x"],         # 14
    H,                                                                                        # 15
]


def test_messy_sheet_worked_out_by_hand():
    files = [("日报.xlsx", xlsx({"日报": MESSY}))]
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    # rows 9 (totals), 10 (blank), 11 (a name with nothing logged; "-" is blank) and 15 (header again) are
    # not data: 10 rows counted (2–8, 12–14)
    assert res.sheet_rows == {"日报.xlsx › 日报": 10}
    got = [(p.severity, p.code, p.row, p.column, p.value) for p in res.problems]
    assert got == [
        ("warning", "ingest.weekend", 4, "日期", "2026-11-07"),
        ("error", "ingest.unknown_manager_none", 5, "工号", "9999"),
        ("error", "ingest.bad_date", 6, "日期", "2026-13-45"),
        ("error", "ingest.bad_number", 6, "拜访客户数", "五"),
        ("error", "ingest.negative_count", 7, "拜访客户数", "-2"),
        ("error", "ingest.fractional_count", 7, "信用卡", "1.5"),
        ("error", "ingest.duplicate_row", 8, "工号", "1001"),              # row 2 has 1001 on 2026-11-02
        ("error", "ingest.out_of_scope", 12, "工号", "2001"),              # 王强 is in 二队
        ("warning", "ingest.holiday", 12, "日期", "2026-10-01"),           # National Day
        ("error", "ingest.ambiguous_name_hidden", 13, "客户经理", "李娜"),  # 1002 (一队) or 2002 (二队): no ID shown
        ("warning", "ingest.team_mismatch", 14, "团队", "二队"),           # 王芳 is in 一队
        ("warning", "ingest.implausible", 14, "拜访客户数", "150"),        # > 100 visits a day
        ("warning", "ingest.negative_amount", 14, "中间业务收入(万元)", "-0.01"),
    ]
    p = res.problems[6]
    assert p.params == {"first": {"zh": "日报.xlsx › 日报 第2行", "en": "日报.xlsx › 日报 row 2"}, "date": "2026-11-02"}
    assert res.problems[9].params == {}        # 2002 is in 二队: the lead of 一队 is not told the ID
    assert res.problems[0].params["weekday"] == {"zh": "周六", "en": "Saturday"}
    assert res.problems[3].params == {"field": "visits"} and res.problems[4].params == {}
    assert [p.col_index for p in res.problems[:4]] == [0, 1, 0, 4]
    # rows 2, 3, 4 and 14 import
    rows = res.rows.set_index(res.rows["date"].dt.date.astype(str) + "/" + res.rows["employee_id"])
    assert list(rows.index) == ["2026-11-02/1001", "2026-11-03/1002", "2026-11-07/1001", "2026-11-04/1003"]
    assert list(res.rows.dtypes.astype(str)) == ["object", "datetime64[ns]"] + ["float64"] * len(METRICS) + ["object"]
    # row 2: 5户 → 5; 12.5万 in a 元 column = 125,000 元 = 12.5 万元; 0.08 万元 fee = 800 元; 3 张 → 3
    r = rows.loc["2026-11-02/1001"]
    assert (r.visits, r.deposits_new, r.deposit_balance, r.fee_income, r.credit_cards, r.notes) == \
        (5, 12.5, 20000, 800, 3, "走访")
    # row 3: 1,234.50 元 = 0.12345 万元; "—" balance is not logged (NaN); blank flows are 0
    r = rows.loc["2026-11-03/1002"]
    assert r.visits == 3 and r.deposits_new == pytest.approx(0.12345) and np.isnan(r.deposit_balance)
    assert (r.fee_income, r.credit_cards, r.loans_new, r.notes) == (0, 0, 0, None)
    # row 14: negative new deposits are a net flow (no warning); -0.01 万元 fee = -100 元 (warned, kept)
    r = rows.loc["2026-11-04/1003"]
    assert (r.visits, r.deposits_new, r.fee_income, r.credit_cards) == (150, -5 / 10000, -100, 2)


@pytest.mark.parametrize("cell,value,code", [
    # a cell is read by its own type, whatever else the column holds: True is not the number 1, 1 is;
    # -0.0 visits are 0; inf is not a number; NaN is an empty cell (a blank flow is 0)
    (True, None, "ingest.bad_number"),
    (1, 1.0, None),
    (1.0, 1.0, None),
    (-0.0, 0.0, None),
    (float("inf"), None, "ingest.bad_number"),
    (float("nan"), 0.0, None),
    ("1", 1.0, None),
])
def test_same_value_of_another_type_in_one_column(monkeypatch, cell, value, code):
    # rows 2–5 hold 1, 1.0, True and 2; the cell under test is on row 6 (2026-11-06)
    rows = [["日期", "工号", "拜访客户数"]] + [[dt.date(2026, 11, 2) + dt.timedelta(days=i), "1001", v]
                                                for i, v in enumerate([1, 1.0, True, 2, cell])]
    monkeypatch.setattr(locate, "read_workbook", lambda *a, **k: [Sheet("日报", rows)])
    files = [("a.xlsx", b"PK")]
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    assert [(p.code, p.row) for p in res.errors] == [("ingest.bad_number", 4)] + ([(code, 6)] if code else [])
    last = res.rows[res.rows["date"] == pd.Timestamp(dt.date(2026, 11, 6))]
    assert list(last["visits"]) == ([] if value is None else [value])
    assert not np.signbit(last["visits"]).any()



# ---------------------------------------------------------------- one cell of a metric column, any type

E, W = "error", "warning"


@pytest.mark.parametrize("cell, visits, problems", [
    # blanks: a blank flow is 0
    (None, 0.0, []),
    (float("nan"), 0.0, []),
    ("", 0.0, []),
    (" ", 0.0, []),
    ("—", 0.0, []),
    ("无", 0.0, []),
    # numbers, and text numbers with count suffixes or multipliers
    (5, 5.0, []),
    (np.float64(2.0), 2.0, []),
    (-0.0, 0.0, []),
    ("5户", 5.0, []),
    ("3 张", 3.0, []),
    ("８", 8.0, []),                                               # full-width digits
    ("1e3", 1000.0, [(W, "ingest.implausible", "1e3")]),           # more than 100 visits a day: kept, warned
    ("0.02万", 200.0, [(W, "ingest.implausible", "0.02万")]),       # 万 on a count is a multiplier: 200 > 100
    ("1.2万", None, [(E, "ingest.beyond_hard_range", "1.2万")]),    # 12,000 visits > the hard range of 1,000
    (10 ** 20, None, [(E, "ingest.beyond_hard_range", "100000000000000000000")]),   # beyond 1,000 visits
    # not numbers: the row is left out
    (float("inf"), None, [(E, "ingest.bad_number", "inf")]),
    (float("-inf"), None, [(E, "ingest.bad_number", "-inf")]),
    ("1e400", None, [(E, "ingest.bad_number", "1e400")]),          # overflows to infinity
    (True, None, [(E, "ingest.bad_number", "True")]),
    (False, None, [(E, "ingest.bad_number", "False")]),
    (np.int64(3), None, [(E, "ingest.bad_number", "3")]),          # readers never give numpy ints
    (dt.time(9, 30), None, [(E, "ingest.bad_number", "09:30:00")]),
    ("五", None, [(E, "ingest.bad_number", "五")]),
    ("1.5.2", None, [(E, "ingest.bad_number", "1.5.2")]),
    # counts are whole and not negative
    (4.5, None, [(E, "ingest.fractional_count", "4.5")]),
    ("4.5户", None, [(E, "ingest.fractional_count", "4.5户")]),
    (-2, None, [(E, "ingest.negative_count", "-2")]),
    (-1e-12, None, [(E, "ingest.negative_count", "-1e-12")]),
])
def test_count_cell(monkeypatch, cell, visits, problems):
    res = from_grid(monkeypatch, [["日期", "工号", "拜访客户数"], [D, "1001", cell]])
    assert [(p.severity, p.code, p.value) for p in res.problems] == problems
    assert all((p.row, p.column, p.col_index) == (2, "拜访客户数", 2) for p in res.problems)
    assert list(res.rows["visits"]) == ([] if visits is None else [visits])
    assert not np.signbit(res.rows["visits"]).any()


@pytest.mark.parametrize("header, cell, field, value, problems", [
    # the header's unit converts to the storage unit (万元 for deposits, 元 for fee income) ...
    ("新增存款(元)", 12345, "deposits_new", 1.2345, []),
    ("新增存款(元)", "12,345,678", "deposits_new", 1234.5678, []),
    ("新增存款(元)", "¥100", "deposits_new", 0.01, []),
    ("新增存款(万元)", 12.5, "deposits_new", 12.5, []),
    ("新增存款", 12.5, "deposits_new", 12.5, []),                        # no unit: the field's (万元)
    ("新增贷款(亿元)", 1, "loans_new", 10000.0, []),
    ("中间业务收入(万元)", 0.08, "fee_income", 800.0, []),
    # ... and a unit typed in the cell wins over the header's
    ("新增存款(元)", "12.5万", "deposits_new", 12.5, []),
    ("新增存款(元)", "1.2亿", "deposits_new", 12000.0, []),
    ("新增存款(元)", "0.5w", "deposits_new", 0.5, []),
    # accounting negatives; a net flow may be negative, another amount is warned about (and kept)
    ("新增存款(元)", "(1,234)", "deposits_new", -0.1234, []),
    ("中间业务收入(万元)", -0.01, "fee_income", -100.0, [(W, "ingest.negative_amount", "-0.01")]),
    ("存款余额(万元)", -5, "deposit_balance", -5.0, [(W, "ingest.negative_amount", "-5")]),
    # implausibly large for a day
    ("新增存款(元)", 1e13, "deposits_new", None, [(E, "ingest.beyond_hard_range", "10000000000000")]),  # 1e9 万元
    ("新增存款(元)", 2e9, "deposits_new", 2e5, [(W, "ingest.implausible", "2000000000")]),    # 200,000 万元
    # a blank balance is "not logged" (NaN), a blank flow 0
    ("存款余额(万元)", "—", "deposit_balance", float("nan"), []),
    ("新增存款(万元)", "—", "deposits_new", 0.0, []),
    ("新增存款(万元)", "abc", "deposits_new", None, [(E, "ingest.bad_number", "abc")]),
])
def test_amount_cell(monkeypatch, header, cell, field, value, problems):
    res = from_grid(monkeypatch, [["日期", "工号", header], [D, "1001", cell]])
    assert [(p.severity, p.code, p.value) for p in res.problems] == problems
    assert all((p.row, p.column) == (2, header) for p in res.problems)
    if value is None:
        assert res.rows.empty
    elif value != value:
        assert res.rows[field].isna().all() and len(res.rows) == 1
    else:
        assert list(res.rows[field]) == [pytest.approx(value)]


def test_bad_number_message_names_the_field():
    res = ingest.parse_daily([("a.xlsx", xlsx({"日报": [["日期", "工号", "拜访客户数"], [D, "1001", "五"]]}))], ROSTER)
    assert res.problems[0].params == {"field": "visits"}
    assert res.problems[0].message("en") == '"五" is not a number.'


# ---------------------------------------------------------------- one date cell

@pytest.mark.parametrize("cell, date, problems", [
    (D, D, []),
    (dt.datetime(2026, 11, 6, 9, 30), dt.date(2026, 11, 6), []),
    ("2026/11/2", D, []),
    ("2026-11-02", D, []),
    ("2026.11.02", D, []),
    ("2026年11月3日", dt.date(2026, 11, 3), []),
    ("20261104", dt.date(2026, 11, 4), []),
    (46328, D, []),                                         # Excel serial: 2026-01-01 is 46023, + 305 days
    (46329.0, dt.date(2026, 11, 3), []),
    ("46328", D, []),                                       # a serial stored as text
    ("2026-13-45", None, [(E, "ingest.bad_date", "2026-13-45")]),
    ("明天", None, [(E, "ingest.bad_date", "明天")]),
    (1, None, [(E, "ingest.bad_date", "1")]),              # serial 1 is 1899-12-31: before 2000
    ("1999-01-01", None, [(E, "ingest.bad_date", "1999-01-01")]),
    (True, None, [(E, "ingest.bad_date", "True")]),
    (None, None, [(E, "ingest.missing_value", None)]),
    ("—", None, [(E, "ingest.missing_value", None)]),
    # days off: warned, kept
    (SAT, SAT, [(W, "ingest.weekend", "2026-11-07")]),
    (NATIONAL_DAY, NATIONAL_DAY, [(W, "ingest.holiday", "2026-10-01")]),
    (dt.date(2026, 10, 10), dt.date(2026, 10, 10), []),     # a Saturday made a working day (调休)
])
def test_date_cell(monkeypatch, cell, date, problems):
    res = from_grid(monkeypatch, [["日期", "工号", "拜访客户数"], [cell, "1001", 1]])
    assert [(p.severity, p.code, p.value) for p in res.problems] == problems
    assert all((p.row, p.column, p.col_index) == (2, "日期", 0) for p in res.problems)
    assert list(res.rows["date"].dt.date) == ([] if date is None else [date])


@pytest.mark.parametrize("day, overrides, problem", [
    (SAT, {SAT: True}, None),                                          # the bank works that Saturday
    (dt.date(2026, 11, 4), {dt.date(2026, 11, 4): False}, "ingest.day_off"),   # the bank's own day off
    (SAT, None, "ingest.weekend"),
])
def test_days_off_follow_the_banks_calendar(monkeypatch, day, overrides, problem):
    res = from_grid(monkeypatch, [["日期", "工号", "拜访客户数"], [day, "1001", 1]], overrides=overrides)
    assert [p.code for p in res.problems] == ([problem] if problem else [])
    assert len(res.rows) == 1


def test_day_off_messages():
    files = [("a.xlsx", xlsx({"日报": [["日期", "工号", "拜访客户数"], [SAT, "1001", 1], [NATIONAL_DAY, "1001", 1]]}))]
    weekend, holiday = ingest.parse_daily(files, ROSTER).problems
    assert weekend.message("zh") == "2026-11-07 是周六(非工作日),请确认日期。"
    assert weekend.message("en") == "2026-11-07 is a Saturday, not a working day; please check the date."
    assert holiday.message("zh") == "2026-10-01 是法定节假日(国庆节),请确认日期。"


# ---------------------------------------------------------------- who a row is (a team lead of 一队 uploads)

@pytest.mark.parametrize("eid, name, team, who, problems", [
    ("1001", None, None, "1001", []),
    (1001, None, None, "1001", []),                                  # a number cell
    (1002.0, None, None, "1002", []),
    (" 1002 ", None, None, "1002", []),
    ("1001 ", None, None, "1001", []),
    (float("nan"), "张伟", None, "1001", []),                        # an empty number cell: found by name
    ("１００１", None, None, "1001", []),                             # full-width digits
    ("00123", "赵敏", None, "00123", []),
    (123, None, None, "00123", []),                                  # leading zeros lost by Excel
    (None, " 王 芳 ", None, "1003", []),                             # by name, spaces ignored
    (None, "李娜", "一队", "1002", []),                               # a repeated name told apart by team
    ("1003", None, "二队", "1003", [(W, "ingest.team_mismatch", "团队", "二队")]),
    ("1003", None, "一 队", "1003", [(W, "ingest.team_mismatch", "团队", "一 队")]),
    (None, "李娜", None, None, [(E, "ingest.ambiguous_name_hidden", "客户经理", "李娜")]),
    ("1001", "李娜", None, None, [(E, "ingest.id_name_mismatch", "客户经理", "李娜")]),
    ("9999", None, None, None, [(E, "ingest.unknown_manager_none", "工号", "9999")]),
    (True, None, None, None, [(E, "ingest.unknown_manager_none", "工号", "True")]),
    (1001.5, None, None, None, [(E, "ingest.unknown_manager", "工号", "1001.5")]),   # close to 1001, 1002, 1003
    (None, "张玮", None, None, [(E, "ingest.unknown_manager", "客户经理", "张玮")]),
    ("2001", None, None, None, [(E, "ingest.out_of_scope", "工号", "2001")]),     # 王强 is in 二队
    (None, "王强", None, None, [(E, "ingest.out_of_scope", "客户经理", "王强")]),
    (None, None, None, None, [(E, "ingest.missing_manager", "工号", None)]),
])
def test_who_a_row_is(monkeypatch, eid, name, team, who, problems):
    res = from_grid(monkeypatch, [["日期", "工号", "客户经理", "团队", "拜访客户数"], [D, eid, name, team, 1]])
    assert [(p.severity, p.code, p.column, p.value) for p in res.problems] == problems
    assert all(p.row == 2 for p in res.problems)
    assert list(res.rows["employee_id"]) == ([] if who is None else [who])


def test_who_problems_carry_what_the_message_needs(monkeypatch):
    res = from_grid(monkeypatch, [["日期", "工号", "客户经理", "拜访客户数"], [D, None, "李娜", 1],
                                  [D, None, "张玮", 1], [D, "2001", None, 1]])
    ambiguous, unknown, outside = res.problems
    assert ambiguous.params == {}                        # 2002 is in 二队: not shown to the lead of 一队
    assert unknown.params == {"suggestions": ["张伟(1001)"]}
    # only what the file says: not 王强's name, not his team
    assert outside.message("en") == '"2001" is not a manager of your team; you may not import this row.'


# ---------------------------------------------------------------- sheets with little or nothing to import

@pytest.mark.parametrize("rows, counted, problems, imported", [
    # a header and nothing else; totals and blanks only; a pre-filled name with nothing logged: no rows
    ([["日期", "工号", "拜访客户数"]], 0, [(E, "ingest.no_rows", None)], []),
    ([["日期", "工号", "拜访客户数"], ["合计", None, 3], [None, None, None]], 0, [(E, "ingest.no_rows", None)], []),
    ([["日期", "工号", "客户经理", "拜访客户数"], [None, "1001", "张伟", "—"]], 0, [(E, "ingest.no_rows", None)], []),
    # short rows: a missing cell reads as blank
    ([["日期", "工号", "拜访客户数", "工作日志"], [D], [D, "1001"], [SAT, "1002", 1, "周末加班"]], 3,
     [(E, "ingest.missing_manager", 2), (W, "ingest.weekend", 4)],
     [("1001", D, 0.0, None), ("1002", SAT, 1.0, "周末加班")]),
    # an unidentified manager twice is not a duplicate
    ([["日期", "客户经理", "拜访客户数"], [D, "李娜", 1], [D, "李娜", 2]], 2,
     [(E, "ingest.ambiguous_name_hidden", 2), (E, "ingest.ambiguous_name_hidden", 3)], []),
    # the same manager and day three times (1001 typed as text and as a number): the first one imports
    ([["日期", "工号", "拜访客户数"], [D, "1001", 1], [D, 1001, 2], [D, "1001", 3]], 3,
     [(E, "ingest.duplicate_row", 3), (E, "ingest.duplicate_row", 4)], [("1001", D, 1.0, None)]),
])
def test_edge_sheets(monkeypatch, rows, counted, problems, imported):
    res = from_grid(monkeypatch, rows)
    assert res.sheet_rows == {"a.xlsx › 日报": counted}
    assert [(p.severity, p.code, p.row) for p in res.problems] == problems
    notes = res.rows["notes"] if "notes" in res.rows else [None] * len(res.rows)
    assert list(zip(res.rows["employee_id"], res.rows["date"].dt.date, res.rows["visits"], notes)) == imported
    assert list(res.rows.dtypes.astype(str)) == ["object", "datetime64[ns]"] + ["float64"] * len(METRICS) + ["object"]


def test_problems_of_a_row_come_in_reading_order(monkeypatch):
    """Within a row: date, manager, metrics in METRICS order (not column order), day off, duplicate; rows in
    order, sheets in order."""
    header = ["信用卡", "日期", "拜访客户数", "客户经理", "工号"]
    rows = [header, [1.5, "明天", -1, "李娜", "1001"], [2, SAT, 1, None, "1001"], [2, SAT, 1, None, "1001"]]
    res = from_grid(monkeypatch, rows)
    assert [(p.row, p.code) for p in res.problems] == [
        (2, "ingest.bad_date"), (2, "ingest.id_name_mismatch"), (2, "ingest.negative_count"),
        (2, "ingest.fractional_count"),
        (3, "ingest.weekend"),
        (4, "ingest.weekend"), (4, "ingest.duplicate_row")]
    dup = res.problems[-1]
    assert dup.params == {"first": {"zh": "a.xlsx › 日报 第3行", "en": "a.xlsx › 日报 row 3"}, "date": "2026-11-07"}
    assert (dup.column, dup.value, dup.col_index) == ("工号", "1001", 4)


def test_duplicates_across_sheets_and_a_csv(monkeypatch):
    """A duplicate is found across sheets and files; the first location is named."""
    files = [("周报.xlsx", xlsx({"第45周": [["日期", "工号", "拜访客户数"], [D, "1001", 1]],
                                 "第46周": [["日期", "工号", "拜访客户数"], [D, "1002", 1], [D, "1001", 2]]})),
             ("补录.csv", "日期,工号,拜访客户数\r\n2026-11-02,1002,3\r\n".encode("utf-8"))]
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    assert res.sheet_rows == {"周报.xlsx › 第45周": 1, "周报.xlsx › 第46周": 2, "补录.csv": 1}
    assert [(p.file, p.sheet, p.row, p.params["first"]["en"]) for p in res.problems] == [
        ("周报.xlsx", "第46周", 3, "周报.xlsx › 第45周 row 2"),
        ("补录.csv", None, 2, "周报.xlsx › 第46周 row 2")]
    assert sorted(res.rows["employee_id"]) == ["1001", "1002"]


@pytest.mark.parametrize("notes, stored", [
    ("走访", "走访"),
    ("  电话回访\n客户  ", "电话回访 客户"),      # whitespace folded
    ("=1+1", "=1+1"),                           # stored as written; exports escape it
    (42, "42"),
    (3.5, "3.5"),
    (None, None),
])
def test_notes_are_text(monkeypatch, notes, stored):
    res = from_grid(monkeypatch, [["日期", "工号", "拜访客户数", "工作日志"], [D, "1001", 1, notes]])
    assert list(res.rows["notes"]) == [stored]
