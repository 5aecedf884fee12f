"""The reads behind a period's statements for many managers at once (issue 12): only the columns and days they
use, filtered by the caller's scope inside the query like every read of :mod:`core.store.logs`.

* :func:`period_flows` — the daily values of the flow metrics a plan pays, for the period's days (no notes, no
  roster columns): the statements' sums and the days behind them are taken from these rows in one pass;
* :func:`last_logged_date` — the last date with any logged row (every manager's), read backwards along the date
  index instead of over every row;
* :func:`balances_since` — the logged ``deposit_balance`` rows from a date on, plus, per manager, the latest row
  before it (the balance that carries into the window: B(d) = the balance logged on the latest date ≤ d), found
  with one ``GROUP BY employee_id`` in SQL instead of reading every balance ever logged.
Values come back as floats (the nearest double of the stored NUMERIC, as :func:`core.store.logs.read_logs` makes
them, without building a Decimal per cell first), made sane the same way.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Float, String, and_, cast, exists, func, select, type_coerce

from core.schema import METRICS
from core.scope import Scope
from core.store import tables as t
from core.store.logs import scoped_roster_subquery
from core.store.values import sane


def _day(col):
    """A date column read as the driver gives it (ISO text on SQLite, a date on PostgreSQL): pandas parses the
    whole column at once instead of a Python date per row."""
    return type_coerce(col, String).label("date")


def _columns(conn, q, n: int) -> list[list]:
    """The result of `q` as `n` column lists: the DBAPI rows straight from the cursor, no Row object per row (the
    columns are type-coerced to what the driver returns, so there is nothing to process)."""
    res = conn.execute(q)
    try:
        rows = res.cursor.fetchall()
    finally:
        res.close()
    return [list(c) for c in zip(*rows)] if rows else [[] for _ in range(n)]


def _float(col):
    """A NUMERIC column read as a double by the database itself (PostgreSQL: no Decimal per value in the driver;
    the nearest double of the stored value, as float(Decimal) gives it)."""
    return cast(col, Float)


def _dates(values: list) -> pd.Series:
    """ISO text (SQLite) or dates (PostgreSQL) → datetime64, parsed as one column."""
    return pd.to_datetime(pd.Series([str(v) for v in values], dtype=object), format="%Y-%m-%d")


def _floats(values: list) -> np.ndarray:
    """A column of driver numbers (float, int, Decimal on PostgreSQL, None) as float64 (None → NaN)."""
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype="float64")


def last_logged_date(engine: Engine):
    """The last date that has a logged row of a manager on the roster (anyone's, whatever the caller's scope):
    the first row along the date index, backwards, whose manager exists."""
    d, m = t.daily_logs, t.managers
    q = (select(d.c.date).where(exists().where(m.c.employee_id == d.c.employee_id))
         .order_by(d.c.date.desc()).limit(1))
    with engine.connect() as conn:
        return conn.execute(q).scalar()


def period_flows(engine: Engine, scope: Scope, start, end, metrics: list[str], team: str | None = None,
                 line: str | None = None) -> pd.DataFrame:
    """employee_id, date (datetime64) and `metrics` (float, 0 when blank) of the daily rows start..end the caller
    may see, by date then employee_id."""
    metrics = [m for m in metrics if m in METRICS and m != "deposit_balance"]
    d = t.daily_logs
    r = scoped_roster_subquery(scope, team, line)
    q = (select(d.c.employee_id, _day(d.c.date), *[_float(d.c[m]).label(m) for m in metrics])
         .join(r, r.c.employee_id == d.c.employee_id)
         .where(d.c.date >= pd.Timestamp(start).date(), d.c.date <= pd.Timestamp(end).date())
         .order_by(d.c.date, d.c.employee_id))
    with engine.connect() as conn:
        cols = _columns(conn, q, 2 + len(metrics))
    df = pd.DataFrame({"employee_id": pd.Series(cols[0], dtype=object),
                       "date": _dates(cols[1]),
                       **{m: sane(pd.Series(_floats(c)), m).fillna(0.0) for m, c in zip(metrics, cols[2:])}})
    return df


def balances_since(engine: Engine, scope: Scope, since, end, team: str | None = None,
                   line: str | None = None) -> pd.DataFrame:
    """employee_id, date (datetime64), deposit_balance (float) of the balances logged since..end, and per manager
    the latest one logged before `since`; by date then employee_id."""
    d = t.daily_logs
    r = scoped_roster_subquery(scope, team, line)
    since, end = pd.Timestamp(since).date(), pd.Timestamp(end).date()
    logged = d.c.deposit_balance.is_not(None)
    last = (select(d.c.employee_id, func.max(d.c.date).label("date"))
            .join(r, r.c.employee_id == d.c.employee_id)
            .where(logged, d.c.date < since).group_by(d.c.employee_id).subquery())
    bal = _float(d.c.deposit_balance).label("deposit_balance")
    before = (select(d.c.employee_id, _day(d.c.date), bal)
              .join(last, and_(last.c.employee_id == d.c.employee_id, last.c.date == d.c.date)))
    window = (select(d.c.employee_id, _day(d.c.date), bal)
              .join(r, r.c.employee_id == d.c.employee_id)
              .where(logged, d.c.date >= since, d.c.date <= end))
    u = before.union_all(window).subquery()
    q = select(u.c.employee_id, u.c.date, u.c.deposit_balance).order_by(u.c.date, u.c.employee_id)
    with engine.connect() as conn:
        cols = _columns(conn, q, 3)
    df = pd.DataFrame({"employee_id": pd.Series(cols[0], dtype=object), "date": _dates(cols[1]),
                       "deposit_balance": sane(pd.Series(_floats(cols[2])), "deposit_balance")})
    return df[df["deposit_balance"].notna()].reset_index(drop=True)


__all__ = ["last_logged_date", "period_flows", "balances_since"]
