"""Settings → 结账 (directors): every settlement period with its status; close, mark in review until a date, reopen
with a reason; who has not acknowledged a closed statement; the open questions; and 追索扣回 — forfeiting part or
all of a manager's unreleased risk reserve with a reason (:mod:`core.commission.forfeits`), with the forfeits
recorded so far.

Drawn by views/settings.py through ``render(ctx)``. One core call reads everything
(:func:`core.commission.pay_page.periods_view`); every change goes through :mod:`core.commission.lifecycle`, which
enforces that only a director may do it, in order, and audits it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import calendar as cal
from core.commission import forfeits, lifecycle
from core.commission.pay_page import periods_view
from core.errors import AppError, ScopeError
from core.i18n import fmt_date
from views.commission_pay import forfeits_config, forfeits_table

_MSG = "spp_message"
_FORFEIT_MSG = "spf_message"


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
    _periods(ctx)
    st.divider()
    _forfeits(ctx)


def _periods(ctx) -> None:
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


# ---------------------------------------------------------------- 追索扣回: forfeit part of a manager's reserve

def _forfeits(ctx) -> None:
    """A director records a forfeit (amount, month, reason) of a manager's unreleased risk reserve; every recorded
    forfeit is listed. Core checks the role, the amount (never more than still unreleased) and audits it."""
    st.subheader(ctx.t("commission.reserve.page.title"))
    st.caption(ctx.t("commission.reserve.page.caption"))
    msg = st.session_state.pop(_FORFEIT_MSG, None)
    if msg:
        st.success(msg)
    try:
        roster, recorded = forfeits.forfeit_page(ctx.engine, ctx.scope)
    except AppError as exc:
        st.error(exc.message(ctx.lang))
        return
    if roster.empty:
        st.info(ctx.t("commission.reserve.page.no_managers"))
    else:
        labels = {r.employee_id: f"{r.employee_id} {r.name} · {r.team}" for r in roster.itertuples()}
        with st.form("spf_form", clear_on_submit=False):
            eid = st.selectbox(ctx.t("word.manager"), list(labels), format_func=labels.get, key="spf_manager")
            c1, c2 = st.columns(2)
            amount = c1.text_input(ctx.t("commission.reserve.page.amount"), key="spf_amount")
            month = c2.text_input(ctx.t("commission.reserve.page.month"), value=cal.month_key(ctx.today),
                                  key="spf_month")
            reason = st.text_area(ctx.t("commission.reserve.page.reason"), key="spf_reason",
                                  max_chars=forfeits.MAX_REASON)
            if st.form_submit_button(ctx.t("commission.reserve.page.submit"), type="primary"):
                _record_forfeit(ctx, eid, amount, month, reason)
    st.markdown(f"**{ctx.t('commission.page.forfeits')}**")
    if recorded.empty:
        st.caption(ctx.t("commission.reserve.cli.none"))
    else:
        st.dataframe(forfeits_table(ctx, recorded, with_manager=True), hide_index=True, width="stretch",
                     column_config=forfeits_config(ctx))


def _record_forfeit(ctx, employee_id: str, amount: str, month: str, reason: str) -> None:
    """Record one forfeit; a refusal (not a director, bad amount or month, no reason, more than is held) is shown
    in the user's language and nothing is stored."""
    try:
        fid = forfeits.forfeit_reserve(ctx.engine, ctx.scope, employee_id, amount, reason,
                                       month=(month or "").strip() or None, today=ctx.today)
        row = forfeits.list_forfeits(ctx.engine, ctx.scope, employee_id)
        row = row[row["id"] == fid].iloc[0]
        held = forfeits.unreleased(ctx.engine, ctx.scope, employee_id, row["month"])
    except AppError as exc:
        st.error(exc.message(ctx.lang))
        return
    st.session_state[_FORFEIT_MSG] = ctx.t("commission.reserve.page.recorded", id=fid, employee_id=employee_id,
                                          month=row["month"], amount=f"{row['amount']:,.2f}", held=f"{held:,.2f}")
    st.rerun()
