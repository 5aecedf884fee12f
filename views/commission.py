"""绩效测算 · Commission: a manager's own pay statement, line by line, with what-if, history and risk reserve;
team leads and directors also see anyone they supervise and the payout summary.

A thin view: every number comes from core.commission (the same code as the CLI and the .xlsx statement), so
the page, the CLI and the downloaded file agree to the cent; one cached service call per section
(``commission_page``, ``statement_page``, ``what_if_view``, ``payout_summary``). Scope is enforced in core:
asking for a manager the signed-in account may not see raises ScopeError there, whatever this page shows.
"""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from core import commission as cm
from core.commission import charts
from core.commission.pay_page import inbox as pay_inbox
from core.commission.pay_page import pay_view
from core.commission.reserve import NEVER
from core.commission.text import avg_text, q_unit, release_how
from core.commission.xlsx import statement_xlsx
from core.errors import AppError, ScopeError
from core import fmt
from core.i18n import fmt_date
from core.schema import FIELDS_BY_NAME, metric_label
from core.scope import Scope
from ui import data as ui_data
from ui import drill
from ui.cards import Card, Row, line_cards, metric_cards, wide_or_narrow
from ui.context import get_context
from ui.text import md
from views import commission_pay


def _yuan(ctx, d: Decimal) -> str:
    s = f"{cm.money(d):,.2f}"
    return f"{s} 元" if ctx.lang == "zh" else f"CNY {s}"


def _period_text(ctx, key: str) -> str:
    """A period key ('2026-05', '2026-Q3') as a card reads it ('2026年5月'); any other text unchanged."""
    try:
        return _period_label(ctx, cm.parse_period(key))
    except AppError:
        return key


def _period_label(ctx, period: cm.Period) -> str:
    if period.kind == "monthly":
        y, m = period.key.split("-")
        return f"{y}年{int(m)}月" if ctx.lang == "zh" else period.key
    y, q = period.key.split("-Q")
    return f"{y}年第{q}季度" if ctx.lang == "zh" else period.key


# ---------------------------------------------------------------- cached core calls (keyed by scope + data)

@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _page(url: str, scope_key: tuple, version: str, month: str, team, line) -> cm.CommissionPage:
    return cm.commission_page(ui_data.engine_for(url), Scope(*scope_key), month, team=team, line=line)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _statement_page(url: str, scope_key: tuple, version: str, employee_id: str, period: str) -> cm.StatementPage:
    return cm.statement_page(ui_data.engine_for(url), Scope(*scope_key), employee_id, period)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _pay_view(url: str, scope_key: tuple, version: str, employee_id: str, period: str):
    """The statement as paid (a closed period's snapshot), its questions and acknowledgements (issue 11)."""
    return pay_view(ui_data.engine_for(url), Scope(*scope_key), employee_id, period)


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _inbox(url: str, scope_key: tuple, version: str, team) -> pd.DataFrame:
    return pay_inbox(ui_data.engine_for(url), Scope(*scope_key), team=team)


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _summary(url: str, scope_key: tuple, version: str, period: str, team, line) -> cm.PayoutSummary:
    return cm.payout_summary(ui_data.engine_for(url), Scope(*scope_key), period, team=team, line=line)


# ---------------------------------------------------------------- statement

def _statement_rows(ctx, stmt: cm.Statement) -> list[Row]:
    """The statement's lines as cards: item, quantity × rate (the line's how-text), amount."""
    return [Row(cm.metric_name(ln.metric, ctx.lang), ln.how(ctx.lang), f"{ln.amount:,.2f}") for ln in stmt.lines]


def _steps_rows(ctx, stmt: cm.Statement) -> list[Row]:
    """The steps from gross to payable, worded as the CLI and the workbook word them (issue 11: the attainment
    factor after the coefficient, each reserve instalment paid this period after the amount held back)."""
    t = ctx.t

    def money_cell(d) -> str:
        return f"{d:,.2f}"

    has_factor = stmt.attainment is not None or stmt.factor != 1
    factor = f" × {fmt.exact(stmt.factor)}" if has_factor else ""
    rows = [(t("commission.step.gross"), "", money_cell(stmt.gross)),
            (t("commission.step.coefficient"), fmt.grade(stmt.grade, ctx.lang), fmt.exact(stmt.coefficient))]
    if has_factor:          # 完成率系数: each metric's attainment, the composite and the factor
        rows.append((t("commission.step.attainment"), stmt.attainment_how(ctx.lang), fmt.exact(stmt.factor)))
    rows.append((t("commission.step.before_deductions"),
                 f"{fmt.exact(stmt.gross)} × {fmt.exact(stmt.coefficient)}{factor}",
                 money_cell(stmt.performance_before_deductions)))
    for d in stmt.deduction_lines:
        rows.append((t("commission.step.deduction", metric=cm.metric_name(d.metric, ctx.lang)), d.how(ctx.lang),
                     money_cell(-d.amount)))
    if stmt.clamp:
        rows.append((t("commission.step.before_clamp"), t(f"commission.step.clamp_{stmt.clamp}"),
                     money_cell(stmt.performance_before_clamp)))
    rows += [(t("commission.step.performance"), cm.band_name(stmt.pay_band, ctx.lang) if stmt.pay_band else "",
              money_cell(stmt.performance)),
             (t("commission.step.deferred"), t("commission.page.deferred_how"), money_cell(-stmt.deferred))]
    for inst in stmt.releases:        # reserve instalments paid this period (net of forfeits)
        rows.append((t("commission.step.reserve_released"), release_how(inst, ctx.lang), money_cell(inst.paid)))
    rows += [(t("commission.step.base_pay"),
              f"{fmt.exact(stmt.base_pay_monthly)} × {stmt.months}" if stmt.months > 1 else "",
              money_cell(stmt.base_pay)),
             (t("commission.step.payable"),
              t("commission.step.payable_how_released" if stmt.releases else "commission.step.payable_how"),
              money_cell(stmt.payable))]
    last = len(rows) - 1
    return [Row(label, how, value, strong=i == last) for i, (label, how, value) in enumerate(rows)]


def _why_caption(ctx, line, metric: str, quantity, days) -> str:
    """Under a line's days: their total — or, for a 日均 item, Σ B(d) ÷ n = 日均 (and how the increase follows)."""
    avg = getattr(line, "avg", None)
    if avg is None:
        return ctx.t("commission.page.why_sum", n=len(days), total=q_unit(metric, quantity, ctx.lang))
    text = ctx.t("commission.page.why_avg", n=len(days), value=q_unit(metric, avg.current, ctx.lang))
    if avg.base is not None:
        text += ("。" if ctx.lang == "zh" else ". ") + avg_text(line, ctx.lang)
    return text


def _why(ctx, stmt: cm.Statement) -> None:
    st.markdown(f"**{ctx.t('commission.page.why')}**")
    st.caption(ctx.t("commission.page.why_caption"))
    entries = [(ln, ln.metric, ln.quantity, ln.days) for ln in stmt.lines]
    entries += [(d, d.metric, d.quantity, d.days) for d in stmt.deduction_lines]
    for line, metric, quantity, days in entries:
        label = f"{cm.metric_name(metric, ctx.lang)}: {q_unit(metric, quantity, ctx.lang)}"
        with st.expander(ctx.t("commission.page.why_line", label=label, n=len(days))):
            if not days:
                st.caption(ctx.t("commission.page.no_days"))
                continue
            df = pd.DataFrame({ctx.t("word.date"): [fmt_date(d, ctx.lang) for d, _ in days],
                               metric_label(metric, ctx.lang): [fmt.exact(v) for _, v in days]})
            st.dataframe(df, hide_index=True, width="stretch")
            st.caption(_why_caption(ctx, line, metric, quantity, days))


def _tiles(ctx, stmt: cm.Statement) -> None:
    """The payable first (it is what a manager opens the page for, on the first screen of a phone), then how it
    is made up: performance pay, the reserve held back, the gross of the piece rates."""
    with st.container(border=True):
        st.metric(ctx.t("commission.step.payable"), _yuan(ctx, stmt.payable))
        c = st.columns(3)
        c[0].metric(ctx.t("commission.step.performance"), _yuan(ctx, stmt.performance),
                    help=ctx.t("commission.page.performance_help", coef=fmt.exact(stmt.coefficient)))
        c[1].metric(ctx.t("commission.step.deferred"), _yuan(ctx, stmt.deferred))
        c[2].metric(ctx.t("commission.step.gross"), _yuan(ctx, stmt.gross))
        if stmt.pay_band:
            st.caption(f"{ctx.t('commission.label.pay_band')}: **{cm.band_name(stmt.pay_band, ctx.lang)}**")


def _statement_section(ctx, stmt: cm.Statement, period: cm.Period, after_steps=None) -> None:
    st.subheader(ctx.t("commission.page.statement_title", name=md(stmt.name), employee_id=stmt.employee_id,
                       period=_period_label(ctx, period)))
    st.caption(ctx.t("commission.page.statement_caption", team=md(stmt.team),
                     grade=md(fmt.grade(stmt.grade, ctx.lang)), coef=fmt.exact(stmt.coefficient)))
    _tiles(ctx, stmt)
    line_cards(_statement_rows(ctx, stmt), head=(ctx.t("commission.col.item"), ctx.t("commission.col.how"),
                                                 ctx.t("commission.col.amount")))
    line_cards(_steps_rows(ctx, stmt), head=(ctx.t("commission.col.step"), ctx.t("commission.col.how"),
                                             ctx.t("commission.col.amount")))
    if after_steps is not None:   # the adjustment lines (往期调整) under the steps
        after_steps()
    st.download_button(ctx.t("commission.page.download"), data=statement_xlsx(stmt, ctx.lang),
                       file_name=f"{ctx.t('commission.xlsx.sheet')}_{stmt.employee_id}_{stmt.period}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key=f"cm_dl_{stmt.employee_id}_{stmt.period}")
    _why(ctx, stmt)


# ---------------------------------------------------------------- what-if

_STEP = {"wan": 10.0, "yuan": 1000.0}


def _what_if_input(ctx, col, item, stmt: cm.Statement):
    f = FIELDS_BY_NAME[item.metric]
    unit = cm.unit_label(item.metric, ctx.lang)
    label = f"{cm.metric_name(item.metric, ctx.lang)}" + (f"({unit})" if ctx.lang == "zh" and unit else
                                                           (f" ({unit})" if unit else ""))
    key = f"cm_wi_{stmt.employee_id}_{stmt.period}_{item.metric}"
    if f.kind == "count":
        return col.number_input(label, min_value=0, value=0, step=1, key=key)
    return col.number_input(label, min_value=0.0, value=0.0, step=_STEP.get(f.unit, 1.0), key=key, format="%.2f")


def _what_if(ctx, plan: cm.Plan, stmt: cm.Statement) -> None:
    st.subheader(ctx.t("commission.page.whatif_title"))
    st.caption(ctx.t("commission.page.whatif_caption"))
    extra = {}
    items = list(plan.items)
    per_row = 3
    for start in range(0, len(items), per_row):   # one row of columns at a time: on a phone they stack in plan order
        cols = st.columns(per_row)
        for col, item in zip(cols, items[start:start + per_row]):
            extra[item.metric] = _what_if_input(ctx, col, item, stmt)
    wi = cm.what_if_view(plan, stmt, extra)
    w = wi.statement
    c = st.columns(3)
    c[0].metric(ctx.t("commission.page.whatif_payable"), _yuan(ctx, w.payable),
                delta=None if wi.payable_delta is None else f"{wi.payable_delta:+,.2f}")
    c[1].metric(ctx.t("commission.page.whatif_performance"), _yuan(ctx, w.performance),
                delta=None if wi.performance_delta is None else f"{wi.performance_delta:+,.2f}")
    c[2].metric(ctx.t("commission.label.pay_band"), cm.band_name(w.pay_band, ctx.lang))
    tips = [h.text(ctx.lang) for h in wi.hints]
    bh = wi.band_hint
    if bh:
        tips.append(ctx.t("commission.hint.band", need=_yuan(ctx, bh[1]), band=cm.band_name(bh[0], ctx.lang)))
    if tips:
        st.markdown("\n".join(f"- {tip}" for tip in tips))
    else:
        st.caption(ctx.t("commission.page.no_hints"))


# ---------------------------------------------------------------- history and reserve

def _release_rule(ctx, rule) -> str:
    """The plan in force's release schedule in words (one instalment after N months, or n instalments)."""
    if rule is None:
        return ctx.t("commission.page.reserve_no_release")
    if rule.instalments == 1:
        return ctx.t("commission.page.reserve_rule", months=rule.first_after_months)
    return ctx.t("commission.page.reserve_rule_instalments", n=rule.instalments, first=rule.first_after_months,
                 every=rule.every_months)


def _instalments(ctx, hist: cm.History) -> None:
    """Every scheduled instalment of the reserve: when it is released, how much, what forfeits took, what is paid."""
    if not hist.instalments:
        return
    table = pd.DataFrame([{
        "held_in": i.period, "instalment": f"{i.number}/{i.of}",
        "month": ctx.t("commission.page.held_no_rule") if i.month == NEVER else i.month,
        "scheduled": f"{i.amount:,.2f}", "forfeited": f"{i.forfeited:,.2f}", "paid": f"{i.paid:,.2f}"}
        for i in hist.instalments])
    heads = {c: ctx.t(f"commission.page.col.{k}") for c, k in (
        ("held_in", "held_in"), ("instalment", "instalment"), ("month", "release_month"),
        ("scheduled", "scheduled"), ("forfeited", "forfeited"), ("paid", "paid"))}
    with st.expander(ctx.t("commission.page.instalments")):
        wide, narrow = wide_or_narrow("cm_instalments")
        with wide:
            st.dataframe(table, hide_index=True, width="stretch",
                         column_config={c: st.column_config.TextColumn(h) for c, h in heads.items()})
        with narrow:        # a phone: one card an instalment (the six columns scrolled sideways)
            metric_cards([Card(title=f'{_period_text(ctx, r["held_in"])} · {heads["instalment"]} {r["instalment"]}',
                               headline=r["paid"],
                               facts=tuple((heads[c], _period_text(ctx, r[c]) if c == "month" else r[c])
                                           for c in ("month", "scheduled", "forfeited", "paid")))
                          for _, r in table.iterrows()], name="instalments")


def _forfeits(ctx, forfeits: pd.DataFrame | None) -> None:
    if forfeits is None or forfeits.empty:
        return
    st.markdown(f"**{ctx.t('commission.page.forfeits')}**")
    st.dataframe(commission_pay.forfeits_table(ctx, forfeits), hide_index=True, width="stretch",
                 column_config=commission_pay.forfeits_config(ctx))


def _history_section(ctx, hist: cm.History) -> None:
    st.subheader(ctx.t("commission.page.history_title"))
    c = st.columns(3)
    c[0].metric(ctx.t("commission.page.reserve_held"), _yuan(ctx, hist.reserve_held))
    c[1].metric(ctx.t("commission.page.reserve_released"), _yuan(ctx, hist.reserve_released))
    c[2].metric(ctx.t("commission.page.reserve_forfeited"), _yuan(ctx, hist.reserve_forfeited))
    st.caption(_release_rule(ctx, hist.release))
    _instalments(ctx, hist)
    _forfeits(ctx, hist.forfeits)
    if hist.rows.empty:
        st.info(ctx.t("commission.page.no_history"))
        return
    st.altair_chart(charts.history_chart(hist, ctx.lang), width="stretch")
    rows = hist.rows
    table = pd.DataFrame({
        "period": rows["period"], "payable": [f"{v:,.2f}" for v in rows["payable"]],
        "performance": [f"{v:,.2f}" for v in rows["performance"]], "deferred": [f"{v:,.2f}" for v in rows["deferred"]],
        "band": [cm.band_name(b, ctx.lang) for b in rows["pay_band"]],
        "released": [ctx.t("word.yes") if r else ctx.t("word.no") for r in rows["released"]],
        "plan": rows["plan"]})
    heads = {"period": "commission.chart.period", "payable": "commission.step.payable",
             "performance": "commission.step.performance", "deferred": "commission.step.deferred",
             "band": "commission.label.pay_band", "released": "commission.page.released",
             "plan": "commission.xlsx.plan"}
    wide, narrow = wide_or_narrow("cm_history")
    with wide:
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={c: st.column_config.TextColumn(ctx.t(k)) for c, k in heads.items()})
    with narrow:            # a phone: one card a period (the seven columns scrolled sideways)
        metric_cards([Card(title=f'{_period_text(ctx, r["period"])} · {ctx.t(heads["payable"])}', headline=r["payable"],
                           facts=tuple((ctx.t(heads[c]), r[c])
                                       for c in ("performance", "deferred", "band", "released")),
                           note=r["plan"] if table["plan"].nunique() > 1 else "")   # the plan when it changed
                      for _, r in table.iterrows()], name="history")


# ---------------------------------------------------------------- payout summary (leads, directors)

def _summary_section(ctx, period: cm.Period) -> None:
    summary = _summary(ctx.db_url, ctx.scope_key, ctx.data_version, period.key, ctx.team, ctx.line)
    run, plan = summary.run, summary.run.plan
    for err in run.errors:
        st.warning(err.message(ctx.lang))
    if not run.statements:
        st.info(ctx.t("app.no_data"))
        return
    ts = summary.teams
    total = ts.iloc[-1]
    c = st.columns(4)
    c[0].metric(ctx.t("commission.page.sum_managers"), f"{int(total['managers'])}")
    c[1].metric(ctx.t("commission.page.sum_payable"), _yuan(ctx, total["payable"]))
    c[2].metric(ctx.t("commission.page.sum_performance"), _yuan(ctx, total["performance"]))
    c[3].metric(ctx.t("commission.page.sum_deferred"), _yuan(ctx, total["deferred"]))
    bands = summary.bands
    if plan.pay_bands:
        rules = " · ".join(f"{cm.band_name(n, ctx.lang)} ≥ {_yuan(ctx, v)}" for n, v in plan.pay_bands)
        st.caption(ctx.t("commission.page.bands_rule", rules=rules,
                         lowest=cm.band_name(bands[0], ctx.lang)))
    st.markdown(f"**{ctx.t('commission.page.per_team')}**")
    view = pd.DataFrame({
        "team": [tm if isinstance(tm, str) else ctx.t("word.total") for tm in ts["team"]],
        "managers": ts["managers"],
        "payable": [f"{v:,.2f}" for v in ts["payable"]],
        "mean_payable": [f"{v:,.2f}" for v in ts["mean_payable"]],
        "performance": [f"{v:,.2f}" for v in ts["performance"]],
        "median_performance": [f"{v:,.2f}" for v in ts["median_performance"]],
        "deferred": [f"{v:,.2f}" for v in ts["deferred"]],
        **{b: ts[b] for b in bands}})
    cfg = {"team": st.column_config.TextColumn(ctx.t("word.team")),
           "managers": st.column_config.NumberColumn(ctx.t("commission.page.sum_managers")),
           "payable": st.column_config.TextColumn(ctx.t("commission.page.sum_payable")),
           "mean_payable": st.column_config.TextColumn(ctx.t("commission.page.mean_payable")),
           "performance": st.column_config.TextColumn(ctx.t("commission.page.sum_performance")),
           "median_performance": st.column_config.TextColumn(ctx.t("commission.page.median_performance")),
           "deferred": st.column_config.TextColumn(ctx.t("commission.page.sum_deferred")),
           **{b: st.column_config.NumberColumn(cm.band_name(b, ctx.lang)) for b in bands}}
    drill.table(view, ts, "payout_teams", column_config=cfg, behind=summary.managers,
                kinds={k: "{:,.2f}".format for k in ("performance", "deferred", "payable")},
                headers={k: ctx.t(f"commission.step.{k}") for k in ("performance", "deferred", "payable")})
    frame = summary.managers
    left, right = st.columns(2)
    with left:
        st.altair_chart(charts.distribution_chart(frame, plan, ctx.lang), width="stretch")
    with right:
        st.altair_chart(charts.team_chart(ts, ctx.lang), width="stretch")
    st.markdown(f"**{ctx.t('commission.page.per_manager')}**")
    people = frame[["employee_id", "name", "team", "grade", "performance", "deferred", "payable"]].assign(
        grade=[fmt.grade(g, ctx.lang) for g in frame["grade"]],
        band=[cm.band_name(b, ctx.lang) for b in frame["pay_band"]]).sort_values("payable", ascending=False)
    drill.table(people, people, "payout_managers", column_config={
        "employee_id": st.column_config.TextColumn(ctx.t("word.employee_id")),
        "name": st.column_config.TextColumn(ctx.t("word.manager")),
        "team": st.column_config.TextColumn(ctx.t("word.team")),
        "grade": st.column_config.TextColumn(ctx.t("word.grade")),
        "performance": st.column_config.NumberColumn(ctx.t("commission.step.performance"), format="%.2f"),
        "deferred": st.column_config.NumberColumn(ctx.t("commission.step.deferred"), format="%.2f"),
        "payable": st.column_config.NumberColumn(ctx.t("commission.step.payable"), format="%.2f"),
        "band": st.column_config.TextColumn(ctx.t("commission.label.pay_band"))})


# ---------------------------------------------------------------- page

def _manager_pick(ctx, roster: pd.DataFrame) -> str | None:
    """The manager whose statement is shown: oneself for a manager, else a picker when there is a choice."""
    if ctx.scope.sees_only_self:
        return ctx.scope.employee_id
    if len(roster) == 1:
        return roster["employee_id"].iat[0]
    ids = list(roster["employee_id"])
    labels = {r.employee_id: f"{r.employee_id} {r.name} · {r.team}" for r in roster.itertuples()}
    default = ctx.scope.employee_id if ctx.scope.employee_id in ids else ids[0]
    if st.session_state.get("cm_manager") not in ids:
        st.session_state["cm_manager"] = default
    return st.selectbox(ctx.t("commission.page.pick_manager"), ids, key="cm_manager",
                        format_func=lambda e: labels.get(e, e))


def _plan_problem(ctx, exc: AppError) -> None:
    if exc.key == "commission.plan.invalid":
        st.error(ctx.t("commission.page.plan_invalid"))
        st.code("\n".join(exc.messages(ctx.lang)), language=None)
    else:
        st.warning(exc.message(ctx.lang))


def main() -> None:
    ctx = get_context()
    st.title(ctx.t("page.commission"))
    try:
        page = _page(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.month, ctx.team, ctx.line)
    except AppError as exc:
        _plan_problem(ctx, exc)
        return
    pif, period = page.plan_in_force, page.period
    plan = pif.plan
    st.caption(ctx.t("commission.page.plan_caption", name=md(plan.name), date=fmt_date(plan.effective_from, ctx.lang),
                     settlement=ctx.t(f"commission.settlement.{plan.settlement}"), period=_period_label(ctx, period)))
    if pif.source == "sample":   # no plan uploaded yet: the built-in one is in force (directors can replace it)
        st.caption(ctx.t("commission.page.sample_plan_director" if ctx.scope.may_configure
                         else "commission.page.sample_plan"))
    if page.missing_self:
        st.info(ctx.t("commission.page.no_roster_entry", employee_id=ctx.scope.employee_id))
        return
    if page.managers.empty:
        st.info(ctx.t("app.no_data"))
        return

    def personal():
        employee_id = _manager_pick(ctx, page.managers)
        try:
            sp = _statement_page(ctx.db_url, ctx.scope_key, ctx.data_version, employee_id, period.key)
            pv = _pay_view(ctx.db_url, ctx.scope_key, ctx.data_version, employee_id, period.key)
        except ScopeError:
            st.error(ctx.t("error.scope"))
            return
        except AppError as exc:
            st.error(exc.message(ctx.lang))
            return
        commission_pay.status_badge(ctx, pv)
        _statement_section(ctx, pv.settled.statement, period,
                           after_steps=lambda: commission_pay.adjustment_lines(ctx, pv))
        commission_pay.questions_section(ctx, pv)
        commission_pay.plan_document_section(ctx, pv)
        st.divider()
        _what_if(ctx, plan, sp.statement)
        st.divider()
        _history_section(ctx, sp.history)

    if ctx.scope.sees_only_self:
        personal()
        return
    tab_one, tab_all, tab_q = st.tabs([ctx.t("commission.page.tab_statement"), ctx.t("commission.page.tab_summary"),
                                       ctx.t("commission.pay.q.inbox")])
    with tab_one:
        personal()
    with tab_all:
        _summary_section(ctx, period)
    with tab_q:
        commission_pay.inbox_section(ctx, _inbox(ctx.db_url, ctx.scope_key, ctx.data_version, ctx.team))


main()
