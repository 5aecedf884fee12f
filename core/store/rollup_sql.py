"""Keeping the week and month rollups (tables ``week_rollups`` / ``month_rollups``) equal to daily_logs.

Every writer of ``daily_logs`` calls :func:`refresh` with the (employee_id, date) keys it wrote, inside its own
write transaction: the touched (employee_id, week) and (employee_id, month) rows are deleted and recomputed with
one ``INSERT … SELECT … GROUP BY`` from daily_logs, so a rollup is never stale nor half-written (it commits or rolls
back with the import or undo). A few keys are refreshed key by key; many (a large import) by period range — one
delete and one grouped insert over the dates the import spans (restricted to its managers when they are few),
which is set-based and does not grow a giant key list.

The period of a day is computed by the database: :class:`week_start` (the ISO week's Monday) and
:class:`month_key` ('YYYY-MM') compile per dialect (PostgreSQL ``date_trunc`` / ``to_char``, SQLite ``date()`` /
``strftime``), so the same statement runs on both.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Date, String, and_, case, delete, func, insert, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core.schema import FLOW_METRICS
from core.store import tables as t
from core.store.values import usable

# Up to this many touched periods are refreshed key by key; beyond, by period range.
KEYED_LIMIT = 200
# A range refresh filters by the touched managers when they are at most this many (one IN list).
RANGE_IDS_LIMIT = 900


class week_start(FunctionElement):
    """The Monday of a date's ISO week, as a DATE."""
    type = Date()
    inherit_cache = True
    name = "week_start"


class month_key(FunctionElement):
    """A date's month as 'YYYY-MM'."""
    type = String(7)
    inherit_cache = True
    name = "month_key"


@compiles(week_start, "postgresql")
def _week_pg(element, compiler, **kw):
    return f"CAST(date_trunc('week', CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP)) AS DATE)"


@compiles(week_start, "sqlite")
def _week_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to the next Sunday (or stays on a Sunday); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(month_key, "postgresql")
def _month_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(month_key, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of 'YYYY-MM'."""
    y, m = int(month[:4]), int(month[5:7])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


class _Kind:
    """One rollup table: its period column, the period of a day in SQL and in Python, a period's days."""

    def __init__(self, table, col: str, expr, of_day, bounds):
        self.table, self.col, self.expr, self.of_day, self.bounds = table, col, expr, of_day, bounds


WEEK = _Kind(t.week_rollups, "week_start", week_start, monday, lambda w: (w, w + dt.timedelta(days=6)))
MONTH = _Kind(t.month_rollups, "month", month_key, month_of, month_bounds)
KINDS = (WEEK, MONTH)
ROLLUP_COLUMNS = ["employee_id", None, *FLOW_METRICS, "logged_days", *(f"days_{m}" for m in t.ROLLUP_POSITIVE_DAYS),
                  "balance_days", "balance_sum", "last_balance", "last_balance_date"]


def columns_of(kind: _Kind) -> list[str]:
    return [kind.col if c is None else c for c in ROLLUP_COLUMNS]


def grouped(kind: _Kind, where=None):
    """SELECT of the rollup rows recomputed from daily_logs (rows matching `where`), in :func:`columns_of` order."""
    d = t.daily_logs
    period = kind.expr(d.c.date)
    v = {m: usable(d.c[m]) for m in (*FLOW_METRICS, "deposit_balance")}
    g = select(d.c.employee_id.label("employee_id"), period.label(kind.col),
               *[func.coalesce(func.sum(v[m]), 0).label(m) for m in FLOW_METRICS],
               func.count().label("logged_days"),
               *[func.sum(case((v[m] > 0, 1), else_=0)).label(f"days_{m}") for m in t.ROLLUP_POSITIVE_DAYS],
               func.count(v["deposit_balance"]).label("balance_days"),
               func.sum(v["deposit_balance"]).label("balance_sum"),
               func.max(case((v["deposit_balance"].is_not(None), d.c.date))).label("last_balance_date"))
    if where is not None:
        g = g.where(where)
    g = g.group_by(d.c.employee_id, period).subquery("g")
    last = t.daily_logs.alias("last")
    cols = [g.c[c] for c in columns_of(kind)[:-2]] + [last.c.deposit_balance.label("last_balance"),
                                                       g.c.last_balance_date]
    return select(*cols).select_from(g.outerjoin(last, and_(last.c.employee_id == g.c.employee_id,
                                                            last.c.date == g.c.last_balance_date)))


def _write(conn, kind: _Kind, delete_where, source_where) -> None:
    conn.execute(delete(kind.table).where(delete_where))
    conn.execute(insert(kind.table).from_select(columns_of(kind), grouped(kind, source_where)))


def _refresh_kind(conn, kind: _Kind, keys: set[tuple[str, object]]) -> None:
    if not keys:
        return
    r, d = kind.table.c, t.daily_logs.c
    if len(keys) <= KEYED_LIMIT:
        by_id: dict[str, list] = defaultdict(list)
        for eid, p in keys:
            by_id[eid].append(p)
        del_where = or_(*[and_(r.employee_id == eid, r[kind.col].in_(sorted(ps))) for eid, ps in by_id.items()])
        src = []
        for eid, ps in by_id.items():
            spans = [kind.bounds(p) for p in sorted(ps)]
            src.append(and_(d.employee_id == eid, or_(*[d.date.between(a, b) for a, b in spans])))
        _write(conn, kind, del_where, or_(*src))
        return
    periods = {p for _, p in keys}
    lo, hi = min(periods), max(periods)
    del_where = r[kind.col].between(lo, hi)
    src_where = d.date.between(kind.bounds(lo)[0], kind.bounds(hi)[1])
    ids = sorted({eid for eid, _ in keys})
    if len(ids) <= RANGE_IDS_LIMIT:
        del_where = and_(del_where, r.employee_id.in_(ids))
        src_where = and_(src_where, d.employee_id.in_(ids))
    _write(conn, kind, del_where, src_where)


def refresh(conn, keys) -> None:
    """Recompute the week and month rollups of the (employee_id, date) keys written in this transaction."""
    keys = list(keys)
    for kind in KINDS:
        _refresh_kind(conn, kind, {(eid, kind.of_day(day)) for eid, day in keys})


def refresh_range(conn, employee_ids, lo: dt.date, hi: dt.date) -> None:
    """Recompute every rollup of the periods lo..hi touches (for the given managers when few; every manager when
    `employee_ids` is None): for writers that know the span of what they wrote (the bulk load)."""
    ids = None if employee_ids is None else sorted(set(employee_ids))
    for kind in KINDS:
        a, b = kind.of_day(lo), kind.of_day(hi)
        r, d = kind.table.c, t.daily_logs.c
        del_where = r[kind.col].between(a, b)
        src_where = d.date.between(kind.bounds(a)[0], kind.bounds(b)[1])
        if ids is not None and len(ids) <= RANGE_IDS_LIMIT:
            del_where = and_(del_where, r.employee_id.in_(ids))
            src_where = and_(src_where, d.employee_id.in_(ids))
        _write(conn, kind, del_where, src_where)


def rebuild_conn(conn) -> dict[str, int]:
    """Delete every rollup row and recompute all of them from daily_logs; rows written per table."""
    out = {}
    for kind in KINDS:
        conn.execute(delete(kind.table))
        conn.execute(insert(kind.table).from_select(columns_of(kind), grouped(kind)))
        out[kind.table.name] = int(conn.execute(select(func.count()).select_from(kind.table)).scalar())
    return out
