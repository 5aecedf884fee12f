"""Periods open → in review → closed: snapshots read back byte for byte, close order, reopen, review, scope.

Numbers under the test plan (tests/core/commission/data.py), worked out by hand:
  2026-09  A01 loans 50 → 50×12 = 600.00 gross, ×1.0, deferred 600×0.3 = 180.00 → 4000+600−180 = 4420.00
           A02 no logs → 5500.00 (base pay);  B01 no logs → 3000.00
  2026-10  A01 10502.28, A02 9476.04 (test_service), B01 3000 + 617.29×0.8 = 3493.83
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from core import commission as cm
from core.commission import lifecycle, periods_state
from core.commission.snapshot import fingerprint, freeze, thaw
from core.errors import AppError, ScopeError
from core.store import audit
from tests.core.commission.data import DIRECTOR, LEAD, MANAGER, PLAN_YAML


@pytest.fixture
def paid(bank):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    return bank


def _json(settled) -> str:
    return json.dumps(settled.to_dict("zh", with_days=True), ensure_ascii=False, sort_keys=True)


def test_snapshot_round_trip_is_exact(paid):
    s = cm.statement(paid, DIRECTOR, "A01", "2026-10")
    back = thaw(freeze(s))
    assert back == s
    assert json.dumps(back.to_dict("en", with_days=True)) == json.dumps(s.to_dict("en", with_days=True))
    assert fingerprint(back) == fingerprint(s) and len(fingerprint(s)) == 64


@pytest.mark.parametrize("period, employee_id, payable", [
    ("2026-09", "A01", "4420.00"), ("2026-09", "A02", "5500.00"), ("2026-09", "B01", "3000.00"),
    ("2026-10", "A01", "10502.28"), ("2026-10", "A02", "9476.04"), ("2026-10", "B01", "3493.83"),
])
def test_closed_statement_reads_from_snapshot(paid, period, employee_id, payable):
    lifecycle.close(paid, DIRECTOR, "2026-09")
    if period == "2026-10":
        lifecycle.close(paid, DIRECTOR, "2026-10")
    got = lifecycle.settled_statement(paid, DIRECTOR, employee_id, period)
    d = got.to_dict()
    assert (d["status"], d["payable"], d["closed_by"], d["adjustments"]) == ("closed", payable, "boss", [])
    assert d["closed_at"] is not None


def test_list_and_order(paid):
    assert [s.to_dict()["status"] for s in periods_state.listing(paid)] == ["open", "open"]
    with pytest.raises(AppError) as e:                       # September has statements and is open
        lifecycle.close(paid, DIRECTOR, "2026-10")
    assert e.value.key == "commission.pay.earlier_open" and "2026-09" in e.value.message("en")
    lifecycle.close(paid, DIRECTOR, "2026-09")
    with pytest.raises(AppError) as e:
        lifecycle.close(paid, DIRECTOR, "2026-09")
    assert e.value.key == "commission.pay.already_closed"
    lifecycle.mark_review(paid, DIRECTOR, "2026-10", dt.date(2026, 11, 5))
    got = [(s.period, s.status) for s in periods_state.listing(paid)]
    assert got == [("2026-09", "closed"), ("2026-10", "in_review")]
    assert lifecycle.settled_statement(paid, MANAGER, "A01", "2026-10").to_dict()["review_until"] == "2026-11-05"
    lifecycle.close(paid, DIRECTOR, "2026-10")
    assert [s.status for s in periods_state.listing(paid)] == ["closed", "closed"]


@pytest.mark.parametrize("period, until, key", [
    ("2026-10", dt.date(2026, 10, 30), "commission.pay.review_before_end"),   # before the month ends
    ("2026-09", dt.date(2026, 10, 5), "commission.pay.already_closed"),
])
def test_review_refusals(paid, period, until, key):
    lifecycle.close(paid, DIRECTOR, "2026-09")
    with pytest.raises(AppError) as e:
        lifecycle.mark_review(paid, DIRECTOR, period, until)
    assert e.value.key == key


def test_reopen_discards_snapshot_and_needs_reason(paid):
    lifecycle.close(paid, DIRECTOR, "2026-09")
    lifecycle.close(paid, DIRECTOR, "2026-10")
    with pytest.raises(AppError) as e:
        lifecycle.reopen(paid, DIRECTOR, "2026-09", "wrong")          # not the latest closed
    assert e.value.key == "commission.pay.reopen_latest"
    with pytest.raises(AppError) as e:
        lifecycle.reopen(paid, DIRECTOR, "2026-10", "  ")
    assert e.value.key == "commission.pay.reason_needed"
    lifecycle.reopen(paid, DIRECTOR, "2026-10", "对公数据补录")
    st = periods_state.state_of(paid, "2026-10")
    assert (st.status, st.note, st.closed_at) == ("open", "对公数据补录", None)
    assert lifecycle.settled_statement(paid, DIRECTOR, "A01", "2026-10").status == "open"
    actions = list(audit.read_audit(paid, DIRECTOR)["action"])
    assert actions[:3] == ["period_reopen", "period_close", "period_close"]


@pytest.mark.parametrize("scope", [MANAGER, LEAD])
def test_only_directors_change_periods(paid, scope):
    with pytest.raises(ScopeError):
        lifecycle.close(paid, scope, "2026-09")
    with pytest.raises(ScopeError):
        lifecycle.mark_review(paid, scope, "2026-09", dt.date(2026, 10, 9))
    lifecycle.close(paid, DIRECTOR, "2026-09")
    with pytest.raises(ScopeError):
        lifecycle.reopen(paid, scope, "2026-09", "x")


@pytest.mark.parametrize("scope, ids", [(MANAGER, ["A01"]), (LEAD, ["A01", "A02"]), (DIRECTOR, ["A01", "A02", "B01"])])
def test_closed_statements_keep_scope(paid, scope, ids):
    lifecycle.close(paid, DIRECTOR, "2026-09")
    assert [s.statement.employee_id for s in lifecycle.settled_statements(paid, scope, "2026-09")] == ids
    if scope is MANAGER:
        with pytest.raises(ScopeError):
            lifecycle.settled_statement(paid, scope, "A02", "2026-09")
