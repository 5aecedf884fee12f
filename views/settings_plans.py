"""Settings → 绩效方案 (directors): upload a plan, check it (validation + a dry run of every manager's pay under
the plan in force and the new one, side by side), store it as a new version, activate or withdraw versions.

Drawn by views/settings.py through ``render(ctx)``. All checks and writes go through core.commission, which
(with core.store.plans) enforces that only a director may change plans.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import commission as cm
from core.commission import effects as plan_effects
from core.errors import AppError, ScopeError
from core.i18n import fmt_date
from ui.text import md
from ui.uploader import uploader_texts

MAX_PLAN_BYTES = 200_000
_MSG = "sp_message"


def _yuan(d) -> str:
    return "—" if d is None else f"{cm.money(d):,.2f}"


def _flash(ctx) -> None:
    msg = st.session_state.pop(_MSG, None)
    if msg:
        st.success(msg)


def _versions(ctx) -> None:
    st.markdown(f"**{ctx.t('commission.set.versions')}**")
    df = cm.list_plans(ctx.engine, ctx.scope)
    if df.empty:
        st.info(ctx.t("commission.page.sample_plan"))
        return
    view = pd.DataFrame({
        "id": df["id"], "name": df["name"],
        "effective_from": [fmt_date(d, ctx.lang) for d in df["effective_from"]],
        "settlement": [ctx.t(f"commission.settlement.{s}") if s in cm.SETTLEMENTS else "?" for s in df["settlement"]],
        "active": [ctx.t("word.yes") if a else ctx.t("word.no") for a in df["active"]],
        "uploaded": [f"{u} {a:%Y-%m-%d %H:%M}" if a is not None and a == a else str(u) for u, a in
                     zip(df["uploaded_by"], df["uploaded_at"])],
        "activated": [f"{u} {a:%Y-%m-%d %H:%M}" if isinstance(u, str) and a is not None and a == a else ""
                      for u, a in zip(df["activated_by"], df["activated_at"])]})
    st.dataframe(view, hide_index=True, width="stretch", column_config={
        "id": st.column_config.NumberColumn(ctx.t("commission.set.col_id")),
        "name": st.column_config.TextColumn(ctx.t("commission.set.col_name")),
        "effective_from": st.column_config.TextColumn(ctx.t("commission.set.col_effective")),
        "settlement": st.column_config.TextColumn(ctx.t("commission.xlsx.settlement")),
        "active": st.column_config.TextColumn(ctx.t("commission.set.col_active")),
        "uploaded": st.column_config.TextColumn(ctx.t("commission.set.col_uploaded")),
        "activated": st.column_config.TextColumn(ctx.t("commission.set.col_activated"))})
    labels = {int(r.id): f"#{int(r.id)} {r.name}({fmt_date(r.effective_from, ctx.lang)})"
              for r in df.itertuples()}
    pid = st.selectbox(ctx.t("commission.set.pick_version"), list(labels), format_func=labels.get, key="sp_version")
    active = bool(df.set_index("id").loc[pid, "active"])
    c1, c2 = st.columns(2)
    # issue 11: a plan reaching into a closed period needs this box; its effect is paid as adjustments
    retro = not active and st.checkbox(ctx.t("commission.pay.set.retroactive"), key="sp_retroactive")
    if not active and c1.button(ctx.t("commission.set.activate"), key="sp_activate", type="primary"):
        try:
            replaced, effects = plan_effects.activate_plan(ctx.engine, ctx.scope, pid, retroactive=retro)
        except ScopeError:
            raise
        except AppError as exc:
            st.error(exc.message(ctx.lang))
        else:
            st.session_state[_MSG] = ctx.t("commission.set.activated", plan_id=pid) + (
                " " + ctx.t("commission.set.replaced", ids=", ".join(f"#{i}" for i in replaced)) if replaced else "") + (
                "".join(" " + e for e in effects.sentences(ctx.lang, "plan")))
            st.rerun()
    if active and c2.button(ctx.t("commission.set.deactivate"), key="sp_deactivate"):
        try:
            cm.deactivate_plan(ctx.engine, ctx.scope, pid)
        except ScopeError:
            raise
        except AppError as exc:
            st.error(exc.message(ctx.lang))
        else:
            st.session_state[_MSG] = ctx.t("commission.set.deactivated", plan_id=pid)
            st.rerun()
    with st.expander(ctx.t("commission.set.show_yaml", plan_id=pid)):
        st.code(cm.plan_body(ctx.engine, pid), language="yaml")


def _comparison(ctx, plan: cm.Plan) -> None:
    st.markdown(f"**{ctx.t('commission.set.dry_run')}**")
    dry = cm.dry_run(ctx.engine, ctx.scope, plan, ctx.month)
    frame = dry.frame
    st.caption(ctx.t("commission.set.dry_run_caption", period=dry.span))
    for e in dry.errors:
        st.warning(e.message(ctx.lang))
    if frame.empty:
        st.info(ctx.t("app.no_data"))
        return
    c = st.columns(3)
    c[0].metric(ctx.t("commission.set.old_total"), _yuan(dry.old_total))
    c[1].metric(ctx.t("commission.set.new_total"), _yuan(dry.new_total), delta=f"{dry.delta:+,.2f}")
    c[2].metric(ctx.t("commission.set.up_down"), f"↑{dry.up} / ↓{dry.down}")
    view = pd.DataFrame({
        "employee_id": frame["employee_id"], "name": frame["name"], "team": frame["team"], "grade": frame["grade"],
        "old": [_yuan(v) for v in frame["old_payable"]], "new": [_yuan(v) for v in frame["new_payable"]],
        "delta": ["—" if v is None else f"{cm.money(v):+,.2f}" for v in frame["delta"]]})
    st.dataframe(view, hide_index=True, width="stretch", column_config={
        "employee_id": st.column_config.TextColumn(ctx.t("word.employee_id")),
        "name": st.column_config.TextColumn(ctx.t("word.manager")),
        "team": st.column_config.TextColumn(ctx.t("word.team")),
        "grade": st.column_config.TextColumn(ctx.t("word.grade")),
        "old": st.column_config.TextColumn(ctx.t("commission.set.col_old")),
        "new": st.column_config.TextColumn(ctx.t("commission.set.col_new")),
        "delta": st.column_config.TextColumn(ctx.t("commission.set.col_delta"))})


def _upload(ctx) -> None:
    st.markdown(f"**{ctx.t('commission.set.upload_title')}**")
    st.caption(ctx.t("commission.set.upload_caption"))
    st.download_button(ctx.t("commission.set.sample_download"), data=cm.SAMPLE_PLAN.read_bytes(),
                       file_name="plan_2026.yaml", mime="text/yaml", key="sp_sample", icon=":material/download:")
    uploader_texts(ctx, types="yaml / yml")
    up = st.file_uploader(ctx.t("commission.set.file"), type=["yaml", "yml"], key="sp_file")
    if up is None:
        return
    data = up.getvalue()
    if len(data) > MAX_PLAN_BYTES:
        st.error(ctx.t("commission.set.too_big", kb=MAX_PLAN_BYTES // 1000))
        return
    try:
        plan = cm.parse_plan(data)
    except AppError as exc:
        st.error(ctx.t("commission.set.invalid", n=len(exc.problems)))
        st.code("\n".join(exc.messages(ctx.lang)), language=None)
        return
    st.success(ctx.t("commission.set.valid", name=md(plan.name), date=fmt_date(plan.effective_from, ctx.lang),
                     settlement=ctx.t(f"commission.settlement.{plan.settlement}"), items=len(plan.items)))
    _comparison(ctx, plan)
    c1, c2 = st.columns(2)
    save = c1.button(ctx.t("commission.set.save"), key="sp_save")
    save_on = c2.button(ctx.t("commission.set.save_activate"), key="sp_save_activate", type="primary")
    if save or save_on:
        try:
            pid = cm.upload_plan(ctx.engine, ctx.scope, data, activate=save_on)
        except ScopeError:
            raise
        except AppError as exc:
            st.error(exc.message(ctx.lang))
            return
        st.session_state[_MSG] = ctx.t("commission.set.saved_active" if save_on else "commission.set.saved",
                                       plan_id=pid)
        st.rerun()


def render(ctx) -> None:
    """The 绩效方案 section of the settings page (directors only)."""
    st.subheader(ctx.t("commission.set.title"))
    if not ctx.scope.is_director:
        st.error(ctx.t("error.scope"))
        return
    _flash(ctx)
    try:
        pif = cm.plan_in_force(ctx.engine, ctx.month_bounds[0], required=False)
    except AppError as exc:
        st.error(ctx.t("commission.page.plan_invalid"))
        st.code("\n".join(exc.messages(ctx.lang)), language=None)
        pif = None
    if pif is not None:
        st.caption(ctx.t("commission.set.in_force", name=md(pif.plan.name), month=ctx.month,
                         date=fmt_date(pif.plan.effective_from, ctx.lang))
                   + (" " + ctx.t("commission.set.sample_suffix") if pif.source == "sample" else ""))
    try:
        _versions(ctx)
        st.divider()
        _upload(ctx)
    except ScopeError:
        st.error(ctx.t("error.scope"))
