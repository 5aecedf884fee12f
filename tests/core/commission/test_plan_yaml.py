"""Plan validation: every problem reported at once, with its line, in both languages; the sample plan.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from core import commission as cm
from core.errors import AppError
from tests.core.commission.data import PLAN_YAML

# ================================================================ validation with line numbers


def _errors(text: str) -> list[str]:
    with pytest.raises(AppError) as e:
        cm.parse_plan(text)
    return e.value.messages("en")


BAD_ORDER = PLAN_YAML.replace("[{upto: 10, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]",
                              "[{upto: 30, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]")


@pytest.mark.parametrize("text, expected", [
    (BAD_ORDER, "line 16: items[3].tiers.bands: 'upto' values must increase (20 after 30)"),
    (PLAN_YAML.replace("metric: deposits_new", "metric: deposit_new"),
     "line 7: items[0].metric: unknown metric 'deposit_new'"),
    (PLAN_YAML.replace("metric: deposits_new", "metric: deposit_balance"),
     "line 7: items[0].metric: 'deposit_balance' is a balance"),
    (PLAN_YAML.replace("{upto: 20, rate: 80}, {rate: 120}", "{rate: 80}, {upto: 30, rate: 120}"),
     "line 16: items[3].tiers.bands[1]: only the last band may have no 'upto'"),
    (PLAN_YAML.replace("{upto: 20, rate: 80}, {rate: 120}", "{upto: 20, rate: 80}"),
     "line 16: items[3].tiers.bands[1]: the last band must have no 'upto'"),
    (PLAN_YAML.replace("deferred_share: 0.3", "deferred_share: 1.5"),
     "line 11: items[1].deferred_share: must be between 0 and 1 (got 1.5)"),
    (PLAN_YAML.replace("deferred_share: 0.3", "deferred_share: -0.1"),
     "line 11: items[1].deferred_share: must not be negative (got -0.1)"),
    (PLAN_YAML.replace("rate: 12", "rate: -12"), "line 10: items[1].rate: must not be negative (got -12)"),
    (PLAN_YAML.replace("amount: 200", "amount: -200"),
     "line 20: deductions[0].amount: must not be negative (got -200)"),
    (PLAN_YAML.replace("高级客户经理: 1.2}", "高级客户经理: 1.2, 首席: 1.5}"),
     "line 5: grade_coefficient.首席: grade '首席' has a coefficient but no base pay"),
    (PLAN_YAML.replace("高级客户经理: 5500}", "高级客户经理: 5500, 首席: 8000}"),
     "line 4: base_pay.首席: grade '首席' has base pay but no coefficient"),
    (PLAN_YAML.replace("settlement: monthly", "settlement: weekly"),
     "line 3: settlement: settlement must be monthly or quarterly (got weekly)"),
    (PLAN_YAML.replace("effective_from: 2026-01-01", "effective_from: 2026-13-01"),
     "line 2: effective_from: not a date: 2026-13-01"),
    (PLAN_YAML.replace("floor: null", "floor: 5000").replace("cap: null", "cap: 3000"),
     "line 21: floor: floor (5000) must not be above cap (3000)"),
    (PLAN_YAML.replace("    rate: 20\n", "    rate: 20\n    tiers: {mode: slab, bands: [{rate: 5}]}\n"),
     "line 7: items[0]: an item has either rate or tiers, not both"),
    (PLAN_YAML.replace("    rate: 20\n", "    rat: 20\n"), "line 8: items[0].rat: unknown key rat"),
    (PLAN_YAML.replace("cap: null", "cap: null\nbonus: 5"), "line 23: bonus: unknown key bonus"),
    (PLAN_YAML.replace("mode: marginal", "mode: progressive"),
     "line 16: items[3].tiers.mode: mode must be marginal or slab (got progressive)"),
    (PLAN_YAML.replace("pay_bands: {一般: 1500, 优秀: 6000}", "pay_bands: {一般: 6000, 优秀: 1500}"),
     "line 23: pay_bands: the lower bound of '优秀' (1500) must be above '一般' (6000)"),
    (PLAN_YAML.replace("- metric: fee_income\n    rate: 0.05", "- metric: credit_cards\n    rate: 1"),
     "line 17: items[4].metric: metric 'credit_cards' already has an item (line 12)"),
    (PLAN_YAML.replace("- {metric: complaints, amount: 200}", "- {metric: complaints, amount: 200, rate: 1}"),
     "line 20: deductions[0].rate: unknown key rate"),
    (PLAN_YAML.replace("name: 测试方案\n", ""), "(root): required key name is missing"),
    (PLAN_YAML.replace("settlement: monthly", "settlement: monthly\nsettlement: quarterly"),
     "line 4: settlement: key settlement appears twice (first on line 3)"),
    (PLAN_YAML.replace("    rate: 30\n", "    rate: thirty\n"), "line 13: items[2].rate: must be a number, not thirty"),
    ("name: x\nitems: [a, b\n", "YAML syntax error"),
    ("- just\n- a list\n", "line 1: (root): must be a mapping"),
])
def test_invalid_plans_are_rejected_with_the_line(text, expected):
    errors = _errors(text)
    assert any(expected in e for e in errors), errors


def test_validation_messages_in_chinese_and_all_problems_at_once():
    text = BAD_ORDER.replace("deferred_share: 0.3", "deferred_share: 2")
    with pytest.raises(AppError) as e:
        cm.parse_plan(text)
    assert e.value.key == "commission.plan.invalid"
    zh = e.value.messages("zh")
    assert zh == ["第 11 行 items[1].deferred_share:必须在 0 到 1 之间(当前是 2)",
                  "第 16 行 items[3].tiers.bands:各档 upto 必须递增(30 之后是 20)"]


def test_above_target_rate_needs_a_target_metric():
    errs = _errors(PLAN_YAML.replace("  - metric: fee_income\n    rate: 0.05",
                                     "  - metric: complaints\n    rate: 1\n    above_target_rate: 2"))
    assert any("line 19: items[4].above_target_rate: metric 'complaints' has no targets" in e for e in errs)


def test_sample_plan_is_valid_and_matches_the_issue():
    p = cm.sample_plan()
    assert p.effective_from == dt.date(2026, 1, 1) and p.settlement == "monthly"
    assert p.base_pay == {"客户经理助理": D(3000), "客户经理": D(4000), "高级客户经理": D(5500)}
    assert p.item("loans_new").deferred_share == D("0.3")
    assert p.item("credit_cards").above_target_rate == D(45)
    assert p.floor is None and p.cap is None
    assert p.pay_bands == (("一般", D(4000)), ("优秀", D(10000)))
    assert p.reserve_release_after_months == 12
