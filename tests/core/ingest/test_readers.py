"""core.ingest.readers: bytes → grids in every format, and the cell parsers (numbers with units, dates, months)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import xlwt

from core.errors import AppError
from core.ingest.problems import Problem
from core.ingest.readers import (column_letter, decode_text, is_blank, is_total_label, parse_date, parse_month_cell,
                                 parse_number, read_workbook, text_value)
from core.schema import FIELDS_BY_NAME
from tests.core.ingest.helpers import xlsx

# ---------------------------------------------------------------- builders (fixtures in code)

GRID = [
    ["XX支行客户经理工作日报 2026年第44周", None, None],
    [None, None, None],
    ["日期", "工号", "拜访客户数"],
    [dt.date(2026, 11, 2), "1001", 5],
]


def xls_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write(i, j, dt.datetime(v.year, v.month, v.day), date_style)
                else:
                    ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ods_bytes(sheets: dict[str, list[list]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        tbl = Table(name=name)
        for r in rows:
            tr = TableRow()
            for v in r:
                if v is None:
                    tc = TableCell()
                elif isinstance(v, dt.date):
                    tc = TableCell(valuetype="date", datevalue=v.isoformat())
                    tc.addElement(P(text=v.isoformat()))
                elif isinstance(v, (int, float)):
                    tc = TableCell(valuetype="float", value=v)
                    tc.addElement(P(text=str(v)))
                else:
                    tc = TableCell(valuetype="string")
                    tc.addElement(P(text=str(v)))
                tr.addElement(tc)
            tbl.addElement(tr)
        doc.spreadsheet.addElement(tbl)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8", sep: str = ",") -> bytes:
    lines = [sep.join("" if v is None else str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# ---------------------------------------------------------------- formats

def _norm(v):
    """Cells as comparable values: whole floats → int, datetimes → dates."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.date()
    return v


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_workbook_formats_keep_excel_positions(fmt):
    data = {"xlsx": xlsx, "xls": xls_bytes, "ods": ods_bytes}[fmt]({"日报": GRID})
    sheets = read_workbook(f"w.{fmt}", data)
    assert [s.name for s in sheets] == ["日报"]
    grid = [[_norm(v) for v in r] for r in sheets[0].rows]
    # Row 3 (0-based 2) is the header, row 4 the data: positions survive the blank row 2.
    assert grid[2][:3] == ["日期", "工号", "拜访客户数"]
    assert grid[3][:3] == [dt.date(2026, 11, 2), "1001", 5]
    assert grid[1][:3] == [None, None, None]


@pytest.mark.parametrize("encoding,sep,prefix", [
    ("utf-8", ",", b""),
    ("utf-8", ",", b"\xef\xbb\xbf"),      # UTF-8 with BOM (Excel's "CSV UTF-8")
    ("gbk", ",", b""),                    # Excel on a Chinese Windows
    ("utf-8", "\t", b""),
    ("utf-8", ";", b""),
])
def test_csv_encodings_and_separators(encoding, sep, prefix):
    rows = [["日期", "工号", "客户经理", "拜访客户数"], ["2026-11-02", "1001", "张伟", "5户"]]
    data = prefix + csv_bytes(rows, encoding, sep)
    sheets = read_workbook("日报.csv", data)
    assert len(sheets) == 1
    assert sheets[0].rows == rows


def test_utf16_csv_with_bom():
    data = "日期\t工号\n2026-11-02\t1001\n".encode("utf-16")
    assert read_workbook("a.csv", data)[0].rows == [["日期", "工号"], ["2026-11-02", "1001"]]


def test_formula_cells_give_cached_values():
    # A workbook saved by Excel holds the formula and its cached value; write both parts by hand.
    data = xlsx({"s": [["日期", "拜访客户数"], ["2026-11-02", 3]]})
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<c r="B2" t="n"><v>3</v></c>', b'<c r="B2"><f>1+2</f><v>3</v></c>')
                assert b"<f>1+2</f>" in body
            z.writestr(item, body)
    grid = read_workbook("f.xlsx", out.getvalue())[0].rows
    assert _norm(grid[1][1]) == 3


@pytest.mark.parametrize("data,code", [
    (b"PK\x03\x04 this is not a zip", "upload.corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "upload.corrupt"),
    (b"plain text", "upload.corrupt"),
])
def test_unreadable_workbooks_raise_read_error(data, code):
    with pytest.raises(AppError) as exc:
        read_workbook("x.xlsx", data)
    assert exc.value.key == code


@pytest.mark.parametrize("data,code", [
    (b"\xff\xfe\x00\xd8", "upload.bad_encoding"),         # UTF-16 BOM then a lone surrogate
    (b"a,b\x00,c", "upload.not_text"),
    (b"\x81\x30", "upload.bad_encoding"),                  # truncated GB18030 four-byte sequence
])
def test_bad_text_encodings(data, code):
    with pytest.raises(AppError) as exc:
        decode_text(data)
    assert exc.value.key == code


def test_row_and_column_caps():
    rows = [["日期", "工号"]] + [["2026-11-02", str(i)] for i in range(60)]
    with pytest.raises(AppError) as exc:
        read_workbook("a.xlsx", xlsx({"s": rows}), max_rows=20)   # 61 rows > 20 + 30 header allowance
    assert exc.value.key == "upload.too_many_rows"
    assert read_workbook("a.xlsx", xlsx({"s": rows}), max_rows=40)[0].n_rows == 61
    wide = [[f"c{j}" for j in range(12)]]
    with pytest.raises(AppError) as exc:
        read_workbook("a.csv", csv_bytes(wide), max_cols=10)
    assert exc.value.key == "upload.too_many_columns"


# ---------------------------------------------------------------- numbers

VISITS = FIELDS_BY_NAME["visits"]           # count
DEPOSITS = FIELDS_BY_NAME["deposits_new"]   # stored in 万元
FEE = FIELDS_BY_NAME["fee_income"]          # stored in 元


@pytest.mark.parametrize("value,field,header_unit,expected", [
    (5, VISITS, None, 5.0),
    ("5户", VISITS, None, 5.0),
    ("3 张", VISITS, None, 3.0),
    ("１２", VISITS, None, 12.0),                  # full-width digits
    ("1,234.50", DEPOSITS, None, 1234.5),
    ("1，234", DEPOSITS, None, 1234.0),            # full-width comma
    ("12.5万", DEPOSITS, "wan", 12.5),             # 12.5万 in a 万元 column is 12.5
    ("12.5万", FEE, "yuan", 125000.0),             # ... in a 元 column it is 125000
    ("12.5万", DEPOSITS, "yuan", 12.5),            # the cell's own unit wins over the header's
    (125000, DEPOSITS, "yuan", 12.5),              # 125000 元 = 12.5 万元
    (1.2, FEE, "wan", 12000.0),                    # 1.2 万元 = 12000 元
    (0.5, DEPOSITS, "yi", 5000.0),                 # 0.5 亿元 = 5000 万元
    ("3亿", DEPOSITS, None, 30000.0),
    ("¥1,000元", FEE, None, 1000.0),
    ("(1,234)", DEPOSITS, None, -1234.0),          # accounting negative
    ("-20", DEPOSITS, None, -20.0),
    ("1e3", FEE, None, 1000.0),
    ("—", VISITS, None, None),
    ("-", VISITS, None, None),
    ("", VISITS, None, None),
    (None, VISITS, None, None),
    ("无", DEPOSITS, None, None),
])
def test_parse_number(value, field, header_unit, expected):
    got = parse_number(value, field, header_unit)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize("value,field", [
    ("abc", VISITS), ("5-6", VISITS), ("约5", VISITS), (True, VISITS), ("#DIV/0!", DEPOSITS),
    ("5户", DEPOSITS),     # a count suffix in an amount column
    ("1.2.3", DEPOSITS), (dt.date(2026, 1, 1), VISITS), ("inf", VISITS),
])
def test_parse_number_rejects(value, field):
    with pytest.raises(AppError) as exc:
        parse_number(value, field)
    assert exc.value.key == "ingest.bad_number"


# ---------------------------------------------------------------- dates and months

@pytest.mark.parametrize("value,expected", [
    (dt.date(2026, 11, 2), dt.date(2026, 11, 2)),
    (dt.datetime(2026, 11, 2, 9, 30), dt.date(2026, 11, 2)),
    (46328, dt.date(2026, 11, 2)),             # Excel serial: 1899-12-30 + 46328 days
    (46328.75, dt.date(2026, 11, 2)),          # a serial with a time of day
    ("46328", dt.date(2026, 11, 2)),           # a serial stored as text
    ("2026-11-02", dt.date(2026, 11, 2)),
    ("2026/11/2", dt.date(2026, 11, 2)),
    ("2026年11月2日", dt.date(2026, 11, 2)),
    ("2026.11.02", dt.date(2026, 11, 2)),
    ("20261102", dt.date(2026, 11, 2)),
    ("2026-11-02 00:00:00", dt.date(2026, 11, 2)),
    ("２０２６年１１月２日", dt.date(2026, 11, 2)),   # full-width digits
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "11/2/2026", "next monday", "", True, 0,
                                   "1999-12-31", 3_000_000, float("nan")])
def test_parse_date_rejects(value):
    with pytest.raises(AppError) as exc:
        parse_date(value)
    assert exc.value.key == "ingest.bad_date"


@pytest.mark.parametrize("value,expected", [
    ("2026-11", "2026-11"), ("2026年11月", "2026-11"), ("2026/1", "2026-01"), ("2026.11", "2026-11"),
    ("202611", "2026-11"), (202611, "2026-11"), (dt.date(2026, 11, 1), "2026-11"),
    (dt.datetime(2026, 11, 15), "2026-11"), ("2026-11-01", "2026-11"), (46327, "2026-11"),
    ("2026年11月份", "2026-11"),
])
def test_parse_month_cell(value, expected):
    assert parse_month_cell(value) == expected


@pytest.mark.parametrize("value", ["2026-13", "Nov 2026", "20261", "", None, "2026-00"])
def test_parse_month_cell_rejects(value):
    with pytest.raises(AppError) as exc:
        parse_month_cell(value)
    assert exc.value.key == "ingest.bad_month"


# ---------------------------------------------------------------- small helpers

@pytest.mark.parametrize("value,expected", [
    ("合计", True), ("小计:", True), ("总计", True), ("合 计", True), ("Total", True), ("Grand total", True),
    ("合计(本周)", True), ("张伟", False), ("totally", False), (None, False), (5, False),
])
def test_total_labels(value, expected):
    assert is_total_label(value) is expected


@pytest.mark.parametrize("value,expected", [
    (1001.0, "1001"), ("  1001 ", "1001"), ("00123", "00123"), (None, None), ("  ", None), ("张  伟", "张 伟"),
])
def test_text_value(value, expected):
    assert text_value(value) == expected


@pytest.mark.parametrize("value,expected", [(None, True), ("—", True), ("-", True), (" ", True), ("0", False),
                                            (0, False)])
def test_is_blank(value, expected):
    assert is_blank(value) is expected


@pytest.mark.parametrize("index,letter", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(index, letter):
    assert column_letter(index) == letter


def test_problem_message_both_languages_and_cell():
    p = Problem("error", "ingest.unknown_manager", "w.xlsx", "第44周", 7, "工号", "9999",
                params={"suggestions": ["张伟(1001)", "张玮(1002)"]}, col_index=1)
    assert p.cell == "B7"
    assert p.message("zh") == "「9999」不在花名册中。是否是:张伟(1001)、张玮(1002)?"
    assert p.message("en") == '"9999" is not on the roster. Did you mean: 张伟(1001), 张玮(1002)?'
    assert p.where("en") == "w.xlsx › 第44周 › row 7 › 工号"
