"""周小结 · Weekly review: the week vs last week and vs its share of the monthly target, leaderboards, the visits
grid, the activity funnel against the team, this week's coaching flags, and the .xlsx export.

A thin view: one call to core.routines.weekly_page (cached per data version, scope and filters) gives everything;
this page only lays it out.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import charts as C
from core import fmt
from core.i18n import fmt_pct
from core.routines import period_label, week_title
from core.routines.frames import CHART_MANAGERS
from core.routines.weekly import TILES, WeeklyModel, weekly_page
from core.schema import TARGET_METRICS, metric_label
from ui import cards
from ui import data as ui_data
from ui import drill
from ui import mine as ui_mine
from ui.context import get_context
from ui.text import md


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _model(url: str, scope_key: tuple, version: str, week: str, team, line, overrides: dict, lang: str,
           today) -> WeeklyModel:
    return weekly_page(ui_data.engine_for(url), ui_data.scope_of(scope_key), week, team=team, line=line,
                       overrides=overrides, lang=lang, today=today)


def _tiles(ctx, model: WeeklyModel) -> None:
    cols = st.columns(len(TILES))
    for c, m in zip(cols, TILES):
        if m not in model.tiles.index:
            continue
        r = model.tiles.loc[m]
        # the unit in the label, the value a bare number: '8,314.40 (CNY 10k)' was cut to '8,314.40 (C…' in a
        # quarter of a laptop's width ('165 custom…' too)
        c.metric(metric_label(m, ctx.lang), fmt.number(r["this_week"], m),
                 delta=ctx.t("weekly.tile_delta", change=fmt.amount(m, r["change"], ctx.lang)))
        if r["week_target"] == r["week_target"]:
            c.caption(ctx.t("weekly.tile_target", attainment=fmt_pct(r["week_attainment"])))


_WEEK_KINDS = {"this_week": "metric", "prev_week": "metric", "change": "signed", "change_pct": "signed_pct",
               "week_target": "metric", "week_attainment": "pct"}


def _week_headers(ctx) -> dict:
    return {"this_week": ctx.t("report.col.this_week"), "prev_week": ctx.t("report.col.prev_week"),
            "change": ctx.t("report.col.change"), "change_pct": ctx.t("report.col.change_pct"),
            "week_target": ctx.t("report.col.week_target"), "week_attainment": ctx.t("word.attainment")}


def _summary(ctx, summ: pd.DataFrame, behind: pd.DataFrame) -> None:
    st.subheader(ctx.t("weekly.summary"))
    summ = summ.reset_index(drop=True)
    view = pd.concat([summ[["who", "metric_name"]], fmt.table(summ, _WEEK_KINDS, metric="metric", lang=ctx.lang)],
                     axis=1)
    view["status"] = summ["status"].map(lambda s: ctx.t(f"status.{s}") if isinstance(s, str) else fmt.BLANK)
    drill.table(view, summ, "weekly_summary", behind=behind, kinds=_WEEK_KINDS, headers=_week_headers(ctx),
                column_config={"who": ctx.t("morning.who"), "metric_name": ctx.t("word.metric"),
                               **_week_headers(ctx), "status": ctx.t("word.pace")})


def _per_manager(ctx, model: WeeklyModel, metric: str) -> None:
    st.subheader(ctx.t("weekly.per_manager", metric=metric_label(metric, ctx.lang, with_unit=False)))
    man = model.managers(metric).reset_index(drop=True)
    kinds = {k: v for k, v in _WEEK_KINDS.items() if k != "change_pct"}
    view = pd.concat([fmt.table(man, {"name": "text", "team": "text"}), fmt.table(man, kinds, metric=metric)], axis=1)
    view["status"] = man["status"].map(lambda s: ctx.t(f"status.{s}") if isinstance(s, str) else fmt.BLANK)
    drill.table(view, man, f"weekly_managers_{metric}", column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"), **_week_headers(ctx), "status": ctx.t("word.pace")})
    by = "team" if model.charts_by_team else "manager"
    if model.charts_by_team:
        st.caption(ctx.t("weekly.charts_by_team", n=CHART_MANAGERS))
    st.altair_chart(C.week_comparison_chart(model.chart_rows(), metric, ctx.lang, by=by), width="stretch")


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
    man = man.reset_index(drop=True)
    view = fmt.table(man, {"name": "text", "team": "text", "visits": "count", "new_customers": "count",
                           "products_sold": "count", "visit_to_new": "pct", "peer_visit_to_new": "pct",
                           "visit_to_new_vs_peer": "signed_points", "visit_to_product": "rate",
                           "peer_visit_to_product": "rate"})
    drill.table(view, man, "weekly_funnel", column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
        "visits": metric_label("visits", ctx.lang), "new_customers": metric_label("new_customers", ctx.lang),
        "products_sold": ctx.t("report.col.products_sold"),
        **{k: ctx.t(f"report.col.{lab}") for k, lab in (
            ("visit_to_new", "visit_to_new"), ("peer_visit_to_new", "peer_visit_to_new"),
            ("visit_to_new_vs_peer", "vs_peer_points"), ("visit_to_product", "visit_to_product"),
            ("peer_visit_to_product", "peer_visit_to_product"))}})
    st.caption(ctx.t("weekly.funnel_note"))


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
    # the flag's short name first: a long reason is cut at the column's edge, the name never is (the whole
    # reason is on the manager's profile, a click away, and on 辅导)
    table = pd.DataFrame([{"name": f.manager_name, "team": f.team, "rule": ctx.t(f"coaching.rule.{f.rule_id}"),
                           "severity": ctx.t(f"report.severity.{f.severity}"), "reason": f.reason(ctx.lang),
                           "focus": f.focus_topic(ctx.lang), "history": ctx.t(f"report.history.{f.history}"),
                           "weeks": f.weeks} for f in flags])
    drill.table(table, pd.DataFrame({"employee_id": [f.employee_id for f in flags]}), "weekly_flags", column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"), "rule": ctx.t("report.col.rule"),
        "severity": ctx.t("report.col.severity"),
        "reason": st.column_config.TextColumn(ctx.t("report.col.reason"), width="large"),
        "focus": ctx.t("report.col.focus"), "history": ctx.t("report.col.history"),
        "weeks": st.column_config.NumberColumn(ctx.t("report.col.weeks"), format="%d")})


def _manager_page(ctx, model: WeeklyModel) -> None:
    """A manager's own 周小结: his week against last week and its target share, his ranks and the peer medians,
    his funnel against his team's, his visits day by day, flags and what to work on."""
    mine = model.mine
    _tiles(ctx, model)
    st.subheader(ctx.t("mine.my_week"))
    r = mine.rows.reset_index(drop=True)
    if r.empty:
        st.info(ctx.t("mine.no_rows"))
    else:
        # one card per metric (a seven-column table scrolled sideways on a phone)
        nums = fmt.table(r, {k: v for k, v in _WEEK_KINDS.items() if k != "change_pct"}, metric="metric",
                         lang=ctx.lang)
        heads = _week_headers(ctx)
        cards.metric_cards([cards.Card(
            title=metric_label(m, ctx.lang), headline=nums.at[i, "this_week"],
            facts=tuple((heads[c], nums.at[i, c]) for c in ("prev_week", "change", "week_target", "week_attainment"))
            + ((ctx.t("mine.col.rank"), f"{ui_mine.rank_pair(r.at[i, 'team_rank'], r.at[i, 'team_n'])} · "
                                        f"{ui_mine.rank_pair(r.at[i, 'branch_rank'], r.at[i, 'branch_n'])}"),))
            for i, m in enumerate(r["metric"])], name="week")
    st.subheader(ctx.t("mine.vs_peers"))
    ui_mine.medians_table(ctx, mine, own_col="this_week")
    st.subheader(ctx.t("mine.funnel"))
    own, team = mine.funnel.get("own", {}), mine.funnel.get("team", {})
    c1, c2 = st.columns(2)
    c1.metric(ctx.t("mine.funnel_conversion"), fmt.pct(own.get("visit_to_new")))
    c1.caption(ctx.t("mine.funnel_team", value=fmt.pct(team.get("visit_to_new"))))
    c2.metric(ctx.t("mine.funnel_per_visit"), fmt.rate(own.get("products_per_visit")))
    c2.caption(ctx.t("mine.funnel_team", value=fmt.rate(team.get("products_per_visit"))))
    st.caption(ctx.t("weekly.funnel_note"))
    st.subheader(ctx.t("mine.days_chart"))          # his seven days, a bar each (a one-row heat map was a sliver)
    st.altair_chart(C.my_days_chart(model.heat, ctx.lang, "visits", ctx.overrides), width="stretch")
    ui_mine.flags_and_work(ctx, mine)
    if model.flags_failed:
        st.warning(ctx.t("weekly.flags_failed"))


def _missing_section(ctx, model: WeeklyModel) -> None:
    """Who has working days without a daily report this week, and the reminder to paste into the work group."""
    st.subheader(ctx.t("weekly.missing"))
    if not model.missing:
        st.success(ctx.t("weekly.none_missing"))
        return
    sep = "、" if ctx.lang == "zh" else ", "
    names = sep.join(fmt.plural("weekly.missing_name", n, ctx.lang, name=name) for name, n in model.missing)
    st.warning(sep.join(fmt.plural("weekly.missing_name", n, ctx.lang, name=md(name)) for name, n in model.missing))
    st.caption(ctx.t("morning.reminder"))
    st.code(ctx.t("weekly.reminder_text", names=names), language=None, wrap_lines=True)


def _template(ctx, model: WeeklyModel) -> None:
    """The week's daily template, pre-filled with the team's roster and the working days (team leads)."""
    if not model.template_team:
        return
    st.subheader(ctx.t("weekly.template"))
    st.caption(ctx.t("weekly.template_help", team=md(model.template_team)))

    def build() -> bytes:
        return model.template(ctx.lang)
    st.download_button(ctx.t("weekly.template_download"), data=build,
                       file_name=f"daily-{model.template_team}-{model.week}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", icon=":material/table:", key="weekly_template")


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
        _template(ctx, model)
        return
    if model.mine is not None:
        _manager_page(ctx, model)
        return
    _tiles(ctx, model)
    _summary(ctx, model.summary, model.manager_rows())
    metric = st.selectbox(ctx.t("weekly.metric"), list(TARGET_METRICS), key="weekly_metric",
                          format_func=lambda m: metric_label(m, ctx.lang))
    _per_manager(ctx, model, metric)
    _leaderboard(ctx, model, metric)
    if model.charts_by_team:
        st.subheader(ctx.t("weekly.heatmap_teams"))
        st.altair_chart(C.heatmap(model.heat_rows(), ctx.lang, "visits", ctx.overrides, by="team"), width="stretch")
    else:
        st.subheader(ctx.t("weekly.heatmap"))
        st.altair_chart(C.heatmap(model.heat, ctx.lang, "visits", ctx.overrides), width="stretch")
    _funnel(ctx, model)
    _flags_section(ctx, model)
    _missing_section(ctx, model)
    _template(ctx, model)
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
