"""日均 measures (issue 11 §4): B(d), the period's counted days, rounding, each base, a negative increase — pure
and through the store (SQLite and PostgreSQL), every number worked out by hand next to it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pandas as pd
import pytest

from core import commission as cm
from core.commission import measure
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.core.commission.data import DIRECTOR, MANAGER, PLAN_YAML, ROSTER

d = dt.date


def rows(*entries) -> pd.DataFrame:
    """One manager's logged balances: (ISO date, balance)."""
    return pd.DataFrame({"employee_id": ["A01"] * len(entries), "date": pd.to_datetime([e[0] for e in entries]),
                         "deposit_balance": [float(e[1]) for e in entries]}, columns=["employee_id", "date",
                                                                                      "deposit_balance"])


# A balance logged before the period (Sep 28), none during the National Day holiday (Oct 1–7), then two more.
GAP = rows(("2026-09-28", 1000), ("2026-10-08", 1200), ("2026-10-20", 900))


@pytest.mark.parametrize("data, end, avg, n", [
    # Oct 1–7 carry Sep 28's 1000 (7 days = 7000), Oct 8–19 1200 (12 days = 14400), Oct 20–31 900 (12 = 10800):
    # 32200 / 31 = 1038.709… → 1038.71
    (GAP, d(2026, 10, 31), "1038.71", 31),
    (GAP, None, "1038.71", 31),                      # no data end: the whole month
    # data end Oct 20: 7000 + 14400 + 900 = 22300 / 20 = 1115.00
    (GAP, d(2026, 10, 20), "1115.00", 20),
    (GAP, d(2026, 11, 15), "1038.71", 31),           # data end after the period: the whole period
    (GAP, d(2026, 9, 30), "0.00", 0),                # data end before the period: no day counted
    # a balance logged only before the period carries through it: 1000 × 31 / 31
    (rows(("2026-09-28", 1000)), d(2026, 10, 31), "1000.00", 31),
    (rows(("2025-01-05", 77.5)), d(2026, 10, 31), "77.50", 31),      # however long before
    (rows(), d(2026, 10, 31), "0.00", 31),                              # never logged: B(d) = 0
    # first balance on Oct 11: Oct 1–10 count 0; 21 × 310 = 6510 / 31 = 210.00
    (rows(("2026-10-11", 310)), d(2026, 10, 31), "210.00", 31),
    # rounding half up: (100.01 + 100.00) / 2 = 100.005 → 100.01 (not banker's 100.00)
    (rows(("2026-10-01", 100.01), ("2026-10-02", 100)), d(2026, 10, 2), "100.01", 2),
    # a balance logged after the period's counted days does not count
    (rows(("2026-10-01", 10), ("2026-10-03", 1000)), d(2026, 10, 2), "10.00", 2),
])
def test_avg_daily(data, end, avg, n):
    value, days = measure.avg_daily(data, cm.parse_period("2026-10"), end)
    assert value == D(avg) and len(days) == n


def test_days_are_the_carried_balances():
    _v, days = measure.avg_daily(GAP, cm.parse_period("2026-10"), d(2026, 10, 31))
    assert days[0] == (d(2026, 10, 1), D(1000)) and days[6] == (d(2026, 10, 7), D(1000))
    assert days[7] == (d(2026, 10, 8), D(1200)) and days[-1] == (d(2026, 10, 31), D(900))


# Bases for P = 2026-10 (data end 2026-10-31):
BASES = rows(("2025-10-15", 500), ("2025-12-20", 800), ("2026-09-10", 1000), ("2026-10-11", 1300))
# avg_daily(2026-10): Oct 1–10 1000 (10 000) + Oct 11–31 1300 × 21 (27 300) = 37 300 / 31 = 1203.225… → 1203.23


@pytest.mark.parametrize("base, base_of, base_value, increase", [
    # 2026-09: Sep 1–9 carry 800 (7200) + Sep 10–30 1000 × 21 (21 000) = 28 200 / 30 = 940.00
    ("previous_period", "2026-09", "940.00", "263.23"),          # 1203.23 − 940.00
    # 2025-10: Oct 1–14 nothing yet (0) + Oct 15–31 500 × 17 = 8500 / 31 = 274.193… → 274.19
    ("same_period_last_year", "2025-10", "274.19", "929.04"),    # 1203.23 − 274.19
    # B(2025-12-31) = 800 (logged 2025-12-20)
    ("year_start", "2025-12-31", "800.00", "403.23"),            # 1203.23 − 800.00
])
def test_each_base(base, base_of, base_value, increase):
    a = measure.measure("avg_daily_increase", base, cm.parse_period("2026-10"), BASES, d(2026, 10, 31))
    assert (a.current, a.base_label, a.base_value, a.quantity) == (D("1203.23"), base_of, D(base_value), D(increase))


@pytest.mark.parametrize("period, base, expected", [
    ("2026-10", "previous_period", "2026-09"),
    ("2026-01", "previous_period", "2025-12"),
    ("2026-01", "same_period_last_year", "2025-01"),
    ("2026-Q1", "previous_period", "2025-Q4"),
    ("2026-Q3", "previous_period", "2026-Q2"),
    ("2026-Q3", "same_period_last_year", "2025-Q3"),
])
def test_base_period(period, base, expected):
    assert measure.base_period(cm.parse_period(period), base).key == expected


def test_negative_increase_and_no_counted_day():
    # 2026-11 with a balance of 100 logged Nov 1: 日均 100.00 − October's 1203.23 = −1103.23
    data = pd.concat([BASES, rows(("2026-11-01", 100))], ignore_index=True)
    a = measure.measure("avg_daily_increase", "previous_period", cm.parse_period("2026-11"), data, d(2026, 11, 30))
    assert a.quantity == D("-1103.23")
    # data end before November: no day counted, so no 日均 and no increase (quantity 0)
    a = measure.measure("avg_daily_increase", "previous_period", cm.parse_period("2026-11"), data, d(2026, 10, 31))
    assert (a.days, a.quantity) == ([], D("0.00"))


# ================================================================ through the store, on a statement

def plan_with(item: str) -> str:
    return PLAN_YAML.replace("items:\n", f"items:\n  - {item}\n")


@pytest.fixture
def balances(engine):
    """GAP for A01; B01 (another team) logs a visit on Oct 31, so the database's last logged date is Oct 31."""
    store_logs.apply_roster(engine, SYSTEM, ROSTER, "roster.xlsx", "r" * 64)
    daily = pd.DataFrame([
        {"employee_id": "A01", "date": d(2026, 9, 28), "deposit_balance": 1000.0},
        {"employee_id": "A01", "date": d(2026, 10, 8), "deposit_balance": 1200.0},
        {"employee_id": "A01", "date": d(2026, 10, 20), "deposit_balance": 900.0},
        {"employee_id": "B01", "date": d(2026, 10, 31), "visits": 1.0},
    ])
    store_logs.apply_daily(engine, SYSTEM, daily, "daily.xlsx", "d" * 64)
    return engine


@pytest.mark.parametrize("item, quantity, amount", [
    # 日均 1038.71 (above; counted to Oct 31, the database's last logged date, although A01's last row is Oct 20)
    ("{metric: deposit_balance, measure: avg_daily, rate: 2}", "1038.71", "2077.42"),          # × 2
    # vs September: Sep 1–27 nothing (0), Sep 28–30 1000 × 3 = 3000 / 30 = 100.00 → 938.71 × 2
    ("{metric: deposit_balance, measure: avg_daily_increase, base: previous_period, rate: 2}", "938.71", "1877.42"),
    # year start: nothing logged by 2025-12-31 → base 0
    ("{metric: deposit_balance, measure: avg_daily_increase, base: year_start, rate: 2}", "1038.71", "2077.42"),
    # marginal tiers on the 日均: 1000 × 1 + 38.71 × 3 = 1116.13
    (("{metric: deposit_balance, measure: avg_daily, tiers: {mode: marginal, bands: [{upto: 1000, rate: 1}, "
      "{rate: 3}]}}"), "1038.71", "1116.13"),
])
def test_statement_line(balances, item, quantity, amount):
    cm.upload_plan(balances, DIRECTOR, plan_with(item), activate=True)
    s = cm.statement(balances, MANAGER, "A01", "2026-10")     # the manager himself: data end still Oct 31
    ln = s.line("deposit_balance")
    assert (ln.quantity, ln.amount) == (D(quantity), D(amount))
    assert len(ln.days) == 31 and ln.days[0] == (d(2026, 10, 1), D(1000))
    [same] = [x for x in cm.statements(balances, DIRECTOR, "2026-10") if x.employee_id == "A01"]
    assert same.line("deposit_balance").amount == D(amount)       # run_period reads the same way


def test_statement_json_and_how(balances):
    cm.upload_plan(balances, DIRECTOR, plan_with(
        "{metric: deposit_balance, measure: avg_daily_increase, base: previous_period, rate: 2}"), activate=True)
    row = cm.statement(balances, DIRECTOR, "A01", "2026-10").to_dict("zh")["lines"][0]
    assert (row["measure"], row["avg_daily"], row["base"], row["base_of"], row["base_value"], row["quantity"]) == \
        ("avg_daily_increase", "1038.71", "previous_period", "2026-09", "100.00", "938.71")
    assert row["how"] == "日均 1,038.71 万元(31 天) − 上期 2026-09 日均 100 万元 = 938.71 万元: 938.71 万元 × 2 元"
    # English: 万元 as "(CNY 10k)" as everywhere, the rate per CNY 10k (938.71 × 2 = 1,877.42)
    assert cm.statement(balances, DIRECTOR, "A01", "2026-10").line("deposit_balance").how("en") == (
        "average daily balance 1,038.71 (CNY 10k) over 31 days − previous period 2026-09 average 100 (CNY 10k) = "
        "938.71 (CNY 10k): 938.71 × CNY 2 per CNY 10k")
