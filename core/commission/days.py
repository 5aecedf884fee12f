"""The days behind a statement quantity, built only when they are read (issue 12).

A branch's month of statements (the payout summary) needs every manager's quantities, never the list of days
behind each of them; the statement a person opens shows them. So the batch path hands :func:`compute` these
sequences instead of lists: they know their length at once and build their ``(date, Decimal)`` pairs — the same
pairs, in the same order, as the lists they stand for — the first time anything reads them. They compare equal
to the list they stand for, and a snapshot (:mod:`.snapshot`) stores them as that list.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


class Days(Sequence):
    """A read-only list of (date, Decimal) pairs built on first use (subclasses: :meth:`_build`, ``__len__``)."""

    __slots__ = ("_list",)

    def _build(self) -> list:
        raise NotImplementedError

    def pairs(self) -> list:
        if self._list is None:
            self._list = self._build()
        return self._list

    def __getitem__(self, i):
        return self.pairs()[i]

    def __iter__(self):
        return iter(self.pairs())

    def __eq__(self, other):
        if isinstance(other, Days):
            return self.pairs() == other.pairs()
        if isinstance(other, (list, tuple)):
            return self.pairs() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self.pairs())


class FlowDays(Days):
    """``list(zip(dates[lo:hi], values[lo:hi]))`` of lists shared by many managers (one manager's slice)."""

    __slots__ = ("_dates", "_values", "_lo", "_hi")

    def __init__(self, dates: list, values: list, lo: int, hi: int):
        self._list = None
        self._dates, self._values, self._lo, self._hi = dates, values, lo, max(lo, hi)

    def __len__(self) -> int:
        return self._hi - self._lo

    def _build(self) -> list:
        return list(zip(self._dates[self._lo:self._hi], self._values[self._lo:self._hi]))


class BalanceDays(Days):
    """(d, B(d)) for every calendar day start..end of one manager's balances (:meth:`measure.Balances.days`)."""

    __slots__ = ("_balances", "_start", "_end")

    def __init__(self, balances, start: dt.date, end: dt.date):
        self._list = None
        self._balances, self._start, self._end = balances, start, end

    def __len__(self) -> int:
        return max((self._end - self._start).days + 1, 0)

    def _build(self) -> list:
        return self._balances.days(self._start, self._end)


def own(days) -> list | Days:
    """What a statement line keeps of the days it is given: a lazy sequence as it is (it is never changed), a
    copy of anything else (None: no days)."""
    if days is None:
        return []
    return days if isinstance(days, Days) else list(days)


__all__ = ["Days", "FlowDays", "BalanceDays", "own"]
