"""How a statement reads: units, rates as written on the statement, metric and pay-band names, how-texts.

Shared by the statement model (``Line.how``), hints, the page, the CLI and the workbook, so all of them word
a line the same way: ``12 张 × 30 元 + 3 张 × 45 元(目标 12 张)``.
"""
from __future__ import annotations

from decimal import Decimal

from core import schema
from core.commission.plan import PAY_BAND_KEYS, fmt_num
from core.convert import ZERO
from core.i18n import t


def unit_label(metric: str, lang: str = "zh") -> str:
    u = schema.metric_unit_label(metric, lang)
    return "" if u == "count" else u


def q_unit(metric: str, q: Decimal, lang: str) -> str:
    """A quantity with its unit: '12 张', '150.5 万元'."""
    u = unit_label(metric, lang)
    return f"{fmt_num(q)} {u}".rstrip() if u else fmt_num(q)


def yuan_rate(rate: Decimal, lang: str) -> str:
    return f"{fmt_num(rate)} 元" if lang == "zh" else f"CNY {fmt_num(rate)}"


def rate_text(metric: str, rate: Decimal, lang: str) -> str:
    """A rate as written on the statement: yuan per unit, or a percentage for metrics counted in yuan."""
    if schema.FIELDS_BY_NAME[metric].unit == "yuan":
        return f"{fmt_num(rate * 100, sep=False)}%"
    return yuan_rate(rate, lang)


def how_text(line, lang: str = "zh") -> str:
    """'12 张 × 30 元 + 3 张 × 45 元' — how a statement line's amount was reached (a ``compute.Line``)."""
    parts = [f"{q_unit(line.metric, s.quantity, lang)} × {rate_text(line.metric, s.rate, lang)}"
             for s in line.segments]
    text = " + ".join(parts) if parts else f"0 × {rate_text(line.metric, ZERO, lang)}"
    if line.kind == "above_target":
        if line.target is None:
            text += t("commission.how.no_target", lang)
        else:
            text += t("commission.how.target", lang, target=q_unit(line.metric, line.target, lang))
    elif line.kind == "slab" and line.segments:
        text += t("commission.how.slab_band", lang, band=(line.segments[0].band or 0) + 1)
    return text


def metric_name(metric: str, lang: str = "zh") -> str:
    return schema.metric_label(metric, lang, with_unit=False)


def band_name(band: str | None, lang: str = "zh") -> str:
    if band is None:
        return "—"
    return t(f"commission.band.{PAY_BAND_KEYS[band]}", lang)


__all__ = ["unit_label", "q_unit", "yuan_rate", "rate_text", "how_text", "metric_name", "band_name"]
