"""月总结 · Monthly wrap-up: attainment colour table, month-over-month and year-over-year, the 十佳 ranking and the
bottom of it, the distribution, deposits 日均 vs 时点, next month's target split (目标分解), and the exports
(.xlsx and chart PNGs).

A thin view: one call to core.routines.monthly_page (cached per data version, scope, filters and top n) gives
everything; this page lays it out, and saves the target split through core.routines.save_split.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import charts as C
from core import fmt
from core import routines as R
from core.errors import AppError
from core.i18n import fmt_month, fmt_pct
from core.routines.frames import CHART_MANAGERS
from core.routines.monthly import MonthlyModel, monthly_page
from core.schema import TARGET_METRICS, metric_label
from ui import data as ui_data
from ui import drill
from ui import mine as ui_mine
from ui.context import get_context
from ui.text import md_join


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _model(url: str, scope_key: tuple, version: str, month: str, as_of, team, line, overrides: dict,
           lang: str) -> MonthlyModel:
    return monthly_page(ui_data.engine_for(url), ui_data.scope_of(scope_key), month, as_of, team=team, line=line,
                        overrides=overrides, lang=lang)


def _status(ctx, s) -> str:
    return ctx.t(f"status.{s}") if isinstance(s, str) else "—"


def _tiles(ctx, branch: pd.DataFrame) -> None:
    rows = [branch.iloc[i:i + 3] for i in range(0, len(branch), 3)]  # three per row: long amounts stay readable
    for chunk in rows:
        cols = st.columns(3)
        for c, (_, r) in zip(cols, chunk.iterrows()):
            # the unit in the label, a bare number as the value: '25,943.30 (CNY 10k)' was cut to '25,943.30 (CNY 1…'
            c.metric(metric_label(r["metric"], ctx.lang), fmt.number(r["actual"], r["metric"]),
                     delta=ctx.t("monthly.tile_attainment", attainment=fmt_pct(r["attainment"]))
                     if r["target"] == r["target"] else None, delta_color="off", delta_arrow="off")


def _attainment(ctx, model: MonthlyModel) -> None:
    st.subheader(ctx.t("monthly.attainment"))
    ms, pace = model.matrix_metrics, model.pace
    if not ms:
        st.info(ctx.t("monthly.no_targets"))
        return
    mat = model.matrix.copy()
    mat["name"] = mat["name"].where(mat["level"] != "branch", ctx.t("word.branch"))
    mat[["name", "team"]] = fmt.table(mat, {"name": "text", "team": "text"})
    view = mat[["name", "team", *ms, "score"]].rename(columns={m: metric_label(m, ctx.lang, False) for m in ms})
    pct_cols = [metric_label(m, ctx.lang, False) for m in ms] + ["score"]
    styled = view.style.map(lambda v: R.rag_colour(v, pace), subset=pct_cols).format(
        lambda v: fmt_pct(v), subset=pct_cols)
    drill.table(styled, mat, "monthly_attainment", behind=mat, kinds={"score": "pct"},
                headers={"score": ctx.t("report.col.score")}, column_config={
        "name": ctx.t("word.manager"), "team": ctx.t("word.team"), "score": ctx.t("report.col.score")})
    st.caption(ctx.t("monthly.attainment_note", pace=fmt_pct(pace)))
    rank = model.team_rank
    if rank is not None:
        st.caption(ctx.t("morning.team_rank_none") if rank.rank is None else ctx.t(
            "morning.team_rank", rank=rank.rank, n=rank.n, score=fmt.pct(rank.score), median=fmt.pct(rank.median),
            manager_median=fmt.pct(model.branch_median)))


def _summary(ctx, summ: pd.DataFrame, behind: pd.DataFrame) -> None:
    st.subheader(ctx.t("monthly.summary"))
    summ = summ.reset_index(drop=True)
    nums = fmt.table(summ, {"actual": "metric", "target": "metric", "attainment": "pct", "prev_month": "metric",
                            "mom_pct": "signed_pct", "last_year": "metric", "yoy_pct": "signed_pct"},
                     metric="metric", lang=ctx.lang)
    view = pd.concat([fmt.table(summ, {"who": "text", "metric_name": "text"}), nums], axis=1)
    view["status"] = summ["status"].map(lambda s: _status(ctx, s))
    drill.table(view[["who", "metric_name", "actual", "target", "attainment", "status", "prev_month", "mom_pct",
                      "last_year", "yoy_pct"]], summ, "monthly_summary", behind=behind,
                kinds={"actual": "metric", "target": "metric", "attainment": "pct"},
                headers={k: ctx.t(f"word.{k}") for k in ("actual", "target", "attainment")}, column_config={
        "who": ctx.t("morning.who"), "metric_name": ctx.t("word.metric"), "actual": ctx.t("word.actual"),
        "target": ctx.t("word.target"), "attainment": ctx.t("word.attainment"), "status": ctx.t("word.pace"),
        "prev_month": ctx.t("report.col.prev_month"), "mom_pct": ctx.t("report.col.mom_pct"),
        "last_year": ctx.t("report.col.last_year"), "yoy_pct": ctx.t("report.col.yoy_pct")})


def _rank_table(ctx, frame: pd.DataFrame, key: str) -> None:
    view = frame.assign(best=frame["best_metric"].map(lambda m: metric_label(m, ctx.lang, False)),
                        worst=frame["worst_metric"].map(lambda m: metric_label(m, ctx.lang, False)),
                        score=frame["score"].map(fmt.pct))
    drill.table(view[["rank", "name", "team", "score", "metrics_met", "metrics_scored", "best", "worst"]], view,
                key, column_config={
                     "rank": st.column_config.NumberColumn(ctx.t("report.col.rank"), format="%d"),
                     "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
                     "score": ctx.t("report.col.score"),
                     "metrics_met": st.column_config.NumberColumn(ctx.t("report.col.metrics_met"), format="%d"),
                     "metrics_scored": st.column_config.NumberColumn(ctx.t("report.col.metrics_scored"), format="%d"),
                     "best": ctx.t("report.col.best_metric"), "worst": ctx.t("report.col.worst_metric")})


def _ranking(ctx, model: MonthlyModel) -> tuple[int, list]:
    st.subheader(ctx.t("monthly.ranking"))
    n = int(st.number_input(ctx.t("monthly.top_n"), min_value=1, max_value=50, value=10, step=1,
                            key="monthly_top_n"))
    top, bottom, dist = model.top(n), model.bottom(n), model.dist
    charts = []
    if top.empty:
        st.info(ctx.t("monthly.no_targets"))
        return n, charts
    # one under the other: side by side, their eight columns were cut off on a laptop
    st.markdown(f"**{ctx.t('monthly.top', n=n)}**")
    _rank_table(ctx, top, "monthly_top")
    st.markdown(f"**{ctx.t('monthly.bottom')}**")
    if bottom.empty:                     # a team smaller than the top list: everyone is ranked above
        st.caption(ctx.t("monthly.bottom_all_above", n=len(top)))
    else:
        _rank_table(ctx, bottom, "monthly_bottom")
    rank_chart = C.ranking_chart(top, ctx.lang, teams=model.teams)
    dist_chart = C.distribution_chart(dist, ctx.lang, pace=model.pace)
    left, right = st.columns(2)
    left.altair_chart(rank_chart, width="stretch")
    right.altair_chart(dist_chart, width="stretch")
    charts += [(ctx.t("monthly.png_ranking"), rank_chart), (ctx.t("monthly.png_distribution"), dist_chart)]
    return n, charts


def _deposits(ctx, model: MonthlyModel) -> list:
    adb = model.adb
    st.subheader(ctx.t("monthly.deposits"))
    if adb.empty:
        st.info(ctx.t("monthly.no_balances"))
        return []
    if model.spikes:
        st.warning(ctx.t("monthly.spikes", n=len(model.spikes),
                         names=md_join(model.spikes, "、" if ctx.lang == "zh" else ", ")))
    if model.adb_by_team:
        st.caption(ctx.t("monthly.adb_by_team", n=CHART_MANAGERS))
    chart = C.adb_chart(model.adb_rows(), ctx.lang, by="team" if model.adb_by_team else "manager")
    st.altair_chart(chart, width="stretch")
    adb = adb.reset_index(drop=True)
    view = pd.concat([fmt.table(adb, {"name": "text", "team": "text"}),
                      fmt.table(adb, {"adb": "metric", "month_end": "metric", "spike_ratio": "rate",
                                      "spike_amount": "signed", "prev_adb": "metric", "adb_increment": "signed"},
                                metric="deposit_balance", lang=ctx.lang)], axis=1)
    view.insert(5, "spike", [ctx.t("word.yes") if v else ctx.t("word.no") for v in adb["spike"].astype(bool)])
    view = view[["name", "team", "adb", "month_end", "spike_ratio", "spike", "spike_amount", "prev_adb",
                 "adb_increment"]]
    yes = ctx.t("word.yes")
    styled = view.style.map(lambda v: R.spike_colour(v == yes), subset=["spike"])
    drill.table(styled, adb, "monthly_deposits", column_config={
        k: ctx.t(f"report.col.{k}") for k in ("adb", "month_end", "spike_ratio", "spike", "spike_amount",
                                               "prev_adb", "adb_increment")} | {
        "name": ctx.t("word.manager"), "team": ctx.t("word.team")})
    return [(ctx.t("monthly.png_deposits"), chart)]


def _split(ctx, model: MonthlyModel) -> None:
    """目标分解: split a team target for next month to the team's managers and save it (director / team lead)."""
    if not ctx.scope.may_set_targets:
        return
    nxt = model.split_month
    st.subheader(ctx.t("monthly.split", month=fmt_month(nxt, ctx.lang)))
    teams = model.split_teams()
    if not teams:
        st.info(ctx.t("monthly.split_nobody"))
        return
    c1, c2, c3 = st.columns(3)
    team = c1.selectbox(ctx.t("word.team"), teams, key="split_team")
    metric = c2.selectbox(ctx.t("word.metric"), list(TARGET_METRICS), key="split_metric",
                          format_func=lambda m: metric_label(m, ctx.lang))
    method = c3.radio(ctx.t("monthly.split_method"), list(R.METHODS), key="split_method",
                      format_func=lambda m: ctx.t(f"monthly.split_{m}"))
    dec = R.default_decimals(metric)
    total = st.number_input(ctx.t("monthly.split_total", unit=ctx.t(f"monthly.unit_{R.metric_kind(metric)}")),
                            min_value=0.0, value=model.split_default_total(team, metric),
                            step=1.0 if dec == 0 else 0.01, format=f"%.{dec}f", key=f"split_total_{team}_{metric}")
    st.caption(ctx.t("monthly.split_rule"))
    try:
        split = model.split(team, metric, method, total)
    except AppError as exc:
        st.error(ctx.t("monthly.split_invalid", detail=exc.message(ctx.lang)))
        return
    table = split.assign(basis=split["basis"].map(lambda b: ctx.t(f"monthly.basis_{b}")),
                         share=split["share"].map(fmt.pct),
                         last_month=[fmt.number(v, metric) for v in split["last_month"]])
    edited = st.data_editor(table, hide_index=True, width="stretch",
                            disabled=["employee_id", "name", "last_month", "share", "basis"],
                            key=f"split_editor_{team}_{metric}_{method}_{total}", column_config={
                                "employee_id": ctx.t("word.employee_id"), "name": ctx.t("word.manager"),
                                "last_month": ctx.t("monthly.split_last"),
                                "share": ctx.t("monthly.split_share"),
                                "basis": ctx.t("monthly.split_basis"),
                                "value": st.column_config.NumberColumn(
                                    ctx.t("monthly.split_value", month=fmt_month(nxt, ctx.lang)), min_value=0.0,
                                    format=f"%.{dec}f", required=True)})
    check = R.validate_split(edited, round(total, dec))
    if check.ok:
        st.success(ctx.t("monthly.split_ok", total=fmt.amount(metric, check.total, ctx.lang)))
    else:
        if check.missing or check.negative:
            st.error(ctx.t("monthly.split_blank", names=md_join(check.missing + check.negative)))
        if abs(check.difference) >= 1e-6:
            st.warning(ctx.t("monthly.split_diff", total=fmt.amount(metric, check.total, ctx.lang),
                             team_total=fmt.amount(metric, check.team_total, ctx.lang),
                             diff=fmt.amount(metric, check.difference, ctx.lang)))
    if check.ok:   # issue 11: what saving it would do to a closed (paid) month, said before it is saved
        preview = edited.assign(metric=metric)[["employee_id", "metric", "value"]]
        for sentence in R.split_effects(ctx.engine, ctx.scope, team, nxt, preview,
                                        {metric: round(total, dec)}).sentences(ctx.lang, "targets"):
            st.warning(sentence)
    if st.button(ctx.t("monthly.split_save", month=fmt_month(nxt, ctx.lang)), disabled=not check.ok,
                 key="split_save", type="primary"):
        rows = edited.assign(metric=metric)[["employee_id", "metric", "value"]]
        try:
            summary = R.save_split(ctx.engine, ctx.scope, team, nxt, rows, {metric: round(total, dec)})
        except AppError as exc:
            st.error(exc.message(ctx.lang))
        else:
            st.success(ctx.t("monthly.split_saved", n=summary.inserted + summary.updated,
                             month=fmt_month(nxt, ctx.lang), id=summary.import_id))


def _exports(ctx, model: MonthlyModel, charts: list, top_n: int) -> None:
    st.subheader(ctx.t("monthly.export"))
    headers = st.radio(ctx.t("weekly.headers"), ["zh", "en", "both"], horizontal=True, key="monthly_headers",
                       index=["zh", "en"].index(ctx.lang), format_func=lambda h: ctx.t(f"weekly.headers_{h}"))
    try:
        R.cjk_font()
        png_ok = True
    except AppError as exc:
        st.warning(exc.message(ctx.lang))
        png_ok = False
    org = ctx.team or ctx.t("word.branch")

    def build() -> bytes:
        pngs = R.png_exports(charts) if png_ok else None
        return model.xlsx(headers, org, ctx.line, pngs, ctx.today, top_n)
    # one row that wraps, each button as wide as its label: five equal columns cut 'Download the mo…' on a laptop
    row = st.container(horizontal=True, wrap=True)
    row.download_button(ctx.t("monthly.download"), data=build, file_name=f"monthly-{ctx.month}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        on_click="ignore", icon=":material/download:", key="monthly_xlsx")
    if png_ok:
        for i, (caption, chart) in enumerate(charts, start=1):
            row.download_button(ctx.t("monthly.download_png", chart=caption),
                                data=lambda c=chart: R.chart_png(c), file_name=f"{ctx.month}-{i}.png",
                                mime="image/png", on_click="ignore", icon=":material/image:",
                                key=f"monthly_png_{i}")


def _manager_page(ctx, model: MonthlyModel) -> None:
    """A manager's own 月总结: his month against target and pace, 环比/同比 of his own figures, where he stands,
    what to work on — no ranking tables of one, no 全行/团队 rows that are only himself."""
    mine = model.mine
    _tiles(ctx, model.tiles)
    st.subheader(ctx.t("mine.my_month"))
    ui_mine.month_table(ctx, mine)
    ui_mine.standing(ctx, mine)
    st.subheader(ctx.t("mine.compare"))
    ui_mine.compare_cards(ctx, mine)
    st.subheader(ctx.t("mine.vs_peers"))
    ui_mine.medians_table(ctx, mine)
    ui_mine.flags_and_work(ctx, mine)


def main() -> None:
    ctx = get_context()
    st.title(f"{ctx.t('page.monthly')} · {fmt_month(ctx.month, ctx.lang)}")
    model = _model(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.month, ctx.month_as_of(), ctx.team, ctx.line,
                   ctx.overrides, ctx.lang)
    if model.state == "no_data":
        st.info(ctx.t("app.no_data"))
        return
    if model.state == "no_rows":
        st.info(ctx.t("monthly.no_rows", month=fmt_month(ctx.month, ctx.lang)))
        _split(ctx, model)
        return
    w = model.workdays
    st.caption(ctx.t("morning.workdays", elapsed=w["elapsed"], total=w["total"], left=w["left"],
                     pace=fmt_pct(model.pace)))
    if model.mine is not None:
        _manager_page(ctx, model)
        return
    _tiles(ctx, model.tiles)
    _attainment(ctx, model)
    _summary(ctx, model.summary, model.progress)
    n, charts = _ranking(ctx, model)
    charts += _deposits(ctx, model)
    if model.has_targets:
        charts.insert(0, (ctx.t("monthly.png_attainment"),
                          C.attainment_heatmap(model.progress[model.progress["level"] != "manager"], ctx.lang)))
    _split(ctx, model)
    _exports(ctx, model, charts, n)


main()
