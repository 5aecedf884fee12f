"""Coaching sessions and flag acknowledgements: values checked by core.coaching.sessions, who may write checked
by the store with the caller's scope (a director: anyone; a team lead: his team; a manager: nobody)."""
from __future__ import annotations

import datetime as dt

import pytest

from core import coaching as c
from core.errors import AppError, ScopeError
from core.store import audit
from core.store import coaching as sc
from tests.core.coaching.db_bank import DIRECTOR, LEAD_A, LEAD_B, MGR_E1, MGR_E2

D = dt.date


# ------------------------------------------------------------------------------------------ sessions

@pytest.mark.parametrize("scope,employee_id,error", [
    (DIRECTOR, "E1", None),
    (DIRECTOR, "F1", None),
    (LEAD_A, "E1", None),
    (LEAD_A, "F1", "scope.manager_outside"),             # another team (a refusal: ScopeError)
    (MGR_E1, "E1", "coaching.err.manager_read_only"),    # a manager cannot write, not even for himself
    (DIRECTOR, "X9", "coaching.err.not_on_roster"),      # not on the roster (not a refusal)
])
def test_add_session_scope(bank, scope, employee_id, error):
    kw = dict(date=D(2026, 12, 7), coach="王队长", employee_id=employee_id, topic="拜访计划", rule_id="low_activity",
              actions="每天拜访 5 户", follow_up=D(2026, 12, 14))
    if error:
        with pytest.raises(AppError) as exc:
            c.add_session(bank, scope, **kw)
        assert exc.value.key == error
        assert isinstance(exc.value, ScopeError) == (error != "coaching.err.not_on_roster")
        assert sc.read_sessions(bank, DIRECTOR).empty
        return
    sid = c.add_session(bank, scope, **kw)
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
    with pytest.raises(AppError) as exc:
        c.add_session(bank, DIRECTOR, **kw)
    assert message in exc.value.message("en") and exc.value.message("zh")
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
        c.add_session(bank, DIRECTOR, date=D(2026, 12, 1 + i), coach="总监", employee_id=eid, topic="t")
    assert sorted(sc.read_sessions(bank, scope)["employee_id"]) == visible


def test_read_sessions_filters(bank):
    for i, eid in enumerate(("E1", "E2", "F1")):
        c.add_session(bank, DIRECTOR, date=D(2026, 12, 1 + i), coach="总监", employee_id=eid, topic="t")
    assert sc.read_sessions(bank, DIRECTOR, team="A")["employee_id"].tolist() == ["E2", "E1"]   # newest first
    assert sc.read_sessions(bank, DIRECTOR, start=D(2026, 12, 2), end=D(2026, 12, 2))["employee_id"].tolist() == ["E2"]
    assert sc.read_sessions(bank, DIRECTOR, employee_id="F1")["manager_name"].tolist() == ["丁"]


def test_record_outcome_and_delete(bank):
    sid = c.add_session(bank, LEAD_A, date=D(2026, 12, 7), coach="王队长", employee_id="E1", topic="t",
                         follow_up=D(2026, 12, 14))
    with pytest.raises(ScopeError):
        c.record_outcome(bank, MGR_E1, sid, "自评:有改善")
    with pytest.raises(ScopeError):
        c.record_outcome(bank, LEAD_B, sid, "x")
    c.record_outcome(bank, LEAD_A, sid, "拜访量已恢复", follow_up=D(2026, 12, 21))
    row = sc.read_sessions(bank, DIRECTOR).iloc[0]
    assert (row["outcome"], row["follow_up"]) == ("拜访量已恢复", D(2026, 12, 21))
    with pytest.raises(AppError) as exc:
        c.record_outcome(bank, LEAD_A, sid, "x", follow_up=D(2026, 12, 1))
    assert exc.value.key == "coaching.err.follow_up_before"
    with pytest.raises(AppError) as exc:
        c.record_outcome(bank, LEAD_A, 999, "x")
    assert exc.value.key == "coaching.err.no_session"
    c.delete_session(bank, LEAD_A, sid)
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
    c.ack_flag(bank, LEAD_A, "E1", "complaints", week, "客户误解,已澄清", until_week=until)
    assert len(sc.read_acks(bank, DIRECTOR, week=read_week)) == int(shown)


@pytest.mark.parametrize("scope,employee_id,kw,error", [
    (MGR_E1, "E1", {}, "coaching.err.manager_read_only"),
    (LEAD_A, "F1", {}, "scope.manager_outside"),
    (LEAD_A, "E1", {"note": " "}, "coaching.err.note_required"),
    (LEAD_A, "E1", {"rule_id": "lazy"}, "coaching.err.unknown_rule"),
    (LEAD_A, "E1", {"until_week": "2026-W49"}, "coaching.err.until_before"),   # before the week
    (LEAD_A, "E1", {"week": "2026-13"}, "coaching.err.bad_week"),
])
def test_ack_refused(bank, scope, employee_id, kw, error):
    args = {"rule_id": "complaints", "week": "2026-W50", "note": "已知", "until_week": "2026-W52", **kw}
    with pytest.raises(AppError) as exc:
        c.ack_flag(bank, scope, employee_id, args["rule_id"], args["week"], args["note"], args["until_week"])
    assert exc.value.key == error
    assert isinstance(exc.value, ScopeError) == error.startswith(("scope.", "coaching.err.manager_read_only"))
    assert sc.read_acks(bank, DIRECTOR).empty


def test_acks_scoped_and_removable(bank):
    a1 = c.ack_flag(bank, LEAD_A, "E1", "complaints", "2026-W50", "已知")
    c.ack_flag(bank, DIRECTOR, "F1", "low_activity", "2026-W50", "休假")
    assert sc.read_acks(bank, LEAD_A)["employee_id"].tolist() == ["E1"]
    assert sc.read_acks(bank, MGR_E2).empty
    assert sc.read_acks(bank, MGR_E1)["note"].tolist() == ["已知"]
    with pytest.raises(ScopeError):
        c.remove_ack(bank, LEAD_B, a1)
    c.remove_ack(bank, LEAD_A, a1)
    assert sc.read_acks(bank, DIRECTOR)["employee_id"].tolist() == ["F1"]
    with pytest.raises(AppError) as exc:
        c.remove_ack(bank, LEAD_A, a1)
    assert exc.value.key == "coaching.err.no_ack"
