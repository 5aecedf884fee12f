"""One set of reads for the weeks of "did coaching work?" (core/coaching/shared.py): each week judged on the
shared reads gives what it gives on reads of its own, and a balance read serves every later lookback exactly.

Bank (db_bank): E1, E2, E3 (team A) and F1 (team B) log every working day 31 Aug – 13 Dec 2026, balance 1000
万元; F1 2 visits a day from 30 Nov, complaints planted below.
"""
from __future__ import annotations

import datetime as dt

from core import calendar as cal
from core import coaching
from core.coaching import service
from core.coaching.engine import evaluate_keys
from core.scope import internal
from core.store import coaching_reads as reads
from core.store import config as store_config
from core.store import logs as store_logs
from tests.core.coaching.db_bank import DIRECTOR, _load_logs, seed

D = dt.date
EVERYONE = internal("test")


def _own_reads(engine, weeks, today):
    """fired_by_week the way it was before the shared reads: one Inputs with reads of its own per week."""
    rules = coaching.active_rules(engine)
    roster = store_logs.read_roster(engine, EVERYONE)
    ovr = store_config.calendar_overrides(engine)
    out = {}
    for wk in weeks:
        monday, sunday = cal.week_bounds(wk)
        horizon = min(sunday, today)
        out[wk] = evaluate_keys(service._inputs(engine, rules, ovr, roster, monday, horizon, 0, chart_weeks=0),
                                monday, horizon)
    return out


def test_fired_by_week_on_shared_reads_equals_reads_of_its_own(engine):
    seed(engine)
    _load_logs(engine, low_visits={"F1": 2.0}, complaints={("E1", D(2026, 11, 3)): 2, ("E3", D(2026, 12, 1)): 1})
    today = D(2026, 12, 9)                   # the last week is still running: cut at today
    weeks = [f"2026-W{w}" for w in range(40, 51)]
    got = coaching.fired_by_week(engine, weeks, today)
    want = _own_reads(engine, weeks, today)
    assert got == want
    # The planted patterns are there (the comparison is not between two empty results).
    assert ("E1", "complaints") in got["2026-W45"] and ("E3", "complaints") in got["2026-W49"]
    assert any(rid == "low_activity" and eid == "F1" for eid, rid in got["2026-W50"])


def test_balance_read_serves_a_later_lookback(engine):
    seed(engine)
    _load_logs(engine)
    # 1 Nov 2026 is a Sunday: nothing logged that day, so its balance is the one carried in from Fri 30 Oct.
    parts = reads.balance_parts(engine, DIRECTOR, D(2026, 11, 1), D(2026, 11, 1), D(2026, 11, 1), D(2026, 10, 1))
    assert parts.loc["F1", "carried_date"].date() == D(2026, 10, 30)
    for lookback in (D(2026, 10, 1), D(2026, 10, 30), D(2026, 10, 31)):
        own = reads.balance_bounds(engine, DIRECTOR, D(2026, 11, 1), D(2026, 11, 1), D(2026, 11, 1), lookback)
        assert reads.bounds_of(parts, lookback).equals(own)
    # From 31 Oct on nothing is carried in: no bound at all.
    assert reads.bounds_of(parts, D(2026, 10, 31)).empty
    assert reads.bounds_of(parts, D(2026, 10, 30)).loc["F1"].tolist() == [1000.0, 1000.0]
