"""The risk reserve (风险补偿金) over time: when deferred amounts are released, and what forfeits take. Pure.

* An amount deferred in period P is released in ``instalments`` equal parts (each rounded to 0.01 half up, the
  last takes the remainder) in the periods whose last month is ``first_after_months``, + ``every_months``, ...
  months after P's last month (the schedule of the plan P was computed under; ``reserve_release_after_months:
  N`` is one instalment after N months; a plan with neither holds the amount). A release month that falls inside
  a quarter (after a change of settlement) is paid in the period that contains it.
* A forfeit (追索扣回) recorded in month M takes from the instalments not yet released by then — those due in M or
  later — the earliest due first (then the oldest deferral first), never more than they hold; forfeited amounts
  are never released.
* Released amounts are paid: they are added to the payable of the period they fall in.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from core import calendar as cal
from core.commission.periods import Period, month_index
from core.commission.plan import ReserveRelease
from core.convert import ZERO, money


@dataclass(frozen=True)
class Deferral:
    period: str                       # the deferring period's key
    last_month: str                   # its last month 'YYYY-MM'
    amount: Decimal
    rule: ReserveRelease | None       # the schedule of its plan (None: held)


@dataclass(frozen=True)
class Instalment:
    period: str                       # deferring period
    number: int                       # 1..of
    of: int
    month: str                        # release month 'YYYY-MM'
    amount: Decimal                   # scheduled
    forfeited: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return self.amount - self.forfeited


def split(amount: Decimal, n: int) -> list[Decimal]:
    """`amount` in n equal parts rounded to 0.01 half up; the last part takes the remainder."""
    part = money(Decimal(amount) / n)
    return [part] * (n - 1) + [money(Decimal(amount) - part * (n - 1))]


NEVER = "9999-12"      # the "release month" of an amount held under a plan without a release rule


def schedule(deferrals: Iterable[Deferral]) -> list[Instalment]:
    """Every instalment of the deferrals, by release month, then deferring period. An amount held without a
    release rule is one instalment due in :data:`NEVER` (held, but a forfeit can still take it)."""
    out = []
    for d in deferrals:
        if d.amount == 0:
            continue
        if d.rule is None:
            out.append(Instalment(d.period, 1, 1, NEVER, d.amount))
            continue
        r = d.rule
        for k, part in enumerate(split(d.amount, r.instalments)):
            month = cal.add_months(d.last_month, r.first_after_months + k * r.every_months)
            out.append(Instalment(d.period, k + 1, r.instalments, month, part))
    out.sort(key=lambda i: (month_index(i.month), i.period, i.number))
    return out


def apply_forfeits(instalments: list[Instalment], forfeits: Iterable[tuple[str, Decimal]]) -> tuple[list[Instalment], Decimal]:
    """The instalments after the forfeits ((month, amount), in the order recorded), and the part of the forfeits
    that found nothing left to take."""
    inst = list(instalments)
    unapplied = ZERO
    for month, amount in forfeits:
        left = Decimal(amount)
        for i, x in enumerate(inst):
            if left <= 0:
                break
            if month_index(x.month) < month_index(month) or x.paid <= 0:
                continue
            take = min(left, x.paid)
            inst[i] = replace(x, forfeited=x.forfeited + take)
            left -= take
        unapplied += max(left, ZERO)
    return inst, money(unapplied)


def released_in(instalments: Iterable[Instalment], per: Period) -> list[Instalment]:
    """The instalments paid out in period `per` (release month within its months), net of forfeits."""
    months = set(per.months)
    return [i for i in instalments if i.month in months and i.paid > 0]


@dataclass(frozen=True)
class Balance:
    held: Decimal          # deferred, not yet released, not forfeited
    released: Decimal      # paid out by the end of the period asked about
    forfeited: Decimal     # taken by forfeits


def balance(instalments: Iterable[Instalment], upto_month: str) -> Balance:
    """The reserve as of the end of `upto_month`: instalments due later are held (released: due by then)."""
    held, released, forfeited = ZERO, ZERO, ZERO
    last = month_index(upto_month)
    for i in instalments:
        forfeited += i.forfeited
        if month_index(i.month) <= last:
            released += i.paid
        else:
            held += i.paid
    return Balance(money(held), money(released), money(forfeited))


__all__ = ["NEVER", "Deferral", "Instalment", "split", "schedule", "apply_forfeits", "released_in", "Balance", "balance"]
