"""Item 9 of issue 14: memory on hostile-but-small files. Sizes are worked out from the bytes (streamed) before a
reader builds a grid; one upload may take ``max_memory`` (256 MB by default), all uploads at once
``max_total_memory``. The hostile files are built here by small generators."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import threading
import time
import tracemalloc
import zipfile

import pandas as pd
import pytest
from sqlalchemy import text

from core import ingest
from core.ingest import budget, readers
from core.ingest.safety import MB, UploadLimits, check_upload_sized, memory_reservation
from core.scope import SYSTEM, Scope
from core.store import logs as sl
from tests.core.ingest.helpers import ROSTER, xlsx

DIRECTOR = Scope("director", "boss")
D = dt.date(2026, 11, 2)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def workbook(sheet_xml_chunks, sst_chunks=None) -> bytes:
    """A minimal .xlsx: one worksheet streamed from `sheet_xml_chunks` (bytes), optional shared strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} {R_NS}><sheets>'
                   '<sheet name="日报" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for chunk in sheet_xml_chunks:
                fh.write(chunk)
        if sst_chunks is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                for chunk in sst_chunks:
                    fh.write(chunk)
    return out.getvalue()


def _sst_block(seed: int = 1) -> bytes:
    """1 MB of shared strings that deflate about 45:1 (below the zip-bomb ratio check)."""
    rnd = random.Random(seed)
    words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(6)]
    parts, n = [], 0
    while n < MB:
        s = "<si><t>" + rnd.choice(words) + "客户经理日报备注内容" * 2 + "</t></si>"
        parts.append(s)
        n += len(s.encode())
    return "".join(parts).encode()


@pytest.fixture(scope="module")
def sst_bomb() -> bytes:
    """The issue's file: a ~4 MB .xlsx holding 190 MB of shared strings, one sheet using the first."""
    block = _sst_block()
    sheet = [f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
             .encode()]
    return workbook(sheet, [f'<sst {NS}>'.encode()] + [block] * 190 + [b"</sst>"])


@pytest.fixture(scope="module")
def million_rows() -> bytes:
    """A sheet of 1,000,000 rows and no <dimension> record."""
    def chunks():
        yield f'<worksheet {NS}><sheetData>'.encode()
        for start in range(1, 1_000_001, 50_000):
            yield "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'
                          for i in range(start, start + 50_000)).encode()
        yield b"</sheetData></worksheet>"
    return workbook(chunks())


def one_cell(ref: str) -> bytes:
    return workbook([f'<worksheet {NS}><sheetData><row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
                     f'<c r="{ref}"><v>1</v></c></row></sheetData></worksheet>'.encode()])


class _NoReader:
    """Stands in for calamine: a hostile file must be refused before any reader is opened."""

    @staticmethod
    def from_filelike(*_a, **_k):
        raise AssertionError("a reader was opened on a file that should have been refused")


def _report(name: str, seconds: float, peak: int, size: int) -> None:
    path = os.environ.get("FUZZ_REPORT")
    if path:
        old = {}
        if os.path.exists(path):
            with open(path) as fh:
                old = json.load(fh)
        old[f"budget.{name}"] = {"seconds": round(seconds, 2), "peak_mb": round(peak / MB, 1),
                                 "file_mb": round(size / MB, 2)}
        with open(path, "w") as fh:
            json.dump(old, fh, indent=1, sort_keys=True)


@pytest.fixture
def bank(engine):
    sl.apply_roster(engine, SYSTEM, ROSTER.assign(start_date=pd.Timestamp("2024-01-01"), mentor_id=None),
                    "roster.xlsx", "r" * 64)
    return engine


def stored(engine):
    with engine.connect() as c:
        return (c.execute(text("SELECT count(*) FROM daily_logs")).scalar(),
                c.execute(text("SELECT count(*) FROM imports")).scalar())


@pytest.mark.parametrize("which, code", [
    ("sst_bomb", "upload.memory_budget"),       # 190 MB of shared strings ×2 > 256 MB
    ("million_rows", "upload.too_many_rows"),   # no dimension record: rows counted while streaming
])
def test_hostile_small_files_are_refused_before_any_grid_is_built(bank, monkeypatch, request, which, code):
    data = request.getfixturevalue(which)
    assert len(data) < 10 * MB
    info = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    big = max(info.values(), key=lambda i: i.file_size)
    assert big.file_size / big.compress_size < UploadLimits().max_ratio       # not caught as a zip bomb
    monkeypatch.setattr(readers, "CalamineWorkbook", _NoReader)
    before = stored(bank)
    t0 = time.perf_counter()
    out = ingest.import_files(bank, DIRECTOR, "daily", [(f"{which}.xlsx", data)])
    seconds = time.perf_counter() - t0      # reported (README figures), not asserted
    tracemalloc.start()
    check_upload_sized(f"{which}.xlsx", data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    _report(which, seconds, peak, len(data))
    assert [(p.severity, p.code) for p in out.problems] == [("error", code)]
    assert stored(bank) == before
    assert peak < 64 * MB                  # streamed: never the whole part in memory
    msg = out.problems[0].message("zh")
    assert ("256 MB" in msg) if code == "upload.memory_budget" else ("200000" in msg)


@pytest.mark.parametrize("ref, code", [
    ("XFD1048576", "upload.too_many_rows"),     # a 1 KB file whose grid is 1,048,576 × 16,384 cells
    ("A200031", "upload.too_many_rows"),        # one row over the cap (200,000 + 30 header rows)
    ("CW10", "upload.too_many_columns"),        # column 101 > 100
    ("A200030", None),                          # at the cap: 200,030 × 1 cells = 12.2 MB, allowed
    ("CV10", None),                             # column 100
])
def test_a_lone_far_cell_counts_its_whole_grid(ref, code):
    found, need = check_upload_sized("far.xlsx", one_cell(ref))
    assert [p.code for p in found] == ([code] if code else [])
    if code is None:
        rows = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        cols = budget._col_number(ref.rstrip("0123456789").encode())
        assert need == rows * cols * budget.CELL_BYTES       # e.g. A200030: 200,030 × 1 × 64 bytes


@pytest.mark.parametrize("max_memory_mb, refused", [(0.01, True), (256, False)])
def test_the_per_upload_budget_is_a_setting(max_memory_mb, refused):
    data = xlsx({"日报": [["日期", "工号", "拜访客户数"]] + [[D, "1001", i % 7] for i in range(300)]})
    found, need = check_upload_sized("a.xlsx", data, UploadLimits(max_memory=int(max_memory_mb * MB)))
    assert [p.code for p in found] == (["upload.memory_budget"] if refused else [])
    assert need == (0 if refused else 301 * 3 * budget.CELL_BYTES)    # 301 rows × 3 columns × 64 bytes


def test_uploads_at_once_share_the_server_budget(bank):
    data = xlsx({"日报": [["日期", "工号", "拜访客户数"], [D, "1001", 3]]})
    need = check_upload_sized("a.xlsx", data)[1]
    limits = UploadLimits(max_total_memory=need * 2, busy_wait=0)
    with memory_reservation(need * 2, limits) as held:       # another upload holds the whole budget
        assert held
        out = ingest.import_files(bank, DIRECTOR, "daily", [("a.xlsx", data)], limits=limits)
        assert [p.code for p in out.problems] == ["upload.server_busy"] and stored(bank) == (0, 1)
    assert budget.in_use() == 0
    # four uploads at once with room for one and a half: they wait their turn and all go through
    limits = UploadLimits(max_total_memory=need * 3 // 2, busy_wait=60)
    outs = []
    threads = [threading.Thread(target=lambda i=i: outs.append(ingest.import_files(
        bank, DIRECTOR, "daily", [(f"{i}.xlsx", xlsx({"日报": [["日期", "工号", "拜访客户数"],
                                                              [D, "1001", i]]}))], limits=limits)))
               for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [o.ok for o in outs] == [True] * 4 and budget.in_use() == 0
