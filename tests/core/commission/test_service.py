"""Statements from the store with the caller's scope: hand-worked numbers, scope refusals, quarterly periods,
history and the risk reserve.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from core import commission as cm
from core.errors import AppError, ScopeError
from tests.core.commission.data import DIRECTOR, LEAD, LEAD_B, MANAGER, PLAN_YAML, plan

# ================================================================ from the store, with scope


def test_statement_from_store_matches_hand_worked(bank):
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10", plan=plan())
    assert (s.gross, s.performance, s.deferred, s.payable) == (
        D("7422.28"), D("7222.28"), D("720.00"), D("10502.28"))  # manager A above
    assert s.line("credit_cards").target == D("12")
    assert s.line("deposits_new").days == [(dt.date(2026, 10, 9), D("100.25")), (dt.date(2026, 10, 20), D("50.25"))]
    assert s.deduction_lines[0].days == [(dt.date(2026, 10, 20), D("1"))]
    s2 = cm.statement(bank, DIRECTOR, "A02", "2026-10", plan=plan())
    assert s2.payable == D("9476.04")                                    # manager B above


@pytest.mark.parametrize("scope, employee_id, allowed", [
    (MANAGER, "A01", True),       # his own
    (MANAGER, "A02", False),      # a teammate
    (MANAGER, "B01", False),      # another team
    (MANAGER, "ZZZ", False),      # unknown: no hint that it does not exist
    (LEAD, "A02", True),          # his team
    (LEAD, "B01", False),         # another team
    (LEAD_B, "B01", True),        # his own roster entry / team
    (LEAD_B, "A01", False),
    (DIRECTOR, "B01", True),
])
def test_statement_scope(bank, scope, employee_id, allowed):
    if allowed:
        assert cm.statement(bank, scope, employee_id, "2026-10", plan=plan()).employee_id == employee_id
    else:
        with pytest.raises(ScopeError):
            cm.statement(bank, scope, employee_id, "2026-10", plan=plan())
        with pytest.raises(ScopeError):
            cm.history(bank, scope, employee_id, "2026-10")


def test_director_unknown_manager_is_a_clear_error(bank):
    with pytest.raises(AppError) as e:
        cm.statement(bank, DIRECTOR, "ZZZ", "2026-10", plan=plan())
    assert e.value.key == "commission.err.not_on_roster"


@pytest.mark.parametrize("scope, ids", [
    (MANAGER, ["A01"]),
    (LEAD, ["A01", "A02"]),
    (LEAD_B, ["B01"]),
    (DIRECTOR, ["A01", "A02", "B01"]),
])
def test_run_period_lists_only_visible_managers(bank, scope, ids):
    run = cm.run_period(bank, scope, "2026-10", plan=plan())
    assert sorted(s.employee_id for s in run.statements) == ids


def test_grade_missing_from_plan_named_when_computing(bank):
    p = cm.parse_plan(PLAN_YAML.replace("客户经理助理: 3000, ", "").replace("客户经理助理: 0.8, ", ""))
    run = cm.run_period(bank, DIRECTOR, "2026-10", plan=p)
    assert [s.employee_id for s in run.statements] == ["A01", "A02"]
    assert len(run.errors) == 1 and "B01" in run.errors[0].message("zh")
    with pytest.raises(AppError, match="B01"):
        cm.statements(bank, DIRECTOR, "2026-10", plan=p)


def test_quarterly_statement_from_store(bank):
    # 2026-Q4 for A01: October as above plus nothing in Nov/Dec; card target only in October = 12
    p = plan(settlement="quarterly")
    s = cm.statement(bank, DIRECTOR, "A01", "2026-Q4", plan=p)
    assert s.base_pay == D("12000.00")                  # 4000×3
    assert s.gross == D("7422.28")                      # same quantities as October
    assert s.payable == D("18502.28")                   # 12000+7222.28−720
    # 2026-Q3: A01 has loans 50 in September → 600.00; deferred 180.00
    s3 = cm.statement(bank, DIRECTOR, "A01", "2026-Q3", plan=p)
    assert (s3.gross, s3.deferred, s3.payable) == (D("600.00"), D("180.00"), D("12420.00"))  # 12000+600−180


def test_history_and_reserve_balance(bank):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    h = cm.history(bank, MANAGER, "A01", "2026-10")
    assert list(h.rows["period"]) == ["2026-09", "2026-10"]
    assert list(h.rows["deferred"]) == [D("180.00"), D("720.00")]   # 50×12×0.3 ; 200×12×0.3
    assert h.reserve_held == D("900.00")                            # 180+720
    assert h.reserve_released == D("0.00")
    assert list(h.rows["payable"]) == [D("4420.00"), D("10502.28")]   # 4000+600−180 ; manager A above


@pytest.mark.parametrize("release, upto, held, released", [
    # deferred: 2026-09 → 180.00, 2026-10 → 720.00 (A01); later months have no logs → 0
    (None, "2026-12", "900.00", "0.00"),   # no release rule: everything held
    (3, "2026-11", "900.00", "0.00"),      # Sep is 2 months before Nov: still held
    (3, "2026-12", "720.00", "180.00"),    # Sep is 3 months before Dec: released; Oct (2) held
    (2, "2026-12", "0.00", "900.00"),      # both ≥ 2 months old
])
def test_reserve_release_after_months(bank, release, upto, held, released):
    text = PLAN_YAML + (f"reserve_release_after_months: {release}\n" if release else "")
    cm.upload_plan(bank, DIRECTOR, text, activate=True)
    h = cm.history(bank, MANAGER, "A01", upto)
    assert (h.reserve_held, h.reserve_released) == (D(held), D(released))
