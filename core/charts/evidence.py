"""The coaching page's evidence chart: a flag's series against the peer median or the month's 日均."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.base import ACTUAL_COLOR, TARGET_COLOR, lbl_unit, title_params, value_format
from core.i18n import norm_lang, t
from core.schema import FIELDS_BY_NAME

EVIDENCE_COLORS = {"manager": ACTUAL_COLOR, "balance": ACTUAL_COLOR, "peer_median": TARGET_COLOR,
                   "avg_daily": TARGET_COLOR}


def evidence_chart(series: pd.DataFrame, rule_id: str, metric: str | None, lang: str = "zh",
                   name: str | None = None) -> alt.LayerChart | None:
    """A coaching flag's evidence: the manager's series against the peer median (or, for a month-end spike,
    the daily deposit balance against the month's 日均), with the exact numbers in the tooltips.

    `series` has columns order, x (a week label or an ISO date), series (manager | peer_median | balance |
    avg_daily) and value. Returns None when there is nothing to draw.
    """
    if series is None or series.empty or series["value"].isna().all():
        return None
    lang = norm_lang(lang)
    d = series.dropna(subset=["value"]).copy()
    d["label"] = d["series"].map(lambda s: t(f"coaching.chart.{s}", lang))
    order = d.drop_duplicates("x").sort_values("order")["x"].tolist()
    daily = rule_id == "month_end_spike"
    ratio = rule_id == "busy_not_converting"
    counts = not ratio and metric is not None and FIELDS_BY_NAME[metric].kind == "count"
    if ratio:
        unit, fmt = ("转化率" if lang == "zh" else "conversion"), ".0%"
    elif metric:
        unit, fmt = lbl_unit(metric, lang), value_format(metric)
    else:
        unit, fmt = None, ",.2f"
    domain = [t(f"coaching.chart.{s}", lang) for s in ("manager", "peer_median", "balance", "avg_daily")
              if s in set(d["series"])]
    colors = [EVIDENCE_COLORS[s] for s in ("manager", "peer_median", "balance", "avg_daily") if s in set(d["series"])]
    if daily:
        d["x_date"] = pd.to_datetime(d["x"])
        x = alt.X("x_date:T", title=None, axis=alt.Axis(format="%m-%d", labelAngle=0, tickCount=8))
        x_tip = alt.Tooltip("x_date:T", title=t("coaching.chart.period", lang), format="%Y-%m-%d")
    else:
        x = alt.X("x:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
        x_tip = alt.Tooltip("x:O", title=t("coaching.chart.period", lang))
    base = alt.Chart(d).encode(
        x=x,
        y=alt.Y("value:Q", title=unit, scale=alt.Scale(zero=ratio),
                axis=alt.Axis(format=fmt, tickMinStep=1 if counts else alt.Undefined)),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=domain, range=colors),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("label:N", legend=None,
                                  scale=alt.Scale(domain=domain, range=[[1, 0], [5, 4], [1, 0], [5, 4]][:len(domain)])),
        tooltip=[x_tip, alt.Tooltip("label:N", title=t("coaching.chart.series", lang)),
                 alt.Tooltip("value:Q", title=t("coaching.chart.value", lang), format=fmt)],
    )
    title = t(f"coaching.rule.{rule_id}", lang) + (f" · {name}" if name else "")
    return (base.mark_line() + base.mark_point(filled=True, size=40)).properties(
        height=220, title=title_params(title, unit))
