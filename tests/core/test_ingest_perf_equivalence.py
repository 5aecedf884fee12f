"""core.ingest.parse_daily (column by column) gives exactly what the row-by-row reading gives.

`parse_daily` checks a sheet per column (numpy for number cells, one parse per distinct text, one roster
lookup per distinct manager, one calendar lookup per distinct date). These tests pin its output:

* a messy sheet built in code, with the expected rows and problems worked out by hand below;
* the same kind of sheet generated at random (numbers, text numbers with units, dashes, blanks, bad values,
  weekends, holidays, unknown / ambiguous / out-of-scope managers, duplicates, totals, repeated headers,
  pre-filled names, odd cell types), compared — rows, dtypes, problems and their order — with
  :func:`reference_parse_daily`, the row-by-row reading kept here as the specification.
"""
from __future__ import annotations

import datetime as dt
import io
import random

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core import ingest
from core.readers import CellError, Problem, Sheet, cell_display, is_blank, parse_date, text_value
from core.safety import DEFAULT_LIMITS
from core.schema import DAILY_ALIAS_INDEX, FIELDS_BY_NAME, LOG_COLUMNS, METRICS
from core.scope import Scope

ROSTER = pd.DataFrame({
    "employee_id": ["1001", "1002", "1003", "2001", "2002", "00123"],
    "name": ["张伟", "李娜", "王芳", "王强", "李娜", "赵敏"],
    "team": ["一队", "一队", "一队", "二队", "二队", "一队"],
    "line": ["retail", "retail", "retail", "corporate", "corporate", "retail"],
    "grade": ["客户经理"] * 6,
    "active": [True] * 6,
})
LEAD1 = Scope("team_lead", "lead1", team="一队")
D = dt.date(2026, 11, 2)          # a Monday, a working day
SAT = dt.date(2026, 11, 7)
NATIONAL_DAY = dt.date(2026, 10, 1)


def reference_parse_daily(files, roster, scope=None, overrides=None, limits=None) -> ingest.ParseResult:
    """The row-by-row reading of daily logs (the implementation before the column-wise one), kept as the
    specification of what `parse_daily` returns."""
    limits = limits or DEFAULT_LIMITS
    problems = ingest._Problems()
    tables = ingest._locate(files, DAILY_ALIAS_INDEX, ingest._daily_candidate,
                            ["date", ("employee_id", "manager_name")], "daily", problems, limits)
    rr = ingest._Roster(roster, scope)
    out: list[dict] = []
    seen: dict = {}
    sheet_rows: dict[str, int] = {}
    cell = ingest._cell
    for tb in tables:
        n = 0
        for i in range(tb.header_row + 1, tb.grid.n_rows):
            row = tb.grid.rows[i]
            excel_row = i + 1
            if ingest._skip_row(tb, row, DAILY_ALIAS_INDEX, ("date", "employee_id", "manager_name", "team")):
                continue
            raw_date = cell(row, tb.cols["date"])
            metric_cells = [cell(row, tb.cols.get(m)) for m in METRICS if m in tb.cols]
            if is_blank(raw_date) and all(is_blank(v) for v in metric_cells) and \
                    is_blank(cell(row, tb.cols.get("notes"))):
                continue
            n += 1
            before = problems.n_errors
            d = None
            if is_blank(raw_date):
                problems.append(Problem("error", "ingest.missing_value", tb.file, tb.sheet, excel_row,
                                        tb.header_of("date"), None, params={"field": "date"},
                                        col_index=tb.cols["date"]))
            else:
                try:
                    d = parse_date(raw_date)
                except CellError as exc:
                    problems.append(Problem("error", exc.code, tb.file, tb.sheet, excel_row, tb.header_of("date"),
                                            cell_display(raw_date), col_index=tb.cols["date"]))
            eid = ingest._identify(tb, row, excel_row, rr, "employee_id", "manager_name", problems)
            rec: dict = {"employee_id": eid, "date": d}
            for m in METRICS:
                if m not in tb.cols:
                    rec[m] = np.nan if m == "deposit_balance" else 0.0
                    continue
                v, ok = ingest._number(tb, row, excel_row, m, problems)
                if v is None:
                    rec[m] = np.nan if (m == "deposit_balance" or not ok) else 0.0
                    continue
                rec[m] = v
                f = FIELDS_BY_NAME[m]
                loc = dict(file=tb.file, sheet=tb.sheet, row=excel_row, column=tb.header_of(m),
                           value=cell_display(cell(row, tb.cols[m])), col_index=tb.cols[m])
                if f.max_plausible is not None and v > f.max_plausible:
                    problems.append(Problem("warning", "ingest.implausible", **loc,
                                            params={"limit": f"{f.max_plausible:g}", "field": m}))
                elif v < 0 and f.kind == "amount" and m not in ingest.NET_FLOWS:
                    problems.append(Problem("warning", "ingest.negative_amount", **loc, params={"field": m}))
            rec["notes"] = text_value(cell(row, tb.cols.get("notes")))
            if d is not None:
                ingest._day_warnings(tb, excel_row, d, raw_date, overrides, problems)
            if eid is not None and d is not None:
                key = (eid, d)
                if key in seen:
                    problems.append(Problem("error", "ingest.duplicate_row", tb.file, tb.sheet, excel_row,
                                            tb.header_of("employee_id") or tb.header_of("manager_name"),
                                            eid, params={"first": seen[key], "date": d.isoformat()},
                                            col_index=tb.cols.get("employee_id", tb.cols.get("manager_name"))))
                else:
                    seen[key] = ingest._location(tb, excel_row)
            if problems.n_errors == before:
                out.append(rec)
        sheet_rows[tb.label] = n
    rows = pd.DataFrame(out, columns=list(LOG_COLUMNS))
    rows["date"] = pd.to_datetime(rows["date"])
    for m in METRICS:
        rows[m] = rows[m].astype("float64")
    rows["notes"] = rows["notes"].astype(object).where(rows["notes"].notna(), None)
    if not tables and not problems:
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files) or "—"))
    elif tables and not sum(sheet_rows.values()) and not ingest._errors(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ingest.ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows)


def assert_same(got: ingest.ParseResult, want: ingest.ParseResult) -> None:
    pd.testing.assert_frame_equal(got.rows, want.rows, check_exact=True)
    assert list(got.rows.dtypes) == list(want.rows.dtypes)
    # signs of zero too (assert_frame_equal takes -0.0 == 0.0)
    for m in METRICS:
        assert list(np.signbit(got.rows[m])) == list(np.signbit(want.rows[m])), m
    assert [type(v) for v in got.rows["employee_id"]] == [type(v) for v in want.rows["employee_id"]]
    assert [type(v) for v in got.rows["notes"]] == [type(v) for v in want.rows["notes"]]
    assert len(got.problems) == len(want.problems)
    for g, w in zip(got.problems, want.problems):
        assert g == w
        assert g.message("zh") == w.message("zh") and g.message("en") == w.message("en")
    assert got.sheets == want.sheets
    assert got.sheet_rows == want.sheet_rows


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
        ("error", "ingest.ambiguous_name", 13, "客户经理", "李娜"),         # 1002 (一队) or 2002 (二队)
        ("warning", "ingest.team_mismatch", 14, "团队", "二队"),           # 王芳 is in 一队
        ("warning", "ingest.implausible", 14, "拜访客户数", "150"),        # > 100 visits a day
        ("warning", "ingest.negative_amount", 14, "中间业务收入(万元)", "-0.01"),
    ]
    p = res.problems[6]
    assert p.params == {"first": {"zh": "日报.xlsx › 日报 第2行", "en": "日报.xlsx › 日报 row 2"}, "date": "2026-11-02"}
    assert res.problems[9].params == {"ids": ["1002", "2002"]}
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
    assert_same(res, reference_parse_daily(files, ROSTER, LEAD1))


# ---------------------------------------------------------------- generated sheets against the reference

DATES = [D, SAT, NATIONAL_DAY, dt.date(2026, 10, 10), dt.date(2026, 11, 3), dt.datetime(2026, 11, 5, 0, 0),
         dt.datetime(2026, 11, 6, 9, 30), "2026/11/2", "2026年11月3日", "20261104", 46328, 46329.0, "2026-13-45",
         "明天", None, "—", 1, "1999-01-01"]
GOOD_DATES = [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(120)]
IDS = ["1001", "1002", "1003", 1001, 1002.0, "00123", 123, "9999", "2001", " 1002 ", None, "1001 ", "１００１"]
NAMES = ["张伟", "李娜", "王芳", " 王 芳 ", "王强", None, None, "张玮", "赵敏", "某某某"]
# (ID, name) written for one manager of 一队
GOOD_MANAGERS = [("1001", "张伟"), (1001, None), ("1002", "李娜"), (1002.0, None), ("1003", " 王 芳 "), (None, "王芳"),
                 ("00123", "赵敏"), (123, None), (None, "张伟")]
TEAMS = [None, None, "一队", "二队", "一 队"]
NUMBERS = [0, 1, 2, 5, 5.0, 7.25, 1.5, -2, -0.0, 0.0, 120, 99.999999999, 2.0000000001, "5户", "3 张", "12.5万",
           "1,234.50", "(1,234)", "¥100", "1.2亿", "0.5w", "—", "-", "无", "n/a", None, None, None, "", "  ",
           "abc", "五", "1e3", "1.5.2", 1e9, -250, 10001, "12,345,678"]
GOOD_NUMBERS = [0, 1, 2, 3, 5, 5.0, 12.5, 0.3, 1e-7, -0.0, None, None, "—", "5户", "3 张", "12.5万", "1,234.50", "8"]
NOTES = [None, None, "走访", "  电话回访\n客户  ", "—", "=1+1", 42, 3.5]


def _generated_rows(rng: random.Random, header: list[str], n: int, bad: float = 0.03) -> list[list]:
    """Rows under `header`: mostly good values, each cell bad (any value of the pools above) with
    probability `bad`, and a few blank, totals, header and pre-filled rows."""
    out = [header]
    for _ in range(n):
        x = rng.random()
        if x < 0.02:
            out.append([None] * len(header))
        elif x < 0.03:
            out.append(["合计"] + [None] * (len(header) - 1))
        elif x < 0.035:
            out.append(list(header))
        elif x < 0.05:      # a pre-filled name on an unfilled line
            out.append([None, rng.choice(IDS), rng.choice(NAMES)] + [None] * (len(header) - 3))
        else:
            eid, name = rng.choice(GOOD_MANAGERS)
            good = {"日期": rng.choice(GOOD_DATES), "工号": eid, "客户经理": name, "团队": None,
                    "工作日志": rng.choice(NOTES)}
            pools = {"日期": DATES, "工号": IDS, "客户经理": NAMES, "团队": TEAMS}
            out.append([rng.choice(pools.get(h, NUMBERS)) if rng.random() < bad
                        else good[h] if h in good else rng.choice(GOOD_NUMBERS) for h in header])
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("scope", [LEAD1, None])
def test_generated_workbooks_match_the_row_by_row_reading(seed, scope):
    rng = random.Random(seed)
    h1 = ["日期", "工号", "客户经理", "团队", "拜访客户数", "新增客户数", "新增存款(元)", "存款余额(万元)", "新增贷款(亿元)",
          "信用卡", "手机银行", "理财销售", "中间业务收入(万元)", "贷后检查", "客户投诉", "工作日志"]
    h2 = ["客户经理", "日期", "信用卡", "拜访客户数", "新增存款(万元)", "团队"]
    sheets = {"第45周": _generated_rows(rng, h1, 300), "第46周": _generated_rows(rng, h2, 150)}
    csv_rows = _generated_rows(rng, ["日期", "工号", "拜访客户数", "中间业务收入(元)", "工作日志"], 80)
    csv = "\r\n".join(",".join("" if v is None else str(v).replace(",", "").replace("\n", " ")
                               for v in r[: rng.randint(2, len(r))]) for r in csv_rows).encode("utf-8")
    files = [("周报.xlsx", xlsx(sheets)), ("补录.csv", csv)]
    overrides = {SAT: True, dt.date(2026, 11, 4): False}
    got = ingest.parse_daily(files, ROSTER, scope, overrides=overrides)
    assert got.problems and len(got.rows) > 50        # the generator makes both
    assert_same(got, reference_parse_daily(files, ROSTER, scope, overrides=overrides))


ODD = [None, float("nan"), float("inf"), float("-inf"), True, False, 1, 1.0, -0.0, 0, np.float64(2.0),
       np.int64(3), dt.time(9, 30), dt.timedelta(days=1), "", " ", "1e400", 10 ** 20, 2 ** 63, 1e308, -1e-12,
       4.5, 5.5, "4.5户"]


def test_odd_cell_types_straight_from_a_grid(monkeypatch):
    """Cells no test workbook writes (NaN, ±inf, booleans, numpy scalars, times, huge ints) give the same
    results as the row-by-row reading; the grid is handed to the parser directly."""
    rng = random.Random(7)
    header = ["日期", "工号", "客户经理", "拜访客户数", "新增存款(亿元)", "存款余额(万元)", "中间业务收入(元)", "工作日志"]
    rows = [header]
    for _ in range(400):
        rows.append([rng.choice(DATES + ODD[:8]), rng.choice(IDS + [True, 1001.5, float("nan")]),
                     rng.choice(NAMES + [1, True]), rng.choice(NUMBERS + ODD), rng.choice(NUMBERS + ODD),
                     rng.choice(NUMBERS + ODD), rng.choice(NUMBERS + ODD), rng.choice(NOTES + ODD)])
    rows.append([D, "1001"])                          # a short row
    grid = Sheet("日报", rows)
    monkeypatch.setattr(ingest, "read_workbook", lambda *a, **k: [grid])
    files = [("grid.xlsx", b"PK")]
    got = ingest.parse_daily(files, ROSTER, LEAD1)
    assert got.problems
    assert_same(got, reference_parse_daily(files, ROSTER, LEAD1))


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
    monkeypatch.setattr(ingest, "read_workbook", lambda *a, **k: [Sheet("日报", rows)])
    files = [("a.xlsx", b"PK")]
    res = ingest.parse_daily(files, ROSTER, LEAD1)
    assert [(p.code, p.row) for p in res.errors] == [("ingest.bad_number", 4)] + ([(code, 6)] if code else [])
    last = res.rows[res.rows["date"] == pd.Timestamp(dt.date(2026, 11, 6))]
    assert list(last["visits"]) == ([] if value is None else [value])
    assert not np.signbit(last["visits"]).any()
    assert_same(res, reference_parse_daily(files, ROSTER, LEAD1))


@pytest.mark.parametrize("rows", [
    [["日期", "工号", "拜访客户数"]],                                            # a header and nothing else
    [["日期", "工号", "拜访客户数"], ["合计", None, 3], [None, None, None]],       # totals and blanks only
    [["日期", "工号", "客户经理", "拜访客户数"], [None, "1001", "张伟", "—"]],      # a pre-filled name only
    [["日期", "工号", "拜访客户数", "工作日志"], [D], [D, "1001"], [SAT, "1002", 1, "周末加班"]],   # short rows
    [["日期", "客户经理", "拜访客户数"], [D, "李娜", 1], [D, "李娜", 2]],           # ambiguous twice, no duplicate
    [["日期", "工号", "拜访客户数"], [D, "1001", 1], [D, 1001, 2], [D, "1001", 3]],  # duplicates of one row
])
def test_edge_sheets_match_the_row_by_row_reading(monkeypatch, rows):
    monkeypatch.setattr(ingest, "read_workbook", lambda *a, **k: [Sheet("日报", rows)])
    files = [("a.xlsx", b"PK")]
    assert_same(ingest.parse_daily(files, ROSTER, LEAD1), reference_parse_daily(files, ROSTER, LEAD1))
