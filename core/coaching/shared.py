"""The store reads of one service call, made once and shared by every :class:`~core.coaching.reads.StoreInputs`
it builds.

"Did coaching work?" judges each follow-up week on its own inputs (its own horizon, roster and balance
lookback), but those inputs overlap: the same whole weeks, the same month-to-date and month-end ranges, the same
spike month. :class:`SharedReads` serves each Inputs its part of one read instead of a read of its own:

* weekly sums and logged-day marks — one read over a span of weeks (:meth:`prefetch`), a request inside it
  answered by filtering (the span's last week is cut at its end: a request cut elsewhere reads afresh);
* range sums — per (first, last) day;
* deposit balances — read with the earliest lookback of the call (:attr:`lookback`); a later lookback keeps
  the balances carried in from it on (``coaching_reads.bounds_of``, and ``measures.carried_balances`` drops the
  rows before its own lookback), so every Inputs gets exactly what a read of its own would give.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.schema import FLOW_METRICS
from core.store import coaching_reads as reads

_WEEK = dt.timedelta(days=6)


def _same_cut(last: dt.date, end_a: dt.date, end_b: dt.date) -> bool:
    """True when the week starting `last` reads the same days cut at `end_a` as at `end_b`."""
    return min(last + _WEEK, end_a) == min(last + _WEEK, end_b)


class SharedReads:
    """Memo of the grouped reads of one call (internal scope `scope`); `lookback` is the earliest first day any
    of its Inputs carries a balance from (None: each request's own)."""

    def __init__(self, engine, scope, lookback: dt.date | None = None):
        self.engine, self.scope, self.lookback = engine, scope, lookback
        self._weeks: list = []          # (first, last, end, week_sums frame)
        self._marks: list = []          # (first, last, end, week_marks frame, bare_rows frame)
        self._ranges: dict = {}
        self._parts: dict = {}
        self._balances: dict = {}
        self.month_hits: dict = {}      # (rule id, month, managers) → [(what it read, hits)]: Inputs.per_month

    def _lookback(self, own: dt.date) -> dt.date:
        return self.lookback if self.lookback is not None and self.lookback <= own else own

    def prefetch(self, first: dt.date, last: dt.date, end: dt.date) -> None:
        """Read the weekly sums and marks of the weeks `first` .. `last` (Mondays), cut at `end`, at once."""
        self.week_sums(first, last, end)
        self.marks(first, last, end)

    def week_sums(self, first: dt.date, last: dt.date, end: dt.date) -> pd.DataFrame:
        """:func:`core.store.coaching_reads.week_sums` of the flows, weeks `first` .. `last` cut at `end`."""
        for a, b, e, df in self._weeks:
            if a <= first and last <= b and _same_cut(last, e, end):
                mon = df["monday"]
                return df[(mon >= pd.Timestamp(first)) & (mon <= pd.Timestamp(last))].reset_index(drop=True)
        df = reads.week_sums(self.engine, self.scope, first, last, FLOW_METRICS, end=end)
        self._weeks.append((first, last, end, df))
        return df

    def marks(self, first: dt.date, last: dt.date, end: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(week_marks, bare_rows) of the weeks `first` .. `last`, cut at `end`."""
        for a, b, e, marks, bare in self._marks:
            if a <= first and last <= b and _same_cut(last, e, end):
                mon, day = marks["monday"], bare["date"]
                return (marks[(mon >= pd.Timestamp(first)) & (mon <= pd.Timestamp(last))].reset_index(drop=True),
                        bare[(day >= pd.Timestamp(first)) & (day <= pd.Timestamp(end))].reset_index(drop=True))
        marks = reads.week_marks(self.engine, self.scope, first, last, end=end)
        bare = reads.bare_rows(self.engine, self.scope, first, end)
        self._marks.append((first, last, end, marks, bare))
        return marks, bare

    def range_sums(self, a: dt.date, b: dt.date) -> pd.DataFrame:
        key = (a, b)
        if key not in self._ranges:
            self._ranges[key] = reads.range_sums(self.engine, self.scope, a, b, FLOW_METRICS)
        return self._ranges[key]

    def balance_bounds(self, first: dt.date, last: dt.date, at: dt.date, lookback: dt.date) -> pd.DataFrame:
        """:func:`core.store.coaching_reads.balance_bounds` with `lookback`, from one read per (first, last, at)."""
        read_from = self._lookback(lookback)
        key = (first, last, at, read_from)
        if key not in self._parts:
            self._parts[key] = reads.balance_parts(self.engine, self.scope, first, last, at, read_from)
        return reads.bounds_of(self._parts[key], lookback)

    def same_carry(self, kind: str, args: tuple, lookback_a: dt.date, lookback_b: dt.date) -> bool:
        """True when the balance read `kind` ("bounds": balance_bounds(first, last, at); "rows":
        balance_rows(start, end, ids)) made earlier gives the same balances carried in from `lookback_a` as
        from `lookback_b`: none of them was logged from the earlier lookback to the day before the later one."""
        if lookback_a == lookback_b:
            return True
        lo, hi = sorted((lookback_a, lookback_b))
        read_from = self._lookback(lo)
        if kind == "bounds":
            parts = self._parts.get((*args, read_from))
            if parts is None:
                return False
            days = parts["carried_date"]
        else:
            start, end, ids = args
            rows = self._balances.get((start, end, read_from, ids))
            if rows is None:
                return False
            days = rows.loc[rows["date"] < pd.Timestamp(start), "date"]
        return not ((days >= pd.Timestamp(lo)) & (days < pd.Timestamp(hi))).any()

    def balance_rows(self, start: dt.date, end: dt.date, lookback: dt.date, ids=None) -> pd.DataFrame:
        """:func:`core.store.coaching_reads.balance_rows`, the carried-in rows read from :attr:`lookback` (the
        caller's carried_balances keeps those from its own lookback on)."""
        read_from = self._lookback(lookback)
        key = (start, end, read_from, None if ids is None else tuple(sorted({str(e) for e in ids})))
        if key not in self._balances:
            self._balances[key] = reads.balance_rows(self.engine, self.scope, start, end, lookback=read_from,
                                                     employee_ids=ids)
        return self._balances[key]
