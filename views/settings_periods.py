"""Settings → 结账 (directors): every settlement period with its status; close, mark in review until a date, reopen
with a reason; who has not acknowledged a closed statement; the open questions.

Drawn by views/settings.py through ``render(ctx)``. One core call reads everything
(:func:`core.commission.pay_page.periods_view`); every change goes through :mod:`core.commission.lifecycle`, which
enforces that only a director may do it, in order, and audits it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core.commission import lifecycle
from core.commission.pay_page import periods_view
from core.errors import AppError, ScopeError
from core.i18n import fmt_date

_MSG = "spp_message"


def _status(ctx, s) -> str:
    return ctx.t(f"commission.pay.status.{s.status}")


def _act(ctx, fn, message: str) -> None:
    try:
        fn()
    except ScopeError:
        raise
    except AppError as exc:
        st.error(exc.message(ctx.lang))
    else:
        st.session_state[_MSG] = message
        st.rerun()


def render(ctx) -> None:
    st.caption(ctx.t("commission.pay.set.caption"))
    msg = st.session_state.pop(_MSG, None)
    if msg:
        st.success(msg)
    view = periods_view(ctx.engine, ctx.scope)
    if not view.periods:
        st.info(ctx.t("commission.pay.set.none"))
        return
    table = pd.DataFrame({
        "period": [p.period for p in view.periods],
        "status": [_status(ctx, p) for p in view.periods],
        "closed": [f"{p.closed_at:%Y-%m-%d %H:%M}" if p.closed_at else "" for p in view.periods],
        "by": [p.closed_by or "" for p in view.periods],
        "review_until": [fmt_date(p.review_until, ctx.lang) if p.review_until else "" for p in view.periods],
        "note": [p.note or "" for p in view.periods]})
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "period": st.column_config.TextColumn(ctx.t("commission.pay.col.period")),
        "status": st.column_config.TextColumn(ctx.t("commission.pay.col.status")),
        "closed": st.column_config.TextColumn(ctx.t("commission.pay.col.closed")),
        "by": st.column_config.TextColumn(ctx.t("commission.pay.col.by")),
        "review_until": st.column_config.TextColumn(ctx.t("commission.pay.col.review_until")),
        "note": st.column_config.TextColumn(ctx.t("commission.pay.col.reason"))})
    keys = [p.period for p in view.periods]
    states = {p.period: p for p in view.periods}
    first_open = next((k for k in keys if not states[k].is_closed), keys[-1])
    key = st.selectbox(ctx.t("commission.pay.set.pick"), keys, index=keys.index(first_open), key="spp_period",
                       format_func=lambda k: f"{k} · {_status(ctx, states[k])}")
    chosen = states[key]
    if chosen.is_closed:
        reason = st.text_input(ctx.t("commission.pay.set.reason"), key="spp_reason", max_chars=500)
        if st.button(ctx.t("commission.pay.set.reopen"), key="spp_reopen"):
            _act(ctx, lambda: lifecycle.reopen(ctx.engine, ctx.scope, key, reason),
                 ctx.t("commission.pay.set.reopened", period=key))
        unacked = view.unacknowledged.get(key)
        st.markdown(f"**{ctx.t('commission.pay.set.unacked', period=key)}**")
        if unacked is None or unacked.empty:
            st.caption(ctx.t("commission.pay.set.all_acked"))
        else:
            st.dataframe(unacked[["employee_id", "name", "team"]], hide_index=True, width="stretch", column_config={
                "employee_id": st.column_config.TextColumn(ctx.t("word.employee_id")),
                "name": st.column_config.TextColumn(ctx.t("word.manager")),
                "team": st.column_config.TextColumn(ctx.t("word.team"))})
    else:
        c1, c2 = st.columns(2)
        with c1:
            if st.button(ctx.t("commission.pay.set.close"), key="spp_close", type="primary"):
                _act(ctx, lambda: lifecycle.close(ctx.engine, ctx.scope, key),
                     ctx.t("commission.pay.set.closed", period=key))
        with c2:
            default = chosen.review_until or dt.date.today()
            until = st.date_input(ctx.t("commission.pay.set.review_until"), value=default, key="spp_until")
            if st.button(ctx.t("commission.pay.set.review"), key="spp_review"):
                _act(ctx, lambda: lifecycle.mark_review(ctx.engine, ctx.scope, key, until),
                     ctx.t("commission.pay.set.reviewed", period=key, date=fmt_date(until, ctx.lang)))
    st.markdown(f"**{ctx.t('commission.pay.q.inbox')}**")
    q = view.questions
    if q.empty:
        st.caption(ctx.t("commission.pay.q.none"))
    else:
        st.dataframe(pd.DataFrame({
            "id": q["id"], "period": q["period"], "manager": [f"{e} {n}" for e, n in zip(q["employee_id"], q["name"])],
            "question": q["text"], "status": [ctx.t(f"commission.pay.q.status.{s}") for s in q["status"]]}),
            hide_index=True, width="stretch", column_config={
                "period": st.column_config.TextColumn(ctx.t("commission.pay.col.period")),
                "manager": st.column_config.TextColumn(ctx.t("commission.pay.col.manager")),
                "question": st.column_config.TextColumn(ctx.t("commission.pay.col.question"), width="large"),
                "status": st.column_config.TextColumn(ctx.t("commission.pay.col.status"))})
