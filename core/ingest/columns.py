"""Column-wise reading of a daily-log sheet: cells taken column by column, each distinct value parsed once.

A year's upload is ~100,000 rows of a few hundred managers and a few hundred days: :func:`memo_map` parses
each distinct cell once, :func:`number_column` converts a metric column with numpy (float cells) or
:func:`core.ingest.readers.parse_number` (everything else), :func:`date_state` reads a date cell, and
:func:`skipped_rows` finds the blank, totals and repeated header rows (as :func:`core.ingest.locate.skip_row`
does row by row).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import itemgetter

import numpy as np

from core.errors import AppError
from core.ingest.locate import INDEXES, Table, is_header_text, score_row
from core.ingest.readers import is_blank, is_empty, is_total_label, parse_date, parse_number
from core.schema import FIELDS_BY_NAME, UNIT_YUAN

BLANK_STATE = "blank"     # date_state of a blank date cell

# Cell types whose equal values are equal in every respect (no 1 == 1.0 == True, no 0.0 == -0.0).
_PLAIN_TYPES = frozenset({str, type(None), dt.date, dt.datetime})


def memo_map(col: Sequence[object], fn) -> list:
    """``[fn(v) for v in col]``, calling `fn` once per distinct value of the column (per distinct
    (type, value) when the column mixes types that compare equal across types, such as 1, 1.0 and True)."""
    try:
        if set(map(type, col)) <= _PLAIN_TYPES:
            memo = {v: fn(v) for v in set(col)}
            return list(map(memo.__getitem__, col))
        keys = list(zip(map(type, col), col))
        memo = {k: fn(k[1]) for k in set(keys)}
        return list(map(memo.__getitem__, keys))
    except (TypeError, KeyError):  # an unhashable cell (never from the readers): no memo
        return [fn(v) for v in col]


def columns(rows: list[list[object]], js: Iterable[int]) -> dict[int, list[object]]:
    """The cells of columns `js` (0-based) of `rows`, column by column; a short row reads as None."""
    real = sorted(set(js))
    if not real or not rows:
        return {j: [None] * len(rows) for j in real}
    width = real[-1] + 1
    if min(map(len, rows)) < width:
        rows = [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in rows]
    return {j: list(map(itemgetter(j), rows)) for j in real}


def skipped_rows(tb: Table, rows: list[list[object]], cells: dict[int, list[object]],
                 key_cols: Iterable[str]) -> set[int]:
    """Positions (in `rows`) that :func:`skip_row` skips: blank, totals and repeated header rows — worked out
    per column on the distinct values instead of per row."""
    out: set[int] = set()
    col0 = cells[0]
    for i, v in enumerate(col0):
        if (v is None or (isinstance(v, str) and not v.strip())) and all(is_empty(x) for x in rows[i]):
            out.add(i)
    check = sorted({tb.cols[k] for k in key_cols if k in tb.cols} | {0})
    header_rows: set[int] = set()
    for j in check:
        col = cells[j]
        texts = {v for v in set(col) if isinstance(v, str)}
        totals = {v for v in texts if is_total_label(v)}
        heads = {v for v in texts if is_header_text(v, "daily")}
        if totals:
            out.update(i for i, v in enumerate(col) if v in totals)
        if heads:
            header_rows.update(i for i, v in enumerate(col) if v in heads)
    for i in header_rows - out:
        if len(score_row(rows[i], INDEXES["daily"])) >= 2:
            out.add(i)
    return out


# Per-cell states of a metric column.
OK, BAD_NUMBER, NEGATIVE_COUNT, FRACTIONAL_COUNT = 0, 1, 2, 3
STATE_CODES = {BAD_NUMBER: "ingest.bad_number", NEGATIVE_COUNT: "ingest.negative_count",
               FRACTIONAL_COUNT: "ingest.fractional_count"}


def number_column(col: list[object], name: str,
                  header_unit: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A metric column in storage units (negatives allowed, counts whole and not negative): (values, NaN where
    blank or bad; blank mask; state per cell: OK or a STATE_CODES key). Float cells are converted with numpy, every other cell
    (text, int, bool, date ...) goes through :func:`parse_number` once per distinct value."""
    f = FIELDS_BY_NAME[name]
    n = len(col)
    state = np.zeros(n, dtype=np.int8)
    blank = np.zeros(n, dtype=bool)
    slow = [i for i, v in enumerate(col) if v.__class__ is not float] if set(map(type, col)) != {float} else []
    if slow:
        nums = list(col)
        for i in slow:
            nums[i] = np.nan
    else:
        nums = col
    with np.errstate(over="ignore", invalid="ignore"):
        vals = np.array(nums, dtype=np.float64)
        # float cells: NaN is blank, ±inf is not a number, the header's unit converts (as parse_number does)
        blank_f = np.isnan(vals)
        inf = np.isinf(vals)
        if f.unit:
            unit = header_unit or f.unit
            vals = vals * UNIT_YUAN[unit] / UNIT_YUAN[f.unit]
    if inf.any():
        state[inf] = BAD_NUMBER
        vals[inf] = np.nan
    if slow:
        def parse(v):
            try:
                return parse_number(v, f, header_unit)
            except AppError:
                return BAD_NUMBER
        got = memo_map([col[i] for i in slow], parse)
        for i, g in zip(slow, got):
            if g is None:
                vals[i] = np.nan
            elif g.__class__ is int:          # a state (parse_number returns floats only)
                state[i] = g
                vals[i] = np.nan
            else:
                vals[i] = g
                blank_f[i] = False
        sl = np.fromiter((g is None for g in got), dtype=bool, count=len(got))
        blank[np.asarray(slow, dtype=np.intp)[sl]] = True
        blank_f[np.asarray(slow, dtype=np.intp)] = False
    blank |= blank_f
    if f.kind == "count":
        good = (state == OK) & ~blank
        with np.errstate(invalid="ignore"):
            v = vals[good]
            if np.isinf(v).any():
                round(float("inf"))  # raises OverflowError, as the row-wise number() does on an infinite count
            neg = v < 0
            frac = ~neg & (np.abs(v - np.rint(v)) > 1e-9)
        idx = np.flatnonzero(good)
        state[idx[neg]] = NEGATIVE_COUNT
        state[idx[frac]] = FRACTIONAL_COUNT
        v = np.rint(v) + 0.0
        v[neg | frac] = np.nan
        vals[idx] = v
    return vals, blank, state


def date_state(v: object):
    """A date cell: the date, the error code, or BLANK_STATE."""
    if is_blank(v):
        return BLANK_STATE
    try:
        return parse_date(v)
    except AppError as exc:
        return exc.key

