"""What a manager can still do this period: how far the next better rate or pay band is, and what-if.

``next_step`` / ``hints`` name the units still missing to the target (above_target_rate) or to the next band;
``what_if`` recomputes the statement with extra units; ``band_hint`` gives the performance pay still missing
to the next pay band; :func:`what_if_view` bundles the three for the page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from core import schema
from core.commission.compute import Statement, compute
from core.commission.plan import Item, Plan
from core.commission.text import metric_name, q_unit, rate_text
from core.convert import ZERO, dec, money
from core.i18n import t


@dataclass(frozen=True)
class Hint:
    metric: str
    kind: str            # target | marginal | slab
    need: Decimal        # more units needed
    boundary: Decimal    # the target or band limit
    rate: Decimal        # the rate that applies beyond it
    whole: bool = False  # slab: the new rate applies to the whole quantity

    def text(self, lang: str = "zh") -> str:
        need = q_unit(self.metric, self.need, lang)
        at = q_unit(self.metric, self.boundary, lang)
        rate = rate_text(self.metric, self.rate, lang)
        return t(f"commission.hint.{self.kind}", lang, metric=metric_name(self.metric, lang), need=need, at=at,
                 rate=rate)


def next_step(item: Item, quantity: Decimal, target: Decimal | None = None) -> Hint | None:
    """How far `quantity` is from the next better rate: the target (above_target_rate) or the next band.

    Count metrics need whole units: a slab band is left only when the quantity passes ``upto``, so the need
    is ``floor(upto) + 1 − quantity``; for amounts the need is ``upto − quantity`` ("more than").
    """
    q = Decimal(quantity)
    counts = schema.FIELDS_BY_NAME[item.metric].kind == "count"
    if item.tiers is None:
        if item.above_target_rate is None or target is None or q >= target:
            return None
        return Hint(item.metric, "target", target - q, target, item.above_target_rate)
    bands = item.tiers.bands
    for idx, b in enumerate(bands):
        if b.upto is None:
            return None
        if q <= b.upto:
            nxt = bands[idx + 1]
            if item.tiers.mode == "marginal":
                return Hint(item.metric, "marginal", b.upto - q, b.upto, nxt.rate)
            if counts:
                need = b.upto.to_integral_value(rounding=ROUND_FLOOR) + 1 - q
            else:
                need = b.upto - q
            return Hint(item.metric, "slab", need, b.upto, nxt.rate, whole=True)
    return None


def hints(plan: Plan, stmt: Statement) -> list[Hint]:
    out = []
    for ln in stmt.lines:
        h = next_step(plan.item(ln.metric), ln.quantity, ln.target)
        if h is not None:
            out.append(h)
    return out


def what_if(plan: Plan, stmt: Statement, extra: Mapping[str, Decimal | float | int]) -> Statement:
    """The statement again with extra units per metric added to the period's quantities."""
    q, actuals = dict(stmt.quantities), dict(stmt.actuals)
    for m, v in extra.items():
        if v:
            q[m] = q.get(m, ZERO) + dec(v)
            if m in actuals:          # attainment moves with the quantity (a 日均 and its increase alike)
                actuals[m] = actuals[m] + dec(v)
    return compute(plan, employee_id=stmt.employee_id, grade=stmt.grade, period=stmt.period, quantities=q,
                   targets=stmt.targets, name=stmt.name, team=stmt.team, days=stmt.days_by_metric(),
                   actuals=actuals, releases=stmt.releases, adjustment_total=stmt.adjustment_total)


def band_hint(plan: Plan, performance: Decimal) -> tuple[str, Decimal] | None:
    """The next pay band above `performance` and the performance pay still missing, None at the top."""
    for name, lower in plan.pay_bands:
        if performance < lower:
            return name, money(lower - performance)
    return None


@dataclass(frozen=True)
class WhatIf:
    """The what-if estimate the page draws: the new statement, how it differs from the actual one (None when
    nothing was added), the hints, the next pay band."""
    statement: Statement
    performance_delta: Decimal | None
    payable_delta: Decimal | None
    hints: list[Hint]
    band_hint: tuple[str, Decimal] | None


def what_if_view(plan: Plan, stmt: Statement, extra: Mapping[str, Decimal | float | int]) -> WhatIf:
    extra = {m: v for m, v in extra.items() if v}
    if not extra:
        return WhatIf(stmt, None, None, hints(plan, stmt), band_hint(plan, stmt.performance))
    w = what_if(plan, stmt, extra)
    return WhatIf(w, money(w.performance - stmt.performance), money(w.payable - stmt.payable), hints(plan, w),
                  band_hint(plan, w.performance))


__all__ = ["Hint", "next_step", "hints", "what_if", "band_hint", "WhatIf", "what_if_view"]
