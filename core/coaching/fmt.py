"""Numbers as the coaching reasons and evidence show them."""
from __future__ import annotations

import math

from core.convert import py
from core.schema import FIELDS_BY_NAME


def num(x, nd: int = 4):
    """An evidence number for JSON: ints stay ints, floats are rounded to `nd` places, NaN becomes None."""
    v = py(x)
    return round(v, nd) if isinstance(v, float) else v


def fmt_num(v, decimals: int | None = None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if decimals is None:
        decimals = 0 if float(v).is_integer() else (1 if abs(v) >= 10 else 2)
    return f"{v:,.{decimals}f}"


def fmt_value(metric: str, v: float, lang: str) -> str:
    """A metric value with its unit, as a manager reads it (9户 / 1,234.50万元 / CNY 3,000)."""
    f = FIELDS_BY_NAME.get(metric)
    if f is None:
        return fmt_num(v)
    if f.kind == "amount":
        if f.unit == "yuan":
            return f"{fmt_num(v, 0)}元" if lang == "zh" else f"CNY {fmt_num(v, 0)}"
        return f"{fmt_num(v, 2)}万元" if lang == "zh" else f"{fmt_num(v, 2)} (10k CNY)"
    unit = f.count_unit_zh or "个"
    return f"{fmt_num(v)}{unit}" if lang == "zh" else fmt_num(v)
