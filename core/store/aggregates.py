"""Aggregate reads of the daily logs: one ``GROUP BY`` each, scoped inside the query, only the columns asked for.

The routine pages (晨会, 周小结, 月总结) read these instead of raw rows. Every function joins the daily logs to
the roster rows the caller may see (:func:`core.store.logs.scoped_roster_query`, i.e. :meth:`Scope.row_filter`),
narrowed to a `team` / business `line` when given — exactly the rows :func:`core.store.logs.read_logs` would
return — and sums in the database:

* :func:`period_sums` — per manager over one date range (sums, logged days, days with a metric > 0);
* :func:`periods_sums` — the same for several disjoint date ranges in one query (a ``CASE`` names the period);
* :func:`month_sums` / :func:`week_sums` — per manager per calendar month / ISO week: the month- and week-grain
  reads, each one function so that it can later be served from a rollup table;
* :func:`daily_sums` — per day over a range (the pace chart), one row per logged day;
* :func:`daily_values` — one metric per manager per day over a range (the week's visits grid);
* :func:`balance_figures` — per manager and period, the 日均 inputs of the carried-forward deposit balance: the
  days with a known balance, their sum and the balance on the period's last day (a window function carries each
  logged balance forward to the next one).

Stored values that :func:`core.store.values.sane` would read as not logged (±Inf, NaN, beyond
:data:`core.store.values.STORE_LIMIT`) are left out of the sums in the same way. Frames are sorted by their keys
in Python order (not the database collation), so SQLite and PostgreSQL return the same rows in the same order.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Float, Integer, String, and_, case, cast, func, literal, or_, select, type_coerce

from core.errors import AppError
from core.schema import METRICS
from core.scope import Scope
from core.store import tables as t
from core.store.logs import scoped_roster_subquery
from core.store.values import usable

FLOWS = tuple(m for m in METRICS if m != "deposit_balance")
_EPOCH = dt.date(1970, 1, 1)


def _day(x) -> dt.date:
    return pd.Timestamp(x).date()


def _check_flows(metrics: Sequence[str]) -> list[str]:
    ms = list(metrics)
    bad = [m for m in ms if m not in FLOWS]
    if bad:
        raise AppError("metrics.error.stock") if "deposit_balance" in bad else \
            AppError("aggregates.unknown_metric", metric=", ".join(bad))
    return ms


def _sum(col):
    # read as a plain float (no per-value Decimal processing: the frames are floats anyway)
    return type_coerce(func.coalesce(func.sum(usable(col)), 0), Float)


def _positive_days(col):
    return type_coerce(func.sum(case((usable(col) > 0, 1), else_=0)), Integer)


def _date_text(col):
    """A DATE column read without per-row parsing (ISO text on SQLite, a date on PostgreSQL): pandas parses it."""
    return type_coerce(col, String)


def _floats(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    for c in cols:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def _in_spans(spans):
    """date within one of the (start, end) spans: one indexed range each."""
    d = t.daily_logs.c
    conds = [and_(d.date >= a, d.date <= b) for a, b in spans]
    return conds[0] if len(conds) == 1 else or_(*conds)


def _sums_query(scope, spans, metrics, team, line, positive_days, employee_id, key=None):
    d = t.daily_logs.c
    r = scoped_roster_subquery(scope, team, line)
    cols = [_sum(d[m]).label(m) for m in metrics]
    cols += [_positive_days(d[m]).label(f"days_{m}") for m in positive_days]
    keys = [d.employee_id] if key is None else [key.label("period"), d.employee_id]
    q = select(*keys, *cols, func.count().label("days_logged")).join(r, r.c.employee_id == d.employee_id)
    q = q.where(_in_spans(spans))
    if employee_id:
        q = q.where(d.employee_id == employee_id)
    return q.group_by(*keys)


def _sums_frame(conn, q, keys, metrics, positive_days) -> pd.DataFrame:
    cols = [*keys, *metrics, *(f"days_{m}" for m in positive_days), "days_logged"]
    df = pd.DataFrame(conn.execute(q).fetchall(), columns=cols)
    df = _floats(df, [*metrics])
    for c in (*(f"days_{m}" for m in positive_days), "days_logged"):
        df[c] = pd.to_numeric(df[c]).astype("int64")
    df["employee_id"] = df["employee_id"].astype(object)
    return df.sort_values(list(keys), kind="stable").reset_index(drop=True)


def period_sums(engine: Engine, scope: Scope, start, end, metrics: Sequence[str] = FLOWS,
                team: str | None = None, line: str | None = None, positive_days: Sequence[str] = (),
                employee_id: str | None = None) -> pd.DataFrame:
    """Per manager who logged in start..end (inclusive): the sum of each flow metric (blank = 0), ``days_<m>``
    (logged days with <m> > 0) for each of `positive_days`, and ``days_logged``. Columns employee_id, metrics…,
    days_…, days_logged; sorted by employee_id; empty when start > end."""
    ms, pos = _check_flows(metrics), _check_flows(positive_days)
    a, b = _day(start), _day(end)
    if a > b:
        return _sums_frame_empty(["employee_id"], ms, pos)
    with engine.connect() as conn:
        return _sums_frame(conn, _sums_query(scope, [(a, b)], ms, team, line, pos, employee_id), ["employee_id"], ms,
                           pos)


def _sums_frame_empty(keys, ms, pos) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series(dtype=object) for k in keys}, **{m: pd.Series(dtype="float64") for m in ms},
                         **{f"days_{m}": pd.Series(dtype="int64") for m in pos},
                         "days_logged": pd.Series(dtype="int64")})


def periods_sums(engine: Engine, scope: Scope, periods: Mapping[str, tuple], metrics: Sequence[str] = FLOWS,
                 team: str | None = None, line: str | None = None, positive_days: Sequence[str] = (),
                 employee_id: str | None = None) -> pd.DataFrame:
    """:func:`period_sums` for several date ranges at once — {period key: (start, end)}, ranges that do not
    overlap (an empty range, start > end, is allowed and has no rows) — in one ``GROUP BY`` on a ``CASE``.
    Columns: period, employee_id, metrics…, days_…, days_logged; sorted by period, employee_id."""
    ms, pos = _check_flows(metrics), _check_flows(positive_days)
    spans = {k: (_day(a), _day(b)) for k, (a, b) in periods.items()}
    spans = {k: v for k, v in spans.items() if v[0] <= v[1]}
    ordered = sorted(spans.values())
    if any(x[1] >= y[0] for x, y in zip(ordered, ordered[1:])):
        raise AppError("aggregates.overlap")
    if not spans:
        return _sums_frame_empty(["period", "employee_id"], ms, pos)
    d = t.daily_logs.c
    key = case(*[(and_(d.date >= a, d.date <= b), literal(k)) for k, (a, b) in spans.items()], else_=None)
    q = _sums_query(scope, ordered, ms, team, line, pos, employee_id, key=key)
    with engine.connect() as conn:
        df = _sums_frame(conn, q, ["period", "employee_id"], ms, pos)
    df["period"] = df["period"].astype(object)
    return df


def _rollup_sums(engine: Engine, scope: Scope, table, period_col, wanted: Mapping, metrics, team, line,
                 positive_days, employee_id, name: str) -> pd.DataFrame:
    """:func:`periods_sums` served from a rollup table (core.store.rollup_sql keeps it equal to the GROUP BY over
    daily_logs in every write transaction): `wanted` maps each stored period value to the key it is reported as."""
    ms, pos = _check_flows(metrics), _check_flows(positive_days)
    if not wanted:
        return _sums_frame_empty([name, "employee_id"], ms, pos)
    rc = table.c
    r = scoped_roster_subquery(scope, team, line)
    q = select(rc[period_col].label("period"), rc.employee_id, *[type_coerce(rc[m], Float).label(m) for m in ms],
               *[rc[f"days_{m}"] for m in pos], rc.logged_days).join(r, r.c.employee_id == rc.employee_id)
    q = q.where(rc[period_col].in_(list(wanted)))
    if employee_id:
        q = q.where(rc.employee_id == employee_id)
    with engine.connect() as conn:
        df = _sums_frame(conn, q, ["period", "employee_id"], ms, pos)
    df["period"] = df["period"].map(lambda v: wanted[v if isinstance(v, (str, dt.date)) else str(v)]).astype(object)
    df = df.sort_values(["period", "employee_id"], kind="stable").reset_index(drop=True)
    return df.rename(columns={"period": name})


def _served_by_rollups(positive_days: Sequence[str]) -> bool:
    return set(positive_days) <= set(t.ROLLUP_POSITIVE_DAYS)


def month_sums(engine: Engine, scope: Scope, months: Sequence[str], metrics: Sequence[str] = FLOWS,
               team: str | None = None, line: str | None = None, positive_days: Sequence[str] = (),
               employee_id: str | None = None) -> pd.DataFrame:
    """Per manager per calendar month ('YYYY-MM') of `months`: the sums of :func:`periods_sums` with the month as
    period (column ``month``), read from the month rollups (one row per manager and month) instead of the raw
    rows whenever the rollups hold what is asked (flows, and ``days_<m>`` of :data:`tables.ROLLUP_POSITIVE_DAYS`)."""
    months = list(dict.fromkeys(months))
    if _served_by_rollups(positive_days):
        return _rollup_sums(engine, scope, t.month_rollups, "month", {m: m for m in months}, metrics, team, line,
                            positive_days, employee_id, "month")
    spans = {}
    for mk in months:
        y, m = int(mk[:4]), int(mk[5:7])
        first = dt.date(y, m, 1)
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        spans[mk] = (first, nxt - dt.timedelta(days=1))
    df = periods_sums(engine, scope, spans, metrics, team, line, positive_days, employee_id)
    return df.rename(columns={"period": "month"})


def week_sums(engine: Engine, scope: Scope, weeks: Sequence[str], metrics: Sequence[str] = FLOWS,
              team: str | None = None, line: str | None = None, positive_days: Sequence[str] = (),
              employee_id: str | None = None) -> pd.DataFrame:
    """Per manager per ISO week ('YYYY-Www') of `weeks`: the sums of :func:`periods_sums` with the week as period
    (column ``week``), read from the week rollups when they hold what is asked (as :func:`month_sums`)."""
    mondays = {wk: dt.date.fromisocalendar(int(wk[:4]), int(wk[6:8]), 1) for wk in dict.fromkeys(weeks)}
    if _served_by_rollups(positive_days):
        return _rollup_sums(engine, scope, t.week_rollups, "week_start", {d: wk for wk, d in mondays.items()},
                            metrics, team, line, positive_days, employee_id, "week")
    spans = {wk: (mon, mon + dt.timedelta(days=6)) for wk, mon in mondays.items()}
    df = periods_sums(engine, scope, spans, metrics, team, line, positive_days, employee_id)
    return df.rename(columns={"period": "week"})


def daily_sums(engine: Engine, scope: Scope, start, end, metrics: Sequence[str] = FLOWS, team: str | None = None,
               line: str | None = None, employee_id: str | None = None) -> pd.DataFrame:
    """Per logged day of start..end: the sum of each metric over the managers in scope, and ``managers`` (rows
    that day). Columns: date (datetime64), metrics…, managers; by date; days nobody logged are absent."""
    ms = _check_flows(metrics)
    a, b = _day(start), _day(end)
    cols = ["date", *ms, "managers"]
    if a > b:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), **{m: pd.Series(dtype="float64") for m in ms},
                             "managers": pd.Series(dtype="int64")})
    d = t.daily_logs.c
    r = scoped_roster_subquery(scope, team, line)
    q = select(_date_text(d.date), *[_sum(d[m]).label(m) for m in ms], func.count()).join(
        r, r.c.employee_id == d.employee_id)
    q = q.where(d.date >= a, d.date <= b)
    if employee_id:
        q = q.where(d.employee_id == employee_id)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q.group_by(d.date)).fetchall(), columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    df = _floats(df, ms)
    df["managers"] = pd.to_numeric(df["managers"]).astype("int64")
    return df.sort_values("date").reset_index(drop=True)


def daily_values(engine: Engine, scope: Scope, start, end, metric: str, team: str | None = None,
                 line: str | None = None) -> pd.DataFrame:
    """One flow `metric` per manager per logged day of start..end (blank = 0): employee_id, date (datetime64),
    value; sorted by employee_id, date. A manager's day without a row is absent (not logged)."""
    m = _check_flows([metric])[0]
    a, b = _day(start), _day(end)
    d = t.daily_logs.c
    r = scoped_roster_subquery(scope, team, line)
    q = select(d.employee_id, _date_text(d.date), type_coerce(func.coalesce(usable(d[m]), 0), Float)).join(
        r, r.c.employee_id == d.employee_id)
    q = q.where(d.date >= a, d.date <= b)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", "date", "value"])
    df["date"] = pd.to_datetime(df["date"])
    df["employee_id"] = df["employee_id"].astype(object)
    df = _floats(df, ["value"])
    return df.sort_values(["employee_id", "date"], kind="stable").reset_index(drop=True)


def _day_no(engine: Engine, col):
    """Days since 1970-01-01 of a DATE column, as an integer, on SQLite and PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return cast(func.round(func.julianday(col) - 2440587.5), Integer)
    return col - literal(_EPOCH)


def balance_figures(engine: Engine, scope: Scope, periods: Mapping[str, tuple], lookback, team: str | None = None,
                    line: str | None = None) -> pd.DataFrame:
    """The carried-forward deposit balance per manager and period: each logged balance (from `lookback` on)
    holds every calendar day until the next logged one (as :func:`core.measures.carried_balances` carries it).

    For each {period key: (start, end)} and each manager with a balance logged from `lookback` to the latest
    end: ``known_days`` (days of the period with a known carried balance), ``balance_sum`` (the sum of those
    days' balances; 日均 = balance_sum / known_days) and ``point`` (the carried balance on the period's last
    day, NaN when none). Columns: period, employee_id, known_days, balance_sum, point; sorted by period, id.
    """
    spans = {k: (_day(a), _day(b)) for k, (a, b) in periods.items() if _day(a) <= _day(b)}
    cols = ["period", "employee_id", "known_days", "balance_sum", "point"]
    if not spans:
        return pd.DataFrame(columns=cols)
    lo = min(_day(lookback), *(a for a, _ in spans.values()))
    hi = max(b for _, b in spans.values())
    d = t.daily_logs.c
    r = scoped_roster_subquery(scope, team, line)
    bal = usable(d.deposit_balance)
    start = min(a for a, _ in spans.values())
    # the balances logged in the periods, and before the first period only the last one (it carries into it)
    carry = select(d.employee_id, func.max(d.date).label("date")).join(r, r.c.employee_id == d.employee_id).where(
        d.date >= lo, d.date < start, bal.is_not(None)).group_by(d.employee_id).subquery()
    logged = select(d.employee_id, d.date, bal.label("bal")).join(r, r.c.employee_id == d.employee_id).where(
        d.date >= start, d.date <= hi, bal.is_not(None))
    carried = select(d.employee_id, d.date, bal.label("bal")).join(
        carry, and_(carry.c.employee_id == d.employee_id, carry.c.date == d.date))
    recs = logged.union_all(carried).subquery()
    rday = _day_no(engine, recs.c.date)
    rows = select(recs.c.employee_id, rday.label("day"), recs.c.bal,
                  func.lead(rday).over(partition_by=recs.c.employee_id, order_by=recs.c.date).label("next_day")
                  ).subquery()
    per = []        # one pass over the rows: three sums per period
    for a, b in spans.values():
        pa, pb = (a - _EPOCH).days, (b - _EPOCH).days
        big = pb + 1
        until = func.coalesce(rows.c.next_day, big)                    # a record holds until the next one
        first = case((rows.c.day > pa, rows.c.day), else_=pa)
        last = case((until <= pb, until - 1), else_=pb)
        days = case((last >= first, last - first + 1), else_=0)
        per += [type_coerce(func.sum(days), Integer), type_coerce(func.sum(rows.c.bal * days), Float),
                type_coerce(func.max(case((and_(rows.c.day <= pb, until > pb), rows.c.bal), else_=None)), Float)]
    q = select(rows.c.employee_id, func.min(rows.c.day), *per).group_by(rows.c.employee_id)
    with engine.connect() as conn:
        wide = conn.execute(q).fetchall()
    out = []
    for j, (k, (_, b)) in enumerate(spans.items()):
        pb = (b - _EPOCH).days
        for row in wide:
            n, total, point = row[2 + 3 * j: 5 + 3 * j]
            if int(row[1]) <= pb:                                   # a balance logged by the period's end
                out.append((k, row[0], n, total, point))
    df = pd.DataFrame(out, columns=cols)
    df["known_days"] = pd.to_numeric(df["known_days"]).fillna(0).astype("int64")
    df = _floats(df, ["balance_sum", "point"])
    df.loc[df["known_days"] == 0, "balance_sum"] = np.nan
    df["period"] = df["period"].astype(object)
    df["employee_id"] = df["employee_id"].astype(object)
    return df.sort_values(["period", "employee_id"], kind="stable").reset_index(drop=True)
