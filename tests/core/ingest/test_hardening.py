"""Issue 14: one bad number, a partial file or a patient attacker must not cost data, pay or access.

Items 1 (hard ranges, nothing non-finite stored, whatever is stored renders), 2 (absent columns keep the stored
values), 6 (control characters in text cells), 8 (no names outside the importer's scope), 10 (external links,
UTF-16 without BOM, control characters printed by the CLI). Item 3 is tests/core/ingest/test_undo_model.py,
item 9 tests/core/ingest/test_budget.py.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text, update

from core import ingest
from core.cli import main
from core.cli.data import printable
from core.commission import statement
from core.errors import AppError
from core.i18n import fmt_money_wan, fmt_number, fmt_pct, fmt_yuan
from core.ingest.ranges import DEFAULT_RANGES, parse_ranges, save_ranges
from core.routines import monthly_page, morning_page, weekly_page
from core.routines.split import save_split
from core.schema import FIELDS_BY_NAME, METRICS
from core.scope import SYSTEM, Scope
from core.store import logs as sl
from core.store import tables as t
from tests.core.commission.data import DAILY as C_DAILY
from tests.core.commission.data import ROSTER as C_ROSTER
from tests.core.commission.data import TARGETS as C_TARGETS
from tests.core.commission.data import plan
from tests.core.ingest.helpers import LEAD1, ROSTER, xlsx

DIRECTOR = Scope("director", "boss")
D = dt.date(2026, 11, 2)          # a Monday
E, W = "error", "warning"


@pytest.fixture
def bank(engine):
    roster = ROSTER.assign(start_date=pd.Timestamp("2024-01-01"), mentor_id=None)
    sl.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r" * 64)
    return engine


def stored(engine) -> list[tuple]:
    """Every stored daily row, targets and batch: what 'the store unchanged' compares."""
    with engine.connect() as c:
        logs = c.execute(text("SELECT * FROM daily_logs ORDER BY employee_id, date")).all()
        targets = c.execute(text("SELECT * FROM targets ORDER BY month, employee_id, metric")).all()
        imports = c.execute(text("SELECT id, status FROM imports ORDER BY id")).all()
    return [tuple(r) for r in logs] + [tuple(r) for r in targets] + [tuple(r) for r in imports]


def upload(engine, rows, scope=DIRECTOR, name="日报.xlsx", dry_run=False):
    return ingest.import_files(engine, scope, "daily", [(name, xlsx({"日报": rows}))], dry_run=dry_run)


# ================================================================ 1. hard ranges


@pytest.mark.parametrize("header, cell, expected", [
    # beyond the hard range: an error on that cell, nothing stored
    ("新增存款(万元)", 1e308, (E, "ingest.beyond_hard_range")),          # the 1e308 → +Inf after units
    ("新增存款(元)", 1e308, (E, "ingest.beyond_hard_range")),
    ("中间业务收入(元)", 1e27, (E, "ingest.beyond_hard_range")),
    ("新增存款(万元)", 1_000_001, (E, "ingest.beyond_hard_range")),       # hard range 1,000,000 万元
    ("新增存款(万元)", -1_000_001, (E, "ingest.beyond_hard_range")),      # a net flow: the magnitude counts
    ("新增存款(亿元)", 100.01, (E, "ingest.beyond_hard_range")),          # 100.01 亿元 = 1,000,100 万元
    ("中间业务收入(元)", 100_000_001, (E, "ingest.beyond_hard_range")),   # hard range 100,000,000 元
    ("拜访客户数", 1001, (E, "ingest.beyond_hard_range")),                # hard range 1,000 visits
    # at or below it: stored; above the plausible limit still only a warning
    ("新增存款(万元)", 1_000_000, (W, "ingest.implausible")),
    ("中间业务收入(元)", 100_000_000, (W, "ingest.implausible")),
    ("拜访客户数", 1000, (W, "ingest.implausible")),
    ("拜访客户数", 100, None),                                           # plausible limit itself: fine
])
def test_hard_range_is_a_located_error_and_nothing_is_stored(bank, header, cell, expected):
    before = stored(bank)
    out = upload(bank, [["日期", "工号", header], [D, "1001", cell]])
    got = [(p.severity, p.code) for p in out.problems]
    assert got == ([expected] if expected else [])
    if expected and expected[0] == E:
        p = out.problems[0]
        assert (p.row, p.column, p.cell) == (2, header, "C2")
        assert "±" in p.message("zh") and "at most" in p.message("en")
        assert not out.ok and stored(bank) == before
    else:
        assert out.ok and len(stored(bank)) == len(before) + 2      # the row and its batch


def test_plausibility_warnings_stay_below_every_hard_range():
    for m in METRICS:
        f = FIELDS_BY_NAME[m]
        assert f.max_plausible < f.hard_max == DEFAULT_RANGES[m] < 1e12


def test_a_bank_sets_its_own_hard_range(bank):
    save_ranges(bank, DIRECTOR, "visits: 50   # visits a day\nfee_income: 2000000000\n")
    out = upload(bank, [["日期", "工号", "拜访客户数", "中间业务收入(元)"], [D, "1001", 51, 1.5e9]])
    assert [(p.code, p.column, p.params.get("limit")) for p in out.errors] == \
        [("ingest.beyond_hard_range", "拜访客户数", "50")]
    out = upload(bank, [["日期", "工号", "拜访客户数", "中间业务收入(元)"], [D, "1001", 50, 1.5e9]])
    assert out.ok


@pytest.mark.parametrize("text_, lines", [
    ("visits: 0\n", [1]),                                   # not positive
    ("visits: -5\n", [1]),
    ("fee_income: 1e400\n", [1]),                           # not finite
    ("fee_income: .inf\n", [1]),
    ("visits: .nan\n", [1]),
    ("deposits_new: 10000000000000\n", [1]),                # beyond what the store keeps
    ("visits: 50\nvisitz: 3\nloans_new: lots\n", [2, 3]),   # unknown field; not a number
    ("- visits\n", [1]),                                    # not a mapping
])
def test_hard_ranges_setting_is_validated_with_lines(bank, text_, lines):
    with pytest.raises(AppError) as e:
        save_ranges(bank, DIRECTOR, text_)
    assert e.value.key == "ingest.ranges.invalid"
    assert [p.line for p in e.value.problems] == lines
    assert parse_ranges("") == DEFAULT_RANGES
    out = upload(bank, [["日期", "工号", "拜访客户数"], [D, "1001", 1000]])   # nothing stored: defaults apply
    assert out.ok


def test_only_a_director_sets_hard_ranges(bank):
    with pytest.raises(AppError):
        save_ranges(bank, LEAD1, "visits: 5\n")


@pytest.mark.parametrize("column, value", [
    ("deposits_new", math.inf), ("fee_income", -math.inf), ("visits", 1e13), ("loans_new", "lots"),
])
def test_store_writers_refuse_what_they_cannot_keep(bank, column, value):
    before = stored(bank)
    rows = pd.DataFrame([{"employee_id": "1001", "date": D, column: value}])
    with pytest.raises(AppError) as e:
        sl.apply_daily(bank, SYSTEM, rows, "api", "x" * 64)
    assert e.value.key == "ingest.store.not_finite"
    for v in (math.inf, math.nan, 1e13):
        with pytest.raises(AppError) as e:
            sl.apply_targets(bank, SYSTEM, pd.DataFrame([{"month": "2026-11", "employee_id": "1001",
                                                          "metric": "visits", "value": v}]), "api", "x" * 64)
        assert e.value.key == "ingest.store.not_finite"
    with pytest.raises(AppError) as e:
        save_split(bank, DIRECTOR, "一队", "2026-12",
                   pd.DataFrame({"employee_id": ["1001"], "metric": ["visits"], "value": [math.inf]}))
    assert e.value.key == "split.bad_value"
    assert stored(bank) == before


@pytest.mark.parametrize("value, wan, yuan, number, pct", [
    (1e27, "1,000,000,000,000,000,000,000,000,000.00 万元", "1,000,000,000,000,000,000,000,000,000.00 元",
     "1,000,000,000,000,000,000,000,000,000", "100000000000000000000000000000.0%"),
    (math.inf, "—", "—", "—", "—"),
    (-math.inf, "—", "—", "—", "—"),
    (math.nan, "—", "—", "—", "—"),
    (87.65, "87.65 万元", "87.65 元", "88", "8765.0%"),             # half up from the shortest repr
    (0.0005, "0.00 万元", "0.00 元", "0", "0.1%"),                  # 0.05% → 0.1% half up
])
def test_formatters_render_any_stored_number(value, wan, yuan, number, pct):
    assert (fmt_money_wan(value), fmt_yuan(value), fmt_number(value), fmt_pct(value)) == (wan, yuan, number, pct)
    assert fmt_number(1e308).startswith("100,000,000")


def test_pages_render_whatever_an_old_database_holds(engine):
    """Values an old version let through, written straight into the store: the pages and the statement
    read them as not logged and render."""
    sl.apply_roster(engine, SYSTEM, C_ROSTER, "roster.xlsx", "r" * 64)      # the commission tests' bank
    sl.apply_daily(engine, SYSTEM, C_DAILY, "daily.xlsx", "d" * 64)
    sl.apply_targets(engine, SYSTEM, C_TARGETS, "targets.xlsx", "t" * 64)
    pg = engine.dialect.name == "postgresql"
    bad = {"fee_income": math.nan, "deposit_balance": math.nan} if pg else \
        {"fee_income": 1e27, "deposits_new": math.inf, "deposit_balance": math.nan, "loans_new": -math.inf}
    with engine.begin() as c:
        c.execute(update(t.daily_logs).where(t.daily_logs.c.employee_id == "A01",
                                             t.daily_logs.c.date == dt.date(2026, 10, 9)).values(**bad))
        c.execute(update(t.targets).where(t.targets.c.employee_id == "A01").values(value=math.nan if pg else math.inf))
    logs = sl.read_logs(engine, SYSTEM)
    assert np.isfinite(logs[[m for m in METRICS if m != "deposit_balance"]].to_numpy()).all()
    assert sl.read_targets(engine, SYSTEM)["value"].map(math.isfinite).all()
    for lang in ("zh", "en"):
        assert morning_page(engine, SYSTEM, dt.date(2026, 10, 20), lang=lang) is not None
        assert weekly_page(engine, SYSTEM, "2026-W43", lang=lang) is not None
        assert monthly_page(engine, SYSTEM, "2026-10", lang=lang) is not None
    s = statement(engine, SYSTEM, "A01", "2026-10", plan=plan())
    # SQLite: A01's 10-09 deposits (+Inf) read as not logged, 50.25 of 10-20 is left; PostgreSQL cannot hold
    # Inf (NUMERIC(20, 6)), so there only the NaN fee income and balance were planted
    days = [(dt.date(2026, 10, 20), 50.25)] if not pg else [(dt.date(2026, 10, 9), 100.25),
                                                          (dt.date(2026, 10, 20), 50.25)]
    assert [(d, float(v)) for d, v in s.line("deposits_new").days] == days


# ================================================================ 2. a column absent keeps the stored values


FULL = ["日期", "工号", "拜访客户数", "新增存款(万元)", "存款余额(万元)", "新增贷款(万元)", "中间业务收入(元)", "工作日志"]


def day_row(engine, eid="1001", d=D):
    return sl.read_logs(engine, SYSTEM, employee_id=eid, start=d, end=d).iloc[0]


def test_absent_columns_keep_the_stored_values(bank):
    assert upload(bank, [FULL, [D, "1001", 5, 10, 2000, 3, 800, "走访"]]).ok
    dry = upload(bank, [["日期", "工号", "新增存款(万元)", "工作日志"], [D, "1001", 12, "补录"]], dry_run=True)
    assert dry.summary.changed == {"deposits_new": 1, "notes": 1} and dry.summary.cleared == {}
    assert dry.summary.kept == ["visits", "new_customers", "deposit_balance", "loans_new", "credit_cards",
                                "mobile_banking", "wealth_sales", "fee_income", "post_loan_checks", "complaints"]
    assert dry.change_lines("zh")[:2] == ["「新增存款(万元)」:将修改 1 个已存数据", "「工作日志」:将修改 1 个已存数据"]
    assert dry.change_lines("en")[-1].startswith("These columns are not in the file; their stored values are kept:")
    out = upload(bank, [["日期", "工号", "新增存款(万元)", "工作日志"], [D, "1001", 12, "补录"]])
    assert (out.summary.inserted, out.summary.updated, out.summary.unchanged) == (0, 1, 0)
    r = day_row(bank)
    # visits 5, balance 2,000, loans 3, fee 800 kept; deposits and notes replaced
    assert (r.visits, r.deposits_new, r.deposit_balance, r.loans_new, r.fee_income, r.notes) == \
        (5, 12, 2000, 3, 800, "补录")
    # a new day from the same partial file: the absent columns are empty (0 / not logged)
    assert upload(bank, [["日期", "工号", "新增存款(万元)"], [D + dt.timedelta(1), "1001", 1]]).ok
    r = day_row(bank, d=D + dt.timedelta(1))
    assert (r.visits, r.deposits_new, r.fee_income, r.notes) == (0, 1, 0, None) and np.isnan(r.deposit_balance)


@pytest.mark.parametrize("header, cell, field, after, cleared", [
    ("拜访客户数", None, "visits", 0, {"visits": 1}),                    # a flow: empty → 0
    ("存款余额(万元)", None, "deposit_balance", None, {"deposit_balance": 1}),   # a balance: empty → not logged
    ("工作日志", None, "notes", None, {"notes": 1}),
    ("拜访客户数", 7, "visits", 7, {}),                                  # changed, not cleared
])
def test_present_but_empty_cells_clear_and_say_so(bank, header, cell, field, after, cleared):
    assert upload(bank, [FULL, [D, "1001", 5, 10, 2000, 3, 800, "走访"]]).ok
    # the date, the ID, the column and another column so the row is not a pre-filled blank line
    out = upload(bank, [["日期", "工号", "新增贷款(万元)", header], [D, "1001", 3, cell]])
    assert out.ok and out.summary.cleared == cleared and out.summary.changed == {field: 1}
    r = day_row(bank)
    got = getattr(r, field)
    assert pd.isna(got) if after is None else got == after
    if cleared:
        assert any("清空 1 个" in s for s in out.change_lines("zh"))


def test_absent_columns_on_two_sheets_are_per_sheet(bank):
    assert upload(bank, [FULL, [D, "1001", 5, 10, 2000, 3, 800, "走访"],
                         [D, "1002", 6, 20, 3000, 4, 900, "电话"]]).ok
    data = xlsx({"甲": [["日期", "工号", "拜访客户数"], [D, "1001", 9]],
                 "乙": [["日期", "工号", "中间业务收入(元)"], [D, "1002", 1]]})
    out = ingest.import_files(bank, DIRECTOR, "daily", [("两表.xlsx", data)])
    assert out.ok and out.summary.changed == {"visits": 1, "fee_income": 1}
    a, b = day_row(bank, "1001"), day_row(bank, "1002")
    assert (a.visits, a.fee_income, b.visits, b.fee_income) == (9, 800, 6, 1)


# ================================================================ 6. control characters in text cells


def _with_raw_text(placeholder: str, raw: bytes) -> bytes:
    """An .xlsx whose text cell `placeholder` holds `raw` as written in the XML (``_x0000_`` is a NUL)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "日报"
    ws.append(["日期", "工号", "客户经理", "拜访客户数", "工作日志"])
    ws.append([D, "1001", "张伟", 1, placeholder])
    buf = io.BytesIO()
    wb.save(buf)
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info).replace(placeholder.encode(), raw))
    return out.getvalue()


@pytest.mark.parametrize("raw, notes", [
    (b"a_x0000_b", "ab"),                          # NUL: a psycopg DataError before, stored on SQLite
    (b"x_x0001__x001B_[31my", "x[31my"),           # SOH, ESC
    (b"line1_x000B_line2\x7f", "line1line2"),      # VT, DEL
    (b"tab_x0009_and_x000A_newline", "tab and newline"),   # whitespace folds to one space
])
def test_control_characters_are_stripped_the_same_on_both_databases(bank, raw, notes):
    out = ingest.import_files(bank, DIRECTOR, "daily", [("nul.xlsx", _with_raw_text("PLACEHOLDER", raw))])
    assert out.ok, [p.message("en") for p in out.problems]
    assert day_row(bank).notes == notes


def test_store_strips_nul_from_any_writer(bank):
    rows = pd.DataFrame([{"employee_id": "1001", "date": D, "visits": 1.0, "notes": "a\x00b\x1bc"}])
    sl.apply_daily(bank, SYSTEM, rows, "api\x00.csv", "x" * 64)
    assert day_row(bank).notes == "abc"
    out = ingest.import_files(bank, DIRECTOR, "daily",
                              [("日\x00报.xlsx", xlsx({"日报": [["日期", "工号", "拜访客户数"], [D, "1002", 1]]}))])
    assert out.ok and sl.list_imports(bank, DIRECTOR)["filename"].iat[0] == "日报.xlsx"


# ================================================================ 8. nothing outside the importer's scope


@pytest.mark.parametrize("header, row, code, hidden", [
    # 王强 (2001) and 李娜 (2002) are in 二队; the lead of 一队 uploads
    (["日期", "工号", "拜访客户数"], [D, "2001", 1], "ingest.out_of_scope", ["王强", "二队"]),
    (["日期", "客户经理", "拜访客户数"], [D, "王强", 1], "ingest.out_of_scope", ["2001", "二队"]),
    (["日期", "工号", "客户经理", "拜访客户数"], [D, "2002", "张三", 1], "ingest.id_name_mismatch_hidden",
     ["李娜", "二队"]),
    (["日期", "客户经理", "拜访客户数"], [D, "李娜", 1], "ingest.ambiguous_name_hidden", ["2002", "二队"]),
    (["日期", "客户经理", "拜访客户数"], [D, "王", 1], "ingest.unknown_manager", ["王强", "2001", "二队"]),
])
def test_import_errors_never_name_people_outside_the_scope(bank, header, row, code, hidden):
    out = upload(bank, [header, row], scope=LEAD1)
    assert [p.code for p in out.errors] == [code]
    text_ = " ".join(p.message(lang) + p.where(lang) for p in out.problems for lang in ("zh", "en"))
    assert not [h for h in hidden if h in text_]


def test_a_visible_mismatch_still_names_the_roster_name(bank):
    out = upload(bank, [["日期", "工号", "客户经理", "拜访客户数"], [D, "1001", "李娜", 1]], scope=LEAD1)
    assert [p.code for p in out.errors] == ["ingest.id_name_mismatch"]
    assert "张伟" in out.errors[0].message("zh")


# ================================================================ 10. external links, UTF-16, the CLI


def _external_link_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "十一月"
    ws.append(["日期", "工号", "拜访客户数", "新增存款(万元)"])
    ws.append([D, "1001", 3, "=[1]Sheet1!$A$1"])
    ws.append([D + dt.timedelta(1), "1001", 4, "=SUM(C2:C2)"])
    ws.append([D + dt.timedelta(2), "1001", "=[1]汇总!B7*2", "='C:\\x\\[预算.xlsx]Sheet1'!A1"])
    buf = io.BytesIO()
    wb.save(buf)
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("xl/externalLinks/externalLink1.xml",
                   '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    return out.getvalue()


def test_formulas_referring_to_another_workbook_are_named():
    found = ingest.check_upload("links.xlsx", _external_link_xlsx())
    assert [(p.severity, p.code) for p in found] == [(W, "upload.external_links")]
    assert found[0].params == {"cells": "十一月!D2, 十一月!C4"}
    assert "十一月!D2" in found[0].message("zh") and "Break Link" in found[0].message("en")


@pytest.mark.parametrize("data, code", [
    ("日期,工号,拜访客户数\r\n2026-11-02,1001,3\r\n".encode("utf-16-le"), "upload.utf16_no_bom"),
    ("日期,工号,拜访客户数\n2026-11-02,1001,3\n".encode("utf-16-be"), "upload.utf16_no_bom"),
    ("date\tid\n2026-11-02\t1001\n".encode("utf-16-le"), "upload.utf16_no_bom"),
    (b"\x00\x01\x02\x03binary\x00\xff\xfe", "upload.not_text"),
    ("日期,工号\n".encode("utf-16"), None),                     # with a BOM: read
])
def test_utf16_without_bom_is_recognised(data, code):
    found = ingest.check_upload("a.csv", data)
    assert [p.code for p in found] == ([code] if code else [])
    if code == "upload.utf16_no_bom":
        assert "CSV UTF-8" in found[0].message("zh") and "CSV UTF-8" in found[0].message("en")


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
    ("a\x00b\x07", "a\\x00b\\x07"),
    ("fake\nline", "fake\\nline"),
    ("张伟\t一队", "张伟\\t一队"),
])
def test_cli_escapes_control_characters(raw, shown):
    assert printable(raw) == shown


def test_cli_import_prints_no_raw_control_character(bank, tmp_path, capsys):
    path = tmp_path / "esc.csv"
    path.write_text("日期,工号,拜访客户数\n2026-11-02,1001,\x1b[2Jboom\x07\n", encoding="utf-8")
    url = bank.url.render_as_string(hide_password=False)
    code = main(["--db", url, "import", str(path)])
    out = capsys.readouterr().out
    assert code == 1 and "\\x1b[2Jboom\\x07" in out
    assert not any(ch in out for ch in ("\x1b", "\x07", "\x00"))


def test_cli_shows_and_sets_the_hard_ranges(bank, tmp_path, capsys):
    url = bank.url.render_as_string(hide_password=False)
    assert main(["--db", url, "--lang", "en", "import-limits"]) == 0
    assert "Visits: ±1,000" in capsys.readouterr().out
    good, bad = tmp_path / "ok.yaml", tmp_path / "bad.yaml"
    good.write_text("visits: 400\n", encoding="utf-8")
    bad.write_text("visits: 400\nvisitz: 1\n", encoding="utf-8")
    assert main(["--db", url, "--json", "import-limits", str(good)]) == 0
    assert '"visits": 400.0' in capsys.readouterr().out
    assert main(["--db", url, "--lang", "en", "import-limits", str(bad)]) == 1
    out = capsys.readouterr()
    assert "line 2" in out.out + out.err and "visitz" in out.out + out.err
    assert ingest.ranges.hard_ranges(bank)["visits"] == 400        # the bad file stored nothing
