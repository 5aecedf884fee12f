"""How a statement reads: units, rates as written on the statement, metric and pay-band names, how-texts.

Shared by the statement model (``Line.how``), hints, the page, the CLI and the workbook, so all of them word
a line the same way: ``12 张 × 30 元 + 3 张 × 45 元(目标 12 张)``.
"""
from __future__ import annotations

from decimal import Decimal

from core import fmt, schema
from core.commission.plan import PAY_BAND_KEYS
from core.convert import ZERO
from core.i18n import t


def unit_label(metric: str, lang: str = "zh") -> str:
    u = schema.metric_unit_label(metric, lang)
    return "" if u == "count" else u


def q_unit(metric: str, q: Decimal, lang: str) -> str:
    """A quantity with its unit: '12 张', '150.5 万元'; in English as amounts read everywhere else (core.fmt):
    '150.5 (CNY 10k)', 'CNY 12,345.67', '12'."""
    u = unit_label(metric, lang)
    if not u:
        return fmt.exact(q)
    if lang == "zh":
        return f"{fmt.exact(q)} {u}"
    unit = schema.FIELDS_BY_NAME[metric].unit
    return f"CNY {fmt.exact(q)}" if unit == "yuan" else f"{fmt.exact(q)} ({u})"


def yuan_rate(rate: Decimal, lang: str) -> str:
    return f"{fmt.exact(rate)} 元" if lang == "zh" else f"CNY {fmt.exact(rate)}"


def rate_text(metric: str, rate: Decimal, lang: str) -> str:
    """A rate as written on the statement: yuan per unit, or a percentage for metrics counted in yuan."""
    if schema.FIELDS_BY_NAME[metric].unit == "yuan":
        return f"{fmt.exact(rate * 100, sep=False)}%"
    return yuan_rate(rate, lang)


def segment_text(metric: str, q: Decimal, rate: Decimal, lang: str, per_unit: bool = False) -> str:
    """One quantity at one rate: '150.5 万元 × 20 元', '12 张 × 30 元', '12,345.67 元 × 5%' (the rate as
    :func:`rate_text`, or always yuan per unit with ``per_unit``: a deduction). In English a rate per 万元 says so
    ('150.5 × CNY 20 per CNY 10k', not '150.5 CNY 10k × CNY 20'); counts '12 × CNY 30', amounts in yuan
    'CNY 12,345.67 × 5%'."""
    if lang != "zh" and schema.FIELDS_BY_NAME[metric].unit not in (None, "yuan"):
        return f"{fmt.exact(q)} × {yuan_rate(rate, lang)} per {unit_label(metric, lang)}"
    return f"{q_unit(metric, q, lang)} × {yuan_rate(rate, lang) if per_unit else rate_text(metric, rate, lang)}"


def avg_text(line, lang: str = "zh") -> str:
    """How a 日均 quantity was reached: '日均 1,300 万元' or '日均 1,300 万元 − 比年初(2025-12-31) 1,200 万元 = 100 万元'."""
    a = line.avg
    if not a.days:
        return t("commission.how.avg_no_days", lang)
    cur = t("commission.how.avg_daily", lang, value=q_unit(line.metric, a.current, lang), days=len(a.days))
    if a.base is None:
        return cur
    base = t(f"commission.how.base_{a.base}", lang, of=a.base_label, value=q_unit(line.metric, a.base_value, lang))
    return f"{cur} − {base} = {q_unit(line.metric, line.quantity, lang)}"


def how_text(line, lang: str = "zh") -> str:
    """'12 张 × 30 元 + 3 张 × 45 元' — how a statement line's amount was reached (a ``compute.Line``)."""
    parts = [segment_text(line.metric, s.quantity, s.rate, lang) for s in line.segments]
    text = " + ".join(parts) if parts else segment_text(line.metric, ZERO, ZERO, lang)
    if getattr(line, "avg", None) is not None:
        text = f"{avg_text(line, lang)}: {text}"
    if line.kind == "above_target":
        if line.target is None:
            text += t("commission.how.no_target", lang)
        else:
            text += t("commission.how.target", lang, target=q_unit(line.metric, line.target, lang))
    elif line.kind == "slab" and line.segments:
        text += t("commission.how.slab_band", lang, band=(line.segments[0].band or 0) + 1)
    return text


def attainment_how(stmt, lang: str = "zh") -> str:
    """The attainment-factor line of a statement: each metric's attainment (capped), the composite, the factor."""
    if stmt.attainment is None:
        return t("commission.how.no_attainment", lang, factor=fmt.exact(stmt.factor, sep=False))
    parts = "、".join(f"{metric_name(m, lang)} {fmt.pct_down(r)}" for m, r in stmt.attainment_parts.items())
    if lang != "zh":
        parts = ", ".join(f"{metric_name(m, lang)} {fmt.pct_down(r)}" for m, r in stmt.attainment_parts.items())
    return fmt.plural("commission.how.attainment", len(stmt.attainment_parts), lang, parts=parts,
                      composite=fmt.pct_down(stmt.attainment), factor=fmt.exact(stmt.factor, sep=False))


def release_how(inst, lang: str = "zh") -> str:
    """'2025-10 计提的风险补偿金第 1/3 期' — a reserve instalment paid this period."""
    text = t("commission.how.release", lang, period=inst.period, number=inst.number, of=inst.of)
    if inst.forfeited:
        text += t("commission.how.release_forfeited", lang, amount=f"{inst.forfeited:,.2f}")
    return text


def metric_name(metric: str, lang: str = "zh") -> str:
    return schema.metric_label(metric, lang, with_unit=False)


def band_name(band: str | None, lang: str = "zh") -> str:
    if band is None:
        return "—"
    return t(f"commission.band.{PAY_BAND_KEYS[band]}", lang)


__all__ = ["unit_label", "q_unit", "yuan_rate", "rate_text", "segment_text", "avg_text", "how_text", "attainment_how",
           "release_how", "metric_name", "band_name"]
