"""Plans store: versioned upload, activation, the plan in force for a period, sample fallback, audit, scope."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from core import commission as cm
from core.scope import Scope, ScopeError
from core.store import audit
from core.store import plans as store_plans
from tests.core.test_commission import DIRECTOR, LEAD, MANAGER, PLAN_YAML, bank  # noqa: F401 (fixture)


def plan_text(effective: str, name: str = "方案", settlement: str = "monthly", deposit_rate: int = 20) -> str:
    return (PLAN_YAML.replace("effective_from: 2026-01-01", f"effective_from: {effective}")
            .replace("name: 测试方案", f"name: {name}").replace("settlement: monthly", f"settlement: {settlement}")
            .replace("    rate: 20\n", f"    rate: {deposit_rate}\n"))


def test_no_plan_in_database_falls_back_to_the_sample(engine):
    pif = store_plans.plan_in_force(engine, dt.date(2026, 10, 1))
    assert pif.source == "sample" and pif.plan_id is None
    assert pif.plan.name == cm.sample_plan().name


def test_upload_is_inactive_until_activated_and_audited(engine):
    pid = store_plans.upload_plan(engine, DIRECTOR, plan_text("2026-07-01", "七月方案"))
    assert store_plans.plan_in_force(engine, dt.date(2026, 10, 1)).source == "sample"
    store_plans.activate_plan(engine, DIRECTOR, pid)
    pif = store_plans.plan_in_force(engine, dt.date(2026, 10, 1))
    assert (pif.source, pif.plan_id, pif.plan.name) == ("db", pid, "七月方案")
    actions = list(audit.read_audit(engine, DIRECTOR)["action"])
    assert actions[:2] == ["plan_activate", "plan_upload"]
    listed = store_plans.list_plans(engine, MANAGER)
    assert list(listed["id"]) == [pid] and bool(listed["active"].iat[0]) and listed["settlement"].iat[0] == "monthly"


@pytest.mark.parametrize("day, expected", [
    (dt.date(2025, 12, 31), None),       # before every activated plan (the sample is not used once plans exist)
    (dt.date(2026, 1, 1), "一月方案"),   # effective_from ≤ day, inclusive
    (dt.date(2026, 6, 30), "一月方案"),
    (dt.date(2026, 7, 1), "七月方案"),   # the greatest effective_from ≤ day
    (dt.date(2026, 12, 1), "七月方案"),  # the inactive 2026-10 version does not count
])
def test_plan_selection_by_effective_from(engine, day, expected):
    a = store_plans.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "一月方案"))
    b = store_plans.upload_plan(engine, DIRECTOR, plan_text("2026-07-01", "七月方案"))
    store_plans.upload_plan(engine, DIRECTOR, plan_text("2026-10-01", "十月草案"))   # never activated
    store_plans.activate_plan(engine, DIRECTOR, b)
    store_plans.activate_plan(engine, DIRECTOR, a)
    pif = store_plans.plan_in_force(engine, day, required=False)
    assert (pif.plan.name if pif else None) == expected
    if expected is None:
        with pytest.raises(cm.CommissionError):
            store_plans.plan_in_force(engine, day)


def test_activating_a_version_replaces_the_one_with_the_same_date(engine):
    a = store_plans.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "旧版"), activate=True)
    b = store_plans.upload_plan(engine, DIRECTOR, plan_text("2026-01-01", "修订版"))
    assert store_plans.activate_plan(engine, DIRECTOR, b) == [a]
    assert store_plans.plan_in_force(engine, dt.date(2026, 3, 1)).plan.name == "修订版"
    active = store_plans.list_plans(engine, DIRECTOR).set_index("id")["active"].to_dict()
    assert active == {a: False, b: True}
    store_plans.deactivate_plan(engine, DIRECTOR, b)
    assert store_plans.plan_in_force(engine, dt.date(2026, 3, 1)).source == "sample"   # nothing active again


def test_statement_uses_the_plan_in_force_per_period(bank):
    # deposits rate 20 from January, 30 from October: A01's deposits 150.5 in October → 4515.00 (150.5×30)
    store_plans.upload_plan(bank, DIRECTOR, plan_text("2026-01-01", "一月", deposit_rate=20), activate=True)
    store_plans.upload_plan(bank, DIRECTOR, plan_text("2026-10-01", "十月", deposit_rate=30), activate=True)
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10")
    assert (s.plan_name, s.line("deposits_new").amount) == ("十月", D("4515.00"))
    s9 = cm.statement(bank, DIRECTOR, "A01", "2026-09")
    assert s9.plan_name == "一月"


@pytest.mark.parametrize("scope", [MANAGER, LEAD])
def test_only_directors_write_plans(engine, scope):
    with pytest.raises(ScopeError):
        store_plans.upload_plan(engine, scope, PLAN_YAML)
    pid = store_plans.upload_plan(engine, DIRECTOR, PLAN_YAML)
    with pytest.raises(ScopeError):
        store_plans.activate_plan(engine, scope, pid)
    with pytest.raises(ScopeError):
        store_plans.deactivate_plan(engine, scope, pid)


def test_invalid_plan_is_not_stored(engine):
    with pytest.raises(cm.PlanError):
        store_plans.upload_plan(engine, DIRECTOR, PLAN_YAML.replace("deferred_share: 0.3", "deferred_share: 3"))
    assert store_plans.list_plans(engine, DIRECTOR).empty


def test_unknown_plan_id(engine):
    with pytest.raises(cm.CommissionError) as e:
        store_plans.activate_plan(engine, DIRECTOR, 999)
    assert e.value.key == "commission.err.plan_not_found"


def test_uploaded_bytes_are_stored_as_text(engine):
    pid = store_plans.upload_plan(engine, DIRECTOR, ("\ufeff" + PLAN_YAML).encode("utf-8"))
    assert store_plans.plan_body(engine, pid) == PLAN_YAML
    assert store_plans.get_plan(engine, pid).name == "测试方案"


def test_compare_plans_dry_run(bank):
    # Old: the test plan (deposits 20); new: deposits 30. A01 deposits 150.5 → +1505.00 (150.5×10);
    # A02 deposits 33.333 → 10×33.333 = 333.33 more gross; ×1.2 = 399.996 → perf 4808.06 → 5208.06 (+400.00);
    # deferred unchanged. B01 has no deposits → 0 difference.
    store_plans.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    new = cm.parse_plan(plan_text("2026-11-01", "新方案", deposit_rate=30))
    frame, errors, span = cm.compare_plans(bank, DIRECTOR, new, "2026-10")
    assert span == "2026-10" and errors == []
    delta = frame.set_index("employee_id")["delta"].to_dict()
    assert delta == {"A01": D("1505.00"), "A02": D("400.00"), "B01": D("0.00")}
    old = frame.set_index("employee_id")["old_payable"].to_dict()
    assert old["A01"] == D("10502.28")     # manager A of test_commission
    # a team lead sees only his team
    frame_l, _, _ = cm.compare_plans(bank, LEAD, new, "2026-10")
    assert sorted(frame_l["employee_id"]) == ["A01", "A02"]


def test_compare_monthly_with_quarterly_sums_the_quarter(bank):
    # Old monthly plan over 2026-Q4 = Oct + Nov + Dec statements; new quarterly plan for 2026-Q4.
    # A01 old: Oct 10502.28 + Nov 4000 + Dec 4000 = 18502.28; new quarterly: 12000+7222.28−720 = 18502.28.
    store_plans.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    new = cm.parse_plan(plan_text("2026-10-01", "季度方案", settlement="quarterly"))
    frame, errors, span = cm.compare_plans(bank, Scope("director"), new, "2026-11")
    row = frame.set_index("employee_id").loc["A01"]
    assert span == "2026-Q4"
    assert (row["old_payable"], row["new_payable"], row["delta"]) == (D("18502.28"), D("18502.28"), D("0.00"))
