"""One period's statement, step by step (pure): items, tiers, above-target, rounding, coefficient, deductions,
floor/cap, reserve, base pay, pay bands, periods. Every expected amount is worked out by hand next to it.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import commission as cm
from core.errors import AppError
from tests.core.commission.data import ABOVE, MARGINAL, MARGINAL_WAN, PLAN_YAML, SLAB, SLAB_WAN, amount, item, plan

# ================================================================ step 1: items


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
    # English: a rate per 万元 says so (not "150.5 CNY 10k × CNY 20"); 150.5 × 20 = 3,010 as above
    assert s.line("deposits_new").how("zh") == "150.5 万元 × 20 元"
    assert s.line("deposits_new").how("en") == "150.5 × CNY 20 per CNY 10k"
    assert s.line("loans_new").how("en") == "200 × CNY 12 per CNY 10k"
    assert s.line("credit_cards").how("en") == "12 × CNY 30 + 3 × CNY 45, target 12"
    assert s.line("new_customers").how("en") == "10 × CNY 50 + 5 × CNY 80"
    assert s.line("fee_income").how("en") == "CNY 12,345.67 × 5%"
    assert [d.how("en") for d in s.deduction_lines] == ["1 × CNY 200"]


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
    with pytest.raises(AppError) as e:
        cm.compute(plan(settlement=settlement), employee_id="E1", grade="客户经理", period=period, quantities={})
    assert e.value.key == "commission.err.period_kind"


def test_grade_missing_names_the_manager():
    with pytest.raises(AppError) as e:
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
    with pytest.raises(AppError):
        cm.parse_period(bad)


@pytest.mark.parametrize("spec, q, zh, en", [
    # marginal 万元: 100×10 + 400×15 + 50×20 = 1,000 + 6,000 + 1,000 = 8,000 for 550
    (MARGINAL_WAN, "550", "100 万元 × 10 元 + 400 万元 × 15 元 + 50 万元 × 20 元",
     "100 × CNY 10 per CNY 10k + 400 × CNY 15 per CNY 10k + 50 × CNY 20 per CNY 10k"),
    # slab 万元: the whole 150.5 in band 2 at 15 = 2,257.50
    (SLAB_WAN, "150.5", "150.5 万元 × 15 元(全额按第2档)", "150.5 × CNY 15 per CNY 10k (all at band 2)"),
    # slab counts: 11 in band 2 at 80
    (SLAB, "11", "11 户 × 80 元(全额按第2档)", "11 × CNY 80 (all at band 2)"),
])
def test_how_text_reads_naturally_in_both_languages(spec, q, zh, en):
    """A statement line's 'how' (page, CLI, workbook): the Chinese as written on a 工资单, the English without
    '550 CNY 10k × CNY 20' (a rate per 万元 says 'per CNY 10k')."""
    text = PLAN_YAML.split("items:")[0] + "items:\n  - " + spec + "\n"
    it = cm.parse_plan(text).items[0]
    s = cm.compute(cm.parse_plan(text), employee_id="E1", grade="客户经理", period="2026-10",
                   quantities={it.metric: D(q)}, targets={})
    ln = s.line(it.metric)
    assert (ln.how("zh"), ln.how("en")) == (zh, en)
    assert "CNY 10k ×" not in ln.how("en")
