"""Plan versions and the plan in force: versioned upload, activation, the plan in force for a period, sample
fallback, audit, scope (core.commission.book over core.store.plans)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from core import commission as cm
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import audit
from tests.core.commission.data import DIRECTOR, LEAD, MANAGER, PLAN_YAML, plan_text


def test_no_plan_in_database_falls_back_to_the_sample(engine):
    pif = cm.plan_in_force(engine, dt.date(2026, 10, 1))
    assert pif.source == "sample" and pif.plan_id is None
    assert pif.plan.name == cm.sample_plan().name


def test_upload_is_inactive_until_activated_and_audited(engine):
    pid = cm.upload_plan(engine, DIRECTOR, plan_text("2026-07-01", "七月方案"))
    assert cm.plan_in_force(engine, dt.date(2026, 10, 1)).source == "sample"
    cm.activate_plan(engine, DIRECTOR, pid)
    pif = cm.plan_in_force(engine, dt.date(2026, 10, 1))
    assert (pif.source, pif.plan_id, pif.plan.name) == ("db", pid, "七月方案")
    actions = list(audit.read_audit(engine, DIRECTOR)["action"])
    assert actions[:2] == ["plan_activate", "plan_upload"]
    listed = cm.list_plans(engine, MANAGER)
    assert list(listed["id"]) == [pid] and bool(listed["active"].iat[0]) and listed["settlement"].iat[0] == "monthly"


@pytest.mark.parametrize("day, expected", [
    (dt.date(2025, 12, 31), None),       # before every activated plan (the sample is not used once plans exist)
    (dt.date(2026, 1, 1), "一月方案"),   # effective_from ≤ day, inclusive
    (dt.date(2026, 6, 30), "一月方案"),
    (dt.date(2026, 7, 1), "七月方案"),   # the greatest effective_from ≤ day
    (dt.date(2026, 12, 1), "七月方案"),  # the inactive 2026-10 version does not count
])
def test_plan_selection_by_effective_from(engine, day, expected):
    a = cm.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "一月方案"))
    b = cm.upload_plan(engine, DIRECTOR, plan_text("2026-07-01", "七月方案"))
    cm.upload_plan(engine, DIRECTOR, plan_text("2026-10-01", "十月草案"))   # never activated
    cm.activate_plan(engine, DIRECTOR, b)
    cm.activate_plan(engine, DIRECTOR, a)
    pif = cm.plan_in_force(engine, day, required=False)
    assert (pif.plan.name if pif else None) == expected
    if expected is None:
        with pytest.raises(AppError):
            cm.plan_in_force(engine, day)


def test_activating_a_version_replaces_the_one_with_the_same_date(engine):
    a = cm.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "旧版"), activate=True)
    b = cm.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "修订版"))
    assert cm.activate_plan(engine, DIRECTOR, b) == [a]
    assert cm.plan_in_force(engine, dt.date(2026, 3, 1)).plan.name == "修订版"
    active = cm.list_plans(engine, DIRECTOR).set_index("id")["active"].to_dict()
    assert active == {a: False, b: True}
    cm.deactivate_plan(engine, DIRECTOR, b)
    assert cm.plan_in_force(engine, dt.date(2026, 3, 1)).source == "sample"   # nothing active again


def test_statement_uses_the_plan_in_force_per_period(bank):
    # deposits rate 20 from January, 30 from October: A01's deposits 150.5 in October → 4515.00 (150.5×30)
    cm.upload_plan(bank, DIRECTOR, plan_text("2026-01-01", "一月", deposit_rate=20), activate=True)
    cm.upload_plan(bank, DIRECTOR, plan_text("2026-10-01", "十月", deposit_rate=30), activate=True)
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10")
    assert (s.plan_name, s.line("deposits_new").amount) == ("十月", D("4515.00"))
    s9 = cm.statement(bank, DIRECTOR, "A01", "2026-09")
    assert s9.plan_name == "一月"


@pytest.mark.parametrize("scope", [MANAGER, LEAD])
def test_only_directors_write_plans(engine, scope):
    with pytest.raises(ScopeError):
        cm.upload_plan(engine, scope, PLAN_YAML)
    pid = cm.upload_plan(engine, DIRECTOR, PLAN_YAML)
    with pytest.raises(ScopeError):
        cm.activate_plan(engine, scope, pid)
    with pytest.raises(ScopeError):
        cm.deactivate_plan(engine, scope, pid)


def test_invalid_plan_is_not_stored(engine):
    with pytest.raises(AppError):
        cm.upload_plan(engine, DIRECTOR, PLAN_YAML.replace("deferred_share: 0.3", "deferred_share: 3"))
    assert cm.list_plans(engine, DIRECTOR).empty


def test_unknown_plan_id(engine):
    with pytest.raises(AppError) as e:
        cm.activate_plan(engine, DIRECTOR, 999)
    assert e.value.key == "commission.err.plan_not_found"


def test_uploaded_bytes_are_stored_as_text(engine):
    pid = cm.upload_plan(engine, DIRECTOR, ("\ufeff" + PLAN_YAML).encode("utf-8"))
    assert cm.plan_body(engine, pid) == PLAN_YAML
    assert cm.get_plan(engine, pid).name == "测试方案"


@pytest.mark.parametrize("month, period, plan_name", [
    ("2026-09", "2026-09", "月度方案"),    # the monthly plan settles September alone
    ("2026-10", "2026-Q4", "季度方案"),    # the quarterly plan from 2026-10-01 settles Oct–Dec together
    ("2026-11", "2026-Q4", "季度方案"),    # a month inside the quarter belongs to the same period
])
def test_period_in_force_follows_the_plan_of_the_period(engine, month, period, plan_name):
    cm.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "月度方案"), activate=True)
    cm.upload_plan(engine, DIRECTOR, plan_text("2026-10-01", "季度方案", settlement="quarterly"), activate=True)
    pif, per = cm.period_in_force(engine, month)
    assert (per.key, pif.plan.name) == (period, plan_name)


def test_commission_page_for_a_manager_ignores_the_team_filter(bank):
    page = cm.commission_page(bank, MANAGER, "2026-10", team="对公一队")
    assert list(page.managers["employee_id"]) == ["A01"] and not page.missing_self
    assert (page.period.key, page.plan_in_force.source) == ("2026-10", "sample")
    gone = cm.commission_page(bank, Scope("manager", username="x", employee_id="GONE"), "2026-10")
    assert gone.missing_self and gone.managers.empty
