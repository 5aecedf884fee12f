"""The plan model (绩效计价办法) as validated data: items, tiers, deductions, floor/cap, pay bands.

A :class:`Plan` is built by :func:`core.commission.plan_yaml.parse_plan` from the YAML a bank writes (see
``sample_data/plan_2026.yaml`` and the package docstring for the computation it drives). Every number is an
exact :class:`~decimal.Decimal` of what was typed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal

from core.convert import ZERO, money

SETTLEMENTS = ("monthly", "quarterly")
TIER_MODES = ("marginal", "slab")
# How an item's quantity is measured over the period: the sum of the daily values (flows), or the deposit
# balance's 日均 / 日均增量 (core/commission/measure.py has the exact definitions).
MEASURES = ("sum", "avg_daily", "avg_daily_increase")
AVG_MEASURES = ("avg_daily", "avg_daily_increase")
BASES = ("previous_period", "year_start", "same_period_last_year")
# Pay bands, lowest first. The plan gives the lower bound of every band but the first.
PAY_BANDS = ("不合格", "一般", "优秀")
PAY_BAND_KEYS = {"不合格": "failing", "一般": "ordinary", "优秀": "excellent"}


@dataclass(frozen=True)
class Band:
    upto: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Tiers:
    mode: str                 # marginal | slab
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Item:
    metric: str
    rate: Decimal | None = None
    tiers: Tiers | None = None
    above_target_rate: Decimal | None = None
    deferred_share: Decimal = ZERO
    line: int | None = None
    measure: str = "sum"              # sum | avg_daily | avg_daily_increase
    base: str | None = None           # avg_daily_increase: previous_period | year_start | same_period_last_year

    @property
    def kind(self) -> str:
        if self.tiers is not None:
            return self.tiers.mode
        return "above_target" if self.above_target_rate is not None else "rate"


@dataclass(frozen=True)
class Deduction:
    metric: str
    amount: Decimal
    line: int | None = None


@dataclass(frozen=True)
class Relative:
    """A floor or cap written relative to a reference pay: ``{share: 0.8, of: 6000}`` (保底为内勤人员收入的80%)."""
    share: Decimal
    of: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.share * self.of)


@dataclass(frozen=True)
class AttainmentMultiplier:
    """完成率系数: the factor of the first band whose ``below`` is greater than the composite attainment (the last
    band has no ``below``); each metric's attainment counts at most ``cap`` (None: no cap)."""
    cap: Decimal | None
    bands: tuple[tuple[Decimal | None, Decimal], ...]      # (below, factor), below increasing, last None

    def factor_for(self, composite: Decimal | None) -> Decimal:
        if composite is None:
            return Decimal(1)
        for below, factor in self.bands:
            if below is None or below > composite:
                return factor
        return self.bands[-1][1]


@dataclass(frozen=True)
class ReserveRelease:
    """When an amount deferred in a period is paid out: `instalments` equal parts, the first in the period whose
    last month is `first_after_months` after the deferring period's last month, then every `every_months`."""
    first_after_months: int
    every_months: int
    instalments: int


@dataclass(frozen=True)
class Plan:
    name: str
    effective_from: dt.date
    settlement: str
    base_pay: Mapping[str, Decimal]
    grade_coefficient: Mapping[str, Decimal]
    items: tuple[Item, ...]
    deductions: tuple[Deduction, ...] = ()
    floor: Decimal | None = None
    cap: Decimal | None = None
    pay_bands: tuple[tuple[str, Decimal], ...] = ()     # (band, lower bound), increasing
    reserve_release_after_months: int | None = None
    description: str = ""
    attainment_multiplier: AttainmentMultiplier | None = None
    release: ReserveRelease | None = None          # reserve_release: {...}
    floor_rule: Relative | None = None             # floor written as {share, of} (floor holds its amount)
    cap_rule: Relative | None = None
    source: str = field(default="", repr=False, compare=False)

    @property
    def reserve_release(self) -> ReserveRelease | None:
        """The release schedule: ``reserve_release``, or ``reserve_release_after_months: N`` as one instalment
        after N months; None when the plan holds the reserve."""
        if self.release is not None:
            return self.release
        n = self.reserve_release_after_months
        return None if n is None else ReserveRelease(n, n, 1)

    @cached_property      # read for every manager of a branch's statements (a frozen plan never changes)
    def metrics(self) -> tuple[str, ...]:
        seen = [i.metric for i in self.items] + [d.metric for d in self.deductions]
        return tuple(dict.fromkeys(seen))

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(self.base_pay)

    def item(self, metric: str) -> Item | None:
        return next((i for i in self.items if i.metric == metric), None)

    def band_of(self, performance: Decimal) -> str | None:
        """The pay band (不合格 / 一般 / 优秀) of a period's performance pay, None when the plan sets none."""
        if not self.pay_bands:
            return None
        band = _band_below(self.pay_bands[0][0])
        for name, lower in self.pay_bands:
            if performance >= lower:
                band = name
        return band


def _band_below(name: str) -> str:
    return PAY_BANDS[PAY_BANDS.index(name) - 1]


def pay_band_names(plan: Plan) -> list[str]:
    """The bands a performance can fall in under `plan`, lowest first ([] when the plan sets none)."""
    if not plan.pay_bands:
        return []
    return [_band_below(plan.pay_bands[0][0])] + [name for name, _ in plan.pay_bands]


__all__ = ["SETTLEMENTS", "TIER_MODES", "MEASURES", "AVG_MEASURES", "BASES", "PAY_BANDS", "PAY_BAND_KEYS",
           "Band", "Tiers", "Item", "Deduction", "Relative", "AttainmentMultiplier", "ReserveRelease",
           "Plan", "pay_band_names"]
