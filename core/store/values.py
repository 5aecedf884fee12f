"""Values as the store keeps them: the checks every writer applies and the sanitising every reader applies.

* :func:`check_numbers` refuses ±Inf, NaN where a value is required, text, and magnitudes at or beyond
  :data:`STORE_LIMIT` (what NUMERIC(20, 6) keeps) with ``ingest.store.not_finite``;
* :func:`clean_text` strips control characters (NUL ...) from text, the same on SQLite and PostgreSQL;
* :func:`sane` reads NaN, ±Inf and impossible magnitudes left by an old version as "not logged";
* :data:`EMPTY_VALUE` is what a present-but-empty daily cell stores (0 for flows, NULL for the balance and notes).
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from sqlalchemy import case, func

from core.convert import py
from core.errors import AppError
from core.schema import METRICS

log = logging.getLogger(__name__)

# NUMERIC(20, 6): 14 digits before the point. Anything at or beyond this is refused by every writer.
STORE_LIMIT = 1e13
# Value of a daily column set empty by a present-but-empty cell, and of an absent column on a new row.
EMPTY_VALUE: dict = {**{m: 0.0 for m in METRICS}, "deposit_balance": None, "notes": None}
# Control characters stripped from stored text (tab, newline and carriage return are kept).
_CONTROL = dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127], None)


def usable(col):
    """SQL: a stored number when the pages can use it, else NULL — NaN, ±Inf and magnitudes ≥ STORE_LIMIT count as
    not logged, as :func:`sane` reads them. Every GROUP BY over daily_logs sums this, so sums agree everywhere."""
    return case((func.abs(col) < STORE_LIMIT, col), else_=None)


def clean_text(v):
    """Text as stored: control characters (NUL ...) removed, the same on both databases; other values as is."""
    return v.translate(_CONTROL) if isinstance(v, str) else v


def check_numbers(series: pd.Series, name: str, required: bool = False) -> None:
    """Refuse ±Inf, NaN where a value is `required`, and magnitudes the store cannot keep."""
    vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = np.isinf(vals) | (np.abs(vals) >= STORE_LIMIT)
    if required:
        bad |= np.isnan(vals)
    bad |= series.notna().to_numpy() & np.isnan(vals)      # text or objects that are not numbers
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise AppError("ingest.store.not_finite", field=name, value=str(series.iloc[k]))


def sane(values: pd.Series, name: str) -> pd.Series:
    """Stored numbers as the pages may use them: NaN, ±Inf and magnitudes beyond :data:`STORE_LIMIT` (left by
    an old version, or written around the checks) read as not logged, with a warning in the log."""
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(values.to_numpy()) < STORE_LIMIT) & values.notna().to_numpy()
    if bad.any():
        log.warning("%d stored %s value(s) are not finite or too large; read as not logged", int(bad.sum()), name)
        values = values.mask(bad)
    return values


def is_empty(v) -> bool:
    """An empty stored value: NULL, '' or 0 (what a present-but-empty cell stores)."""
    v = py(v)
    return v is None or v == "" or (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0)
