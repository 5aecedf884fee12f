"""Settings → display links (投屏链接): the director's password-free, read-only projector links for 晨会.

``render(ctx)`` is called by views/settings.py. Creates a link for the whole branch or one team (core.display.create
checks the director and the team), shows its address once (only its hash is stored), lists the links with their
status and last opening, and revokes one. Every change is audited in core.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import display as core_display
from core.errors import AppError
from core.i18n import fmt_date
from core.store import logs as store_logs
from ui.text import md

_CREATED = "_display_created"


def _base_url() -> str:
    try:
        return str(st.context.url or "")
    except (AttributeError, RuntimeError):   # no request behind this run (AppTest)
        return ""


def _when(ctx, value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{fmt_date(value.date(), ctx.lang)} {value:%H:%M}"


def _create_form(ctx) -> None:
    teams = list(store_logs.read_teams(ctx.engine, ctx.scope)["name"])
    with st.form("display_create", clear_on_submit=True):
        label = st.text_input(ctx.t("display.label"), max_chars=core_display.LABEL_MAX,
                              help=ctx.t("display.label_help"), key="display_label")
        kind = st.radio(ctx.t("display.scope"), core_display.SCOPES, horizontal=True, key="display_scope",
                        format_func=lambda k: ctx.t("display.scope_branch") if k == "branch"
                        else ctx.t("display.scope_team"))
        team = st.selectbox(ctx.t("filter.team"), teams, key="display_team")
        days = st.number_input(ctx.t("display.days"), min_value=1, max_value=core_display.MAX_DAYS,
                               value=core_display.DEFAULT_DAYS, step=1, key="display_days")
        submitted = st.form_submit_button(ctx.t("display.create"), type="primary")
    if submitted:
        try:
            _id, token = core_display.create(ctx.engine, ctx.scope, kind, label, team=team if kind == "team" else None,
                                             days=int(days))
        except AppError as exc:
            st.error(exc.message(ctx.lang))
        else:
            st.session_state[_CREATED] = (label.strip(), core_display.link_url(_base_url(), token))
            st.rerun()


def _list(ctx) -> None:
    links = core_display.list_links(ctx.engine, ctx.scope)
    st.subheader(ctx.t("display.existing"))
    if not links:
        st.info(ctx.t("display.none"))
        return
    df = pd.DataFrame({
        "id": [r["id"] for r in links], "label": [r["label"] for r in links],
        "scope": [r["team"] or ctx.t("display.scope_branch") for r in links],
        "status": [ctx.t(f"display.status_{r['status']}") for r in links],
        "created": [f"{_when(ctx, r['created_at'])} · {r['created_by']}" for r in links],
        "expires": [_when(ctx, r["expires_at"]) if r["expires_at"] is not None else ctx.t("display.never")
                    for r in links],
        "opened": [_when(ctx, r["last_opened_at"]) for r in links]})
    st.dataframe(df, hide_index=True, width="stretch", column_config={
        "id": st.column_config.NumberColumn(ctx.t("display.col_id"), format="%d"),
        "label": ctx.t("display.label"), "scope": ctx.t("display.scope"), "status": ctx.t("display.col_status"),
        "created": ctx.t("display.col_created"), "expires": ctx.t("display.col_expires"),
        "opened": ctx.t("display.col_opened")})
    active = [r for r in links if r["status"] == "active"]
    if not active:
        return
    pick = st.selectbox(ctx.t("display.revoke"), [r["id"] for r in active], key="display_revoke_pick",
                        format_func=lambda i: next(f"{r['id']} · {r['label']}" for r in active if r["id"] == i))
    if st.button(ctx.t("display.revoke"), key="display_revoke", icon=":material/block:"):
        label = next(r["label"] for r in active if r["id"] == pick)
        try:
            core_display.revoke(ctx.engine, ctx.scope, pick)
        except AppError as exc:
            st.error(exc.message(ctx.lang))
        else:
            st.success(ctx.t("display.revoked", label=md(label)))


def render(ctx) -> None:
    st.subheader(ctx.t("display.settings_tab"))
    st.caption(ctx.t("display.settings_intro"))
    created = st.session_state.pop(_CREATED, None)
    if created:
        st.success(ctx.t("display.created", label=md(created[0])))
        st.code(created[1], language=None, wrap_lines=True)
    _create_form(ctx)
    _list(ctx)
