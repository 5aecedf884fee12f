"""The sign-in gate: who is using the dashboard, checked on every run.

``require_user(engine, lang)`` returns the signed-in person's Scope, rebuilt from the database on every run (a
disabled account loses access at the next click), or draws the sign-in form and returns None (app.py stops).
Sign-in: username + password (rate-limited by core.auth), single sign-on through ``st.login`` when
``.streamlit/secrets.toml`` has an ``[auth]`` section (mapped to an account by e-mail), and in demo mode three
one-click demo buttons under a visible demo-data banner. Outside demo mode nothing about accounts is shown
before sign-in.

Staying signed in (core.sessions, docs/SECURITY.md): every sign-in opens a server-side session whose random token
goes to the browser in a cookie (Path=/, SameSite=Strict, Secure over https; set by a tiny script because
Streamlit cannot set cookies from Python). A new browser session (F5, a restart, a bookmark) reads the cookie
from ``st.context.cookies`` and restores the account; every run re-checks the session, so signing out
everywhere, a new password or a disabled account ends it at the next click.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

import streamlit as st

from core import auth, sessions
from core.i18n import t
from core.errors import AppError, ScopeError
from core.scope import ROLES, Scope
from ui import context as ui_context

SESSION_KEYS = ("username", "display_name", "signin_method", "_session_token")
_NOTICE = "_signin_notice"
_TOKEN = "_session_token"
_WRITTEN = "_session_cookie_written"


# ---------------------------------------------------------------- single sign-on (st.login, OIDC)

def sso_providers() -> list[str] | None:
    """None when single sign-on is not configured; [] for one unnamed provider; else the provider names."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
        return [k for k, v in section.items() if isinstance(v, Mapping)]
    except Exception:  # no secrets.toml at all
        return None


def _sso_email() -> str | None:
    """The e-mail of the identity-provider session, if there is one."""
    try:
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email")
    except Exception:
        return None
    return str(email).strip() if email else ""


# ---------------------------------------------------------------- session

def _header(name: str) -> str | None:
    try:
        value = st.context.headers.get(name)
    except (AttributeError, RuntimeError):   # no request behind this run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) else None


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE_NAME)
    except (AttributeError, RuntimeError):
        return None
    return value if isinstance(value, str) and value else None


def _adopt(engine, scope: Scope, method: str, token: str) -> None:
    account = auth.get_account(engine, scope.username) or {}
    ss = st.session_state
    ss["username"] = scope.username
    ss["display_name"] = account.get("display_name") or scope.username
    ss["signin_method"] = method
    ss[_TOKEN] = token


def _start_session(engine, scope: Scope, method: str) -> None:
    """Signed in just now: open a server-side session and queue its cookie."""
    token = sessions.start(engine, scope, user_agent=_header("User-Agent"), method=method)
    _adopt(engine, scope, method, token)


def _restore_from_cookie(engine) -> Scope | None:
    """A new browser session (F5, restart, bookmark) with a valid session cookie: signed in again."""
    token = _cookie_token()
    found = sessions.restore(engine, token)
    if found is None:
        return None
    _adopt(engine, found.scope, found.method or "password", token)
    return found.scope


def _secure() -> bool:
    proto = (_header("X-Forwarded-Proto") or "").lower()
    try:
        url = str(st.context.url or "")
    except (AttributeError, RuntimeError):
        url = ""
    return proto == "https" or url.startswith("https:")


def write_cookie() -> None:
    """Keep the browser's session cookie in step with this session: set it while signed in (unless the browser
    already sent this very token), clear it when signed out and the browser still holds one. Call once a run."""
    ss = st.session_state
    token = ss.get(_TOKEN)
    held = _cookie_token() or ss.get(_WRITTEN)    # what the browser holds: sent at connect, or written since
    if token and token == _cookie_token():
        return
    if not token and not held:
        return
    ss[_WRITTEN] = token or None
    value, age = (token, sessions.cookie_max_age()) if token else ("", 0)
    attrs = f"; Path=/; SameSite=Strict; Max-Age={age}" + ("; Secure" if _secure() else "")
    js = f"document.cookie = {json.dumps(sessions.COOKIE_NAME + '=' + value + attrs)};"
    st.html(f"<script>{js}</script>", unsafe_allow_javascript=True)


def _clear_session() -> None:
    for k in SESSION_KEYS:
        st.session_state.pop(k, None)
    # The page context holds the old scope: a page must never run with it after sign-out.
    st.session_state.pop(ui_context._KEY, None)
    for k in ("signin_username", "signin_password"):
        st.session_state.pop(k, None)


def sign_out(engine=None, everywhere: bool = False, scope: Scope | None = None) -> None:
    """End this device's session (or, with `everywhere`, every session of the account), forget the signed-in
    account and end the identity-provider session for single sign-on."""
    method = st.session_state.get("signin_method")
    if engine is not None and everywhere and scope is not None:
        sessions.end_everywhere(engine, scope)
    elif engine is not None:
        sessions.end(engine, st.session_state.get(_TOKEN))
    _clear_session()
    st.session_state[_NOTICE] = "session.signed_out_all" if everywhere else "auth.signed_out"
    if method == "sso":
        try:
            st.logout()
        except Exception:  # not configured any more: the local session is gone anyway
            pass


def require_user(engine, lang: str) -> Scope | None:
    """The Scope of the signed-in account (fresh from the database), or None after drawing the sign-in page."""
    ss = st.session_state
    username = ss.get("username")
    if username and ss.get(_TOKEN):
        found = sessions.restore(engine, ss[_TOKEN])     # every run: expiry, revocation, the account itself
        if found is None:
            _clear_session()
            ss[_NOTICE] = "session.ended"
        else:
            return found.scope
    elif username:       # signed in without a session (set by a test harness): the account alone decides
        try:
            scope = auth.scope_for_username(engine, username)
        except ScopeError:
            _clear_session()
            ss[_NOTICE] = "auth.session_ended"
        else:
            if not ss.get("display_name"):
                account = auth.get_account(engine, scope.username) or {}
                ss["display_name"] = account.get("display_name") or scope.username
            return scope

    restored = _restore_from_cookie(engine)
    if restored is not None:
        return restored

    providers = sso_providers()
    if providers is not None:
        email = _sso_email()
        if email is not None:
            try:
                scope = auth.sso_signin(engine, email)
            except ScopeError:
                _render_signin(engine, lang, providers, sso_error=email or "—")
                return None
            _start_session(engine, scope, "sso")
            return scope

    _render_signin(engine, lang, providers)
    return None


# ---------------------------------------------------------------- the sign-in page

def _render_signin(engine, lang: str, providers: list[str] | None, sso_error: str | None = None) -> None:
    ss = st.session_state
    st.title(t("app.title", lang))
    notice = ss.pop(_NOTICE, None)
    if notice:
        st.info(t(notice, lang))

    if auth.demo_mode(engine):
        _render_demo(engine, lang)

    left, _right = st.columns([2, 3])
    with left:
        st.subheader(t("auth.signin_title", lang))
        if sso_error is not None:
            st.error(t("auth.sso_unknown", lang, email=sso_error))
            if st.button(t("auth.sso_logout", lang), key="signin_sso_logout"):
                st.logout()
        with st.form("signin_form", clear_on_submit=False, enter_to_submit=True):
            username = st.text_input(t("auth.username", lang), key="signin_username", max_chars=100,
                                     autocomplete="username")
            password = st.text_input(t("auth.password", lang), key="signin_password", type="password",
                                     max_chars=auth.PASSWORD_MAX_LENGTH, autocomplete="current-password")
            submitted = st.form_submit_button(t("auth.submit", lang), type="primary", width="stretch")
        if submitted:
            if not (username or "").strip() or not password:
                st.error(t("auth.fill_both", lang))
            else:
                result = auth.authenticate(engine, username, password, client=_client())
                if result.ok:
                    ss.pop("signin_password", None)
                    _start_session(engine, result.scope, "password")
                    st.rerun()
                else:
                    st.error(result.message(lang))
        if providers is not None:
            st.caption(t("auth.sso_or", lang))
            for name in providers or [None]:
                label = t("auth.sso_button", lang) if name is None else t("auth.sso_button_named", lang,
                                                                          provider=name)
                if st.button(label, key=f"signin_sso_{name or 'default'}", width="stretch"):
                    if name is None:
                        st.login()
                    else:
                        st.login(name)


def _client() -> str:
    """This browser as the sign-in throttle knows it (core.auth.client_id): address and user-agent digest."""
    ctx = st.context
    try:
        headers = ctx.headers
        agent, forwarded = headers.get("User-Agent"), headers.get("X-Forwarded-For")
    except (AttributeError, RuntimeError):   # no request behind this run (AppTest, bare mode)
        agent = forwarded = None
    try:
        ip = ctx.ip_address
    except (AttributeError, RuntimeError):
        ip = None
    return auth.client_id(ip, agent, forwarded)


def _render_demo(engine, lang: str) -> None:
    """The visible demo-data banner and, while demo sign-in is available, the three one-click buttons."""
    available = auth.demo_signin_available(engine)
    with st.container(border=True):
        st.warning(":material/science: " + t("auth.demo_banner", lang))
        if not available:
            st.caption(t("auth.demo_closed", lang))
            return
        st.markdown(t("auth.demo_intro", lang))
        cols = st.columns(3)
        for col, role in zip(cols, ROLES):
            with col:
                if st.button(t(f"auth.demo_as_{role}", lang), key=f"signin_demo_{role}", type="primary",
                             width="stretch"):
                    try:
                        scope = auth.demo_signin(engine, role)
                    except AppError as exc:
                        st.error(exc.message(lang))
                    else:
                        _start_session(engine, scope, "demo")
                        st.rerun()
                st.caption(t(f"auth.demo_hint_{role}", lang))


# ---------------------------------------------------------------- own password

def render_password_change(engine, scope: Scope, lang: str, key: str = "own_pw") -> None:
    """A small form to change one's own password (for a sidebar popover or the settings page)."""
    account = auth.get_account(engine, scope.username)
    if account is None or account["is_demo"]:
        st.caption(t("auth.password_demo", lang))
        return
    if st.session_state.get("signin_method") == "sso" and not account["has_password"]:
        st.caption(t("auth.password_sso_only", lang))
        return
    with st.form(f"{key}_form", clear_on_submit=True):
        old = st.text_input(t("auth.old_password", lang), type="password", key=f"{key}_old",
                            autocomplete="current-password")
        new = st.text_input(t("auth.new_password", lang), type="password", key=f"{key}_new",
                            autocomplete="new-password", help=t("auth.password_rule", lang))
        again = st.text_input(t("auth.confirm_password", lang), type="password", key=f"{key}_again",
                              autocomplete="new-password")
        submitted = st.form_submit_button(t("auth.change_password", lang))
    if submitted:
        if new != again:
            st.error(t("auth.password_mismatch", lang))
            return
        try:
            auth.change_own_password(engine, scope, old or "", new or "")
        except AppError as exc:
            st.error(exc.message(lang))
        else:
            # The new password ended every session (core.store.accounts); this browser stays signed in.
            _start_session(engine, scope, st.session_state.get("signin_method") or "password")
            st.success(t("auth.password_changed", lang))
