"""The profile page's chart (客户经理画像): one manager's weekly totals of a metric against each week's share of his
monthly target, from :func:`core.routines.profile.weekly_series`."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.base import ACTUAL_COLOR, TARGET_COLOR, WIDTH, lbl_unit, title_params, value_format
from core.charts.routines import _axis
from core.i18n import t


def _week_label(week: str, monday, lang: str) -> str:
    n = int(week.split("-W")[1])
    return f"第{n}周 {monday:%m-%d}" if lang == "zh" else f"W{n} {monday:%m-%d}"


def profile_weekly_chart(weekly: pd.DataFrame, metric: str, lang: str = "zh") -> alt.LayerChart:
    """Bars: the manager's total of `metric` per ISO week (oldest left); ticks: the week's share of his monthly
    target (none where no target was set). `weekly` holds WEEK_COLUMNS rows (any metrics; `metric` is kept)."""
    d = weekly[weekly["metric"] == metric].copy()
    d["label"] = [_week_label(w, m, lang) for w, m in zip(d["week"], d["monday"])]
    d = d.drop(columns=["monday"])
    order = list(d["label"])
    fmt = value_format(metric)
    s_act, s_tgt = t("profile.chart.actual", lang), t("profile.chart.target", lang)
    tooltip = [alt.Tooltip("label:N", title=t("profile.chart.week", lang)),
               alt.Tooltip("value:Q", title=s_act, format=fmt),
               alt.Tooltip("week_target:Q", title=s_tgt, format=fmt),
               alt.Tooltip("attainment:Q", title=t("word.attainment", lang), format=".1%")]
    x = alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45))
    y_title = lbl_unit(metric, lang)
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=[s_act, s_tgt], range=[ACTUAL_COLOR, TARGET_COLOR]))
    y = alt.Y("value:Q", title=y_title, axis=_axis(metric))
    bars = alt.Chart(d.assign(series=s_act)).mark_bar().encode(x=x, y=y, color=color, tooltip=tooltip)
    tgt = d[d["week_target"].notna()].assign(series=s_tgt, value=lambda f: f["week_target"])
    ticks = alt.Chart(tgt).mark_tick(thickness=3).encode(x=x, y=y, color=color, tooltip=tooltip)
    return alt.layer(bars, ticks).properties(
        title=title_params(t("profile.chart.title", lang, metric=y_title)), width=WIDTH)
