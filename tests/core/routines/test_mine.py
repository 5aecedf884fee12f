"""core/routines/mine.py (a manager's own page: what to work on, his sentences) and the copyable reminders."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.routines import mine
from core.routines.morning import reminder_text
from core.routines.peers import Standing
from core.routines.weekly import _missing

ROWS = pd.DataFrame({
    "metric": ["visits", "credit_cards", "deposits_new"],
    "status": ["ahead", "behind", "behind"],
    "pace_ratio": [1.2, 0.59, 0.66],
    # credit cards: 15 left over 6 days = 2.5 a day → 3 cards (counts round up); deposits 1,713 / 6 = 285.50
    "daily_needed": [np.nan, 2.5, 285.5], "remaining": [0.0, 15.0, 1713.0], "workdays_left": [6, 6, 6],
    "gap": [11.0, -7.57, -790.14], "attainment": [0.9, 0.42, 0.47],
})


class _Flag:
    def __init__(self, focus, reason):
        self._f, self._r = focus, reason

    def focus_topic(self, lang):
        return self._f

    def reason(self, lang):
        return self._r


@pytest.mark.parametrize("rows, flags, lang, want", [
    (ROWS, [], "en", ["Credit cards: 3 cards a working day for the 6 working days left",
                      "New deposits: 285.50 (CNY 10k) a working day for the 6 working days left"]),
    (ROWS, [_Flag("需求挖掘", "拜访 30 户,新增 0 户"), _Flag("需求挖掘", "again")], "zh",
     ["需求挖掘:拜访 30 户,新增 0 户", "信用卡:剩余 6 个工作日,每个工作日需完成 3 张",
      "新增存款:剩余 6 个工作日,每个工作日需完成 285.50 万元"]),      # one line per coaching topic
    (ROWS.assign(workdays_left=0), [], "en", ["Credit cards: 15 cards short of the month's target",
                                              "New deposits: 1,713.00 (CNY 10k) short of the month's target"]),
    (ROWS.iloc[:1], [], "en", ["Nothing is behind pace: keep it up."]),
])
def test_work_on(rows, flags, lang, want):
    assert mine.work_on(rows, flags, lang) == want


def test_points_praise_first_then_behind_then_missing_log():
    st = Standing(score=0.479, team_rank=8, team_n=8, branch_rank=31, branch_n=32)
    pts = mine.points(ROWS, st, "en", {"visits": 1, "new_customers": 1}, False, dt.date(2026, 11, 20))
    assert pts[0] == "Visits ahead of pace by 11 visits (90.0% of the target)."
    assert pts[1] == "Composite score this month 47.9%: no. 8 of 8 in the team, no. 31 of 32 in the branch."
    assert pts[2].startswith("Credit cards behind pace by 8 cards with 6 working days left: 3 cards a day")
    assert pts[-1] == "Your daily report for 2026-11-20 is missing: please log it."
    logged = mine.points(ROWS, st, "en", {"visits": 1, "new_customers": 1}, True, dt.date(2026, 11, 20))
    assert "Yesterday: 1 visit, 1 customer won." in logged                 # singular, not "1 visits"


@pytest.mark.parametrize("missing, lang, want", [
    ([], "zh", ""),
    (["张伟"], "zh", "【日报提醒】2026年11月20日的日报还差 1 人未提交:张伟。请今天上午补报,谢谢!"),
    (["张伟", "李娜"], "en", "[Daily report reminder] 2 of us have not logged 2026-11-20 yet: 张伟, 李娜. "
                            "Please log it this morning, thank you!"),
    (["张伟"], "en", "[Daily report reminder] 1 of us has not logged 2026-11-20 yet: 张伟. "   # not "1 … have"
                   "Please log it this morning, thank you!"),
])
def test_morning_reminder(missing, lang, want):
    assert reminder_text(missing, dt.date(2026, 11, 20), lang) == want


def test_week_missing_counts_working_days_up_to_as_of():
    days = pd.date_range("2026-11-16", periods=7)
    heat = pd.DataFrame({"employee_id": ["E1"] * 7 + ["E2"] * 7, "name": ["张伟"] * 7 + ["李娜"] * 7,
                         "date": list(days) * 2, "is_workday": [True] * 5 + [False] * 2 + [True] * 5 + [False] * 2,
                         "logged": [True, False, False, True, False, False, False] + [True] * 3 + [False] * 4})
    # as of Thu 11-19: 张伟 missed Tue and Wed (Fri is not due yet), 李娜 missed Thu
    assert _missing(heat, dt.date(2026, 11, 19)) == [("张伟", 2), ("李娜", 1)]
    assert _missing(heat.assign(logged=True), dt.date(2026, 11, 19)) == []
