"""Shared test data of the commission tests: the test plan, its items, a small bank (roster, daily logs,
targets) and the scopes asking. Every amount derived from it is worked out by hand in the tests.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pandas as pd

from core import commission as cm
from core.scope import Scope

PLAN_YAML = """\
name: 测试方案
effective_from: 2026-01-01
settlement: monthly
base_pay: {客户经理助理: 3000, 客户经理: 4000, 高级客户经理: 5500}
grade_coefficient: {客户经理助理: 0.8, 客户经理: 1.0, 高级客户经理: 1.2}
items:
  - metric: deposits_new
    rate: 20
  - metric: loans_new
    rate: 12
    deferred_share: 0.3
  - metric: credit_cards
    rate: 30
    above_target_rate: 45
  - metric: new_customers
    tiers: {mode: marginal, bands: [{upto: 10, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]}
  - metric: fee_income
    rate: 0.05
deductions:
  - {metric: complaints, amount: 200}
floor: null
cap: null
pay_bands: {一般: 1500, 优秀: 6000}
"""


def plan(**changes) -> cm.Plan:
    """The test plan, with top-level lines replaced (key → YAML text of the value)."""
    text = PLAN_YAML
    for k, v in changes.items():
        lines = text.splitlines()
        lines = [f"{k}: {v}" if ln.startswith(f"{k}:") else ln for ln in lines]
        if not any(ln.startswith(f"{k}:") for ln in lines):
            lines.append(f"{k}: {v}")
        text = "\n".join(lines) + "\n"
    return cm.parse_plan(text)


def item(yaml_item: str) -> cm.Item:
    text = PLAN_YAML.split("items:")[0] + "items:\n  - " + yaml_item + "\n"
    return cm.parse_plan(text).items[0]


def amount(it: cm.Item, q, target=None) -> D:
    segs = cm.item_segments(it, D(str(q)), None if target is None else D(str(target)))
    return cm.money(sum((s.amount for s in segs), D(0)))


MARGINAL = "{metric: new_customers, tiers: {mode: marginal, bands: [{upto: 10, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]}}"


SLAB = "{metric: new_customers, tiers: {mode: slab, bands: [{upto: 10, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]}}"


MARGINAL_WAN = "{metric: deposits_new, tiers: {mode: marginal, bands: [{upto: 100, rate: 10}, {upto: 500, rate: 15}, {rate: 20}]}}"


SLAB_WAN = "{metric: deposits_new, tiers: {mode: slab, bands: [{upto: 100, rate: 10}, {upto: 500, rate: 15}, {rate: 20}]}}"


ABOVE = "{metric: credit_cards, rate: 30, above_target_rate: 45}"


ROSTER = pd.DataFrame([
    {"employee_id": "A01", "name": "张伟", "team": "零售一队", "line": "retail", "grade": "客户经理",
     "start_date": dt.date(2024, 1, 1), "mentor_id": None},
    {"employee_id": "A02", "name": "李娜", "team": "零售一队", "line": "retail", "grade": "高级客户经理",
     "start_date": dt.date(2020, 1, 1), "mentor_id": None},
    {"employee_id": "B01", "name": "王强", "team": "对公一队", "line": "corporate", "grade": "客户经理助理",
     "start_date": dt.date(2025, 6, 1), "mentor_id": None},
])


def _day(eid, d, **vals):
    return {"employee_id": eid, "date": dt.date.fromisoformat(d), **vals}


DAILY = pd.DataFrame([
    # A01 in 2026-10: deposits 100.25+50.25=150.5, loans 200, cards 7+8=15, new customers 6+9=15,
    # fee income 10000+2345.67=12345.67, complaints 1 → statement of manager A above.
    _day("A01", "2026-10-09", deposits_new=100.25, loans_new=200.0, credit_cards=7.0, new_customers=6.0,
         fee_income=10000.0),
    _day("A01", "2026-10-20", deposits_new=50.25, credit_cards=8.0, new_customers=9.0, fee_income=2345.67,
         complaints=1.0),
    # A01 in 2026-09: loans 50 → 600.00, deferred 180.00
    _day("A01", "2026-09-15", loans_new=50.0),
    # A02 in 2026-10: deposits 33.333, loans 100.005, cards 8, new customers 25, complaints 2 → manager B.
    _day("A02", "2026-10-12", deposits_new=33.333, loans_new=100.005, credit_cards=8.0, new_customers=25.0,
         complaints=2.0),
    # B01 in 2026-10: fee income 12345.7 → 617.29 ×0.8 = 493.83
    _day("B01", "2026-10-13", fee_income=12345.7),
])


TARGETS = pd.DataFrame([
    {"month": "2026-10", "employee_id": "A01", "metric": "credit_cards", "value": 12.0},
    {"month": "2026-10", "employee_id": "A02", "metric": "deposits_new", "value": 500.0},
])


MANAGER = Scope("manager", username="zhangwei", employee_id="A01")


LEAD = Scope("team_lead", username="lead1", team="零售一队")


LEAD_B = Scope("team_lead", username="leadb", team="对公一队", employee_id="B01")


DIRECTOR = Scope("director", username="boss")


def plan_text(effective: str, name: str = "方案", settlement: str = "monthly", deposit_rate: int = 20) -> str:
    return (PLAN_YAML.replace("effective_from: 2026-01-01", f"effective_from: {effective}")
            .replace("name: 测试方案", f"name: {name}").replace("settlement: monthly", f"settlement: {settlement}")
            .replace("    rate: 20\n", f"    rate: {deposit_rate}\n"))
