"""Store: idempotent, all-or-nothing imports with exact undo, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import store
from core.errors import AppError
from core.schema import METRICS
from core.scope import SYSTEM, Scope, ScopeError
from core.store import logs as sl

D1, D2, D3 = dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 4)


def roster_df():
    return pd.DataFrame([
        {"employee_id": "E1", "name": "张伟", "team": "对公一队", "line": "corporate", "grade": "客户经理",
         "start_date": pd.Timestamp("2020-03-01"), "mentor_id": None},
        {"employee_id": "E2", "name": "李娜", "team": "对公一队", "line": "corporate", "grade": "高级客户经理",
         "start_date": pd.Timestamp("2018-07-01"), "mentor_id": None},
        {"employee_id": "E3", "name": "王芳", "team": "零售一队", "line": "retail", "grade": "客户经理助理",
         "start_date": pd.Timestamp("2026-09-01"), "mentor_id": "E2"},
    ])


def log_rows(rows):
    """rows: (employee_id, date, visits, deposits_new, deposit_balance)"""
    out = []
    for eid, d, visits, dep, bal in rows:
        r = {m: 0.0 for m in METRICS}
        r.update(employee_id=eid, date=d, visits=visits, deposits_new=dep, deposit_balance=bal, notes=f"{eid} {d}")
        out.append(r)
    return pd.DataFrame(out)


def counts(engine):
    df = sl.read_logs(engine, SYSTEM)
    return len(df), float(df["visits"].sum()), float(df["deposits_new"].sum())


@pytest.fixture
def seeded(engine):
    s = sl.apply_roster(engine, SYSTEM, roster_df(), "roster.xlsx", "r" * 64)
    assert (s.inserted, s.updated, s.unchanged) == (3, 0, 0)
    return engine


def test_import_then_same_file_again_changes_nothing(seeded):
    rows = log_rows([("E1", D1, 5, 10.5, 100.0), ("E2", D1, 3, 0, np.nan), ("E3", D2, 7, 2.25, 50.0)])
    first = sl.apply_daily(seeded, SYSTEM, rows, "w44.xlsx", "a" * 64)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    second = sl.apply_daily(seeded, SYSTEM, rows, "w44.xlsx", "a" * 64)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    # 3 rows; visits 5+3+7 = 15; deposits 10.5 + 0 + 2.25 = 12.75
    assert counts(seeded) == (3, 15.0, 12.75)
    df = sl.read_logs(seeded, SYSTEM)
    assert df.loc[df.employee_id == "E2", "deposit_balance"].isna().all()
    assert list(df.columns[:2]) == ["employee_id", "date"]
    assert df.loc[df.employee_id == "E3", "team"].iat[0] == "零售一队"


def test_corrected_file_replaces_days_and_undo_restores_exactly(seeded):
    a = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 5, 10.5, 100.0), ("E1", D2, 4, 1.0, 101.0)]), "a", "a" * 64)
    before = sl.read_logs(seeded, SYSTEM)
    b = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D2, 6, 1.0, 101.0), ("E1", D3, 2, 0.0, 101.0)]), "b", "b" * 64)
    # D2 changed (visits 4 → 6), D3 new
    assert (b.inserted, b.updated, b.unchanged) == (1, 1, 0)
    assert counts(seeded) == (3, 13.0, 11.5)   # visits 5+6+2, deposits 10.5+1+0
    u = sl.undo_import(seeded, SYSTEM, b.import_id)
    assert (u.updated, u.inserted) == (1, 1)  # one restored, one removed
    after = sl.read_logs(seeded, SYSTEM)
    pd.testing.assert_frame_equal(before, after)
    imports = sl.list_imports(seeded, SYSTEM)
    assert imports.set_index("id").loc[b.import_id, "status"] == "undone"
    assert imports.set_index("id").loc[a.import_id, "status"] == "done"
    with pytest.raises(AppError) as err:
        sl.undo_import(seeded, SYSTEM, b.import_id)
    assert err.value.key == "ingest.store.already_undone"


def test_undo_refused_while_a_later_import_changed_the_same_rows(seeded):
    a = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 5, 10.5, 100.0)]), "a", "a" * 64)
    b = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 9, 10.5, 100.0)]), "b", "b" * 64)
    with pytest.raises(AppError) as err:
        sl.undo_import(seeded, SYSTEM, a.import_id)
    assert err.value.key == "ingest.store.changed_later"
    assert str(b.import_id) in err.value.message("en") and str(b.import_id) in err.value.message("zh")
    assert counts(seeded) == (1, 9.0, 10.5)
    sl.undo_import(seeded, SYSTEM, b.import_id)
    sl.undo_import(seeded, SYSTEM, a.import_id)
    assert counts(seeded) == (0, 0.0, 0.0)


def test_import_with_an_unknown_manager_stores_nothing(seeded):
    sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 5, 10.5, 100.0)]), "a", "a" * 64)
    n_imports = len(sl.list_imports(seeded, SYSTEM))
    bad = log_rows([("E1", D2, 1, 1, 1), ("NOPE", D2, 1, 1, 1)])
    with pytest.raises(AppError) as err:
        sl.apply_daily(seeded, SYSTEM, bad, "bad", "c" * 64)
    assert err.value.key == "ingest.store.not_on_roster"
    assert err.value.message("en") == "not on the roster: NOPE" and err.value.message("zh") == "不在花名册中:NOPE"
    assert counts(seeded) == (1, 5.0, 10.5)
    assert len(sl.list_imports(seeded, SYSTEM)) == n_imports


def test_dry_run_counts_without_storing(seeded):
    s = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 5, 10.5, 100.0)]), "a", "a" * 64, dry_run=True)
    assert (s.import_id, s.inserted) == (None, 1)
    assert counts(seeded) == (0, 0.0, 0.0)


def test_roster_reimport_updates_people_and_keeps_their_logs(seeded):
    sl.apply_daily(seeded, SYSTEM, log_rows([("E3", D1, 7, 2.0, 50.0)]), "a", "a" * 64)
    moved = roster_df()
    moved.loc[moved.employee_id == "E3", ["team", "grade"]] = ["零售二队", "客户经理"]
    s = sl.apply_roster(seeded, SYSTEM, moved.iloc[2:], "roster2.xlsx", "d" * 64)
    assert (s.inserted, s.updated, s.unchanged) == (0, 1, 0)
    logs = sl.read_logs(seeded, SYSTEM)
    assert logs.loc[0, ["employee_id", "team", "grade"]].tolist() == ["E3", "零售二队", "客户经理"]
    sl.undo_import(seeded, SYSTEM, s.import_id)
    assert sl.read_roster(seeded, SYSTEM).set_index("employee_id").loc["E3", "team"] == "零售一队"


def test_targets_upsert_and_read_long_format(seeded):
    rows = pd.DataFrame([("2026-11", "E1", "deposits_new", 300.0), ("2026-11", "E1", "credit_cards", 20.0),
                         ("2026-11", "E3", "credit_cards", 40.0)], columns=sl.TARGET_COLUMNS)
    s = sl.apply_targets(seeded, SYSTEM, rows, "targets.xlsx", "e" * 64)
    assert s.inserted == 3
    rows.loc[1, "value"] = 25.0
    s2 = sl.apply_targets(seeded, SYSTEM, rows, "targets.xlsx", "f" * 64)
    assert (s2.inserted, s2.updated, s2.unchanged) == (0, 1, 2)
    got = sl.read_targets(seeded, SYSTEM, months=["2026-11"])
    assert got.set_index(["employee_id", "metric"]).loc[("E1", "credit_cards"), "value"] == 25.0


@pytest.mark.parametrize("scope, visible", [
    (SYSTEM, {"E1", "E2", "E3"}),
    (Scope("team_lead", username="lead1", team="对公一队"), {"E1", "E2"}),
    (Scope("team_lead", username="lead2", team="零售一队", employee_id="E3"), {"E3"}),
    (Scope("manager", username="m1", employee_id="E1"), {"E1"}),
])
def test_reads_are_scoped(seeded, scope, visible):
    sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 1, 0, 0), ("E2", D1, 1, 0, 0), ("E3", D1, 1, 0, 0)]), "a", "a" * 64)
    assert set(sl.read_logs(seeded, scope)["employee_id"]) == visible
    assert set(sl.read_roster(seeded, scope)["employee_id"]) == visible


def test_writes_outside_scope_raise_and_store_nothing(seeded):
    lead = Scope("team_lead", username="lead1", team="对公一队")
    with pytest.raises(ScopeError):
        sl.apply_daily(seeded, lead, log_rows([("E1", D1, 1, 0, 0), ("E3", D1, 1, 0, 0)]), "x", "x" * 64)
    with pytest.raises(ScopeError):
        sl.apply_daily(seeded, Scope("manager", username="m", employee_id="E1"), log_rows([("E1", D1, 1, 0, 0)]), "x", "x" * 64)
    assert counts(seeded) == (0, 0.0, 0.0)
    ok = sl.apply_daily(seeded, lead, log_rows([("E1", D1, 1, 0, 0)]), "x", "x" * 64)
    assert ok.inserted == 1


@pytest.mark.parametrize("scope, key", [
    (Scope("team_lead", username="lead2", team="零售一队"), "ingest.store.not_your_import"),   # another team's
    (Scope("manager", username="m1", employee_id="E1"), "ingest.store.not_your_import"),
])
def test_undo_of_someone_elses_import_is_refused(seeded, scope, key):
    s = sl.apply_daily(seeded, Scope("team_lead", username="lead1", team="对公一队"),
                       log_rows([("E1", D1, 1, 0, 0)]), "a", "a" * 64)
    with pytest.raises(ScopeError) as err:
        sl.undo_import(seeded, scope, s.import_id)
    assert err.value.key == key
    assert err.value.message("en") == f"import {s.import_id} is not yours to see"
    assert counts(seeded) == (1, 1.0, 0.0)


def test_data_version_changes_with_imports(seeded):
    v1 = store.data_version(seeded)
    s = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 1, 0, 0)]), "a", "a" * 64)
    v2 = store.data_version(seeded)
    sl.undo_import(seeded, SYSTEM, s.import_id)
    assert len({v1, v2, store.data_version(seeded)}) == 3


def test_data_version_ignores_sign_ins_but_not_settings(seeded):
    from core.store import audit, config
    v1 = store.data_version(seeded)
    with store.write_begin(seeded) as conn:
        audit.record(conn, "someone", "login", "someone")
        audit.record(conn, "someone", "login_failed", "someone")
    assert store.data_version(seeded) == v1
    config.set_setting(seeded, SYSTEM, "coaching_rules", "rules: {}")
    assert store.data_version(seeded) != v1


def test_long_file_lists_are_audited_and_the_audit_names_the_import(seeded):
    import json as _json

    from core.store.audit import read_audit
    names = ", ".join(f"2026-W{w:02d}_对公一队.xlsx" for w in range(1, 27))   # far longer than 200 characters
    s = sl.apply_daily(seeded, SYSTEM, log_rows([("E1", D1, 5, 10.5, 100.0)]), names, "a" * 64)
    entry = read_audit(seeded, SYSTEM, action="import_daily").iloc[0]
    assert entry["target"] == names[:200]
    assert _json.loads(entry["detail"])["import_id"] == s.import_id


@pytest.mark.parametrize("key_cols, key", [
    (["employee_id", "date"], ("E\"1", dt.date(2026, 11, 2))),
    (["month", "employee_id", "metric"], ("2026-11", "李娜", "credit_cards")),
    (["employee_id"], ("CM001",)),
])
def test_fast_row_keys_match_the_generic_json(key_cols, key):
    assert sl._key_json(key_cols, key) == sl._jsonable(dict(zip(key_cols, key)))
