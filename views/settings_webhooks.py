"""Settings → group robots (群机器人): WeCom / DingTalk webhooks for the morning brief, reminders and alerts.

``render(ctx)`` is called by views/settings.py. Lists the robots (URL and secret masked: they are never shown back
in full), adds one (validated in core: ``core.notify.add_webhook``), removes one, posts a test message, sets the
language of the messages, and shows the recent deliveries with the failures first. Director only (core checks
it too).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import notify
from core.errors import AppError
from ui import data as ui_data

_FLASH = "_hooks_flash"


def _flash(ctx) -> None:
    kind, key, params = st.session_state.pop(_FLASH, (None, None, None)) or (None, None, None)
    if key:
        (st.success if kind == "ok" else st.error)(ctx.t(key, **params))


def _platform(ctx, p: str) -> str:
    return ctx.t(f"notify.settings.platform.{p}")


def _list(ctx, hooks: list[dict]) -> None:
    if not hooks:
        st.info(ctx.t("notify.settings.none"))
        return
    df = pd.DataFrame({"id": [h["id"] for h in hooks], "platform": [_platform(ctx, h["platform"]) for h in hooks],
                       "label": [h["label"] for h in hooks],
                       "team": [h["team"] or ctx.t("notify.whole_branch") for h in hooks],
                       "url": [h["url"] for h in hooks], "secret": [h["secret"] or "—" for h in hooks]})
    st.dataframe(df, hide_index=True, width="stretch", column_config={
        "id": ctx.t("notify.col.id"), "platform": ctx.t("notify.settings.platform"),
        "label": ctx.t("notify.col.label"), "team": ctx.t("notify.settings.team"),
        "url": ctx.t("notify.col.url"), "secret": ctx.t("notify.col.secret")})


def _add_form(ctx) -> None:
    teams = sorted(ui_data.roster(ctx, team=None, line=None)["team"].dropna().unique().tolist())
    with st.expander(ctx.t("notify.settings.add"), expanded=False), st.form("hooks_add", clear_on_submit=True):
        platform = st.selectbox(ctx.t("notify.settings.platform"), notify.PLATFORMS, key="hooks_platform",
                                format_func=lambda p: _platform(ctx, p))
        url = st.text_input(ctx.t("notify.settings.url"), type="password", key="hooks_url", max_chars=1000)
        secret = st.text_input(ctx.t("notify.settings.secret"), type="password", key="hooks_secret",
                               max_chars=200)
        team = st.selectbox(ctx.t("notify.settings.team"), [""] + teams, key="hooks_team",
                            format_func=lambda v: v or ctx.t("notify.whole_branch"))
        label = st.text_input(ctx.t("notify.settings.label"), key="hooks_label", max_chars=100)
        submitted = st.form_submit_button(ctx.t("notify.settings.add_button"), type="primary")
    if submitted:
        try:
            hook = notify.add_webhook(ctx.engine, ctx.scope, platform, url, secret or None, team or None,
                                      label or None)
        except AppError as exc:
            st.error(exc.message(ctx.lang))
            return
        st.session_state[_FLASH] = ("ok", "notify.settings.added", {"id": hook.id})
        st.rerun()


def _actions(ctx, hooks: list[dict]) -> None:
    if not hooks:
        return
    ids = [h["id"] for h in hooks]
    names = {h["id"]: f"#{h['id']} {_platform(ctx, h['platform'])} · {h['label']}" for h in hooks}
    pick = st.selectbox(ctx.t("notify.settings.pick"), ids, key="hooks_pick", format_func=names.get)
    c1, c2 = st.columns(2)
    if c1.button(ctx.t("notify.settings.test_button"), key="hooks_test"):
        post = notify.send_test(ctx.engine, ctx.scope, pick)
        last = post.answers[-1]
        if post.ok:
            st.session_state[_FLASH] = ("ok", "notify.settings.test_ok", {"attempts": last.attempts})
        else:
            st.session_state[_FLASH] = ("error", "notify.settings.test_failed",
                                        {"attempts": last.attempts, "answer": last.text[:200]})
        st.rerun()
    if c2.button(ctx.t("notify.settings.remove_button"), key="hooks_remove"):
        notify.remove_webhook(ctx.engine, ctx.scope, pick)
        st.session_state[_FLASH] = ("ok", "notify.settings.removed", {"id": pick})
        st.rerun()


def _lang(ctx, current: str) -> None:
    choice = st.radio(ctx.t("notify.settings.lang"), ("zh", "en"), index=("zh", "en").index(current),
                      horizontal=True, key="hooks_lang", format_func=lambda v: "中文" if v == "zh" else "English")
    if choice != current:
        notify.set_message_lang(ctx.engine, ctx.scope, choice)


def _deliveries(ctx, rows: list[dict], failed: int) -> None:
    st.markdown(f"**{ctx.t('notify.settings.deliveries')}**")
    if not rows:
        st.caption(ctx.t("notify.settings.no_deliveries"))
        return
    if failed:
        st.warning(ctx.t("notify.settings.failures", n=failed))
    df = pd.DataFrame({"at": [r["at"] for r in rows], "kind": [ctx.t(f"notify.kind.{r['kind']}") for r in rows],
                       "target": [r["target"] for r in rows], "what": [r["summary"] for r in rows],
                       "ok": [bool(r["ok"]) for r in rows], "attempts": [r["attempts"] for r in rows],
                       "answer": [(r["answer"] or "")[:300] for r in rows]})
    st.dataframe(df, hide_index=True, width="stretch", column_config={
        "at": st.column_config.DatetimeColumn(ctx.t("notify.col.at"), format="YYYY-MM-DD HH:mm"),
        "kind": ctx.t("notify.col.kind"), "target": ctx.t("notify.col.target"), "what": ctx.t("notify.col.what"),
        "ok": st.column_config.CheckboxColumn(ctx.t("notify.col.ok")), "attempts": ctx.t("notify.col.attempts"),
        "answer": st.column_config.TextColumn(ctx.t("notify.col.answer"), width="large")})


def render(ctx) -> None:
    st.subheader(ctx.t("notify.settings.tab"))
    st.caption(ctx.t("notify.settings.caption"))
    if not ctx.scope.may_configure:
        st.info(ctx.t("settings.directors_only"))
        return
    _flash(ctx)
    view = notify.settings_view(ctx.engine, ctx.scope)
    _list(ctx, view["hooks"])
    _actions(ctx, view["hooks"])
    _add_form(ctx)
    _lang(ctx, view["lang"])
    _deliveries(ctx, view["deliveries"], view["failed"])
