"""辅导 · Coaching: praise first, this week's flags with their evidence, acknowledgements, the coaching log.

A thin view over core.coaching: the week's review (flags, praise), a flag's evidence chart when the user opens
it, did coaching work, and the validated writes of sessions and acknowledgements. A customer manager sees his
own flags and sessions, read-only.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

import pandas as pd
import streamlit as st

from core import charts as C
from core import coaching, fmt
from core.errors import AppError
from core.i18n import fmt_date, fmt_week
from core.schema import metric_label
from ui import data as ui_data
from ui import drill
from ui.context import get_context
from ui.text import md

log = logging.getLogger("dashboard.coaching")
SEVERITY_COLOR = {"high": "red", "medium": "orange", "low": "blue"}


# ---------------------------------------------------------------- cached reads

@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _review(url: str, scope_key: tuple, version: str, week: str, team, as_of: dt.date) -> coaching.Review:
    return coaching.review_for_week(ui_data.engine_for(url), ui_data.scope_of(scope_key), week, team=team, as_of=as_of)


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _sessions(url: str, scope_key: tuple, version: str, team, today: dt.date) -> pd.DataFrame:
    return coaching.session_review(ui_data.engine_for(url), ui_data.scope_of(scope_key), today, team=team)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _evidence(url: str, scope_key: tuple, version: str, week: str, as_of: dt.date,
              flag: coaching.Flag) -> pd.DataFrame:
    return coaching.flag_evidence(ui_data.engine_for(url), ui_data.scope_of(scope_key), week, flag, as_of=as_of)


def _fail(ctx, exc: Exception) -> None:
    if os.environ.get("DASH_RAISE") == "1":
        raise exc
    log.exception("coaching page failed")
    st.error(ctx.t("coaching.error.load", detail=type(exc).__name__))


# ---------------------------------------------------------------- pieces

def _history(ctx, f: coaching.Flag) -> str:
    return ctx.t(f"coaching.history.{f.history}", weeks=f.weeks)


def _rule(ctx, rule_id: str) -> str:
    return ctx.t(f"coaching.rule.{rule_id}")


def _chart(ctx, f: coaching.Flag, as_of: dt.date) -> None:
    """The evidence chart of one flag, built only when the user opens it (not one per flag on the first screen)."""
    if f.rule_id == "new_without_mentor":
        return
    if not st.toggle(ctx.t("coaching.evidence.show"), key=f"evidence_{f.employee_id}_{f.rule_id}"):
        return
    try:
        series = _evidence(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.week, as_of, f)
    except AppError as exc:
        st.error(exc.message(ctx.lang))
        return
    chart = C.evidence_chart(series, f.rule_id, f.metric, ctx.lang, name=f.manager_name)
    if chart is None:
        st.caption(ctx.t("coaching.evidence.none"))
    else:
        st.altair_chart(chart, width="stretch")


def _praise(ctx, review: coaching.Review) -> None:
    st.subheader(ctx.t("coaching.praise.header"))
    resolved = review.resolved
    if review.improved.empty and not resolved:
        st.caption(ctx.t("coaching.praise.none"))
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{ctx.t('coaching.praise.improved')}**")
        if review.improved.empty:
            st.caption("—")
        for r in review.improved.itertuples():
            st.markdown("- " + ctx.t("coaching.praise.improved_row", name=md(r.manager_name), team=md(r.team),
                                      metric=metric_label(r.metric, ctx.lang, with_unit=False),
                                      before=fmt.figure(r.metric, r.before, ctx.lang),
                                      after=fmt.figure(r.metric, r.after, ctx.lang),
                                      score=f"{r.score:.2f}"))
    with right:
        st.markdown(f"**{ctx.t('coaching.praise.resolved')}**")
        if not resolved:
            st.caption("—")
        for f in resolved:
            st.markdown("- " + ctx.t("coaching.praise.resolved_row", name=md(f.manager_name), rule=_rule(ctx, f.rule_id),
                                      weeks=f.weeks))


def _ack_form(ctx, f: coaching.Flag) -> None:
    key = f"ack_{f.employee_id}_{f.rule_id}"
    weeks = coaching.ack_until_choices(ctx.week)
    with st.popover(ctx.t("coaching.ack.button"), icon=":material/notifications_off:"):
        with st.form(key, clear_on_submit=True):
            note = st.text_area(ctx.t("coaching.ack.note"), key=f"{key}_note", max_chars=coaching.MAX_TEXT)
            until = st.selectbox(ctx.t("coaching.ack.until"), weeks, index=min(4, len(weeks) - 1), key=f"{key}_until")
            if st.form_submit_button(ctx.t("coaching.ack.button")):
                try:
                    coaching.ack_flag(ctx.engine, ctx.scope, f.employee_id, f.rule_id, ctx.week, note, until)
                except AppError as exc:
                    st.error(exc.message(ctx.lang))
                else:
                    st.session_state["coaching_notice"] = ctx.t("coaching.ack.saved")
                    st.rerun()


def _remove_ack(ctx, f: coaching.Flag, acks: pd.DataFrame) -> None:
    rows = acks[(acks["employee_id"] == f.employee_id) & (acks["rule_id"] == f.rule_id)]
    if rows.empty:
        return
    if st.button(ctx.t("coaching.ack.remove"), key=f"unack_{f.employee_id}_{f.rule_id}", type="tertiary"):
        try:
            for aid in rows["id"]:
                coaching.remove_ack(ctx.engine, ctx.scope, int(aid))
        except AppError as exc:
            st.error(exc.message(ctx.lang))
        else:
            st.session_state["coaching_notice"] = ctx.t("coaching.ack.removed")
            st.rerun()


def _flag(ctx, f: coaching.Flag, review: coaching.Review, read_only: bool, acks: pd.DataFrame) -> None:
    sev = ctx.t(f"coaching.severity.{f.severity}")
    title = f"{_rule(ctx, f.rule_id)} · {_history(ctx, f)}"
    focus = ctx.t("coaching.flags.focus", area=ctx.t(f"coaching.ksa.{f.focus}"), topic=f.focus_topic(ctx.lang))
    if f.acknowledged:
        st.caption(f"{sev} · {title} — {f.reason(ctx.lang)}")
        st.caption(ctx.t("coaching.flags.acknowledged", until=f.ack_until or ctx.week, note=md(f.ack_note)))
        if not read_only:
            _remove_ack(ctx, f, acks)
        return
    st.badge(sev, color=SEVERITY_COLOR.get(f.severity, "gray"))
    st.markdown(f"**{title}**  \n{f.reason(ctx.lang)}")
    st.caption(focus)
    _chart(ctx, f, review.as_of)
    if not read_only:
        _ack_form(ctx, f)


def _flags(ctx, review: coaching.Review, read_only: bool) -> None:
    st.subheader(ctx.t("coaching.flags.header"))
    active = review.active
    if not active:
        st.success(ctx.t("coaching.flags.none"))
        return
    loud = [f for f in active if not f.acknowledged]
    n = {s: sum(1 for f in loud if f.severity == s) for s in coaching.SEVERITIES}
    if ctx.scope.sees_only_self:     # his own flags: no "managers: 1"
        st.caption(ctx.t("coaching.flags.count_mine", flags=len(loud), **n))
    else:
        st.caption(ctx.t("coaching.flags.count", managers=len({f.employee_id for f in loud}), flags=len(loud), **n))
    muted = len(active) - len(loud)
    show_acked = True
    if muted:
        show_acked = st.toggle(ctx.t("coaching.flags.show_acknowledged"), value=False, key="coaching_show_acked")
        if not show_acked:
            st.caption(ctx.t("coaching.flags.hidden_acknowledged", n=muted))
    acks = coaching.read_acks(ctx.engine, ctx.scope, week=ctx.week) if not read_only else pd.DataFrame()
    for eid, group in coaching.group_by_manager(active):
        shown = [f for f in group if show_acked or not f.acknowledged]
        if not shown:
            continue
        with st.container(border=True):
            st.markdown("#### " + ctx.t("coaching.flags.manager_header", name=md(group[0].manager_name),
                                         team=md(group[0].team), n=len(group)))
            for f in shown:
                _flag(ctx, f, review, read_only, acks)


def _session_form(ctx, review: coaching.Review) -> None:
    st.subheader(ctx.t("coaching.session.header"))
    roster = coaching.coachable(ui_data.roster(ctx), ctx.scope)
    if roster.empty:
        st.info(ctx.t("coaching.session.no_managers"))
        return
    names = dict(zip(roster["employee_id"], roster["name"]))
    flags = [f for f in review.active if f.employee_id in names]
    options = [None] + [f.key for f in flags]
    by_key = {f.key: f for f in flags}
    picked = st.selectbox(ctx.t("coaching.session.flag"), options, key="coaching_session_flag",
                          format_func=lambda k: ctx.t("coaching.session.no_flag") if k is None else
                          f"{by_key[k].manager_name} · {_rule(ctx, k[1])}")
    flag = by_key.get(picked)
    suffix = "none" if flag is None else f"{flag.employee_id}_{flag.rule_id}"
    ids = list(names)
    with st.form(f"coaching_session_{suffix}", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(ctx.t("coaching.session.date"), value=coaching.default_session_date(ctx.week, ctx.today),
                            key=f"cs_date_{suffix}")
        coach = c2.text_input(ctx.t("coaching.session.coach"), value=ctx.display_name or ctx.scope.username,
                              max_chars=coaching.MAX_COACH, key=f"cs_coach_{suffix}")
        eid = c3.selectbox(ctx.t("coaching.session.manager"), ids,
                           index=ids.index(flag.employee_id) if flag is not None else 0,
                           format_func=lambda e: f"{names[e]} ({e})", key=f"cs_manager_{suffix}")
        topic = st.text_input(ctx.t("coaching.session.topic"),
                              value=flag.focus_topic(ctx.lang) if flag is not None else "",
                              max_chars=coaching.MAX_TOPIC, key=f"cs_topic_{suffix}")
        actions = st.text_area(ctx.t("coaching.session.actions"), max_chars=coaching.MAX_TEXT,
                               key=f"cs_actions_{suffix}")
        follow = st.date_input(ctx.t("coaching.session.follow_up"), value=coaching.default_follow_up(day),
                               key=f"cs_follow_{suffix}")
        if st.form_submit_button(ctx.t("coaching.session.save"), type="primary"):
            rule_id = flag.rule_id if flag is not None and flag.employee_id == eid else None
            try:
                sid = coaching.add_session(ctx.engine, ctx.scope, date=day, coach=coach, employee_id=eid,
                                           topic=topic, rule_id=rule_id, actions=actions, follow_up=follow)
            except AppError as exc:
                st.error(exc.message(ctx.lang))
            else:
                st.session_state["coaching_notice"] = ctx.t("coaching.session.saved", id=sid)
                st.rerun()


def _log(ctx, sessions: pd.DataFrame, read_only: bool) -> None:
    st.subheader(ctx.t("coaching.overdue.header"))
    overdue = sessions[sessions["overdue"]] if not sessions.empty else sessions
    if overdue.empty:
        st.caption(ctx.t("coaching.overdue.none"))
    else:
        for r in overdue.sort_values("follow_up").itertuples():
            st.warning(ctx.t("coaching.overdue.row", name=md(r.manager_name), topic=md(r.topic),
                             date=fmt_date(r.follow_up, ctx.lang), days=(ctx.today - r.follow_up).days))

    st.subheader(ctx.t("coaching.log.header"))
    if sessions.empty:
        st.caption(ctx.t("coaching.log.none"))
        return
    table = pd.DataFrame({
        "date": sessions["date"], "coach": sessions["coach"], "manager": sessions["manager_name"],
        "topic": sessions["topic"],
        "rule": sessions["rule_id"].map(lambda r: _rule(ctx, r) if isinstance(r, str) and r else ""),
        "actions": sessions["actions"].fillna(""), "follow_up": sessions["follow_up"],
        "status": sessions["status"].map(lambda s: ctx.t(f"coaching.status.{s}")),
        "outcome": sessions["outcome"].fillna(""),
    })
    drill.table(table, sessions, "coaching_log", column_config={
        "date": st.column_config.DateColumn(ctx.t("coaching.session.date")),
        "coach": ctx.t("coaching.session.coach"), "manager": ctx.t("coaching.session.manager"),
        "topic": ctx.t("coaching.session.topic"), "rule": ctx.t("coaching.session.flag"),
        "actions": st.column_config.TextColumn(ctx.t("coaching.session.actions"), width="medium"),
        "follow_up": st.column_config.DateColumn(ctx.t("coaching.session.follow_up")),
        "status": ctx.t("coaching.log.status"),
        "outcome": st.column_config.TextColumn(ctx.t("coaching.session.outcome"), width="medium")})
    if read_only:
        return
    with st.expander(ctx.t("coaching.log.record_outcome")):
        labels = {int(r.id): f"#{r.id} {fmt_date(r.date, ctx.lang)} · {r.manager_name} · {r.topic}"
                  for r in sessions.itertuples()}
        with st.form("coaching_outcome", clear_on_submit=True):
            sid = st.selectbox(ctx.t("coaching.log.session"), list(labels), format_func=labels.get,
                               key="coaching_outcome_session")
            outcome = st.text_area(ctx.t("coaching.session.outcome"), max_chars=coaching.MAX_TEXT,
                                   key="coaching_outcome_text")
            if st.form_submit_button(ctx.t("word.save")):
                try:
                    coaching.record_outcome(ctx.engine, ctx.scope, sid, outcome)
                except AppError as exc:
                    st.error(exc.message(ctx.lang))
                else:
                    st.session_state["coaching_notice"] = ctx.t("coaching.log.outcome_saved")
                    st.rerun()


def main() -> None:
    ctx = get_context()
    st.title(ctx.t("coaching.title"))
    st.caption(ctx.t("coaching.caption"))
    notice = st.session_state.pop("coaching_notice", None)
    if notice:
        st.success(notice)
    read_only = not ctx.scope.may_coach
    if ui_data.roster(ctx).empty:
        st.info(ctx.t("app.no_data"))
        return
    as_of = coaching.default_as_of(ctx.week, ctx.today)
    try:
        review = _review(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.week, ctx.team, as_of)
        sessions = _sessions(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.team, ctx.today)
    except AppError as exc:
        st.error(exc.message(ctx.lang))
        return
    except Exception as exc:  # a clear message, never a traceback
        _fail(ctx, exc)
        return
    st.caption(ctx.t("coaching.as_of", week=fmt_week(ctx.week, ctx.lang), date=fmt_date(review.as_of, ctx.lang)))
    if read_only:
        st.info(ctx.t("coaching.read_only"))
    _praise(ctx, review)
    _flags(ctx, review, read_only)
    if not read_only:
        _session_form(ctx, review)
    _log(ctx, sessions, read_only)


main()
