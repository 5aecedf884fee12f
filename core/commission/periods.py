"""Settlement periods: a month ('2026-10') or a quarter ('2026-Q3'), and the one a plan settles."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from core import calendar as cal
from core.commission.plan import Plan
from core.errors import AppError
from core.i18n import t


@dataclass(frozen=True)
class Period:
    key: str                  # '2026-10' or '2026-Q3'
    kind: str                 # monthly | quarterly
    months: tuple[str, ...]

    # cached (the instance is frozen; a cached_property writes its own __dict__): a branch's statements ask
    # each manager's period for its days many times
    @cached_property
    def start(self) -> dt.date:
        return cal.month_bounds(self.months[0])[0]

    @cached_property
    def end(self) -> dt.date:
        return cal.month_bounds(self.months[-1])[1]


_Q_RE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.I)


@lru_cache(maxsize=512)      # periods are immutable; a branch's statements parse the same few keys per manager
def parse_period(text: str) -> Period:
    """'2026-10' (also 2026/10, 2026年10月) → a month; '2026-Q3' → a quarter. Raises AppError."""
    s = str(text).strip()
    m = _Q_RE.match(s)
    if m:
        key = f"{int(m.group(1)):04d}-Q{m.group(2)}"
        return Period(key, "quarterly", tuple(cal.quarter_months(key)))
    try:
        y, mo = cal.parse_month(s)
    except ValueError:
        raise AppError("commission.err.bad_period", value=s) from None
    key = f"{y:04d}-{mo:02d}"
    return Period(key, "monthly", (key,))


def as_period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def quarter_of(month: str) -> str:
    y, m = cal.parse_month(month)
    return f"{y:04d}-Q{(m - 1) // 3 + 1}"


def period_for(month: str, settlement: str) -> Period:
    """The settlement period (month or quarter) that contains `month`."""
    return parse_period(cal.month_key(month) if settlement == "monthly" else quarter_of(month))


def month_index(month: str) -> int:
    y, m = cal.parse_month(month)
    return y * 12 + m - 1


def check_period(plan: Plan, period: Period) -> None:
    if period.kind != plan.settlement:
        example = "2026-10" if plan.settlement == "monthly" else "2026-Q3"
        raise AppError("commission.err.period_kind", plan=plan.name, period=period.key,
                       settlement=t(f"commission.settlement.{plan.settlement}", "en"), example=example)


__all__ = ["Period", "parse_period", "as_period", "quarter_of", "period_for", "month_index", "check_period"]
