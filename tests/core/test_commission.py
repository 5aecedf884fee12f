"""Commission engine: validation with line numbers, every computation step, hand-worked statements, scope.

Every expected amount is worked out by hand in the comment next to it.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pandas as pd
import pytest

from core import commission as cm
from core.scope import Scope, ScopeError
from core.statement import statement_xlsx, xlsx_amounts
from core.store import logs as store_logs
from core.scope import SYSTEM

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


# ================================================================ step 1: items

MARGINAL = "{metric: new_customers, tiers: {mode: marginal, bands: [{upto: 10, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]}}"
SLAB = "{metric: new_customers, tiers: {mode: slab, bands: [{upto: 10, rate: 50}, {upto: 20, rate: 80}, {rate: 120}]}}"
MARGINAL_WAN = "{metric: deposits_new, tiers: {mode: marginal, bands: [{upto: 100, rate: 10}, {upto: 500, rate: 15}, {rate: 20}]}}"
SLAB_WAN = "{metric: deposits_new, tiers: {mode: slab, bands: [{upto: 100, rate: 10}, {upto: 500, rate: 15}, {rate: 20}]}}"


@pytest.mark.parametrize("spec, q, expected", [
    # marginal, counts: (0,10] at 50, (10,20] at 80, above 20 at 120
    (MARGINAL, 0, "0.00"),
    (MARGINAL, 1, "50.00"),             # 1×50
    (MARGINAL, 9, "450.00"),            # 9×50
    (MARGINAL, 10, "500.00"),           # 10×50 (10 is inside the first band)
    (MARGINAL, 11, "580.00"),           # 10×50 + 1×80 = 500+80
    (MARGINAL, 19, "1220.00"),          # 500 + 9×80 = 500+720
    (MARGINAL, 20, "1300.00"),          # 500 + 10×80 = 500+800
    (MARGINAL, 21, "1420.00"),          # 1300 + 1×120
    (MARGINAL, 25, "1900.00"),          # 1300 + 5×120 = 1300+600
    (MARGINAL, -3, "-150.00"),          # reversal at the first band's rate: -3×50
    # marginal, amounts (万元): (0,100] at 10, (100,500] at 15, above at 20
    (MARGINAL_WAN, "99.99", "999.90"),      # 99.99×10
    (MARGINAL_WAN, 100, "1000.00"),         # 100×10
    (MARGINAL_WAN, "100.01", "1000.15"),    # 1000 + 0.01×15 = 1000.15
    (MARGINAL_WAN, "499.99", "6999.85"),    # 1000 + 399.99×15 = 1000+5999.85
    (MARGINAL_WAN, 500, "7000.00"),         # 1000 + 400×15 = 1000+6000
    (MARGINAL_WAN, "500.01", "7000.20"),    # 7000 + 0.01×20
    # slab, counts: the whole quantity at the band that contains it; q = upto is in that band
    (SLAB, 9, "450.00"),                # 9×50
    (SLAB, 10, "500.00"),               # 10×50
    (SLAB, 11, "880.00"),               # 11×80
    (SLAB, 19, "1520.00"),              # 19×80
    (SLAB, 20, "1600.00"),              # 20×80
    (SLAB, 21, "2520.00"),              # 21×120
    (SLAB, -2, "-100.00"),              # reversal: -2×50
    # slab, amounts
    (SLAB_WAN, "99.99", "999.90"),      # 99.99×10
    (SLAB_WAN, 100, "1000.00"),         # 100×10
    (SLAB_WAN, "100.01", "1500.15"),    # 100.01×15 = 1500.15
    (SLAB_WAN, "499.99", "7499.85"),    # 499.99×15 = 7499.85
    (SLAB_WAN, 500, "7500.00"),         # 500×15
    (SLAB_WAN, "500.01", "10000.20"),   # 500.01×20
])
def test_tier_band_boundaries(spec, q, expected):
    assert amount(item(spec), q) == D(expected)


ABOVE = "{metric: credit_cards, rate: 30, above_target_rate: 45}"


@pytest.mark.parametrize("q, target, expected", [
    (15, None, "450.00"),      # no target: all at 30 → 15×30
    (15, 12, "495.00"),        # 12×30 + 3×45 = 360+135
    (12, 12, "360.00"),        # exactly at target: 12×30
    (11, 12, "330.00"),        # below target: 11×30
    (13, 12, "405.00"),        # 12×30 + 1×45 = 360+45
    (4, 0, "180.00"),          # target 0: every card is above it → 4×45
    (-2, 12, "-60.00"),        # reversal: -2×30
    (30, 24, "990.00"),        # quarterly target 3×8=24: 24×30 + 6×45 = 720+270
])
def test_above_target_rate(q, target, expected):
    assert amount(item(ABOVE), q, target) == D(expected)


@pytest.mark.parametrize("spec, q, expected", [
    ("{metric: fee_income, rate: 0.05}", "12345.67", "617.28"),   # 617.2835 → 617.28
    ("{metric: fee_income, rate: 0.05}", "12345.7", "617.29"),    # 617.285 → half up → 617.29
    ("{metric: deposits_new, rate: 20}", "150.5", "3010.00"),     # 150.5×20
    ("{metric: deposits_new, rate: 20}", "-10.25", "-205.00"),    # reversal: -10.25×20
    ("{metric: loans_new, rate: 12}", "0.0004", "0.00"),          # 0.0048 → 0.00
    ("{metric: loans_new, rate: 12}", "0.00042", "0.01"),         # 0.00504 → 0.01
])
def test_rate_items_round_half_up(spec, q, expected):
    assert amount(item(spec), q) == D(expected)


# ================================================================ steps 2–6: two full statements

def test_statement_manager_a_all_steps():
    p = plan()
    s = cm.compute(p, employee_id="E1", grade="客户经理", period="2026-10",
                   quantities={"deposits_new": D("150.5"), "loans_new": D("200"), "credit_cards": D("15"),
                               "new_customers": D("15"), "fee_income": D("12345.67"), "complaints": D("1")},
                   targets={"credit_cards": D("12")})
    amounts = {ln.metric: ln.amount for ln in s.lines}
    assert amounts == {
        "deposits_new": D("3010.00"),    # 150.5×20
        "loans_new": D("2400.00"),       # 200×12
        "credit_cards": D("495.00"),     # 12×30 + 3×45
        "new_customers": D("900.00"),    # 10×50 + 5×80
        "fee_income": D("617.28"),       # 12345.67×0.05 = 617.2835
    }
    assert s.gross == D("7422.28")                           # 3010+2400+495+900+617.28
    assert s.coefficient == D("1.0")
    assert s.performance_before_deductions == D("7422.28")   # ×1.0
    assert s.deductions == D("200.00")                       # 1×200
    assert s.performance == D("7222.28")                     # 7422.28−200
    assert s.deferred == D("720.00")                         # 2400×1.0×0.3
    assert s.base_pay == D("4000.00")
    assert s.payable == D("10502.28")                        # 4000+7222.28−720
    assert s.pay_band == "优秀"                              # 7222.28 ≥ 6000
    assert s.line("credit_cards").how("zh") == "12 张 × 30 元 + 3 张 × 45 元(目标 12 张)"
    assert s.line("new_customers").how("zh") == "10 户 × 50 元 + 5 户 × 80 元"
    assert s.line("fee_income").how("zh") == "12,345.67 元 × 5%"


def test_statement_manager_b_all_steps():
    p = plan()
    s = cm.compute(p, employee_id="E2", grade="高级客户经理", period="2026-10",
                   quantities={"deposits_new": D("33.333"), "loans_new": D("100.005"), "credit_cards": D("8"),
                               "new_customers": D("25"), "fee_income": D("0"), "complaints": D("2")},
                   targets={})
    amounts = {ln.metric: ln.amount for ln in s.lines}
    assert amounts == {
        "deposits_new": D("666.66"),     # 33.333×20 = 666.66
        "loans_new": D("1200.06"),       # 100.005×12 = 1200.06
        "credit_cards": D("240.00"),     # no target: 8×30
        "new_customers": D("1900.00"),   # 10×50 + 10×80 + 5×120 = 500+800+600
        "fee_income": D("0.00"),
    }
    assert s.gross == D("4006.72")                           # 666.66+1200.06+240+1900
    assert s.performance_before_deductions == D("4808.06")   # 4006.72×1.2 = 4808.064
    assert s.deductions == D("400.00")                       # 2×200
    assert s.performance == D("4408.06")                     # 4808.06−400
    assert s.deferred == D("432.02")                         # 1200.06×1.2×0.3 = 432.0216
    assert s.payable == D("9476.04")                         # 5500+4408.06−432.02
    assert s.pay_band == "一般"                              # 1500 ≤ 4408.06 < 6000


def test_statement_assistant_coefficient_rounding_half_up():
    # gross = 0.05×12345.7 = 617.285 → item 617.29; ×0.8 = 493.832 → 493.83
    s = cm.compute(plan(), employee_id="E3", grade="客户经理助理", period="2026-10",
                   quantities={"fee_income": D("12345.7")})
    assert (s.gross, s.performance, s.deferred, s.payable) == (D("617.29"), D("493.83"), D("0.00"),
                                                               D("3493.83"))  # 3000+493.83
    assert s.pay_band == "不合格"                                               # 493.83 < 1500


@pytest.mark.parametrize("floor, cap, loans, complaints, perf, clamp, deferred, payable", [
    # gross = loans×12; coefficient 1.0; deferred raw = loans×12×0.3
    ("null", "null", 100, 0, "1200.00", None, "360.00", "4840.00"),      # 4000+1200−360
    ("2000", "null", 100, 0, "2000.00", "floor", "360.00", "5640.00"),   # 1200 < floor 2000 → 2000; 4000+2000−360
    ("null", "1000", 100, 0, "1000.00", "cap", "360.00", "4640.00"),     # 1200 > cap 1000 → 1000
    ("null", "1000", 1000, 0, "1000.00", "cap", "1000.00", "4000.00"),   # raw deferred 3600 > perf 1000 → 1000
    ("null", "null", 100, 5, "200.00", None, "200.00", "4000.00"),       # 1200−5×200=200; deferred 360 → 200
    ("null", "null", 100, 10, "-800.00", None, "0.00", "3200.00"),       # 1200−2000=−800; deferred ≤ max(−800,0)=0
    ("0", "null", 100, 10, "0.00", "floor", "0.00", "4000.00"),          # −800 → floor 0
    ("null", "null", -50, 0, "-600.00", None, "0.00", "3400.00"),        # reversal −50×12; deferred −180 → 0
])
def test_floor_cap_and_deferred_limits(floor, cap, loans, complaints, perf, clamp, deferred, payable):
    p = plan(floor=floor, cap=cap)
    s = cm.compute(p, employee_id="E1", grade="客户经理", period="2026-10",
                   quantities={"loans_new": D(str(loans)), "complaints": D(str(complaints))})
    assert (s.performance, s.clamp, s.deferred, s.payable) == (D(perf), clamp, D(deferred), D(payable))


def test_quarterly_base_pay_times_three_and_quarter_targets():
    p = plan(settlement="quarterly")
    s = cm.compute(p, employee_id="E1", grade="客户经理", period="2026-Q3",
                   quantities={"credit_cards": D("30")}, targets={"credit_cards": D("24")})
    assert s.months == 3
    assert s.base_pay == D("12000.00")        # 4000×3
    assert s.gross == D("990.00")             # 24×30 + 6×45
    assert s.payable == D("12990.00")         # 12000+990−0


@pytest.mark.parametrize("settlement, period", [("monthly", "2026-Q3"), ("quarterly", "2026-10")])
def test_period_must_match_settlement(settlement, period):
    with pytest.raises(cm.CommissionError) as e:
        cm.compute(plan(settlement=settlement), employee_id="E1", grade="客户经理", period=period, quantities={})
    assert e.value.key == "commission.err.period_kind"


def test_grade_missing_names_the_manager():
    with pytest.raises(cm.CommissionError) as e:
        cm.compute(plan(), employee_id="E9", name="赵六", grade="首席客户经理", period="2026-10", quantities={})
    assert "E9" in e.value.message("zh") and "赵六" in e.value.message("zh") and "首席客户经理" in e.value.message("en")


@pytest.mark.parametrize("performance, band", [
    (D("1499.99"), "不合格"), (D("1500.00"), "一般"), (D("5999.99"), "一般"), (D("6000.00"), "优秀"),
    (D("-10.00"), "不合格"),
])
def test_pay_bands(performance, band):
    assert plan().band_of(performance) == band


def test_pay_bands_only_top_threshold():
    p = plan(pay_bands="{优秀: 6000}")
    assert cm.pay_band_names(p) == ["一般", "优秀"]
    assert (p.band_of(D("5999.99")), p.band_of(D("6000"))) == ("一般", "优秀")


# ================================================================ what-if and hints

@pytest.mark.parametrize("spec, q, target, kind, need, rate", [
    (ABOVE, 9, 12, "target", "3", "45"),          # 12−9 more reach the target; beyond pays 45
    (ABOVE, 12, 12, None, None, None),            # at target: already earning 45 on the next card
    (ABOVE, 9, None, None, None, None),           # no target, no better rate
    (MARGINAL, 7, None, "marginal", "3", "80"),   # 10−7 to the end of band 1
    (MARGINAL, 10, None, "marginal", "0", "80"),  # at the boundary: the very next one pays 80
    (MARGINAL, 25, None, None, None, None),       # in the open band
    (SLAB, 7, None, "slab", "4", "80"),           # need 11 to leave (0,10]: 11−7
    (SLAB, 10, None, "slab", "1", "80"),          # 11−10
    (SLAB_WAN, "99.5", None, "slab", "0.5", "15"),  # amounts: more than 100 − 99.5
])
def test_next_step_hints(spec, q, target, kind, need, rate):
    h = cm.next_step(item(spec), D(str(q)), None if target is None else D(str(target)))
    if kind is None:
        assert h is None
    else:
        assert (h.kind, h.need, h.rate) == (kind, D(need), D(rate))


def test_hint_text_reads_naturally():
    h = cm.next_step(item(ABOVE), D(9), D(12))
    assert h.text("zh") == "信用卡再完成 3 张 即达目标 12 张,超出部分按 45 元 计价"
    assert h.text("en") == "Credit cards: 3 more reach the target of 12; every unit beyond pays CNY 45"


def test_what_if_adds_units_and_recomputes():
    p = plan()
    s = cm.compute(p, employee_id="E1", grade="客户经理", period="2026-10",
                   quantities={"credit_cards": D("9")}, targets={"credit_cards": D("12")})
    assert s.gross == D("270.00")                     # 9×30
    w = cm.what_if(p, s, {"credit_cards": 5, "new_customers": 11})
    assert w.line("credit_cards").amount == D("450.00")  # 12×30 + 2×45 = 360+90
    assert w.line("new_customers").amount == D("580.00")  # 10×50 + 1×80
    assert w.payable == D("5030.00")                   # 4000 + 450+580
    assert s.gross == D("270.00")                      # the original statement is unchanged


def test_band_hint():
    assert cm.band_hint(plan(), D("1000")) == ("一般", D("500.00"))     # 1500−1000
    assert cm.band_hint(plan(), D("5999.50")) == ("优秀", D("0.50"))    # 6000−5999.5
    assert cm.band_hint(plan(), D("7000")) is None


# ================================================================ validation with line numbers

def _errors(text: str) -> list[str]:
    with pytest.raises(cm.PlanError) as e:
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
    (PLAN_YAML.replace("    rate: 20\n", "    rat: 20\n"), "line 8: items[0]: unknown key 'rat'"),
    (PLAN_YAML.replace("cap: null", "cap: null\nbonus: 5"), "line 23: plan: unknown key 'bonus'"),
    (PLAN_YAML.replace("mode: marginal", "mode: progressive"),
     "line 16: items[3].tiers.mode: mode must be marginal or slab (got progressive)"),
    (PLAN_YAML.replace("pay_bands: {一般: 1500, 优秀: 6000}", "pay_bands: {一般: 6000, 优秀: 1500}"),
     "line 23: pay_bands: the lower bound of '优秀' (1500) must be above '一般' (6000)"),
    (PLAN_YAML.replace("- metric: fee_income\n    rate: 0.05", "- metric: credit_cards\n    rate: 1"),
     "line 17: items[4].metric: metric 'credit_cards' already has an item (line 12)"),
    (PLAN_YAML.replace("- {metric: complaints, amount: 200}", "- {metric: complaints, amount: 200, rate: 1}"),
     "line 20: deductions[0]: unknown key 'rate'"),
    (PLAN_YAML.replace("name: 测试方案\n", ""), "plan: 'name' is required"),
    (PLAN_YAML.replace("settlement: monthly", "settlement: monthly\nsettlement: quarterly"),
     "line 4: plan: key 'settlement' appears twice (first on line 3)"),
    (PLAN_YAML.replace("    rate: 30\n", "    rate: thirty\n"), "line 13: items[2].rate: must be a number (got thirty)"),
    ("name: x\nitems: [a, b\n", "not valid YAML"),
    ("- just\n- a list\n", "line 1: plan: must be a mapping"),
])
def test_invalid_plans_are_rejected_with_the_line(text, expected):
    errors = _errors(text)
    assert any(expected in e for e in errors), errors


def test_validation_messages_in_chinese_and_all_problems_at_once():
    text = BAD_ORDER.replace("deferred_share: 0.3", "deferred_share: 2")
    with pytest.raises(cm.PlanError) as e:
        cm.parse_plan(text)
    zh = e.value.messages("zh")
    assert zh == ["第11行:items[1].deferred_share:必须在 0 到 1 之间(当前是 2)",
                  "第16行:items[3].tiers.bands:各档 upto 必须递增(30 之后是 20)"]


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


@pytest.mark.parametrize("text, key, kind, months", [
    ("2026-10", "2026-10", "monthly", ("2026-10",)),
    ("2026年3月", "2026-03", "monthly", ("2026-03",)),
    ("2026-Q3", "2026-Q3", "quarterly", ("2026-07", "2026-08", "2026-09")),
    ("2026q1", "2026-Q1", "quarterly", ("2026-01", "2026-02", "2026-03")),
])
def test_parse_period(text, key, kind, months):
    p = cm.parse_period(text)
    assert (p.key, p.kind, p.months) == (key, kind, months)


@pytest.mark.parametrize("bad", ["2026-13", "Q3", "2026-Q5", "last month"])
def test_parse_period_rejects(bad):
    with pytest.raises(cm.CommissionError):
        cm.parse_period(bad)


# ================================================================ from the store, with scope

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


@pytest.fixture
def bank(engine):
    store_logs.apply_roster(engine, SYSTEM, ROSTER, "roster.xlsx", "r" * 64)
    store_logs.apply_daily(engine, SYSTEM, DAILY, "daily.xlsx", "d" * 64)
    store_logs.apply_targets(engine, SYSTEM, TARGETS, "targets.xlsx", "t" * 64)
    return engine


MANAGER = Scope("manager", username="zhangwei", employee_id="A01")
LEAD = Scope("team_lead", username="lead1", team="零售一队")
LEAD_B = Scope("team_lead", username="leadb", team="对公一队", employee_id="B01")
DIRECTOR = Scope("director", username="boss")


def test_statement_from_store_matches_hand_worked(bank):
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10", plan=plan())
    assert (s.gross, s.performance, s.deferred, s.payable) == (
        D("7422.28"), D("7222.28"), D("720.00"), D("10502.28"))  # manager A above
    assert s.line("credit_cards").target == D("12")
    assert s.line("deposits_new").days == [(dt.date(2026, 10, 9), D("100.25")), (dt.date(2026, 10, 20), D("50.25"))]
    assert s.deduction_lines[0].days == [(dt.date(2026, 10, 20), D("1"))]
    s2 = cm.statement(bank, DIRECTOR, "A02", "2026-10", plan=plan())
    assert s2.payable == D("9476.04")                                    # manager B above


@pytest.mark.parametrize("scope, employee_id, allowed", [
    (MANAGER, "A01", True),       # his own
    (MANAGER, "A02", False),      # a teammate
    (MANAGER, "B01", False),      # another team
    (MANAGER, "ZZZ", False),      # unknown: no hint that it does not exist
    (LEAD, "A02", True),          # his team
    (LEAD, "B01", False),         # another team
    (LEAD_B, "B01", True),        # his own roster entry / team
    (LEAD_B, "A01", False),
    (DIRECTOR, "B01", True),
])
def test_statement_scope(bank, scope, employee_id, allowed):
    if allowed:
        assert cm.statement(bank, scope, employee_id, "2026-10", plan=plan()).employee_id == employee_id
    else:
        with pytest.raises(ScopeError):
            cm.statement(bank, scope, employee_id, "2026-10", plan=plan())
        with pytest.raises(ScopeError):
            cm.history(bank, scope, employee_id, "2026-10")


def test_director_unknown_manager_is_a_clear_error(bank):
    with pytest.raises(cm.CommissionError) as e:
        cm.statement(bank, DIRECTOR, "ZZZ", "2026-10", plan=plan())
    assert e.value.key == "commission.err.not_on_roster"


@pytest.mark.parametrize("scope, ids", [
    (MANAGER, ["A01"]),
    (LEAD, ["A01", "A02"]),
    (LEAD_B, ["B01"]),
    (DIRECTOR, ["A01", "A02", "B01"]),
])
def test_run_period_lists_only_visible_managers(bank, scope, ids):
    run = cm.run_period(bank, scope, "2026-10", plan=plan())
    assert sorted(s.employee_id for s in run.statements) == ids


def test_team_summary_sums_exactly(bank):
    stmts = cm.statements(bank, DIRECTOR, "2026-10", plan=plan())
    ts = cm.team_summary(stmts, plan())
    by_team = {r["team"]: r for r in ts.to_dict("records")}
    assert by_team["零售一队"]["payable"] == D("19978.32")   # 10502.28 + 9476.04
    assert by_team["零售一队"]["优秀"] == 1 and by_team["零售一队"]["一般"] == 1
    assert by_team["对公一队"]["payable"] == D("3493.83")    # 3000 + 493.83
    assert by_team["对公一队"]["不合格"] == 1
    assert by_team[None]["payable"] == D("23472.15")         # 19978.32 + 3493.83
    assert by_team[None]["managers"] == 3


def test_grade_missing_from_plan_named_when_computing(bank):
    p = cm.parse_plan(PLAN_YAML.replace("客户经理助理: 3000, ", "").replace("客户经理助理: 0.8, ", ""))
    run = cm.run_period(bank, DIRECTOR, "2026-10", plan=p)
    assert [s.employee_id for s in run.statements] == ["A01", "A02"]
    assert len(run.errors) == 1 and "B01" in run.errors[0].message("zh")
    with pytest.raises(cm.CommissionError, match="B01"):
        cm.statements(bank, DIRECTOR, "2026-10", plan=p)


def test_quarterly_statement_from_store(bank):
    # 2026-Q4 for A01: October as above plus nothing in Nov/Dec; card target only in October = 12
    p = plan(settlement="quarterly")
    s = cm.statement(bank, DIRECTOR, "A01", "2026-Q4", plan=p)
    assert s.base_pay == D("12000.00")                  # 4000×3
    assert s.gross == D("7422.28")                      # same quantities as October
    assert s.payable == D("18502.28")                   # 12000+7222.28−720
    # 2026-Q3: A01 has loans 50 in September → 600.00; deferred 180.00
    s3 = cm.statement(bank, DIRECTOR, "A01", "2026-Q3", plan=p)
    assert (s3.gross, s3.deferred, s3.payable) == (D("600.00"), D("180.00"), D("12420.00"))  # 12000+600−180


def test_history_and_reserve_balance(bank):
    from core.store import plans as store_plans
    store_plans.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    h = cm.history(bank, MANAGER, "A01", "2026-10")
    assert list(h.rows["period"]) == ["2026-09", "2026-10"]
    assert list(h.rows["deferred"]) == [D("180.00"), D("720.00")]   # 50×12×0.3 ; 200×12×0.3
    assert h.reserve_held == D("900.00")                            # 180+720
    assert h.reserve_released == D("0.00")
    assert list(h.rows["payable"]) == [D("4420.00"), D("10502.28")]   # 4000+600−180 ; manager A above


@pytest.mark.parametrize("release, upto, held, released", [
    # deferred: 2026-09 → 180.00, 2026-10 → 720.00 (A01); later months have no logs → 0
    (None, "2026-12", "900.00", "0.00"),   # no release rule: everything held
    (3, "2026-11", "900.00", "0.00"),      # Sep is 2 months before Nov: still held
    (3, "2026-12", "720.00", "180.00"),    # Sep is 3 months before Dec: released; Oct (2) held
    (2, "2026-12", "0.00", "900.00"),      # both ≥ 2 months old
])
def test_reserve_release_after_months(bank, release, upto, held, released):
    from core.store import plans as store_plans
    text = PLAN_YAML + (f"reserve_release_after_months: {release}\n" if release else "")
    store_plans.upload_plan(bank, DIRECTOR, text, activate=True)
    h = cm.history(bank, MANAGER, "A01", upto)
    assert (h.reserve_held, h.reserve_released) == (D(held), D(released))


def test_xlsx_statement_equals_statement_to_the_cent(bank):
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10", plan=plan())
    values = xlsx_amounts(statement_xlsx(s, "zh"))
    d = s.to_dict("zh")
    for key in ("base_pay", "gross", "deductions", "performance", "deferred", "payable"):
        assert values[key] == d[key], key
    assert values["payable"] == "10502.28"                     # manager A above
    for ln in d["lines"]:
        assert values[f"line:{ln['metric']}"] == ln["amount"]
    assert values["deduction:complaints"] == "200.00"          # 1×200


def test_xlsx_escapes_formula_text(bank):
    store_logs.apply_roster(bank, SYSTEM, ROSTER.assign(name=["=HYPERLINK(1)", "李娜", "王强"]), "r.xlsx", "x" * 64)
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10", plan=plan())
    wb = openpyxl.load_workbook(io.BytesIO(statement_xlsx(s, "en")))
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in cells)
    assert any("HYPERLINK" in v for v in cells)
