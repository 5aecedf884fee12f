"""Where each settlement period stands: open → in review (复核) → closed (结账), read from the store.

A period without a stored state is open. Closed periods always form an unbroken run from the first period
with statements (a period closes only when every earlier one is closed, and only the latest closed period can be
reopened), so "the first open period after P" is the period that follows the last closed one.
Periods follow the plan in force: a month under a monthly plan, a quarter under a quarterly one
(:func:`core.commission.book.period_in_force`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from core import calendar as cal
from core.commission.book import period_in_force
from core.commission.periods import Period, as_period
from core.errors import AppError
from core.scope import SYSTEM
from core.store import logs as store_logs
from core.store import pay as store_pay

STATUSES = ("open", "in_review", "closed")


@dataclass(frozen=True)
class PeriodState:
    period: str
    status: str                          # open | in_review | closed
    review_until: dt.date | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    note: str | None = None              # the last reopening's reason

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    def to_dict(self) -> dict:
        return {"period": self.period, "status": self.status,
                "review_until": self.review_until.isoformat() if self.review_until else None,
                "closed_at": self.closed_at.isoformat(sep=" ") if self.closed_at else None,
                "closed_by": self.closed_by, "note": self.note}


def _when(v):
    return None if v is None or v != v else v


def states(engine: Engine) -> dict[str, PeriodState]:
    """Every period with a stored state, by key."""
    out = {}
    for r in store_pay.period_rows(engine).to_dict("records"):
        out[r["period"]] = PeriodState(r["period"], r["status"], _when(r["review_until"]), _when(r["closed_at"]),
                                       _when(r["closed_by"]), _when(r["note"]))
    return out


def state_of(engine: Engine, period: str | Period) -> PeriodState:
    key = as_period(period).key
    return states(engine).get(key, PeriodState(key, "open"))


def order(key: str) -> dt.date:
    return as_period(key).start


def closed_periods(engine: Engine) -> list[PeriodState]:
    """The closed periods, oldest first."""
    return sorted((s for s in states(engine).values() if s.is_closed), key=lambda s: order(s.period))


def following(engine: Engine, period: str | Period) -> Period:
    """The settlement period right after `period` under the plan in force then."""
    nxt = cal.add_months(as_period(period).months[-1], 1)
    return period_in_force(engine, nxt)[1]


def current_open(engine: Engine) -> Period | None:
    """The first open period (where adjustments are paid): the one after the last closed period, or while none is
    closed the first period with statements (None when nothing is logged)."""
    closed = closed_periods(engine)
    if closed:
        return following(engine, closed[-1].period)
    periods = periods_with_statements(engine)
    return periods[0] if periods else None


def periods_with_statements(engine: Engine, upto: str | Period | None = None) -> list[Period]:
    """Every settlement period from the first logged month to `upto` (default: the last logged month), under the
    plan in force for each; months no plan covers are skipped."""
    first, last = store_logs.log_date_range(engine, SYSTEM)
    if first is None:
        return [as_period(upto)] if upto is not None else []
    end_month = as_period(upto).months[-1] if upto is not None else cal.month_key(last)
    out: list[Period] = []
    m = cal.month_key(first)
    while order_month(m) <= order_month(end_month):
        try:
            per = period_in_force(engine, m)[1]
        except AppError:           # no plan covers this month: it has no statements
            per = None
        if per is not None and (not out or out[-1].key != per.key):
            out.append(per)
        m = cal.add_months(m, 1)
    return out


def order_month(month: str) -> dt.date:
    return cal.month_bounds(month)[0]


def listing(engine: Engine) -> list[PeriodState]:
    """Every period with statements or a stored state, oldest first (``period list``)."""
    st = states(engine)
    keys = {p.key for p in periods_with_statements(engine)} | set(st)
    return [st.get(k, PeriodState(k, "open")) for k in sorted(keys, key=order)]


__all__ = ["STATUSES", "PeriodState", "states", "state_of", "order", "closed_periods", "following",
           "current_open", "periods_with_statements", "listing"]
