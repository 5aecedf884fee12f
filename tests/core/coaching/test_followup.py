"""Did coaching work? Session status from the flags of the follow-up week, and overdue follow-ups."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import coaching as c

D = dt.date


# ------------------------------------------------------------------------------------------ did coaching work?

@pytest.mark.parametrize("rule_id,follow_up,fired,expected", [
    ("complaints", D(2026, 12, 9), {"2026-W50": set()}, "resolved"),
    ("complaints", D(2026, 12, 9), {"2026-W50": {("E1", "complaints")}}, "persisting"),
    ("complaints", D(2026, 12, 20), {}, "pending"),             # after today
    (None, D(2026, 12, 9), {"2026-W50": set()}, "no_rule"),
    ("complaints", None, {}, "no_follow_up"),
])
def test_follow_up_status(rule_id, follow_up, fired, expected):
    sessions = pd.DataFrame([{"employee_id": "E1", "rule_id": rule_id, "follow_up": follow_up}])
    assert c.follow_up_status(sessions, fired, D(2026, 12, 13)).tolist() == [expected]


@pytest.mark.parametrize("follow_up,outcome,overdue", [
    (D(2026, 12, 10), None, True),
    (D(2026, 12, 10), "有改善", False),
    (D(2026, 12, 13), None, False),       # due today: not overdue yet
    (None, None, False),
])
def test_overdue_sessions(follow_up, outcome, overdue):
    sessions = pd.DataFrame([{"id": 1, "employee_id": "E1", "follow_up": follow_up, "outcome": outcome}])
    assert len(c.overdue_sessions(sessions, D(2026, 12, 13))) == int(overdue)


