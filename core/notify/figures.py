"""The morning page's key figures as one PNG for the group chat (WeCom image message, ≤ 2 MB).

Month-to-date 完成率 of each targeted product (bars) against the month's time elapsed (时间进度, the red rule), the
same tiles the 晨会 page shows; without targets this month, yesterday's headline figures as bars. Rendered with
:func:`core.routines.png.chart_png` (vl-convert and a CJK font), 640 px wide so it reads on a phone.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.i18n import fmt_date, fmt_pct, norm_lang, t
from core.routines.morning import KEY_TILES, MorningModel
from core.routines.png import chart_png
from core.schema import metric_label

WIDTH = 420                # the image is shown about 360 px wide on a phone: big type


def _attainment_chart(model: MorningModel, lang: str) -> alt.Chart:
    tiles = model.tiles
    df = pd.DataFrame({"metric": [metric_label(m, lang, with_unit=False) for m in tiles["metric"]],
                       "attainment": tiles["attainment"].astype(float).fillna(0.0).to_numpy(),
                       "label": [fmt_pct(v) for v in tiles["attainment"]]})
    pace = float(model.pace) if model.pace == model.pace else 0.0
    bars = alt.Chart(df).mark_bar(color="#2f6fb0").encode(
        y=alt.Y("metric:N", sort=None, title=None, axis=alt.Axis(labelFontSize=22)),
        x=alt.X("attainment:Q", title=None, axis=alt.Axis(format="%", labelFontSize=16)))
    text = bars.mark_text(align="right", dx=-6, fontSize=20, color="white").encode(text="label:N")
    rule = alt.Chart(pd.DataFrame({"pace": [pace]})).mark_rule(color="#c0392b", strokeWidth=3).encode(x="pace:Q")
    title = alt.TitleParams(t("notify.png.title", lang, date=fmt_date(model.yesterday, lang)), fontSize=22,
                            subtitle=t("notify.png.pace", lang, pace=fmt_pct(pace)), subtitleFontSize=18,
                            subtitleColor="#c0392b")
    return (bars + text + rule).properties(width=WIDTH, height=58 * len(df), title=title)


def _yesterday_chart(model: MorningModel, lang: str) -> alt.Chart:
    df = pd.DataFrame({"metric": [metric_label(m, lang, with_unit=True) for m in KEY_TILES],
                       "value": [float(model.totals.get(m, 0.0)) for m in KEY_TILES]})
    bars = alt.Chart(df).mark_bar(color="#2f6fb0").encode(
        y=alt.Y("metric:N", sort=None, title=None, axis=alt.Axis(labelFontSize=22)),
        x=alt.X("value:Q", title=None, axis=alt.Axis(format=",d", tickMinStep=1, labelFontSize=16)))   # counts
    text = bars.mark_text(align="left", dx=4, fontSize=20).encode(text=alt.Text("value:Q", format=",.0f"))
    title = t("notify.png.yesterday", lang, date=fmt_date(model.yesterday, lang))
    return (bars + text).properties(width=WIDTH, height=58 * len(df), title=alt.TitleParams(title, fontSize=20))


def morning_png(model: MorningModel, lang: str = "zh") -> bytes | None:
    """The PNG, or None when the model has nothing to draw."""
    lang = norm_lang(lang)
    if model.state != "ok":
        return None
    chart = _attainment_chart(model, lang) if model.has_targets and len(model.tiles) else _yesterday_chart(model, lang)
    return chart_png(chart.configure_view(stroke=None), scale=1.5)
