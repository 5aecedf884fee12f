"""绩效测算 · the pay lifecycle parts of the statement (drawn by views/commission.py):

* the status badge ("已结账:… 由 … 结账" / "复核中,截至 …" / estimate) and the adjustment lines (往期调整 / 追扣)
  with their reasons;
* questions (申诉 / 疑问) on the statement or one line, with their status and answers; acknowledging a closed
  statement; the plan in force as a readable document (both languages), acknowledged once per version;
* for team leads and directors: the open questions in scope, answered and resolved as explained or corrected
  (a correction records a manual adjustment paid in the first open period).

Reads come from one core call made by the page (:func:`core.commission.pay_page.pay_view` / ``inbox``); writes go
through :mod:`core.commission.inquiries`, which enforces scope and audits every step.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import commission as cm
from core.commission import inquiries as inq
from core.commission.adjustments import describe
from core.commission.pay_page import PayView
from core.errors import AppError, ScopeError
from core.i18n import fmt_date, fmt_yuan
from ui.cards import Row, line_cards

_MSG = "cmp_message"      # the statement's flash message
_INBOX_MSG = "cmp_inbox_message"


def _flash(key: str = _MSG) -> None:
    msg = st.session_state.pop(key, None)
    if msg:
        st.success(msg)


def _write(ctx, fn, message, key: str = _MSG) -> None:
    """Run one write; a refusal or bad input is shown in the user's language, never as a traceback."""
    try:
        result = fn()
    except ScopeError:
        st.error(ctx.t("error.scope"))
    except AppError as exc:
        st.error(exc.message(ctx.lang))
    else:
        st.session_state[key] = message(result) if callable(message) else message
        st.rerun()


def status_badge(ctx, view: PayView) -> None:
    state = view.settled.state
    if state.is_closed:
        st.success(ctx.t("commission.pay.badge.closed", date=fmt_date(state.closed_at, ctx.lang), by=state.closed_by),
                   icon=":material/lock:")
    elif state.status == "in_review":
        st.warning(ctx.t("commission.pay.badge.in_review", date=fmt_date(state.review_until, ctx.lang)),
                   icon=":material/rate_review:")
    else:
        st.caption(ctx.t("commission.pay.badge.open"))


def adjustment_lines(ctx, view: PayView) -> None:
    adjs = view.settled.adjustments
    if not adjs:
        return
    st.markdown(f"**{ctx.t('commission.pay.adj.title')}**")
    rows = []
    for a in adjs:
        key = "commission.pay.adj.recovery" if a.amount < 0 else "commission.pay.adj.line"
        reasons = [describe(r, ctx.lang) for r in a.reasons]
        if a.deferred:
            reasons.append(ctx.t("commission.pay.adj.deferred", amount=fmt_yuan(a.deferred, ctx.lang)))
        rows.append(Row(ctx.t(key, period=a.period), (";" if ctx.lang == "zh" else "; ").join(reasons),
                        f"{a.amount:,.2f}"))
    line_cards(rows, head=(ctx.t("commission.col.item"), ctx.t("commission.pay.col.reason"),
                           ctx.t("commission.col.amount")))


def forfeits_table(ctx, forfeits: pd.DataFrame | None, with_manager: bool = False) -> pd.DataFrame:
    """Recorded forfeits (追索扣回) as shown: month, amount, reason, who and when (and whose, for directors)."""
    f = forfeits if forfeits is not None else pd.DataFrame(columns=["employee_id", "month", "amount", "reason",
                                                                   "created_by", "created_at"])
    out = pd.DataFrame({"month": list(f["month"]), "amount": [f"{v:,.2f}" for v in f["amount"]],
                        "reason": list(f["reason"]), "by": list(f["created_by"]),
                        "at": [f"{v:%Y-%m-%d %H:%M}" if v is not None and v == v else "" for v in f["created_at"]]})
    if with_manager:
        out.insert(0, "manager", list(f["employee_id"]))
    return out


def forfeits_config(ctx) -> dict:
    return {"manager": st.column_config.TextColumn(ctx.t("word.employee_id")),
            "month": st.column_config.TextColumn(ctx.t("commission.page.col.forfeit_month")),
            "amount": st.column_config.TextColumn(ctx.t("commission.col.amount")),
            "reason": st.column_config.TextColumn(ctx.t("commission.page.col.forfeit_reason"), width="large"),
            "by": st.column_config.TextColumn(ctx.t("commission.pay.col.by")),
            "at": st.column_config.TextColumn(ctx.t("commission.page.col.recorded_at"))}


def _line_label(ctx, metric: str | None) -> str:
    return ctx.t("commission.pay.q.whole") if not metric or metric != metric else cm.metric_name(metric, ctx.lang)


def questions_section(ctx, view: PayView) -> None:
    """The manager's questions on this statement, a form to raise one, and the acknowledgement."""
    _flash()
    s = view.settled.statement
    if view.may_acknowledge:
        if view.acknowledged:
            st.caption(ctx.t("commission.pay.ack.done"))
        elif st.button(ctx.t("commission.pay.ack.button"), key=f"cmp_ack_{s.employee_id}_{s.period}", type="primary"):
            _write(ctx, lambda: inq.acknowledge_statement(ctx.engine, ctx.scope, s.employee_id, s.period),
                   ctx.t("commission.pay.ack.done"))
    st.markdown(f"**{ctx.t('commission.pay.q.mine')}**")
    q = view.questions
    if q.empty:
        st.caption(ctx.t("commission.pay.q.none"))
    else:
        st.dataframe(pd.DataFrame({
            "id": q["id"], "line": [_line_label(ctx, m) for m in q["line"]], "question": q["text"],
            "status": [ctx.t(f"commission.pay.q.status.{v}") for v in q["status"]],
            "answer": [a if isinstance(a, str) else "" for a in q["answer"]]}),
            hide_index=True, width="stretch", column_config={
                "line": st.column_config.TextColumn(ctx.t("commission.pay.col.line")),
                "question": st.column_config.TextColumn(ctx.t("commission.pay.col.question"), width="medium"),
                "status": st.column_config.TextColumn(ctx.t("commission.pay.col.status")),
                "answer": st.column_config.TextColumn(ctx.t("commission.pay.col.answer"), width="medium")})
    with st.expander(ctx.t("commission.pay.q.title"), expanded=False):
        with st.form(f"cmp_q_{s.employee_id}_{s.period}", clear_on_submit=True):
            line = st.selectbox(ctx.t("commission.pay.q.line"), [""] + view.lines, key="cmp_q_line",
                                format_func=lambda m: _line_label(ctx, m))
            text = st.text_area(ctx.t("commission.pay.q.text"), key="cmp_q_text", max_chars=inq.MAX_TEXT)
            if st.form_submit_button(ctx.t("commission.pay.q.submit")):
                _write(ctx, lambda: inq.raise_question(ctx.engine, ctx.scope, s.employee_id, s.period, text,
                                                       line=line or None),
                       lambda iid: ctx.t("commission.pay.q.sent", inquiry_id=iid))


def plan_document_section(ctx, view: PayView) -> None:
    s = view.settled.statement
    with st.expander(ctx.t("commission.pay.plan.title"), expanded=view.may_acknowledge_plan and not view.plan_acknowledged):
        other = "en" if ctx.lang == "zh" else "zh"
        show_other = st.toggle(ctx.t("commission.pay.plan.other_lang"), key=f"cmp_doc_lang_{view.plan_key}")
        st.markdown("\n".join(f"- {line}" for line in view.plan_document[other if show_other else ctx.lang]))
        if not view.may_acknowledge_plan:
            return
        if view.plan_acknowledged:
            st.caption(ctx.t("commission.pay.plan.acked"))
            return
        st.info(ctx.t("commission.pay.plan.please_ack"))
        if st.button(ctx.t("commission.pay.plan.ack"), key=f"cmp_plan_ack_{view.plan_key}"):
            _write(ctx, lambda: inq.acknowledge_plan(ctx.engine, ctx.scope, s.employee_id, view.plan_in_force),
                   ctx.t("commission.pay.plan.acked"))


def inbox_section(ctx, inbox: pd.DataFrame) -> None:
    """Team leads and directors: answer and resolve the open questions in scope."""
    _flash(_INBOX_MSG)
    st.subheader(ctx.t("commission.pay.q.inbox"))
    if inbox.empty:
        st.info(ctx.t("commission.pay.q.none"))
        return
    labels = {int(r.id): f"#{int(r.id)} · {r.period} · {r.employee_id} {r.name if isinstance(r.name, str) else ''} · "
                         f"{_line_label(ctx, r.line)} · {ctx.t('commission.pay.q.status.' + r.status)}"
              for r in inbox.itertuples()}
    iid = st.selectbox(ctx.t("commission.pay.q.pick"), list(labels), format_func=labels.get, key="cmp_inbox_pick")
    row = inbox.set_index("id").loc[iid]
    st.markdown(f"> {row['text']}")
    if isinstance(row["answer"], str) and row["answer"]:
        st.caption(f"{ctx.t('commission.pay.col.answer')}: {row['answer']}")
    with st.form(f"cmp_answer_{iid}"):
        resolution = st.radio(ctx.t("commission.pay.q.resolution"), list(inq.RESOLUTIONS), horizontal=True,
                              index=1, key=f"cmp_res_{iid}",
                              format_func=lambda r: ctx.t(f"commission.pay.q.status.{r}"))
        text = st.text_area(ctx.t("commission.pay.q.answer"), key=f"cmp_ans_{iid}", max_chars=inq.MAX_TEXT)
        amount = st.text_input(ctx.t("commission.pay.q.amount"), key=f"cmp_amt_{iid}")
        if st.form_submit_button(ctx.t("commission.pay.q.save"), type="primary"):
            def saved(adj_id):
                if adj_id is None:
                    return ctx.t("commission.pay.q.saved", inquiry_id=iid)
                return ctx.t("commission.pay.q.saved_adj", amount=fmt_yuan(inq.parse_amount(amount), ctx.lang))
            _write(ctx, lambda: inq.answer(ctx.engine, ctx.scope, iid, resolution, text,
                                           amount=amount if resolution == "corrected" else None), saved,
                   key=_INBOX_MSG)
