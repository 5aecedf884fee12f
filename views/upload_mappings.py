"""The upload page's answers to a validation report: unknown columns mapped once and remembered, problem rows fixed
in the report itself, and the saved mappings in the caller's scope.

Called by views/upload.py: :func:`effective_files` (the upload as corrected on the page, when it was),
:func:`recheck_requested` (a save or a correction asks for the check to run again), :func:`render` (below the
report) and :func:`render_saved`. The work is done by :mod:`core.ingest.mappings` and
:mod:`core.ingest.corrections`; this module only draws and keeps the page's state.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import AppError
from core.ingest import corrections as fix
from core.ingest import mappings as mp
from ui.text import md
from views import settings_mappings

_LEAVE = ""


def _fixed_key(kind: str) -> str:
    return f"upl_fixed_{kind}"


def effective_files(kind: str, sig: tuple, files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files to check and import: as corrected on this page for this upload, else as uploaded."""
    fixed = st.session_state.get(_fixed_key(kind))
    if fixed and fixed["sig"] == sig and files:
        return fixed["files"]
    st.session_state.pop(_fixed_key(kind), None)
    return files


def recheck_requested(kind: str) -> bool:
    return bool(st.session_state.pop(f"upl_recheck_{kind}", False))


def _recheck(kind: str, flash: str) -> None:
    st.session_state[f"upl_recheck_{kind}"] = True
    st.session_state[f"upl_flash_{kind}"] = flash
    st.rerun()


def render(ctx, kind: str, sig: tuple, files: list[tuple[str, bytes]], outcome) -> None:
    """Below the report: what saved mappings did, the offer for unknown columns, the problem rows to fix."""
    flash = st.session_state.pop(f"upl_flash_{kind}", None)
    if flash:
        st.success(md(flash))        # may name a header or a team: data, never Markdown
    _render_using(ctx, kind)
    applied = mp.applied_columns(outcome)
    if applied:
        st.markdown(f"**{ctx.t('mappings.applied_title')}**")
        st.markdown("\n".join(f"- {md(m.where())}: {md(m.message(ctx.lang))}" for m in applied))
    _render_offer(ctx, kind, outcome)
    _render_fixes(ctx, kind, sig, files, outcome)


def _render_using(ctx, kind: str) -> None:
    fixed = st.session_state.get(_fixed_key(kind))
    if not fixed:
        return
    st.info(ctx.t("corrections.using", n=fixed["changed"]))
    c1, c2 = st.columns(2)
    for i, (name, data) in enumerate(fixed["files"]):
        c1.download_button(f"{ctx.t('corrections.download')} · {name}" if len(fixed["files"]) > 1
                           else ctx.t("corrections.download"), data=fix.download_bytes(name, data), file_name=name,
                           key=f"upl_fix_dl_{kind}_{i}", icon=":material/download:")
    if c2.button(ctx.t("corrections.discard"), key=f"upl_fix_discard_{kind}", icon=":material/restart_alt:"):
        st.session_state.pop(_fixed_key(kind), None)
        _recheck(kind, ctx.t("corrections.discard"))


def _error(ctx, exc: AppError) -> None:
    """A refusal: its headline, then each problem as a line (headers from the file are shown literally)."""
    st.error("\n".join([md(exc.headline(ctx.lang)), *(f"- {md(m)}" for m in exc.messages(ctx.lang))]))


# ---------------------------------------------------------------- unknown columns

def _render_offer(ctx, kind: str, outcome) -> None:
    unknown = mp.unknown_columns(outcome)
    teams = mp.team_choices(ctx.engine, ctx.scope)
    if not unknown or not teams:
        return
    st.markdown(f"**{ctx.t('mappings.offer_title')}**")
    st.caption(ctx.t("mappings.offer_caption"))
    options = [_LEAVE] + mp.choices_of(kind)

    def label(name: str) -> str:
        return ctx.t("mappings.offer_leave") if name == _LEAVE else mp.choice_label(name, ctx.lang)

    with st.form(f"upl_map_form_{kind}_{outcome.sha256[:12]}", border=True):
        picked = {}
        for i, u in enumerate(unknown):
            picked[u.header_text] = st.selectbox(md(u.header_text), options, format_func=label,
                                                 key=f"upl_map_{kind}_{i}_{u.key}")
        team = teams[0]
        if len(teams) > 1:
            team = st.selectbox(ctx.t("mappings.offer_for"), teams, format_func=lambda tm: mp.whose(tm, ctx.lang),
                                key=f"upl_map_team_{kind}")
        else:
            st.caption(f"{ctx.t('mappings.offer_for')}: {md(mp.whose(team, ctx.lang))}")
        save = st.form_submit_button(ctx.t("mappings.offer_save"), type="primary", icon=":material/save:")
    if not save:
        return
    choices = [mp.Choice(h, f) for h, f in picked.items() if f != _LEAVE]
    if not choices:
        st.warning(ctx.t("mappings.offer_none_chosen"))
        return
    try:
        saved = mp.save_choices(ctx.engine, ctx.scope, kind, choices, team, mp.present_fields(outcome))
    except AppError as exc:   # refused (scope or a bad choice): say why, in the reader's language
        _error(ctx, exc)
        return
    _recheck(kind, ctx.t("mappings.offer_saved", n=len(saved), whose=mp.whose(team, ctx.lang)))


# ---------------------------------------------------------------- fixing problem rows

def _render_fixes(ctx, kind: str, sig: tuple, files, outcome) -> None:
    memo_key = (id(outcome), outcome.sha256, ctx.lang)      # read the upload again once per check, not per rerun
    memo = st.session_state.get(f"upl_fixrows_{kind}")
    if not memo or memo[0] != memo_key:
        memo = (memo_key, fix.problem_rows(files, outcome.problems, kind, ctx.lang))
        st.session_state[f"upl_fixrows_{kind}"] = memo
    sheets = memo[1]
    if not sheets:
        return
    st.markdown(f"**{ctx.t('corrections.title')}**")
    st.caption(ctx.t("corrections.caption"))
    row_col, prob_col = ctx.t("corrections.col.row"), ctx.t("corrections.col.problems")
    edited = []
    for k, sh in enumerate(sheets):
        if len(sheets) > 1:
            st.caption(md(sh.label))
        frame = pd.DataFrame(sh.values, columns=sh.labels, dtype=object)
        frame.insert(0, row_col, sh.rows)
        frame[prob_col] = sh.problems
        config = {c: st.column_config.TextColumn(c) for c in sh.labels}
        config[prob_col] = st.column_config.TextColumn(prob_col, width="large")
        out = st.data_editor(frame, key=f"upl_fix_{kind}_{k}_{outcome.sha256[:12]}", hide_index=True,
                             num_rows="fixed", disabled=[row_col, prob_col], column_config=config,
                             width="stretch")
        edited.append(out[sh.labels].astype(object).values.tolist())
        if sh.total > len(sh.rows):
            st.caption(ctx.t("corrections.truncated", shown=len(sh.rows), total=sh.total))
    if not st.button(ctx.t("corrections.apply"), key=f"upl_fix_apply_{kind}", icon=":material/published_with_changes:"):
        return
    try:
        done = fix.apply_corrections(files, sheets, edited)
    except AppError as exc:
        _error(ctx, exc)
        return
    if not done.changed:
        st.info(ctx.t("corrections.nothing"))
        return
    before = st.session_state.get(_fixed_key(kind))
    st.session_state[_fixed_key(kind)] = {"sig": sig, "files": done.files,
                                         "changed": done.changed + (before["changed"] if before else 0)}
    _recheck(kind, ctx.t("corrections.applied", n=done.changed))


# ---------------------------------------------------------------- saved mappings

def render_saved(ctx) -> None:
    """The caller's saved column mappings, folded away (a team lead cannot open Settings)."""
    if not mp.team_choices(ctx.engine, ctx.scope):
        return
    with st.expander(ctx.t("mappings.list_title"), icon=":material/table_edit:"):
        settings_mappings.render(ctx, key="upl_map_list", title=False)
