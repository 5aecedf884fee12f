"""Import batches: their summary, their bookkeeping (one ``imports`` row per batch, an audit entry), the
history in the caller's scope, and undo.

Every key an import inserts or changes is recorded in ``import_changes`` with the row as it was before (written
by ``core.store.logs``), so :func:`undo_import` restores the previous values exactly. A key an import found
already holding the same values is recorded as *confirmed* (``before`` = ``after`` = :data:`CONFIRMED`).

Undo is last-in, first-out per row: undoing import A is refused ("undo import B first", naming the latest such
B) while a later import B that is not undone touched a row A inserted or changed — whether B changed that row
or only confirmed it (imported it unchanged). So B's "unchanged" rows are never reverted behind B's back:
after B is undone, A can be. Confirmations themselves restore nothing (A's undo leaves rows A only confirmed,
whatever later imports did to them).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update

from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import bulk, rollup_sql
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record
from core.store.undo_records import CONFIRMED
from core.store.values import clean_text


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
    changed: dict = field(default_factory=dict)    # column → stored values the import changes
    cleared: dict = field(default_factory=dict)    # column → stored values it sets empty
    kept: list = field(default_factory=list)       # columns absent from the upload: stored values kept

    def as_dict(self) -> dict:
        return {"import_id": self.import_id, "kind": self.kind, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "status": self.status, "dry_run": self.dry_run,
                "changed": dict(self.changed), "cleared": dict(self.cleared), "kept": list(self.kept)}


def new_import(conn, kind: str, filename: str, sha256: str, scope: Scope) -> int:
    """A new batch row (its counts are set by :func:`finish_import`); returns its id."""
    res = conn.execute(insert(t.imports).values(
        kind=kind, filename=clean_text(filename)[:500], sha256=sha256, username=scope.username, created_at=now(),
        inserted=0, updated=0, unchanged=0, status="done", team=scope.team))
    return int(res.inserted_primary_key[0])


def finish_import(conn, import_id: int, summary: ImportSummary, scope: Scope, filename: str) -> None:
    """Store the batch's counts and audit it."""
    summary.import_id = import_id
    conn.execute(update(t.imports).where(t.imports.c.id == import_id).values(
        inserted=summary.inserted, updated=summary.updated, unchanged=summary.unchanged))
    record(conn, scope.username, f"import_{summary.kind}", clean_text(filename),
           {"import_id": import_id, **summary.as_dict()})


# ---------------------------------------------------------------- history and undo

def list_imports(engine: Engine, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """Import history, newest first: a director sees all, a team lead his team's and his own, a manager none."""
    cols = [c.name for c in t.imports.columns]
    if not scope.may_import:
        return pd.DataFrame(columns=cols)
    q = select(t.imports).order_by(t.imports.c.id.desc()).limit(limit)
    team, _ = scope.row_filter()
    if team is not None:
        q = q.where((t.imports.c.team == team) | (t.imports.c.username == scope.username))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(), columns=cols)


def import_changes(engine: Engine, scope: Scope, import_id: int) -> pd.DataFrame:
    """What one import changed: table, key, before (None = inserted), after (confirmations left out)."""
    _get_import(engine, scope, import_id)
    ic = t.import_changes
    q = select(ic).where(ic.c.import_id == import_id, or_(ic.c.before.is_(None), ic.c.before != CONFIRMED)) \
        .order_by(ic.c.id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=["id", "import_id", "table_name", "row_key", "before", "after"])


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
        raise AppError("ingest.store.no_import", import_id=import_id)
    row = dict(row)
    if not scope.may_import or not (scope.can_see_team(row["team"]) or row["username"] == scope.username):
        raise ScopeError("ingest.store.not_your_import", import_id=import_id)
    return row


def _decode(table_name: str, d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if k in _DATE_COLS and isinstance(v, str):
            v = dt.date.fromisoformat(v)
        out[k] = v
    return out


def _refuse_if_touched_later(conn, import_id: int) -> None:
    """Raise ``ingest.store.changed_later`` naming the latest import, not undone, that changed or confirmed a
    row this import inserted or changed."""
    mine, later = t.import_changes.alias("mine"), t.import_changes.alias("later")
    q = (select(later.c.import_id, later.c.row_key)
         .select_from(mine.join(later, and_(later.c.table_name == mine.c.table_name,
                                            later.c.row_key == mine.c.row_key))
                      .join(t.imports, t.imports.c.id == later.c.import_id))
         .where(mine.c.import_id == import_id, or_(mine.c.before.is_(None), mine.c.before != CONFIRMED),
                later.c.import_id > import_id, t.imports.c.status != "undone")
         .order_by(later.c.import_id.desc()).limit(1))
    hit = conn.execute(q).first()
    if hit is not None:
        raise AppError("ingest.store.changed_later", later=hit[0], rows=hit[1])


def undo_import(engine: Engine, scope: Scope, import_id: int) -> ImportSummary:
    """Restore every key the import touched to its value before the import (deleting keys it inserted).

    Refused when a later import that is not undone changed or confirmed one of these rows since (undo that one
    first; see the module docstring).
    """
    with write_begin(engine) as conn:
        imp = _get_import(conn, scope, import_id)
        if imp["status"] == "undone":
            raise AppError("ingest.store.already_undone", import_id=import_id)
        summary = ImportSummary(import_id, imp["kind"], status="undone")
        _refuse_if_touched_later(conn, import_id)
        ic = t.import_changes.c
        n = conn.execute(select(func.count()).where(ic.import_id == import_id, or_(ic.before.is_(None),
                                                                                  ic.before != CONFIRMED))).scalar()
        if imp["kind"] == "daily" and bulk.wanted(conn, n):    # a large daily import: set-based (core.store.bulk)
            bulk.undo_daily(conn, import_id, summary)
        else:
            _undo_rows(conn, import_id, summary)
        conn.execute(update(t.imports).where(t.imports.c.id == import_id).values(
            status="undone", undone_at=now(), undone_by=scope.username))
        record(conn, scope.username, "undo", imp["filename"],
               {"import_id": import_id, "restored": summary.updated, "removed": summary.inserted})
    return summary


def _undo_rows(conn, import_id: int, summary: ImportSummary) -> None:
    """Undo key by key: restore before-images, delete inserted keys, refresh the touched rollups."""
    changes = [c for c in conn.execute(select(t.import_changes).where(t.import_changes.c.import_id == import_id)
                                       .order_by(t.import_changes.c.id)).mappings().all()
               if c["before"] != CONFIRMED]
    # Check nothing later overwrote these rows.
    for ch in changes:
        table = _TABLES[ch["table_name"]]
        key = _decode(ch["table_name"], json.loads(ch["row_key"]))
        cur = conn.execute(select(table.c.import_id).where(
            and_(*[table.c[k] == v for k, v in key.items()]))).first()
        if cur is not None and cur[0] != import_id:
            raise AppError("ingest.store.changed_later", later=cur[0], rows=key)
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
                raise AppError("ingest.store.used_since", employee_id=eid)
        conn.execute(delete(table).where(and_(*[table.c[k] == v for k, v in key.items()])))
        summary.inserted += 1
    rollup_sql.refresh(conn, [(k["employee_id"], k["date"]) for k in
                              (_decode(c["table_name"], json.loads(c["row_key"])) for c in changes
                               if c["table_name"] == "daily_logs")])
