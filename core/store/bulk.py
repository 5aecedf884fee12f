"""Bulk load of daily rows on PostgreSQL: COPY into a temporary table, then set-based SQL.

:func:`core.store.logs.apply_daily` hands a large import (more than :data:`COPY_THRESHOLD` rows, PostgreSQL only)
to :func:`apply_daily` here, inside the same write transaction. The rows are streamed with COPY (psycopg 3
``cursor.copy`` on the SQLAlchemy connection's driver connection, so they belong to the import's transaction) into
``_bulk_stage``; one joined statement classifies every row against ``daily_logs`` exactly as the row-by-row path
does (new; unchanged — every value equal, numbers within ``math.isclose(rel_tol=1e-12, abs_tol=1e-9)``, empty
text equal to none; or updated, with the columns it changes and clears; a column absent from the upload keeps the
stored value, a new row gets :data:`core.store.values.EMPTY_VALUE`), then INSERT … SELECT and UPDATE … FROM write
the rows and ``import_changes`` gets the same undo records (the same row keys, confirmations, and before/after
images, those of updated rows formatted by the same code and COPYed in). The summary is the same, and so are
undo and the rollups (refreshed by period range). Values go through float8 to NUMERIC(20, 6), as the row-by-row
path's parameters do, so both store the same numbers.
"""
from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import pandas as pd

from core.convert import py
from core.errors import AppError
from core.schema import METRICS
from core.store import rollup_sql
from core.store.undo_records import CONFIRMED, json_value, row_json
from core.store.values import EMPTY_VALUE, clean_text

COPY_THRESHOLD = 5_000      # rows; below it the row-by-row path is as fast and simpler
_CHUNK = 200_000            # rows per COPY write
VALUE_COLUMNS = [*METRICS, "notes"]
_BIT = {c: 1 << i for i, c in enumerate(VALUE_COLUMNS)}
__all__ = ["COPY_THRESHOLD", "apply_daily", "text_values", "undo_daily", "wanted"]


def wanted(engine_or_conn, n_rows: int) -> bool:
    """Whether an import of `n_rows` daily rows goes through COPY (PostgreSQL and more than the threshold)."""
    return engine_or_conn.dialect.name == "postgresql" and n_rows > COPY_THRESHOLD


def text_values(series: pd.Series) -> pd.Series:
    """Text cells as stored (:func:`core.convert.py`, control characters removed), converted once per value."""
    uniq = pd.unique(series.astype(object).to_numpy())
    table = {v: clean_text(py(v)) for v in uniq if v is not None and v == v}
    return series.astype(object).map(table)       # not in the table (None, NaN): NaN, written as NULL


def _copy_text(v) -> str:
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text_field(series: pd.Series) -> pd.Series:
    """A text column ready for COPY's text format (backslash escapes; None stays None and is written as \\N),
    converted once per distinct value."""
    vals = series.astype(object)
    uniq = pd.unique(vals.to_numpy())
    table = {v: _copy_text(v) for v in uniq if isinstance(v, str)}
    return vals.map(table)                        # not text (None, NaN): NaN, written as \\N


def _float_field(series: pd.Series) -> pd.Series:
    return series.astype("float64")


def _copy(conn, table: str, columns: list[str], fields: list[pd.Series]) -> None:
    """COPY the given fields (aligned Series: text already escaped by :func:`_text_field`, floats, ints; None / NaN
    for NULL) into `table` on this transaction's connection. The lines are written by pandas' C CSV writer with
    COPY's text format: tab-separated, \\N for NULL, no quoting (tabs, newlines and backslashes are escaped)."""
    if not len(fields[0]):
        return
    frame = pd.concat([f.reset_index(drop=True) for f in fields], axis=1, ignore_index=True)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for i in range(0, len(frame), _CHUNK):
            text = frame.iloc[i:i + _CHUNK].to_csv(sep="\t", header=False, index=False, na_rep="\\N",
                                                   quoting=csv.QUOTE_NONE, quotechar="\x07", lineterminator="\n")
            cp.write(text.encode("utf-8"))


def _stage(conn, rows: pd.DataFrame, absent: list[frozenset]) -> None:
    metric_cols = ", ".join(f"{m} float8" for m in METRICS)
    conn.exec_driver_sql(f"CREATE TEMP TABLE _bulk_stage (rn bigint, employee_id text, date date, {metric_cols}, "
                         "notes text, absent int, row_key text) ON COMMIT DROP")
    masks = {gone: sum(_BIT[c] for c in gone) for gone in set(absent)}
    dates = rows["date"].map({d: d.isoformat() for d in pd.unique(rows["date"].to_numpy())})
    eid_json = rows["employee_id"].map({e: json_value(e) for e in pd.unique(rows["employee_id"].to_numpy())})
    row_key = '{"date": "' + dates + '", "employee_id": ' + eid_json + "}"     # = imports.key_json, vectorised
    notes = text_values(rows["notes"])
    fields = [pd.Series(np.arange(len(rows))), _text_field(rows["employee_id"]), dates,
              *[_float_field(rows[m]) for m in METRICS], _text_field(notes),
              pd.Series([masks[g] for g in absent], dtype="int64"), _text_field(row_key)]
    _copy(conn, "_bulk_stage", ["rn", "employee_id", "date", *METRICS, "notes", "absent", "row_key"], fields)
    conn.exec_driver_sql("ANALYZE _bulk_stage")


def _value_sql(c: str) -> str:
    """The value a row stores for column c: the upload's, or for an absent column the stored (new row: empty)."""
    empty = "NULL" if EMPTY_VALUE[c] is None else repr(float(EMPTY_VALUE[c]))
    stored = "d.notes" if c == "notes" else f"d.{c}::float8"
    return (f"CASE WHEN s.absent & {_BIT[c]} = 0 THEN s.{c} "
            f"WHEN d.employee_id IS NULL THEN {empty} ELSE {stored} END")


def _differs_sql(c: str) -> str:
    """The new value v_c differs from the stored one (what core.store.logs._same says, in SQL)."""
    if c == "notes":
        return "coalesce(v_notes, '') <> coalesce(o_notes, '')"
    a, b = f"v_{c}", f"o_{c}"
    return (f"NOT (({a} IS NULL AND {b} IS NULL) OR ({a} IS NOT NULL AND {b} IS NOT NULL AND "
            f"abs({a} - {b}) <= greatest(1e-12 * greatest(abs({a}), abs({b})), 1e-9)))")


def _empty_sql(v: str, c: str) -> str:
    return f"({v} IS NULL OR {v} = '')" if c == "notes" else f"({v} IS NULL OR {v} = 0)"


def _classify(conn) -> None:
    """``_bulk_cls``: per staged row its key, whether it is new or updated, the values it stores (v_*), the
    stored ones (o_*), and per column whether it changes (diff_*) and clears (clr_*) the stored value."""
    vals = ", ".join(f"{_value_sql(c)} AS v_{c}" for c in VALUE_COLUMNS)
    olds = ", ".join(f"{'d.notes' if c == 'notes' else f'd.{c}::float8'} AS o_{c}" for c in VALUE_COLUMNS)
    joined = (f"SELECT s.rn, s.employee_id, s.date, s.row_key, d.employee_id IS NULL AS is_new, {vals}, {olds} "
              "FROM _bulk_stage s LEFT JOIN daily_logs d ON d.employee_id = s.employee_id AND d.date = s.date")
    diffs = ", ".join(f"(NOT is_new AND {_differs_sql(c)}) AS diff_{c}" for c in VALUE_COLUMNS)
    clears = ", ".join(f"(NOT is_new AND {_differs_sql(c)} AND {_empty_sql(f'v_{c}', c)} AND NOT "
                       f"{_empty_sql(f'o_{c}', c)}) AS clr_{c}" for c in VALUE_COLUMNS)
    any_diff = " OR ".join(f"diff_{c}" for c in VALUE_COLUMNS)
    conn.exec_driver_sql(f"CREATE TEMP TABLE _bulk_cls ON COMMIT DROP AS SELECT *, ({any_diff}) AS is_upd "
                         f"FROM (SELECT *, {diffs}, {clears} FROM ({joined}) j) x")
    conn.exec_driver_sql("ANALYZE _bulk_cls")


def _count(conn, summary) -> None:
    cols = [f"count(*) FILTER (WHERE is_new)", "count(*) FILTER (WHERE is_upd)",
            "count(*) FILTER (WHERE NOT is_new AND NOT is_upd)",
            *[f"count(*) FILTER (WHERE diff_{c})" for c in VALUE_COLUMNS],
            *[f"count(*) FILTER (WHERE clr_{c})" for c in VALUE_COLUMNS]]
    got = [int(v) for v in conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM _bulk_cls").one()]
    n = len(VALUE_COLUMNS)
    summary.inserted += got[0]
    summary.updated += got[1]
    summary.unchanged += got[2]
    for c, k in zip(VALUE_COLUMNS, got[3:3 + n]):
        if k:
            summary.changed[c] = summary.changed.get(c, 0) + k
    for c, k in zip(VALUE_COLUMNS, got[3 + n:]):
        if k:
            summary.cleared[c] = summary.cleared.get(c, 0) + k


def _float(v):
    return None if v is None else float(v)


def _images(conn) -> None:
    """Before/after images of the updated rows, made by the same code as the row-by-row path, COPYed into
    ``_bulk_images`` (read before the update)."""
    old_cols = ", ".join(f"d.{c}" for c in VALUE_COLUMNS)
    new_cols = ", ".join(f"s.{c}" for c in VALUE_COLUMNS)
    res = conn.exec_driver_sql(
        f"SELECT c.rn, s.absent, {old_cols}, d.import_id, {new_cols} FROM _bulk_cls c "
        "JOIN _bulk_stage s ON s.rn = c.rn JOIN daily_logs d ON d.employee_id = c.employee_id AND d.date = c.date "
        "WHERE c.is_upd ORDER BY c.rn")
    conn.exec_driver_sql("CREATE TEMP TABLE _bulk_images (rn bigint, before text, after text) ON COMMIT DROP")
    n = len(VALUE_COLUMNS)
    rns, befores, afters = [], [], []
    for r in res:
        absent = r[1]
        old = {c: (r[2 + i] if c == "notes" else _float(r[2 + i])) for i, c in enumerate(VALUE_COLUMNS)}
        new = {c: (old[c] if absent & _BIT[c] else r[3 + n + i]) for i, c in enumerate(VALUE_COLUMNS)}
        rns.append(int(r[0]))
        befores.append(row_json({**old, "import_id": r[2 + n]}))
        afters.append(row_json(new))
    if rns:
        _copy(conn, "_bulk_images", ["rn", "before", "after"],
              [pd.Series(rns, dtype="int64"), _text_field(pd.Series(befores)), _text_field(pd.Series(afters))])


def _write(conn, import_id: int) -> None:
    cols = ", ".join(VALUE_COLUMNS)
    vals = ", ".join(f"v_{c}" for c in VALUE_COLUMNS)
    conn.exec_driver_sql(f"INSERT INTO daily_logs (employee_id, date, {cols}, import_id) "
                         f"SELECT employee_id, date, {vals}, {int(import_id)} FROM _bulk_cls WHERE is_new")
    sets = ", ".join(f"{c} = c.v_{c}" for c in VALUE_COLUMNS)
    conn.exec_driver_sql(f"UPDATE daily_logs d SET {sets}, import_id = {int(import_id)} FROM _bulk_cls c "
                         "WHERE c.is_upd AND d.employee_id = c.employee_id AND d.date = c.date")
    conn.exec_driver_sql(
        "INSERT INTO import_changes (import_id, table_name, row_key, before, after) "
        f"SELECT {int(import_id)}, 'daily_logs', c.row_key, "
        f"CASE WHEN c.is_new THEN NULL WHEN c.is_upd THEN i.before ELSE '{CONFIRMED}' END, "
        f"CASE WHEN c.is_new THEN NULL WHEN c.is_upd THEN i.after ELSE '{CONFIRMED}' END "
        "FROM _bulk_cls c LEFT JOIN _bulk_images i ON i.rn = c.rn ORDER BY c.rn")


def _refresh_rollups(conn) -> None:
    n, lo, hi = conn.exec_driver_sql("SELECT count(*), min(date), max(date) FROM _bulk_cls "
                                     "WHERE is_new OR is_upd").one()
    if not n:
        return
    if n <= rollup_sql.KEYED_LIMIT:
        keys = conn.exec_driver_sql("SELECT employee_id, date FROM _bulk_cls WHERE is_new OR is_upd").all()
        rollup_sql.refresh(conn, [tuple(k) for k in keys])
        return
    ids = [r[0] for r in conn.exec_driver_sql(f"SELECT DISTINCT employee_id FROM _bulk_cls WHERE is_new OR is_upd "
                                              f"LIMIT {rollup_sql.RANGE_IDS_LIMIT + 1}")]
    rollup_sql.refresh_range(conn, None if len(ids) > rollup_sql.RANGE_IDS_LIMIT else ids, lo, hi)


def apply_daily(conn, rows: pd.DataFrame, absent: list[frozenset], import_id: int | None,
                summary) -> None:
    """Classify, count and (unless a dry run, `import_id` None) write `rows` as core.store.logs.apply_daily does:
    rows has employee_id (clean text), date (datetime.date), every metric (float64, rounded) and notes."""
    if _nothing_stored(conn, rows):      # loading history: no stored row for these managers in this span
        summary.inserted += len(rows)
        if import_id is not None:
            _copy_all_new(conn, rows, absent, import_id)
        return
    _stage(conn, rows, absent)
    _classify(conn)
    _count(conn, summary)
    if import_id is None:
        return
    _images(conn)
    _write(conn, import_id)
    _refresh_rollups(conn)


def _nothing_stored(conn, rows: pd.DataFrame) -> bool:
    """No daily row is stored for these managers between the first and the last date of the upload (so every
    row is new: what classification would find)."""
    ids = sorted(set(rows["employee_id"]))
    hit = conn.exec_driver_sql("SELECT 1 FROM daily_logs WHERE employee_id = ANY(%(ids)s) "
                               "AND date BETWEEN %(lo)s AND %(hi)s LIMIT 1",
                               {"ids": ids, "lo": min(rows["date"]), "hi": max(rows["date"])}).first()
    return hit is None


def _copy_all_new(conn, rows: pd.DataFrame, absent: list[frozenset], import_id: int) -> None:
    """Every row is new: COPY them straight into daily_logs (an absent column gets its empty value) and their
    undo records into import_changes (inserted: before and after NULL), in upload order; refresh the rollups."""
    masks = np.array([sum(_BIT[c] for c in gone) for gone in absent], dtype="int64") if absent else np.zeros(0)
    fields = [_text_field(rows["employee_id"]), rows["date"].map({d: d.isoformat() for d in set(rows["date"])})]
    for c in METRICS:
        col = _float_field(rows[c]).reset_index(drop=True)
        gone = (masks & _BIT[c]) != 0
        if gone.any():
            col[gone] = np.nan if EMPTY_VALUE[c] is None else float(EMPTY_VALUE[c])
        fields.append(col)
    notes = _text_field(text_values(rows["notes"])).reset_index(drop=True)
    notes[(masks & _BIT["notes"]) != 0] = None
    n = len(rows)
    fields += [notes, pd.Series(np.full(n, int(import_id), dtype="int64"))]
    _copy(conn, "daily_logs", ["employee_id", "date", *VALUE_COLUMNS, "import_id"], fields)
    eid_json = rows["employee_id"].map({e: json_value(e) for e in set(rows["employee_id"])})
    row_key = '{"date": "' + fields[1] + '", "employee_id": ' + eid_json + "}"     # = undo_records.key_json
    _copy(conn, "import_changes", ["import_id", "table_name", "row_key"],
          [fields[-1], pd.Series(["daily_logs"] * n), _text_field(row_key)])
    ids = sorted(set(rows["employee_id"]))
    rollup_sql.refresh_range(conn, None if len(ids) > rollup_sql.RANGE_IDS_LIMIT else ids,
                             min(rows["date"]), max(rows["date"]))


def _refresh_span(conn, table: str, where: str) -> None:
    """Refresh the rollups of the (employee_id, date) rows of `table` matching `where` (columns eid, d)."""
    n, lo, hi = conn.exec_driver_sql(f"SELECT count(*), min(d), max(d) FROM {table} WHERE {where}").one()
    if not n:
        return
    if n <= rollup_sql.KEYED_LIMIT:
        rollup_sql.refresh(conn, [tuple(k) for k in conn.exec_driver_sql(f"SELECT eid, d FROM {table} WHERE {where}")])
        return
    ids = [r[0] for r in conn.exec_driver_sql(f"SELECT DISTINCT eid FROM {table} WHERE {where} "
                                              f"LIMIT {rollup_sql.RANGE_IDS_LIMIT + 1}")]
    rollup_sql.refresh_range(conn, None if len(ids) > rollup_sql.RANGE_IDS_LIMIT else ids, lo, hi)


def undo_daily(conn, import_id: int, summary) -> None:
    """Undo a large daily import set-based, as core.store.imports.undo_import does row by row: refused with
    ``ingest.store.changed_later`` (the first such key, in record order) when a row it wrote now belongs to another
    import; else every changed row gets its before-image back (numbers through float8, as the row path's
    parameters), every inserted row is deleted, and the rollups of the span are refreshed."""
    x = int(import_id)
    conn.exec_driver_sql(
        "CREATE TEMP TABLE _bulk_undo ON COMMIT DROP AS SELECT id, row_key, row_key::json->>'employee_id' AS eid, "
        "(row_key::json->>'date')::date AS d, before::json AS b FROM import_changes "
        f"WHERE import_id = {x} AND table_name = 'daily_logs' AND (before IS NULL OR before <> '{CONFIRMED}')")
    conn.exec_driver_sql("ANALYZE _bulk_undo")
    hit = conn.exec_driver_sql(
        "SELECT dl.import_id, u.row_key FROM _bulk_undo u JOIN daily_logs dl ON dl.employee_id = u.eid "
        f"AND dl.date = u.d WHERE dl.import_id IS DISTINCT FROM {x} ORDER BY u.id LIMIT 1").first()
    if hit is not None:
        key = json.loads(hit[1])
        key["date"] = dt.date.fromisoformat(key["date"])
        raise AppError("ingest.store.changed_later", later=hit[0], rows=key)
    sets = ", ".join(f"notes = u.b->>'notes'" if c == "notes" else f"{c} = (u.b->>'{c}')::float8"
                     for c in VALUE_COLUMNS)
    conn.exec_driver_sql(f"UPDATE daily_logs dl SET {sets}, import_id = (u.b->>'import_id')::int "
                         "FROM _bulk_undo u WHERE u.b IS NOT NULL AND dl.employee_id = u.eid AND dl.date = u.d")
    conn.exec_driver_sql("DELETE FROM daily_logs dl USING _bulk_undo u WHERE u.b IS NULL "
                         "AND dl.employee_id = u.eid AND dl.date = u.d")
    restored, removed = conn.exec_driver_sql("SELECT count(*) FILTER (WHERE b IS NOT NULL), "
                                             "count(*) FILTER (WHERE b IS NULL) FROM _bulk_undo").one()
    summary.updated += int(restored)        # as the row path counts: every record restored or removed
    summary.inserted += int(removed)
    _refresh_span(conn, "_bulk_undo", "TRUE")
