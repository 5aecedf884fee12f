"""The plan in force as a readable document: every rule as a sentence, in Chinese or English.

A manager reads this on the 绩效测算 page and acknowledges it once per plan version
(:func:`core.commission.inquiries.acknowledge_plan`). Rates read as on the statement (:mod:`.text`).
"""
from __future__ import annotations

from core import fmt
from core.commission.plan import Plan
from core.commission.text import metric_name, q_unit, rate_text, unit_label
from core.i18n import fmt_date, fmt_pct, fmt_yuan, t


def _unit(metric: str, lang: str) -> str:
    return unit_label(metric, lang) or ("个" if lang == "zh" else "unit")


def _item(item, lang: str) -> str:
    m, unit = metric_name(item.metric, lang), _unit(item.metric, lang)
    if item.tiers is not None:
        bands = []
        for b in item.tiers.bands:
            rate = rate_text(item.metric, b.rate, lang)
            if b.upto is None:
                bands.append(t("commission.pay.doc.band_above", lang, unit=unit, rate=rate))
            else:
                bands.append(t("commission.pay.doc.band_upto", lang, unit=unit, rate=rate,
                               upto=q_unit(item.metric, b.upto, lang)))
        sep = ";" if lang == "zh" else "; "
        return t(f"commission.pay.doc.tiers_{item.tiers.mode}", lang, metric=m, bands=sep.join(bands))
    rate = rate_text(item.metric, item.rate, lang)
    if rate.endswith("%") and item.above_target_rate is None:
        return t("commission.pay.doc.pct", lang, metric=m, rate=rate)
    if item.above_target_rate is not None:
        return t("commission.pay.doc.above", lang, metric=m, unit=unit, rate=rate,
                 above=rate_text(item.metric, item.above_target_rate, lang))
    return t("commission.pay.doc.rate", lang, metric=m, unit=unit, rate=rate)


def plan_document(plan: Plan, lang: str = "zh") -> list[str]:
    """The plan's rules as sentences, in order: head, grades, items, reserve, deductions, floor/cap, payable."""
    out = [t("commission.pay.doc.head", lang, name=plan.name, date=fmt_date(plan.effective_from, lang),
             settlement=t(f"commission.settlement.{plan.settlement}", lang))]
    if plan.description:
        out.append(plan.description.strip())
    for g in plan.grades:
        out.append(t("commission.pay.doc.grade", lang, grade=fmt.grade(g, lang), base=fmt_yuan(plan.base_pay[g], lang),
                     coef=fmt.exact(plan.grade_coefficient[g])))
    for item in plan.items:
        out.append(_item(item, lang))
        if item.deferred_share:
            out.append(t("commission.pay.doc.deferred", lang, metric=metric_name(item.metric, lang),
                         share=fmt_pct(item.deferred_share, 0)))
    release = plan.reserve_release_after_months
    if release:
        out.append(t("commission.pay.doc.release", lang, months=release))
    for d in plan.deductions:
        out.append(t("commission.pay.doc.deduction", lang, metric=metric_name(d.metric, lang),
                     amount=fmt_yuan(d.amount, lang)))
    if plan.floor is not None:
        out.append(t("commission.pay.doc.floor", lang, amount=fmt_yuan(plan.floor, lang)))
    if plan.cap is not None:
        out.append(t("commission.pay.doc.cap", lang, amount=fmt_yuan(plan.cap, lang)))
    out.append(t("commission.pay.doc.payable", lang))
    return out


__all__ = ["plan_document"]
