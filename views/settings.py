"""设置 Settings (directors only): accounts, commission plans, coaching rules, roster, calendar, audit trail.

Each tab is drawn by its area's module (``render(ctx)``): views/settings_accounts.py, views/settings_plans.py,
views/settings_rules.py. The roster (read-only here; changes go through the upload page) and the bank's calendar
overrides are drawn below.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

import pandas as pd
import streamlit as st

from core import calendar as cal
from core.errors import AppError, ScopeError
from core.store import config as store_config
from ui import data as ui_data
from ui.context import get_context
from ui.text import md
from views import settings_accounts, settings_mappings, settings_plans, settings_rules, settings_webhooks
from views import settings_display, settings_periods

log = logging.getLogger("dashboard.settings")

def _guarded(ctx, fn) -> None:
    """Run one tab; an unexpected failure in one tab shows a message instead of breaking the others."""
    try:
        fn(ctx)
    except ScopeError:
        st.error(ctx.t("error.scope"))
    except AppError as exc:
        st.error(exc.message(ctx.lang))
    except Exception as exc:
        if os.environ.get("DASH_RAISE") == "1":
            raise
        log.exception("settings tab failed")
        st.error(ctx.t("error.unexpected", detail=type(exc).__name__))


# ---------------------------------------------------------------- roster (read-only)

def render_roster(ctx) -> None:
    st.subheader(ctx.t("settings.roster_title"))
    st.caption(ctx.t("settings.roster_caption"))
    try:
        st.page_link("views/upload.py", label=ctx.t("settings.roster_upload_link"), icon=":material/upload_file:")
    except Exception:  # the upload page is not part of this installation's navigation
        st.caption(ctx.t("settings.roster_upload_hint"))
    roster = ui_data.roster(ctx, team=None, line=None)
    if roster.empty:
        st.info(ctx.t("app.no_data"))
        return
    show_inactive = st.toggle(ctx.t("settings.roster_show_inactive"), value=False, key="set_roster_inactive")
    teams = sorted(roster["team"].unique().tolist())
    team = st.selectbox(ctx.t("filter.team"), [""] + teams, key="set_roster_team",
                        format_func=lambda v: ctx.t("filter.all") if v == "" else v)
    view = roster if show_inactive else roster[roster["active"]]
    if team:
        view = view[view["team"] == team]
    names = dict(zip(roster["employee_id"], roster["name"]))
    summary = (roster[roster["active"]].groupby("team").agg(n=("employee_id", "size"))
               .reindex(teams, fill_value=0))
    st.caption(" · ".join(f"{md(tm)} {int(n)}" for tm, n in summary["n"].items())
               + " — " + ctx.t("settings.roster_count", active=int(roster["active"].sum()), total=len(roster)))
    out = pd.DataFrame({
        "employee_id": view["employee_id"], "name": view["name"], "team": view["team"],
        "line": view["line"].map(lambda v: ctx.t(f"line.{v}") if v in ("corporate", "retail") else (v or "")),
        "grade": view["grade"], "start_date": view["start_date"],
        "mentor": view["mentor_id"].map(lambda m: f"{m} {names.get(m, '')}".strip() if isinstance(m, str) and m
                                        else ""),
        "active": view["active"]})
    st.dataframe(out, hide_index=True, width="stretch", column_config={
        "employee_id": ctx.t("word.employee_id"), "name": ctx.t("word.manager"), "team": ctx.t("word.team"),
        "line": ctx.t("word.line"), "grade": ctx.t("word.grade"),
        "start_date": st.column_config.DateColumn(ctx.t("settings.roster_start"), format="YYYY-MM-DD"),
        "mentor": ctx.t("settings.roster_mentor"),
        "active": st.column_config.CheckboxColumn(ctx.t("settings.roster_active"))})


# ---------------------------------------------------------------- calendar overrides

def _official(day: dt.date, lang_t) -> str:
    name = cal.holiday_name(day)
    if cal.is_workday(day):
        return lang_t("settings.cal_official_makeup") if cal.is_makeup_workday(day) else lang_t("settings.cal_workday")
    return f"{lang_t('settings.cal_dayoff')}{' · ' + name if name else ''}"


def render_calendar(ctx) -> None:
    st.subheader(ctx.t("settings.cal_title"))
    st.caption(ctx.t("settings.cal_caption"))
    rows = store_config.calendar_override_rows(ctx.engine)
    if rows:
        table = pd.DataFrame({
            "date": [r["date"] for r in rows],
            "weekday": [ctx.t("settings.cal_weekday_" + str(r["date"].weekday())) for r in rows],
            "official": [_official(r["date"], ctx.t) for r in rows],
            "override": [ctx.t("settings.cal_workday") if r["workday"] else ctx.t("settings.cal_dayoff")
                         for r in rows],
            "note": [r["note"] or "" for r in rows]})
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "date": st.column_config.DateColumn(ctx.t("word.date"), format="YYYY-MM-DD"),
            "weekday": ctx.t("settings.cal_weekday"), "official": ctx.t("settings.cal_official"),
            "override": ctx.t("settings.cal_override"), "note": ctx.t("settings.cal_note")})
    else:
        st.info(ctx.t("settings.cal_none"))

    flash = st.session_state.pop("_cal_flash", None)
    if flash:
        st.success(ctx.t(flash[0], **flash[1]))
    choices = ("workday", "dayoff", "remove")
    with st.form("cal_form", clear_on_submit=False):
        day = st.date_input(ctx.t("word.date"), value=ctx.today, key="cal_day", format="YYYY-MM-DD",
                            min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
        kind = st.radio(ctx.t("settings.cal_kind"), choices, horizontal=True, key="cal_kind",
                        format_func=lambda c: ctx.t(f"settings.cal_kind_{c}"))
        note = st.text_input(ctx.t("settings.cal_note"), key="cal_note", max_chars=200)
        submitted = st.form_submit_button(ctx.t("word.save"), type="primary")
    if submitted:
        if kind == "remove" and day not in {r["date"] for r in rows}:
            st.warning(ctx.t("settings.cal_nothing_to_remove", date=day.isoformat()))
            return
        workday = None if kind == "remove" else kind == "workday"
        store_config.set_calendar_override(ctx.engine, ctx.scope, day, workday, (note or "").strip())
        st.session_state["_cal_flash"] = ("settings.cal_saved", {"date": day.isoformat(),
                                                                 "official": _official(day, ctx.t)})
        st.rerun()


# ---------------------------------------------------------------- the page

def main() -> None:
    ctx = get_context()
    st.title(ctx.t("page.settings"))
    if not ctx.scope.may_configure:
        st.error(ctx.t("settings.directors_only"))
        return
    tabs = [("settings.tab_accounts", settings_accounts.render), ("settings.tab_plans", settings_plans.render),
            ("commission.pay.set.tab", settings_periods.render),
            ("settings.tab_rules", settings_rules.render), ("notify.settings.tab", settings_webhooks.render),
            ("display.settings_tab", settings_display.render),
            ("settings.tab_roster", render_roster),
            ("settings.tab_calendar", render_calendar), ("settings.tab_mappings", settings_mappings.render),
            ("settings.tab_audit", settings_accounts.render_audit)]
    for container, (_key, fn) in zip(st.tabs([ctx.t(k) for k, _ in tabs]), tabs):
        with container:
            _guarded(ctx, fn)


main()
