"""客户经理画像 · Manager profile: who he is, his month against target and pace, what each remaining working day
needs, his weekly series, his coaching flags and log, his statement's payable, his days with their notes.

Opened as ``/profile?id=CM002`` (the drill-down from any table, :mod:`ui.drill`), from the navigation (a manager:
his own; a team lead or director: with a manager picker). One call to core.routines.profile_page (cached per data
version, scope and filters); the scope check is in core, so a refused ID shows the bilingual refusal.
"""
from __future__ import annotations

import streamlit as st

from core import charts as C
from core import fmt
from core.commission import band_name
from core.errors import AppError
from core.i18n import fmt_date, fmt_month, fmt_pct, fmt_yuan
from core.routines.profile import ProfileModel, profile_choices, profile_page
from core.schema import TARGET_METRICS, metric_label
from ui import cards
from ui import data as ui_data
from ui.context import get_context
from ui.text import md, md_params

_DAY_METRICS = ["visits", "new_customers", "deposits_new", "loans_new", "credit_cards", "mobile_banking",
                "wealth_sales", "fee_income", "complaints"]


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _model(url: str, scope_key: tuple, version: str, employee_id: str, month: str, lang: str, overrides: dict,
           as_of, today) -> ProfileModel:
    return profile_page(ui_data.engine_for(url), ui_data.scope_of(scope_key), employee_id, month, lang,
                        overrides=overrides, as_of=as_of, today=today)


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _choices(url: str, scope_key: tuple, version: str):
    return profile_choices(ui_data.engine_for(url), ui_data.scope_of(scope_key))


def _picked() -> None:
    """The picker changed: the URL follows (a bookmark or a refresh opens the same manager)."""
    st.query_params["id"] = st.session_state["profile_pick"]


def _pick(ctx) -> str | None:
    """Whose profile: the URL's ?id=, else (a manager) himself, else a picker of the managers in scope."""
    wanted = st.query_params.get("id")
    if ctx.scope.sees_only_self:
        return wanted or ctx.scope.employee_id
    people = _choices(ctx.db_url, ctx.scope_key, ctx.data_version)
    ids = list(people["employee_id"])
    if not ids:
        return wanted
    labels = {r.employee_id: f"{r.name} · {r.team} ({r.employee_id})" for r in people.itertuples()}
    if wanted and wanted not in ids:
        return wanted                      # core refuses it with the bilingual message
    current = wanted or (ctx.scope.employee_id if ctx.scope.employee_id in ids else ids[0])
    if st.session_state.get("profile_pick") != current:
        st.session_state["profile_pick"] = current
    eid = st.sidebar.selectbox(ctx.t("profile.pick"), ids, key="profile_pick", format_func=lambda e: labels.get(e, e),
                       on_change=_picked)
    if st.query_params.get("id") != eid:
        st.query_params["id"] = eid
    return eid


def _tenure(ctx, months: int | None) -> str:
    """'10 年 10 个月' / '10 years 10 months'; months only in the first year."""
    if months is None:
        return fmt.BLANK
    years, rest = divmod(months, 12)
    y, mo = fmt.plural("profile.years", years, ctx.lang), fmt.plural("profile.months", rest, ctx.lang)
    if years and rest:
        return ctx.t("profile.tenure_both", years=y, months=mo)
    return y if years else mo


def _header(ctx, m: ProfileModel) -> None:
    w = m.who
    title = ctx.t("profile.title_mine") if ctx.scope.sees_only_self else ctx.t("profile.title_of", name=md(w.name))
    st.title(title)
    start = fmt_date(w.start_date, ctx.lang) if w.start_date else fmt.BLANK
    tenure = _tenure(ctx, w.tenure_months)
    mentor = w.mentor_name or (w.mentor_id if w.mentor_id else ctx.t("profile.no_mentor"))
    line = ctx.t(f"line.{w.line}") if w.line in ("corporate", "retail") else fmt.BLANK
    st.markdown(ctx.t("profile.who", **md_params(name=w.name, eid=w.employee_id, team=w.team, line=line,
                                                 grade=w.grade_label, start=start, tenure=tenure, mentor=mentor)))
    if not w.active:
        st.caption(ctx.t("profile.inactive"))
    st.caption(ctx.t("profile.as_of", month=fmt_month(m.month, ctx.lang), date=fmt_date(m.as_of, ctx.lang),
                     elapsed=m.workdays.get("elapsed", 0), total=m.workdays.get("total", 0),
                     left=fmt.plural("mine.days", m.workdays.get("left", 0), ctx.lang)))


def _tiles(ctx, m: ProfileModel) -> None:
    on_pace, targeted = m.on_pace
    payable = fmt_yuan(m.statement.payable, ctx.lang) if m.statement is not None else fmt.BLANK
    cols = st.columns(4)
    cols[0].metric(ctx.t("profile.tile.payable"), payable)          # his pay first: what a manager asks first
    cols[1].metric(ctx.t("profile.tile.on_pace"), ctx.t("profile.tile.of", n=on_pace, total=targeted))
    cols[2].metric(ctx.t("word.pace"), fmt.pct(m.time_elapsed))
    cols[3].metric(ctx.t("profile.tile.logged"), ctx.t("profile.tile.of", n=m.logged_days,
                                                        total=m.logged_days + m.missing_days))


def _progress(ctx, m: ProfileModel) -> None:
    st.subheader(ctx.t("profile.month"))
    p = m.progress
    if p.empty:
        st.caption(ctx.t("profile.no_targets"))
        return
    # one card per metric, not an eight-column table: on a phone the table scrolled sideways inside itself
    cards.metric_cards([cards.Card(
        title=metric_label(x, ctx.lang), headline=fmt.pct(att),
        facts=((ctx.t("profile.col.actual"), f"{fmt.number(a, x)} / {fmt.number(t_, x)}"),
               (ctx.t("profile.col.expected"), fmt.number(e, x)),
               (ctx.t("profile.col.gap"), fmt.signed(g, x)),
               (ctx.t("profile.col.status"), ctx.t(f"status.{s}") if isinstance(s, str) else fmt.BLANK),
               (ctx.t("profile.col.daily_needed"), fmt.number_up(d, x) if left > 0 and t_ == t_ else fmt.BLANK)))
        for x, a, t_, e, g, att, s, d, left in zip(
            p["metric"], p["actual"], p["target"], p["expected"], p["gap"], p["attainment"], p["status"],
            p["daily_needed"], p["workdays_left"])], name="progress")
    st.markdown("\n".join(f"- {md(x)}" for x in m.work_on))


def _charts(ctx, m: ProfileModel) -> None:
    metric = st.selectbox(ctx.t("profile.chart_metric"), list(TARGET_METRICS), key="profile_metric",
                          format_func=lambda x: metric_label(x, ctx.lang))
    left, right = st.columns(2)
    with left:
        st.altair_chart(C.profile_weekly_chart(m.weekly, metric, ctx.lang), width="stretch")
    with right:
        st.altair_chart(C.pace_chart(m.pace_for(metric), metric, ctx.lang), width="stretch")


def _days(ctx, m: ProfileModel) -> None:
    st.subheader(ctx.t("profile.days"))
    d = m.days
    if d.empty:
        st.caption(ctx.t("profile.no_days"))
        return
    view = fmt.table(d, {c: "metric" for c in _DAY_METRICS}, lang=ctx.lang)
    for c in _DAY_METRICS:                      # each column in its own metric's decimals
        view[c] = [fmt.number(v, c) for v in d[c]]
    view.insert(0, "date", [fmt_date(x, ctx.lang) + ("" if w else ctx.t("profile.day_off")) for x, w in
                            zip(d["date"], d["is_workday"])])
    view["notes"] = [n if lg and n else (ctx.t("profile.not_logged") if not lg else fmt.BLANK)
                     for n, lg in zip(d["notes"], d["logged"])]
    wide, narrow = cards.wide_or_narrow("profile_days")
    with wide:
        st.dataframe(view, hide_index=True, width="stretch", column_config={
            "date": ctx.t("word.date"), **{c: metric_label(c, ctx.lang) for c in _DAY_METRICS},
            "notes": st.column_config.TextColumn(ctx.t("profile.col.notes"), width="large")})
    with narrow:            # a phone: one card a day (eleven columns scrolled sideways), the figures not zero
        st.caption(ctx.t("profile.days_nonzero"))
        cards.metric_cards([cards.Card(
            title=r["date"], headline="",
            facts=tuple((metric_label(c, ctx.lang), r[c]) for c in _DAY_METRICS
                        if lg and not fmt.blank(d.at[i, c]) and d.at[i, c] != 0),
            note="" if r["notes"] == fmt.BLANK else r["notes"])
            for (i, r), lg in zip(view.iterrows(), d["logged"])], name="days", long_labels=ctx.lang == "en")


def _flags(ctx, m: ProfileModel) -> None:
    st.subheader(ctx.t("profile.flags"))
    if m.flags_failed:
        st.warning(ctx.t("weekly.flags_failed"))
        return
    active = [f for f in m.flags or [] if f.active]
    if not active:
        st.success(ctx.t("profile.no_flags"))
    for f in active:
        st.markdown(ctx.t("profile.flag", severity=ctx.t(f"report.severity.{f.severity}"),
                          **md_params(reason=f.reason(ctx.lang), focus=f.focus_topic(ctx.lang),
                                      history=ctx.t(f"report.history.{f.history}"))))


def _sessions(ctx, m: ProfileModel) -> None:
    st.subheader(ctx.t("profile.coaching_log"))
    s = m.sessions
    if s.empty:
        st.caption(ctx.t("profile.no_sessions"))
        return
    view = fmt.table(s, {"coach": "text", "topic": "text", "actions": "text", "outcome": "text"})
    view.insert(0, "date", [fmt_date(x, ctx.lang) for x in s["date"]])
    view["follow_up"] = [fmt_date(x, ctx.lang) if x else fmt.BLANK for x in s["follow_up"]]
    view["status"] = [ctx.t(f"coaching.status.{x}") if isinstance(x, str) else fmt.BLANK for x in s["status"]]
    heads = {"coach": "profile.col.coach", "topic": "profile.col.topic", "actions": "profile.col.actions",
             "outcome": "profile.col.outcome", "follow_up": "profile.col.follow_up", "status": "profile.col.result"}
    wide, narrow = cards.wide_or_narrow("profile_sessions")
    with wide:
        st.dataframe(view, hide_index=True, width="stretch", column_config={
            "date": ctx.t("word.date"), **{c: ctx.t(k) for c, k in heads.items()}})
    with narrow:            # a phone: one card a session, the texts wrapped under it
        cards.metric_cards([cards.Card(
            title=r["date"], headline=r["status"],
            facts=tuple((ctx.t(heads[c]), r[c]) for c in ("coach", "follow_up")),
            note=" · ".join(f"{ctx.t(heads[c])}: {r[c]}" for c in ("topic", "actions", "outcome")))
            for _, r in view.iterrows()], name="sessions")


def _open_statement(eid: str) -> None:
    st.session_state["cm_manager"] = eid        # the commission page's manager picker


def _statement(ctx, m: ProfileModel) -> None:
    st.subheader(ctx.t("profile.statement"))
    if m.statement is None:
        st.info(m.statement_error.message(ctx.lang) if m.statement_error else ctx.t("profile.no_statement"))
        return
    s = m.statement
    cols = st.columns(3)
    cols[0].metric(ctx.t("profile.col.performance"), fmt_yuan(s.performance, ctx.lang))
    cols[1].metric(ctx.t("profile.col.deferred"), fmt_yuan(s.deferred, ctx.lang))
    cols[2].metric(ctx.t("profile.col.band"), band_name(s.pay_band, ctx.lang))
    if len(s.lines):        # rows on a laptop, cards on a phone (a table's amounts scrolled off a phone)
        cards.line_cards([cards.Row(metric_label(x, ctx.lang, with_unit=False), how, fmt_yuan(a, ctx.lang))
                          for x, how, a in zip(s.lines["metric"], s.lines["how"], s.lines["amount"])],
                         head=(ctx.t("word.metric"), ctx.t("profile.col.how"), ctx.t("profile.col.amount")))
    if ctx.scope.may_open("commission") and st.button(ctx.t("profile.open_statement"), icon=":material/payments:",
                                                      on_click=_open_statement, args=(m.who.employee_id,)):
        st.switch_page("views/commission.py")


def main() -> None:
    ctx = get_context()
    eid = _pick(ctx)
    if not eid:
        st.title(ctx.t("profile.title"))
        st.info(ctx.t("app.no_data"))
        return
    try:
        m = _model(ctx.db_url, ctx.scope_key, ctx.data_version, eid, ctx.month, ctx.lang, ctx.overrides,
                   ctx.month_as_of(), ctx.today)
    except AppError as exc:
        st.title(ctx.t("profile.title"))
        st.error(exc.message(ctx.lang))
        return
    _header(ctx, m)
    _tiles(ctx, m)
    _progress(ctx, m)
    _charts(ctx, m)
    left, right = st.columns(2)
    with left:
        _flags(ctx, m)
    with right:
        _sessions(ctx, m)
    _statement(ctx, m)      # his pay before the month's days: on a phone the days are a long list of cards
    _days(ctx, m)


main()
