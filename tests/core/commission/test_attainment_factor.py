"""完成率系数 (issue 11 §4): the composite attainment, the band edges, the cap, and the factor multiplying
performance and reserve like the grade coefficient — every amount worked out by hand next to it."""
from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from core import commission as cm
from core.commission.compute import composite_attainment
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.core.commission.data import DIRECTOR, MANAGER, PLAN_YAML, plan_text

MULTIPLIER = ("attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, "
              "{factor: 1.1}]}\n")
PLAN = cm.parse_plan(PLAN_YAML + MULTIPLIER)


@pytest.mark.parametrize("actuals, targets, composite, factor", [
    # one metric exactly at the first edge: 12 / 20 = 0.6, and 0.6 is not below 0.6 → the second band
    ({"credit_cards": D(12)}, {"credit_cards": D(20)}, "0.6", "1"),
    ({"deposits_new": D("59.99")}, {"deposits_new": D(100)}, "0.5999", "0.8"),     # just below the edge
    ({"deposits_new": D(100)}, {"deposits_new": D(100)}, "1", "1.1"),              # exactly 1.0 → the last band
    ({"deposits_new": D("99.99")}, {"deposits_new": D(100)}, "0.9999", "1"),
    # the mean at the edge: (50/100 + 14/20) / 2 = (0.5 + 0.7) / 2 = 0.6
    ({"deposits_new": D(50), "credit_cards": D(14)}, {"deposits_new": D(100), "credit_cards": D(20)}, "0.6", "1"),
    # the cap: 300/100 = 3 counts 1.2; (1.2 + 0/20) / 2 = 0.6 (uncapped it would be 1.5 → 1.1)
    ({"deposits_new": D(300)}, {"deposits_new": D(100), "credit_cards": D(20)}, "0.6", "1"),
    # a target of 0 (or none) does not count: only 6/20 = 0.3
    ({"deposits_new": D(50), "credit_cards": D(6)},
     {"deposits_new": D(0), "credit_cards": D(20), "loans_new": None}, "0.3", "0.8"),
    # no metric with a target → factor 1, no composite
    ({"deposits_new": D(50)}, {"deposits_new": None}, None, "1"),
    ({}, {}, None, "1"),
    # a targeted metric the plan does not pay (visits 10 / 20 = 0.5) still counts
    ({"visits": D(10)}, {"visits": D(20)}, "0.5", "0.8"),
    # 1/3 = 0.3333…: shown truncated to 4 decimals
    ({"credit_cards": D(1)}, {"credit_cards": D(3)}, "0.3333", "0.8"),
])
def test_composite_and_factor(actuals, targets, composite, factor):
    s = cm.compute(PLAN, employee_id="X", grade="客户经理", period="2026-10", quantities=actuals, targets=targets,
                   actuals=actuals)
    assert s.to_dict()["attainment"] == composite
    assert s.factor == D(factor) and s.to_dict()["factor"] == factor


def test_composite_is_exact_before_comparing():
    # the mean of 1/3, 2/3 and 8/10 is (1/3 + 2/3 + 0.8) / 3 = 1.8 / 3 = 0.6: at the edge → the second band
    comp, parts = composite_attainment(PLAN, {"a": D(3), "b": D(3), "c": D(10)}, {"a": D(1), "b": D(2), "c": D(8)})
    assert round(comp, 20) == D("0.6") and PLAN.attainment_multiplier.factor_for(comp) == D("1.0")
    assert list(parts) == ["a", "b", "c"]


@pytest.mark.parametrize("grade, quantities, targets, perf0, deferred, payable", [
    # senior manager (coefficient 1.2): deposits 250 / 500 = 0.5 → factor 0.8.
    # gross = 250 × 20 + 100 × 12 = 6200; performance = 6200 × 1.2 × 0.8 = 5952.00;
    # reserve = 1200 × 1.2 × 0.8 × 0.3 = 345.60; payable = 5500 + 5952 − 345.60 = 11106.40
    ("高级客户经理", {"deposits_new": D(250), "loans_new": D(100)}, {"deposits_new": D(500)},
     "5952.00", "345.60", "11106.40"),
    # same without a target: factor 1: 6200 × 1.2 = 7440.00; 1200 × 1.2 × 0.3 = 432.00; 5500 + 7440 − 432
    ("高级客户经理", {"deposits_new": D(250), "loans_new": D(100)}, {}, "7440.00", "432.00", "12508.00"),
    # assistant (coefficient 0.8), deposits 120 / target 100 = 1.2 (≤ cap 1.2), not below 1.0 → factor 1.1:
    # gross = 120 × 20 + 33.33 × 12 = 2400 + 399.96 = 2799.96; × 0.8 × 1.1 = 2463.9648 → 2463.96;
    # reserve = 399.96 × 0.8 × 1.1 × 0.3 = 105.58944 → 105.59; payable = 3000 + 2463.96 − 105.59 = 5358.37
    ("客户经理助理", {"deposits_new": D(120), "loans_new": D("33.33")}, {"deposits_new": D(100)},
     "2463.96", "105.59", "5358.37"),
])
def test_factor_multiplies_like_the_coefficient(grade, quantities, targets, perf0, deferred, payable):
    s = cm.compute(PLAN, employee_id="X", grade=grade, period="2026-10", quantities=quantities, targets=targets)
    assert (s.performance_before_deductions, s.deferred, s.payable) == (D(perf0), D(deferred), D(payable))


def test_statement_from_the_store(bank):
    # A01, October: cards 15 / target 12 = 1.25 → capped 1.2 → factor 1.1. gross 7422.28 (test_compute's
    # manager A) × 1.1 = 8164.508 → 8164.51; − complaint 200 = 7964.51; reserve 2400 × 1.1 × 0.3 = 792.00;
    # payable = 4000 + 7964.51 − 792 = 11172.51
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + MULTIPLIER, activate=True)
    s = cm.statement(bank, MANAGER, "A01", "2026-10")
    assert (s.gross, s.factor, s.performance, s.deferred, s.payable) == \
        (D("7422.28"), D("1.1"), D("7964.51"), D("792.00"), D("11172.51"))
    d = s.to_dict("zh")
    assert (d["attainment"], d["factor"]) == ("1.2", "1.1")
    assert s.attainment_how("zh") == "1 项指标完成率 信用卡 120.0%,平均 120.0% → 完成率系数 1.1"
    assert s.attainment_how("en") == "attainment of 1 targeted metric Credit cards 120.0%, mean 120.0% → factor 1.1"


def test_quarterly_targets_are_summed(bank):
    # Q4 card targets 12 + 10 + 8 = 30; cards sold 15 → 0.5 → factor 0.8.
    store_logs.apply_targets(bank, SYSTEM, pd.DataFrame([
        {"month": "2026-11", "employee_id": "A01", "metric": "credit_cards", "value": 10.0},
        {"month": "2026-12", "employee_id": "A01", "metric": "credit_cards", "value": 8.0}]), "t2.xlsx", "u" * 64)
    cm.upload_plan(bank, DIRECTOR, plan_text("2026-01-01", settlement="quarterly") + MULTIPLIER, activate=True)
    s = cm.statement(bank, DIRECTOR, "A01", "2026-Q4")
    assert (s.to_dict()["attainment"], s.factor) == ("0.5", D("0.8"))
    # cards now above target? no: 15 ≤ 30, all at 30 → 450; gross = 3010 + 2400 + 450 + 900 + 617.28 = 7377.28;
    # × 0.8 = 5901.824 → 5901.82
    assert (s.gross, s.performance_before_deductions) == (D("7377.28"), D("5901.82"))


def test_what_if_moves_the_factor():
    # 10 cards of a target of 12: 0.8333 → 1.0; two more reach 12/12 = 1.0 → 1.1.
    s = cm.compute(PLAN, employee_id="X", grade="客户经理", period="2026-10", quantities={"credit_cards": D(10)},
                   targets={"credit_cards": D(12)})
    assert s.factor == D("1.0") and s.performance == D("300.00")            # 10 × 30
    w = cm.what_if(PLAN, s, {"credit_cards": 2})
    assert w.factor == D("1.1") and w.performance == D("396.00")            # 12 × 30 × 1.1
