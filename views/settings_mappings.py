"""Settings → column mappings (列映射): the saved header mappings of daily-log uploads, listed and removable.

``render(ctx)`` is called by views/settings.py (directors: every mapping) and, inside an expander, by the upload
page (a team lead: his team's and the branch-wide ones). What is listed and what may be removed is decided by
:mod:`core.ingest.mappings` with the caller's scope.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.ingest import mappings as mp
from ui.text import md


def _table(ctx, found: list[mp.Mapping]) -> pd.DataFrame:
    return pd.DataFrame({
        ctx.t("mappings.col.id"): [m.id for m in found],
        ctx.t("mappings.col.header"): [m.header_text for m in found],
        ctx.t("mappings.col.field"): [mp.choice_label(m.field, ctx.lang) for m in found],
        ctx.t("mappings.col.scope"): [m.whose(ctx.lang) for m in found],
        ctx.t("mappings.col.by"): [m.created_by for m in found],
        ctx.t("mappings.col.at"): [pd.Timestamp(m.created_at).strftime("%Y-%m-%d %H:%M") for m in found]})


def render(ctx, key: str = "set_map", title: bool = True) -> None:
    if title:
        st.subheader(ctx.t("mappings.list_title"))
    st.caption(ctx.t("mappings.list_caption"))
    flash = st.session_state.pop(f"{key}_flash", None)
    if flash:
        st.success(md(flash))     # names a header and a team: data, never Markdown
    found = mp.list_mappings(ctx.engine, ctx.scope)
    if not found:
        st.info(ctx.t("mappings.list_empty"))
        return
    st.dataframe(_table(ctx, found), hide_index=True, width="stretch")
    removable = {m.id: m for m in found if mp.may_remove(ctx.scope, m)}
    if not removable:
        st.caption(ctx.t("mappings.remove_none"))
        return

    def label(i: int) -> str:
        m = removable[i]
        return f"#{m.id} · {m.header_text} → {mp.choice_label(m.field, ctx.lang)} · {m.whose(ctx.lang)}"

    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    pick = c1.selectbox(ctx.t("mappings.remove_pick"), list(removable), format_func=label, key=f"{key}_pick")
    if c2.button(ctx.t("mappings.remove"), key=f"{key}_remove", icon=":material/delete:"):
        m = mp.remove_mapping(ctx.engine, ctx.scope, int(pick))
        st.session_state[f"{key}_flash"] = ctx.t("mappings.removed", header=m.header_text,
                                                 field=mp.choice_label(m.field, ctx.lang), whose=m.whose(ctx.lang))
        st.rerun()
