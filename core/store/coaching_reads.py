"""The grouped reads of the coaching rules: per manager × week and per manager × period sums, computed by SQL.

The rules judge every manager of the branch each week (the peer medians need them all), so they never read the
raw daily rows: each read here is one ``GROUP BY`` over ``daily_logs``, scoped by :meth:`Scope.row_filter` inside
the SQL (the coaching service passes :func:`core.scope.internal` and filters what it returns), reading only the
days and columns asked for. Stored numbers that are not finite or too large count as not logged, as in
:func:`core.store.logs.read_logs` (:func:`core.store.values.sane`).

* :func:`week_sums` — per manager × ISO week (Monday–Sunday) sums and logged-day counts; the one weekly read,
  so it can be served from a per manager × week rollup table.
* :func:`range_sums` — per manager sums over any day range (month to date, a month's last working days).
* :func:`week_marks` — per manager × week: which weekdays have a row, and the last logged date.
* :func:`bare_rows` — the rows without any figure (notes decide whether they are empty rows).
* :func:`balance_rows` — the logged deposit balances of a period, with the last one before it carried in;
  :func:`balance_bounds` — per manager a month's smallest carried balance and the balance on one day (from
  :func:`balance_parts`, which one read serves for every later lookback: :func:`bounds_of`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal, or_, select

from core.schema import METRICS
from core.scope import Scope
from core.store import tables as t
from core.store.logs import scoped_roster_query
from core.store.values import usable

D = t.daily_logs.c
FLOWS = tuple(m for m in METRICS if m != "deposit_balance")


def _scoped(q, scope: Scope):
    r = scoped_roster_query(scope).subquery()
    return q.join(r, r.c.employee_id == D.employee_id)


def _float(df: pd.DataFrame, cols) -> pd.DataFrame:
    for c in cols:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def _date(d) -> dt.date:
    return pd.Timestamp(d).date()


def _week_case(first_monday: dt.date, n_weeks: int):
    """The week number (0 = the week of `first_monday`) of ``daily_logs.date``, as a portable CASE."""
    whens = [(D.date < first_monday + dt.timedelta(weeks=k + 1), literal(k)) for k in range(n_weeks - 1)]
    return case(*whens, else_=literal(n_weeks - 1)) if whens else literal(0)


def _weeks(first_monday, last_monday) -> list[dt.date]:
    a, b = _date(first_monday), _date(last_monday)
    return [a + dt.timedelta(weeks=k) for k in range((b - a).days // 7 + 1)] if b >= a else []


def week_sums(engine: Engine, scope: Scope, first_week_monday, last_week_monday, metrics=FLOWS,
              end=None) -> pd.DataFrame:
    """Per manager × week sums of `metrics` and the count of logged days, weeks `first_week_monday` ..
    `last_week_monday` (Mondays), the last week cut at `end` when given (a week still running).

    Columns: employee_id, monday (datetime64), every metric (float64, 0 when nothing usable was logged),
    logged_days. Only manager-weeks with at least one row are returned.
    """
    mondays = _weeks(first_week_monday, last_week_monday)
    metrics = list(metrics)
    cols = ["employee_id", "monday", *metrics, "logged_days"]
    if not mondays:
        return pd.DataFrame(columns=cols)
    stop = mondays[-1] + dt.timedelta(days=6)
    stop = min(stop, _date(end)) if end is not None else stop
    whole = [m for m in mondays if m + dt.timedelta(days=6) <= stop]   # kept by the week rollups
    cut = [m for m in mondays if m not in whole and m <= stop]         # a week still running: its raw rows
    parts = [_rollup_weeks(engine, scope, whole, metrics)] if whole else []
    if cut:
        wk = _week_case(cut[0], len(cut)).label("wk")
        q = select(D.employee_id, wk, *[func.coalesce(func.sum(usable(D[m])), 0).label(m) for m in metrics],
                   func.count().label("logged_days"))
        q = _scoped(q.select_from(t.daily_logs), scope).where(D.date >= cut[0], D.date <= stop) \
            .group_by(D.employee_id, wk)
        with engine.connect() as conn:
            df = pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", "wk", *metrics, "logged_days"])
        df["monday"] = pd.Series([cut[int(k)] for k in df["wk"]], dtype="object")
        parts.append(df[cols])
    parts = [p for p in parts if len(p)] or parts[:1]   # an empty part must not decide the columns' dtypes
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    df["monday"] = pd.to_datetime(pd.Series(list(df["monday"]), dtype="object"))
    df["logged_days"] = df["logged_days"].astype("int64")
    return _float(df, metrics)[cols].sort_values(["employee_id", "monday"], kind="mergesort").reset_index(drop=True)


def _rollup_weeks(engine: Engine, scope: Scope, mondays: list[dt.date], metrics: list[str]) -> pd.DataFrame:
    """Whole weeks from the week rollups (kept equal to the GROUP BY over daily_logs in every write transaction)."""
    w = t.week_rollups.c
    r = scoped_roster_query(scope).subquery()
    q = select(w.employee_id, w.week_start, *[w[m] for m in metrics], w.logged_days) \
        .join(r, r.c.employee_id == w.employee_id).where(w.week_start.in_(mondays))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", "monday", *metrics, "logged_days"])


def range_sums(engine: Engine, scope: Scope, start, end, metrics=FLOWS) -> pd.DataFrame:
    """Per manager sums of `metrics` from `start` to `end` inclusive (managers with a row in the range only).
    Index employee_id; float64 columns (0 when nothing usable was logged)."""
    metrics = list(metrics)
    q = select(D.employee_id, *[func.coalesce(func.sum(usable(D[m])), 0).label(m) for m in metrics])
    q = _scoped(q.select_from(t.daily_logs), scope).where(D.date >= _date(start), D.date <= _date(end)) \
        .group_by(D.employee_id)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", *metrics])
    return _float(df, metrics).set_index("employee_id")


def week_marks(engine: Engine, scope: Scope, first_week_monday, last_week_monday, end=None) -> pd.DataFrame:
    """Per manager × week: ``d0`` .. ``d6`` (1 when a row is logged on that weekday, Monday = d0) and ``last``
    (the last logged date of the week), weeks `first_week_monday` .. `last_week_monday`, cut at `end`."""
    mondays = _weeks(first_week_monday, last_week_monday)
    cols = ["employee_id", "monday", *(f"d{j}" for j in range(7)), "last"]
    if not mondays:
        return pd.DataFrame(columns=cols)
    stop = mondays[-1] + dt.timedelta(days=6)
    stop = min(stop, _date(end)) if end is not None else stop
    wk = _week_case(mondays[0], len(mondays)).label("wk")
    days = {j: [m + dt.timedelta(days=j) for m in mondays] for j in range(7)}
    q = select(D.employee_id, wk, *[func.max(case((D.date.in_(days[j]), 1), else_=0)).label(f"d{j}")
                                    for j in range(7)], func.max(D.date).label("last"))
    q = _scoped(q.select_from(t.daily_logs), scope).where(D.date >= mondays[0], D.date <= stop) \
        .group_by(D.employee_id, wk)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", "wk", *cols[2:]])
    df["monday"] = pd.to_datetime(pd.Series([mondays[int(k)] for k in df["wk"]], dtype="object"))
    df["last"] = pd.to_datetime(df["last"])
    for j in range(7):
        df[f"d{j}"] = df[f"d{j}"].astype("int64")
    return df[cols]


def bare_rows(engine: Engine, scope: Scope, start, end) -> pd.DataFrame:
    """The rows from `start` to `end` with no usable figure at all (every flow 0 or blank, no balance):
    employee_id, date (datetime64), notes. Whether such a row is an *empty* row depends on its notes."""
    blank = [or_(usable(D[m]).is_(None), usable(D[m]) == 0) for m in FLOWS] + [usable(D.deposit_balance).is_(None)]
    q = _scoped(select(D.employee_id, D.date, D.notes).select_from(t.daily_logs), scope).where(
        D.date >= _date(start), D.date <= _date(end), and_(*blank))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", "date", "notes"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def _last_balance(scope: Scope, a: dt.date, b: dt.date):
    """SELECT employee_id, date, deposit_balance of each manager's last usable balance from `a` to `b`."""
    bal = usable(D.deposit_balance)
    last = _scoped(select(D.employee_id, func.max(D.date).label("last")).select_from(t.daily_logs), scope) \
        .where(D.date >= a, D.date <= b, bal.is_not(None)).group_by(D.employee_id).subquery()
    return select(D.employee_id, D.date, bal.label("deposit_balance")).join(
        last, and_(last.c.employee_id == D.employee_id, last.c.last == D.date))


def balance_rows(engine: Engine, scope: Scope, start, end, lookback=None, employee_ids=None) -> pd.DataFrame:
    """The usable deposit balances logged from `start` to `end`, plus each manager's last one logged from
    `lookback` to the day before `start` (so it carries into the period): employee_id, date (datetime64),
    deposit_balance (float64). With `employee_ids`, only those managers' rows."""
    a, b = _date(start), _date(end)
    bal = usable(D.deposit_balance)
    q = _scoped(select(D.employee_id, D.date, bal.label("deposit_balance")).select_from(t.daily_logs), scope) \
        .where(D.date >= a, D.date <= b, bal.is_not(None))
    rows = [q]
    if lookback is not None and _date(lookback) < a:
        rows.append(_last_balance(scope, _date(lookback), a - dt.timedelta(days=1)))
    if employee_ids is not None:
        ids = sorted({str(e) for e in employee_ids})
        if not ids:
            return pd.DataFrame({"employee_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                                 "deposit_balance": pd.Series(dtype="float64")})
        rows = [r.where(D.employee_id.in_(ids)) for r in rows]
    with engine.connect() as conn:
        df = pd.DataFrame([r for q in rows for r in conn.execute(q).fetchall()],
                          columns=["employee_id", "date", "deposit_balance"])
    df["date"] = pd.to_datetime(df["date"])
    df["deposit_balance"] = pd.to_numeric(df["deposit_balance"], errors="coerce").astype("float64")
    return df.sort_values(["date", "employee_id"], kind="mergesort").reset_index(drop=True)


def _month(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _last_balance_of_months(scope: Scope, lookback: dt.date, before: dt.date):
    """Like :func:`_last_balance` from `lookback` to the day before `before` (the first of a month), from the month
    rollups: each manager's latest month with a last balance logged on or after `lookback` holds it."""
    m = t.month_rollups.c
    r = scoped_roster_query(scope).subquery()
    latest = select(m.employee_id, func.max(m.month).label("month")).join(r, r.c.employee_id == m.employee_id) \
        .where(m.month >= _month(lookback), m.month <= _month(before - dt.timedelta(days=1)),
               m.last_balance_date >= lookback).group_by(m.employee_id).subquery()
    return select(m.employee_id, m.last_balance_date, m.last_balance).join(
        latest, and_(latest.c.employee_id == m.employee_id, latest.c.month == m.month))


def _carried_in(conn, scope: Scope, a: dt.date, lookback: dt.date, near_days: int = 35) -> pd.DataFrame:
    """Each manager's last usable balance from `lookback` to the day before `a` (index employee_id; columns
    ``carried``, ``carried_date``). Before the first of a month it is read from the month rollups (one row per
    manager and month, kept with the logs); else it is looked for in the raw rows of the last `near_days` days
    first, then further back only for the managers without one there."""
    if a.day == 1:
        got = pd.DataFrame(conn.execute(_last_balance_of_months(scope, lookback, a)).fetchall(),
                           columns=["employee_id", "d", "v"])
        return _carried_frame(got)
    return _carried_in_rows(conn, scope, a, lookback, near_days)


def _carried_in_rows(conn, scope: Scope, a: dt.date, lookback: dt.date, near_days: int = 35) -> pd.DataFrame:
    """:func:`_carried_in` from the raw daily rows (any day `a`)."""
    near = max(lookback, a - dt.timedelta(days=near_days))
    got = pd.DataFrame(conn.execute(_last_balance(scope, near, a - dt.timedelta(days=1))).fetchall(),
                       columns=["employee_id", "d", "v"])
    if lookback < near:
        known = sorted(set(got["employee_id"]))
        q = _last_balance(scope, lookback, near - dt.timedelta(days=1))
        if known:
            q = q.where(D.employee_id.not_in(known))
        more = pd.DataFrame(conn.execute(q).fetchall(), columns=["employee_id", "d", "v"])
        if len(more):
            got = pd.concat([got, more]) if len(got) else more
    return _carried_frame(got)


def _carried_frame(got: pd.DataFrame) -> pd.DataFrame:
    got = got.set_index("employee_id")
    return pd.DataFrame({"carried": pd.to_numeric(got["v"], errors="coerce").astype("float64"),
                         "carried_date": pd.to_datetime(got["d"])}, index=got.index)


def balance_parts(engine: Engine, scope: Scope, start, end, at, lookback) -> pd.DataFrame:
    """What :func:`balance_bounds` is made of, per manager: ``low`` (the smallest usable balance logged from
    `start` to `end`), ``at`` (the last one logged from `start` to `at`), ``carried`` / ``carried_date`` (the
    last one logged from `lookback` to the day before `start`, and its day). Index employee_id; NaN where none.
    A later `lookback` keeps the carried balances logged on or after it (:func:`bounds_of`), so one read serves
    every lookback from this one on."""
    a, b, lb, on = _date(start), _date(end), _date(lookback), _date(at)
    bal = usable(D.deposit_balance)
    low = _scoped(select(D.employee_id, func.min(bal)).select_from(t.daily_logs), scope) \
        .where(D.date >= a, D.date <= b, bal.is_not(None)).group_by(D.employee_id)
    with engine.connect() as conn:
        lows = pd.DataFrame(conn.execute(low).fetchall(), columns=["employee_id", "low"]).set_index("employee_id")
        last = pd.DataFrame(conn.execute(_last_balance(scope, a, on)).fetchall(), columns=["employee_id", "d", "at"])
        carried = _carried_in(conn, scope, a, lb) if lb < a else pd.DataFrame(
            {"carried": pd.Series(dtype="float64"), "carried_date": pd.Series(dtype="datetime64[ns]")})
    ids = pd.Index(sorted(set(lows.index) | set(last["employee_id"]) | set(carried.index)), name="employee_id")
    return pd.DataFrame({"low": pd.to_numeric(lows["low"], errors="coerce").astype("float64").reindex(ids),
                         "at": pd.to_numeric(last.set_index("employee_id")["at"], errors="coerce")
                         .astype("float64").reindex(ids),
                         "carried": carried["carried"].reindex(ids),
                         "carried_date": carried["carried_date"].reindex(ids)}, index=ids)


def bounds_of(parts: pd.DataFrame, lookback) -> pd.DataFrame:
    """:func:`balance_bounds` from :func:`balance_parts` read with `lookback` or an earlier one: only the
    balances carried in from `lookback` on count."""
    cin = parts["carried"].where(parts["carried_date"] >= pd.Timestamp(_date(lookback)))
    keep = parts["low"].notna() | parts["at"].notna() | cin.notna()
    parts, cin = parts[keep], cin[keep]
    return pd.DataFrame({"low": pd.concat([parts["low"], cin], axis=1).min(axis=1), "at": parts["at"].fillna(cin)},
                        index=parts.index)


def balance_bounds(engine: Engine, scope: Scope, start, end, at, lookback) -> pd.DataFrame:
    """Per manager, what bounds a month's 日均 from below and the balance on a day: ``low`` = the smallest
    carried balance from `start` to `end` (the smallest usable balance logged then, or the one carried in from
    `lookback` .. the day before `start`), ``at`` = the carried balance on day `at` (the last one logged from
    `start` to `at`, else the one carried in). Index employee_id; NaN where none."""
    return bounds_of(balance_parts(engine, scope, start, end, at, lookback), lookback)
