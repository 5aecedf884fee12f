"""Roster, daily logs, monthly targets, imports and undo.

Every import is one write transaction: all its rows land or none do. Each key the import inserts or changes
is recorded in ``import_changes`` with the row as it was before, so :func:`undo_import` restores the
previous values exactly. Rows that are identical to what is stored are counted as *unchanged* and left alone,
so importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Date, Engine, and_, bindparam, delete, insert, select, update

from core.schema import METRICS
from core.scope import Scope, ScopeError
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record

ROSTER_COLUMNS = ["employee_id", "name", "team", "line", "grade", "start_date", "mentor_id", "active"]
LOG_VALUE_COLUMNS = list(METRICS) + ["notes"]
TARGET_COLUMNS = ["month", "employee_id", "metric", "value"]


class StoreError(Exception):
    """A write that cannot be done, with a message in both languages."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en, self.zh = en, zh

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class ImportSummary:
    import_id: int | None
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    status: str = "done"
    dry_run: bool = False
    keys: list = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {"import_id": self.import_id, "kind": self.kind, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "status": self.status, "dry_run": self.dry_run}


# ---------------------------------------------------------------- reads

def _scoped_roster_query(scope: Scope):
    q = select(t.managers)
    if scope.role == "team_lead":
        cond = t.managers.c.team == scope.team
        if scope.employee_id:
            cond = cond | (t.managers.c.employee_id == scope.employee_id)
        q = q.where(cond)
    elif scope.role == "manager":
        q = q.where(t.managers.c.employee_id == scope.employee_id)
    return q


def read_roster(engine: Engine, scope: Scope, team: str | None = None, line: str | None = None,
                include_inactive: bool = True) -> pd.DataFrame:
    """The roster rows the caller may see (ROSTER_COLUMNS), ordered by team and employee_id."""
    q = _scoped_roster_query(scope)
    if team:
        q = q.where(t.managers.c.team == team)
    if line:
        q = q.where(t.managers.c.line == line)
    if not include_inactive:
        q = q.where(t.managers.c.active.is_(True))
    q = q.order_by(t.managers.c.team, t.managers.c.employee_id)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
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
    r = _scoped_roster_query(scope).subquery()
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
        df[m] = pd.to_numeric(df[m], errors="coerce").astype("float64")
        if m != "deposit_balance":
            df[m] = df[m].fillna(0.0)
    return df


def read_targets(engine: Engine, scope: Scope, months: list[str] | None = None, team: str | None = None,
                 line: str | None = None, employee_id: str | None = None) -> pd.DataFrame:
    """Monthly targets in the caller's scope, long format: month ('YYYY-MM'), employee_id, metric, value."""
    r = _scoped_roster_query(scope).subquery()
    q = select(t.targets.c.month, t.targets.c.employee_id, t.targets.c.metric, t.targets.c.value).join(
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
    df["value"] = df["value"].astype("float64")
    return df


def log_date_range(engine: Engine, scope: Scope) -> tuple[dt.date | None, dt.date | None]:
    """First and last logged date in the caller's scope."""
    from sqlalchemy import func
    r = _scoped_roster_query(scope).subquery()
    q = select(func.min(t.daily_logs.c.date), func.max(t.daily_logs.c.date)).join(
        r, r.c.employee_id == t.daily_logs.c.employee_id)
    with engine.connect() as conn:
        a, b = conn.execute(q).one()
    return a, b


def list_imports(engine: Engine, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """Import history, newest first: a director sees all, a team lead his team's and his own, a manager none."""
    cols = [c.name for c in t.imports.columns]
    if scope.role == "manager":
        return pd.DataFrame(columns=cols)
    q = select(t.imports).order_by(t.imports.c.id.desc()).limit(limit)
    if scope.role == "team_lead":
        q = q.where((t.imports.c.team == scope.team) | (t.imports.c.username == scope.username))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(), columns=cols)


def import_changes(engine: Engine, scope: Scope, import_id: int) -> pd.DataFrame:
    """What one import changed: table, key, before (None = inserted), after."""
    _get_import(engine, scope, import_id)
    q = select(t.import_changes).where(t.import_changes.c.import_id == import_id).order_by(t.import_changes.c.id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=["id", "import_id", "table_name", "row_key", "before", "after"])


# ---------------------------------------------------------------- writes

def _py(v):
    """A DataFrame cell as a plain Python value for SQL/JSON (NaN → None, numpy → builtins, Timestamp → date)."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    if v is pd.NaT:
        return None
    return v


def _same(a, b) -> bool:
    a, b = _py(a), _py(b)
    if a is None or b is None:
        return (a is None or a == "") and (b is None or b == "")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def _jsonable(d: dict) -> str:
    return json.dumps({k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in d.items()},
                      ensure_ascii=False, sort_keys=True)


def _column_values(series: pd.Series) -> list:
    """One column as plain Python values: NaN/NaT → None, numpy scalars → builtins, Timestamps → dates."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if v is pd.NaT or v is None else v for v in series.dt.date.tolist()]
    vals = series.tolist()   # numpy scalars become Python int/float/bool here
    return [None if (v is None or (isinstance(v, float) and v != v) or v is pd.NaT) else
            (v.date() if isinstance(v, pd.Timestamp) else v) for v in vals]


def _records(df: pd.DataFrame, cols: list[str]) -> list[dict]:
    """Rows as dicts of plain Python values, converted column by column (fast for 100k-row imports)."""
    columns = [_column_values(df[c]) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*columns)]


@lru_cache(maxsize=65536)
def _json_value(v) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        v = v.isoformat()
    return json.dumps(v, ensure_ascii=False)


def _key_json(key_cols: list[str], key: tuple) -> str:
    """The JSON row key stored for undo (sorted keys, dates as ISO strings); same text as _jsonable.

    Encoded values are cached: a year's import repeats the same few hundred ids and dates 100,000 times.
    """
    return "{" + ", ".join(f'"{k}": {_json_value(v)}' for k, v in sorted(zip(key_cols, key))) + "}"


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
           import_id: int | None, summary: ImportSummary) -> None:
    """Insert new keys, update changed ones, count unchanged; record before-images for undo."""
    all_cols = key_cols + value_cols + ["import_id"]
    inserts, updates, changes = [], [], []
    for row in rows:
        key = tuple(row[k] for k in key_cols)
        old = existing.get(key)
        if old is None:
            inserts.append(tuple(row.get(c) for c in key_cols + value_cols) + (import_id,))
            changes.append((import_id, table.name, _key_json(key_cols, key), None, None))
        elif all(_same(row.get(c), old.get(c)) for c in value_cols):
            summary.unchanged += 1
        else:
            updates.append({**{f"k_{k}": row[k] for k in key_cols}, **{c: row.get(c) for c in value_cols},
                            "import_id": import_id})
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


def _new_import(conn, kind: str, filename: str, sha256: str, scope: Scope) -> int:
    res = conn.execute(insert(t.imports).values(
        kind=kind, filename=filename[:500], sha256=sha256, username=scope.username, created_at=now(),
        inserted=0, updated=0, unchanged=0, status="done", team=scope.team))
    return int(res.inserted_primary_key[0])


def _finish_import(conn, import_id: int, summary: ImportSummary, scope: Scope, filename: str) -> None:
    summary.import_id = import_id
    conn.execute(update(t.imports).where(t.imports.c.id == import_id).values(
        inserted=summary.inserted, updated=summary.updated, unchanged=summary.unchanged))
    record(conn, scope.username, f"import_{summary.kind}", filename,
           {"import_id": import_id, **summary.as_dict()})


def _check_write_scope(conn, scope: Scope, employee_ids: set[str], what: str) -> dict[str, str]:
    """Teams of the given managers; raises ScopeError if the caller may not write any of them."""
    if scope.role == "manager":
        raise ScopeError(f"a manager may not import {what}")
    teams = {}
    ids = list(employee_ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for eid, team in conn.execute(select(t.managers.c.employee_id, t.managers.c.team).where(
                t.managers.c.employee_id.in_(chunk))):
            teams[eid] = team
    missing = sorted(set(ids) - set(teams))
    if missing:
        raise StoreError(f"not on the roster: {', '.join(missing[:10])}", f"不在花名册中:{'、'.join(missing[:10])}")
    if scope.role == "team_lead":
        other = sorted(e for e, tm in teams.items() if tm != scope.team)
        if other:
            raise ScopeError(f"team lead of {scope.team} may not import {what} for {', '.join(other[:10])}")
    return teams


def apply_roster(engine: Engine, scope: Scope, rows: pd.DataFrame, filename: str, sha256: str,
                 dry_run: bool = False) -> ImportSummary:
    """Insert or update roster entries (ROSTER_COLUMNS, `active` optional). Never deletes anyone or their logs."""
    rows = rows.copy()
    if "active" not in rows:
        rows["active"] = True
    value_cols = [c for c in ROSTER_COLUMNS if c != "employee_id"]
    recs = _records(rows, ROSTER_COLUMNS)
    summary = ImportSummary(None, "roster", dry_run=dry_run)
    with write_begin(engine) as conn:
        if scope.role == "manager":
            raise ScopeError("a manager may not import the roster")
        if scope.role == "team_lead":
            bad = sorted({r["employee_id"] for r in recs if r["team"] != scope.team})
            if bad:
                raise ScopeError(f"team lead of {scope.team} may not import roster rows of other teams: {', '.join(bad[:10])}")
        ids = [r["employee_id"] for r in recs]
        existing = {}
        for i in range(0, len(ids), 900):
            for row in conn.execute(select(t.managers).where(t.managers.c.employee_id.in_(ids[i:i + 900]))).mappings():
                existing[(row["employee_id"],)] = dict(row)
        if scope.role == "team_lead":
            moved = sorted(k[0] for k, v in existing.items() if v["team"] != scope.team)
            if moved:
                raise ScopeError(f"team lead of {scope.team} may not change managers of other teams: {', '.join(moved[:10])}")
        import_id = None if dry_run else _new_import(conn, "roster", filename, sha256, scope)
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
            _finish_import(conn, import_id, summary, scope, filename)
        summary.import_id = import_id
    return summary


def apply_daily(engine: Engine, scope: Scope, rows: pd.DataFrame, filename: str, sha256: str,
                dry_run: bool = False) -> ImportSummary:
    """Store daily rows keyed by (employee_id, date): columns employee_id, date, metrics, notes.

    A row for a key already stored replaces it entirely (a corrected file replaces those days).
    """
    rows = rows.copy()
    for c in LOG_VALUE_COLUMNS:
        if c not in rows:
            rows[c] = np.nan if c in ("deposit_balance", "notes") else 0.0
    rows["date"] = pd.to_datetime(rows["date"]).dt.date
    recs = _records(rows, ["employee_id", "date"] + LOG_VALUE_COLUMNS)
    summary = ImportSummary(None, "daily", dry_run=dry_run)
    if not recs:
        raise StoreError("no rows to import", "没有可导入的数据行")
    with write_begin(engine) as conn:
        _check_write_scope(conn, scope, {r["employee_id"] for r in recs}, "daily logs")
        ids = sorted({r["employee_id"] for r in recs})
        lo, hi = min(r["date"] for r in recs), max(r["date"] for r in recs)
        existing = {}
        for i in range(0, len(ids), 900):
            q = select(t.daily_logs).where(t.daily_logs.c.employee_id.in_(ids[i:i + 900]),
                                           t.daily_logs.c.date >= lo, t.daily_logs.c.date <= hi)
            for row in conn.execute(q).mappings():
                existing[(row["employee_id"], row["date"])] = dict(row)
        import_id = None if dry_run else _new_import(conn, "daily", filename, sha256, scope)
        _apply(conn, t.daily_logs, ["employee_id", "date"], LOG_VALUE_COLUMNS, recs, existing, import_id, summary)
        if not dry_run:
            _finish_import(conn, import_id, summary, scope, filename)
        summary.import_id = import_id
    return summary


def apply_targets(engine: Engine, scope: Scope, rows: pd.DataFrame, filename: str, sha256: str,
                  dry_run: bool = False, kind: str = "targets") -> ImportSummary:
    """Store monthly targets, long format: month, employee_id, metric, value."""
    recs = _records(rows, TARGET_COLUMNS)
    summary = ImportSummary(None, kind, dry_run=dry_run)
    if not recs:
        raise StoreError("no targets to save", "没有可保存的目标")
    with write_begin(engine) as conn:
        _check_write_scope(conn, scope, {r["employee_id"] for r in recs}, "targets")
        months = sorted({r["month"] for r in recs})
        ids = sorted({r["employee_id"] for r in recs})
        existing = {}
        for i in range(0, len(ids), 900):
            q = select(t.targets).where(t.targets.c.month.in_(months), t.targets.c.employee_id.in_(ids[i:i + 900]))
            for row in conn.execute(q).mappings():
                existing[(row["month"], row["employee_id"], row["metric"])] = dict(row)
        import_id = None if dry_run else _new_import(conn, kind, filename, sha256, scope)
        _apply(conn, t.targets, ["month", "employee_id", "metric"], ["value"], recs, existing, import_id, summary)
        if not dry_run:
            _finish_import(conn, import_id, summary, scope, filename)
        summary.import_id = import_id
    return summary


_TABLES = {"daily_logs": t.daily_logs, "managers": t.managers, "targets": t.targets}
_KEYS = {"daily_logs": ["employee_id", "date"], "managers": ["employee_id"], "targets": ["month", "employee_id", "metric"]}
_DATE_COLS = {"date", "start_date"}


def _get_import(engine_or_conn, scope: Scope, import_id: int) -> dict:
    q = select(t.imports).where(t.imports.c.id == import_id)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            row = conn.execute(q).mappings().first()
    else:
        row = engine_or_conn.execute(q).mappings().first()
    if row is None:
        raise StoreError(f"import {import_id} does not exist", f"导入批次 {import_id} 不存在")
    row = dict(row)
    if scope.role == "manager" or (scope.role == "team_lead" and row["team"] != scope.team
                                   and row["username"] != scope.username):
        raise ScopeError(f"import {import_id} is not yours to see")
    return row


def _decode(table_name: str, d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if k in _DATE_COLS and isinstance(v, str):
            v = dt.date.fromisoformat(v)
        out[k] = v
    return out


def undo_import(engine: Engine, scope: Scope, import_id: int) -> ImportSummary:
    """Restore every key the import touched to its value before the import (deleting keys it inserted).

    Refused when a later import changed the same rows since (undo that one first).
    """
    with write_begin(engine) as conn:
        imp = _get_import(conn, scope, import_id)
        if imp["status"] == "undone":
            raise StoreError(f"import {import_id} was already undone", f"导入批次 {import_id} 已撤销")
        changes = conn.execute(select(t.import_changes).where(t.import_changes.c.import_id == import_id)
                               .order_by(t.import_changes.c.id)).mappings().all()
        summary = ImportSummary(import_id, imp["kind"], status="undone")
        # Check nothing later overwrote these rows.
        for ch in changes:
            table = _TABLES[ch["table_name"]]
            key = _decode(ch["table_name"], json.loads(ch["row_key"]))
            cur = conn.execute(select(table.c.import_id).where(
                and_(*[table.c[k] == v for k, v in key.items()]))).first()
            if cur is not None and cur[0] != import_id:
                raise StoreError(
                    f"import {cur[0]} changed the same rows later ({key}); undo import {cur[0]} first",
                    f"导入批次 {cur[0]} 之后修改了同样的数据({key}),请先撤销批次 {cur[0]}")
        deletes = [c for c in changes if c["before"] is None]
        restores = [c for c in changes if c["before"] is not None]
        # Restores first, then deletes children before parents (logs/targets before managers).
        for ch in restores:
            table = _TABLES[ch["table_name"]]
            key = _decode(ch["table_name"], json.loads(ch["row_key"]))
            before = _decode(ch["table_name"], json.loads(ch["before"]))
            conn.execute(update(table).where(and_(*[table.c[k] == v for k, v in key.items()])).values(**before))
            summary.updated += 1
        order = {"daily_logs": 0, "targets": 1, "managers": 2}
        for ch in sorted(deletes, key=lambda c: order[c["table_name"]]):
            table = _TABLES[ch["table_name"]]
            key = _decode(ch["table_name"], json.loads(ch["row_key"]))
            if ch["table_name"] == "managers":
                eid = key["employee_id"]
                used = conn.execute(select(t.daily_logs.c.employee_id).where(t.daily_logs.c.employee_id == eid).limit(1)).first() \
                    or conn.execute(select(t.targets.c.employee_id).where(t.targets.c.employee_id == eid).limit(1)).first()
                if used:
                    raise StoreError(f"{eid} has daily logs or targets stored since; undo those imports first",
                                     f"{eid} 之后已有日报或目标数据,请先撤销相应导入")
            conn.execute(delete(table).where(and_(*[table.c[k] == v for k, v in key.items()])))
            summary.inserted += 1
        conn.execute(update(t.imports).where(t.imports.c.id == import_id).values(
            status="undone", undone_at=now(), undone_by=scope.username))
        record(conn, scope.username, "undo", imp["filename"],
               {"import_id": import_id, "restored": summary.updated, "removed": summary.inserted})
    return summary
