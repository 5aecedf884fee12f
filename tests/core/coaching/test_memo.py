"""One coaching evaluation per data version, shared by every scope and page (core.coaching.memo).

The review week's flags are evaluated over all managers and then narrowed to the caller: the second viewer at
the same data version gets the same flags without a second evaluation, his own scope's share only, as his own
copy; any stored change (an import, an acknowledgement, new rules) is a new data version and a new evaluation.
"""
from __future__ import annotations

import datetime as dt
import threading
import time

import pandas as pd
import pytest

from core import coaching as c
from core.coaching import memo
from core.errors import ScopeError
from core.coaching import service
from core.schema import METRICS
from core.scope import SYSTEM
from core.store.logs import apply_daily
from tests.core.coaching.db_bank import DIRECTOR, LEAD_A, LEAD_B, MGR_E1, _load_logs

D = dt.date
WEEK, AS_OF = "2026-W50", D(2026, 12, 13)


@pytest.fixture
def evaluations(monkeypatch):
    """How many times the week's flags were really evaluated."""
    calls = []
    real = service.with_history

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)
    monkeypatch.setattr(service, "with_history", counted)
    return calls


def _keys(flags):
    return {f.key for f in flags if f.active}


def test_every_scope_shares_one_evaluation_and_sees_only_its_own(bank, evaluations):
    _load_logs(bank, low_visits={"F1": 2.0}, complaints={("E1", D(2026, 12, 8)): 1})
    assert _keys(c.flags_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)) == {("E1", "complaints"), ("F1", "low_activity")}
    assert _keys(c.flags_for_week(bank, LEAD_A, WEEK, as_of=AS_OF)) == {("E1", "complaints")}
    assert _keys(c.flags_for_week(bank, LEAD_B, WEEK, as_of=AS_OF)) == {("F1", "low_activity")}
    assert _keys(c.flags_for_week(bank, MGR_E1, WEEK, as_of=AS_OF)) == {("E1", "complaints")}
    review = c.review_for_week(bank, LEAD_B, WEEK, as_of=AS_OF)         # the coaching page: the same evaluation
    assert _keys(review.flags) == {("F1", "low_activity")}
    assert len(evaluations) == 1
    # another week, or the same week judged to another day, is another evaluation
    c.flags_for_week(bank, DIRECTOR, WEEK, as_of=D(2026, 12, 10))
    assert len(evaluations) == 2


def test_a_new_data_version_is_evaluated_again(bank, evaluations):
    _load_logs(bank, low_visits={"F1": 2.0})
    assert _keys(c.flags_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)) == {("F1", "low_activity")}
    # a late import: E3 complained on Tuesday
    row = {m: 0.0 for m in METRICS}
    row |= {"employee_id": "E3", "date": D(2026, 12, 8), "visits": 4.0, "new_customers": 1.0, "deposits_new": 10.0,
           "deposit_balance": 1000.0, "complaints": 1.0, "notes": "走访"}
    apply_daily(bank, SYSTEM, pd.DataFrame([row]), "late.xlsx", "l")
    assert _keys(c.flags_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)) == {("F1", "low_activity"), ("E3", "complaints")}
    assert len(evaluations) == 2
    # an acknowledgement shows at once (and is a new data version too)
    c.ack_flag(bank, LEAD_A, "E3", "complaints", WEEK, "已核实")
    [f] = [f for f in c.flags_for_week(bank, LEAD_A, WEEK, as_of=AS_OF) if f.key == ("E3", "complaints")]
    assert f.acknowledged and f.ack_note == "已核实"
    # new rules: the complaints rule now needs two
    c.save_rules(bank, DIRECTOR, "rules:\n  complaints:\n    min_count: 2\n    high_count: 3\n")
    assert _keys(c.flags_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)) == {("F1", "low_activity")}


def test_a_caller_changing_his_flags_changes_nobody_elses(bank):
    _load_logs(bank, complaints={("E1", D(2026, 12, 8)): 1})
    [mine] = c.flags_for_week(bank, LEAD_A, WEEK, as_of=AS_OF)
    mine.acknowledged, mine.ack_note = True, "mutated by a page"
    [again] = c.flags_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)
    assert (again.acknowledged, again.ack_note) == (False, "")
    review = c.review_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)
    review.improved["employee_id"] = "X"
    assert "X" not in set(c.review_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF).improved["employee_id"])


def test_concurrent_viewers_wait_for_one_evaluation(bank):
    calls = []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(5)
        return ["flags"]
    out, errors = [], []

    def view():
        try:
            out.append(memo.shared(bank, ("test", "slow"), slow))
        except Exception as exc:   # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=view) for _ in range(6)]
    for th in threads:
        th.start()
    time.sleep(0.3)
    gate.set()
    for th in threads:
        th.join(10)
    assert not errors
    assert out == [["flags"]] * 6 and len(calls) == 1


def test_a_failed_evaluation_is_not_kept(bank):
    calls = []

    def boom():
        calls.append(1)
        raise RuntimeError("database went away")
    for _ in range(2):
        with pytest.raises(RuntimeError):
            memo.shared(bank, ("test", "boom"), boom)
    assert len(calls) == 2
    assert memo.shared(bank, ("test", "boom"), lambda: 42) == 42


def test_the_oldest_evaluations_are_dropped(bank):
    for i in range(memo.MAX_ENTRIES + 3):
        memo.shared(bank, ("test", i), lambda i=i: [i])
    calls = []
    memo.shared(bank, ("test", 0), lambda: calls.append(1) or [0])
    memo.shared(bank, ("test", memo.MAX_ENTRIES + 2), lambda: calls.append(1) or [0])
    assert calls == [1]          # the first was dropped, the last is kept


def test_every_flag_opened_reads_the_weeks_inputs_once(bank, monkeypatch):
    _load_logs(bank, low_visits={"F1": 2.0, "E2": 6.0}, complaints={("E1", D(2026, 12, 8)): 1})
    review = c.review_for_week(bank, DIRECTOR, WEEK, as_of=AS_OF)
    opened = [f for f in review.active]
    assert len(opened) >= 2
    built = []
    real = service._inputs

    def counted(*a, **k):
        built.append(1)
        return real(*a, **k)
    monkeypatch.setattr(service, "_inputs", counted)
    first = [c.flag_evidence(bank, DIRECTOR, WEEK, f, as_of=AS_OF) for f in opened]
    again = [c.flag_evidence(bank, LEAD_B, WEEK, f, as_of=AS_OF) for f in opened if f.team == "B"]
    assert len(built) == 1
    low = next(f for f in opened if f.key == ("F1", "low_activity"))
    assert first[opened.index(low)].equals(again[0])
    # the scope is still checked on every call
    with pytest.raises(ScopeError):
        c.flag_evidence(bank, LEAD_A, WEEK, low, as_of=AS_OF)
