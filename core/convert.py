"""The one converter between numpy/pandas cells, Python values, Decimal money and SQL parameters.

* :func:`py` — a DataFrame cell as a plain Python value (NaN/NaT/None → None, numpy scalars → builtins,
  Timestamp → date or datetime, Decimal kept). Use it for SQL parameters and JSON.
* :func:`dec` — any number as an exact Decimal of what was stored (a float by its shortest repr, so 0.1 stays
  0.1); None/NaN → 0. Non-finite values raise :class:`core.errors.AppError` (``value.not_finite``).
* :func:`money` / :func:`money_str` — Decimal rounded to 0.01 half up, never "-0.00".
* :func:`finite` — True for a real, finite number (the guard every write path applies).
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from core.errors import AppError

CENT = Decimal("0.01")
ZERO = Decimal("0")


def py(v):
    """A cell as a plain Python value for SQL/JSON."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, Decimal):
        return None if v.is_nan() else v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, pd.Timestamp):
        return v.date() if (v.hour, v.minute, v.second, v.microsecond, v.nanosecond) == (0, 0, 0, 0, 0) \
            else v.to_pydatetime()
    if isinstance(v, np.datetime64):
        return py(pd.Timestamp(v)) if not np.isnat(v) else None
    if isinstance(v, np.str_):
        return str(v)
    return v


def finite(v) -> bool:
    """A real number that is not NaN or ±Inf (bools are not numbers here)."""
    if isinstance(v, (bool, np.bool_)) or v is None:
        return False
    if isinstance(v, Decimal):
        return v.is_finite()
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError, OverflowError):
        return False


def dec(x) -> Decimal:
    """An exact Decimal of a stored number: floats by their shortest repr (0.1 → 0.1); None/NaN → 0."""
    if x is None:
        return ZERO
    if isinstance(x, Decimal):
        if x.is_nan():
            return ZERO
        if not x.is_finite():
            raise AppError("value.not_finite", value=str(x))
        return x
    if isinstance(x, (bool, np.bool_)):
        return Decimal(int(x))
    if isinstance(x, (int, np.integer)):
        return Decimal(int(x))
    f = float(x)
    if f != f:
        return ZERO
    if not math.isfinite(f):
        raise AppError("value.not_finite", value=repr(f))
    return Decimal(repr(f))


def money(x) -> Decimal:
    """Round to 0.01 yuan, half up (never '-0.00')."""
    try:
        d = (x if isinstance(x, Decimal) else dec(x)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise AppError("value.not_finite", value=str(x)) from None
    return d if d != 0 else Decimal("0.00")


def money_str(x) -> str:
    return str(money(x))


def as_date(x) -> dt.date:
    """Any date-like (date, datetime, Timestamp, ISO text) → datetime.date."""
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, pd.Timestamp):
        return x.date()
    return dt.date.fromisoformat(str(x)[:10])
