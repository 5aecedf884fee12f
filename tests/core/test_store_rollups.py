"""Week and month rollups kept by the database: hand-worked figures, scope, undo, atomicity, random import/undo
sequences against a from-scratch recomputation, and the CLI — on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from core import cli
from core.errors import AppError
from core.schema import FLOW_METRICS, METRICS
from core.scope import SYSTEM, Scope
from core.store import logs as sl
from core.store import rollups as ru
from core.store import tables as t
from core.store import write_begin

MON = dt.date(2026, 11, 30)             # a Monday whose ISO week (2026-W49) ends on Sunday 2026-12-06


def roster_df():
    return pd.DataFrame([
        {"employee_id": "E1", "name": "张伟", "team": "对公一队", "line": "corporate", "grade": "客户经理",
         "start_date": pd.Timestamp("2020-03-01"), "mentor_id": None},
        {"employee_id": "E2", "name": "李娜", "team": "对公一队", "line": "corporate", "grade": "高级客户经理",
         "start_date": pd.Timestamp("2018-07-01"), "mentor_id": None},
        {"employee_id": "E3", "name": "王芳", "team": "零售一队", "line": "retail", "grade": "客户经理助理",
         "start_date": pd.Timestamp("2026-09-01"), "mentor_id": None},
    ])


def log_rows(rows):
    """rows: (employee_id, date, visits, deposits_new, deposit_balance); other flows 0."""
    out = []
    for eid, d, visits, dep, bal in rows:
        r = {m: 0.0 for m in METRICS}
        r.update(employee_id=eid, date=d, visits=visits, deposits_new=dep, deposit_balance=bal, notes=None)
        out.append(r)
    return pd.DataFrame(out)


@pytest.fixture
def seeded(engine):
    sl.apply_roster(engine, SYSTEM, roster_df(), "roster.xlsx", "r" * 64)
    return engine


FIRST = [("E1", dt.date(2026, 11, 27), 2, 10.0, 500.0),      # Fri of W48
         ("E1", MON, 5, 20.5, 520.0),                        # Mon of W49, still November
         ("E1", dt.date(2026, 12, 1), 3, 0.0, np.nan),       # Tue, December, no balance logged
         ("E1", dt.date(2026, 12, 6), 1, 4.25, 530.0),       # Sun, the week's last day
         ("E3", dt.date(2026, 12, 1), 7, 1.0, 50.0)]


def _row(df, **key):
    sel = df
    for k, v in key.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (key, sel)
    return sel.iloc[0]


def _figures(r) -> tuple:
    last = None if pd.isna(r["last_balance_date"]) else r["last_balance_date"].date()
    bal_sum = None if pd.isna(r["balance_sum"]) else r["balance_sum"]
    last_bal = None if pd.isna(r["last_balance"]) else r["last_balance"]
    return (r["visits"], r["deposits_new"], r["logged_days"], r["days_deposits_new"], r["balance_days"], bal_sum,
            last_bal, last)


def test_hand_worked_week_and_month_rollups(seeded):
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    weeks = ru.read_week_rollup(seeded, SYSTEM, "2026-W48", "2026-W49")
    assert list(weeks.columns) == ru.WEEK_COLUMNS
    # W48 (Mon 11-23): only Fri 11-27 → visits 2, deposits 10, 1 day, 1 sales day, 1 balance 500 on 11-27
    assert _figures(_row(weeks, employee_id="E1", week_start=pd.Timestamp("2026-11-23"))) == \
        (2.0, 10.0, 1, 1, 1, 500.0, 500.0, dt.date(2026, 11, 27))
    # W49 crosses into December: 11-30, 12-01, 12-06 → visits 5+3+1 = 9, deposits 20.5+0+4.25 = 24.75, 3 days,
    # 2 with deposits > 0, balances on 2 days (12-01 has none): 520+530 = 1050, last 530 on Sunday 12-06
    assert _figures(_row(weeks, employee_id="E1", week_start=pd.Timestamp("2026-11-30"))) == \
        (9.0, 24.75, 3, 2, 2, 1050.0, 530.0, dt.date(2026, 12, 6))
    months = ru.read_month_rollup(seeded, SYSTEM, ["2026-11", "2026-12"])
    assert list(months.columns) == ru.MONTH_COLUMNS
    # November: 11-27 and 11-30 → visits 7, deposits 30.5, balances 500+520 = 1020, last 520 on 11-30
    assert _figures(_row(months, employee_id="E1", month="2026-11")) == \
        (7.0, 30.5, 2, 2, 2, 1020.0, 520.0, dt.date(2026, 11, 30))
    # December: 12-01 (no balance) and 12-06 → visits 4, deposits 4.25, 1 balance 530 on 12-06
    assert _figures(_row(months, employee_id="E1", month="2026-12")) == \
        (4.0, 4.25, 2, 1, 1, 530.0, 530.0, dt.date(2026, 12, 6))
    e3 = _row(months, employee_id="E3", month="2026-12")
    assert (e3["team"], e3["line"], e3["manager_name"]) == ("零售一队", "retail", "王芳")
    assert all(weeks[m].dtype == "float64" for m in FLOW_METRICS)
    assert ru.check(seeded) == []


def test_a_week_without_any_balance_reads_nan(seeded):
    sl.apply_daily(seeded, SYSTEM, log_rows([("E2", MON, 1, 0.0, np.nan)]), "x.xlsx", "b" * 64)
    r = _row(ru.read_week_rollup(seeded, SYSTEM, MON, MON), employee_id="E2")
    # one logged day, no balance: balance_days 0, sum and last balance missing, no sales day
    assert (r["logged_days"], r["balance_days"], r["days_deposits_new"]) == (1, 0, 0)
    assert pd.isna(r["balance_sum"]) and pd.isna(r["last_balance"]) and pd.isna(r["last_balance_date"])


def test_update_and_undo_keep_rollups_exact(seeded):
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    second = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", MON, 5, 0.5, 520.0),
                                                      ("E1", dt.date(2026, 12, 2), 4, 0.0, 540.0)]),
                            "fix.xlsx", "c" * 64)
    assert (second.inserted, second.updated) == (1, 1)
    w = _row(ru.read_week_rollup(seeded, SYSTEM, MON, MON), employee_id="E1")
    # W49 now: visits 5+3+4+1 = 13, deposits 0.5+0+0+4.25 = 4.75, 4 days, 2 with deposits, balances
    # 520+540+530 = 1590 on 3 days, the last still Sunday's 530
    assert _figures(w) == (13.0, 4.75, 4, 2, 3, 1590.0, 530.0, dt.date(2026, 12, 6))
    m = _row(ru.read_month_rollup(seeded, SYSTEM, "2026-11"), employee_id="E1")
    assert _figures(m) == (7.0, 10.5, 2, 2, 2, 1020.0, 520.0, dt.date(2026, 11, 30))   # 10 + 0.5
    sl.undo_import(seeded, SYSTEM, second.import_id)
    w = _row(ru.read_week_rollup(seeded, SYSTEM, MON, MON), employee_id="E1")
    assert _figures(w) == (9.0, 24.75, 3, 2, 2, 1050.0, 530.0, dt.date(2026, 12, 6))
    assert ru.check(seeded) == []


def test_undo_of_the_only_import_removes_its_rollups(seeded):
    s = sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    sl.undo_import(seeded, SYSTEM, s.import_id)
    assert ru.read_week_rollup(seeded, SYSTEM, "2026-W40", "2026-W53").empty
    assert ru.read_month_rollup(seeded, SYSTEM, ["2026-11", "2026-12"]).empty
    assert ru.check(seeded) == []


@pytest.mark.parametrize("scope, expected", [
    (SYSTEM, ["E1", "E3"]),
    (Scope("team_lead", "lead", team="对公一队"), ["E1"]),
    (Scope("manager", "e3", employee_id="E3"), ["E3"]),
    (Scope("manager", "e2", employee_id="E2"), []),
])
def test_reads_are_scoped_in_sql(seeded, scope, expected):
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    assert sorted(ru.read_month_rollup(seeded, scope, "2026-12")["employee_id"]) == expected
    assert sorted(set(ru.read_week_rollup(seeded, scope, MON, MON)["employee_id"])) == expected


def test_team_and_line_filters(seeded):
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    assert list(ru.read_month_rollup(seeded, SYSTEM, "2026-12", team="零售一队")["employee_id"]) == ["E3"]
    assert list(ru.read_month_rollup(seeded, SYSTEM, "2026-12", line="corporate")["employee_id"]) == ["E1"]


@pytest.mark.parametrize("call, key", [
    (lambda e: ru.read_week_rollup(e, SYSTEM, "2026-W60", "2026-W61"), "rollups.bad_week"),
    (lambda e: ru.read_week_rollup(e, SYSTEM, "last week", "2026-W01"), "rollups.bad_week"),
    (lambda e: ru.read_month_rollup(e, SYSTEM, ["2026-13"]), "rollups.bad_month"),
])
def test_bad_periods_are_refused(seeded, call, key):
    with pytest.raises(AppError) as exc:
        call(seeded)
    assert exc.value.key == key


def test_a_failing_import_leaves_rollups_unchanged(seeded, monkeypatch):
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    before = ru.read_week_rollup(seeded, SYSTEM, "2026-W40", "2026-W53")

    def boom(*args, **kwargs):                   # after the rows and the rollups are written, before commit
        raise AppError("ingest.store.no_rows")
    monkeypatch.setattr(sl, "finish_import", boom)
    with pytest.raises(AppError):
        sl.apply_daily(seeded, SYSTEM, log_rows([("E1", MON, 50, 99.0, 1.0), ("E2", MON, 1, 1.0, 1.0)]),
                       "bad.xlsx", "d" * 64)
    pd.testing.assert_frame_equal(ru.read_week_rollup(seeded, SYSTEM, "2026-W40", "2026-W53"), before)
    assert ru.check(seeded) == []


def test_many_keys_refresh_by_range(seeded, monkeypatch):
    """Past the keyed limit the refresh works by period range; the figures are the same."""
    monkeypatch.setattr("core.store.rollup_sql.KEYED_LIMIT", 1)
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    w = _row(ru.read_week_rollup(seeded, SYSTEM, MON, MON), employee_id="E1")
    assert _figures(w) == (9.0, 24.75, 3, 2, 2, 1050.0, 530.0, dt.date(2026, 12, 6))
    monkeypatch.setattr("core.store.rollup_sql.RANGE_IDS_LIMIT", 0)    # not even by manager
    sl.apply_daily(seeded, SYSTEM, log_rows([("E2", MON, 1, 2.0, 3.0), ("E3", MON, 1, 2.0, 3.0)]), "y", "e" * 64)
    assert ru.check(seeded) == []


# ---------------------------------------------------------------- random sequences vs a recomputation

def _pandas_rollups(engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rollups recomputed in pandas from the raw rows (independent of the SQL that keeps them)."""
    logs = sl.read_logs(engine, SYSTEM)
    logs["week_start"] = logs["date"] - pd.to_timedelta(logs["date"].dt.weekday, unit="D")
    logs["month"] = logs["date"].dt.strftime("%Y-%m")
    out = []
    for key in ("week_start", "month"):
        rows = []
        for (eid, p), g in logs.groupby(["employee_id", key]):
            bal = g[g["deposit_balance"].notna()]
            rows.append({"employee_id": eid, key: p, **{m: round(g[m].sum(), 6) for m in FLOW_METRICS},
                         "logged_days": len(g), "days_deposits_new": int((g["deposits_new"] > 0).sum()),
                         "balance_days": len(bal),
                         "balance_sum": round(bal["deposit_balance"].sum(), 6) if len(bal) else None,
                         "last_balance": bal["deposit_balance"].iloc[-1] if len(bal) else None})
        out.append(pd.DataFrame(rows, columns=["employee_id", key, *FLOW_METRICS, "logged_days",
                                               "days_deposits_new", "balance_days", "balance_sum", "last_balance"]))
    return out[0], out[1]


def _stored(engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    w = ru.read_week_rollup(engine, SYSTEM, "2000-W01", "2100-W01")
    m = ru.read_month_rollup(engine, SYSTEM, [f"{y}-{mm:02d}" for y in (2026, 2027) for mm in range(1, 13)])
    return w, m


def _assert_matches(engine):
    assert ru.check(engine) == []
    for got, want, key in zip(_stored(engine), _pandas_rollups(engine), ("week_start", "month")):
        if want.empty:
            assert got.empty
            continue
        cols = list(want.columns)
        got = got[cols].sort_values(["employee_id", key]).reset_index(drop=True)
        want = want.sort_values(["employee_id", key]).reset_index(drop=True)
        for c in ("balance_sum", "last_balance"):
            want[c] = want[c].astype("float64")
        for c in ("logged_days", "days_deposits_new", "balance_days"):
            want[c] = want[c].astype("int64")
        pd.testing.assert_frame_equal(got, want, check_exact=False, atol=1e-6)


DAYS = [dt.date(2026, 11, 25) + dt.timedelta(days=i) for i in range(14)]       # W48..W50, Nov → Dec
_row_st = st.tuples(st.sampled_from(["E1", "E2", "E3"]), st.sampled_from(DAYS), st.integers(0, 9),
                    st.sampled_from([0.0, 1.5, 20.25, 300.0]), st.sampled_from([np.nan, 100.0, 250.5]))
_op = st.one_of(st.tuples(st.just("import"), st.lists(_row_st, min_size=1, max_size=8,
                                                      unique_by=lambda r: (r[0], r[1]))),
                st.tuples(st.just("undo"), st.integers(0, 20)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_op, min_size=1, max_size=6))
def test_random_imports_and_undos_keep_rollups_consistent(seeded, ops):
    with write_begin(seeded) as conn:             # each example starts from the roster only
        for tb in (t.week_rollups, t.month_rollups, t.import_changes, t.daily_logs):
            conn.execute(delete(tb))
        conn.execute(delete(t.imports).where(t.imports.c.kind == "daily"))
    done: list[int] = []
    for kind, arg in ops:
        if kind == "import":
            s = sl.apply_daily(seeded, SYSTEM, log_rows(arg), "r.xlsx", "f" * 64)
            done.append(s.import_id)
        elif done:
            import_id = done[arg % len(done)]
            try:
                sl.undo_import(seeded, SYSTEM, import_id)
                done.remove(import_id)
            except AppError:                      # refused (a later import touched the rows): nothing changes
                pass
        _assert_matches(seeded)


# ---------------------------------------------------------------- rebuild, check, CLI

def run(engine, argv: list[str]) -> int:
    return cli.main(["--db", engine.test_url, *argv])


def test_cli_check_finds_a_corrupted_row_and_rebuild_fixes_it(seeded, capsys):
    sl.apply_daily(seeded, SYSTEM, log_rows(FIRST), "first.xlsx", "a" * 64)
    assert run(seeded, ["rollups", "check", "--lang", "en"]) == 0
    assert "agree" in capsys.readouterr().out
    with write_begin(seeded) as conn:             # corrupt one rollup row by hand, drop another
        conn.execute(update(t.week_rollups).where(t.week_rollups.c.employee_id == "E1",
                                                  t.week_rollups.c.week_start == MON).values(visits=99))
        conn.execute(delete(t.month_rollups).where(t.month_rollups.c.employee_id == "E3"))
    assert run(seeded, ["rollups", "check", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "week rollups employee E1 period 2026-11-30 column visits: stored 99.0, the daily logs give 9.0" in out
    assert "month rollups employee E3 period 2026-12 column whole row: stored no row, the daily logs give a row" in out
    assert run(seeded, ["rollups", "check", "--json"]) == 1
    got = json.loads(capsys.readouterr().out)
    assert got["ok"] is False and len(got["differences"]) == 2
    assert got["differences"][0] == {"table": "week_rollups", "employee_id": "E1", "period": "2026-11-30",
                                     "column": "visits", "stored": 99.0, "expected": 9.0}
    assert run(seeded, ["rollups", "rebuild", "--json"]) == 0
    # E1: weeks W48, W49; E3: W49 → 3 week rows; E1 Nov, E1 Dec, E3 Dec → 3 month rows
    assert json.loads(capsys.readouterr().out)["rows"] == {"week_rollups": 3, "month_rollups": 3}
    assert run(seeded, ["rollups", "check"]) == 0
    assert ru.check(seeded) == []


def test_rebuild_recomputes_from_raw_rows_written_around_the_store(seeded):
    with write_begin(seeded) as conn:             # rows written straight into daily_logs (no rollup refresh)
        conn.execute(t.daily_logs.insert(), [{"employee_id": "E2", "date": MON, "visits": 4, "deposits_new": 2.5,
                                              "deposit_balance": 80}])
    diffs = ru.check(seeded)
    assert [(d.table, d.employee_id, d.period, d.column) for d in diffs] == [
        ("week_rollups", "E2", "2026-11-30", "*"), ("month_rollups", "E2", "2026-11", "*")]
    assert ru.rebuild(seeded) == {"week_rollups": 1, "month_rollups": 1}
    w = _row(ru.read_week_rollup(seeded, SYSTEM, MON, MON), employee_id="E2")
    assert _figures(w) == (4.0, 2.5, 1, 1, 1, 80.0, 80.0, MON)
    with seeded.connect() as conn:
        assert conn.execute(select(t.week_rollups.c.last_balance_date)).scalar() == MON
