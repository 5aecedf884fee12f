"""Payout summaries (exact sums, pay bands) and the dry run comparing a new plan with the plan in force.
"""
from __future__ import annotations

from decimal import Decimal as D

from core import commission as cm
from core.scope import Scope
from tests.core.commission.data import DIRECTOR, LEAD, PLAN_YAML, plan, plan_text


def test_team_summary_sums_exactly(bank):
    stmts = cm.statements(bank, DIRECTOR, "2026-10", plan=plan())
    ts = cm.team_summary(stmts, plan())
    by_team = {r["team"]: r for r in ts.to_dict("records")}
    assert by_team["零售一队"]["payable"] == D("19978.32")   # 10502.28 + 9476.04
    assert by_team["零售一队"]["优秀"] == 1 and by_team["零售一队"]["一般"] == 1
    assert by_team["对公一队"]["payable"] == D("3493.83")    # 3000 + 493.83
    assert by_team["对公一队"]["不合格"] == 1
    assert by_team[None]["payable"] == D("23472.15")         # 19978.32 + 3493.83
    assert by_team[None]["managers"] == 3


def test_compare_plans_dry_run(bank):
    # Old: the test plan (deposits 20); new: deposits 30. A01 deposits 150.5 → +1505.00 (150.5×10);
    # A02 deposits 33.333 → 10×33.333 = 333.33 more gross; ×1.2 = 399.996 → perf 4808.06 → 5208.06 (+400.00);
    # deferred unchanged. B01 has no deposits → 0 difference.
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
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
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    new = cm.parse_plan(plan_text("2026-10-01", "季度方案", settlement="quarterly"))
    frame, errors, span = cm.compare_plans(bank, Scope("director"), new, "2026-11")
    row = frame.set_index("employee_id").loc["A01"]
    assert span == "2026-Q4"
    assert (row["old_payable"], row["new_payable"], row["delta"]) == (D("18502.28"), D("18502.28"), D("0.00"))
