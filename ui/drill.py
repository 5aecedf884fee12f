"""Drill-down: any manager's row opens his profile (客户经理画像), any total opens the rows behind it.

A page draws a table with :func:`table` instead of ``st.dataframe``: the same display frame, plus the raw rows it
was made from (aligned row by row). Selecting a row whose raw ``level`` is a manager (or that has an
``employee_id``) opens ``/profile?id=…`` in the same session; selecting a team or branch total opens a dialog that
lists the managers behind it (from `behind`, the page's manager rows), each of which opens his profile in turn.
Whether the viewer may open that profile is decided in core (the profile page's scope check), not here.
"""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from core import fmt
from core.i18n import t
from ui.context import get_context
from ui.text import md

PROFILE_PAGE = "views/profile.py"
_TOTAL_LEVELS = ("team", "branch")
_PENDING = "_drill_pending"      # table key → the row just selected (set by the selection callback)


def open_profile(employee_id: str) -> None:
    """Go to the manager's profile page (the same session: sign-in, language and filters are kept)."""
    st.switch_page(PROFILE_PAGE, query_params={"id": str(employee_id)})


def _on_select(key: str) -> None:
    """The selection changed (a callback, before the rerun): remember the newly selected row for this run."""
    i = _selected(st.session_state.get(key))
    st.session_state.setdefault(_PENDING, {})[key] = i


def _selected(event) -> int | None:
    try:
        rows = event.selection.rows
    except AttributeError:
        try:
            rows = event["selection"]["rows"]
        except (KeyError, TypeError):
            return None
    return int(rows[0]) if rows else None


def _members(row: pd.Series, behind: pd.DataFrame) -> pd.DataFrame:
    """The manager rows behind a total row: the team's (or everyone's, for the branch), of the row's metric."""
    b = behind
    if "level" in b.columns:
        b = b[b["level"] == "manager"]
    if row.get("level") == "team" and "team" in b.columns:
        b = b[b["team"].fillna("") == (row.get("team") or row.get("entity") or "")]
    if "metric" in b.columns and "metric" in row.index and isinstance(row["metric"], str):
        b = b[b["metric"] == row["metric"]]
    return b.reset_index(drop=True)


def _behind_body(view: pd.DataFrame, ids: list, key: str, column_config: dict | None) -> None:
    ev = st.dataframe(view, hide_index=True, width="stretch", column_config=column_config, key=f"{key}_behind",
                      on_select="rerun", selection_mode="single-row")
    st.caption(t("drill.hint_manager", get_context().lang))
    i = _selected(ev)
    if i is not None and i < len(ids) and ids[i]:
        open_profile(ids[i])


def _behind_view(members: pd.DataFrame, kinds: dict | None, lang: str) -> tuple[pd.DataFrame, dict]:
    """The members as display text: name and team, then the `kinds` columns they have (core.fmt rules)."""
    members = members.reset_index(drop=True)
    cols = {c: k for c, k in (kinds or {}).items() if c in members.columns and isinstance(k, str)}
    own = {c: k for c, k in (kinds or {}).items() if c in members.columns and callable(k)}
    metric = "metric" if "metric" in members.columns else None
    view = pd.DataFrame({"name": [fmt.cell(n, "text") for n in members.get("name", members["employee_id"])]})
    if "team" in members.columns:
        view["team"] = [fmt.cell(x, "text") for x in members["team"]]
    if cols:
        view = pd.concat([view, fmt.table(members, cols, metric=metric, lang=lang)], axis=1)
    for c, f in own.items():
        view[c] = [fmt.BLANK if fmt.blank(v) else f(v) for v in members[c]]
    return view, {"name": t("word.manager", lang), "team": t("word.team", lang)}


def _level(row: pd.Series) -> str | None:
    """'manager', 'team' or 'branch': the row's ``level`` when it has one; else a manager when it names an
    employee_id, a team when it names a team, the branch total when its team is blank."""
    level = row.get("level")
    if isinstance(level, str):
        return level
    eid = row.get("employee_id")
    if not fmt.blank(eid) and str(eid):
        return "manager"
    if "team" in row.index:
        return "team" if isinstance(row["team"], str) and row["team"] else "branch"
    return None


def _may_open_total(scope, level, row: pd.Series) -> bool:
    """A branch total lists its managers only for someone who sees the branch's individuals (a team lead's 全行 row
    is the branch's aggregate: its managers are not his to list); a team total for someone who sees the team."""
    if level == "branch":
        return scope.sees_branch
    if level == "team":
        return scope.can_see_team(row.get("team") or row.get("entity"))
    return False


def table(view: pd.DataFrame, rows: pd.DataFrame, key: str, *, column_config: dict | None = None,
          behind: pd.DataFrame | None = None, kinds: dict | None = None, headers: dict | None = None,
          lang: str | None = None, **kwargs) -> None:
    """Draw `view` (display strings) with single-row selection; `rows` are the raw rows behind each displayed row
    (same order; columns ``employee_id`` and, for totals, ``level`` / ``team`` / ``metric``).

    A manager row opens his profile. A team/branch row (see :func:`_level`) opens a dialog listing the members from `behind` (manager
    rows with ``employee_id``, ``name``, ``team`` and optionally ``metric`` and value columns shown with `kinds`
    and `headers`; a kind is a core.fmt.cell kind or a function value → text). Without `behind`, total rows do
    nothing. On the big screen the table is drawn without selection (nobody clicks a projector)."""
    ctx = get_context()
    lang = lang or ctx.lang
    if ctx.big_screen:
        st.dataframe(view, hide_index=True, width="stretch", column_config=column_config, **kwargs)
        return
    st.dataframe(view, hide_index=True, width="stretch", column_config=column_config, key=key,
                 on_select=partial(_on_select, key), selection_mode="single-row", **kwargs)
    st.caption(t("drill.hint_total" if behind is not None else "drill.hint_manager", lang))
    i = st.session_state.get(_PENDING, {}).pop(key, None)    # acted on once: a rerun does not reopen it
    if i is None or i >= len(rows):
        return
    row = rows.reset_index(drop=True).iloc[i]
    level = _level(row)
    eid = row.get("employee_id")
    if level in _TOTAL_LEVELS:
        if behind is None or not _may_open_total(ctx.scope, level, row):
            return
        members = _members(row, behind)
        mview, cfg = _behind_view(members, kinds, lang)
        who = t("word.branch", lang) if level == "branch" else str(row.get("team") or row.get("entity") or "")
        title = t("drill.behind_title", lang, who=md(who), n=fmt.plural("drill.managers", len(members), lang))
        st.dialog(title, width="large")(_behind_body)(mview, list(members["employee_id"]), key,
                                                      {**cfg, **(headers or {})})
        return
    open_profile(str(eid))
