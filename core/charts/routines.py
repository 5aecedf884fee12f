"""Charts of the three routines (晨会, 周小结, 月总结), one function per chart (see :mod:`core.charts.base`)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.charts.base import (ACTUAL_COLOR, HEAT_SCHEME, NEUTRAL_COLOR, PCT, SPIKE_COLOR, STATUS_COLORS,
                              TARGET_COLOR, TEAM_COLORS, WIDTH, day_label, entity_label, field_title, lbl, lbl_unit,
                              status_label, status_scale, team_scale, title_params, value_format)
from core import fmt
from core.i18n import WEEKDAYS, norm_lang, t
from core.measures import status_of
from core.schema import FIELDS_BY_NAME
from core.routines.funnel import FUNNEL_STAGES, funnel_stages


def _axis(metric: str | None = None, count: bool = False):
    """A quantitative axis: whole-number ticks (no 0.5 customers) for counts, the default otherwise."""
    f = FIELDS_BY_NAME.get(metric) if metric else None
    if count or (f is not None and f.kind == "count"):
        return alt.Axis(format=",d", tickMinStep=1)
    return alt.Axis(format=",.0f")


def _texts(p: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[str]]:
    """Columns of a long frame (one metric a row) as tooltip text in each row's unit (core.fmt): a count
    whole (an expected 18.6 cards reads 19), an amount to 2 decimals."""
    return {c: [fmt.number(v, m) for v, m in zip(p[c], p["metric"])] for c in columns}


def pace_chart(series: pd.DataFrame, metric: str, lang: str = "zh", subtitle: str | None = None) -> alt.LayerChart:
    """Pace chart from :func:`metrics.pace_series`: cumulative actual (solid line with points) against the
    straight target-pace line (dashed), over the calendar days of the month. Y axis in the metric's unit."""
    s_act, s_tgt = field_title("actual_cum", lang), field_title("target_pace", lang)
    d = series[["date", "is_workday", "daily_actual", "actual_cum", "target_pace", "target"]].copy()
    long = pd.concat([
        d.assign(series=s_act, value=d["actual_cum"]),
        d.assign(series=s_tgt, value=d["target_pace"]),
    ], ignore_index=True)
    long = long[long["value"].notna()]
    fmt = value_format(metric)
    tooltip = [alt.Tooltip("date:T", title=t("word.date", lang), format="%Y-%m-%d"),
               alt.Tooltip("series:N", title=field_title("series", lang)),
               alt.Tooltip("value:Q", title=lbl_unit(metric, lang), format=fmt),
               alt.Tooltip("daily_actual:Q", title=field_title("daily_actual", lang), format=fmt),
               alt.Tooltip("target:Q", title=t("word.target", lang), format=fmt),
               alt.Tooltip("is_workday:N", title=field_title("workday", lang))]
    color = alt.Color("series:N", title=field_title("series", lang),
                      scale=alt.Scale(domain=[s_act, s_tgt], range=[ACTUAL_COLOR, TARGET_COLOR]))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=[s_act, s_tgt], range=[[1, 0], [6, 4]]), legend=None)
    base = alt.Chart(long).encode(
        x=alt.X("date:T", title=t("word.date", lang), axis=alt.Axis(format="%m-%d")),
        y=alt.Y("value:Q", title=t("metrics.axis.cumulative", lang, metric=lbl_unit(metric, lang)), axis=_axis(metric)),
        color=color, tooltip=tooltip)
    chart = alt.layer(base.mark_line(strokeWidth=2).encode(strokeDash=dash),
                      base.mark_point(filled=True, size=30).transform_filter(f"datum.series === '{s_act}'"))
    return chart.properties(title=title_params(t("metrics.chart.pace", lang, metric=lbl_unit(metric, lang)), subtitle),
                            width=WIDTH)


def progress_bars(progress: pd.DataFrame, lang: str = "zh", metric: str | None = None,
                  by: str | None = None) -> alt.LayerChart:
    """Attainment bars coloured by status, with a tick at the time elapsed (时间进度 = elapsed / total working
    days), from :func:`metrics.month_progress`. Rows: one per metric (when `by`='metric', default when only one
    entity is given) or one per entity (default otherwise; pass `metric` to pick the metric). Rows without a
    target are left out. X axis in %."""
    p = progress
    if metric is not None:
        p = p[p["metric"] == metric]
    p = p[p["target"].notna() & (p["target"] > 0)]
    if by is None:
        by = "metric" if p["entity"].nunique() <= 1 else "entity"
    d = pd.DataFrame({
        "row": [lbl(m, lang) for m in p["metric"]] if by == "metric" else entity_label(p, lang).to_numpy(),
        "entity": entity_label(p, lang).to_numpy(),
        "metric": [lbl_unit(m, lang) for m in p["metric"]],
        **_texts(p, ("actual", "target", "expected", "gap", "remaining")),
        "daily_needed": [fmt.number_up(v, m) for v, m in zip(p["daily_needed"], p["metric"])],
        "attainment": p["attainment"].to_numpy(), "pace_ratio": p["pace_ratio"].to_numpy(),
        "elapsed": (p["elapsed_workdays"] / p["total_workdays"].where(p["total_workdays"] > 0)).to_numpy(),
        "status": [status_label(s, lang) for s in p["status"]],
    })
    tooltip = [alt.Tooltip("entity:N", title=t("word.manager", lang) if by == "entity" else t("word.team", lang)),
               alt.Tooltip("metric:N", title=t("word.metric", lang)),
               alt.Tooltip("actual:N", title=t("word.actual", lang)),
               alt.Tooltip("target:N", title=t("word.target", lang)),
               alt.Tooltip("expected:N", title=t("word.expected", lang)),
               alt.Tooltip("gap:N", title=t("word.gap", lang)),
               alt.Tooltip("attainment:Q", title=t("word.attainment", lang), format=PCT),
               alt.Tooltip("elapsed:Q", title=field_title("time_elapsed", lang), format=PCT),
               alt.Tooltip("pace_ratio:Q", title=field_title("pace_ratio", lang), format=PCT),
               alt.Tooltip("remaining:N", title=field_title("remaining", lang)),
               alt.Tooltip("daily_needed:N", title=field_title("daily_needed", lang)),
               alt.Tooltip("status:N", title=field_title("status", lang))]
    order = list(pd.unique(d["row"]))
    y = alt.Y("row:N", title=t("word.metric", lang) if by == "metric" else t("word.manager", lang), sort=order)
    bars = alt.Chart(d).mark_bar().encode(
        x=alt.X("attainment:Q", title=t("metrics.axis.attainment_pct", lang), axis=alt.Axis(format="%")),
        y=y, color=alt.Color("status:N", title=field_title("status", lang), scale=status_scale(lang)), tooltip=tooltip)
    ticks = alt.Chart(d).mark_tick(color="black", thickness=2).encode(x="elapsed:Q", y=y, tooltip=tooltip)
    title = t("metrics.chart.progress_metric", lang, metric=lbl_unit(metric, lang)) if metric else \
        t("metrics.chart.progress", lang)
    return alt.layer(bars, ticks).properties(title=title_params(title), width=WIDTH)


def leaderboard_chart(board: pd.DataFrame, metric: str, lang: str = "zh", teams: Iterable | None = None,
                      n: int | None = 10) -> alt.Chart:
    """Horizontal bars of a :func:`metrics.leaderboard` / :func:`metrics.leaders` frame for one metric, best at
    the top, coloured by team (``teams`` fixes the colour domain; default: the teams shown)."""
    b = board[board["metric"] == metric] if "metric" in board.columns else board
    if n is not None:
        b = b.head(n)
    d = pd.DataFrame({"rank": b["rank"].to_numpy(), "name": entity_label(b, lang).to_numpy(),
                      "team": b["team"].astype(object).fillna("—").to_numpy() if "team" in b else "—",
                      "value": b["value"].to_numpy(), "share": b["share"].to_numpy() if "share" in b else np.nan})
    d["label"] = d["rank"].astype(str) + ". " + d["name"]
    fmt = value_format(metric)
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("value:Q", title=lbl_unit(metric, lang), axis=_axis(metric)),
        y=alt.Y("label:N", title=t("word.manager", lang), sort=list(d["label"])),
        color=alt.Color("team:N", title=t("word.team", lang),
                        scale=team_scale(teams if teams is not None else d["team"])),
        tooltip=[alt.Tooltip("rank:Q", title=field_title("rank", lang)), alt.Tooltip("name:N", title=t("word.manager", lang)),
                 alt.Tooltip("team:N", title=t("word.team", lang)),
                 alt.Tooltip("value:Q", title=lbl_unit(metric, lang), format=fmt),
                 alt.Tooltip("share:Q", title=field_title("share", lang), format=PCT)],
    ).properties(title=title_params(t("metrics.chart.leaderboard", lang, metric=lbl_unit(metric, lang))), width=WIDTH)


def heatmap(grid: pd.DataFrame, lang: str = "zh", metric: str = "visits", overrides=None,
            by: str = "manager") -> alt.LayerChart:
    """Manager × day heatmap from :func:`metrics.visits_heatmap` (or team × day, `by` = "team"): colour = the day's
    value, grey cells = not logged, day labels marked 休 (day off) / 班 (make-up working day); the number is
    printed in each cell."""
    days = pd.to_datetime(pd.Series(grid["date"].unique())).sort_values()
    day_lab = {d: day_label(d, lang, overrides) for d in days}
    d = pd.DataFrame({
        "name": entity_label(grid, lang).to_numpy(),
        "team": grid["team"].astype(object).fillna("—").to_numpy(),
        "day": pd.to_datetime(grid["date"]).map(day_lab).to_numpy(),
        "date": pd.to_datetime(grid["date"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "value": grid["value"].to_numpy(), "logged": grid["logged"].to_numpy(),
        "is_workday": grid["is_workday"].to_numpy(),
    })
    d["logged_text"] = np.where(d["logged"], t("word.yes", lang), t("word.no", lang))
    d["workday_text"] = np.where(d["is_workday"], t("word.yes", lang), t("word.no", lang))
    rows = list(pd.unique(d["name"]))
    x = alt.X("day:O", title=t("metrics.axis.day", lang), sort=[day_lab[x] for x in days],
              axis=alt.Axis(labelAngle=0))
    who = t("word.team" if by == "team" else "word.manager", lang)
    y = alt.Y("name:N", title=who, sort=rows)
    tooltip = [alt.Tooltip("name:N", title=who), *([] if by == "team" else [alt.Tooltip("team:N", title=t("word.team", lang))]),
               alt.Tooltip("date:N", title=t("word.date", lang)),
               alt.Tooltip("value:Q", title=lbl_unit(metric, lang), format=value_format(metric)),
               alt.Tooltip("logged_text:N", title=field_title("logged", lang)),
               alt.Tooltip("workday_text:N", title=field_title("workday", lang))]
    back = alt.Chart(d).mark_rect(color=NEUTRAL_COLOR, opacity=0.35).encode(x=x, y=y, tooltip=tooltip)
    cells = alt.Chart(d).transform_filter("datum.logged").mark_rect().encode(
        x=x, y=y, color=alt.Color("value:Q", title=lbl_unit(metric, lang), scale=alt.Scale(scheme=HEAT_SCHEME)),
        tooltip=tooltip)
    text = alt.Chart(d).transform_filter("datum.logged").mark_text(fontSize=11).encode(
        x=x, y=y, text=alt.Text("value:Q", format=value_format(metric)), tooltip=tooltip)
    return alt.layer(back, cells, text).properties(
        title=title_params(t("metrics.chart.heatmap", lang, metric=lbl_unit(metric, lang))), width=WIDTH)


def funnel_chart(funnel_df: pd.DataFrame, lang: str = "zh", teams: Iterable | None = None) -> alt.Chart:
    """Funnel bars (visits → new customers → products sold) for the rows of :func:`metrics.funnel` (one entity, or
    a few side by side: teams, or a manager with his team). Tooltips carry the counts, the conversion visits → new
    customers and the products per visit (a rate, not a conversion). The legend is titled by what the rows are."""
    st = funnel_stages(funnel_df)
    stage_lab = {s: t(f"metrics.stage.{s}", lang) for s in FUNNEL_STAGES}
    d = pd.DataFrame({"entity": entity_label(st, lang).to_numpy(), "stage": st["stage"].map(stage_lab).to_numpy(),
                      "stage_no": st["stage_no"].to_numpy(), "value": st["value"].to_numpy(),
                      "rate": st["rate"].to_numpy(), "per_visit": st["per_visit"].to_numpy()})
    order = [stage_lab[s] for s in FUNNEL_STAGES]
    many = d["entity"].nunique() > 1
    levels = set(st["level"]) if len(st) else set()
    who = t("word.manager", lang) if levels == {"manager"} else t("word.team", lang)
    enc = dict(
        y=alt.Y("stage:N", title=field_title("stage", lang), sort=order),
        x=alt.X("value:Q", title=t("metrics.axis.count", lang), axis=alt.Axis(format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("entity:N", title=who),
                 alt.Tooltip("stage:N", title=field_title("stage", lang)),
                 alt.Tooltip("value:Q", title=t("metrics.axis.count", lang), format=",.0f"),
                 alt.Tooltip("rate:Q", title=field_title("rate", lang), format=PCT),
                 alt.Tooltip("per_visit:Q", title=field_title("per_visit", lang), format=".2f")],
    )
    if many:
        ents = list(pd.unique(d["entity"]))
        enc["yOffset"] = alt.YOffset("entity:N", sort=ents)
        enc["color"] = alt.Color("entity:N", title=who,
                                 scale=alt.Scale(domain=ents, range=[TEAM_COLORS[i % len(TEAM_COLORS)]
                                                                     for i in range(len(ents))]))
    else:
        enc["color"] = alt.value(ACTUAL_COLOR)
    return alt.Chart(d).mark_bar().encode(**enc).properties(title=title_params(t("metrics.chart.funnel", lang)),
                                                            width=WIDTH)


def weekly_trend(daily: pd.DataFrame, metric: str, lang: str = "zh", by: str | None = None,
                 teams: Iterable | None = None) -> alt.Chart:
    """Line of a metric per day from :func:`metrics.daily_totals` (one line, or one per team when `by`='team',
    in team colours); days off drawn as hollow points."""
    cols = ["date", "is_workday", metric] + ([by] if by else [])
    d = daily[cols].rename(columns={metric: "value"}).copy()
    d["workday_text"] = np.where(d["is_workday"], t("word.yes", lang), t("word.no", lang))
    tooltip = [alt.Tooltip("date:T", title=t("word.date", lang), format="%Y-%m-%d"),
               alt.Tooltip("value:Q", title=lbl_unit(metric, lang), format=value_format(metric)),
               alt.Tooltip("workday_text:N", title=field_title("workday", lang))]
    enc = dict(x=alt.X("date:T", title=t("word.date", lang), axis=alt.Axis(format="%m-%d")),
               y=alt.Y("value:Q", title=lbl_unit(metric, lang), axis=_axis(metric)))
    if by:
        tooltip.insert(1, alt.Tooltip(f"{by}:N", title=t("word.team", lang)))
        enc["color"] = alt.Color(f"{by}:N", title=t("word.team", lang),
                                 scale=team_scale(teams if teams is not None else d[by]))
    else:
        enc["color"] = alt.value(ACTUAL_COLOR)
    base = alt.Chart(d).encode(tooltip=tooltip, **enc)
    chart = alt.layer(base.mark_line(),
                      base.mark_point(size=40, filled=True).transform_filter("datum.is_workday"),
                      base.mark_point(size=40, filled=False).transform_filter("!datum.is_workday"))
    return chart.properties(title=title_params(t("metrics.chart.trend", lang, metric=lbl_unit(metric, lang))), width=WIDTH)


def my_days_chart(grid: pd.DataFrame, lang: str = "zh", metric: str = "visits", overrides=None) -> alt.LayerChart:
    """One manager's week from :func:`metrics.visits_heatmap`: a bar per day with its value printed above it, a
    working day he did not log marked 未填 / "no log" (grey, no bar), days off tagged 休 / "off" on the short day
    label (a phone holds seven of them side by side)."""
    g = grid.sort_values("date")
    days = pd.to_datetime(g["date"])
    off = ~g["is_workday"].to_numpy(dtype=bool)
    wd = [WEEKDAYS[norm_lang(lang)][d.weekday()] for d in days]
    label = [f"{w}·{t('metrics.day_off', lang)}" if o else w for w, o in zip(wd, off)]
    logged = g["logged"].to_numpy(dtype=bool)
    value = np.where(logged, g["value"].fillna(0.0).to_numpy(dtype="float64"), 0.0)
    missing = logged == False  # noqa: E712 - numpy
    text = [fmt.figure(metric, v, lang) if ok else (t("mine.days_missing", lang) if not o else "")
            for v, ok, o in zip(value, logged, off)]
    d = pd.DataFrame({"day": label, "date": days.dt.strftime("%Y-%m-%d").to_numpy(), "value": value,
                      "text": text, "missing": missing & ~off})
    x = alt.X("day:O", title=None, sort=label, axis=alt.Axis(labelAngle=0))
    unit = lbl_unit(metric, lang)
    tip = [alt.Tooltip("date:N", title=t("word.date", lang)), alt.Tooltip("value:Q", title=unit,
                                                                          format=value_format(metric))]
    # each bar carries its number: no value axis to read (its ticks crowd a phone's narrow chart)
    bars = alt.Chart(d).mark_bar(color=ACTUAL_COLOR).encode(x=x, y=alt.Y("value:Q", title=None, axis=None),
                                                            tooltip=tip)
    labels = alt.Chart(d).mark_text(dy=-8, fontSize=12).encode(
        x=x, y="value:Q", text="text:N",
        color=alt.condition("datum.missing", alt.value(NEUTRAL_COLOR), alt.value("black")))
    return alt.layer(bars, labels).properties(
        title=title_params(t("metrics.chart.my_days", lang, metric=lbl(metric, lang))), width=WIDTH, height=220)


def week_comparison_chart(cmp: pd.DataFrame, metric: str, lang: str = "zh", by: str = "manager") -> alt.LayerChart:
    """Grouped bars this week vs last week per entity (managers, or teams: `by` = "team"), with a tick at the
    week's target share, from :func:`metrics.week_comparison` (one metric)."""
    c = cmp[cmp["metric"] == metric]
    ent = entity_label(c, lang).to_numpy()
    tw, pw = field_title("this_week", lang), field_title("prev_week", lang)
    base = pd.DataFrame({"entity": ent, "this_week": c["this_week"].to_numpy(), "prev_week": c["prev_week"].to_numpy(),
                         "change": c["change"].to_numpy(), "change_pct": c["change_pct"].to_numpy(),
                         "week_target": c["week_target"].to_numpy(), "week_attainment": c["week_attainment"].to_numpy(),
                         "status": [status_label(s, lang) for s in c["status"]]})
    long = pd.concat([base.assign(period=tw, value=base["this_week"]), base.assign(period=pw, value=base["prev_week"])],
                     ignore_index=True)
    fmt = value_format(metric)
    tooltip = [alt.Tooltip("entity:N", title=t("word.team" if by == "team" else "word.manager", lang)),
               alt.Tooltip("period:N", title=field_title("period", lang)),
               alt.Tooltip("value:Q", title=lbl_unit(metric, lang), format=fmt),
               alt.Tooltip("this_week:Q", title=tw, format=fmt), alt.Tooltip("prev_week:Q", title=pw, format=fmt),
               alt.Tooltip("change:Q", title=t("word.gap", lang), format=fmt),
               alt.Tooltip("change_pct:Q", title="Δ%", format=PCT),
               alt.Tooltip("week_target:Q", title=field_title("week_target", lang), format=fmt),
               alt.Tooltip("week_attainment:Q", title=t("word.attainment", lang), format=PCT),
               alt.Tooltip("status:N", title=field_title("status", lang))]
    order = list(pd.unique(base["entity"]))
    who = t("word.team" if by == "team" else "word.manager", lang)
    y = alt.Y("entity:N", title=who, sort=order)
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("value:Q", title=lbl_unit(metric, lang), axis=_axis(metric)), y=y, yOffset=alt.YOffset("period:N", sort=[tw, pw]),
        color=alt.Color("period:N", title=field_title("period", lang),
                        scale=alt.Scale(domain=[tw, pw], range=[ACTUAL_COLOR, NEUTRAL_COLOR])),
        tooltip=tooltip)
    ticks = alt.Chart(base[base["week_target"].notna()]).mark_tick(color="black", thickness=2).encode(
        x="week_target:Q", y=y, tooltip=[alt.Tooltip("entity:N", title=who),
                                         alt.Tooltip("week_target:Q", title=field_title("week_target", lang), format=fmt)])
    return alt.layer(bars, ticks).properties(
        title=title_params(t("metrics.chart.week", lang, metric=lbl_unit(metric, lang))), width=WIDTH)


def attainment_heatmap(progress: pd.DataFrame, lang: str = "zh", metrics: Sequence[str] | None = None) -> alt.LayerChart:
    """Colour table: entity × metric cells coloured by pace status (ahead / on pace / behind), printing the
    attainment %; from :func:`metrics.month_progress` (any levels; rows in input order). Cells without a target
    are left blank."""
    p = progress[progress["target"].notna() & (progress["target"] > 0)]
    if metrics is not None:
        p = p[p["metric"].isin(list(metrics))]
    d = pd.DataFrame({"entity": entity_label(p, lang).to_numpy(),
                      "metric": [lbl(m, lang) for m in p["metric"]],
                      "metric_unit": [lbl_unit(m, lang) for m in p["metric"]],
                      **_texts(p, ("actual", "target", "gap")),
                      "attainment": p["attainment"].to_numpy(), "pace_ratio": p["pace_ratio"].to_numpy(),
                      "status": [status_label(s, lang) for s in p["status"]]})
    mlist = list(pd.unique(d["metric"]))
    rows = list(pd.unique(d["entity"]))
    x = alt.X("metric:N", title=t("word.metric", lang), sort=mlist, axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("entity:N", title=t("word.manager", lang), sort=rows)
    tooltip = [alt.Tooltip("entity:N", title=t("word.manager", lang)),
               alt.Tooltip("metric_unit:N", title=t("word.metric", lang)),
               alt.Tooltip("actual:N", title=t("word.actual", lang)),
               alt.Tooltip("target:N", title=t("word.target", lang)),
               alt.Tooltip("attainment:Q", title=t("word.attainment", lang), format=PCT),
               alt.Tooltip("pace_ratio:Q", title=field_title("pace_ratio", lang), format=PCT),
               alt.Tooltip("gap:N", title=t("word.gap", lang)),
               alt.Tooltip("status:N", title=field_title("status", lang))]
    rect = alt.Chart(d).mark_rect(opacity=0.85).encode(
        x=x, y=y, color=alt.Color("status:N", title=field_title("status", lang), scale=status_scale(lang)), tooltip=tooltip)
    text = alt.Chart(d).mark_text(fontSize=11, color="white").encode(
        x=x, y=y, text=alt.Text("attainment:Q", format=".0%"), tooltip=tooltip)
    return alt.layer(rect, text).properties(title=title_params(t("metrics.chart.attainment", lang)), width=WIDTH)


def ranking_chart(ranked: pd.DataFrame, lang: str = "zh", teams: Iterable | None = None) -> alt.Chart:
    """Bars of the composite score (%) of :func:`metrics.ranking` (best at the top), coloured by team, with a rule
    at 100 %."""
    d = pd.DataFrame({"rank": ranked["rank"].to_numpy(), "name": entity_label(ranked, lang).to_numpy(),
                      "team": ranked["team"].astype(object).fillna("—").to_numpy(),
                      "score": ranked["score"].to_numpy(), "metrics_scored": ranked["metrics_scored"].to_numpy(),
                      "best": [lbl(m, lang) if isinstance(m, str) else "—" for m in ranked["best_metric"]],
                      "worst": [lbl(m, lang) if isinstance(m, str) else "—" for m in ranked["worst_metric"]]})
    d["label"] = d["rank"].astype(str) + ". " + d["name"]
    bars = alt.Chart(d).mark_bar().encode(
        x=alt.X("score:Q", title=t("metrics.axis.score_pct", lang), axis=alt.Axis(format="%")),
        y=alt.Y("label:N", title=t("word.manager", lang), sort=list(d["label"])),
        color=alt.Color("team:N", title=t("word.team", lang),
                        scale=team_scale(teams if teams is not None else d["team"])),
        tooltip=[alt.Tooltip("rank:Q", title=field_title("rank", lang)), alt.Tooltip("name:N", title=t("word.manager", lang)),
                 alt.Tooltip("team:N", title=t("word.team", lang)),
                 alt.Tooltip("score:Q", title=field_title("score", lang), format=PCT),
                 alt.Tooltip("best:N", title=field_title("best_metric", lang)),
                 alt.Tooltip("worst:N", title=field_title("worst_metric", lang))])
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color=TARGET_COLOR).encode(x="x:Q")
    return alt.layer(bars, rule).properties(
        title=title_params(t("metrics.chart.ranking", lang, n=len(d))), width=WIDTH)


def distribution_chart(dist: pd.DataFrame, lang: str = "zh", pace: float = 1.0) -> alt.Chart:
    """Histogram bars of :func:`metrics.distribution` (band → number of managers), each band coloured by the
    status of its midpoint against `pace`, the share of the month's working days gone (1.0 for a finished month):
    mid-month, 60–80 % attainment at 71 % of the month is on pace, not behind. An open band uses its edge."""
    d = dist[["band", "lower", "upper", "count", "share"]].copy()
    lower = d["lower"].where(np.isfinite(d["lower"]), d["upper"])
    upper = d["upper"].where(np.isfinite(d["upper"]), d["lower"])
    mid = (lower.clip(lower=0) + upper) / 2
    d["status"] = [status_label(s, lang) for s in status_of(mid.to_numpy() / (pace if pace > 0 else 1.0))]
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("band:N", title=t("metrics.axis.band", lang), sort=list(d["band"]), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title=t("metrics.axis.managers", lang), axis=_axis(count=True)),
        color=alt.Color("status:N", title=field_title("status", lang), scale=status_scale(lang)),
        tooltip=[alt.Tooltip("band:N", title=t("metrics.axis.band", lang)),
                 alt.Tooltip("count:Q", title=field_title("count", lang), format=",.0f"),
                 alt.Tooltip("share:Q", title=field_title("share", lang), format=PCT)],
    ).properties(title=title_params(t("metrics.chart.distribution", lang)), width=WIDTH)


def adb_chart(adb: pd.DataFrame, lang: str = "zh", by: str = "manager") -> alt.LayerChart:
    """Deposits 日均 (bar) vs 时点 (point) per manager (or per team, `by` = "team"), in 万元, from
    :func:`metrics.average_daily_balance`;
    month-end spikes (冲时点, spike_ratio ≥ the coaching rules' month_end_spike.ratio) drawn as red points, others grey."""
    d = pd.DataFrame({"name": entity_label(adb, lang).to_numpy(),
                      "team": adb["team"].astype(object).fillna("—").to_numpy(),
                      "adb": adb["adb"].to_numpy(), "month_end": adb["month_end"].to_numpy(),
                      "spike_ratio": adb["spike_ratio"].to_numpy(), "adb_increment": adb["adb_increment"].to_numpy(),
                      "prev_adb": adb["prev_adb"].to_numpy()})
    yes, no = t("word.yes", lang), t("word.no", lang)
    d["spike"] = np.where(adb["spike"].to_numpy(dtype=bool), yes, no)
    rows = list(pd.unique(d["name"]))
    who = t("word.team" if by == "team" else "word.manager", lang)
    y = alt.Y("name:N", title=who, sort=rows)
    fmt = ",.4~f"
    tooltip = [alt.Tooltip("name:N", title=who), *([] if by == "team" else [alt.Tooltip("team:N", title=t("word.team", lang))]),
               alt.Tooltip("adb:Q", title=field_title("adb", lang) + " (" + t("metrics.axis.balance_wan", lang) + ")",
                           format=fmt),
               alt.Tooltip("month_end:Q", title=field_title("month_end", lang), format=fmt),
               alt.Tooltip("spike_ratio:Q", title=field_title("spike_ratio", lang), format=".2f"),
               alt.Tooltip("prev_adb:Q", title=field_title("prev_adb", lang), format=fmt),
               alt.Tooltip("adb_increment:Q", title=field_title("adb_increment", lang), format=fmt),
               alt.Tooltip("spike:N", title=field_title("spike", lang))]
    bars = alt.Chart(d).mark_bar(color=ACTUAL_COLOR, opacity=0.7).encode(
        x=alt.X("adb:Q", title=t("metrics.axis.balance_wan", lang)), y=y, tooltip=tooltip)
    points = alt.Chart(d).mark_point(filled=True, size=70, shape="diamond").encode(
        x="month_end:Q", y=y, tooltip=tooltip,
        color=alt.Color("spike:N", title=field_title("spike", lang),
                        scale=alt.Scale(domain=[yes, no], range=[SPIKE_COLOR, TARGET_COLOR])))
    return alt.layer(bars, points).properties(title=title_params(t("metrics.chart.adb", lang)), width=WIDTH)


def balance_chart(series: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """Daily carried-forward balance and running 日均 (万元) from :func:`metrics.balance_series`."""
    b, a = field_title("balance", lang), field_title("adb_to_date", lang)
    d = series[["date", "balance", "adb_to_date"]]
    long = pd.concat([d.assign(series=b, value=d["balance"]), d.assign(series=a, value=d["adb_to_date"])],
                     ignore_index=True)
    return alt.Chart(long).mark_line().encode(
        x=alt.X("date:T", title=t("word.date", lang), axis=alt.Axis(format="%m-%d")),
        y=alt.Y("value:Q", title=t("metrics.axis.balance_wan", lang)),
        color=alt.Color("series:N", title=field_title("series", lang),
                        scale=alt.Scale(domain=[b, a], range=[ACTUAL_COLOR, STATUS_COLORS["on_pace"]])),
        tooltip=[alt.Tooltip("date:T", title=t("word.date", lang), format="%Y-%m-%d"),
                 alt.Tooltip("series:N", title=field_title("series", lang)),
                 alt.Tooltip("value:Q", title=t("metrics.axis.balance_wan", lang), format=",.4~f")],
    ).properties(title=title_params(t("metrics.chart.balance", lang)), width=WIDTH)
