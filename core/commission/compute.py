"""One manager's statement for one period, from quantities and targets already summed: pure, no I/O.

The steps (see the package docstring): each item (rate, above-target rate, marginal or slab tiers), gross,
× grade coefficient × attainment factor, − deductions, floor/cap, risk reserve, + base pay + reserve released
+ adjustments = payable. Money is Decimal, rounded to
0.01 yuan half up (:func:`core.convert.money`) wherever the plan says "round".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from core import fmt, schema
from core.commission.days import own
from core.commission.measure import AvgDaily
from core.commission.periods import Period, as_period, check_period
from core.commission.plan import Item, Plan
from core.commission.reserve import Instalment
from core.commission.text import (
    attainment_how,
    how_text,
    release_how,
    segment_text,
    unit_label,
)
from core.convert import ZERO, money, money_str
from core.errors import AppError


@dataclass(frozen=True)
class Segment:
    quantity: Decimal
    rate: Decimal
    amount: Decimal           # quantity × rate, unrounded
    band: int | None = None   # band index for tiers
    above_target: bool = False


@dataclass
class Line:
    metric: str
    kind: str                         # rate | above_target | marginal | slab
    quantity: Decimal
    segments: list[Segment]
    amount: Decimal                   # rounded
    target: Decimal | None = None
    deferred_share: Decimal = ZERO
    days: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    measure: str = "sum"                  # sum | avg_daily | avg_daily_increase
    avg: AvgDaily | None = None           # the 日均 behind the quantity (avg measures)

    def how(self, lang: str = "zh") -> str:
        return how_text(self, lang)


@dataclass
class DeductionLine:
    metric: str
    quantity: Decimal
    rate: Decimal                     # yuan per unit
    amount: Decimal                   # rounded
    days: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    def how(self, lang: str = "zh") -> str:
        return segment_text(self.metric, self.quantity, self.rate, lang, per_unit=True)


@dataclass
class Statement:
    employee_id: str
    name: str
    team: str
    grade: str
    period: str
    settlement: str
    months: int
    plan_name: str
    plan_effective_from: dt.date
    base_pay_monthly: Decimal
    base_pay: Decimal                 # × months
    lines: list[Line]
    gross: Decimal
    coefficient: Decimal
    performance_before_deductions: Decimal
    deduction_lines: list[DeductionLine]
    deductions: Decimal
    performance_before_clamp: Decimal
    clamp: str | None                 # floor | cap | None
    performance: Decimal
    deferred_before_limit: Decimal
    deferred: Decimal
    payable: Decimal
    pay_band: str | None
    quantities: dict[str, Decimal] = field(default_factory=dict)
    targets: dict[str, Decimal | None] = field(default_factory=dict)
    attainment: Decimal | None = None     # composite attainment (完成率), None without a multiplier or targets
    attainment_parts: dict[str, Decimal] = field(default_factory=dict)   # metric → min(actual ÷ target, cap)
    factor: Decimal = Decimal(1)          # 完成率系数 (1 without a multiplier or targets)
    releases: list[Instalment] = field(default_factory=list)            # reserve instalments paid this period
    reserve_released: Decimal = ZERO
    adjustment_total: Decimal = ZERO      # prior-period adjustments carried into this period (0 if none)
    actuals: dict[str, Decimal] = field(default_factory=dict)           # what attainment divides (targeted)

    @property
    def payable_before_adjustments(self) -> Decimal:
        """base pay + performance − deferred + released (the payable a later adjustment compares)."""
        return money(self.payable - self.adjustment_total)

    def attainment_how(self, lang: str = "zh") -> str:
        return attainment_how(self, lang)

    def line(self, metric: str) -> Line | None:
        return next((ln for ln in self.lines if ln.metric == metric), None)

    def days_by_metric(self) -> dict[str, list]:
        """The days behind every quantity (items and deductions), by metric."""
        days = {ln.metric: ln.days for ln in self.lines}
        days.update({d.metric: d.days for d in self.deduction_lines})
        return days

    def to_dict(self, lang: str = "zh", with_days: bool = False) -> dict:
        """The statement as JSON-ready data: money as strings with two decimals."""
        def days(ds):
            return [{"date": d.isoformat(), "value": fmt.exact(v, sep=False)} for d, v in ds]

        lines = []
        for ln in self.lines:
            row = {"metric": ln.metric, "quantity": fmt.exact(ln.quantity, sep=False), "unit": unit_label(ln.metric, lang),
                   "amount": money_str(ln.amount), "how": ln.how(lang), "kind": ln.kind,
                   "target": None if ln.target is None else fmt.exact(ln.target, sep=False),
                   "deferred_share": fmt.exact(ln.deferred_share, sep=False), "measure": ln.measure}
            if ln.avg is not None:
                row["avg_daily"] = money_str(ln.avg.current)
                if ln.avg.base is not None:
                    row.update(base=ln.avg.base, base_of=ln.avg.base_label, base_value=money_str(ln.avg.base_value))
            if with_days:
                row["days"] = days(ln.days)
            lines.append(row)
        deds = []
        for d in self.deduction_lines:
            row = {"metric": d.metric, "quantity": fmt.exact(d.quantity, sep=False), "unit": unit_label(d.metric, lang),
                   "amount": money_str(d.amount), "how": d.how(lang)}
            if with_days:
                row["days"] = days(d.days)
            deds.append(row)
        return {
            "employee_id": self.employee_id, "name": self.name, "team": self.team, "grade": self.grade,
            "period": self.period, "settlement": self.settlement, "months": self.months,
            "plan": self.plan_name, "plan_effective_from": self.plan_effective_from.isoformat(),
            "base_pay": money_str(self.base_pay), "lines": lines, "gross": money_str(self.gross),
            "coefficient": fmt.exact(self.coefficient, sep=False),
            "performance_before_deductions": money_str(self.performance_before_deductions),
            "deductions": money_str(self.deductions), "deduction_lines": deds,
            "performance_before_clamp": money_str(self.performance_before_clamp), "clamp": self.clamp,
            "performance": money_str(self.performance), "deferred": money_str(self.deferred),
            "payable": money_str(self.payable), "pay_band": self.pay_band,
            "attainment": None if self.attainment is None else attainment_str(self.attainment),
            "factor": fmt.exact(self.factor, sep=False),
            "reserve_released": money_str(self.reserve_released),
            "reserve_released_lines": [{"period": i.period, "instalment": i.number, "of": i.of,
                                        "amount": money_str(i.paid), "how": release_how(i, lang)}
                                       for i in self.releases],
        }


def attainment_str(composite: Decimal) -> str:
    """The composite as shown: truncated (never rounded up past a band edge) to 4 decimals, no trailing zeros."""
    return fmt.exact(composite.quantize(Decimal("0.0001"), rounding=ROUND_DOWN), sep=False)


def composite_attainment(plan: Plan, targets: Mapping[str, Decimal | None],
                         actuals: Mapping[str, Decimal]) -> tuple[Decimal | None, dict[str, Decimal]]:
    """Mean over the metrics with a target > 0 of min(actual ÷ target, cap); None when no metric has one."""
    am = plan.attainment_multiplier
    parts = {}
    for m, tgt in targets.items():
        if tgt is None or tgt <= 0:
            continue
        r = Decimal(actuals.get(m, ZERO)) / tgt
        parts[m] = r if am is None or am.cap is None else min(r, am.cap)
    if not parts:
        return None, {}
    return sum(parts.values(), ZERO) / len(parts), parts


def item_segments(item: Item, quantity: Decimal, target: Decimal | None = None) -> list[Segment]:
    """How one item pays `quantity` (step 1), as segments of quantity × rate (unrounded)."""
    q = Decimal(quantity)
    if item.tiers is None:
        rate = item.rate
        if item.above_target_rate is not None and target is not None and q > target:
            base_q = max(target, ZERO)
            segs = []
            if base_q > 0:
                segs.append(Segment(base_q, rate, base_q * rate))
            extra = q - base_q
            segs.append(Segment(extra, item.above_target_rate, extra * item.above_target_rate, above_target=True))
            return segs
        return [Segment(q, rate, q * rate)]
    bands = item.tiers.bands
    if item.tiers.mode == "slab" or q <= 0:
        for idx, b in enumerate(bands):
            if b.upto is None or q <= b.upto:
                return [Segment(q, b.rate, q * b.rate, band=idx)]
    segs, lower = [], ZERO
    for idx, b in enumerate(bands):
        top = q if b.upto is None else min(q, b.upto)
        part = top - lower
        if part > 0:
            segs.append(Segment(part, b.rate, part * b.rate, band=idx))
        if b.upto is None or q <= b.upto:
            break
        lower = b.upto
    return segs


def compute(plan: Plan, *, employee_id: str, grade: str, period: str | Period,
            quantities: Mapping[str, Decimal], targets: Mapping[str, Decimal | None] | None = None,
            name: str = "", team: str = "", days: Mapping[str, list] | None = None,
            actuals: Mapping[str, Decimal] | None = None, avg: Mapping[str, AvgDaily] | None = None,
            releases: Sequence[Instalment] = (), adjustment_total: Decimal = ZERO) -> Statement:
    """Steps 1–6 for one manager and one period, from quantities (and targets) already summed.

    `actuals`: what the attainment multiplier divides by the targets (default: `quantities`; the service gives
    the period sums of flows and the 日均 of deposit_balance); `avg`: the 日均 behind avg-measure items;
    `releases`: reserve instalments paid in this period; `adjustment_total`: prior-period adjustments."""
    per = as_period(period)
    check_period(plan, per)
    if grade not in plan.base_pay or grade not in plan.grade_coefficient:
        raise AppError("commission.err.grade_missing", employee_id=employee_id, name=name, grade=grade,
                       plan=plan.name, grades="、".join(plan.grades))
    targets = dict(targets or {})
    days = days or {}
    avg = avg or {}
    actuals = dict(quantities if actuals is None else actuals)
    composite, parts = (None, {})
    factor = Decimal(1)
    if plan.attainment_multiplier is not None:
        composite, parts = composite_attainment(plan, targets, actuals)
        factor = plan.attainment_multiplier.factor_for(composite)
    coef = plan.grade_coefficient[grade]
    lines = []
    for item in plan.items:
        q = Decimal(quantities.get(item.metric, ZERO))
        tgt = targets.get(item.metric)
        segs = item_segments(item, q, tgt)
        amount = money(sum((s.amount for s in segs), ZERO))
        lines.append(Line(metric=item.metric, kind=item.kind, quantity=q, segments=segs, amount=amount,
                          target=tgt if item.metric in schema.TARGET_METRICS else None,
                          deferred_share=item.deferred_share, days=own(days.get(item.metric)),
                          measure=item.measure, avg=avg.get(item.metric)))
    gross = sum((ln.amount for ln in lines), ZERO)
    perf0 = money(gross * coef * factor)
    ded_lines = []
    for d in plan.deductions:
        q = Decimal(quantities.get(d.metric, ZERO))
        ded_lines.append(DeductionLine(metric=d.metric, quantity=q, rate=d.amount, amount=money(q * d.amount),
                                       days=own(days.get(d.metric))))
    ded_total = sum((d.amount for d in ded_lines), ZERO)
    perf1 = perf0 - ded_total
    perf, clamp = perf1, None
    if plan.floor is not None and perf < plan.floor:
        perf, clamp = plan.floor, "floor"
    if plan.cap is not None and perf > plan.cap:
        perf, clamp = plan.cap, "cap"
    perf = money(perf)
    deferred_raw = money(sum((ln.amount * coef * factor * ln.deferred_share for ln in lines), ZERO))
    deferred = min(max(deferred_raw, ZERO), max(perf, ZERO))
    deferred = money(deferred)
    months = len(per.months)
    base_m = plan.base_pay[grade]
    base = money(base_m * months)
    released = money(sum((i.paid for i in releases), ZERO))
    payable = money(base + perf - deferred + released + Decimal(adjustment_total))
    return Statement(
        employee_id=employee_id, name=name, team=team, grade=grade, period=per.key, settlement=plan.settlement,
        months=months, plan_name=plan.name, plan_effective_from=plan.effective_from, base_pay_monthly=money(base_m),
        base_pay=base, lines=lines, gross=money(gross), coefficient=coef, performance_before_deductions=perf0,
        deduction_lines=ded_lines, deductions=money(ded_total), performance_before_clamp=money(perf1), clamp=clamp,
        performance=perf, deferred_before_limit=deferred_raw, deferred=deferred, payable=payable,
        pay_band=plan.band_of(perf), quantities={m: Decimal(quantities.get(m, ZERO)) for m in plan.metrics},
        targets={**{m: targets.get(m) for m in plan.metrics}, **targets}, attainment=composite,
        attainment_parts=parts, factor=factor, releases=list(releases), reserve_released=released,
        adjustment_total=money(adjustment_total), actuals=actuals)


__all__ = ["Segment", "Line", "DeductionLine", "Statement", "attainment_str", "composite_attainment",
           "item_segments", "compute"]
