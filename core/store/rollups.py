"""Reading the week and month rollups in the caller's scope, rebuilding them, checking them.

The rollups (``week_rollups`` / ``month_rollups``, kept by :mod:`core.store.rollup_sql` in the same transaction as
every write to daily_logs) hold, per manager and period: the sum of every flow metric, logged_days, days_<m> for
the funnel's sales metrics, and the 日均 inputs (balance_days, balance_sum, last_balance, last_balance_date).

Reads filter by :meth:`core.scope.Scope.row_filter` inside the SQL (a join to the roster, as
:func:`core.store.logs.read_logs`); :func:`rebuild` recomputes everything from the raw rows in one transaction;
:func:`check` compares what is stored with a from-scratch recomputation and lists every difference.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from core.errors import AppError
from core.schema import FLOW_METRICS
from core.scope import Scope
from core.store import rollup_sql as rs
from core.store import tables as t
from core.store import write_begin
from core.store.logs import scoped_roster_query
from core.store.values import sane

COUNT_COLUMNS = ["logged_days", *(f"days_{m}" for m in t.ROLLUP_POSITIVE_DAYS), "balance_days"]
VALUE_COLUMNS = [*FLOW_METRICS, "balance_sum", "last_balance"]
ROSTER_COLUMNS = ["manager_name", "team", "line", "grade"]
WEEK_COLUMNS = ["employee_id", "week_start", *FLOW_METRICS, *COUNT_COLUMNS, "balance_sum", "last_balance",
                "last_balance_date", *ROSTER_COLUMNS]
MONTH_COLUMNS = ["employee_id", "month", *WEEK_COLUMNS[2:]]
__all__ = ["MONTH_COLUMNS", "WEEK_COLUMNS", "Difference", "check", "read_month_rollup", "read_week_rollup",
           "rebuild", "week_monday"]

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def week_monday(week) -> dt.date:
    """The Monday of an ISO week given as '2026-W47', or of the week holding a date."""
    if isinstance(week, str):
        m = _ISO_WEEK.match(week.strip())
        if m:
            try:
                return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            except ValueError:
                raise AppError("rollups.bad_week", week=week) from None
        try:
            week = dt.date.fromisoformat(week.strip())
        except ValueError:
            raise AppError("rollups.bad_week", week=week) from None
    return rs.monday(pd.Timestamp(week).date())


def _check_month(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.match(month):
        raise AppError("rollups.bad_month", month=str(month))
    return month


def _read(engine: Engine, scope: Scope, kind, where, team, line) -> pd.DataFrame:
    r = scoped_roster_query(scope).subquery()
    tb = kind.table
    q = select(*[tb.c[c] for c in rs.columns_of(kind)], r.c.name.label("manager_name"), r.c.team, r.c.line,
               r.c.grade).join(r, r.c.employee_id == tb.c.employee_id).where(where)
    if team:
        q = q.where(r.c.team == team)
    if line:
        q = q.where(r.c.line == line)
    q = q.order_by(tb.c[kind.col], tb.c.employee_id)
    cols = [*rs.columns_of(kind), *ROSTER_COLUMNS]
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=cols)
    return _typed(df, kind)


def _typed(df: pd.DataFrame, kind) -> pd.DataFrame:
    if kind is rs.WEEK:
        df["week_start"] = pd.to_datetime(df["week_start"])
    df["last_balance_date"] = pd.to_datetime(df["last_balance_date"])
    for c in VALUE_COLUMNS:
        df[c] = sane(pd.to_numeric(df[c], errors="coerce").astype("float64"), c)
    for c in FLOW_METRICS:
        df[c] = df[c].fillna(0.0)
    for c in COUNT_COLUMNS:
        df[c] = pd.to_numeric(df[c]).astype("int64")
    return df


def read_week_rollup(engine: Engine, scope: Scope, start_week, end_week, team: str | None = None,
                     line: str | None = None) -> pd.DataFrame:
    """Week rollups from the week of `start_week` to that of `end_week` (ISO weeks '2026-W47' or dates), for the
    managers the caller may see (optionally one team / line). Columns :data:`WEEK_COLUMNS`: employee_id,
    week_start (datetime64, the Monday), every flow metric (float64), logged_days, days_deposits_new,
    days_loans_new, days_wealth_sales, balance_days (int64), balance_sum, last_balance (float64, NaN when no
    balance was logged), last_balance_date (datetime64), manager_name, team, line, grade. Sorted by week, manager.
    A manager with no logged day in a week has no row for it."""
    a, b = week_monday(start_week), week_monday(end_week)
    return _read(engine, scope, rs.WEEK, t.week_rollups.c.week_start.between(a, b), team, line)


def read_month_rollup(engine: Engine, scope: Scope, months, team: str | None = None,
                      line: str | None = None) -> pd.DataFrame:
    """Month rollups of the given months ('YYYY-MM', one or a list), as :func:`read_week_rollup` with `month`
    (str) in place of week_start (:data:`MONTH_COLUMNS`). Sorted by month, manager."""
    months = [months] if isinstance(months, str) else list(months)
    months = sorted({_check_month(m) for m in months})
    return _read(engine, scope, rs.MONTH, t.month_rollups.c.month.in_(months), team, line)


def rebuild(engine: Engine) -> dict[str, int]:
    """Recompute every rollup from daily_logs in one write transaction: {table: rows written}."""
    with write_begin(engine) as conn:
        return rs.rebuild_conn(conn)


@dataclass(frozen=True)
class Difference:
    """One rollup row that differs from its recomputation: which table and key, which column, stored vs expected
    (None when the row is missing on that side)."""
    table: str
    employee_id: str
    period: str
    column: str
    stored: object
    expected: object

    def as_dict(self) -> dict:
        return {"table": self.table, "employee_id": self.employee_id, "period": self.period, "column": self.column,
                "stored": self.stored, "expected": self.expected}


def _frame(conn, stmt, kind) -> pd.DataFrame:
    df = pd.DataFrame(conn.execute(stmt).fetchall(), columns=rs.columns_of(kind))
    for c in (kind.col, "last_balance_date"):
        df[c] = df[c].map(lambda v: v.isoformat() if isinstance(v, dt.date) else (None if v is None else str(v)))
    for c in VALUE_COLUMNS:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in COUNT_COLUMNS:
        df[c] = pd.to_numeric(df[c]).astype("int64")
    return df


def _plain(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise: the stored value `a` is not the recomputed `b` (numbers within 1e-6, NaN = NaN)."""
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        x, y = a.astype("float64"), b.astype("float64")
        both_nan = x.isna() & y.isna()
        close = (x - y).abs() <= (1e-6 + 1e-9 * y.abs())
        return ~(both_nan | close.fillna(False))
    return ~((a == b) | (a.isna() & b.isna()))


def check(engine: Engine) -> list[Difference]:
    """Every difference between the stored rollups and a from-scratch recomputation from daily_logs (empty when
    they agree), ordered by table, manager, period and column."""
    out: list[Difference] = []
    with engine.connect() as conn:
        for kind in rs.KINDS:
            cols = rs.columns_of(kind)
            key = ["employee_id", kind.col]
            stored = _frame(conn, select(*[kind.table.c[c] for c in cols]), kind)
            expected = _frame(conn, rs.grouped(kind), kind)
            both = stored.merge(expected, on=key, how="outer", suffixes=("_s", "_e"), indicator=True)
            both = both.sort_values(key, kind="stable")
            alone = both[both["_merge"] != "both"]
            for eid, period, side in zip(alone["employee_id"], alone[kind.col], alone["_merge"]):
                out.append(Difference(kind.table.name, eid, period, "*", "row" if side == "left_only" else None,
                                      "row" if side == "right_only" else None))
            matched = both[both["_merge"] == "both"]
            for c in cols[2:]:
                bad = matched[_differs(matched[f"{c}_s"], matched[f"{c}_e"])]
                for eid, period, sv, ev in zip(bad["employee_id"], bad[kind.col], bad[f"{c}_s"], bad[f"{c}_e"]):
                    out.append(Difference(kind.table.name, eid, period, c, _plain(sv), _plain(ev)))
    order = {name: i for i, name in enumerate(rs.columns_of(rs.WEEK)[2:])}
    return sorted(out, key=lambda d: (d.table != "week_rollups", d.employee_id, d.period, order.get(d.column, -1)))
