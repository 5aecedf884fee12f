"""The shared foundation, tested directly: measures, convert, the located-YAML loader, the error type, Scope."""
from __future__ import annotations

import datetime as dt
import math
import pickle
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from core import config_yaml, convert, measures
from core.errors import AppError, Located, ScopeError
from core.scope import SYSTEM, Scope

# ---------------------------------------------------------------- measures


@pytest.mark.parametrize("actual, target, elapsed, total, expected, ratio, status", [
    # 10 of 20 working days gone, target 100 → 50 expected; 60 done → 1.2 → ahead
    (60, 100, 10, 20, 50.0, 1.2, "ahead"),
    (52.5, 100, 10, 20, 50.0, 1.05, "ahead"),       # exactly AHEAD_AT
    (47.5, 100, 10, 20, 50.0, 0.95, "on_pace"),     # exactly ON_PACE_AT
    (47.4, 100, 10, 20, 50.0, 0.948, "behind"),
    (0, 100, 0, 20, 0.0, math.nan, "on_pace"),      # nothing expected yet
    (30, math.nan, 10, 20, math.nan, math.nan, None),  # no target
    (30, 0, 10, 20, 0.0, math.nan, None),           # a zero target is no target
])
def test_pace(actual, target, elapsed, total, expected, ratio, status):
    p = measures.pace([actual], [target], elapsed, total)
    np.testing.assert_allclose(p["expected"], [expected], equal_nan=True)
    np.testing.assert_allclose(p["pace_ratio"], [ratio], equal_nan=True)
    assert p["status"][0] == status


def _balances(rows):
    return pd.DataFrame([{"employee_id": e, "date": pd.Timestamp(d), "deposit_balance": b} for e, d, b in rows])


def test_carried_balances_and_average_daily():
    # A: 100 logged on 10-30 (before the period) carries into Nov 1-2; 130 from Nov 3 → days 1..5: 100,100,130,130,130
    # B: nothing before Nov 2; 50 on Nov 2, 70 on Nov 5 → Nov 1 unknown, then 50,50,50,70 → 日均 = 220 / 4 = 55
    rows = _balances([("A", "2026-10-30", 100.0), ("A", "2026-11-03", 130.0), ("B", "2026-11-02", 50.0),
                      ("B", "2026-11-05", 70.0), ("B", "2026-11-04", math.nan)])
    grid = measures.carried_balances(rows, dt.date(2026, 11, 1), dt.date(2026, 11, 5), lookback=dt.date(2026, 10, 1))
    assert list(grid["A"]) == [100, 100, 130, 130, 130]
    assert math.isnan(grid["B"].iloc[0]) and list(grid["B"].iloc[1:]) == [50, 50, 50, 70]
    adb = measures.average_daily(grid)
    assert adb["A"] == pytest.approx(118.0) and adb["B"] == pytest.approx(55.0)
    assert list(measures.point_balance(grid)) == [130, 70]


def test_carried_balances_without_lookback_ignores_earlier_rows():
    rows = _balances([("A", "2026-10-30", 100.0), ("A", "2026-11-03", 130.0)])
    grid = measures.carried_balances(rows, dt.date(2026, 11, 1), dt.date(2026, 11, 3))
    assert math.isnan(grid["A"].iloc[0]) and grid["A"].iloc[2] == 130


@pytest.mark.parametrize("point, adb, ratio, spike", [
    (130.0, 100.0, 1.3, True),       # exactly the ratio
    (129.9, 100.0, 1.3, False),
    (111.0, 100.0, 1.1, True),
    (50.0, 0.0, 1.3, False),         # no 日均: never a spike
    (50.0, math.nan, 1.3, False),
])
def test_is_spike(point, adb, ratio, spike):
    assert bool(measures.is_spike([point], [adb], ratio)[0]) is spike


# ---------------------------------------------------------------- convert


@pytest.mark.parametrize("value, expected", [
    (np.float64("nan"), None), (None, None), (pd.NaT, None), (np.int64(3), 3), (np.bool_(True), True),
    (np.float32(1.5), 1.5), (pd.Timestamp("2026-11-02"), dt.date(2026, 11, 2)),
    (pd.Timestamp("2026-11-02 08:30"), dt.datetime(2026, 11, 2, 8, 30)), (Decimal("1.10"), Decimal("1.10")),
    (np.str_("x"), "x"), ("text", "text"),
])
def test_py(value, expected):
    got = convert.py(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("value, expected", [
    (0.1, "0.1"), (2958.1, "2958.1"), (1234.56, "1234.56"), (None, "0"), (math.nan, "0"), (7, "7"),
    (np.float64(0.3), "0.3"), (Decimal("2.50"), "2.50"),
])
def test_dec_is_exact(value, expected):
    assert convert.dec(value) == Decimal(expected)


@pytest.mark.parametrize("value", [math.inf, -math.inf, Decimal("Infinity")])
def test_dec_refuses_non_finite(value):
    with pytest.raises(AppError) as e:
        convert.dec(value)
    assert e.value.key == "value.not_finite"


@pytest.mark.parametrize("value, expected", [
    (2.675, "2.68"), (2.665, "2.67"), (-2.675, "-2.68"), (-0.004, "0.00"), (0.005, "0.01"), (1e9 + 0.005, "1000000000.01"),
])
def test_money_rounds_half_up(value, expected):
    assert convert.money_str(value) == expected


@pytest.mark.parametrize("value, ok", [(1, True), (0.5, True), (math.nan, False), (math.inf, False), (None, False),
                                       (True, False), ("1", True), ("x", False), (Decimal("NaN"), False)])
def test_finite(value, ok):
    assert convert.finite(value) is ok


# ---------------------------------------------------------------- located YAML


@pytest.mark.parametrize("text, line, path, key", [
    ("a: 1\na: 2\n", 2, "a", "config.duplicate_key"),
    ("x:\n  y:\n    z: 1\n    z: 2\n", 4, "x.y.z", "config.duplicate_key"),
    ("a: [1, 2\n", None, "", "config.yaml_error"),
    ("", 1, "", "config.empty"),
    (b"\xff\xfe", None, "", "config.not_utf8"),
])
def test_load_refuses_with_a_location(text, line, path, key):
    with pytest.raises(AppError) as e:
        config_yaml.load(text)
    (p,) = e.value.problems
    assert (p.key, p.path) == (key, path)
    if line is not None:
        assert p.line == line


def test_nodes_keep_lines_and_the_checker_collects_every_problem():
    node = config_yaml.load("name: 方案\nitems:\n  - rate: -1\n  - rate: abc\nextra: 1\n")
    assert node.get("items").value[1].line == 4 and node.key_line("extra") == 5
    assert node.plain() == {"name": "方案", "items": [{"rate": -1}, {"rate": "abc"}], "extra": 1}
    c = config_yaml.Checker()
    top = c.mapping(node, "", allowed=("name", "items"), required=("name", "settlement"))
    for i, item in enumerate(c.sequence(top["items"], "items")):
        c.number(item.get("rate"), f"items[{i}].rate", lo=0)
    with pytest.raises(AppError) as e:
        c.raise_if_any()
    got = [(p.line, p.path, p.key) for p in e.value.problems]
    assert got == [(1, "", "config.missing_key"), (3, "items[0].rate", "config.out_of_range"),
                   (4, "items[1].rate", "config.not_number"), (5, "extra", "config.unknown_key")]
    zh, en = e.value.message("zh"), e.value.message("en")
    assert "第 3 行 items[0].rate" in zh and "line 4: items[1].rate: must be a number, not abc" in en


@pytest.mark.parametrize("value, kw, ok", [
    (5, {"lo": 0, "hi": 10}, True), (0, {"lo": 0, "lo_open": True}, False), (10, {"hi": 10}, True),
    (10.5, {"hi": 10}, False), (2.5, {"integer": True}, False), (True, {}, False), (".nan", {}, False),
])
def test_checker_number(value, kw, ok):
    c = config_yaml.Checker()
    got = c.number(config_yaml.Node(float("nan") if value == ".nan" else value, 1), "x", **kw)
    assert (got is not None) is ok and c.ok is ok


# ---------------------------------------------------------------- the error type


def test_app_error_renders_each_language_and_pickles():
    e = AppError("scope.manager_outside", employee_id="CM009")
    assert "CM009" in e.message("zh") and "CM009" in e.message("en") and e.message("zh") != e.message("en")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is AppError and back.key == e.key and back.message("zh") == e.message("zh")
    s = pickle.loads(pickle.dumps(ScopeError("scope.denied")))
    assert isinstance(s, ScopeError) and isinstance(s, PermissionError)


def test_app_error_renders_nested_errors_and_problems_in_the_same_language():
    inner = AppError("value.not_finite", value="inf")
    e = AppError("config.invalid", [Located(3, "items[0]", "config.not_number", (("value", "x"),))])
    assert e.messages("zh") == ["第 3 行 items[0]:应为数字,实际为 x"]
    assert "inf" in AppError("config.where", path="p", message=inner).message("zh")


# ---------------------------------------------------------------- scope

LEAD = Scope("team_lead", username="lead1", team="对公一队", employee_id="CM001")
MANAGER = Scope("manager", username="cm2", team="对公一队", employee_id="CM002")


@pytest.mark.parametrize("scope, employee_id, team, read, write", [
    (SYSTEM, "CM009", "零售一队", True, True),
    (LEAD, "CM002", "对公一队", True, True),
    (LEAD, "CM009", "零售一队", False, False),
    (LEAD, "CM001", "零售一队", True, False),      # his own entry reads, but he writes only for his team
    (MANAGER, "CM002", "对公一队", True, False),    # a manager writes nothing
    (MANAGER, "CM003", "对公一队", False, False),
])
def test_who_may_read_and_write(scope, employee_id, team, read, write):
    assert scope.can_see_manager(employee_id, team) is read
    assert scope.may_write_for(employee_id, team) is write
    if write:
        scope.check_write(employee_id, team)
    else:
        with pytest.raises(ScopeError):
            scope.check_write(employee_id, team)


@pytest.mark.parametrize("scope, row_filter, pages, landing", [
    (SYSTEM, (None, None), {"morning", "upload", "settings"}, "morning"),
    (LEAD, ("对公一队", "CM001"), {"morning", "upload"}, "morning"),
    (MANAGER, (None, "CM002"), {"morning", "commission"}, "commission"),
])
def test_scope_rules(scope, row_filter, pages, landing):
    assert scope.row_filter() == row_filter
    assert {p for p in ("morning", "commission", "upload", "settings") if scope.may_open(p)} >= pages
    assert scope.landing_page == landing
    assert scope.may_open("settings") is scope.may_configure


@pytest.mark.parametrize("scope, old, new, ok", [
    (SYSTEM, "对公一队", "零售一队", True), (LEAD, None, "对公一队", True), (LEAD, "对公一队", "对公一队", True),
    (LEAD, "零售一队", "对公一队", False), (LEAD, "对公一队", "零售一队", False), (MANAGER, None, "对公一队", False),
])
def test_may_move(scope, old, new, ok):
    assert scope.may_move(old, new) is ok
