"""Coaching sessions, flag acknowledgements, the rules setting and the scoped services, on SQLite and PostgreSQL.

Roster: team A = E1, E2, E3 (a peer group of 3), team B = F1 alone (compared with the whole branch).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import calendar as cal
from core import coaching as c
from core.schema import METRICS
from core.scope import SYSTEM, Scope, ScopeError
from core.store import audit, config
from core.store import coaching as sc
from core.store.logs import StoreError, apply_daily, apply_roster, apply_targets

D = dt.date
DIRECTOR = Scope("director", username="boss")
LEAD_A = Scope("team_lead", username="lead_a", team="A")
LEAD_B = Scope("team_lead", username="lead_b", team="B")
MGR_E1 = Scope("manager", username="e1", employee_id="E1")
MGR_E2 = Scope("manager", username="e2", employee_id="E2")


def _roster() -> pd.DataFrame:
    rows = [("E1", "甲", "A"), ("E2", "乙", "A"), ("E3", "丙", "A"), ("F1", "丁", "B")]
    return pd.DataFrame([{"employee_id": e, "name": n, "team": tm, "line": "retail", "grade": "客户经理",
                          "start_date": pd.Timestamp("2024-01-01"), "mentor_id": "E2" if e != "E2" else "E1",
                          "active": True} for e, n, tm in rows])


@pytest.fixture
def bank(engine):
    apply_roster(engine, SYSTEM, _roster(), "roster.xlsx", "r")
    return engine


def _load_logs(engine, low_visits: dict[str, float] | None = None, complaints: dict | None = None) -> None:
    """Steady logs 31 Aug – 13 Dec 2026 (4 visits a day); `low_visits` from 30 Nov; complaints {(eid, date): n}."""
    rows = []
    for d in cal.workdays(D(2026, 8, 31), D(2026, 12, 13)):
        for eid in ("E1", "E2", "E3", "F1"):
            row = {m: 0.0 for m in METRICS}
            v = (low_visits or {}).get(eid) if d >= D(2026, 11, 30) else None
            row.update(employee_id=eid, date=d, visits=v if v is not None else 4.0, new_customers=1.0,
                       deposits_new=10.0, deposit_balance=1000.0, notes="走访",
                       complaints=float((complaints or {}).get((eid, d), 0)))
            rows.append(row)
    apply_daily(engine, SYSTEM, pd.DataFrame(rows), "logs.xlsx", "l")
    tg = [{"month": m, "employee_id": e, "metric": "new_customers", "value": 1.0 * len(cal.month_workdays(m))}
          for m in ("2026-11", "2026-12") for e in ("E1", "E2", "E3", "F1")]
    apply_targets(engine, SYSTEM, pd.DataFrame(tg), "targets.xlsx", "t")


# ------------------------------------------------------------------------------------------ sessions

@pytest.mark.parametrize("scope,employee_id,error", [
    (DIRECTOR, "E1", None),
    (DIRECTOR, "F1", None),
    (LEAD_A, "E1", None),
    (LEAD_A, "F1", ScopeError),        # another team
    (MGR_E1, "E1", ScopeError),        # a manager cannot write, not even for himself
    (DIRECTOR, "X9", StoreError),      # not on the roster
])
def test_add_session_scope(bank, scope, employee_id, error):
    kw = dict(date=D(2026, 12, 7), coach="王队长", employee_id=employee_id, topic="拜访计划", rule_id="low_activity",
              actions="每天拜访 5 户", follow_up=D(2026, 12, 14))
    if error:
        with pytest.raises(error):
            sc.add_session(bank, scope, **kw)
        assert sc.read_sessions(bank, DIRECTOR).empty
        return
    sid = sc.add_session(bank, scope, **kw)
    df = sc.read_sessions(bank, DIRECTOR)
    assert df[["id", "employee_id", "topic", "rule_id", "follow_up", "created_by"]].to_dict("records") == [
        {"id": sid, "employee_id": employee_id, "topic": "拜访计划", "rule_id": "low_activity",
         "follow_up": D(2026, 12, 14), "created_by": scope.username}]
    log = audit.read_audit(bank, DIRECTOR, action="coaching_session")
    assert log["target"].tolist() == [employee_id] and log["username"].tolist() == [scope.username]


@pytest.mark.parametrize("change,message", [
    ({"topic": "  "}, "A topic is required"),
    ({"coach": ""}, "A coach is required"),
    ({"follow_up": D(2026, 12, 1)}, "cannot be before"),
    ({"rule_id": "lazy"}, "unknown rule id lazy"),
    ({"topic": "话" * 201}, "too long"),
])
def test_add_session_validation(bank, change, message):
    kw = dict(date=D(2026, 12, 7), coach="王队长", employee_id="E1", topic="拜访计划", follow_up=D(2026, 12, 14))
    kw.update(change)
    with pytest.raises(StoreError) as exc:
        sc.add_session(bank, DIRECTOR, **kw)
    assert message in exc.value.en and exc.value.zh
    assert sc.read_sessions(bank, DIRECTOR).empty


@pytest.mark.parametrize("scope,visible", [
    (DIRECTOR, ["E1", "E2", "F1"]),
    (LEAD_A, ["E1", "E2"]),
    (LEAD_B, ["F1"]),
    (MGR_E1, ["E1"]),
    (MGR_E2, ["E2"]),
])
def test_read_sessions_scope(bank, scope, visible):
    for i, eid in enumerate(("E1", "E2", "F1")):
        sc.add_session(bank, DIRECTOR, date=D(2026, 12, 1 + i), coach="总监", employee_id=eid, topic="t")
    assert sorted(sc.read_sessions(bank, scope)["employee_id"]) == visible


def test_read_sessions_filters(bank):
    for i, eid in enumerate(("E1", "E2", "F1")):
        sc.add_session(bank, DIRECTOR, date=D(2026, 12, 1 + i), coach="总监", employee_id=eid, topic="t")
    assert sc.read_sessions(bank, DIRECTOR, team="A")["employee_id"].tolist() == ["E2", "E1"]   # newest first
    assert sc.read_sessions(bank, DIRECTOR, start=D(2026, 12, 2), end=D(2026, 12, 2))["employee_id"].tolist() == ["E2"]
    assert sc.read_sessions(bank, DIRECTOR, employee_id="F1")["manager_name"].tolist() == ["丁"]


def test_record_outcome_and_delete(bank):
    sid = sc.add_session(bank, LEAD_A, date=D(2026, 12, 7), coach="王队长", employee_id="E1", topic="t",
                         follow_up=D(2026, 12, 14))
    with pytest.raises(ScopeError):
        sc.record_outcome(bank, MGR_E1, sid, "自评:有改善")
    with pytest.raises(ScopeError):
        sc.record_outcome(bank, LEAD_B, sid, "x")
    sc.record_outcome(bank, LEAD_A, sid, "拜访量已恢复", follow_up=D(2026, 12, 21))
    row = sc.read_sessions(bank, DIRECTOR).iloc[0]
    assert (row["outcome"], row["follow_up"]) == ("拜访量已恢复", D(2026, 12, 21))
    with pytest.raises(StoreError):
        sc.record_outcome(bank, LEAD_A, sid, "x", follow_up=D(2026, 12, 1))
    with pytest.raises(StoreError):
        sc.record_outcome(bank, LEAD_A, 999, "x")
    sc.delete_session(bank, LEAD_A, sid)
    assert sc.read_sessions(bank, DIRECTOR).empty
    assert audit.read_audit(bank, DIRECTOR)["action"].tolist()[:3] == [
        "coaching_session_delete", "coaching_outcome", "coaching_session"]


# ------------------------------------------------------------------------------------------ acks

@pytest.mark.parametrize("week,until,read_week,shown", [
    ("2026-W48", "2026-W50", "2026-W50", True),
    ("2026-W48", "2026-W50", "2026-W51", False),
    ("2026-W50", None, "2026-W50", True),
    ("2026-W50", None, "2026-W49", False),
])
def test_ack_covers_weeks(bank, week, until, read_week, shown):
    sc.ack_flag(bank, LEAD_A, "E1", "complaints", week, "客户误解,已澄清", until_week=until)
    assert len(sc.read_acks(bank, DIRECTOR, week=read_week)) == int(shown)


@pytest.mark.parametrize("scope,employee_id,kw,error", [
    (MGR_E1, "E1", {}, ScopeError),
    (LEAD_A, "F1", {}, ScopeError),
    (LEAD_A, "E1", {"note": " "}, StoreError),
    (LEAD_A, "E1", {"rule_id": "lazy"}, StoreError),
    (LEAD_A, "E1", {"until_week": "2026-W49"}, StoreError),   # before the week
    (LEAD_A, "E1", {"week": "2026-13"}, StoreError),
])
def test_ack_refused(bank, scope, employee_id, kw, error):
    args = {"rule_id": "complaints", "week": "2026-W50", "note": "已知", "until_week": "2026-W52", **kw}
    with pytest.raises(error):
        sc.ack_flag(bank, scope, employee_id, args["rule_id"], args["week"], args["note"], args["until_week"])
    assert sc.read_acks(bank, DIRECTOR).empty


def test_acks_scoped_and_removable(bank):
    a1 = sc.ack_flag(bank, LEAD_A, "E1", "complaints", "2026-W50", "已知")
    sc.ack_flag(bank, DIRECTOR, "F1", "low_activity", "2026-W50", "休假")
    assert sc.read_acks(bank, LEAD_A)["employee_id"].tolist() == ["E1"]
    assert sc.read_acks(bank, MGR_E2).empty
    assert sc.read_acks(bank, MGR_E1)["note"].tolist() == ["已知"]
    with pytest.raises(ScopeError):
        sc.remove_ack(bank, LEAD_B, a1)
    sc.remove_ack(bank, LEAD_A, a1)
    assert sc.read_acks(bank, DIRECTOR)["employee_id"].tolist() == ["F1"]
    with pytest.raises(StoreError):
        sc.remove_ack(bank, LEAD_A, a1)


# ------------------------------------------------------------------------------------------ rules setting

def test_rules_setting(bank):
    assert c.active_rules(bank) == c.Rules.default()
    assert c.active_rules_text(bank) == c.default_rules_text()
    with pytest.raises(ScopeError):
        sc.save_rules(bank, LEAD_A, "rules:\n  complaints:\n    enabled: false\n")
    with pytest.raises(c.RulesError):
        sc.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    enabled: maybe\n")
    assert config.get_setting(bank, c.SETTING_KEY) is None
    sc.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    enabled: false\n")
    assert not c.active_rules(bank).enabled("complaints")
    assert audit.read_audit(bank, DIRECTOR, action="setting")["target"].tolist() == [c.SETTING_KEY]
    sc.reset_rules(bank, DIRECTOR)
    assert c.active_rules(bank) == c.Rules.default()


# ------------------------------------------------------------------------------------------ scoped services

@pytest.mark.parametrize("scope,team,expected", [
    (DIRECTOR, None, {("E1", "complaints"), ("F1", "low_activity")}),
    (DIRECTOR, "A", {("E1", "complaints")}),
    (LEAD_A, None, {("E1", "complaints")}),
    # Lead B sees only F1, but F1's peer median is the whole branch's (read inside core): median of
    # [20, 20, 20, 10] = 20 → 10 < 12 fires.
    (LEAD_B, None, {("F1", "low_activity")}),
    (MGR_E1, None, {("E1", "complaints")}),
    (MGR_E2, None, set()),
])
def test_flags_for_week_scope(bank, scope, team, expected):
    _load_logs(bank, low_visits={"F1": 2.0}, complaints={("E1", D(2026, 12, 8)): 1})
    flags = c.flags_for_week(bank, scope, "2026-W50", team=team, as_of=D(2026, 12, 13))
    assert {f.key for f in flags if f.active} == expected
    if ("F1", "low_activity") in expected:
        f = next(f for f in flags if f.key == ("F1", "low_activity"))
        assert (f.evidence["visits"], f.evidence["peer_median"]) == (10.0, 20.0)


def test_flags_for_week_applies_acks_and_stored_rules(bank):
    _load_logs(bank, complaints={("E1", D(2026, 12, 8)): 1})
    sc.ack_flag(bank, LEAD_A, "E1", "complaints", "2026-W50", "客户误解", until_week="2026-W51")
    [f] = c.flags_for_week(bank, LEAD_A, "2026-W50", as_of=D(2026, 12, 13))
    assert (f.acknowledged, f.ack_note, f.ack_until) == (True, "客户误解", "2026-W51")
    sc.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    min_count: 2\n    high_count: 3\n")
    assert c.flags_for_week(bank, LEAD_A, "2026-W50", as_of=D(2026, 12, 13)) == []


def test_review_for_week(bank):
    _load_logs(bank, low_visits={"F1": 2.0, "E2": 6.0})
    review = c.review_for_week(bank, DIRECTOR, "2026-W50", as_of=D(2026, 12, 13), chart_weeks=2)
    assert [f.key for f in review.active] == [("F1", "low_activity")]
    s = review.series[("F1", "low_activity")]
    assert s[s["series"] == "manager"]["value"].tolist() == [10.0, 10.0]
    # E2 logs 30 visits in W49 and in W50 (1.5× the team median both weeks), F1 10 both weeks: nobody improved.
    assert review.improved.empty
    lead = c.review_for_week(bank, LEAD_A, "2026-W50", as_of=D(2026, 12, 13))
    assert lead.flags == [] and set(lead.series) == set()


@pytest.mark.parametrize("complaint_days,today,expected", [
    ([D(2026, 12, 8)], D(2026, 12, 13), "resolved"),                       # W49 complaint, none in W50
    ([D(2026, 12, 8), D(2026, 12, 10)], D(2026, 12, 13), "persisting"),    # still one in W50
    ([D(2026, 12, 8)], D(2026, 12, 9), "pending"),                         # follow-up 10 Dec not reached
])
def test_session_review_did_coaching_work(bank, complaint_days, today, expected):
    # Complaint on Tue 1 Dec (W49) → session on 2 Dec with follow-up Thu 10 Dec (W50).
    days = [D(2026, 12, 1)] + complaint_days[1:]
    _load_logs(bank, complaints={("E1", d): 1 for d in days})
    sc.add_session(bank, LEAD_A, date=D(2026, 12, 2), coach="王队长", employee_id="E1", topic="服务规范",
                   rule_id="complaints", follow_up=D(2026, 12, 10))
    df = c.session_review(bank, LEAD_A, today)
    assert df["status"].tolist() == [expected]
    assert df["overdue"].tolist() == [today > D(2026, 12, 10)]
