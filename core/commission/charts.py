"""Altair charts of the commission page: a manager's pay history, and the payout distribution by pay band.

Pure functions from the DataFrames of :mod:`core.commission` to Altair charts (no streamlit here).
"""
from __future__ import annotations

import re

import altair as alt
import pandas as pd

from core.commission.plan import Plan, pay_band_names
from core.commission.service import History
from core.commission.text import band_name
from core.i18n import t

BAND_COLORS = {"不合格": "#d62728", "一般": "#9e9e9e", "优秀": "#2ca02c"}
PAYABLE_COLOR = "#1f77b4"
DEFERRED_COLOR = "#ff7f0e"


def history_chart(hist: History, lang: str = "zh") -> alt.LayerChart:
    """Per period: performance pay (bars, coloured by pay band) and payable (line), reserve held (ticks)."""
    rows = hist.rows
    d = pd.DataFrame({
        "period": rows["period"].astype(str),
        "performance": rows["performance"].astype(float),
        "payable": rows["payable"].astype(float),
        "deferred": rows["deferred"].astype(float),
        "band": [band_name(b, lang) for b in rows["pay_band"]],
    })
    f_period = t("commission.chart.period", lang)
    f_perf = t("commission.step.performance", lang)
    f_pay = t("commission.step.payable", lang)
    f_def = t("commission.step.deferred", lang)
    f_band = t("commission.label.pay_band", lang)
    names = [band_name(b, lang) for b in BAND_COLORS]
    blank = ["—"] if (d["band"] == "—").any() else []      # a legend entry '—' only when a period has no band
    scale = alt.Scale(domain=names + blank, range=list(BAND_COLORS.values()) + ["#4c78a8"] * len(blank))
    tooltip = [alt.Tooltip("period:N", title=f_period), alt.Tooltip("performance:Q", title=f_perf, format=",.2f"),
               alt.Tooltip("deferred:Q", title=f_def, format=",.2f"), alt.Tooltip("payable:Q", title=f_pay, format=",.2f"),
               alt.Tooltip("band:N", title=f_band)]
    base = alt.Chart(d).encode(x=alt.X("period:N", title=f_period, sort=list(d["period"]), axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(opacity=0.85).encode(
        y=alt.Y("performance:Q", title=t("commission.chart.yuan", lang)),
        color=alt.Color("band:N", title=f_band, scale=scale), tooltip=tooltip)
    line = base.mark_line(point=True, color=PAYABLE_COLOR).encode(y="payable:Q", tooltip=tooltip)
    ticks = base.mark_tick(color=DEFERRED_COLOR, thickness=3, size=18).encode(y="deferred:Q", tooltip=tooltip)
    return alt.layer(bars, line, ticks).properties(
        # the legend's words one a line: a chart title never wraps, and on a phone one line ran past the chart
        title=alt.TitleParams(t("commission.chart.history", lang), anchor="start",
                              subtitle=re.split(r"(?<=[;;])\s*", t("commission.chart.history_sub", lang))),
        height=260)


def distribution_chart(summary: pd.DataFrame, plan: Plan, lang: str = "zh", step: float | None = None) -> alt.LayerChart:
    """Histogram of performance pay (managers per bin), coloured by pay band, with the band thresholds as rules.

    `summary` is :func:`core.commission.payout.summary_frame`."""
    d = summary[["name", "team", "performance", "pay_band"]].copy()
    d["band"] = [band_name(b, lang) for b in d["pay_band"]]
    perf = d["performance"].astype(float)
    if step is None:
        spread = float(perf.max() - perf.min()) if len(perf) else 0.0
        step = _nice_step(spread / 12 if spread > 0 else 1000.0)
    d["bin_start"] = (perf // step) * step
    d["bin_end"] = d["bin_start"] + step
    f_perf = t("commission.step.performance", lang)
    f_band = t("commission.label.pay_band", lang)
    f_n = t("commission.chart.managers", lang)
    order = [band_name(b, lang) for b in pay_band_names(plan)] or ["—"]
    colors = [BAND_COLORS.get(b, "#4c78a8") for b in (pay_band_names(plan) or ["—"])]
    bars = alt.Chart(d).mark_bar().encode(
        x=alt.X("bin_start:Q", bin="binned", title=f_perf + t("commission.chart.yuan_suffix", lang)),
        x2="bin_end:Q",
        y=alt.Y("count():Q", title=f_n, stack=True, axis=alt.Axis(format="d", tickMinStep=1)),   # whole managers
        color=alt.Color("band:N", title=f_band, scale=alt.Scale(domain=order, range=colors)),
        tooltip=[alt.Tooltip("band:N", title=f_band), alt.Tooltip("count():Q", title=f_n),
                 alt.Tooltip("bin_start:Q", title=f_perf, format=",.0f")])
    layers = [bars]
    if plan.pay_bands:
        th = pd.DataFrame({"x": [float(v) for _, v in plan.pay_bands],
                           "label": [f"{band_name(n, lang)} ≥ {float(v):,.0f}" for n, v in plan.pay_bands]})
        rule = alt.Chart(th).mark_rule(strokeDash=[4, 4], color="#555").encode(x="x:Q", tooltip=["label:N"])
        text = alt.Chart(th).mark_text(align="left", dx=4, dy=-6, color="#555").encode(
            x="x:Q", y=alt.value(0), text="label:N")
        layers += [rule, text]
    return alt.layer(*layers).properties(
        title=alt.TitleParams(t("commission.chart.distribution", lang), anchor="start"), height=260)


def team_chart(team_summary: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """Total payable per team (bars), from :func:`core.commission.payout.team_summary` (the total row is left out)."""
    d = team_summary[team_summary["team"].notna()].copy()
    d["payable"] = d["payable"].astype(float)
    f_team = t("word.team", lang)
    f_pay = t("commission.step.payable", lang)
    return alt.Chart(d).mark_bar(color=PAYABLE_COLOR).encode(
        x=alt.X("payable:Q", title=f_pay + t("commission.chart.yuan_suffix", lang)),
        y=alt.Y("team:N", title=f_team, sort="-x"),
        tooltip=[alt.Tooltip("team:N", title=f_team), alt.Tooltip("payable:Q", title=f_pay, format=",.2f"),
                 alt.Tooltip("managers:Q", title=t("commission.chart.managers", lang))],
    ).properties(title=alt.TitleParams(t("commission.chart.teams", lang), anchor="start"), height=40 + 30 * len(d))


def _nice_step(x: float) -> float:
    for s in (100, 200, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000):
        if x <= s:
            return float(s)
    return float(round(x, -5))


__all__ = ["history_chart", "distribution_chart", "team_chart"]
