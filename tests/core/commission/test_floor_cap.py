"""floor / cap relative to a reference pay (issue 11 §4): ``{share: 0.8, of: 6000}`` = 4800.00, at every edge."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import commission as cm
from tests.core.commission.data import PLAN_YAML

# floor 0.8 × 6000 = 4800.00; cap 1.5 × 4000 = 6000.00
PLAN = cm.parse_plan(PLAN_YAML.replace("floor: null", "floor: {share: 0.8, of: 6000}")
                     .replace("cap: null", "cap: {share: 1.5, of: 4000}"))


@pytest.mark.parametrize("deposits, complaints, performance, clamp, payable", [
    # deposits × 20 yuan (grade 客户经理, coefficient 1, base 4000)
    (15, 0, "4800.00", "floor", "8800.00"),        # 300 → raised to the floor
    (240, 0, "4800.00", None, "8800.00"),          # 4800 exactly: at the floor, not raised
    (239.99, 0, "4800.00", "floor", "8800.00"),    # 4799.80 → floor
    (250, 1, "4800.00", None, "8800.00"),          # 5000 − 200 (complaint) = 4800: not below the floor
    (250, 2, "4800.00", "floor", "8800.00"),       # 5000 − 400 = 4600 → floor
    (300, 0, "6000.00", None, "10000.00"),         # 6000 exactly: at the cap
    (300.01, 0, "6000.00", "cap", "10000.00"),     # 6000.20 → cap
    (1000, 0, "6000.00", "cap", "10000.00"),       # 20000 → cap
    (-50, 0, "4800.00", "floor", "8800.00"),       # a reversal: −1000 → floor
])
def test_relative_floor_and_cap(deposits, complaints, performance, clamp, payable):
    s = cm.compute(PLAN, employee_id="X", grade="客户经理", period="2026-10",
                   quantities={"deposits_new": D(str(deposits)), "complaints": D(complaints)})
    assert (s.performance, s.clamp, s.payable) == (D(performance), clamp, D(payable))


@pytest.mark.parametrize("floor, expected", [
    ("{share: 0.8, of: 6000}", "4800.00"),
    ("{share: 0.85, of: 5123.45}", "4354.93"),     # 4354.9325 → 4354.93
    ("{share: 0.8, of: 5000.01}", "4000.01"),      # 4000.008 → 4000.01 (half up)
    ("{share: 1, of: 0}", "0.00"),
    ("3500", "3500"),                              # a plain amount still works
])
def test_floor_amount(floor, expected):
    assert cm.parse_plan(PLAN_YAML.replace("floor: null", f"floor: {floor}")).floor == D(expected)
