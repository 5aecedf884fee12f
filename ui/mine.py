"""A customer manager's own routine pages (晨会, 周小结, 月总结): where he stands, his month or week per metric,
his flags and what to work on — drawn from a :class:`core.routines.mine.Mine` (aggregates only, no peer rows).

Tables are few and narrow (they are read on a phone): each cell is already formatted by :mod:`core.fmt`.
"""
from __future__ import annotations

import streamlit as st

from core import fmt
from core.routines.mine import Mine
from core.schema import metric_label
from ui import cards
from ui.text import html_text


def rank_pair(rank, n) -> str:
    return fmt.BLANK if rank is None or rank != rank or not n else f"{int(rank)} / {int(n)}"


def standing(ctx, mine: Mine) -> None:
    """Score and ranks as tiles: composite score, rank in the team, rank in the branch, the branch median."""
    st_ = mine.standing
    st.subheader(ctx.t("mine.standing"))
    if st_.score is None:
        st.info(ctx.t("mine.no_score"))
        return
    c = st.columns(4)
    c[0].metric(ctx.t("mine.score"), fmt.pct(st_.score))
    c[1].metric(ctx.t("mine.team_rank", n=st_.team_n), rank_pair(st_.team_rank, st_.team_n))
    c[2].metric(ctx.t("mine.branch_rank", n=st_.branch_n), rank_pair(st_.branch_rank, st_.branch_n))
    c[3].metric(ctx.t("mine.branch_median"), fmt.pct(st_.branch_median))
    st.caption(ctx.t("mine.standing_note", team_median=fmt.pct(st_.team_median)))


def month_table(ctx, mine: Mine) -> None:
    """Per metric: done / target, attainment, gap to the pace line, what each working day left needs, ranks."""
    r = mine.rows
    if r.empty:
        st.info(ctx.t("mine.no_rows"))
        return
    # cards, not a six-column table: on a phone the table scrolled sideways and hid the gap and the ranks
    cards.metric_cards([cards.Card(
        title=metric_label(m, ctx.lang), headline=fmt.pct(att),
        facts=((ctx.t("mine.col.done"), f"{fmt.number(a, m)} / {fmt.number(t_, m)}"),
               (ctx.t("mine.col.gap"), fmt.signed(gap, m)),
               (ctx.t("mine.col.daily"), fmt.number_up(daily, m)),
               (ctx.t("mine.col.rank"), f"{rank_pair(tr, tn)} · {rank_pair(br, bn)}")))
        for m, a, t_, att, gap, daily, tr, tn, br, bn in zip(
            r["metric"], r["actual"], r["target"], r["attainment"], r["gap"], r["daily_needed"], r["team_rank"],
            r["team_n"], r["branch_rank"], r["branch_n"])], name="month")
    st.caption(ctx.t("mine.month_note"))


def medians_table(ctx, mine: Mine, own_col: str = "actual") -> None:
    """Per metric: mine against the team's and the branch's median (amounts of the period)."""
    r = mine.rows
    if r.empty:
        return
    # cards as the month above: his figure and the two medians under the metric (a table scrolled on a phone)
    cards.metric_cards([cards.Card(
        title=metric_label(m, ctx.lang), headline="",
        facts=((ctx.t("mine.col.own"), fmt.number(own, m)), (ctx.t("mine.col.team_median"), fmt.number(tm, m)),
               (ctx.t("mine.col.branch_median"), fmt.number(bm, m))))
        for m, own, tm, bm in zip(r["metric"], r[own_col], r["team_median"], r["branch_median"])], name="medians")


def compare_cards(ctx, mine: Mine) -> None:
    """Per metric: this month so far, the same days of last month, 环比 and 同比 (a five-column table scrolled
    sideways on a phone)."""
    r = mine.rows
    if r.empty:
        return
    cards.metric_cards([cards.Card(
        title=metric_label(m, ctx.lang), headline=fmt.number(a, m),
        facts=((ctx.t("mine.col.prev_month"), fmt.number(prev, m)), (ctx.t("mine.col.mom"), fmt.signed_pct(mom)),
               (ctx.t("mine.col.yoy"), fmt.signed_pct(yoy))))
        for m, a, prev, mom, yoy in zip(r["metric"], r["actual"], r["mom_previous"], r["mom_pct"], r["yoy_pct"])],
        name="compare")


def flags_and_work(ctx, mine: Mine) -> None:
    """My flags this week (how many, why) and what to work on."""
    st.subheader(ctx.t("mine.work_on"))
    st.caption(fmt.plural("mine.flag_count", len(mine.flags), ctx.lang))
    items = "".join(f"<li>{html_text(w)}</li>" for w in mine.work_on)
    st.markdown(f'<ul class="work-on">{items}</ul>', unsafe_allow_html=True)


def points(ctx, mine: Mine) -> None:
    if not mine.points:
        return
    items = "".join(f"<li>{html_text(p)}</li>" for p in mine.points)
    st.markdown(f'<ul class="talking-points">{items}</ul>', unsafe_allow_html=True)

