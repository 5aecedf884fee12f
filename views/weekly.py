"""周小结 · Weekly review: the week vs last week and vs its share of the monthly target, leaderboards, the visits
grid, the activity funnel against the team, this week's coaching flags, and the .xlsx export.

A thin view: one call to core.routines.weekly_page (cached per data version, scope and filters) gives everything;
this page only lays it out.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import charts as C
from core.i18n import fmt_pct
from core.routines import fmt_amount, period_label, week_title
from core.routines.weekly import TILES, WeeklyModel, weekly_page
from core.schema import FIELDS_BY_NAME, TARGET_METRICS, metric_label
from ui import data as ui_data
from ui.context import get_context


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _model(url: str, scope_key: tuple, version: str, week: str, team, line, overrides: dict, lang: str,
           today) -> WeeklyModel:
    return weekly_page(ui_data.engine_for(url), ui_data.scope_of(scope_key), week, team=team, line=line,
                       overrides=overrides, lang=lang, today=today)


def _fmt(metric: str) -> str:
    return "localized" if FIELDS_BY_NAME[metric].kind == "count" else "accounting"


def _tiles(ctx, model: WeeklyModel) -> None:
    cols = st.columns(len(TILES))
    for c, m in zip(cols, TILES):
        if m not in model.tiles.index:
            continue
        r = model.tiles.loc[m]
        c.metric(metric_label(m, ctx.lang, with_unit=False), fmt_amount(m, r["this_week"], ctx.lang),
                 delta=ctx.t("weekly.tile_delta", change=fmt_amount(m, r["change"], ctx.lang)))
        if r["week_target"] == r["week_target"]:
            c.caption(ctx.t("weekly.tile_target", attainment=fmt_pct(r["week_attainment"])))


def _summary(ctx, summ: pd.DataFrame) -> None:
    st.subheader(ctx.t("weekly.summary"))
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


def _per_manager(ctx, model: WeeklyModel, metric: str) -> None:
    st.subheader(ctx.t("weekly.per_manager", metric=metric_label(metric, ctx.lang, with_unit=False)))
    man = model.managers(metric)
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
    st.altair_chart(C.week_comparison_chart(model.manager_rows(), metric, ctx.lang), width="stretch")


def _leaderboard(ctx, model: WeeklyModel, metric: str) -> None:
    st.subheader(ctx.t("weekly.leaderboard", metric=metric_label(metric, ctx.lang, with_unit=False)))
    one = model.board_for(metric)
    if one.empty:
        st.caption(ctx.t("weekly.nobody"))
        return
    st.altair_chart(C.leaderboard_chart(one, metric, ctx.lang, teams=model.teams), width="stretch")


def _funnel(ctx, model: WeeklyModel) -> None:
    st.subheader(ctx.t("weekly.funnel"))
    man = model.funnel
    if man.empty:
        st.caption(ctx.t("weekly.nobody"))
        return
    st.altair_chart(C.funnel_chart(model.funnel_groups, ctx.lang, teams=model.teams), width="stretch")
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


def _flags_section(ctx, model: WeeklyModel) -> None:
    if model.flags_failed:
        st.warning(ctx.t("weekly.flags_failed"))
    flags = model.flags
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
    model = _model(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.week, ctx.team, ctx.line, ctx.overrides,
                   ctx.lang, ctx.today)
    st.title(f"{ctx.t('page.weekly')} · {week_title(ctx.week, ctx.lang).split('·')[-1].strip()}")
    st.caption(period_label(model.start, model.end, ctx.lang))
    if model.state == "no_data":
        st.info(ctx.t("app.no_data"))
        return
    if model.state == "no_rows":
        st.info(ctx.t("weekly.no_rows"))
        return
    _tiles(ctx, model)
    _summary(ctx, model.summary)
    metric = st.selectbox(ctx.t("weekly.metric"), list(TARGET_METRICS), key="weekly_metric",
                          format_func=lambda m: metric_label(m, ctx.lang))
    _per_manager(ctx, model, metric)
    _leaderboard(ctx, model, metric)
    st.subheader(ctx.t("weekly.heatmap"))
    st.altair_chart(C.heatmap(model.heat, ctx.lang, "visits", ctx.overrides), width="stretch")
    _funnel(ctx, model)
    _flags_section(ctx, model)
    st.subheader(ctx.t("weekly.export"))
    headers = st.radio(ctx.t("weekly.headers"), ["zh", "en", "both"], horizontal=True, key="weekly_headers",
                       index=["zh", "en"].index(ctx.lang),
                       format_func=lambda h: ctx.t(f"weekly.headers_{h}"))
    org = ctx.team or ctx.t("word.branch")

    def build() -> bytes:
        return model.xlsx(headers, org, ctx.line, ctx.overrides, ctx.today)
    st.download_button(ctx.t("weekly.download"), data=build, file_name=f"weekly-{ctx.week}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", icon=":material/download:", key="weekly_xlsx")


main()
