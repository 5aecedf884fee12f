"""客户经理画像 (core/routines/profile.py) on SQLite and PostgreSQL: month to date against target and the straight pace
line worked out by hand, what each remaining working day needs, the weekly series and its target share, his days
with their notes, his flags and coaching log only, his statement as core.commission computes it; the scope check.

The bank (November 2026: 21 working days, no holidays; as of Fri 11-06 = 5 working days gone, 16 left):
    team A: E1 (mentor E2, started 2024-05-10), E2, E3;  team B: E4
    E1 logs Mon 11-02 visits 4 / deposits_new 100 (note "拜访甲公司"), Tue 11-03 visits 6 / 0, Wed 11-04 visits 5 / 50;
       nothing on Thu 11-05 and Fri 11-06. Targets (November): visits 42, deposits_new 2,100 (万元).
    E2, E3, E4 log 3 visits every working day 11-02..11-06.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import coaching, commission
from core.errors import ScopeError
from core.i18n import t
from core.routines import profile_page
from core.routines.profile import profile_choices
from core.schema import METRICS
from core.scope import SYSTEM, Scope
from core.store import logs as sl

AS_OF = dt.date(2026, 11, 6)
MONTH = "2026-11"
NAMES = {"E1": "张伟", "E2": "李娜", "E3": "王芳", "E4": "赵强"}
E1_DAYS = {dt.date(2026, 11, 2): (4, 100.0, "拜访甲公司"), dt.date(2026, 11, 3): (6, 0.0, ""),
           dt.date(2026, 11, 4): (5, 50.0, "")}
ME = Scope("manager", username="e1", employee_id="E1")
LEAD_A = Scope("team_lead", username="la", team="A")
LEAD_B = Scope("team_lead", username="lb", team="B")


def _row(e, d, visits, deposits=0.0, note=""):
    r = {m: 0.0 for m in METRICS}
    r.update(employee_id=e, date=d, visits=float(visits), deposits_new=deposits, deposit_balance=np.nan, notes=note)
    return r


@pytest.fixture
def bank(engine):
    roster = pd.DataFrame([{"employee_id": e, "name": n, "team": "B" if e == "E4" else "A", "line": "corporate",
                            "grade": "高级客户经理" if e == "E1" else "客户经理",
                            "start_date": pd.Timestamp("2024-05-10" if e == "E1" else "2019-03-01"),
                            "mentor_id": "E2" if e == "E1" else None, "active": True} for e, n in NAMES.items()])
    sl.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r" * 64)
    rows = [_row("E1", d, v, dep, note) for d, (v, dep, note) in E1_DAYS.items()]
    rows += [_row(e, dt.date(2026, 11, 2) + dt.timedelta(days=k), 3) for e in ("E2", "E3", "E4") for k in range(5)]
    sl.apply_daily(engine, SYSTEM, pd.DataFrame(rows), "daily.xlsx", "d" * 64)
    tg = pd.DataFrame([{"month": MONTH, "employee_id": "E1", "metric": "visits", "value": 42.0},
                       {"month": MONTH, "employee_id": "E1", "metric": "deposits_new", "value": 2100.0}])
    sl.apply_targets(engine, SYSTEM, tg, "targets.xlsx", "t" * 64)
    coaching.add_session(engine, SYSTEM, date=dt.date(2026, 11, 3), coach="李队长", employee_id="E1",
                         topic="需求挖掘")
    coaching.add_session(engine, SYSTEM, date=dt.date(2026, 11, 3), coach="李队长", employee_id="E3", topic="拜访计划")
    return engine


def _page(engine, scope=ME, eid="E1", lang="zh"):
    return profile_page(engine, scope, eid, MONTH, lang, overrides={}, as_of=AS_OF, today=AS_OF)


def test_month_against_target_and_pace(bank):
    m = _page(bank)
    assert m.workdays == {"total": 21, "elapsed": 5, "left": 16}
    assert m.time_elapsed == pytest.approx(5 / 21)
    p = m.progress.set_index("metric")
    # visits: 4 + 6 + 5 = 15 against 42; expected 42 × 5/21 = 10; gap +5; 15/42 done; 1.5 × pace → ahead;
    # 27 left over 16 working days = 1.6875 a day
    v = p.loc["visits"]
    assert (v["actual"], v["target"], v["expected"], v["gap"]) == pytest.approx((15, 42, 10, 5))
    assert (v["attainment"], v["pace_ratio"], v["daily_needed"]) == pytest.approx((15 / 42, 1.5, 27 / 16))
    assert v["status"] == "ahead"
    # deposits: 100 + 0 + 50 = 150 against 2,100; expected 500; gap −350; 0.3 × pace → behind; 1,950 / 16 = 121.875
    d = p.loc["deposits_new"]
    assert (d["actual"], d["target"], d["expected"], d["gap"]) == pytest.approx((150, 2100, 500, -350))
    assert (d["pace_ratio"], d["remaining"], d["daily_needed"]) == pytest.approx((0.3, 1950, 121.875))
    assert d["status"] == "behind"
    assert np.isnan(p.loc["credit_cards", "target"]) and p.loc["credit_cards", "status"] is None
    assert m.on_pace == (1, 2)
    # what to work on: the flags' topics first, then the deposits' daily need (counts up, amounts as they are)
    assert any("121.88 万元" in line for line in m.work_on)


def test_weekly_series_and_target_share(bank):
    m = _page(bank)
    w = m.weekly_for("visits").set_index("week")
    assert len(w) == 13 and w.index[-1] == "2026-W45" and w.index[0] == "2026-W33"
    # W45 (11-02..11-08) cut at Fri 11-06: 15 visits against 42 × 5/21 = 10 → 150%
    assert (w.loc["2026-W45", "value"], w.loc["2026-W45", "week_target"]) == pytest.approx((15, 10))
    assert w.loc["2026-W45", "attainment"] == pytest.approx(1.5)
    # W44 (10-26..11-01): nothing logged, no October target
    assert w.loc["2026-W44", "value"] == 0 and np.isnan(w.loc["2026-W44", "week_target"])


def test_days_with_notes_and_missing_days(bank):
    m = _page(bank)
    d = m.days
    assert list(d["date"]) == [dt.date(2026, 11, k) for k in (6, 5, 4, 3, 2)]       # newest first
    assert list(d["logged"]) == [False, False, True, True, True]
    assert (m.logged_days, m.missing_days) == (3, 2)
    assert d.set_index("date").loc[dt.date(2026, 11, 2), "notes"] == "拜访甲公司"
    assert d.set_index("date").loc[dt.date(2026, 11, 2), "deposits_new"] == 100


def test_who_flags_log_and_statement(bank):
    m = _page(bank, lang="en")
    w = m.who
    assert (w.name, w.team, w.grade_label, w.mentor_id, w.mentor_name) == ("张伟", "A", "Senior manager", "E2", "李娜")
    assert w.start_date == dt.date(2024, 5, 10) and w.tenure_months == 29      # 2024-05-10 → 2026-10-10, not yet 11-10
    # two working days of W45 without a report → the missing_logs flag; only his flags
    assert "missing_logs" in {f.rule_id for f in m.flags}
    assert {f.employee_id for f in m.flags} == {"E1"}
    assert list(m.sessions["employee_id"]) == ["E1"] and list(m.sessions["topic"]) == ["需求挖掘"]
    _pif, period = commission.period_in_force(bank, MONTH)
    stmt = commission.statement(bank, ME, "E1", period)
    assert m.statement.payable == stmt.payable and len(m.statement.lines) == len(stmt.lines)
    assert m.statement.lines.set_index("metric").loc["deposits_new", "quantity"] == 150


@pytest.mark.parametrize("scope, eid, allowed", [
    (ME, "E1", True), (ME, "E2", False), (ME, "E4", False), (ME, "NOPE", False),
    (LEAD_A, "E3", True), (LEAD_A, "E4", False), (LEAD_B, "E1", False), (LEAD_B, "E4", True),
    (SYSTEM, "E4", True), (SYSTEM, "NOPE", False),
])
def test_scope(bank, scope, eid, allowed):
    if allowed:
        assert _page(bank, scope, eid).who.employee_id == eid
        return
    with pytest.raises(ScopeError) as exc:
        _page(bank, scope, eid)
    assert exc.value.message("zh") == t("profile.not_visible", "zh", employee_id=eid)
    assert "E1" in t("profile.not_visible", "en", employee_id="E1")


@pytest.mark.parametrize("scope, ids", [(ME, ["E1"]), (LEAD_A, ["E1", "E2", "E3"]), (LEAD_B, ["E4"]),
                                        (SYSTEM, ["E1", "E2", "E3", "E4"])])
def test_choices_follow_the_scope(bank, scope, ids):
    assert list(profile_choices(bank, scope)["employee_id"]) == ids
