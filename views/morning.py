"""晨会 · Morning meeting: yesterday per manager, month-to-date pace, leaders and laggards, talking points.

A thin view: one call to core.routines.morning_page (cached per data version, scope and filters) gives everything;
this page only lays it out. With the big screen toggle (ctx.big_screen) it shows the projector slides of
ui/bigscreen.py (the same layout as the director's display link): one slide at a time, picked or rotating.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import charts as C
from core import fmt
from core.i18n import fmt_date, fmt_month, fmt_pct, t
from core.routines import tile_label, tile_value
from core.routines.morning import KEY_TILES, LEADER_METRICS, PACE_METRICS, MorningModel, morning_page
from core.schema import PRODUCT_METRICS, metric_label
from ui import bigscreen
from ui import cards
from ui import data as ui_data
from ui import drill
from ui import mine as ui_mine
from ui.context import get_context
from ui.text import html_text, md, md_join


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _model(url: str, scope_key: tuple, version: str, day, team, line, overrides: dict, lang: str) -> MorningModel:
    return morning_page(ui_data.engine_for(url), ui_data.scope_of(scope_key), day, team=team, line=line,
                        overrides=overrides, lang=lang)


def _yesterday_section(ctx, model: MorningModel) -> None:
    snap, tot = model.snapshot, model.totals
    st.subheader(ctx.t("morning.yesterday", date=fmt_date(model.yesterday, ctx.lang)))
    cols = st.columns(len(KEY_TILES) + 1)
    cols[0].metric(ctx.t("morning.logged"), f"{tot['logged']} / {tot['managers']}")
    for c, m in zip(cols[1:], KEY_TILES):
        c.metric(tile_label(m, ctx.lang), tile_value(m, tot[m], ctx.lang))
    shown = ["visits", "new_customers", *PRODUCT_METRICS]
    table = snap[["name", "team", "logged", *shown]].copy()
    table["logged"] = table["logged"].map({True: "✓", False: ctx.t("morning.not_logged_mark")})
    for m in shown:
        table[m] = [fmt.number(v, m) for v in table[m]]
    table[["name", "team"]] = fmt.table(table, {"name": "text", "team": "text"})
    drill.table(table, snap, "morning_yesterday", column_config={
        "name": st.column_config.TextColumn(ctx.t("word.manager")),
        "team": st.column_config.TextColumn(ctx.t("word.team")),
        "logged": st.column_config.TextColumn(ctx.t("morning.logged_col")),
        **{m: st.column_config.TextColumn(metric_label(m, ctx.lang)) for m in shown}})
    if model.missing:
        names = md_join(model.missing, "、" if ctx.lang == "zh" else ", ")
        st.warning(ctx.t("morning.missing", n=len(model.missing), names=names))
        if model.reminder:
            st.caption(ctx.t("morning.reminder"))
            st.code(model.reminder, language=None, wrap_lines=True)
    else:
        st.success(ctx.t("morning.all_logged"))


_PROGRESS_KINDS = {"actual": "metric", "target": "metric", "expected": "metric", "gap": "signed", "attainment": "pct"}


def _progress_table(ctx, rows: pd.DataFrame, behind: pd.DataFrame | None = None) -> None:
    rows = rows.reset_index(drop=True)
    nums = fmt.table(rows, _PROGRESS_KINDS, metric="metric", lang=ctx.lang)
    table = pd.DataFrame({
        "who": rows["name"].where(rows["level"] != "branch", ctx.t("word.branch")).fillna(rows["entity"]),
        "metric": rows["metric"].map(lambda m: metric_label(m, ctx.lang)), **{c: nums[c] for c in nums},
        "status": rows["status"].map(lambda s: ctx.t(f"status.{s}") if isinstance(s, str) else fmt.BLANK),
    })
    drill.table(table, rows, "morning_progress", behind=behind, kinds=_PROGRESS_KINDS, headers={
        k: ctx.t(f"word.{k}") for k in _PROGRESS_KINDS}, column_config={
        "who": st.column_config.TextColumn(ctx.t("morning.who")),
        "metric": st.column_config.TextColumn(ctx.t("word.metric")),
        "actual": st.column_config.TextColumn(ctx.t("word.actual")),
        "target": st.column_config.TextColumn(ctx.t("word.target")),
        "expected": st.column_config.TextColumn(ctx.t("word.expected")),
        "gap": st.column_config.TextColumn(ctx.t("word.gap")),
        "attainment": st.column_config.TextColumn(ctx.t("word.attainment")),
        "status": st.column_config.TextColumn(ctx.t("word.pace"))})


def _team_rank_text(ctx, rank, median) -> str:
    if rank.rank is None:
        return ctx.t("morning.team_rank_none")
    return ctx.t("morning.team_rank", rank=rank.rank, n=rank.n, score=fmt.pct(rank.score),
                 median=fmt.pct(rank.median), manager_median=fmt.pct(median))


def _manager_page(ctx, model: MorningModel) -> None:
    """A manager's own 晨会: his points, his yesterday, his month against target and pace, where he stands."""
    mine = model.mine
    ui_mine.points(ctx, mine)
    st.subheader(ctx.t("mine.yesterday", date=fmt_date(model.yesterday, ctx.lang)))
    if mine.logged:
        cols = st.columns(len(KEY_TILES))
        for c, m in zip(cols, KEY_TILES):
            # his own day exactly as his daily sheet has it (73.60, not the director's whole-万元 "74")
            c.metric(tile_label(m, ctx.lang), fmt.number(mine.yesterday.get(m, 0.0), m))
    else:
        st.warning(ctx.t("mine.not_logged"))
    st.subheader(ctx.t("mine.my_month"))
    w = model.workdays
    st.caption(ctx.t("morning.workdays", elapsed=w["elapsed"], total=w["total"], left=w["left"],
                     pace=fmt_pct(model.pace)))
    ui_mine.month_table(ctx, mine)
    ui_mine.standing(ctx, mine)
    metric = st.selectbox(ctx.t("morning.pace_metric"), list(PACE_METRICS),
                          format_func=lambda m: metric_label(m, ctx.lang), key="morning_pace_metric")
    st.altair_chart(C.pace_chart(model.pace_series(metric), metric, ctx.lang), width="stretch")
    ui_mine.flags_and_work(ctx, mine)
    st.subheader(ctx.t("mine.vs_peers"))
    ui_mine.medians_table(ctx, mine)


def _month_section(ctx, model: MorningModel) -> None:
    w, month = model.workdays, model.month
    st.subheader(ctx.t("morning.month_to_date", month=fmt_month(month, ctx.lang)))
    st.caption(ctx.t("morning.workdays", elapsed=w["elapsed"], total=w["total"], left=w["left"],
                     pace=fmt_pct(model.pace)))
    if not model.has_targets:
        st.info(ctx.t("morning.no_targets", month=fmt_month(month, ctx.lang)))
    else:
        tiles = model.tiles
        cards.wrap_metric_deltas()
        cols = st.columns(max(len(tiles), 1))
        for c, (_, r) in zip(cols, tiles.iterrows()):
            c.metric(metric_label(r["metric"], ctx.lang, with_unit=False), fmt_pct(r["attainment"]),
                     delta=ctx.t("morning.gap_delta", gap=fmt.amount(r["metric"], r["gap"], ctx.lang)),
                     delta_color="normal")
    _progress_table(ctx, model.rollup, model.progress)
    if model.team_rank is not None:
        st.caption(_team_rank_text(ctx, model.team_rank, model.branch_median))
    metric = st.selectbox(ctx.t("morning.pace_metric"), list(PACE_METRICS),
                          format_func=lambda m: metric_label(m, ctx.lang), key="morning_pace_metric")
    st.altair_chart(C.pace_chart(model.pace_series(metric), metric, ctx.lang), width="stretch")


def _leaders_section(ctx, model: MorningModel) -> None:
    # yesterday's praise and the month's leaders side by side; the laggards (five columns) under them, full width,
    # so that no column of theirs is cut off on a laptop
    left, mid = st.columns(2)
    right = st.container()
    with left:
        st.subheader(ctx.t("morning.leaders_yesterday"))
        shown = False
        for m in LEADER_METRICS:
            top = model.leaders[m]
            if len(top):
                shown = True
                names = ", ".join(f"{md(r['name'] or r['employee_id'])} ({md(fmt.amount(m, r['value'], ctx.lang))})"
                                  for _, r in top.iterrows())
                st.markdown(f"**{md(metric_label(m, ctx.lang, with_unit=False))}**: {names}")
        if not shown:
            st.caption(ctx.t("morning.nobody"))
    with mid:
        st.subheader(ctx.t("morning.leaders_month"))
        top = model.month_top
        if top.empty:
            st.caption(ctx.t("morning.nobody"))
        else:
            drill.table(top[["rank", "name", "team"]].assign(score=top["score"].map(fmt.pct)), top, "morning_top",
                        column_config={"rank": st.column_config.NumberColumn(ctx.t("morning.rank")),
                                        "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
                                        "score": ctx.t("morning.score")})
    with right:
        st.subheader(ctx.t("morning.behind"))
        behind = model.behind
        if behind.empty:
            st.caption(ctx.t("morning.nobody_behind"))
        else:
            table = behind.assign(worst=behind["worst_metric"].map(lambda m: metric_label(m, ctx.lang)),
                                  score=behind["score"].map(fmt.pct),
                                  worst_gap=[fmt.signed(v, m) for v, m in zip(behind["worst_gap"],
                                                                              behind["worst_metric"])])
            drill.table(table[["name", "team", "score", "worst", "worst_gap"]], table, "morning_behind",
                        column_config={
                             "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
                             "score": ctx.t("morning.pace_score"),
                             "worst": ctx.t("morning.worst_metric"),
                             "worst_gap": st.column_config.TextColumn(ctx.t("word.gap"))})


@st.fragment(run_every=bigscreen.ROTATE_SECONDS)
def _rotating(url: str, scope_key: tuple, version: str, day, team, line, overrides: dict, lang: str) -> None:
    """Big screen, rotating: the next slide every ROTATE_SECONDS (the fragment alone reruns)."""
    model = _model(url, scope_key, version, day, team, line, overrides, lang)
    i = bigscreen.slide_at(bigscreen.ROTATE_SECONDS)
    slide = bigscreen.SLIDES[i]
    st.caption(f"{bigscreen.slide_title(slide, lang)} · "
               f"{t('display.slide_of', lang, n=i + 1, total=len(bigscreen.SLIDES))}")
    bigscreen.draw(model, slide, lang)


def _big_screen(ctx, model: MorningModel) -> None:
    """The projector layout: title, slide picker or rotation, exit; one slide that fits the screen."""
    bigscreen.apply(True)
    ss = st.session_state
    if "w_rotate" not in ss:                       # first run: from the URL (?rotate=1)
        ss["w_rotate"] = ss.get("f_rotate") == "1"
    head, pick, rot, out = st.columns([4, 4, 1.4, 1.8], vertical_alignment="center")
    with head:
        bigscreen.header(f"{ctx.t('page.morning')} · {fmt_date(ctx.day, ctx.lang)}", "")
    with rot:
        rotate = st.toggle(ctx.t("display.rotate"), key="w_rotate")
    ss["f_rotate"] = "1" if rotate else ""
    with out:
        bigscreen.exit_button(ctx.lang)
    if rotate:
        _rotating(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.day, ctx.team, ctx.line, ctx.overrides,
                  ctx.lang)
        return
    with pick:
        slide = st.segmented_control(ctx.t("display.slide_pick"), bigscreen.SLIDES, default=bigscreen.SLIDES[0],
                                     format_func=lambda s_: bigscreen.slide_title(s_, ctx.lang), key="bs_slide",
                                     label_visibility="collapsed", required=True)
    bigscreen.draw(model, slide or bigscreen.SLIDES[0], ctx.lang)


def main() -> None:
    ctx = get_context()
    if ctx.big_screen:
        model = _model(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.day, ctx.team, ctx.line, ctx.overrides,
                       ctx.lang)
        if model.state == "ok" and model.mine is None:
            _big_screen(ctx, model)
            return
        bigscreen.apply(True)           # nothing to put on slides: the page as it is, with a way back
        bigscreen.exit_button(ctx.lang)
    st.title(f"{ctx.t('page.morning')} · {fmt_date(ctx.day, ctx.lang)}")
    model = _model(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.day, ctx.team, ctx.line, ctx.overrides,
                   ctx.lang)
    if model.state == "no_data":
        st.info(ctx.t("app.no_data"))
        return
    if model.state == "no_rows":
        st.info(ctx.t("morning.no_rows", month=fmt_month(model.month, ctx.lang)))
        return
    st.subheader(ctx.t("morning.talking_points"))
    if model.mine is not None:
        _manager_page(ctx, model)
        return
    if model.points:
        items = "".join(f"<li>{html_text(p)}</li>" for p in model.points)
        st.markdown(f'<ul class="talking-points">{items}</ul>', unsafe_allow_html=True)
    else:
        st.caption(ctx.t("morning.no_points"))
    _yesterday_section(ctx, model)
    _month_section(ctx, model)
    _leaders_section(ctx, model)


main()
