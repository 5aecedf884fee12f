"""The ``bank`` fixture: a fresh database with the test roster, daily logs and targets (tests/core/commission/data.py)."""
from __future__ import annotations

import pytest

from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.core.commission.data import DAILY, ROSTER, TARGETS


@pytest.fixture
def bank(engine):
    store_logs.apply_roster(engine, SYSTEM, ROSTER, "roster.xlsx", "r" * 64)
    store_logs.apply_daily(engine, SYSTEM, DAILY, "daily.xlsx", "d" * 64)
    store_logs.apply_targets(engine, SYSTEM, TARGETS, "targets.xlsx", "t" * 64)
    return engine
