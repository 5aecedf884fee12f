"""晨会 · Morning meeting: yesterday per manager, month-to-date pace, leaders and laggards, talking points.

A thin view: the figures come from core.metrics and core.briefing; this page only lays them out. With the big
screen toggle (ctx.big_screen) the sidebar is hidden and the type enlarged for the projector.
"""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core import briefing
from core import calendar as cal
from core import charts as C
from core import metrics as M
from core import reports
from core.i18n import fmt_date, fmt_month, fmt_pct
from core.schema import PRODUCT_METRICS, TARGET_METRICS, metric_label
from ui import bigscreen
from ui import data as ui_data
from ui.context import get_context

KEY_TILES = ("visits", "new_customers", "deposits_new", "credit_cards")


def _num_format(metric: str) -> str:
    return "localized" if metric in ("visits", "new_customers", "credit_cards", "mobile_banking",
                                     "post_loan_checks", "complaints") else "accounting"


def _metric_columns(ctx, metrics) -> dict:
    return {m: st.column_config.NumberColumn(metric_label(m, ctx.lang), format=_num_format(m)) for m in metrics}


def _yesterday_section(ctx, snap: pd.DataFrame, yday) -> None:
    st.subheader(ctx.t("morning.yesterday", date=fmt_date(yday, ctx.lang)))
    tot = briefing.yesterday_totals(snap)
    cols = st.columns(len(KEY_TILES) + 1)
    cols[0].metric(ctx.t("morning.logged"), f"{tot['logged']} / {tot['managers']}")
    for c, m in zip(cols[1:], KEY_TILES):
        c.metric(briefing.tile_label(m, ctx.lang), briefing.tile_value(m, tot[m], ctx.lang))
    shown = ["visits", "new_customers", *PRODUCT_METRICS]
    table = snap[["name", "team", "logged", *shown]].copy()
    table["logged"] = table["logged"].map({True: "✓", False: ctx.t("morning.not_logged_mark")})
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "name": st.column_config.TextColumn(ctx.t("word.manager")),
        "team": st.column_config.TextColumn(ctx.t("word.team")),
        "logged": st.column_config.TextColumn(ctx.t("morning.logged_col")),
        **_metric_columns(ctx, shown)})
    missing = snap[~snap["logged"].astype(bool)]
    if len(missing):
        names = "、".join(missing["name"].fillna(missing["employee_id"]).astype(str)) if ctx.lang == "zh" else \
            ", ".join(missing["name"].fillna(missing["employee_id"]).astype(str))
        st.warning(ctx.t("morning.missing", n=len(missing), names=names))
    else:
        st.success(ctx.t("morning.all_logged"))


def _progress_table(ctx, rows: pd.DataFrame) -> None:
    table = pd.DataFrame({
        "who": rows["name"].where(rows["level"] != "branch", ctx.t("word.branch")).fillna(rows["entity"]),
        "metric": rows["metric"].map(lambda m: metric_label(m, ctx.lang)),
        "actual": rows["actual"], "target": rows["target"], "expected": rows["expected"], "gap": rows["gap"],
        "attainment": rows["attainment"], "status": rows["status"].map(
            lambda s: ctx.t(f"status.{s}") if isinstance(s, str) else "—"),
    })
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "who": st.column_config.TextColumn(ctx.t("morning.who")),
        "metric": st.column_config.TextColumn(ctx.t("word.metric")),
        "actual": st.column_config.NumberColumn(ctx.t("word.actual"), format="localized"),
        "target": st.column_config.NumberColumn(ctx.t("word.target"), format="localized"),
        "expected": st.column_config.NumberColumn(ctx.t("word.expected"), format="%.1f"),
        "gap": st.column_config.NumberColumn(ctx.t("word.gap"), format="%.1f"),
        "attainment": st.column_config.NumberColumn(ctx.t("word.attainment"), format="percent"),
        "status": st.column_config.TextColumn(ctx.t("word.pace"))})


def _month_section(ctx, logs, targets, roster, month: str, yday, progress: pd.DataFrame) -> None:
    branch = progress[progress["level"] == "branch"]
    w = M.workday_info(month, yday, ctx.overrides)
    st.subheader(ctx.t("morning.month_to_date", month=fmt_month(month, ctx.lang)))
    st.caption(ctx.t("morning.workdays", elapsed=w["elapsed"], total=w["total"], left=w["left"],
                     pace=fmt_pct(reports.month_pace(month, yday, ctx.overrides))))
    with_target = branch[branch["target"].notna()]
    if with_target.empty:
        st.info(ctx.t("morning.no_targets", month=fmt_month(month, ctx.lang)))
    else:
        tiles = with_target[with_target["metric"].isin(PRODUCT_METRICS)].head(6)
        cols = st.columns(max(len(tiles), 1))
        for c, (_, r) in zip(cols, tiles.iterrows()):
            c.metric(metric_label(r["metric"], ctx.lang, with_unit=False), fmt_pct(r["attainment"]),
                     delta=ctx.t("morning.gap_delta", gap=briefing.fmt_amount(r["metric"], r["gap"], ctx.lang)),
                     delta_color="normal")
    rows = progress[progress["level"].isin(["branch", "team"]) & progress["metric"].isin(TARGET_METRICS)]
    _progress_table(ctx, rows.sort_values("level", key=lambda s: s.map({"branch": 0, "team": 1}), kind="stable"))
    metric = st.selectbox(ctx.t("morning.pace_metric"), list(PRODUCT_METRICS) + ["visits", "new_customers"],
                          format_func=lambda m: metric_label(m, ctx.lang), key="morning_pace_metric")
    series = M.pace_series(logs, targets, month, yday, metric, ctx.overrides, roster=roster)
    st.altair_chart(C.pace_chart(series, metric, ctx.lang), width="stretch")


def _leaders_section(ctx, snap: pd.DataFrame, progress: pd.DataFrame) -> None:
    left, mid, right = st.columns(3)
    with left:
        st.subheader(ctx.t("morning.leaders_yesterday"))
        shown = False
        for m in ("new_customers", "visits", "credit_cards", "deposits_new"):
            top = M.leaders(snap[snap["logged"].astype(bool)], m, n=3)
            if len(top):
                shown = True
                names = ", ".join(f"{r['name'] or r['employee_id']} ({briefing.fmt_amount(m, r['value'], ctx.lang)})"
                                  for _, r in top.head(5).iterrows())
                st.markdown(f"**{html.escape(metric_label(m, ctx.lang, with_unit=False))}**: {html.escape(names)}")
        if not shown:
            st.caption(ctx.t("morning.nobody"))
    man = progress[progress["level"] == "manager"]
    with mid:
        st.subheader(ctx.t("morning.leaders_month"))
        top = M.ranking(man, n=5)
        if top.empty:
            st.caption(ctx.t("morning.nobody"))
        else:
            st.dataframe(top[["rank", "name", "team", "score"]], hide_index=True, width="stretch",
                         column_config={"rank": st.column_config.NumberColumn(ctx.t("morning.rank")),
                                        "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
                                        "score": st.column_config.NumberColumn(ctx.t("morning.score"),
                                                                               format="percent")})
    with right:
        st.subheader(ctx.t("morning.behind"))
        behind = M.furthest_behind(man, n=5)
        if behind.empty:
            st.caption(ctx.t("morning.nobody_behind"))
        else:
            table = behind.assign(worst=behind["worst_metric"].map(lambda m: metric_label(m, ctx.lang)))
            st.dataframe(table[["name", "team", "score", "worst", "worst_gap"]], hide_index=True,
                         width="stretch", column_config={
                             "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
                             "score": st.column_config.NumberColumn(ctx.t("morning.pace_score"), format="percent"),
                             "worst": ctx.t("morning.worst_metric"),
                             "worst_gap": st.column_config.NumberColumn(ctx.t("word.gap"), format="%.1f")})


def main() -> None:
    ctx = get_context()
    bigscreen.apply(ctx.big_screen)
    yday = cal.previous_workday(ctx.day, ctx.overrides)
    month = cal.month_key(yday)
    st.title(f"{ctx.t('page.morning')} · {fmt_date(ctx.day, ctx.lang)}")
    roster = ui_data.roster(ctx)
    if roster.empty:
        st.info(ctx.t("app.no_data"))
        return
    first, _ = cal.month_bounds(month)
    logs = ui_data.logs(ctx, start=first, end=yday)
    targets = ui_data.targets(ctx, [month])
    if logs.empty and targets.empty:
        st.info(ctx.t("morning.no_rows", month=fmt_month(month, ctx.lang)))
        return
    snap = M.daily_snapshot(logs, roster, yday)
    progress = M.month_progress(logs, targets, roster, month, yday, ctx.overrides, level="all")
    label = ctx.team or (ctx.t(f"line.{ctx.line}") if ctx.line else None)
    points = briefing.talking_points(progress[progress["level"] == "branch"], progress[progress["level"] == "team"],
                                     snap, ctx.lang, progress_manager=progress[progress["level"] == "manager"],
                                     scope_label=label)
    st.subheader(ctx.t("morning.talking_points"))
    if points:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in points)
        st.markdown(f'<ul class="talking-points">{items}</ul>', unsafe_allow_html=True)
    else:
        st.caption(ctx.t("morning.no_points"))
    _yesterday_section(ctx, snap, yday)
    _month_section(ctx, logs, targets, roster, month, yday, progress)
    _leaders_section(ctx, snap, progress)


main()
