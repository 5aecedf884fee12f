"""Target split (目标分解): largest-remainder rounding, last month's share, hand edits, saving with scope."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.routines import split as targets
from core.errors import AppError
from core.errors import ScopeError
from core.scope import Scope
from core.store import logs as store_logs


@pytest.mark.parametrize("total, weights, expected", [
    # 10 by 1:2:4 → quotas 1.43, 2.86, 5.71 → floors 1, 2, 5 (8); 2 left → B (.86) and C (.71)
    (10, [1, 2, 4], [1, 3, 6]),
    # 100 by thirds → 33 each, 1 left → the first (ties go to the earlier position)
    (100, [1, 1, 1], [34, 33, 33]),
    # exact quotas need no adjustment
    (7, [1, 2, 4], [1, 2, 4]),
    # 5 by 1:1:1:1:1:1 → 0.83 each → floors 0; 5 left → the first five
    (5, [1] * 6, [1, 1, 1, 1, 1, 0]),
    (0, [3, 1], [0, 0]),
])
def test_largest_remainder(total, weights, expected):
    parts = targets.largest_remainder(total, weights)
    assert parts == expected
    assert sum(parts) == total


@pytest.mark.parametrize("total, managers, decimals, values", [
    (100, ["A", "B", "C"], 0, [34, 33, 33]),          # 33.33 each; the remaining unit to A
    (10, ["A", "B", "C", "D"], 2, [2.5, 2.5, 2.5, 2.5]),
    (1, ["A", "B", "C"], 2, [0.34, 0.33, 0.33]),      # 100 hundredths: 33, 33, 33 + 1 to A
    (0, ["A", "B"], 0, [0, 0]),
    (5000, ["A"], 2, [5000.0]),
])
def test_equal_split(total, managers, decimals, values):
    out = targets.split_target(total, managers, "equal", decimals=decimals)
    assert out["employee_id"].tolist() == managers
    assert out["value"].tolist() == values
    assert out["basis"].tolist() == ["equal"] * len(managers)
    assert round(out["value"].sum(), decimals) == total


@pytest.mark.parametrize("total, managers, history, values, basis", [
    # 30:10:0 of last month → 75%, 25%, 0%
    (100, ["A", "B", "C"], {"A": 30, "B": 10, "C": 0}, [75, 25, 0], ["last_month"] * 3),
    # N is new: 90/3 = 30 for N; the other 60 split 40:20 → A 40, B 20
    (90, ["A", "B", "N"], {"A": 40, "B": 20}, [40, 20, 30], ["last_month", "last_month", "no_history"]),
    # NaN counts as no history, same as missing
    (90, ["A", "B", "N"], {"A": 40, "B": 20, "N": float("nan")}, [40, 20, 30],
     ["last_month", "last_month", "no_history"]),
    # a deposit outflow (-10) counts as 0: 0:30:20 → 0, 30, 20
    (50, ["A", "B", "C"], {"A": -10, "B": 30, "C": 20}, [0, 30, 20], ["last_month"] * 3),
    # nobody produced anything → equal split
    (9, ["A", "B", "C"], {"A": 0, "B": 0, "C": 0}, [3, 3, 3], ["equal"] * 3),
    # no history at all → equal split
    (9, ["A", "B", "C"], {}, [3, 3, 3], ["equal"] * 3),
    # 1:1:1 → 3.33 each → 4, 3, 3 (largest remainder, ties to the first)
    (10, ["A", "B", "C"], {"A": 1, "B": 1, "C": 1}, [4, 3, 3], ["last_month"] * 3),
    # 万元 to 2 decimals: 1000.00 by 1:2 → 333.333.. and 666.666.. → 33333 + 66666 = 99999 hundredths,
    # 1 left → B (.67 > .33) → 333.33, 666.67
    (1000, ["A", "B"], {"A": 1, "B": 2}, [333.33, 666.67], ["last_month"] * 2),
])
def test_last_month_share(total, managers, history, values, basis):
    decimals = 2 if total == 1000 else 0
    out = targets.split_target(total, managers, "last_month_share", pd.Series(history, dtype="float64"),
                               decimals=decimals)
    assert out["value"].tolist() == values
    assert out["basis"].tolist() == basis
    assert round(out["value"].sum(), decimals) == total


@pytest.mark.parametrize("kwargs, key", [
    ({"team_total": 100.5, "managers": ["A"], "decimals": 0}, "split.too_many_decimals"),  # more decimals
    ({"team_total": -1, "managers": ["A"]}, "split.negative_total"),
    ({"team_total": 10, "managers": ["A"], "method": "by_grade"}, "split.unknown_method"),
    ({"team_total": float("nan"), "managers": ["A"]}, "split.total_not_number"),
])
def test_split_refuses(kwargs, key):
    with pytest.raises(AppError) as exc:
        targets.split_target(**kwargs)
    assert exc.value.key == key


def test_split_no_managers_is_empty():
    out = targets.split_target(100, [], "equal")
    assert out.empty and list(out.columns) == targets.SPLIT_COLUMNS


@pytest.mark.parametrize("values, team_total, total, difference, ok, missing, negative", [
    ([40, 20, 29], 90, 89, -1, False, [], []),
    ([40, 20, 30.5], 90, 90.5, 0.5, False, [], []),
    ([0.1, 0.2, 0], 0.3, 0.3, 0.0, True, [], []),        # float noise is not a difference
    ([40, None, 50], 90, 90, 0, False, ["B"], []),
    ([100, -10, 0], 90, 90, 0, False, [], ["B"]),
])
def test_validate_split(values, team_total, total, difference, ok, missing, negative):
    df = pd.DataFrame({"employee_id": ["A", "B", "C"], "value": values})
    check = targets.validate_split(df, team_total)
    assert (check.total, check.difference, check.ok) == (total, difference, ok)
    assert check.missing == missing and check.negative == negative


@pytest.mark.parametrize("metric, decimals", [("credit_cards", 0), ("deposits_new", 2), ("fee_income", 0),
                                              ("visits", 0), ("wealth_sales", 2)])
def test_default_decimals(metric, decimals):
    assert targets.default_decimals(metric) == decimals


def test_last_month_results_sums_the_month_only():
    logs = pd.DataFrame({
        "employee_id": ["A", "A", "B", "A"],
        "date": pd.to_datetime(["2026-10-31", "2026-11-02", "2026-11-03", "2026-11-30"]),
        "credit_cards": [9.0, 2.0, 5.0, 3.0],
    })
    out = targets.last_month_results(logs, "2026-11", "credit_cards")
    assert out.to_dict() == {"A": 5.0, "B": 5.0}   # A: 2 + 3 (31 Oct is another month)


def test_team_total_from_targets():
    t = pd.DataFrame({"month": ["2026-11"] * 3 + ["2026-10"], "employee_id": ["A", "B", "C", "A"],
                      "metric": ["credit_cards"] * 4, "value": [10.0, 20.0, 40.0, 99.0]})
    assert targets.team_total_from_targets(t, "2026-11", "credit_cards", ["A", "B"]) == 30.0
    assert targets.team_total_from_targets(t.iloc[0:0], "2026-11", "credit_cards", ["A"]) == 0.0


# ---------------------------------------------------------------- saving

def _roster(engine):
    rows = pd.DataFrame({
        "employee_id": ["CM001", "CM002", "CM003"], "name": ["张伟", "李娜", "王芳"],
        "team": ["对公一队", "对公一队", "零售一队"], "line": ["corporate", "corporate", "retail"],
        "grade": ["客户经理"] * 3, "start_date": [dt.date(2020, 1, 1)] * 3, "mentor_id": [None] * 3,
    })
    store_logs.apply_roster(engine, Scope("director", "boss"), rows, "roster.xlsx", "x")


def _split_rows():
    return pd.DataFrame({"employee_id": ["CM001", "CM002"], "metric": ["credit_cards"] * 2, "value": [34.0, 33.0]})


def test_save_split_is_an_undoable_import(engine):
    _roster(engine)
    lead = Scope("team_lead", "lead1", team="对公一队")
    summary = targets.save_split(engine, lead, "对公一队", "2026-12", _split_rows(), {"credit_cards": 67})
    assert summary.inserted == 2
    got = store_logs.read_targets(engine, lead, months=["2026-12"])
    assert got[["employee_id", "metric", "value"]].values.tolist() == [
        ["CM001", "credit_cards", 34.0], ["CM002", "credit_cards", 33.0]]
    imp = store_logs.list_imports(engine, lead)
    assert imp.iloc[0]["filename"] == "target split 对公一队 2026-12"
    assert imp.iloc[0]["kind"] == "targets"
    assert imp.iloc[0]["sha256"] == targets.content_sha256(
        targets.split_rows(_split_rows(), "2026-12", "credit_cards"))
    store_logs.undo_import(engine, lead, int(summary.import_id))
    assert store_logs.read_targets(engine, lead, months=["2026-12"]).empty


@pytest.mark.parametrize("scope, team, error", [
    (Scope("manager", "m1", employee_id="CM001"), "对公一队", ScopeError),
    (Scope("team_lead", "lead2", team="零售一队"), "对公一队", ScopeError),
])
def test_save_split_refused_by_role(engine, scope, team, error):
    _roster(engine)
    with pytest.raises(error):
        targets.save_split(engine, scope, team, "2026-12", _split_rows())
    assert store_logs.read_targets(engine, Scope("director"), months=["2026-12"]).empty


@pytest.mark.parametrize("rows, totals, key", [
    (_split_rows(), {"credit_cards": 70}, "split.does_not_add_up"),                    # 67 ≠ 70
    (_split_rows().assign(value=[34.0, -1.0]), None, "split.bad_value"),               # negative
    (_split_rows().assign(metric="deposit_balance"), None, "split.not_target_metric"),  # not a target metric
])
def test_save_split_refuses_bad_rows(engine, rows, totals, key):
    _roster(engine)
    with pytest.raises(AppError) as exc:
        targets.save_split(engine, Scope("director", "boss"), "对公一队", "2026-12", rows, totals)
    assert exc.value.key == key
    assert store_logs.read_targets(engine, Scope("director"), months=["2026-12"]).empty
