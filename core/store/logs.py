"""Roster, daily logs and monthly targets: scoped reads, and imports that write them.

Every import is one write transaction: all its rows land or none do. Each key the import inserts or changes
is recorded in ``import_changes`` with the row as it was before, so :func:`undo_import` restores the previous
values exactly (history and undo live in ``core.store.imports``, re-exported here). Rows that are identical to
what is stored are counted as *unchanged* and left alone, so importing the same file twice changes nothing the
second time — but the import still *confirms* them: a confirmation is recorded (``before`` and ``after``
both :data:`core.store.imports.CONFIRMED`) so that undoing an earlier import that wrote those rows is refused
until this one is undone (see :func:`core.store.imports.undo_import`).

Daily rows may carry only some of the columns: a column absent from the upload (a ``present`` frame says
which, per row) keeps the stored value; a column present with an empty cell sets it empty (0 for flows,
missing for the balance, no notes). The summary counts, per column, the stored values an import changes and
those it clears.

Every writer refuses values that cannot be stored faithfully (NaN where a value is required, ±Inf, beyond
core.store.values.STORE_LIMIT) with ``ingest.store.not_finite``, and strips control characters (NUL ...) from text the
same way on SQLite and PostgreSQL.

Refusals raise :class:`core.errors.AppError` (keys ``ingest.store.*``) and, when the caller may not write these
rows, :class:`core.errors.ScopeError`; who may write for whom is decided by :class:`core.scope.Scope` only.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from sqlalchemy import Date, Engine, Float, and_, bindparam, func, insert, or_, select, type_coerce, update

from core.convert import py
from core.errors import AppError, ScopeError
from core.schema import METRICS
from core.scope import Scope
from core.store import bulk, rollup_sql
from core.store import tables as t
from core.store import write_begin
from core.store.values import EMPTY_VALUE, check_numbers, clean_text, is_empty, sane
from core.store.imports import (CONFIRMED, ImportSummary, finish_import, import_changes, list_imports, new_import,
                                undo_import)
from core.store.undo_records import key_json as _key_json
from core.store.undo_records import row_json as _jsonable

ROSTER_COLUMNS = ["employee_id", "name", "team", "line", "grade", "start_date", "mentor_id", "active"]
LOG_VALUE_COLUMNS = list(METRICS) + ["notes"]
TARGET_COLUMNS = ["month", "employee_id", "metric", "value"]
__all__ = ["LOG_VALUE_COLUMNS", "ROSTER_COLUMNS", "TARGET_COLUMNS", "ImportSummary", "apply_daily",
           "apply_roster", "apply_targets", "import_changes", "list_imports", "log_date_range", "read_balances", "read_logs",
           "read_roster", "read_targets", "read_teams", "scoped_roster_query", "scoped_roster_subquery", "undo_import"]


# ---------------------------------------------------------------- reads

def scoped_roster_query(scope: Scope):
    """SELECT of the roster rows the caller may see (:meth:`Scope.row_filter`: his team's and/or his own)."""
    q = select(t.managers)
    team, employee_id = scope.row_filter()
    cond = []
    if team is not None:
        cond.append(t.managers.c.team == team)
    if employee_id is not None:
        cond.append(t.managers.c.employee_id == employee_id)
    return q.where(or_(*cond)) if cond else q




def scoped_roster_subquery(scope: Scope, team: str | None = None, line: str | None = None):
    """:func:`scoped_roster_query` narrowed to `team` / business `line` when given, as a subquery to join on."""
    q = scoped_roster_query(scope)
    if team:
        q = q.where(t.managers.c.team == team)
    if line:
        q = q.where(t.managers.c.line == line)
    return q.subquery()


def read_roster(engine: Engine, scope: Scope, team: str | None = None, line: str | None = None,
                include_inactive: bool = True) -> pd.DataFrame:
    """The roster rows the caller may see (ROSTER_COLUMNS), ordered by team and employee_id."""
    q = scoped_roster_query(scope)
    if team:
        q = q.where(t.managers.c.team == team)
    if line:
        q = q.where(t.managers.c.line == line)
    if not include_inactive:
        q = q.where(t.managers.c.active.is_(True))
    q = q.order_by(t.managers.c.team, t.managers.c.employee_id)
    with engine.connect() as conn:   # plain tuples: building a frame from row mappings costs ~0.1 ms a row
        rows = conn.execute(q).fetchall()
    df = pd.DataFrame(rows, columns=[c.name for c in t.managers.columns])[ROSTER_COLUMNS]
    df["start_date"] = pd.to_datetime(df["start_date"])
    df["active"] = df["active"].astype(bool)
    return df.reset_index(drop=True)


def read_teams(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Teams the caller may see, with their line: columns name, line."""
    roster = read_roster(engine, scope)
    if roster.empty:
        return pd.DataFrame(columns=["name", "line"])
    g = roster.groupby("team", sort=True)["line"].agg(lambda s: s.mode().iat[0] if len(s.mode()) else None)
    return pd.DataFrame({"name": g.index, "line": g.values})


def read_logs(engine: Engine, scope: Scope, start=None, end=None, team: str | None = None,
              line: str | None = None, employee_id: str | None = None) -> pd.DataFrame:
    """Daily rows in the caller's scope, joined to the roster.

    Columns: employee_id, date (datetime64), every metric (float; flows 0 when blank, deposit_balance NaN when
    not logged), notes, manager_name, team, line, grade. Sorted by date then employee_id.
    """
    r = scoped_roster_query(scope).subquery()
    q = select(t.daily_logs.c.employee_id, t.daily_logs.c.date,
               *[t.daily_logs.c[m] for m in METRICS], t.daily_logs.c.notes,
               r.c.name.label("manager_name"), r.c.team, r.c.line, r.c.grade).join(
        r, r.c.employee_id == t.daily_logs.c.employee_id)
    if start is not None:
        q = q.where(t.daily_logs.c.date >= pd.Timestamp(start).date())
    if end is not None:
        q = q.where(t.daily_logs.c.date <= pd.Timestamp(end).date())
    if team:
        q = q.where(r.c.team == team)
    if line:
        q = q.where(r.c.line == line)
    if employee_id:
        q = q.where(t.daily_logs.c.employee_id == employee_id)
    q = q.order_by(t.daily_logs.c.date, t.daily_logs.c.employee_id)
    cols = ["employee_id", "date", *METRICS, "notes", "manager_name", "team", "line", "grade"]
    with engine.connect() as conn:
        res = conn.execute(q)
        df = pd.DataFrame(res.fetchall(), columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    for m in METRICS:
        df[m] = sane(pd.to_numeric(df[m], errors="coerce").astype("float64"), m)
        if m != "deposit_balance":
            df[m] = df[m].fillna(0.0)
    return df


def read_targets(engine: Engine, scope: Scope, months: list[str] | None = None, team: str | None = None,
                 line: str | None = None, employee_id: str | None = None) -> pd.DataFrame:
    """Monthly targets in the caller's scope, long format: month ('YYYY-MM'), employee_id, metric, value."""
    r = scoped_roster_query(scope).subquery()
    q = select(t.targets.c.month, t.targets.c.employee_id, t.targets.c.metric,
               type_coerce(t.targets.c.value, Float)).join(
        r, r.c.employee_id == t.targets.c.employee_id)
    if months:
        q = q.where(t.targets.c.month.in_(list(months)))
    if team:
        q = q.where(r.c.team == team)
    if line:
        q = q.where(r.c.line == line)
    if employee_id:
        q = q.where(t.targets.c.employee_id == employee_id)
    q = q.order_by(t.targets.c.month, t.targets.c.employee_id, t.targets.c.metric)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=TARGET_COLUMNS)
    df["value"] = sane(pd.to_numeric(df["value"], errors="coerce").astype("float64"), "target")
    return df[df["value"].notna()].reset_index(drop=True)


def log_date_range(engine: Engine, scope: Scope) -> tuple[dt.date | None, dt.date | None]:
    """First and last logged date in the caller's scope."""
    r = scoped_roster_query(scope).subquery()
    q = select(func.min(t.daily_logs.c.date), func.max(t.daily_logs.c.date)).join(
        r, r.c.employee_id == t.daily_logs.c.employee_id)
    with engine.connect() as conn:
        a, b = conn.execute(q).one()
    return a, b


def read_balances(engine: Engine, scope: Scope, end=None, employee_id: str | None = None, team: str | None = None,
                  line: str | None = None) -> pd.DataFrame:
    """Every logged ``deposit_balance`` up to `end` in the caller's scope (however early: a balance carries
    forward until the next one): employee_id, date (datetime64), deposit_balance (float), by date."""
    r = scoped_roster_query(scope).subquery()
    d = t.daily_logs
    q = select(d.c.employee_id, d.c.date, d.c.deposit_balance).join(r, r.c.employee_id == d.c.employee_id).where(
        d.c.deposit_balance.is_not(None))
    if end is not None:
        q = q.where(d.c.date <= pd.Timestamp(end).date())
    if employee_id:
        q = q.where(d.c.employee_id == employee_id)
    if team:
        q = q.where(r.c.team == team)
    if line:
        q = q.where(r.c.line == line)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q.order_by(d.c.date, d.c.employee_id)).fetchall(),
                          columns=["employee_id", "date", "deposit_balance"])
    df["date"] = pd.to_datetime(df["date"])
    df["deposit_balance"] = sane(pd.to_numeric(df["deposit_balance"], errors="coerce").astype("float64"),
                                 "deposit_balance")
    return df[df["deposit_balance"].notna()].reset_index(drop=True)

# ---------------------------------------------------------------- writes

def _same(a, b) -> bool:
    a, b = py(a), py(b)
    if a is None or b is None:
        return (a is None or a == "") and (b is None or b == "")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def _column_values(series: pd.Series) -> list:
    """One column as plain Python values (:func:`core.convert.py`), dates as dates, text without control
    characters; float columns the fast way (a 100k-row import converts over a million of them)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if v is pd.NaT or v is None else v for v in series.dt.date.tolist()]
    if series.dtype.kind == "f":
        vals = series.tolist()
        for i in np.flatnonzero(series.isna().to_numpy()).tolist():
            vals[i] = None
        return vals
    return [clean_text(py(v)) for v in series.tolist()]


def _records(df: pd.DataFrame, cols: list[str]) -> list[dict]:
    """Rows as dicts of plain Python values, converted column by column (fast for 100k-row imports)."""
    columns = [_column_values(df[c]) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*columns)]


def _bulk_insert(conn, table, cols: list[str], rows: list[tuple]) -> None:
    """executemany straight through the driver: the import's hot path (100k rows and their undo records).

    SQLite gets dates as ISO text, exactly as SQLAlchemy's Date type stores them.
    """
    if not rows:
        return
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    date_idx = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, Date)]
    if dialect.name == "sqlite":
        placeholder = "?"
        if date_idx:
            rows = [tuple(v.isoformat() if i in date_idx and v is not None else v for i, v in enumerate(r))
                    for r in rows]
    else:
        placeholder = "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in cols)}) "
           f"VALUES ({', '.join([placeholder] * len(cols))})")
    for i in range(0, len(rows), 20_000):
        conn.exec_driver_sql(sql, rows[i:i + 20_000])


def _apply(conn, table, key_cols: list[str], value_cols: list[str], rows: list[dict], existing: dict,
           import_id: int | None, summary: ImportSummary, touched: list | None = None) -> None:
    """Insert new keys, update changed ones, confirm unchanged ones; record before-images for undo and count,
    per column, the stored values changed and cleared. The keys inserted or changed are appended to `touched`."""
    all_cols = key_cols + value_cols + ["import_id"]
    inserts, updates, changes = [], [], []
    changed, cleared = summary.changed, summary.cleared
    for row in rows:
        key = tuple(row[k] for k in key_cols)
        old = existing.get(key)
        if old is None:
            inserts.append(tuple(row.get(c) for c in key_cols + value_cols) + (import_id,))
            changes.append((import_id, table.name, _key_json(key_cols, key), None, None))
            if touched is not None:
                touched.append(key)
            continue
        diff = [c for c in value_cols if not _same(row.get(c), old.get(c))]
        if not diff:
            summary.unchanged += 1
            changes.append((import_id, table.name, _key_json(key_cols, key), CONFIRMED, CONFIRMED))
            continue
        for c in diff:
            changed[c] = changed.get(c, 0) + 1
            if is_empty(row.get(c)) and not is_empty(old.get(c)):
                cleared[c] = cleared.get(c, 0) + 1
        updates.append({**{f"k_{k}": row[k] for k in key_cols}, **{c: row.get(c) for c in value_cols},
                        "import_id": import_id})
        if touched is not None:
            touched.append(key)
        changes.append((import_id, table.name, _key_json(key_cols, key),
                        _jsonable({c: old.get(c) for c in value_cols + ["import_id"]}),
                        _jsonable({c: row.get(c) for c in value_cols})))
    summary.inserted += len(inserts)
    summary.updated += len(updates)
    if import_id is None:  # dry run
        return
    _bulk_insert(conn, table, all_cols, inserts)
    if updates:
        stmt = update(table).where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in key_cols])).values(
            {c: bindparam(c) for c in value_cols + ["import_id"]})
        conn.execute(stmt, updates)
    _bulk_insert(conn, t.import_changes, ["import_id", "table_name", "row_key", "before", "after"], changes)


def _keep_absent(recs: list[dict], absent: list[frozenset], existing: dict) -> None:
    """Columns absent from the upload keep the stored value (a new row gets the empty value)."""
    for r, gone in zip(recs, absent):
        if gone:
            old = existing.get((r["employee_id"], r["date"]))
            for c in gone:
                r[c] = EMPTY_VALUE[c] if old is None else old.get(c)


def _absent_columns(rows: pd.DataFrame, present: pd.DataFrame | None) -> list[frozenset]:
    """Per row, the daily value columns the upload does not have."""
    missing = frozenset(c for c in LOG_VALUE_COLUMNS if c not in rows.columns)
    if present is None:
        return [missing] * len(rows)
    cols = [c for c in LOG_VALUE_COLUMNS if c in present.columns]
    memo: dict[tuple, frozenset] = {}
    out = []
    for flags in zip(*(present[c].tolist() for c in cols)) if cols else [()] * len(rows):
        got = memo.get(flags)
        if got is None:
            got = memo[flags] = missing | frozenset(c for c, f in zip(cols, flags) if not f)
        out.append(got)
    return out


class _Listed(tuple):
    """IDs as a message parameter: joined with 、 in Chinese and ", " in English."""

    def message(self, lang: str = "zh") -> str:
        return ("、" if lang == "zh" else ", ").join(self)


def _check_write_scope(conn, scope: Scope, employee_ids: set[str]) -> dict[str, str]:
    """Teams of the given managers; raises ScopeError if the caller may not write any of them."""
    if not scope.may_import:
        raise ScopeError("ingest.role_cannot_import")
    teams = {}
    ids = list(employee_ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for eid, team in conn.execute(select(t.managers.c.employee_id, t.managers.c.team).where(
                t.managers.c.employee_id.in_(chunk))):
            teams[eid] = team
    missing = sorted(set(ids) - set(teams))
    if missing:
        raise AppError("ingest.store.not_on_roster", ids=_Listed(missing[:10]))
    for eid in sorted(teams):
        scope.check_write(eid, teams[eid])
    return teams


def apply_roster(engine: Engine, scope: Scope, rows: pd.DataFrame, filename: str, sha256: str,
                 dry_run: bool = False) -> ImportSummary:
    """Insert or update roster entries (ROSTER_COLUMNS, `active` optional). Never deletes anyone or their logs."""
    rows = rows.copy()
    if "active" not in rows:
        rows["active"] = True
    # The optional mobile (手机号) is written only when the upload has the column: a roster without it keeps
    # the stored numbers.
    value_cols = [c for c in ROSTER_COLUMNS if c != "employee_id"] + (["mobile"] if "mobile" in rows else [])
    recs = _records(rows, ["employee_id", *value_cols])
    summary = ImportSummary(None, "roster", dry_run=dry_run)
    with write_begin(engine) as conn:
        if not scope.may_import:
            raise ScopeError("ingest.role_cannot_import")
        for r in sorted(recs, key=lambda r: r["employee_id"]):
            scope.check_write(r["employee_id"], r["team"])
        ids = [r["employee_id"] for r in recs]
        existing = {}
        for i in range(0, len(ids), 900):
            for row in conn.execute(select(t.managers).where(t.managers.c.employee_id.in_(ids[i:i + 900]))).mappings():
                existing[(row["employee_id"],)] = dict(row)
        teams = {r["employee_id"]: r["team"] for r in recs}
        for (eid,), old in sorted(existing.items()):
            if not scope.may_move(old["team"], teams[eid]):
                raise ScopeError("scope.manager_outside", employee_id=eid)
        import_id = None if dry_run else new_import(conn, "roster", filename, sha256, scope)
        if not dry_run:
            known = {r[0] for r in conn.execute(select(t.teams.c.name))}
            new_teams = {}
            for r in recs:
                if r["team"] not in known:
                    new_teams.setdefault(r["team"], r["line"])
            if new_teams:
                conn.execute(insert(t.teams), [{"name": k, "line": v} for k, v in new_teams.items()])
        _apply(conn, t.managers, ["employee_id"], value_cols, recs, existing, import_id, summary)
        if not dry_run:
            finish_import(conn, import_id, summary, scope, filename)
        summary.import_id = import_id
    return summary


def apply_daily(engine: Engine, scope: Scope, rows: pd.DataFrame, filename: str, sha256: str,
                dry_run: bool = False, present: pd.DataFrame | None = None) -> ImportSummary:
    """Store daily rows keyed by (employee_id, date): columns employee_id, date, and the metrics and notes the
    upload has.

    A row for a key already stored replaces the columns the upload has (a corrected file replaces those
    days); a column absent from `rows`, or False in `present` (a bool frame aligned with `rows`, one column
    per value column) for a row, keeps the stored value (a new row gets :data:`EMPTY_VALUE`).
    """
    rows = rows.reset_index(drop=True)
    absent = _absent_columns(rows, None if present is None else present.reset_index(drop=True))
    rows = rows.copy()
    for c in LOG_VALUE_COLUMNS:
        if c not in rows:
            rows[c] = None if c == "notes" else np.nan
    rows["date"] = pd.to_datetime(rows["date"]).dt.date
    for c in METRICS:   # what NUMERIC(20, 6) keeps, so the next identical import compares equal
        check_numbers(rows[c], c)
        rows[c] = pd.to_numeric(rows[c], errors="coerce").astype("float64").round(t.AMOUNT_DECIMALS)
    summary = ImportSummary(None, "daily", dry_run=dry_run)
    summary.kept = sorted({c for gone in absent for c in gone}, key=LOG_VALUE_COLUMNS.index)
    if rows.empty:
        raise AppError("ingest.store.no_rows")
    by_copy = bulk.wanted(engine, len(rows))   # PostgreSQL and many rows: COPY and set-based SQL (core.store.bulk)
    if by_copy:
        rows["employee_id"] = bulk.text_values(rows["employee_id"])
        ids = set(rows["employee_id"])
    else:
        recs = _records(rows, ["employee_id", "date"] + LOG_VALUE_COLUMNS)
        ids = {r["employee_id"] for r in recs}
    with write_begin(engine) as conn:
        _check_write_scope(conn, scope, ids)
        import_id = None if dry_run else new_import(conn, "daily", filename, sha256, scope)
        if by_copy:
            bulk.apply_daily(conn, rows, absent, import_id, summary)
        else:
            _apply_daily_records(conn, recs, absent, import_id, summary)
        if not dry_run:
            finish_import(conn, import_id, summary, scope, filename)
        summary.import_id = import_id
    return summary


def _apply_daily_records(conn, recs: list[dict], absent: list[frozenset], import_id: int | None,
                         summary: ImportSummary) -> None:
    """The row-by-row path: read the stored rows of the keys, compare, write, refresh the touched rollups."""
    ids = sorted({r["employee_id"] for r in recs})
    lo, hi = min(r["date"] for r in recs), max(r["date"] for r in recs)
    existing = {}
    for i in range(0, len(ids), 900):
        q = select(t.daily_logs).where(t.daily_logs.c.employee_id.in_(ids[i:i + 900]),
                                       t.daily_logs.c.date >= lo, t.daily_logs.c.date <= hi)
        for row in conn.execute(q).mappings():
            existing[(row["employee_id"], row["date"])] = dict(row)
    _keep_absent(recs, absent, existing)
    touched: list = []
    _apply(conn, t.daily_logs, ["employee_id", "date"], LOG_VALUE_COLUMNS, recs, existing, import_id, summary,
           touched)
    if import_id is not None:
        rollup_sql.refresh(conn, touched)     # the week/month rollups, in this same transaction


def apply_targets(engine: Engine, scope: Scope, rows: pd.DataFrame, filename: str, sha256: str,
                  dry_run: bool = False, kind: str = "targets") -> ImportSummary:
    """Store monthly targets, long format: month, employee_id, metric, value."""
    check_numbers(rows["value"], "value", required=True)
    rows = rows.assign(value=pd.to_numeric(rows["value"], errors="coerce").astype("float64")
                       .round(t.AMOUNT_DECIMALS))
    recs = _records(rows, TARGET_COLUMNS)
    summary = ImportSummary(None, kind, dry_run=dry_run)
    if not recs:
        raise AppError("ingest.store.no_targets")
    with write_begin(engine) as conn:
        _check_write_scope(conn, scope, {r["employee_id"] for r in recs})
        months = sorted({r["month"] for r in recs})
        ids = sorted({r["employee_id"] for r in recs})
        existing = {}
        for i in range(0, len(ids), 900):
            q = select(t.targets).where(t.targets.c.month.in_(months), t.targets.c.employee_id.in_(ids[i:i + 900]))
            for row in conn.execute(q).mappings():
                existing[(row["month"], row["employee_id"], row["metric"])] = dict(row)
        import_id = None if dry_run else new_import(conn, kind, filename, sha256, scope)
        _apply(conn, t.targets, ["month", "employee_id", "metric"], ["value"], recs, existing, import_id, summary)
        if not dry_run:
            finish_import(conn, import_id, summary, scope, filename)
        summary.import_id = import_id
    return summary
