"""What a statement is computed from, read for one period: quantities, targets, 日均 and reserve instalments.

The service (:mod:`core.commission.service`) reads the store with the caller's scope and hands the frames here;
these functions turn them into the keyword arguments of :func:`core.commission.compute.compute`:

* flows: the sum over the period of the manager's daily values, each day converted exactly
  (:func:`core.convert.dec`), with the non-zero days behind it;
* ``measure: avg_daily | avg_daily_increase`` items: the 日均 of ``deposit_balance`` (:mod:`.measure`), over the
  period's days up to the last date with any logged row in the database (:func:`data_end`);
* targets: the sum of the monthly targets of the period's months (no row in any month: no target); under an
  attainment multiplier every metric with a target counts, its actual being the period sum (the 日均 for
  ``deposit_balance``);
* reserve instalments paid in the period: every earlier period's deferred amount under the plan in force then,
  released by its plan's schedule, net of forfeits (:mod:`.reserve`). A closed period defers what its snapshot
  froze (nothing for a manager it has no snapshot of), never a recomputation; the deferred difference of an
  adjustment (往期调整) paid in a closed period Q is deferred in Q under the schedule of Q's plan
  (:func:`adjustment_deferrals`), so a late change to a deferral is released once, from Q.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core import schema
from core.commission import measure as avg
from core.commission import reserve
from core.commission.book import PlanBook
from core.commission.compute import Statement, compute
from core.commission.days import FlowDays
from core.commission.periods import Period, as_period, month_index, period_for
from core.commission.plan import AVG_MEASURES, Plan
from core.convert import ZERO, dec, money
from core.errors import AppError
from core.scope import Scope
from core.store import logs as store_logs
from core.store import pay as store_pay
from core.store import pay_reads
from core.store import reserve as store_reserve


def data_end(engine: Engine) -> dt.date | None:
    """The last date that has any logged row in the database (not only the caller's): where 日均 periods stop."""
    last = pay_reads.last_logged_date(engine)
    return None if last is None else pd.Timestamp(last).date()


class Flows:
    """One manager's flow metrics, prepared once: per metric his non-zero days in date order — (dates, exact
    Decimal values, lo, hi): his slice of lists shared with other managers —, so that a period's sum is a slice and
    its days a :class:`~core.commission.days.FlowDays` built only when read. Built from his rows (:meth:`of`) or,
    for many managers at once, by :func:`flows_by_employee`."""

    __slots__ = ("by_metric",)

    def __init__(self, by_metric: dict[str, tuple[list, list, int, int]] | None = None):
        self.by_metric = by_metric or {}

    @classmethod
    def of(cls, logs: pd.DataFrame | Flows | None, metrics: Iterable[str] | None = None) -> Flows:
        if isinstance(logs, Flows):
            return logs
        if logs is None or logs.empty:
            return cls()
        return flows_by_employee(logs, metrics, one=True).get(None, cls())

    def quantities(self, metrics: Iterable[str], start: dt.date | None = None,
                   end: dt.date | None = None) -> tuple[dict, dict]:
        """Per metric: the sum over start..end and the non-zero days behind it."""
        q, days = {}, {}
        for m in metrics:
            got = self.by_metric.get(m)
            if got is None:
                q[m], days[m] = ZERO, []
                continue
            ds, vals, lo, hi = got
            if start is not None:
                lo = bisect_left(ds, start, lo, hi)
            if end is not None:
                hi = bisect_right(ds, end, lo, hi)
            q[m] = sum(vals[lo:hi], ZERO)
            days[m] = FlowDays(ds, vals, lo, hi)
        return q, days


def flows_by_employee(logs: pd.DataFrame | None, metrics: Iterable[str] | None = None,
                      one: bool = False) -> dict:
    """employee_id → :class:`Flows` of `metrics` (default: every flow column of `logs`), each value converted
    exactly (:func:`core.convert.dec`) and zeros left out; `one`: the rows are one manager's (key None)."""
    if logs is None or logs.empty:
        return {}
    cols = [m for m in (metrics if metrics is not None else logs.columns) if m in logs and m != avg.METRIC
            and m in FLOW_COLUMNS]
    dates = np.empty(len(logs), dtype=object)
    dates[:] = logs["date"].to_numpy(dtype="datetime64[D]").tolist()
    if one:
        codes, uniq = np.zeros(len(logs), dtype=np.int64), [None]
    else:
        codes, uniq = pd.factorize(logs["employee_id"].to_numpy(dtype=object))
    out: dict = {}
    for m in cols:
        arr = logs[m].to_numpy(dtype="float64")
        nz = np.flatnonzero((arr != 0) & ~np.isnan(arr))
        if not len(nz):
            continue
        nz = nz[np.argsort(codes[nz], kind="stable")]       # by manager, each in the rows' (date) order
        c = codes[nz]
        values = exact_values(arr[nz])
        ds = dates[nz].tolist()
        cuts = np.flatnonzero(np.diff(c)) + 1
        los, his = [0, *cuts.tolist()], [*cuts.tolist(), len(nz)]
        for lo, hi, e in zip(los, his, c[los].tolist()):
            fl = out.get(uniq[e])
            if fl is None:
                fl = out[uniq[e]] = Flows()
            fl.by_metric[m] = (ds, values, lo, hi)
    return out


def exact_values(arr: np.ndarray) -> list[Decimal]:
    """:func:`core.convert.dec` of every float of `arr` (non-zero values), one conversion per distinct value."""
    uniq, inv = np.unique(arr, return_inverse=True)
    exact = np.empty(len(uniq), dtype=object)
    exact[:] = [dec(f) for f in uniq.tolist()]
    return exact[inv.reshape(-1)].tolist()


def quantities(logs: pd.DataFrame | Flows, metrics: Iterable[str]) -> tuple[dict, dict]:
    """Per metric: the period's sum (Decimal, per-day conversion) and the non-zero days behind it."""
    metrics = list(metrics)
    return Flows.of(logs, metrics).quantities(metrics)


class TargetRows:
    """One manager's target rows (month, metric, Decimal value) in the order read."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[tuple[str, str, Decimal]] | None = None):
        self.rows = rows or []

    @classmethod
    def of(cls, targets: pd.DataFrame | TargetRows | None) -> TargetRows:
        if isinstance(targets, TargetRows):
            return targets
        if targets is None or targets.empty:
            return cls()
        return targets_by_employee(targets, one=True).get(None, cls())

    def metrics_in(self, months: Iterable[str]) -> list[str]:
        months = set(months)
        return list(dict.fromkeys(mt for mo, mt, _v in self.rows if mo in months))

    def sums(self, months: Iterable[str], metrics: Iterable[str]) -> dict:
        months = set(months)
        found: dict = {}
        for mo, mt, v in self.rows:          # one pass; each metric's values summed in the order read
            if mo in months:
                found.setdefault(mt, []).append(v)
        return {m: sum(found[m], ZERO) if m in found else None for m in metrics}


def targets_by_employee(targets: pd.DataFrame | None, one: bool = False) -> dict:
    """employee_id → :class:`TargetRows` (`one`: the rows are one manager's, key None)."""
    if targets is None or targets.empty:
        return {}
    out: dict = {}
    eids = [None] * len(targets) if one else targets["employee_id"].tolist()
    values = targets["value"].tolist()
    exact = {v: dec(v) for v in set(values) if v}      # not 0: 0.0 and -0.0 are one key but two Decimals
    for e, mo, mt, v in zip(eids, targets["month"].tolist(), targets["metric"].tolist(), values):
        tr = out.get(e)
        if tr is None:
            tr = out[e] = TargetRows()
        tr.rows.append((mo, mt, exact[v] if v else dec(v)))
    return out


def targets_for(targets: pd.DataFrame | TargetRows, months: Iterable[str], metrics: Iterable[str]) -> dict:
    return TargetRows.of(targets).sums(months, metrics)


def measured(plan: Plan, per: Period, logs: pd.DataFrame | Flows, targets: pd.DataFrame | TargetRows,
             balances: pd.DataFrame | avg.Balances | None = None, end: dt.date | None = None) -> dict:
    """compute()'s quantities, days, targets, actuals and avg for one manager: `logs` are his rows (or
    :class:`Flows`) — only the period's days count —, `targets` his target rows, `balances` his logged balances up
    to the period's end (any earlier date)."""
    tr = TargetRows.of(targets)
    metrics = list(plan.metrics)
    if plan.attainment_multiplier is not None and tr.rows:
        metrics += [m for m in tr.metrics_in(per.months) if m not in metrics]
    flows = [m for m in metrics if m != avg.METRIC]
    q, days = Flows.of(logs, flows).quantities(flows, per.start, per.end)
    tg = tr.sums(per.months, metrics)
    actuals = {m: q[m] for m in flows}
    bal = avg.Balances.of(balances)
    avgs = {}
    for item in plan.items:
        if item.measure in AVG_MEASURES:
            a = avg.measure(item.measure, item.base, per, bal, end)
            avgs[item.metric], q[item.metric], days[item.metric] = a, a.quantity, a.days
    if avg.METRIC in metrics:
        actuals[avg.METRIC] = avgs[avg.METRIC].current if avg.METRIC in avgs else avg.avg_daily(bal, per, end)[0]
        q.setdefault(avg.METRIC, actuals[avg.METRIC])
    return {"quantities": q, "days": days, "targets": tg, "actuals": actuals, "avg": avgs}


def needed_metrics(plans: Iterable[Plan]) -> list[str]:
    """The flow metrics statements under `plans` read (items, deductions; every target metric under a multiplier)."""
    out: dict = {}
    for p in plans:
        out.update(dict.fromkeys(p.metrics))
        if p.attainment_multiplier is not None:
            out.update(dict.fromkeys(schema.TARGET_METRICS))
    return [m for m in out if m != avg.METRIC]


def needs_balances(plan: Plan) -> bool:
    return any(i.measure in AVG_MEASURES for i in plan.items) or plan.attainment_multiplier is not None


# ---------------------------------------------------------------- past periods and the reserve

def release_span(plans: Iterable[Plan]) -> int:
    """The most months an amount may wait for its last instalment under any of `plans` (0: none releases)."""
    span = 0
    for p in plans:
        r = p.reserve_release
        if r is not None and any(i.deferred_share > 0 for i in p.items):
            span = max(span, r.first_after_months + r.every_months * (r.instalments - 1))
    return span


def _defers(plan: Plan) -> bool:
    return any(i.deferred_share > 0 for i in plan.items)


def _due_in(p: Period, plan: Plan, per: Period) -> bool:
    """Whether an amount deferred in `p` under `plan` has an instalment due in `per`."""
    r = plan.reserve_release
    if r is None:
        return False
    due = {cal.add_months(p.months[-1], r.first_after_months + k * r.every_months) for k in range(r.instalments)}
    return bool(due & set(per.months))


def months_between(first: str, last: str) -> list[str]:
    months, m = [], first
    while month_index(m) <= month_index(last):
        months.append(m)
        m = cal.add_months(m, 1)
    return months


def past_periods(book: PlanBook, months: list[str]) -> list[tuple[Period, Plan]]:
    """The settlement periods covering `months` (in order), each with the plan in force for it; months without
    a plan, and periods whose plan settles differently, are skipped."""
    out, seen = [], set()
    for m in months:
        pl = book.plan_for(cal.month_bounds(m)[0])
        if pl is None:
            continue
        p = period_for(m, pl.settlement)
        if p.key in seen:
            continue
        pl = book.plan_for(p.start) or pl
        if pl.settlement != p.kind:
            continue
        seen.add(p.key)
        out.append((p, pl))
    return out


def past_statements(row: dict, periods: list[tuple[Period, Plan]], logs: pd.DataFrame | Flows,
                    targets: pd.DataFrame | TargetRows, balances: pd.DataFrame | avg.Balances | None,
                    end: dt.date | None) -> list[tuple[Period, Plan, Statement]]:
    """One manager's statement for each of `periods` (no releases: a deferral does not depend on them);
    periods that cannot be computed (grade not in that plan) are skipped."""
    out = []
    flows = Flows.of(logs, needed_metrics(pl for _p, pl in periods))
    tr, bal = TargetRows.of(targets), avg.Balances.of(balances)
    for p, pl in periods:
        try:
            s = compute(pl, employee_id=row["employee_id"], grade=row["grade"], period=p, name=row["name"],
                        team=row["team"], **measured(pl, p, flows, tr, bal, end))
        except AppError:
            continue
        out.append((p, pl, s))
    return out


@dataclass(frozen=True)
class Frozen:
    """What closed periods froze for one manager: the closed keys and his snapshots' deferred amounts."""
    closed: frozenset = frozenset()
    deferred: dict = dc_field(default_factory=dict)      # period key → Decimal

    def deferred_of(self, period: str, recomputed: Decimal) -> Decimal:
        """A closed period's frozen deferral (0 without a snapshot of him); an open one's recomputation."""
        if period in self.closed:
            return self.deferred.get(period, ZERO)
        return recomputed


def read_frozen(engine: Engine, scope: Scope, employee_id: str | None = None) -> tuple[frozenset, dict]:
    """The closed period keys, and employee_id → {period: frozen deferred} for the managers the caller sees."""
    closed = frozenset(store_pay.closed_keys(engine))
    out: dict = {}
    for eid, period, deferred in store_pay.read_frozen_deferred(engine, scope, employee_id).itertuples(index=False):
        out.setdefault(str(eid), {})[period] = money(dec(deferred))
    return closed, out


def adjustment_deferrals(adjustments: pd.DataFrame | None, book: PlanBook, upto: dt.date) -> list[reserve.Deferral]:
    """The deferred differences of the adjustments paid (frozen) in periods ending by `upto`, one
    :class:`~core.commission.reserve.Deferral` per paying period under the schedule of the plan in force there: a
    late change to a closed period's deferred amount is held as if deferred in the period that pays it."""
    sums: dict[str, Decimal] = {}
    if adjustments is not None and not adjustments.empty:
        for paid_in, deferred in zip(adjustments["paid_in"], adjustments["deferred"]):
            if not isinstance(paid_in, str) or dec(deferred) == 0 or as_period(paid_in).end > upto:
                continue
            sums[paid_in] = sums.get(paid_in, ZERO) + dec(deferred)
    out = []
    for key in sorted(sums, key=lambda k: as_period(k).start):
        p = as_period(key)
        plan = book.plan_for(p.start)
        out.append(reserve.Deferral(key, p.months[-1], money(sums[key]), plan.reserve_release if plan else None))
    return out


def deferrals(past: list[tuple[Period, Plan, Statement]], frozen: Frozen,
              adjusted: Iterable[reserve.Deferral] = ()) -> list[reserve.Deferral]:
    """The deferrals of `past` (closed periods: as frozen) followed by the adjustment deferrals `adjusted`."""
    return [*(reserve.Deferral(p.key, p.months[-1], frozen.deferred_of(p.key, s.deferred), pl.reserve_release)
              for p, pl, s in past), *adjusted]


def instalments(deferred: list[reserve.Deferral], forfeits: pd.DataFrame | None) -> list[reserve.Instalment]:
    """Every instalment of `deferred`, after the manager's forfeits (month, amount; oldest first)."""
    inst = reserve.schedule(deferred)
    fs = [] if forfeits is None or forfeits.empty else list(zip(forfeits["month"], forfeits["amount"]))
    return reserve.apply_forfeits(inst, fs)[0]


def window_start(per: Period, span: int, forfeits: pd.DataFrame | None) -> str:
    """The first month whose deferrals can be released in `per` (or be reached by one of its forfeits)."""
    first = per.months[0]
    if forfeits is not None and not forfeits.empty:
        first = min([first, *forfeits["month"]], key=month_index)
    return cal.add_months(first, -(span + 2))


def release_periods(book: PlanBook, plan: Plan, per: Period,
                    forfeits: pd.DataFrame | None) -> list[tuple[Period, Plan]]:
    """The earlier periods whose deferrals must be computed to know what `per` releases: with no forfeit to
    allocate, those with an instalment due in `per`; with forfeits, every deferring period they may reach."""
    span = release_span([plan, *(pl for _pid, pl in book.entries)])
    if span == 0:
        return []
    start = window_start(per, span, forfeits)
    before = cal.add_months(per.months[0], -1)
    if month_index(before) < month_index(start):
        return []
    periods = [(p, pl) for p, pl in past_periods(book, months_between(start, before))
               if p.end < per.start and _defers(pl)]
    if forfeits is None or forfeits.empty:
        periods = [(p, pl) for p, pl in periods if _due_in(p, pl, per)]
    return periods


def read_forfeits(engine: Engine, scope: Scope, employee_id: str | None = None) -> pd.DataFrame:
    return store_reserve.read_forfeits(engine, scope, employee_id=employee_id)


def releases(engine: Engine, scope: Scope, book: PlanBook, row: dict, per: Period, plan: Plan,
             end: dt.date | None, logs: pd.DataFrame | None = None, targets: pd.DataFrame | None = None,
             balances: pd.DataFrame | None = None, forfeits: pd.DataFrame | None = None,
             frozen: Frozen | None = None, adjustments: pd.DataFrame | None = None,
             plain: list[tuple[Period, Plan]] | None = None) -> list[reserve.Instalment]:
    """The reserve instalments paid to one manager in `per` (frames read here when not given; `logs` and
    `targets` must cover the periods of :func:`release_periods`, `balances` every date before `per`; `frozen`:
    what closed periods froze for him; `adjustments`: his adjustments, :func:`core.store.pay.read_adjustments`;
    `plain`: :func:`release_periods` without forfeits, when the caller has it for many managers)."""
    if plain is None and release_span([plan, *(pl for _pid, pl in book.entries)]) == 0:
        return []
    eid = row["employee_id"]
    if forfeits is None:
        forfeits = read_forfeits(engine, scope, eid)
    if frozen is None:
        closed, mine = read_frozen(engine, scope, eid)
        frozen = Frozen(closed, mine.get(str(eid), {}))
    if adjustments is None:
        adjustments = store_pay.read_adjustments(engine, scope, employee_id=eid)
    adjusted = adjustment_deferrals(adjustments, book, per.start - dt.timedelta(days=1))
    if forfeits is None or forfeits.empty:
        adjusted = [d for d in adjusted if any(i.month in per.months for i in reserve.schedule([d]))]
    if plain is not None and (forfeits is None or forfeits.empty):
        periods = plain
    else:
        periods = release_periods(book, plan, per, forfeits)
    if not periods and not adjusted:
        return []
    frozen_defs = [reserve.Deferral(p.key, p.months[-1], frozen.deferred.get(p.key, ZERO), pl.reserve_release)
                   for p, pl in periods if p.key in frozen.closed]      # closed: as frozen, never recomputed
    periods = [(p, pl) for p, pl in periods if p.key not in frozen.closed]
    past = []
    if periods:
        first, last = periods[0][0], periods[-1][0]
        if logs is None:
            logs = store_logs.read_logs(engine, scope, start=first.start, end=last.end, employee_id=eid)
        if targets is None:
            targets = store_logs.read_targets(engine, scope, months=months_between(first.months[0],
                                                                                   last.months[-1]),
                                              employee_id=eid)
        if balances is None:
            balances = store_logs.read_balances(engine, scope, end=last.end, employee_id=eid)
        past = past_statements(row, periods, logs, targets, balances, end)
    return reserve.released_in(instalments([*frozen_defs, *deferrals(past, frozen, adjusted)], forfeits), per)


FLOW_COLUMNS = frozenset(m for m in schema.METRICS if m != avg.METRIC)

__all__ = ["data_end", "Flows", "flows_by_employee", "TargetRows", "targets_by_employee", "needed_metrics",
           "quantities", "targets_for", "measured", "needs_balances", "release_span",
           "months_between", "past_periods", "past_statements", "Frozen", "read_frozen", "adjustment_deferrals",
           "deferrals", "instalments", "window_start", "release_periods",
           "read_forfeits", "releases"]
