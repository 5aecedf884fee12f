"""The fuzzing suite of issue 14: hostile uploads of every kind — daily logs, roster, targets (CSV and .xlsx, and
raw byte mutations of valid files), plan YAML, coaching rules YAML. Each must end in a clear, located message
or a clean import: never a traceback (nor the "unexpected problem" fallback that hides one), and the store
unchanged when refused.

Bounded in CI (profile ``ci``); by hand ``HYPOTHESIS_PROFILE=long`` runs the long profile. With
``FUZZ_REPORT=path.json`` the counts (tried, imported, refused, tracebacks, store changed on refusal) are added
to that file — the README's "Hardening" figures.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import text

from core import ingest
from core.coaching import default_rules_text, save_rules
from core.commission import SAMPLE_PLAN, upload_plan
from core.errors import AppError
from core.schema import DAILY_FIELDS, FIELDS_BY_NAME, ROSTER_FIELDS, TARGET_METRICS
from core.scope import SYSTEM, Scope
from core.store import logs as sl
from tests.core.ingest.fuzzing import PROFILE, TALLY, write_tally
from tests.core.ingest.helpers import LEAD1, ROSTER

DIRECTOR = Scope("director", "boss")

HEADERS = sorted({f.header("zh") for f in (*DAILY_FIELDS, *ROSTER_FIELDS)} |
                 {f.header("en") for f in DAILY_FIELDS} |
                 {"月份", "日期", "工号", "客户经理", "新增存款(元)", "新增存款(亿元)", "中间业务收入(万元)", "合计",
                  FIELDS_BY_NAME[TARGET_METRICS[0]].header("zh"), "", "备注\x00", "=HYPERLINK(\"x\")"})
TOKENS = ["1e308", "-1e308", "1e27", "inf", "-inf", "nan", "NaN", "1e400", "0x10", "12.5万", "(1,234)", "5户",
          "—", "-", "合计", "小计", "=1+1", "@SUM(A1)", "2026-11-02", "2026/13/45", "202611", "2026-11",
          "1001", "00123", "2001", "张伟", "李娜", "王强", "一队", "二队", "零售", "对公", "客户经理",
          "a\x00b", "\x1b[2J", "\u202e", "﻿", "𠀀", "x" * 300, " ", "\t", "1.5", "-2", "1000000000", "True"]
CELL = st.one_of(
    st.none(), st.sampled_from(TOKENS),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10 ** 30), 10 ** 30),
    st.dates(dt.date(1899, 12, 30), dt.date(2200, 1, 1)),
    st.text(st.characters(codec="utf-8"), max_size=12),
)
GRID = st.tuples(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
                 st.lists(st.lists(CELL, max_size=9), max_size=8))


def snapshot(engine):
    with engine.connect() as c:
        return [c.execute(text(f"SELECT count(*) FROM {tb}")).scalar()
                for tb in ("daily_logs", "managers", "targets", "imports", "import_changes", "plans", "settings")] + \
            [tuple(r) for r in c.execute(text("SELECT employee_id, date, visits, notes FROM daily_logs "
                                              "ORDER BY employee_id, date")).all()]


def as_csv(header, rows, encoding) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding, errors="replace")


def as_xlsx(header, rows) -> bytes | None:
    wb = openpyxl.Workbook()
    ws = wb.active
    try:
        ws.append(header)
        for r in rows:
            ws.append([v if not isinstance(v, int) or abs(v) < 2 ** 53 else str(v) for v in r])
        buf = io.BytesIO()
        wb.save(buf)
    except (IllegalCharacterError, ValueError, TypeError):   # openpyxl cannot write it: try the CSV instead
        return None
    return buf.getvalue()


def check_outcome(engine, before, out) -> None:
    """A clean import or a clear, located refusal; the store unchanged on refusal; messages render."""
    TALLY["tried"] += 1
    codes = [p.code for p in out.problems]
    if "ingest.parse_failed" in codes:                # the fallback that hides an exception
        TALLY["tracebacks"] += 1
    assert "ingest.parse_failed" not in codes
    for p in out.problems:
        for lang in ("zh", "en"):
            assert p.message(lang) and p.where(lang)
        if p.row is not None:
            assert p.file
    if out.ok:
        TALLY["imported"] += 1
        logs = sl.read_logs(engine, SYSTEM)
        assert all(math.isfinite(v) for m in ("visits", "deposits_new", "fee_income") for v in logs[m])
    else:
        TALLY["refused"] += 1
        if snapshot(engine) != before:
            TALLY["store_changed_on_refusal"] += 1
        assert snapshot(engine) == before


@pytest.fixture
def bank(engine):
    sl.apply_roster(engine, SYSTEM, ROSTER.assign(start_date=pd.Timestamp("2024-01-01"), mentor_id=None),
                    "roster.xlsx", "r" * 64)
    yield engine
    write_tally()


@settings(PROFILE)
@given(kind=st.sampled_from(ingest.KINDS), grid=GRID, fmt=st.sampled_from(["xlsx", "csv-utf-8", "csv-gb18030",
                                                                          "csv-utf-16"]),
       scope=st.sampled_from([DIRECTOR, LEAD1]), dry_run=st.booleans())
def test_fuzz_uploads_of_every_kind(bank, kind, grid, fmt, scope, dry_run):
    header, rows = grid
    data = as_xlsx(header, rows) if fmt == "xlsx" else None
    name = "fuzz.xlsx" if data is not None else "fuzz.csv"
    if data is None:
        data = as_csv(header, rows, "utf-8" if fmt == "xlsx" else fmt[4:])
    before = snapshot(bank)
    out = ingest.import_files(bank, scope, kind, [(name, data)], dry_run=dry_run)
    check_outcome(bank, before if not out.ok or dry_run else snapshot(bank), out)


def _valid_daily() -> bytes:
    return as_xlsx(["日期", "工号", "拜访客户数", "新增存款(万元)", "工作日志"],
                   [[dt.date(2026, 11, 2), "1001", 3, 12.5, "走访"], [dt.date(2026, 11, 3), "1002", 4, -1, None]])


VALID = {"xlsx": _valid_daily(), "csv": "日期,工号,拜访客户数\n2026-11-02,1001,3\n".encode()}


@settings(PROFILE)
@given(fmt=st.sampled_from(sorted(VALID)), edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)),
                                                            min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_fuzz_mutated_bytes(bank, fmt, edits, cut):
    data = bytearray(VALID[fmt])
    for where, chunk in edits:
        i = int(where * (len(data) - 1))
        data[i:i + len(chunk)] = chunk
    if cut is not None:
        data = data[: int(cut * len(data))]
    before = snapshot(bank)
    out = ingest.import_files(bank, DIRECTOR, "daily", [(f"m.{fmt}", bytes(data))])
    check_outcome(bank, before if not out.ok else snapshot(bank), out)


YAML_TOKENS = [".inf", "-.inf", ".nan", "1e400", "-1", "0", "", "~", "[", "{", "]", "'", "\"", "0x10", "1_000",
               "2026-13-01", "yes", "&a", "*a", "!!python/object:os.system", "\x00", "x" * 500, "[1, 2]", "{a: 1}",
               "100000000000000000000", "1e-400", "- 1", ": :", "\t"]


def mutate_yaml(src: str, draws) -> str:
    lines = src.splitlines()
    for kind, where, token in draws:
        i = int(where * (len(lines) - 1)) if lines else 0
        if not lines:
            lines.append(token)
        elif kind == "value" and ":" in lines[i]:
            head = lines[i].split(":", 1)[0]
            lines[i] = f"{head}: {token}"
        elif kind == "delete":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        else:
            lines[i] = lines[i] + token
    return "\n".join(lines) + "\n"


YAML_EDITS = st.lists(st.tuples(st.sampled_from(["value", "delete", "dup", "append"]), st.floats(0, 1),
                                st.sampled_from(YAML_TOKENS)), min_size=1, max_size=5)


def check_yaml(engine, before, save) -> None:
    TALLY["tried"] += 1
    try:
        save()
    except AppError as exc:
        TALLY["refused"] += 1
        for lang in ("zh", "en"):
            assert exc.message(lang)
        assert exc.problems and all(getattr(p, "line", 0) is None or getattr(p, "line", 0) >= 1
                                    for p in exc.problems)
        if snapshot(engine) != before:
            TALLY["store_changed_on_refusal"] += 1
        assert snapshot(engine) == before
        return
    except Exception:
        TALLY["tracebacks"] += 1
        raise
    TALLY["imported"] += 1


PLAN_TEXT = Path(SAMPLE_PLAN).read_text(encoding="utf-8")


@settings(PROFILE)
@given(edits=YAML_EDITS)
def test_fuzz_plan_yaml(bank, edits):
    body = mutate_yaml(PLAN_TEXT, edits)
    before = snapshot(bank)
    check_yaml(bank, before, lambda: upload_plan(bank, DIRECTOR, body))


@settings(PROFILE)
@given(edits=YAML_EDITS)
def test_fuzz_coaching_rules_yaml(bank, edits):
    body = mutate_yaml(default_rules_text(), edits)
    before = snapshot(bank)
    check_yaml(bank, before, lambda: save_rules(bank, DIRECTOR, body))
