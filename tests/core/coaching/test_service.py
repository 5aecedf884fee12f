"""The rules setting and the scoped services (flags, review, did coaching work?) over the database."""
from __future__ import annotations

import datetime as dt

import pytest

from core import coaching as c
from core.errors import AppError, ScopeError
from core.store import audit, config
from tests.core.coaching.db_bank import DIRECTOR, LEAD_A, LEAD_B, MGR_E1, MGR_E2, _load_logs

D = dt.date


# ------------------------------------------------------------------------------------------ rules setting

def test_rules_setting(bank):
    assert c.active_rules(bank) == c.Rules.default()
    assert c.active_rules_text(bank) == c.default_rules_text()
    with pytest.raises(ScopeError):
        c.save_rules(bank, LEAD_A, "rules:\n  complaints:\n    enabled: false\n")
    with pytest.raises(AppError) as exc:
        c.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    enabled: maybe\n")
    assert exc.value.key == "coaching.rules.invalid"
    assert config.get_setting(bank, c.SETTING_KEY) is None
    c.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    enabled: false\n")
    assert not c.active_rules(bank).enabled("complaints")
    assert audit.read_audit(bank, DIRECTOR, action="setting")["target"].tolist() == [c.SETTING_KEY]
    c.reset_rules(bank, DIRECTOR)
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
    c.ack_flag(bank, LEAD_A, "E1", "complaints", "2026-W50", "客户误解", until_week="2026-W51")
    [f] = c.flags_for_week(bank, LEAD_A, "2026-W50", as_of=D(2026, 12, 13))
    assert (f.acknowledged, f.ack_note, f.ack_until) == (True, "客户误解", "2026-W51")
    c.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    min_count: 2\n    high_count: 3\n")
    assert c.flags_for_week(bank, LEAD_A, "2026-W50", as_of=D(2026, 12, 13)) == []


def test_review_for_week(bank):
    _load_logs(bank, low_visits={"F1": 2.0, "E2": 6.0})
    review = c.review_for_week(bank, DIRECTOR, "2026-W50", as_of=D(2026, 12, 13))
    assert [f.key for f in review.active] == [("F1", "low_activity")]
    # E2 logs 30 visits in W49 and in W50 (1.5× the team median both weeks), F1 10 both weeks: nobody improved.
    assert review.improved.empty
    lead = c.review_for_week(bank, LEAD_A, "2026-W50", as_of=D(2026, 12, 13))
    assert lead.flags == []


def test_flag_evidence_is_the_managers_weeks_against_the_peer_median(bank):
    _load_logs(bank, low_visits={"F1": 2.0, "E2": 6.0})
    [f] = c.review_for_week(bank, DIRECTOR, "2026-W50", as_of=D(2026, 12, 13)).active
    s = c.flag_evidence(bank, DIRECTOR, "2026-W50", f, as_of=D(2026, 12, 13), chart_weeks=3)
    got = {(r.x, r.series): r.value for r in s.itertuples()}
    # F1 is alone in team B, so his peers are the whole branch (E1, E2, E3, F1), 5 working days a week.
    # W48: everyone 4 visits a day → 20 each, median 20. From 30 Nov (W49, W50): F1 2 a day → 10, E2 6 a day →
    # 30, E1 and E3 4 a day → 20; the median of (10, 20, 20, 30) is 20.
    assert got == {("2026-W48", "manager"): 20.0, ("2026-W48", "peer_median"): 20.0,
                   ("2026-W49", "manager"): 10.0, ("2026-W49", "peer_median"): 20.0,
                   ("2026-W50", "manager"): 10.0, ("2026-W50", "peer_median"): 20.0}
    assert s["order"].tolist() == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("scope", [LEAD_A, MGR_E1])
def test_flag_evidence_refuses_a_manager_out_of_scope(bank, scope):
    _load_logs(bank, low_visits={"F1": 2.0})
    [f] = c.review_for_week(bank, DIRECTOR, "2026-W50", as_of=D(2026, 12, 13)).active
    with pytest.raises(ScopeError):
        c.flag_evidence(bank, scope, "2026-W50", f, as_of=D(2026, 12, 13))


@pytest.mark.parametrize("complaint_days,today,expected", [
    ([D(2026, 12, 8)], D(2026, 12, 13), "resolved"),                       # W49 complaint, none in W50
    ([D(2026, 12, 8), D(2026, 12, 10)], D(2026, 12, 13), "persisting"),    # still one in W50
    ([D(2026, 12, 8)], D(2026, 12, 9), "pending"),                         # follow-up 10 Dec not reached
])
def test_session_review_did_coaching_work(bank, complaint_days, today, expected):
    # Complaint on Tue 1 Dec (W49) → session on 2 Dec with follow-up Thu 10 Dec (W50).
    days = [D(2026, 12, 1)] + complaint_days[1:]
    _load_logs(bank, complaints={("E1", d): 1 for d in days})
    c.add_session(bank, LEAD_A, date=D(2026, 12, 2), coach="王队长", employee_id="E1", topic="服务规范",
                   rule_id="complaints", follow_up=D(2026, 12, 10))
    df = c.session_review(bank, LEAD_A, today)
    assert df["status"].tolist() == [expected]
    assert df["overdue"].tolist() == [today > D(2026, 12, 10)]
