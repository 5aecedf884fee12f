"""The rules' inputs read from the database as aggregates, never as raw daily rows.

:class:`StoreInputs` is :class:`core.coaching.engine.Inputs` whose figures come from the grouped reads of
:mod:`core.store.coaching_reads` instead of a frame of daily rows: the per manager × week sums of the window
(one :func:`~core.store.coaching_reads.week_sums` read, servable from a weekly rollup), period sums composed
from those weeks plus the partial weeks at either end (small range reads, cached), the logged weekdays of the
judged weeks for ``missing_logs`` and the deposit balances of a spike month. The rules, their evidence and
the praise list run unchanged on it, over all managers at once.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core import measures
from core.coaching.engine import Inputs
from core.coaching.rules_yaml import Rules
from core.coaching.shared import SharedReads
from core.schema import FLOW_METRICS


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


class StoreInputs(Inputs):
    """Inputs of one evaluation read from `engine` with `scope` (the service passes an internal director scope:
    the peer medians need the whole branch), for weeks from `first_monday` up to `horizon`; `start` is the
    first day a deposit balance may be carried from. `shared`: the reads of the call, shared with its other
    Inputs (:class:`core.coaching.shared.SharedReads`; default: reads of its own)."""

    def __init__(self, engine, scope, roster: pd.DataFrame, targets: pd.DataFrame, rules: Rules, overrides,
                 horizon: dt.date, first_monday: dt.date, start: dt.date | None = None,
                 shared: SharedReads | None = None):
        self._engine, self._scope = engine, scope
        self._reads = shared if shared is not None else SharedReads(engine, scope)
        self._first = _monday(first_monday)
        self._last = _monday(horizon)
        self._start = start or self._first
        self._ranges: dict = {}
        self._marks = None
        self._deps: list | None = None        # what a monthly rule being computed reads (see per_month)
        super().__init__(None, roster, targets, rules, overrides, horizon)
        self._ids_key = tuple(self.ids)

    def _init_logs(self, logs) -> None:
        wk = self._reads.week_sums(self._first, self._last, self.horizon)
        wk = wk[wk["employee_id"].isin(self.all_ids)]
        self.wk = wk.set_index(["employee_id", "monday"])[[*FLOW_METRICS, "logged_days"]]
        # manager × week × flow, for the sums of whole weeks
        n_weeks = (self._last - self._first).days // 7 + 1
        cube = np.zeros((len(self.ids), n_weeks, len(FLOW_METRICS)))
        rows = self.ids.get_indexer(wk["employee_id"])
        cols = ((wk["monday"] - pd.Timestamp(self._first)).dt.days // 7).to_numpy()
        cube[rows, cols, :] = wk[list(FLOW_METRICS)].to_numpy(dtype="float64")
        self._cube = cube

    def weekly(self, metric: str, mondays: list[dt.date]) -> pd.DataFrame:
        """employee_id × monday weekly totals (0 when nothing logged), NaN for weeks not fully employed; from the
        weekly read (weeks outside it: the frame of :class:`Inputs`)."""
        js = [(m - self._first).days // 7 for m in mondays]
        k = list(FLOW_METRICS).index(metric) if metric in FLOW_METRICS else None
        if k is None or any(j < 0 or j >= self._cube.shape[1] for j in js):
            return super().weekly(metric, mondays)
        cols = pd.DatetimeIndex([pd.Timestamp(m) for m in mondays])
        vals = self._cube[:, js, k].copy()
        start = self.roster["start"].to_numpy(dtype="datetime64[ns]")
        vals[start[:, None] > cols.to_numpy()[None, :]] = np.nan        # NaT compares False: employed
        return pd.DataFrame(vals, index=self.ids, columns=cols)

    # ---------------------------------------------------------------- sums over a period
    def _range(self, a: dt.date, b: dt.date) -> pd.DataFrame:
        key = (a, b)
        if key not in self._ranges:
            got = self._reads.range_sums(a, b)
            self._ranges[key] = got.reindex(self.ids).fillna(0.0)[list(FLOW_METRICS)]
        return self._ranges[key]

    def _weeks(self, w1: dt.date, w2: dt.date) -> pd.DataFrame:
        """Sums of the whole weeks starting w1 .. w2 (Mondays, within the weeks read) from the weekly read."""
        j1, j2 = (w1 - self._first).days // 7, (w2 - self._first).days // 7
        return pd.DataFrame(self._cube[:, j1:j2 + 1, :].sum(axis=1), index=self.ids, columns=list(FLOW_METRICS))

    def _plan(self, start: dt.date, end: dt.date) -> tuple:
        """How :meth:`sums` composes `start` .. `end`: ``("none",)``, ``("range", a, b)`` (one range read), or
        ``("weeks", w1, w2, last day read of w2, head range | None, tail range | None)``."""
        end = min(end, self.horizon)
        w1 = _monday(start) if start.weekday() == 0 else _monday(start) + dt.timedelta(weeks=1)
        last_whole = end.weekday() == 6 or end == self.horizon
        w2 = _monday(end) if last_whole else _monday(end) - dt.timedelta(weeks=1)
        if end < start:
            return ("none",)
        if w1 > w2 or w1 < self._first or w2 > self._last:
            return ("range", start, end)
        head = (start, w1 - dt.timedelta(days=1)) if start < w1 else None
        tail = (w2 + dt.timedelta(weeks=1), end) if end > w2 + dt.timedelta(days=6) else None
        return ("weeks", w1, w2, min(w2 + dt.timedelta(days=6), self.horizon), head, tail)

    def sums(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Flow totals per manager from `start` to `end` inclusive: the whole weeks from the weekly read, the
        partial weeks at either end from range reads."""
        plan = self._plan(start, end)
        if self._deps is not None:
            self._deps.append(("sums", start, end, plan))
        key = (start, end)
        if key in self._sums:
            return self._sums[key]
        if plan[0] == "none":
            out = pd.DataFrame(0.0, index=self.ids, columns=list(FLOW_METRICS))
        elif plan[0] == "range":
            out = self._range(plan[1], plan[2])
        else:
            _, w1, w2, _, head, tail = plan
            out = self._weeks(w1, w2)
            if head is not None:
                out = out + self._range(*head)
            if tail is not None:
                out = out + self._range(*tail)
        self._sums[key] = out
        return out

    # ---------------------------------------------------------------- monthly rules, shared between Inputs
    def per_month(self, rule_id: str, month: str, compute) -> list:
        """A monthly rule's hits, computed once per Inputs — and taken from another Inputs of the same call
        (same managers) when everything its computation read would read the same here: the same composition
        of every sum, the same balances carried in (:meth:`SharedReads.same_carry`)."""
        key = (rule_id, month)
        if key in self._monthly:
            return self._monthly[key]
        done = self._reads.month_hits.setdefault((rule_id, month, self._ids_key), [])
        for deps, hits in done:
            if all(self._holds(d) for d in deps):
                self._monthly[key] = hits
                return hits
        self._deps = []
        try:
            hits = compute()
        finally:
            deps, self._deps = self._deps, None
        done.append((deps, hits))
        self._monthly[key] = hits
        return hits

    def _holds(self, dep: tuple) -> bool:
        """True when what `dep` (recorded by another Inputs) read would be read the same by this one."""
        kind = dep[0]
        if kind == "sums":
            return self._plan(dep[1], dep[2]) == dep[3]
        if kind == "balances":
            _, start, end, ids, lookback = dep
            return end <= self.horizon and self._reads.same_carry(
                "rows", (start, end, ids), lookback, min(self._start, start))
        if kind == "bounds":
            _, first, last, at, lookback = dep
            return self._reads.same_carry("bounds", (first, last, at), lookback, self._start)
        return False

    # ---------------------------------------------------------------- logged days, balances
    def _load_marks(self) -> None:
        first = max(self._first, self._last - dt.timedelta(weeks=self.rules.history_weeks))
        marks, bare = self._reads.marks(first, self._last, self.horizon)
        notes = bare["notes"]
        blank = notes.isna() | (notes.astype(str).str.strip() == "")
        self._marks = (first, marks[marks["employee_id"].isin(self.all_ids)],
                       bare[blank & bare["employee_id"].isin(self.all_ids)])

    def week_days(self, monday: dt.date, horizon: dt.date):
        if self._marks is None:
            self._load_marks()
        first, marks, empties = self._marks
        if monday < first:
            raise ValueError(f"week {monday} is before the weeks read ({first})")
        end = min(monday + dt.timedelta(days=6), horizon)
        m = marks[marks["monday"] == pd.Timestamp(monday)]
        if m.empty:
            return None
        days = self.workdays(monday, end)
        row = self.ids.get_indexer(m["employee_id"])
        ok = row >= 0
        logged = np.zeros((len(self.ids), len(days)), dtype=bool)
        for j, d in enumerate(days):
            logged[row[ok], j] = m[f"d{d.weekday()}"].to_numpy()[ok] > 0
        empty = np.zeros_like(logged)
        e = empties[(empties["date"] >= pd.Timestamp(monday)) & (empties["date"] <= pd.Timestamp(end))]
        pos = {pd.Timestamp(d): j for j, d in enumerate(days)}
        col = e["date"].map(pos)
        er = self.ids.get_indexer(e["employee_id"])
        keep = col.notna().to_numpy() & (er >= 0)
        empty[er[keep], col.to_numpy()[keep].astype(np.int64)] = True
        last = m.set_index("employee_id")["last"].reindex(self.ids)
        return days, logged, empty, last

    def balances(self, start: dt.date, end: dt.date, ids=None) -> pd.DataFrame:
        if self._deps is not None:
            self._deps.append(("balances", start, end, None if ids is None else tuple(sorted({str(e) for e in ids})),
                               min(self._start, start)) if end <= self.horizon else ("never",))
        rows = self._reads.balance_rows(start, end, self._start, ids)
        rows = rows[rows["employee_id"].isin(self.all_ids) & (rows["date"] <= pd.Timestamp(self.horizon))]
        grid = measures.carried_balances(rows, start, end, lookback=min(self._start, start))
        return grid.reindex(columns=self.ids if ids is None else ids).astype("float64")

    def spike_candidates(self, first: dt.date, last: dt.date, last_wd: dt.date, ratio: float) -> pd.Index:
        """Only managers whose balance on `last_wd` reaches `ratio` × the month's smallest carried balance can
        have it reach `ratio` × the month's 日均 (the mean of those carried balances, so never below their
        smallest): the daily balances are read for those alone. A smallest balance ≤ 0 bounds nothing."""
        if self._deps is not None:
            self._deps.append(("bounds", first, last, last_wd, self._start))
        b = self._reads.balance_bounds(first, last, last_wd, self._start).reindex(self.ids)
        bound = (ratio - measures.EPS) * b["low"] * (1 - 1e-9)
        maybe = b["at"].notna() & ((b["low"] <= 0) | b["low"].isna() | (b["at"] >= bound))
        return self.ids[maybe.to_numpy()]
