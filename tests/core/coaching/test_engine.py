"""The engine around the rules: on/off, ordering, as-of, history, acknowledgements, evidence series, praise."""
from __future__ import annotations

import pandas as pd
import pytest

from core import coaching as c
from core.errors import AppError
from tests.core.coaching.bank import END, W50, D, _bank, _drop, _flags, _one, _set

# ------------------------------------------------------------------------------------------ rules on/off

def test_disabled_rule_never_fires():
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 12, 7), D(2026, 12, 7), complaints=3.0)
    assert _one(_flags(logs, roster, targets), "E1", "complaints") is not None
    rules = c.Rules.default().replace(complaints={"enabled": False})
    assert _flags(logs, roster, targets, rules=rules) == []


def test_inactive_manager_is_not_evaluated():
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 12, 7), D(2026, 12, 7), complaints=3.0)
    roster.loc[roster["employee_id"] == "E1", "active"] = False
    assert _flags(logs, roster, targets) == []


def test_sort_most_severe_first_and_to_dict():
    roster, logs, targets = _bank()
    _set(logs, "E2", D(2026, 12, 7), D(2026, 12, 7), complaints=1.0)              # medium
    _set(logs, "E1", D(2026, 12, 1), END, deposits_new=0.0)                       # behind_pace high
    logs = _drop(logs, "E3", D(2026, 12, 8), D(2026, 12, 9))                     # missing_logs low
    flags = _flags(logs, roster, targets)
    assert [(f.employee_id, f.rule_id, f.severity) for f in flags] == [
        ("E1", "behind_pace", "high"), ("E2", "complaints", "medium"), ("E3", "missing_logs", "low")]
    d = flags[0].to_dict()
    assert set(d) == {"employee_id", "manager_name", "team", "rule_id", "severity", "metric", "period", "evidence",
                      "reason_zh", "reason_en", "focus", "history", "weeks", "acknowledged", "ack_note", "ack_until"}
    assert d["focus"]["area"] == "skills" and d["manager_name"] == "经理1" and d["history"] == "new"
    groups = c.group_by_manager(flags)
    assert [eid for eid, _ in groups] == ["E1", "E2", "E3"]


def test_as_of_before_week_is_rejected():
    roster, logs, targets = _bank()
    with pytest.raises(AppError) as exc:
        _flags(logs, roster, targets, as_of=D(2026, 12, 6))
    assert exc.value.key == "coaching.err.as_of_before_week"


# ------------------------------------------------------------------------------------------ acks

@pytest.mark.parametrize("week,until,acked", [
    ("2026-W48", "2026-W50", True),
    ("2026-W50", None, True),            # that week only
    ("2026-W48", "2026-W49", False),     # expired
    ("2026-W51", "2026-W52", False),     # not yet
])
def test_apply_acks(week, until, acked):
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 12, 7), D(2026, 12, 7), complaints=1.0)
    flags = _flags(logs, roster, targets)
    acks = pd.DataFrame([{"id": 1, "employee_id": "E1", "rule_id": "complaints", "week": week, "until_week": until,
                          "note": "已处理"}])
    out = c.apply_acks(flags, acks, W50)
    assert out[0].acknowledged == acked
    assert out[0].ack_note == ("已处理" if acked else "")


# ------------------------------------------------------------------------------------------ evidence series

def test_flag_series_against_peer_median():
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 11, 30), END, visits=2.0)
    flags = _flags(logs, roster, targets)
    f = _one(flags, "E1", "low_activity")
    data = c.Inputs(logs, roster, targets, c.Rules.default(), None, END)
    s = c.flag_series(data, f, D(2026, 12, 7), END, weeks=3)
    got = {(r.x, r.series): r.value for r in s.itertuples()}
    assert got == {("2026-W48", "manager"): 20.0, ("2026-W48", "peer_median"): 20.0,
                   ("2026-W49", "manager"): 10.0, ("2026-W49", "peer_median"): 20.0,
                   ("2026-W50", "manager"): 10.0, ("2026-W50", "peer_median"): 20.0}


# ------------------------------------------------------------------------------------------ praise

def test_improvements():
    # E1: visits 20 (rel 1.0) in W49 → 30 in W50 (median 20, rel 1.5); new customers and deposits unchanged.
    # score = mean(0.5, 0, 0) over visits, new_customers, deposits_new = 0.1667.
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 12, 7), END, visits=6.0)
    data = c.Inputs(logs, roster, targets, c.Rules.default(), None, END)
    imp = c.improvements(data, D(2026, 12, 7), END, [])
    assert imp[["employee_id", "score", "metric", "before", "after"]].to_dict("records") == [
        {"employee_id": "E1", "score": 0.1667, "metric": "visits", "before": 20.0, "after": 30.0}]



def test_praise_is_for_his_own_numbers_not_his_peers_falling():
    # W50: E2..E5 drop to 2 visits a day (10 a week, the team median 10); E1 keeps 4 a day (20 → 20): his level
    # against the peers doubled (1.0 → 2.0) but his own numbers did not rise — he is not praised ("20 → 20").
    roster, logs, targets = _bank()
    for eid in ("E2", "E3", "E4", "E5"):
        _set(logs, eid, D(2026, 12, 7), END, visits=2.0)
    data = c.Inputs(logs, roster, targets, c.Rules.default(), None, END)
    assert c.improvements(data, D(2026, 12, 7), END, []).empty


def test_praise_names_a_metric_whose_own_number_rose():
    # As above, and E1 signs one more new customer on Mon 7 Dec (5 → 6 in the week, rel 1.0 → 1.2): the visits
    # rose most against the peers (+1.0) but stayed 20, so the row names new customers 5 → 6;
    # score = mean(1.0, 0.2, 0) over visits, new_customers, deposits_new = 0.4.
    roster, logs, targets = _bank()
    for eid in ("E2", "E3", "E4", "E5"):
        _set(logs, eid, D(2026, 12, 7), END, visits=2.0)
    _set(logs, "E1", D(2026, 12, 7), D(2026, 12, 7), new_customers=2.0)
    data = c.Inputs(logs, roster, targets, c.Rules.default(), None, END)
    imp = c.improvements(data, D(2026, 12, 7), END, [])
    assert imp[["employee_id", "score", "metric", "before", "after"]].to_dict("records") == [
        {"employee_id": "E1", "score": 0.4, "metric": "new_customers", "before": 5.0, "after": 6.0}]


# ------------------------------------------------------------------------------------------ history of monthly rules

def test_a_monthly_rule_s_run_is_about_one_month():
    # E1 spikes on the last working day of October (Fri 30 Oct) and of November (Mon 30 Nov), balance 1,000
    # otherwise. October's spike is judged week after week (W45 .. W49) until November's can be (W50, its five
    # working days after are known): W49's flag is about October and continuing; W50's is about November and
    # new — not "continuing: week 6" across two months — and October's is not called resolved.
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 10, 30), D(2026, 10, 30), deposit_balance=1900.0)
    _set(logs, "E1", D(2026, 11, 30), D(2026, 11, 30), deposit_balance=1900.0)
    by_week = {w: [f for f in _flags(logs, roster, targets, week=w)
                   if f.employee_id == "E1" and f.rule_id == "month_end_spike"] for w in ("2026-W49", W50)}
    [oct_] = by_week["2026-W49"]
    assert (oct_.period, oct_.history) == ("2026-10", "continuing") and oct_.weeks >= 2
    [nov] = by_week[W50]
    assert (nov.period, nov.history, nov.weeks) == ("2026-11", "new", 1)


def test_a_monthly_rule_that_stops_for_the_next_month_is_resolved():
    # Only October spikes: W50 judges November (steady) → October's run ends: resolved in W50.
    roster, logs, targets = _bank()
    _set(logs, "E1", D(2026, 10, 30), D(2026, 10, 30), deposit_balance=1900.0)
    flags = [f for f in _flags(logs, roster, targets) if f.employee_id == "E1" and f.rule_id == "month_end_spike"]
    assert [(f.period, f.history) for f in flags] == [("2026-10", "resolved")]
