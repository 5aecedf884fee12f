"""周小结 · Weekly review: the week vs last week and vs its share of the monthly target, leaderboards, the visits
grid, the activity funnel against the team, this week's coaching flags, and the .xlsx export.

A thin view over core.metrics, core.charts, core.reports and (when installed) core.coaching.
"""
from __future__ import annotations

import importlib
import importlib.util
import logging

import pandas as pd
import streamlit as st

from core import calendar as cal
from core import charts as C
from core import metrics as M
from core import reports
from core.briefing import fmt_amount
from core.i18n import fmt_pct
from core.schema import FIELDS_BY_NAME, TARGET_METRICS, metric_label
from ui import data as ui_data
from ui.context import get_context

log = logging.getLogger("dashboard.weekly")
TILES = ("visits", "new_customers", "deposits_new", "credit_cards")


def _fmt(metric: str) -> str:
    return "localized" if FIELDS_BY_NAME[metric].kind == "count" else "accounting"


def _coaching():
    if importlib.util.find_spec("core.coaching") is None:
        return None
    mod = importlib.import_module("core.coaching")
    return mod if hasattr(mod, "flags_for_week") else None


def _tiles(ctx, cmp_: pd.DataFrame) -> None:
    branch = cmp_[cmp_["level"] == "branch"].set_index("metric")
    cols = st.columns(len(TILES))
    for c, m in zip(cols, TILES):
        if m not in branch.index:
            continue
        r = branch.loc[m]
        c.metric(metric_label(m, ctx.lang, with_unit=False), fmt_amount(m, r["this_week"], ctx.lang),
                 delta=ctx.t("weekly.tile_delta", change=fmt_amount(m, r["change"], ctx.lang)))
        if r["week_target"] == r["week_target"]:
            c.caption(ctx.t("weekly.tile_target", attainment=fmt_pct(r["week_attainment"])))


def _summary(ctx, cmp_: pd.DataFrame) -> None:
    st.subheader(ctx.t("weekly.summary"))
    summ = reports.weekly_summary(cmp_, ctx.lang)
    summ = summ.assign(status=summ["status"].map(lambda s: ctx.t(f"status.{s}") if isinstance(s, str) else "—"))
    st.dataframe(summ[["who", "metric_name", "this_week", "prev_week", "change", "change_pct", "week_target",
                       "week_attainment", "status"]], hide_index=True, width="stretch", column_config={
        "who": ctx.t("morning.who"), "metric_name": ctx.t("word.metric"),
        "this_week": st.column_config.NumberColumn(ctx.t("report.col.this_week"), format="localized"),
        "prev_week": st.column_config.NumberColumn(ctx.t("report.col.prev_week"), format="localized"),
        "change": st.column_config.NumberColumn(ctx.t("report.col.change"), format="localized"),
        "change_pct": st.column_config.NumberColumn(ctx.t("report.col.change_pct"), format="percent"),
        "week_target": st.column_config.NumberColumn(ctx.t("report.col.week_target"), format="%.1f"),
        "week_attainment": st.column_config.NumberColumn(ctx.t("word.attainment"), format="percent"),
        "status": ctx.t("word.pace")})


def _per_manager(ctx, cmp_: pd.DataFrame, metric: str) -> None:
    st.subheader(ctx.t("weekly.per_manager", metric=metric_label(metric, ctx.lang, with_unit=False)))
    man = cmp_[(cmp_["level"] == "manager") & (cmp_["metric"] == metric)]
    man = man.assign(status=man["status"].map(lambda s: ctx.t(f"status.{s}") if isinstance(s, str) else "—"))
    st.dataframe(man[["name", "team", "this_week", "prev_week", "change", "week_target", "week_attainment",
                      "status"]], hide_index=True, width="stretch", column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
        "this_week": st.column_config.NumberColumn(ctx.t("report.col.this_week"), format=_fmt(metric)),
        "prev_week": st.column_config.NumberColumn(ctx.t("report.col.prev_week"), format=_fmt(metric)),
        "change": st.column_config.NumberColumn(ctx.t("report.col.change"), format=_fmt(metric)),
        "week_target": st.column_config.NumberColumn(ctx.t("report.col.week_target"), format="%.1f"),
        "week_attainment": st.column_config.NumberColumn(ctx.t("word.attainment"), format="percent"),
        "status": ctx.t("word.pace")})
    st.altair_chart(C.week_comparison_chart(cmp_[cmp_["level"] == "manager"], metric, ctx.lang),
                    width="stretch")


def _leaderboard(ctx, board: pd.DataFrame, metric: str, teams) -> None:
    st.subheader(ctx.t("weekly.leaderboard", metric=metric_label(metric, ctx.lang, with_unit=False)))
    one = board[board["metric"] == metric]
    if one.empty:
        st.caption(ctx.t("weekly.nobody"))
        return
    st.altair_chart(C.leaderboard_chart(one, metric, ctx.lang, teams=teams), width="stretch")


def _funnel(ctx, logs, roster, a, b) -> pd.DataFrame:
    st.subheader(ctx.t("weekly.funnel"))
    man = M.funnel(logs, a, b, "manager", roster)
    team = M.funnel(logs, a, b, "team", roster)
    if man.empty:
        st.caption(ctx.t("weekly.nobody"))
        return man
    st.altair_chart(C.funnel_chart(team if len(team) > 1 else M.funnel(logs, a, b, "branch", roster), ctx.lang,
                                   teams=roster["team"].unique()), width="stretch")
    st.dataframe(man[["name", "team", "visits", "new_customers", "products_sold", "visit_to_new",
                      "peer_visit_to_new", "visit_to_new_vs_peer", "visit_to_product", "peer_visit_to_product",
                      "visit_to_product_vs_peer"]], hide_index=True, width="stretch", column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
        "visits": st.column_config.NumberColumn(metric_label("visits", ctx.lang), format="localized"),
        "new_customers": st.column_config.NumberColumn(metric_label("new_customers", ctx.lang), format="localized"),
        "products_sold": st.column_config.NumberColumn(ctx.t("report.col.products_sold"), format="localized"),
        **{k: st.column_config.NumberColumn(ctx.t(f"report.col.{lab}"), format="percent") for k, lab in (
            ("visit_to_new", "visit_to_new"), ("peer_visit_to_new", "peer_visit_to_new"),
            ("visit_to_new_vs_peer", "vs_peer"), ("visit_to_product", "visit_to_product"),
            ("peer_visit_to_product", "peer_visit_to_product"), ("visit_to_product_vs_peer", "vs_peer"))}})
    return man


def _flags(ctx, ids: set) -> list | None:
    """This week's coaching flags for the managers on the page, or None when core.coaching is not installed."""
    coaching = _coaching()
    if coaching is None:
        return None
    try:
        flags = coaching.flags_for_week(ctx.engine, ctx.scope, ctx.week, team=ctx.team)
    except Exception:  # the flags are a side panel: a failure there must not take the review down
        log.exception("coaching flags for %s failed", ctx.week)
        st.warning(ctx.t("weekly.flags_failed"))
        return None
    return [f for f in flags if f.employee_id in ids and f.active]


def _flags_section(ctx, flags: list | None) -> None:
    if flags is None:
        return
    st.subheader(ctx.t("weekly.flags"))
    if not flags:
        st.success(ctx.t("weekly.no_flags"))
        return
    table = pd.DataFrame([{"name": f.manager_name, "team": f.team,
                           "severity": ctx.t(f"report.severity.{f.severity}"), "reason": f.reason(ctx.lang),
                           "focus": f.focus_topic(ctx.lang), "history": ctx.t(f"report.history.{f.history}"),
                           "weeks": f.weeks} for f in flags])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"), "severity": ctx.t("report.col.severity"),
        "reason": st.column_config.TextColumn(ctx.t("report.col.reason"), width="large"),
        "focus": ctx.t("report.col.focus"), "history": ctx.t("report.col.history"),
        "weeks": st.column_config.NumberColumn(ctx.t("report.col.weeks"), format="%d")})


def main() -> None:
    ctx = get_context()
    a, b = cal.week_bounds(ctx.week)
    st.title(f"{ctx.t('page.weekly')} · {reports.week_title(ctx.week, ctx.lang).split('·')[-1].strip()}")
    st.caption(reports.period_label(a, b, ctx.lang))
    roster = ui_data.roster(ctx)
    if roster.empty:
        st.info(ctx.t("app.no_data"))
        return
    prev_start = a - pd.Timedelta(days=7)
    logs = ui_data.logs(ctx, start=prev_start.isoformat(), end=b.isoformat())
    months = sorted({cal.month_key(a), cal.month_key(b)})
    targets = ui_data.targets(ctx, months)
    if M.slice_period(logs, a, b).empty:
        st.info(ctx.t("weekly.no_rows"))
        return
    as_of = min(b, ctx.today) if a <= ctx.today else b
    cmp_ = M.week_comparison(logs, targets, roster, ctx.week, ctx.overrides, level="all", as_of=as_of)
    _tiles(ctx, cmp_)
    _summary(ctx, cmp_)
    metric = st.selectbox(ctx.t("weekly.metric"), list(TARGET_METRICS), key="weekly_metric",
                          format_func=lambda m: metric_label(m, ctx.lang))
    _per_manager(ctx, cmp_, metric)
    totals = M.period_totals(logs, a, b, roster=roster)
    board = M.leaderboard(totals, n=10)
    teams = roster["team"].unique()
    _leaderboard(ctx, board, metric, teams)
    st.subheader(ctx.t("weekly.heatmap"))
    heat = M.visits_heatmap(logs, roster, ctx.week, ctx.overrides)
    st.altair_chart(C.heatmap(heat, ctx.lang, "visits", ctx.overrides), width="stretch")
    fn = _funnel(ctx, logs, roster, a, b)
    flags = _flags(ctx, set(roster["employee_id"]))
    _flags_section(ctx, flags)
    st.subheader(ctx.t("weekly.export"))
    headers = st.radio(ctx.t("weekly.headers"), ["zh", "en", "both"], horizontal=True, key="weekly_headers",
                       index=["zh", "en"].index(ctx.lang),
                       format_func=lambda h: ctx.t(f"weekly.headers_{h}"))
    org = ctx.team or ctx.t("word.branch")

    def build() -> bytes:
        return reports.weekly_report_xlsx(cmp_, board, heat, fn, ctx.week, ctx.lang, headers=headers, org=org,
                                          line=ctx.line, flags=flags, overrides=ctx.overrides,
                                          generated=ctx.today)
    st.download_button(ctx.t("weekly.download"), data=build, file_name=f"weekly-{ctx.week}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", icon=":material/download:", key="weekly_xlsx")


main()
