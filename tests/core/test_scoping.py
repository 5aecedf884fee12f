"""Scoping is enforced in core's data access, for every role: reads return only what the scope may see, writes
outside the scope raise ScopeError and store nothing.

The branch built here (in code):
    对公一队 (team A): A1 (高级客户经理), A2, A3      零售一队 (team B): B1, B2
    visits on 2026-11-02 = k and on 2026-11-03 = 10·k, with k = 1, 2, 3, 4, 5 for A1, A2, A3, B1, B2,
    so each person's two-day total is 11·k.  November target for visits = 100·k.
    Imports: #1 roster (system), #2 daily (system), #3 daily by lead_a (A2 on 11-04), #4 daily by lead_b (B2 on 11-04).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import auth
from core.scope import SYSTEM, Scope, ScopeError
from core.store import logs

TEAM_A, TEAM_B = "对公一队", "零售一队"
K = {"A1": 1, "A2": 2, "A3": 3, "B1": 4, "B2": 5}
D1, D2, D3 = dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 4)

LEAD_A = Scope("team_lead", "lead_a", TEAM_A, "A1")           # leads team A and is also A1 on the roster
LEAD_A_NO_ENTRY = Scope("team_lead", "lead_a2", TEAM_A)
LEAD_B = Scope("team_lead", "lead_b", TEAM_B)
LEAD_B_WITH_A3 = Scope("team_lead", "lead_x", TEAM_B, "A3")  # own roster entry in another team
MANAGER_A2 = Scope("manager", "m_a2", TEAM_A, "A2")
MANAGER_B1 = Scope("manager", "m_b1", TEAM_B, "B1")
DIRECTOR = Scope("director", "boss")

SCOPES = {
    "director": (DIRECTOR, {"A1", "A2", "A3", "B1", "B2"}),
    "lead_a": (LEAD_A, {"A1", "A2", "A3"}),
    "lead_a_no_entry": (LEAD_A_NO_ENTRY, {"A1", "A2", "A3"}),
    "lead_b": (LEAD_B, {"B1", "B2"}),
    "lead_b_with_a3": (LEAD_B_WITH_A3, {"B1", "B2", "A3"}),
    "manager_a2": (MANAGER_A2, {"A2"}),
    "manager_b1": (MANAGER_B1, {"B1"}),
}


def _roster() -> pd.DataFrame:
    return pd.DataFrame([
        {"employee_id": e, "name": f"经理{e}", "team": TEAM_A if e.startswith("A") else TEAM_B,
         "line": "corporate" if e.startswith("A") else "retail",
         "grade": "高级客户经理" if e in ("A1", "B1") else "客户经理",
         "start_date": dt.date(2023, 3, 1), "mentor_id": None} for e in K])


def _daily(rows: list[tuple[str, dt.date, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"employee_id": e, "date": d, "visits": v} for e, d, v in rows])


@pytest.fixture
def branch(engine):
    logs.apply_roster(engine, SYSTEM, _roster(), "roster.xlsx", "r")                                    # import 1
    logs.apply_daily(engine, SYSTEM, _daily([(e, D1, k) for e, k in K.items()]
                                            + [(e, D2, 10 * k) for e, k in K.items()]), "week.xlsx", "d")  # 2
    logs.apply_daily(engine, LEAD_A, _daily([("A2", D3, 7)]), "lead_a.xlsx", "a")                       # 3
    logs.apply_daily(engine, LEAD_B, _daily([("B2", D3, 9)]), "lead_b.xlsx", "b")                       # 4
    logs.apply_targets(engine, SYSTEM, pd.DataFrame([{"month": "2026-11", "employee_id": e, "metric": "visits",
                                                      "value": 100.0 * k} for e, k in K.items()]), "t.xlsx", "t")  # 5
    return engine


def _counts(engine) -> tuple:
    full = logs.read_logs(engine, SYSTEM)
    return (len(full), float(full["visits"].sum()), len(logs.list_imports(engine, SYSTEM)),
            len(logs.read_targets(engine, SYSTEM)), float(logs.read_targets(engine, SYSTEM)["value"].sum()),
            len(logs.read_roster(engine, SYSTEM)))


# ---------------------------------------------------------------- reads

@pytest.mark.parametrize("name", SCOPES)
def test_read_roster_returns_only_the_scope(branch, name):
    scope, ids = SCOPES[name]
    assert set(logs.read_roster(branch, scope)["employee_id"]) == ids
    assert set(logs.read_teams(branch, scope)["name"]) == {TEAM_A if i.startswith("A") else TEAM_B for i in ids}


@pytest.mark.parametrize("name", SCOPES)
def test_read_logs_returns_only_the_scope(branch, name):
    scope, ids = SCOPES[name]
    df = logs.read_logs(branch, scope, start=D1, end=D2)
    assert set(df["employee_id"]) == ids
    assert len(df) == 2 * len(ids)
    assert df["visits"].sum() == sum(11 * K[e] for e in ids)      # e.g. lead_a: 11·(1+2+3) = 66


@pytest.mark.parametrize("name", SCOPES)
def test_read_targets_returns_only_the_scope(branch, name):
    scope, ids = SCOPES[name]
    df = logs.read_targets(branch, scope, months=["2026-11"])
    assert set(df["employee_id"]) == ids
    assert df["value"].sum() == sum(100 * K[e] for e in ids)


@pytest.mark.parametrize("name, kwargs", [
    ("lead_a", {"team": TEAM_B}),
    ("lead_a", {"employee_id": "B1"}),
    ("lead_a", {"line": "retail"}),
    ("lead_b", {"employee_id": "A1"}),
    ("manager_a2", {"employee_id": "A1"}),
    ("manager_a2", {"team": TEAM_B}),
    ("manager_b1", {"employee_id": "B2"}),
])
def test_asking_for_rows_outside_the_scope_returns_nothing(branch, name, kwargs):
    scope, _ids = SCOPES[name]
    assert logs.read_logs(branch, scope, **kwargs).empty
    assert logs.read_targets(branch, scope, **kwargs).empty
    roster_kwargs = {k: v for k, v in kwargs.items() if k != "employee_id"}
    if roster_kwargs:
        assert logs.read_roster(branch, scope, **roster_kwargs).empty


@pytest.mark.parametrize("name, first, last", [
    ("director", D1, D3), ("lead_a", D1, D3), ("manager_a2", D1, D3), ("manager_b1", D1, D2)])
def test_log_date_range_follows_the_scope(branch, name, first, last):
    assert logs.log_date_range(branch, SCOPES[name][0]) == (first, last)


@pytest.mark.parametrize("name, files", [
    ("director", ["t.xlsx", "lead_b.xlsx", "lead_a.xlsx", "week.xlsx", "roster.xlsx"]),
    ("lead_a", ["lead_a.xlsx"]),
    ("lead_b", ["lead_b.xlsx"]),
    ("manager_a2", []),
    ("manager_b1", []),
])
def test_list_imports_follows_the_scope(branch, name, files):
    assert list(logs.list_imports(branch, SCOPES[name][0])["filename"]) == files


def _import_id(engine, filename: str) -> int:
    imps = logs.list_imports(engine, SYSTEM)
    return int(imps.loc[imps["filename"] == filename, "id"].iat[0])


@pytest.mark.parametrize("name, filename, allowed", [
    ("director", "lead_b.xlsx", True),
    ("lead_a", "lead_a.xlsx", True),
    ("lead_a", "lead_b.xlsx", False),
    ("lead_a", "week.xlsx", False),            # the system's import has no team: a lead may not open it
    ("lead_b", "lead_a.xlsx", False),
    ("manager_a2", "lead_a.xlsx", False),
])
def test_import_changes_follow_the_scope(branch, name, filename, allowed):
    iid = _import_id(branch, filename)
    if allowed:
        assert len(logs.import_changes(branch, SCOPES[name][0], iid)) == 1
    else:
        with pytest.raises(ScopeError):
            logs.import_changes(branch, SCOPES[name][0], iid)


# ---------------------------------------------------------------- writes

@pytest.mark.parametrize("name, filename", [
    ("lead_a", "lead_b.xlsx"),
    ("lead_b", "lead_a.xlsx"),
    ("lead_b", "week.xlsx"),
    ("manager_a2", "lead_a.xlsx"),
    ("manager_b1", "lead_b.xlsx"),
])
def test_undo_outside_the_scope_raises_and_changes_nothing(branch, name, filename):
    before = _counts(branch)
    with pytest.raises(ScopeError):
        logs.undo_import(branch, SCOPES[name][0], _import_id(branch, filename))
    assert _counts(branch) == before
    imps = logs.list_imports(branch, SYSTEM)
    assert set(imps["status"]) == {"done"}


def test_team_lead_undoes_his_own_import(branch):
    logs.undo_import(branch, LEAD_A, _import_id(branch, "lead_a.xlsx"))
    assert logs.read_logs(branch, SYSTEM, start=D3, end=D3)["employee_id"].tolist() == ["B2"]


@pytest.mark.parametrize("name, rows", [
    ("lead_a", [("B1", D3, 1)]),                       # another team's manager
    ("lead_a", [("A2", D3, 1), ("B1", D3, 1)]),        # mixed: nothing of it may land
    ("lead_b", [("A1", D1, 99)]),
    ("lead_b_with_a3", [("A3", D1, 99)]),              # seeing his own entry does not let him import for it
    ("manager_a2", [("A2", D3, 1)]),                   # a manager never imports, not even his own rows
    ("manager_b1", [("B2", D1, 1)]),
])
def test_apply_daily_outside_the_scope_raises_and_stores_nothing(branch, name, rows):
    before = _counts(branch)
    with pytest.raises(ScopeError):
        logs.apply_daily(branch, SCOPES[name][0], _daily(rows), "bad.xlsx", "x")
    assert _counts(branch) == before


@pytest.mark.parametrize("name, employee", [
    ("lead_a", "B1"), ("lead_b", "A2"), ("manager_a2", "A2")])
def test_apply_targets_outside_the_scope_raises_and_stores_nothing(branch, name, employee):
    before = _counts(branch)
    rows = pd.DataFrame([{"month": "2026-12", "employee_id": employee, "metric": "visits", "value": 1.0}])
    with pytest.raises(ScopeError):
        logs.apply_targets(branch, SCOPES[name][0], rows, "t2.xlsx", "t2")
    assert _counts(branch) == before


@pytest.mark.parametrize("name, team, employee", [
    ("lead_a", TEAM_B, "B9"),       # adding someone to another team
    ("lead_a", TEAM_A, "B1"),       # pulling another team's manager into his team
    ("manager_a2", TEAM_A, "A9"),
])
def test_apply_roster_outside_the_scope_raises_and_stores_nothing(branch, name, team, employee):
    before = _counts(branch)
    rows = pd.DataFrame([{"employee_id": employee, "name": "新人", "team": team, "line": "retail",
                          "grade": "客户经理", "start_date": dt.date(2026, 11, 1), "mentor_id": None}])
    with pytest.raises(ScopeError):
        logs.apply_roster(branch, SCOPES[name][0], rows, "r2.xlsx", "r2")
    assert _counts(branch) == before


def test_team_lead_writes_inside_his_scope(branch):
    s = logs.apply_daily(branch, LEAD_A, _daily([("A3", D3, 5), ("A1", D3, 2)]), "more.xlsx", "m")
    assert (s.inserted, s.updated) == (2, 0)
    imps = logs.list_imports(branch, LEAD_A)
    assert list(imps["filename"]) == ["more.xlsx", "lead_a.xlsx"]
    assert list(imps["team"]) == [TEAM_A, TEAM_A]
    assert "more.xlsx" not in set(logs.list_imports(branch, LEAD_B)["filename"])


# ---------------------------------------------------------------- scopes built from accounts

@pytest.mark.parametrize("role, kwargs, ids", [
    ("director", {}, {"A1", "A2", "A3", "B1", "B2"}),
    ("team_lead", {"team": TEAM_B}, {"B1", "B2"}),
    ("team_lead", {"team": TEAM_A, "employee_id": "A1"}, {"A1", "A2", "A3"}),
    ("manager", {"employee_id": "B1"}, {"B1"}),
])
def test_signed_in_accounts_get_the_right_rows(branch, monkeypatch, role, kwargs, ids):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")
    auth.create_user(branch, SYSTEM, "person", None, role, password="abc12345", **kwargs)
    scope = auth.authenticate(branch, "person", "abc12345").scope
    assert set(logs.read_logs(branch, scope)["employee_id"]) == ids
    assert set(logs.read_roster(branch, scope)["employee_id"]) == ids
