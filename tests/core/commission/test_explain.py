"""Hints (units to the next rate or band), what-if, band hints.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import commission as cm
from tests.core.commission.data import ABOVE, MARGINAL, SLAB, SLAB_WAN, item, plan

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
