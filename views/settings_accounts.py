"""Settings → accounts (create, disable/enable, reset password, unlock) and the audit trail. Directors only.

``render(ctx)`` draws the accounts section, ``render_audit(ctx)`` the audit trail. Every action goes through
``core.auth`` with the director's scope (which checks the role again), so hiding this page is not the only guard.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from core import auth, export
from core.errors import AppError, ScopeError
from core.i18n import has
from core.scope import ROLES, is_director_role, role_needs_team
from core.store import audit as store_audit
from core.store import logs as store_logs
from views.signin import render_password_change

AUDIT_LIMIT = 2000


def _refuse_unless_director(ctx) -> bool:
    if ctx.scope.may_configure:
        return False
    st.error(ctx.t("settings.directors_only"))
    return True


def _role_label(ctx, role: str) -> str:
    return ctx.t(f"role.{role}")


def _flash(ctx, kind: str, key: str, **params) -> None:
    """A message that survives the st.rerun() after an action."""
    st.session_state["_acc_flash"] = (kind, key, params)


def _show_flash(ctx) -> None:
    item = st.session_state.pop("_acc_flash", None)
    if item:
        kind, key, params = item
        getattr(st, kind)(ctx.t(key, **params))


# ---------------------------------------------------------------- accounts

def render(ctx) -> None:
    """The accounts section: the list, a form to add someone, and the actions on one account."""
    if _refuse_unless_director(ctx):
        return
    st.subheader(ctx.t("settings.accounts_title"))
    _show_flash(ctx)
    users = auth.list_users(ctx.engine, ctx.scope)
    _users_table(ctx, users)
    col_a, col_b = st.columns(2)
    with col_a:
        _create_form(ctx)
    with col_b:
        _manage(ctx, users)
    with st.expander(ctx.t("auth.change_password"), icon=":material/key:"):
        render_password_change(ctx.engine, ctx.scope, ctx.lang, key="settings_own_pw")


def _users_table(ctx, users: pd.DataFrame) -> None:
    if users.empty:
        st.info(ctx.t("settings.no_accounts"))
        return
    active = users[users["active"]]
    real_directors = users[users["role"].map(is_director_role) & users["active"] & ~users["is_demo"]]
    st.caption(ctx.t("settings.accounts_summary", total=len(users), active=len(active),
                     directors=len(real_directors)))
    if real_directors.empty:
        st.warning(ctx.t("settings.no_real_director"))
    view = users.copy()
    view["role"] = view["role"].map(lambda r: _role_label(ctx, r))
    view["status"] = [
        ctx.t("settings.status_locked") if lk else ctx.t("settings.status_active") if a
        else ctx.t("settings.status_disabled")
        for a, lk in zip(users["active"], users["locked"])]
    view["sign_in"] = [
        ctx.t("settings.signin_demo") if d else ctx.t("settings.signin_password") if p
        else ctx.t("settings.signin_sso") if e else ctx.t("settings.signin_none")
        for d, p, e in zip(users["is_demo"], users["has_password"], users["email"].fillna(""))]
    for col in ("team", "employee_id", "email"):     # no value shows as "—", never None
        view[col] = [v if isinstance(v, str) and v else "—" for v in view[col]]
    view["last_login"] = [pd.Timestamp(v).strftime("%Y-%m-%d %H:%M") if v is not None and not pd.isna(v) else "—"
                          for v in view["last_login"]]
    cols = ["username", "display_name", "role", "team", "employee_id", "email", "status", "sign_in",
            "last_login", "created_at"]
    st.dataframe(
        view[cols], hide_index=True, width="stretch",
        column_config={
            "username": ctx.t("settings.col_username"), "display_name": ctx.t("settings.col_display_name"),
            "role": ctx.t("settings.col_role"), "team": ctx.t("word.team"),
            "employee_id": ctx.t("word.employee_id"), "email": ctx.t("settings.col_email"),
            "status": ctx.t("settings.col_status"), "sign_in": ctx.t("settings.col_sign_in"),
            "last_login": st.column_config.TextColumn(ctx.t("settings.col_last_login")),
            "created_at": st.column_config.DatetimeColumn(ctx.t("settings.col_created_at"),
                                                          format="YYYY-MM-DD HH:mm"),
        })


def _roster_choices(ctx) -> tuple[list[str], dict[str, str], list[str]]:
    roster = store_logs.read_roster(ctx.engine, ctx.scope)
    labels = {r.employee_id: f"{r.employee_id} · {r.name}({r.team} · {r.grade})"
              for r in roster.itertuples(index=False)}
    teams = sorted(roster["team"].dropna().unique().tolist())
    return [""] + list(labels), labels, teams


def _create_form(ctx) -> None:
    st.markdown(f"**{ctx.t('settings.create_title')}**")
    ids, labels, teams = _roster_choices(ctx)
    with st.form("acc_create", clear_on_submit=False):
        username = st.text_input(ctx.t("settings.col_username"), key="acc_new_username", max_chars=64,
                                 help=ctx.t("settings.username_help"))
        role = st.selectbox(ctx.t("settings.col_role"), ROLES, index=2, key="acc_new_role",
                            format_func=lambda r: _role_label(ctx, r))
        team = st.selectbox(ctx.t("settings.team_for_lead"), [""] + teams, key="acc_new_team",
                            format_func=lambda v: v or "—")
        employee = st.selectbox(ctx.t("settings.employee_link"), ids, key="acc_new_employee",
                                format_func=lambda v: labels.get(v, "—"))
        display_name = st.text_input(ctx.t("settings.col_display_name"), key="acc_new_display", max_chars=100,
                                     help=ctx.t("settings.display_name_help"))
        email = st.text_input(ctx.t("settings.col_email"), key="acc_new_email", max_chars=200,
                              help=ctx.t("settings.email_help"))
        pw = st.text_input(ctx.t("auth.password"), type="password", key="acc_new_pw",
                           help=ctx.t("auth.password_rule"), autocomplete="new-password")
        pw2 = st.text_input(ctx.t("auth.confirm_password"), type="password", key="acc_new_pw2",
                            autocomplete="new-password")
        submitted = st.form_submit_button(ctx.t("settings.create_button"), type="primary")
    if not submitted:
        return
    if pw != pw2:
        st.error(ctx.t("auth.password_mismatch"))
        return
    if not pw and not email.strip():
        st.error(ctx.t("settings.password_or_email"))
        return
    def create():
        auth.create_user(ctx.engine, ctx.scope, username, display_name, role, password=pw or None,
                         team=team if role_needs_team(role) else None,
                         employee_id=employee or None, email=email or None)
        for k in ("acc_new_username", "acc_new_display", "acc_new_email", "acc_new_pw", "acc_new_pw2"):
            st.session_state.pop(k, None)

    _do(ctx, create, "settings.created", username=auth.normalise_username(username))


def _manage(ctx, users: pd.DataFrame) -> None:
    st.markdown(f"**{ctx.t('settings.manage_title')}**")
    if users.empty:
        return
    names = users["username"].tolist()
    info = {r.username: r for r in users.itertuples(index=False)}
    uname = st.selectbox(ctx.t("settings.col_username"), names, key="acc_manage_user",
                         format_func=lambda u: f"{u} · {info[u].display_name}({_role_label(ctx, info[u].role)})")
    user = info[uname]
    state = ctx.t("settings.status_active") if user.active else ctx.t("settings.status_disabled")
    if user.locked:
        state += " · " + ctx.t("settings.status_locked")
    st.caption(ctx.t("settings.account_state", state=state))
    c1, c2 = st.columns(2)
    with c1:
        if user.active:
            if st.button(ctx.t("settings.disable"), key="acc_disable", icon=":material/block:",
                         disabled=uname == ctx.scope.username):
                _do(ctx, lambda: auth.set_active(ctx.engine, ctx.scope, uname, False), "settings.disabled_ok",
                    username=uname)
        elif st.button(ctx.t("settings.enable"), key="acc_enable", icon=":material/check_circle:"):
            _do(ctx, lambda: auth.set_active(ctx.engine, ctx.scope, uname, True), "settings.enabled_ok",
                username=uname)
    with c2:
        if user.locked and st.button(ctx.t("settings.unlock"), key="acc_unlock", icon=":material/lock_open:"):
            _do(ctx, lambda: auth.unlock_user(ctx.engine, ctx.scope, uname), "settings.unlocked_ok",
                username=uname)
    if user.is_demo:
        st.caption(ctx.t("settings.demo_account_note"))
        return
    with st.form("acc_reset", clear_on_submit=True):
        pw = st.text_input(ctx.t("auth.new_password"), type="password", key="acc_reset_pw",
                           help=ctx.t("auth.password_rule"), autocomplete="new-password")
        pw2 = st.text_input(ctx.t("auth.confirm_password"), type="password", key="acc_reset_pw2",
                            autocomplete="new-password")
        submitted = st.form_submit_button(ctx.t("settings.reset_button"))
    if submitted:
        if pw != pw2:
            st.error(ctx.t("auth.password_mismatch"))
        else:
            _do(ctx, lambda: auth.reset_password(ctx.engine, ctx.scope, uname, pw or ""), "settings.reset_ok",
                username=uname)


def _do(ctx, action, ok_key: str, **params) -> None:
    try:
        action()
    except ScopeError:
        st.error(ctx.t("settings.directors_only"))
        return
    except AppError as exc:
        st.error(exc.message(ctx.lang))
        return
    _flash(ctx, "success", ok_key, **params)
    st.rerun()


# ---------------------------------------------------------------- audit trail

def action_label(ctx, action: str) -> str:
    """The audit action in words (falls back to the stored code for actions this page does not know)."""
    key = f"settings.action.{action}"
    return ctx.t(key) if has(key) else action


_SENTENCES = {"import": "settings.audit_s.import", "undo": "settings.audit_s.undo", "login": "settings.audit_s.login",
              "login_failed": "settings.audit_s.login_failed", "setting": "settings.audit_s.setting"}


def _value_text(ctx, key: str, v) -> str:
    if isinstance(v, bool):
        return ctx.t("word.yes") if v else ctx.t("word.no")
    if key == "role" and has(f"role.{v}"):
        return ctx.t(f"role.{v}")
    if key == "kind" and has(f"ingest.kind.{v}"):
        return ctx.t(f"ingest.kind.{v}")
    if key == "method" and has(f"settings.audit_method.{v}"):
        return ctx.t(f"settings.audit_method.{v}")
    if isinstance(v, (dict, list)):
        return ", ".join(f"{a}: {b}" for a, b in v.items()) if isinstance(v, dict) else ", ".join(map(str, v))
    return str(v)


def _detail_text(ctx, action: str, detail) -> str:
    """An audit entry's details as a sentence a director reads (not the stored key=value pairs): a known action
    has its sentence, any other detail is listed as "label: value" with the labels and enums translated."""
    if detail is None or (isinstance(detail, float) and pd.isna(detail)):
        return ""
    try:
        data = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if not isinstance(data, dict):
        return str(data)
    kind = "import" if action.startswith("import_") else action
    shown = {k: _value_text(ctx, k, v) for k, v in data.items() if v not in (None, "", {}, [])}
    key = _SENTENCES.get(kind)
    if key:
        try:
            return ctx.t(key, **{k: shown.get(k, "—") for k in ("inserted", "updated", "unchanged", "restored",
                                                                 "removed", "method", "chars", "known")})
        except (KeyError, IndexError):
            pass
    sep = ";" if ctx.lang == "zh" else "; "
    colon = ":" if ctx.lang == "zh" else ": "
    return sep.join(f"{ctx.t('settings.audit_key.' + k) if has('settings.audit_key.' + k) else k}{colon}{v}"
                    for k, v in shown.items() if k not in ("import_id", "id"))


def _target_text(ctx, target) -> str:
    """What an entry is about; the demo loader's batches ("demo:daily") read as demo data."""
    if not isinstance(target, str):
        return ""
    if target.startswith("demo:"):
        kind = target[5:]
        return ctx.t("upload.demo_file", kind=ctx.t(f"ingest.kind.{kind}") if has(f"ingest.kind.{kind}") else kind)
    return target


def render_audit(ctx) -> None:
    """The audit trail: who imported, undid, changed targets, plans, rules, settings or accounts, and when."""
    if _refuse_unless_director(ctx):
        return
    st.subheader(ctx.t("settings.audit_title"))
    st.caption(ctx.t("settings.audit_caption"))
    trail = store_audit.read_audit(ctx.engine, ctx.scope, limit=AUDIT_LIMIT)
    if trail.empty:
        st.info(ctx.t("settings.audit_empty"))
        return
    trail["at"] = pd.to_datetime(trail["at"])
    actions = sorted(trail["action"].unique().tolist(), key=lambda a: action_label(ctx, a))
    people = sorted(trail["username"].unique().tolist())
    c1, c2, c3 = st.columns([2, 2, 2])
    with c1:
        chosen = st.multiselect(ctx.t("settings.audit_action"), actions, key="audit_actions",
                                format_func=lambda a: action_label(ctx, a),
                                placeholder=ctx.t("filter.all"))
    with c2:
        who = st.multiselect(ctx.t("settings.audit_user"), people, key="audit_users",
                             placeholder=ctx.t("filter.all"))
    with c3:
        hide_logins = st.toggle(ctx.t("settings.audit_hide_logins"), value=True, key="audit_hide_logins")
    lo, hi = trail["at"].min().date(), trail["at"].max().date()
    span = st.date_input(ctx.t("settings.audit_dates"), value=(max(lo, hi - dt.timedelta(days=90)), hi),
                         min_value=lo, max_value=hi, key="audit_dates", format="YYYY-MM-DD")
    view = trail
    if chosen:
        view = view[view["action"].isin(chosen)]
    elif hide_logins:
        view = view[~view["action"].isin(["login", "login_failed"])]
    if who:
        view = view[view["username"].isin(who)]
    if isinstance(span, (tuple, list)) and len(span) == 2:
        view = view[(view["at"].dt.date >= span[0]) & (view["at"].dt.date <= span[1])]
    recent_locks = trail[(trail["action"] == "login_locked")
                   & (trail["at"] >= pd.Timestamp(dt.datetime.now() - dt.timedelta(days=1)))]
    if not recent_locks.empty:
        st.warning(ctx.t("settings.audit_recent_locks", n=len(recent_locks)))
    out = pd.DataFrame({
        "at": view["at"], "username": view["username"],
        "action": view["action"].map(lambda a: action_label(ctx, a)),
        "target": [_target_text(ctx, tg) for tg in view["target"]], "detail": [_detail_text(ctx, a, d) for a, d in zip(view["action"], view["detail"])]})
    st.caption(ctx.t("settings.audit_count", n=len(out), total=len(trail)))
    st.dataframe(out, hide_index=True, width="stretch", column_config={
        "at": st.column_config.DatetimeColumn(ctx.t("settings.audit_at"), format="YYYY-MM-DD HH:mm:ss"),
        "username": ctx.t("settings.audit_user"), "action": ctx.t("settings.audit_action"),
        "target": ctx.t("settings.audit_target"), "detail": ctx.t("settings.audit_detail")})
    # the one escaping writer: a username such as =HYPERLINK(...) typed at the sign-in form stays text
    csv = export.frame_to_csv(out.rename(columns={
        "at": ctx.t("settings.audit_at"), "username": ctx.t("settings.audit_user"),
        "action": ctx.t("settings.audit_action"), "target": ctx.t("settings.audit_target"),
        "detail": ctx.t("settings.audit_detail")}))
    st.download_button(ctx.t("word.download") + " CSV", csv, file_name="audit_trail.csv", mime="text/csv",
                       key="audit_download", icon=":material/download:")
