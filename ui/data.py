"""Cached loaders: the store's scoped reads wrapped in st.cache_data, keyed by data version and scope.

The cache key includes the database URL, the caller's scope and the data version (which changes on every
import, undo, plan or coaching change), so a user never sees another scope's cached rows nor stale data.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading

import pandas as pd
import streamlit as st

from core import coaching, store
from core.scope import Scope
from core.store import config as store_config
from core.store import logs as store_logs

log = logging.getLogger("dashboard.data")


@st.cache_resource(show_spinner=False)
def engine_for(url: str):
    eng = store.get_engine(url)
    store.init_db(eng)
    return eng


def scope_of(key: tuple) -> Scope:
    """The Scope behind a context's ``scope_key`` (cached functions take the key, which hashes)."""
    role, username, team, employee_id = key
    return Scope(role, username=username, team=team, employee_id=employee_id)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _logs(url: str, scope_key: tuple, version: str, start, end, team, line) -> pd.DataFrame:
    return store_logs.read_logs(engine_for(url), scope_of(scope_key), start=start, end=end, team=team, line=line)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _roster(url: str, scope_key: tuple, version: str, team, line) -> pd.DataFrame:
    return store_logs.read_roster(engine_for(url), scope_of(scope_key), team=team, line=line)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _targets(url: str, scope_key: tuple, version: str, months: tuple, team, line) -> pd.DataFrame:
    return store_logs.read_targets(engine_for(url), scope_of(scope_key), months=list(months) or None, team=team, line=line)


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _overrides(url: str, version: str) -> dict:
    return store_config.calendar_overrides(engine_for(url))


def logs(ctx, start=None, end=None, team: str | None | bool = True, line: str | None | bool = True) -> pd.DataFrame:
    """Daily rows in [start, end] for the context's scope; team/line default to the sidebar filters
    (pass None to ignore a filter, e.g. for branch totals)."""
    team = ctx.team if team is True else team
    line = ctx.line if line is True else line
    return _logs(ctx.db_url, ctx.scope_key, ctx.data_version, start, end, team, line)


def roster(ctx, team: str | None | bool = True, line: str | None | bool = True) -> pd.DataFrame:
    team = ctx.team if team is True else team
    line = ctx.line if line is True else line
    return _roster(ctx.db_url, ctx.scope_key, ctx.data_version, team, line)


def targets(ctx, months=None, team: str | None | bool = True, line: str | None | bool = True) -> pd.DataFrame:
    team = ctx.team if team is True else team
    line = ctx.line if line is True else line
    return _targets(ctx.db_url, ctx.scope_key, ctx.data_version, tuple(months or ()), team, line)


def overrides(url: str, version: str) -> dict:
    return _overrides(url, version)


_prepared: set = set()
_prepared_lock = threading.Lock()


def prepare_coaching(url: str, version: str, week: str, today: dt.date) -> threading.Thread | None:
    """Once per database, data version and week: evaluate the week's coaching in the background
    (:func:`core.coaching.prepare_week`), so that whoever opens 周小结 or 辅导 after an import — a team lead, each
    manager — reads the shared evaluation instead of waiting for it (the 8:30 meeting starts on 晨会). The thread,
    or None when already started (or DASH_PREPARE=0, as in the tests)."""
    if os.environ.get("DASH_PREPARE") == "0":
        return None
    key = (url, version, week, today)
    with _prepared_lock:
        if key in _prepared:
            return None
        if len(_prepared) > 64:
            _prepared.clear()
        _prepared.add(key)

    def run() -> None:
        try:
            coaching.prepare_week(engine_for(url), week, today)
        except Exception:       # the pages evaluate it themselves then; nothing is lost
            log.exception("preparing the coaching of %s failed", week)
    th = threading.Thread(target=run, name=f"prepare-coaching-{week}", daemon=True)
    th.start()
    return th
