"""The director's display link: the 晨会 kiosk for the projector, opened with ``/?display=TOKEN`` and no password.

app.py calls :func:`render` before anything else (no sidebar, no navigation, no sign-in) when the address
carries ``display``. :func:`core.display.open_link` turns the token into the link's read-only Scope; an unknown,
revoked or expired link shows only a message. The kiosk is one fragment that re-runs itself: it re-checks the
link (a revoked screen goes blank at its next refresh), re-reads the data version (new imports appear) and shows
the next slide when rotating (every ``DASH_DISPLAY_ROTATE`` s, default 20; ``?rotate=0`` keeps one slide chosen
by hand) or just refreshes (every ``DASH_DISPLAY_REFRESH`` s, default 180).
"""
from __future__ import annotations

import datetime as dt
import logging
import os

import streamlit as st

from core import calendar as cal
from core import display as core_display
from core import store
from core.i18n import fmt_date, t
from core.routines.morning import MorningModel, morning_page
from core.store import logs as store_logs
from ui import bigscreen
from ui import data as ui_data

log = logging.getLogger("dashboard.display")


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _model(url: str, scope_key: tuple, version: str, day: dt.date, overrides: dict, lang: str) -> MorningModel:
    return morning_page(ui_data.engine_for(url), ui_data.scope_of(scope_key), day, overrides=overrides, lang=lang)


def _meeting_day(engine, scope, overrides: dict) -> dt.date:
    """Today when yesterday's reports are in, else the day after the last logged day (as the 晨会 page)."""
    today = dt.date.today()
    _first, last = store_logs.log_date_range(engine, scope)
    if last is None or last >= cal.previous_workday(today, overrides):
        return today
    return last + dt.timedelta(days=1)


def _every(seconds: float, lang: str) -> str:
    if seconds >= 60:
        return t("display.every_min", lang, n=f"{seconds / 60:g}")
    return t("display.every_sec", lang, n=f"{seconds:g}")


def _closed(lang: str) -> None:
    st.html(f'<div style="margin-top:30vh;text-align:center"><div class="bs-title">'
            f'{t("display.closed_title", lang)}</div><p class="bs-lead">{t("display.closed_body", lang)}</p></div>')


def _kiosk(url: str, link_id: int, label: str, scope_key: tuple, rotate: bool, lang: str) -> None:
    try:
        _slides(url, link_id, label, scope_key, rotate, lang)
    except Exception as exc:  # never a traceback on the projector: a message, and the next refresh tries again
        if os.environ.get("DASH_RAISE") == "1":
            raise
        log.exception("display link %s failed", link_id)
        st.error(t("error.unexpected", lang, detail=type(exc).__name__))


def _slides(url: str, link_id: int, label: str, scope_key: tuple, rotate: bool, lang: str) -> None:
    engine = ui_data.engine_for(url)
    if not core_display.still_open(engine, link_id):
        st.rerun(scope="app")           # the whole run then shows only the message
    scope = ui_data.scope_of(scope_key)
    version = store.data_version(engine)
    overrides = ui_data.overrides(url, version)
    day = _meeting_day(engine, scope, overrides)
    model = _model(url, scope_key, version, day, overrides, lang)
    now = dt.datetime.now().strftime("%H:%M:%S")
    every = bigscreen.ROTATE_SECONDS if rotate else bigscreen.REFRESH_SECONDS
    sub = t("display.updated", lang, time=now, every=_every(every, lang))
    title = t("display.kiosk_title", lang, label=label) + " · " + fmt_date(day, lang)
    if model.state != "ok":
        bigscreen.header(title, sub)
        st.html(f'<p class="bs-lead">{t("app.no_data", lang)}</p>')
        return
    if rotate:
        i = bigscreen.slide_at(bigscreen.ROTATE_SECONDS)
        slide = bigscreen.SLIDES[i]
        sub = f"{bigscreen.slide_title(slide, lang)} · {t('display.slide_of', lang, n=i + 1, total=len(bigscreen.SLIDES))} · {sub}"
        bigscreen.header(title, sub)
    else:
        bigscreen.header(title, sub)
        slide = st.segmented_control(t("display.slide_pick", lang), bigscreen.SLIDES, default=bigscreen.SLIDES[0],
                                     format_func=lambda s_: bigscreen.slide_title(s_, lang), key="kiosk_slide",
                                     label_visibility="collapsed", required=True) or bigscreen.SLIDES[0]
    bigscreen.draw(model, slide, lang)


def render(engine, url: str, token: str, lang: str) -> None:
    """The whole kiosk run: the slides of a valid link, or only the message."""
    bigscreen.apply(True)
    opened = core_display.open_link(engine, token)
    if opened is None:
        _closed(lang)
        return
    rotate = st.query_params.get("rotate", "1") != "0"
    scope = opened.scope
    key = (scope.role, scope.username, scope.team, scope.employee_id)
    every = bigscreen.ROTATE_SECONDS if rotate else bigscreen.REFRESH_SECONDS
    st.fragment(_kiosk, run_every=every)(url, opened.link_id, opened.label, key, rotate, lang)
