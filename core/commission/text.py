"""How a statement reads: units, rates as written on the statement, metric and pay-band names, how-texts.

Shared by the statement model (``Line.how``), hints, the page, the CLI and the workbook, so all of them word
a line the same way: ``12 张 × 30 元 + 3 张 × 45 元(目标 12 张)``.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

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
    parts = [f"{q_unit(line.metric, s.quantity, lang)} × {rate_text(line.metric, s.rate, lang)}"
             for s in line.segments]
    text = " + ".join(parts) if parts else f"0 × {rate_text(line.metric, ZERO, lang)}"
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


def pct(d: Decimal) -> str:
    """A ratio as a percentage with up to 2 decimals, truncated: 0.59999 → '59.99%', 1.2 → '120%'."""
    return f"{fmt_num((Decimal(d) * 100).quantize(Decimal('0.01'), rounding=ROUND_DOWN), sep=False)}%"


def attainment_how(stmt, lang: str = "zh") -> str:
    """The attainment-factor line of a statement: each metric's attainment (capped), the composite, the factor."""
    if stmt.attainment is None:
        return t("commission.how.no_attainment", lang, factor=fmt_num(stmt.factor, sep=False))
    parts = "、".join(f"{metric_name(m, lang)} {pct(r)}" for m, r in stmt.attainment_parts.items())
    if lang != "zh":
        parts = ", ".join(f"{metric_name(m, lang)} {pct(r)}" for m, r in stmt.attainment_parts.items())
    return t("commission.how.attainment", lang, parts=parts, n=len(stmt.attainment_parts),
             composite=pct(stmt.attainment), factor=fmt_num(stmt.factor, sep=False))


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


__all__ = ["unit_label", "q_unit", "yuan_rate", "rate_text", "avg_text", "how_text", "pct", "attainment_how",
           "release_how", "metric_name", "band_name"]
