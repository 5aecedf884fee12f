"""Bulk load (COPY, PostgreSQL): the same imports through COPY and through the row-by-row path give the same
summaries, stored rows, undo records, undo and rollups."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from core.errors import AppError
from core.schema import METRICS
from core.scope import SYSTEM
from core.store import bulk
from core.store import logs as sl
from core.store import rollups as ru
from core.store import tables as t
from tests.conftest import _fresh_pg

IDS = ["E1", "E2", "E3"]
DAYS = [dt.date(2026, 11, 20) + dt.timedelta(days=i) for i in range(20)]
NOTES = [None, "", "拜访 A 公司\t续贷", 'quote " and back\\slash', "line\nbreak\r", "普通", "x\x00y"]


def roster_df():
    return pd.DataFrame([{"employee_id": e, "name": f"经理{e}", "team": "对公一队", "line": "corporate",
                          "grade": "客户经理", "start_date": pd.Timestamp("2020-01-01"), "mentor_id": None}
                         for e in IDS])


def frame(seed: int, days) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for e in IDS:
        for d in days:
            r = {m: float(rng.integers(0, 4)) for m in METRICS}
            r["deposits_new"] = float(rng.choice([0.0, 12.5, 1234567.123456, 0.000001]))
            r["deposit_balance"] = float(rng.choice([np.nan, 500.0, 9_999_999.5]))
            r.update(employee_id=e, date=d, notes=NOTES[int(rng.integers(0, len(NOTES)))])
            rows.append(r)
    return pd.DataFrame(rows)


def observe(engine, summary) -> dict:
    with engine.connect() as conn:
        logs = [tuple(r) for r in conn.execute(select(t.daily_logs).order_by(t.daily_logs.c.employee_id,
                                                                             t.daily_logs.c.date))]
        changes = [tuple(r) for r in conn.execute(select(t.import_changes).order_by(t.import_changes.c.id))]
        imports = [tuple(r)[:9] for r in conn.execute(select(t.imports.c.id, t.imports.c.kind, t.imports.c.inserted,
                                                             t.imports.c.updated, t.imports.c.unchanged,
                                                             t.imports.c.status).order_by(t.imports.c.id))]
    weeks = ru.read_week_rollup(engine, SYSTEM, "2026-W40", "2026-W53")
    return {"summary": summary.as_dict(), "logs": logs, "changes": changes, "imports": imports,
            "weeks": weeks.round(6).to_dict("records"), "check": ru.check(engine)}


def scenario(engine) -> list[dict]:
    out = []
    sl.apply_roster(engine, SYSTEM, roster_df(), "roster.xlsx", "r" * 64)
    a = frame(1, DAYS[:12])
    first_same = (a["employee_id"] == "E1") & (a["date"] == DAYS[7])
    a.loc[first_same, "deposit_balance"] = 9_999_999.5
    sa = sl.apply_daily(engine, SYSTEM, a, "a.xlsx", "a" * 64)
    out.append(observe(engine, sa))
    # B: days 6..19 — overlaps A on 6..11 (some rows equal: A's own rows for E1), the rest new; some cells
    # absent (present False), some balances cleared, notes changed
    b = frame(2, DAYS[6:])
    same = (b["employee_id"] == "E1") & b["date"].isin(DAYS[6:12])
    b.loc[same, :] = a[(a["employee_id"] == "E1") & a["date"].isin(DAYS[6:12])].to_numpy()
    # within math.isclose(rel_tol=1e-12) of the stored 9,999,999.5: the same value, so the row stays unchanged
    b.loc[(b["employee_id"] == "E1") & (b["date"] == DAYS[7]), "deposit_balance"] = 9_999_999.500001
    present = pd.DataFrame(True, index=b.index, columns=[*METRICS, "notes"])
    present.loc[b.index % 3 == 0, ["visits", "deposit_balance"]] = False
    present.loc[b.index % 5 == 0, "notes"] = False
    out.append(observe(engine, sl.apply_daily(engine, SYSTEM, b, "b.xlsx", "b" * 64, present=present)))
    out.append(observe(engine, sl.apply_daily(engine, SYSTEM, frame(3, DAYS), "c.xlsx", "c" * 64, dry_run=True)))
    out.append(observe(engine, sl.apply_daily(engine, SYSTEM, b, "b.xlsx", "b" * 64, present=present)))  # all same
    try:                                          # A is refused while B, which changed A's rows, stands
        sl.undo_import(engine, SYSTEM, sa.import_id)
    except AppError as exc:
        out.append({"refused": (exc.key, exc.message("en"))})
    for s in (out[3]["summary"]["import_id"], out[1]["summary"]["import_id"], sa.import_id):
        out.append(observe(engine, sl.undo_import(engine, SYSTEM, s)))
    return out


def test_copy_path_equals_row_by_row_path(engine, request, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is the PostgreSQL bulk path; SQLite always takes the row-by-row path")
    monkeypatch.setattr(bulk, "COPY_THRESHOLD", 10**9)
    plain = scenario(engine)
    other, _url, drop = _fresh_pg(request)
    try:
        monkeypatch.setattr(bulk, "COPY_THRESHOLD", 0)
        called = []
        real = bulk.apply_daily
        monkeypatch.setattr(bulk, "apply_daily", lambda *a, **k: called.append(1) or real(*a, **k))
        undone, real_undo = [], bulk.undo_daily
        monkeypatch.setattr(bulk, "undo_daily", lambda *a, **k: undone.append(1) or real_undo(*a, **k))
        copied = scenario(other)
    finally:
        drop()
    assert len(called) == 4                     # every daily import above went through COPY
    assert len(undone) == 2                     # and the undos of A and B were set-based (B again confirmed only)
    assert plain[0]["summary"]["inserted"] == 36 and plain[1]["summary"]["updated"] > 0
    assert plain[1]["summary"]["unchanged"] >= 6 and plain[1]["summary"]["cleared"]
    assert plain[3]["summary"]["unchanged"] == 42            # B again: 3 managers × 14 days, all the same
    assert plain[4]["refused"][0] == "ingest.store.changed_later" and copied[4] == plain[4]
    plain, copied = plain[:4] + plain[5:], copied[:4] + copied[5:]
    for i, (p, c) in enumerate(zip(plain, copied)):
        assert p["check"] == [] and c["check"] == [], i
        for part in ("summary", "logs", "changes", "imports", "weeks"):
            assert c[part] == p[part], (i, part)
