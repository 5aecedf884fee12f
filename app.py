"""The dashboard's router: page config, demo data on first start, sign-in, language, shared filters, navigation.

Run with ``streamlit run app.py`` (see README). Pages live in views/ and get everything through
``ui.context.get_context()``.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
from typing import Callable
from urllib.parse import urlparse

import streamlit as st

from core import auth, demo, store
from core import calendar as cal
from core.errors import AppError
from core.i18n import LANGS, fmt_month, fmt_week, t
from core.store import logs as store_logs
from ui import data as ui_data
from ui.context import PageContext, set_context
from ui.text import md
from views import display, signin

log = logging.getLogger("dashboard")

# (file, title key, icon, period widget); who may open each page is core.scope.PAGE_ROLES
PAGES = [
    ("views/morning.py", "page.morning", ":material/wb_sunny:", "day"),
    ("views/weekly.py", "page.weekly", ":material/date_range:", "week"),
    ("views/monthly.py", "page.monthly", ":material/calendar_month:", "month"),
    ("views/commission.py", "page.commission", ":material/payments:", "month"),
    ("views/coaching.py", "page.coaching", ":material/support_agent:", "week"),
    ("views/profile.py", "page.profile", ":material/person:", "month"),
    ("views/upload.py", "page.upload", ":material/upload_file:", None),
    ("views/settings.py", "page.settings", ":material/settings:", None),
]


def _page_key(file: str) -> str:
    return file.split("/")[-1][:-3]
FILTER_KEYS = ("lang", "team", "line", "day", "week", "month", "big", "rotate")

st.set_page_config(page_title="客户经理营销管理看板 · CM Sales Dashboard", page_icon=":material/monitoring:",
                   layout="wide")


def _load_query_params() -> None:
    """On a session's first run, take the filters from the URL (bookmarks such as ?team=对公二队&week=2026-W47)."""
    if st.session_state.get("_qp_loaded"):
        return
    qp = st.query_params
    for k in FILTER_KEYS:
        if k in qp and qp[k] != "":
            st.session_state[f"f_{k}"] = qp[k]
    st.session_state["_qp_loaded"] = True


def _sync_query_params(values: dict) -> None:
    want = {k: str(v) for k, v in values.items() if v not in (None, "", False)}
    if want.get("lang") == "zh":
        want.pop("lang")
    current = {k: st.query_params[k] for k in st.query_params}
    if current != want:
        st.query_params.from_dict(want)


def _engine():
    url = store.resolve_url()
    return url, ui_data.engine_for(url)


def _ensure_demo(engine, lang: str) -> bool:
    """Load the demo bank into an empty database (unless DASH_NO_DEMO=1). Returns True when it did."""
    if os.environ.get("DASH_NO_DEMO") == "1" or not store.is_empty(engine):
        return False
    try:
        demo.load_demo(engine)
    except AppError:  # another session loaded it a moment ago
        return False
    auth.ensure_demo_accounts(engine)
    return True


def _date_param(value, default: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return default


def _sidebar_filters(engine, scope, lang: str, period: str | None, overrides: dict) -> dict:
    """Team, line and the page's period, kept in session state and mirrored in the URL."""
    today = dt.date.today()
    first, last = store_logs.log_date_range(engine, scope)
    data_end = last
    last = last or today
    first = first or last
    # The meeting date defaults to today when data is current, else to the day after the last logged day.
    latest_meeting = today if last >= cal.previous_workday(today, overrides) else last + dt.timedelta(days=1)
    weeks = []
    d = cal.week_bounds(cal.week_key(last))[0]
    stop = cal.week_bounds(cal.week_key(first))[0]
    while d >= stop and len(weeks) < 120:
        weeks.append(cal.week_key(d))
        d -= dt.timedelta(days=7)
    months = []
    m = cal.month_key(last)
    while m >= cal.month_key(first) and len(months) < 60:
        months.append(m)
        m = cal.add_months(m, -1)

    ss = st.session_state
    values: dict = {}
    with st.sidebar:
        if scope.sees_branch:
            teams = store_logs.read_teams(engine, scope)
            names = list(teams["name"])
            opts = [""] + names
            cur = ss.get("f_team", "")
            if cur not in opts:
                ss["f_team"] = ""
            st.selectbox(t("filter.team", lang), opts, key="f_team",
                         format_func=lambda v: t("filter.all", lang) if v == "" else v)
            line_opts = ["", "corporate", "retail"]
            if ss.get("f_line", "") not in line_opts:
                ss["f_line"] = ""
            st.selectbox(t("filter.line", lang), line_opts, key="f_line",
                         format_func=lambda v: t("filter.all", lang) if v == "" else t(f"line.{v}", lang))
            values["team"] = ss.get("f_team") or None
            values["line"] = ss.get("f_line") or None
        elif scope.is_team_lead:
            st.caption(f"{t('filter.team', lang)}: **{md(scope.team)}**")
            values["team"], values["line"] = None, None  # the scope already limits rows to his team
        else:
            values["team"], values["line"] = None, None

        day = _date_param(ss.get("f_day"), latest_meeting)
        week = ss.get("f_week") if ss.get("f_week") in weeks else (weeks[0] if weeks else cal.week_key(today))
        month = ss.get("f_month") if ss.get("f_month") in months else (months[0] if months else cal.month_key(today))
        if period == "day":
            day = st.date_input(t("filter.date", lang), value=day, max_value=today + dt.timedelta(days=1),
                                format="YYYY-MM-DD", key="w_day")
            ss["f_day"] = day.isoformat()
        elif period == "week" and weeks:
            ss["f_week"] = week
            week = st.selectbox(t("filter.week", lang), weeks, key="f_week",
                                format_func=lambda w: fmt_week(w, lang))
        elif period == "month" and months:
            ss["f_month"] = month
            month = st.selectbox(t("filter.month", lang), months, key="f_month",
                                 format_func=lambda m_: fmt_month(m_, lang))
    values.update(day=day, week=week, month=month, data_end=data_end)
    return values




def _signed_out_navigation() -> None:
    """Before sign-in: declare every page (hidden) so the address asked for (a bookmark such as /weekly) is kept
    and the page opens once the person has signed in."""
    st.navigation([st.Page(_signing_in, title=t("auth.signin_title", "zh"), url_path="signin", default=True)]
                  + [st.Page(f, title=t(k, "zh"), url_path=_page_key(f)) for f, k, _icon, _period in PAGES]
                  + [st.Page(_unknown_page(slug, "zh", None), title=t("app.page_unknown_title", "zh"), url_path=slug)
                     for slug in _unknown_paths()],
                  position="hidden")


_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def _unknown_paths() -> list[str]:
    """Addresses of this session that name no page (a mistyped /setings): each gets a hidden page of its own
    saying so in the page's language, instead of Streamlit's English "Page not found" dialog. The address comes
    from st.context.url, which still carries the path when it names no page Streamlit knows."""
    ss = st.session_state
    seen = ss.setdefault("_unknown_paths", [])
    try:
        path = urlparse(str(st.context.url or "")).path
    except (AttributeError, RuntimeError, ValueError):   # no browser behind this run (AppTest)
        path = ""
    slug = path.strip("/").split("/")[-1] if path.strip("/") else ""
    known = {_page_key(f) for f, _k, _i, _p in PAGES} | {"signin"}
    if slug and slug not in known and slug not in seen and _SLUG.match(slug) and len(seen) < 5:
        seen.append(slug)
    return list(seen)


def _refused_page(key: str, lang: str, scope, landing) -> Callable[[], None]:
    """A page this role may not open (core.scope.PAGE_ROLES), reached by its address: our own refusal in the
    page's language, nothing of the page itself, and a way back to the person's landing page."""
    def refused() -> None:
        st.title(t("app.page_refused_title", lang))
        st.warning(t("app.page_refused", lang, page=t(f"page.{key}", lang), role=t(f"role.{scope.role}", lang)))
        st.page_link(landing, label=t("app.page_back", lang), icon=":material/arrow_back:")
    return refused


def _unknown_page(slug: str, lang: str, landing) -> Callable[[], None]:
    def unknown() -> None:
        st.title(t("app.page_unknown_title", lang))
        st.warning(t("app.page_unknown", lang, path="/" + slug))
        if landing is not None:
            st.page_link(landing, label=t("app.page_back", lang), icon=":material/arrow_back:")
    return unknown


def _signing_in() -> None:
    """The address "/" while signed out: no page of its own (the form is already drawn). Being the default page
    here, it keeps the pages' own addresses for bookmarks, and after sign-in "/" opens the role's landing page
    instead of whichever page happened to be the default before."""


def main() -> None:
    _load_query_params()
    ss = st.session_state
    lang = ss.get("f_lang") if ss.get("f_lang") in LANGS else "zh"
    if st.query_params.get("display"):     # the director's display link: the kiosk alone, no password
        url, engine = _engine()
        display.render(engine, url, st.query_params.get("display"), lang)
        return
    with st.sidebar:
        lang = st.radio(t("app.language", lang), LANGS, index=LANGS.index(lang), horizontal=True,
                        format_func=lambda v: "中文" if v == "zh" else "English", key="w_lang")
        ss["f_lang"] = lang

    url, engine = _engine()
    if _ensure_demo(engine, lang):
        ss["_demo_just_loaded"] = True

    scope = signin.require_user(engine, lang)
    signin.write_cookie()
    if scope is None:
        _signed_out_navigation()
        st.stop()

    demo_data = auth.demo_mode(engine)
    here = os.path.dirname(os.path.abspath(__file__))
    allowed = [p for p in PAGES if scope.may_open(_page_key(p[0])) and os.path.exists(os.path.join(here, p[0]))]
    nav_pages = [st.Page(f, title=t(k + ("_mine" if k == "page.profile" and scope.sees_only_self else ""), lang),
                         icon=icon, url_path=_page_key(f),
                         default=(_page_key(f) == scope.landing_page))
                 for f, k, icon, _period in allowed]
    landing = next((page for p, page in zip(allowed, nav_pages) if _page_key(p[0]) == scope.landing_page),
                   nav_pages[0])
    # Every other page is declared too, hidden: opened by its address it refuses in the page's language
    hidden = [st.Page(_refused_page(_page_key(f), lang, scope, landing), title=t(k, lang), icon=icon,
                      url_path=_page_key(f), visibility="hidden")
              for f, k, icon, _period in PAGES if (f, k, icon, _period) not in allowed]
    hidden += [st.Page(_unknown_page(slug, lang, landing), title=t("app.page_unknown_title", lang),
                       url_path=slug, visibility="hidden") for slug in _unknown_paths()]
    pg = st.navigation(nav_pages + hidden)
    # Match the page object itself: Streamlit gives the default page an empty url_path.
    period = next((p[3] for p, page in zip(allowed, nav_pages) if page is pg), None)

    version = store.data_version(engine)
    overrides = ui_data.overrides(url, version)
    filters = _sidebar_filters(engine, scope, lang, period, overrides)
    if filters["data_end"] is not None:     # the latest week's coaching, evaluated before anyone asks for it
        ui_data.prepare_coaching(url, version, cal.week_key(filters["data_end"]), dt.date.today())

    big = str(ss.get("f_big", "")) in ("1", "true", "True") and period == "day"
    with st.sidebar:
        st.divider()
        if period == "day":
            if "w_big" not in ss:          # first run: take it from the URL (?big=1)
                ss["w_big"] = big
            big = st.toggle(t("app.big_screen", lang), key="w_big")
            ss["f_big"] = "1" if big else ""
        name = ss.get("display_name") or scope.username
        st.caption(t("app.signed_in_as", lang, name=md(name), role=t(f"role.{scope.role}", lang)))
        with st.popover(t("auth.change_password", lang), icon=":material/key:"):
            signin.render_password_change(engine, scope, lang, key="sidebar_pw")
        if st.button(t("app.sign_out", lang), key="w_signout", width="stretch"):
            signin.sign_out(engine)
            st.rerun()
        if st.button(t("session.sign_out_all", lang), key="w_signout_all", width="stretch", type="tertiary"):
            signin.sign_out(engine, everywhere=True, scope=scope)
            st.rerun()

    if demo_data:
        st.caption(":material/info: " + t("app.demo_banner", lang))
    if ss.pop("_demo_just_loaded", False):
        st.success(t("app.demo_loaded", lang))

    ctx = PageContext(engine=engine, scope=scope, lang=lang, today=dt.date.today(), day=filters["day"],
                      week=filters["week"], month=filters["month"], team=filters["team"], line=filters["line"],
                      big_screen=big, overrides=overrides, data_version=version, db_url=url,
                      display_name=ss.get("display_name") or scope.username, demo=demo_data,
                      data_end=filters["data_end"])
    set_context(ctx)
    _sync_query_params({"lang": lang, "team": filters["team"], "line": filters["line"],
                        "day": filters["day"].isoformat() if period == "day" else None,
                        "week": filters["week"] if period == "week" else None,
                        "month": filters["month"] if period == "month" else None,
                        "big": "1" if big else None,
                        "rotate": ss.get("f_rotate") if big and ss.get("f_rotate") else None,
                        "id": st.query_params.get("id") if pg.url_path == "profile" else None})
    try:
        pg.run()
    except Exception as exc:  # never a traceback in front of a director
        if os.environ.get("DASH_RAISE") == "1":
            raise
        log.exception("page %s failed", pg.url_path)
        st.error(t("error.unexpected", lang, detail=type(exc).__name__))


main()
