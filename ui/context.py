"""The page context: who is signed in, the language and the shared filters, set up once per run by app.py.

Pages call :func:`get_context` and never read filters or session state themselves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from typing import Any

import streamlit as st

from core import calendar as cal
from core.i18n import t as _t
from core.scope import Scope

_KEY = "_page_context"


@dataclass
class PageContext:
    engine: Any                   # the sqlalchemy Engine from core.store.get_engine (pages never use it for SQL)
    scope: Scope
    lang: str
    today: dt.date
    day: dt.date                  # the morning meeting's date ("yesterday" = the working day before it)
    week: str                     # ISO week, e.g. 2026-W47
    month: str                    # YYYY-MM
    team: str | None = None       # None = all teams the scope can see
    line: str | None = None       # corporate | retail | None
    big_screen: bool = False
    overrides: dict = field(default_factory=dict)
    data_version: str = ""
    db_url: str = ""
    display_name: str = ""
    demo: bool = False
    data_end: dt.date | None = None   # last logged day in the caller's scope (None: no data)

    def month_as_of(self, month: str | None = None) -> dt.date:
        """The day a month's figures run to: its last day, today, or the last logged day, whichever is first
        (on Monday morning the month runs to Friday's reports, not to today)."""
        first, last = cal.month_bounds(month or self.month)
        as_of = min(last, self.today)
        if self.data_end is not None and first <= self.data_end < as_of:
            as_of = self.data_end
        return as_of

    def t(self, key: str, **params) -> str:
        return _t(key, self.lang, **params)

    @property
    def week_bounds(self) -> tuple[dt.date, dt.date]:
        return cal.week_bounds(self.week)

    @property
    def month_bounds(self) -> tuple[dt.date, dt.date]:
        return cal.month_bounds(self.month)

    @property
    def scope_key(self) -> tuple:
        """A hashable form of the scope, for cache keys."""
        s = self.scope
        return (s.role, s.username, s.team, s.employee_id)


def set_context(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def get_context() -> PageContext:
    ctx = st.session_state.get(_KEY)
    if ctx is None:  # a page run without app.py (should not happen with st.navigation)
        st.error("Open the dashboard through app.py.")
        st.stop()
    return ctx
