"""core.ingest.safety: hostile uploads are refused with a clear message, and the importer never crashes on them.

Includes the property-based test of the security issue: random and corrupted workbooks fed to the importer
leave the database exactly as it was and come back with errors, never an exception.
"""
from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import pytest
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core import ingest
from core.errors import AppError
from core.export import escape_formula
from core.ingest.readers import read_workbook
from core.ingest.safety import CompoundFile, UploadLimits, check_upload
from core.scope import SYSTEM
from core.store import tables as t

# ---------------------------------------------------------------- builders


def xlsx(rows, name="日报") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls(rows) -> bytes:
    wb = xlwt.Workbook()
    ws = wb.add_sheet("日报")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (v3, 512-byte sectors) holding the given streams in regular sectors."""
    ss = 512
    END, FREE, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    datas = [v + b"\x00" * (max(4096, len(v)) - len(v)) for v in streams.values()]  # ≥ cutoff: no mini stream
    fat = [FATSECT, END]                 # sector 0: the FAT, sector 1: the directory
    starts, body = [], b""
    for d in datas:
        n = -(-len(d) // ss)
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(n - 1)] + [END]
        body += d + b"\x00" * (n * ss - len(d))
    assert len(fat) <= ss // 4 and len(streams) <= 3
    fat_sector = struct.pack(f"<{ss // 4}I", *(fat + [FREE] * (ss // 4 - len(fat))))

    def entry(name, typ, start, size, child=FREE, right=FREE):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), typ, 1)
        e += struct.pack("<III", FREE, right, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
        e += struct.pack("<IQ", start, size)
        assert len(e) == 128
        return e

    names = list(streams)
    dir_sector = entry("Root Entry", 5, END, 0, child=1 if names else FREE)
    for i, (name, d) in enumerate(zip(names, datas)):
        dir_sector += entry(name, 2, starts[i], len(d), right=i + 2 if i + 1 < len(names) else FREE)
    dir_sector = dir_sector.ljust(ss, b"\x00")
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<109I", 0, *([FREE] * 108))
    assert len(header) == ss
    return header + fat_sector + dir_sector + body


def biff(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack("<HH", typ, len(data)) + data for typ, data in records)


BOF = (0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
FILEPASS = (0x002F, struct.pack("<H", 1) + b"\x00" * 52)
EOF = (0x000A, b"")

DAILY_OK = [["日期", "工号", "拜访客户数"], ["2026-11-02", "1001", 3]]
SMALL = UploadLimits(max_bytes=50_000, max_rows=10, max_cols=5, max_uncompressed=400_000, max_ratio=50)


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] ^= 0xFF
    return bytes(b)


def _member_offset(data: bytes, name: str) -> int:
    """Offset of the compressed bytes of a zip member (after its local header)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    n, e = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + n + e


def _xlsm() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx(DAILY_OK)))
    members = {i.filename: src.read(i.filename) for i in src.infolist()}
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not run " * 40
    return zip_of(members)


def _wide_xlsx() -> bytes:
    return xlsx([[f"c{j}" for j in range(8)], list(range(8))])


def _long_xlsx() -> bytes:
    return xlsx([["日期", "工号"]] + [["2026-11-02", str(i)] for i in range(60)])


CASES = [
    # name, filename, data, limits, expected (severity, code) list
    ("fine xlsx", "a.xlsx", lambda: xlsx(DAILY_OK), None, []),
    ("fine xls", "a.xls", lambda: xls(DAILY_OK), None, []),
    ("fine csv gbk", "a.csv", lambda: "日期,工号\n2026-11-02,1001\n".encode("gbk"), None, []),
    ("empty", "a.xlsx", lambda: b"", None, [("error", "upload.empty")]),
    ("too large", "a.csv", lambda: b"x" * 50_001, SMALL, [("error", "upload.too_large")]),
    ("exe", "a.exe", lambda: b"MZ\x90\x00", None, [("error", "upload.bad_extension")]),
    ("no extension", "日报", lambda: xlsx(DAILY_OK), None, [("error", "upload.bad_extension")]),
    ("text as xlsx", "a.xlsx", lambda: b"just text", None, [("error", "upload.wrong_content")]),
    ("html as xls", "a.xls", lambda: b"<html><body><table><tr><td>1</td></tr></table>", None,
     [("error", "upload.html_disguised")]),
    ("xlsx named csv", "a.csv", lambda: xlsx(DAILY_OK), None, [("error", "upload.wrong_content")]),
    ("zip of text", "a.xlsx", lambda: zip_of({"a.txt": b"hello"}), None, [("error", "upload.wrong_content")]),
    ("not a zip", "a.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 100, None, [("error", "upload.corrupt")]),
    # 1 MB of zeros deflates about 1000:1 → over the ratio cap of 100
    ("zip bomb ratio", "a.xlsx", lambda: zip_of({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>",
                                                 "xl/worksheets/sheet1.xml": b"\x00" * 1_000_000}), None,
     [("error", "upload.zip_bomb")]),
    # 500 kB declared in total (stored, ratio 1) > 400 kB allowed
    ("zip bomb size", "a.xlsx", lambda: zip_of({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>",
                                                "xl/big.bin": bytes(range(256)) * 1954}, zipfile.ZIP_STORED),
     UploadLimits(max_uncompressed=400_000),
     [("error", "upload.zip_bomb")]),
    # a flipped byte inside the compressed sheet: CRC check fails before any parser runs
    ("bad crc", "a.xlsx", lambda: _flip(xlsx(DAILY_OK), _member_offset(xlsx(DAILY_OK), "xl/worksheets/sheet1.xml") + 5),
     None, [("error", "upload.corrupt")]),
    ("encrypted ooxml", "a.xlsx", lambda: cfb({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"x"}),
     None, [("error", "upload.encrypted")]),
    ("encrypted ooxml named xls", "a.xls", lambda: cfb({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"x"}),
     None, [("error", "upload.encrypted")]),
    ("xls with FILEPASS", "a.xls", lambda: cfb({"Workbook": biff([BOF, FILEPASS, EOF])}), None,
     [("error", "upload.encrypted")]),
    ("ole without workbook", "a.xls", lambda: cfb({"WordDocument": b"x"}), None, [("error", "upload.wrong_content")]),
    ("truncated ole", "a.xls", lambda: xls(DAILY_OK)[:700], None, [("error", "upload.corrupt")]),
    ("xlsm macros", "a.xlsm", _xlsm, None, [("warning", "upload.macros_ignored")]),
    ("too many columns", "a.xlsx", _wide_xlsx, SMALL, [("error", "upload.too_many_columns")]),
    ("too many rows", "a.xlsx", _long_xlsx, UploadLimits(max_rows=10), [("error", "upload.too_many_rows")]),
    ("csv with NUL", "a.csv", lambda: b"a,b\x00", None, [("error", "upload.not_text")]),
]


@pytest.mark.parametrize("name,filename,make,limits,expected", CASES, ids=[c[0] for c in CASES])
def test_check_upload(name, filename, make, limits, expected):
    problems = check_upload(filename, make(), limits)
    assert [(p.severity, p.code) for p in problems] == expected
    for p in problems:
        assert p.file == filename and p.message("zh") and p.message("en")


def test_cfb_reader_reads_stream_names_and_bytes():
    f = CompoundFile(cfb({"Workbook": biff([BOF, EOF]), "EncryptionInfo": b"abc"}))
    assert f.names() == ["Root Entry", "Workbook", "EncryptionInfo"]
    assert f.stream("EncryptionInfo")[:3] == b"abc"


def test_macro_workbook_is_read_as_values():
    sheets = read_workbook("a.xlsm", _xlsm())
    assert sheets[0].rows[1][:2] == ["2026-11-02", "1001"]


def test_encrypted_file_read_error():
    with pytest.raises(AppError):
        read_workbook("a.xlsx", cfb({"EncryptionInfo": b"x", "EncryptedPackage": b"y"}))


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+8613800000000", "'+8613800000000"), ("-拜访", "'-拜访"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("拜访3户", "拜访3户"), ("", ""), ("a=b", "a=b"),
    (5, 5), (-5, -5), (-1.5, -1.5), (None, None), (dt.date(2026, 11, 2), dt.date(2026, 11, 2)),
])
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


# ---------------------------------------------------------------- property: hostile files never change the DB

ROSTER_ROWS = [["工号", "姓名", "团队", "条线", "职级"], ["1001", "张伟", "一队", "零售", "客户经理"],
               ["1002", "李娜", "一队", "零售", "客户经理"]]
# A valid-looking daily log that always holds errors: an unknown manager on the first data row (so that a
# truncated copy still fails) and a duplicate manager/day.
BASE_DAILY = [["XX支行客户经理工作日报"], ["日期", "工号", "客户经理", "拜访客户数", "新增存款(万元)"],
              ["2026-11-02", "NOT-ON-ROSTER", None, 1, 1], ["2026-11-02", "1001", "张伟", 3, 10],
              ["2026-11-02", "1001", None, 2, 2], ["合计", None, None, 6, 13]]
BASES = {"xlsx": xlsx(BASE_DAILY), "xls": xls(BASE_DAILY),
         "csv": "\n".join(",".join("" if v is None else str(v) for v in r) for r in BASE_DAILY).encode("gbk")}
HEADERS = ["日期", "工号", "客户经理", "拜访客户数", "新增存款(万元)", "信用卡", "月份", "姓名", "团队", "条线", "职级",
           "Date", "Visits", "合计", "", "未知列"]

cell = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
                 st.integers(-10**6, 10**6),
                 st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["—", "5户", "12.5万", "=1+1",
                                                                                   "2026-13-45", "合计", "1,2,3"]),
                 st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)))


def _snapshot(engine):
    out = {}
    with engine.connect() as c:
        for tb in (t.managers, t.daily_logs, t.targets, t.imports, t.import_changes, t.teams):
            cols = list(tb.columns)
            out[tb.name] = sorted(tuple(str(v) for v in r) for r in c.execute(select(*cols)).all())
    return out


@st.composite
def corrupted(draw):
    fmt = draw(st.sampled_from(sorted(BASES)))
    data = bytearray(BASES[fmt])
    how = draw(st.sampled_from(["flip", "truncate", "insert", "random"]))
    if how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
    elif how == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "insert":
        i = draw(st.integers(0, len(data)))
        data[i:i] = draw(st.binary(min_size=1, max_size=64))
    else:
        data = bytearray(draw(st.binary(max_size=2048)))
        if draw(st.booleans()):
            data[0:0] = draw(st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]))
    name = draw(st.sampled_from([f"周报.{fmt}", "周报.xlsx", "周报.xlsm", "周报.ods", "周报.csv", "周报.xls"]))
    return name, bytes(data)


@st.composite
def random_workbook(draw):
    """A readable workbook of random cells under random headers, plus one row that can never import."""
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    rows = [header] + draw(st.lists(st.lists(cell, max_size=len(header)), max_size=8))
    bad = [None] * len(header)
    for j, h in enumerate(header):
        bad[j] = {"日期": "2026-11-02", "月份": "2026-11", "工号": "NOT-ON-ROSTER", "姓名": "无此人",
                  "客户经理": "无此人"}.get(h, None)
    rows.append(bad)
    fmt = draw(st.sampled_from(["xlsx", "csv"]))
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in rows:
            ws.append([v if not (isinstance(v, float) and v != v) and v not in (float("inf"), float("-inf"))
                       else str(v) for v in r])
        buf = io.BytesIO()
        wb.save(buf)
        return "w.xlsx", buf.getvalue()
    text = "\n".join(",".join("" if v is None else str(v).replace(",", " ").replace("\n", " ") for v in r)
                     for r in rows)
    return "w.csv", text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])))


@pytest.fixture
def seeded(engine):
    out = ingest.import_files(engine, SYSTEM, "roster", [("r.xlsx", xlsx(ROSTER_ROWS, "花名册"))])
    assert out.ok
    good = ingest.import_files(engine, SYSTEM, "daily", [("d.xlsx", xlsx([BASE_DAILY[1], BASE_DAILY[3]]))])
    assert good.ok
    return engine


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(upload=st.one_of(corrupted(), random_workbook()), kind=st.sampled_from(["daily", "roster", "targets"]))
def test_hostile_uploads_leave_the_database_unchanged(seeded, upload, kind):
    name, data = upload
    if kind != "daily" and upload[0].startswith("周报"):
        kind = "daily"      # the corrupted base is a daily log; its errors are daily-log errors
    before = _snapshot(seeded)
    out = ingest.import_files(seeded, SYSTEM, kind, [(name, data)])
    assert out.errors, [p.code for p in out.problems]
    assert out.summary is None
    for p in out.problems:
        assert p.message("zh") and p.message("en")
    assert _snapshot(seeded) == before
