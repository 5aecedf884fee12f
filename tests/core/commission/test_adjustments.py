"""Late changes to closed periods become adjustments in the first open period; the closed statement never moves.

Under the test plan (tests/core/commission/data.py), worked out by hand:
  2026-09 A01 frozen: loans 50 → 600.00, deferred 180.00, payable 4420.00
  late import A01 2026-09-20 deposits 10 万元 → +10×20 = +200.00 performance, deferred unchanged → +200.00
  late import A01 2026-09-21 loans 10 万元 → +10×12 = +120.00, deferred +120×0.3 = +36.00 → payable +84.00
  2026-10 A01 credit cards 15 against a target of 12 → 12×30 + 3×45 = 495.00; target 10 → 10×30 + 5×45 = 525.00:
      +30.00
  B01 grade 客户经理助理 → 客户经理: September base 3000 → 4000: +1000.00; October 3000 + 617.29×0.8 = 3493.83 →
      4000 + 617.29 = 4617.29: +1123.46
  plan from 2026-09-01 paying deposits 30 instead of 20: A01 October 150.5 × 10 = +1505.00
A01's November (no logs): base 4000.00 + adjustments.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pandas as pd
import pytest

from core import commission as cm
from core import routines
from core.commission import effects, lifecycle
from core.errors import AppError
from core.scope import SYSTEM
from core.store import audit
from core.store import imports as store_imports
from core.store import logs as store_logs
from tests.core.commission.data import DIRECTOR, MANAGER, PLAN_YAML, ROSTER, plan_text


@pytest.fixture
def closed(bank):
    """September and October closed under the test plan."""
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    lifecycle.close(bank, DIRECTOR, "2026-09")
    lifecycle.close(bank, DIRECTOR, "2026-10")
    return bank


def _frozen(engine):
    return {(p, e): json.dumps(lifecycle.settled_statement(engine, DIRECTOR, e, p).to_dict("zh", with_days=True),
                               ensure_ascii=False, sort_keys=True)
            for p in ("2026-09", "2026-10") for e in ("A01", "A02", "B01")}


def _late(engine, day: str, **values) -> int:
    rows = pd.DataFrame([{"employee_id": "A01", "date": dt.date.fromisoformat(day), **values}])
    return store_logs.apply_daily(engine, SYSTEM, rows, "late.xlsx", "l" * 64).import_id


def _adjs(engine, employee_id="A01", period="2026-11"):
    s = lifecycle.settled_statement(engine, DIRECTOR, employee_id, period)
    return s, [(a["period"], a["amount"], a["deferred"]) for a in s.to_dict()["adjustments"]]


def _grade_up(engine):
    r = ROSTER[ROSTER["employee_id"] == "B01"].assign(grade="客户经理")
    store_logs.apply_roster(engine, SYSTEM, r, "roster2.xlsx", "g" * 64)


def _target_down(engine):
    rows = pd.DataFrame([{"month": "2026-10", "employee_id": "A01", "metric": "credit_cards", "value": 10.0}])
    store_logs.apply_targets(engine, SYSTEM, rows, "targets2.xlsx", "u" * 64)


def _retro_plan(engine):
    pid = cm.upload_plan(engine, DIRECTOR, plan_text("2026-09-01", name="九月新方案", deposit_rate=30))
    effects.activate_plan(engine, DIRECTOR, pid, retroactive=True)


@pytest.mark.parametrize("change, employee_id, expected, payable", [
    (lambda e: _late(e, "2026-09-20", deposits_new=10.0), "A01", [("2026-09", "200.00", "0.00")], "4200.00"),
    (lambda e: _late(e, "2026-09-21", loans_new=10.0), "A01", [("2026-09", "84.00", "36.00")], "4084.00"),
    (_target_down, "A01", [("2026-10", "30.00", "0.00")], "4030.00"),
    (_grade_up, "B01", [("2026-09", "1000.00", "0.00"), ("2026-10", "1123.46", "0.00")], "6123.46"),
    (_retro_plan, "A01", [("2026-10", "1505.00", "0.00")], "5505.00"),
])
def test_closed_statement_survives_and_adjustment_is_carried(closed, change, employee_id, expected, payable):
    before = _frozen(closed)
    change(closed)
    assert _frozen(closed) == before                                  # byte for byte
    s, adjs = _adjs(closed, employee_id)
    assert adjs == expected
    assert (s.status, s.to_dict()["payable"]) == ("open", payable)   # base pay + adjustments (no logs in November)
    assert s.statement.payable == D(payable)


def test_reasons_name_the_import_and_the_days(closed):
    import_id = _late(closed, "2026-09-20", deposits_new=10.0)
    s, _ = _adjs(closed)
    reasons = s.adjustments[0].reasons
    assert {"kind": "days", "metric": "deposits_new", "from": "0", "to": "10", "days": ["2026-09-20"]} in reasons
    assert {"kind": "import", "import_id": import_id, "filename": "late.xlsx", "import_kind": "daily"} in reasons


def test_plan_reason_and_retroactive_refusal(closed):
    pid = cm.upload_plan(closed, DIRECTOR, plan_text("2026-09-01", name="九月新方案", deposit_rate=30))
    with pytest.raises(AppError) as e:
        effects.activate_plan(closed, DIRECTOR, pid)
    assert e.value.key == "commission.pay.retroactive" and "2026-09、2026-10" in e.value.message("zh")
    _replaced, eff = effects.activate_plan(closed, DIRECTOR, pid, retroactive=True)
    assert eff.to_list() == [{"period": "2026-10", "managers": 2, "total": "1905.00", "paid_in": "2026-11",
                              "by_manager": {"A01": "1505.00", "A02": "400.00"}}]
    # A02: deposits 33.333: 666.66 → 999.99 (+333.33), ×1.2: 4408.06 → 4808.06 (+400.00)
    s, _ = _adjs(closed)
    assert s.adjustments[0].reasons[0] == {"kind": "plan", "from": "测试方案", "to": "九月新方案",
                                           "effective_from": "2026-09-01"}


def test_undo_after_a_close_is_a_recovery(closed):
    import_id = _late(closed, "2026-09-20", deposits_new=10.0)
    lifecycle.close(closed, DIRECTOR, "2026-11")                      # pays +200.00
    assert _adjs(closed, period="2026-11")[1] == [("2026-09", "200.00", "0.00")]
    store_imports.undo_import(closed, SYSTEM, import_id)
    s, adjs = _adjs(closed, period="2026-12")
    assert adjs == [("2026-09", "-200.00", "0.00")]                   # 追扣: recomputed 4420 − frozen 4420 − 200
    assert s.adjustments[0].reasons[-1]["kind"] == "undo"
    assert s.to_dict()["payable"] == "3800.00"                        # 4000 − 200


def test_adjustments_sum_across_two_later_closes(closed):
    _late(closed, "2026-09-20", deposits_new=10.0)
    lifecycle.close(closed, DIRECTOR, "2026-11")
    nov = lifecycle.settled_statement(closed, DIRECTOR, "A01", "2026-11")
    assert (nov.status, nov.to_dict()["payable"], nov.to_dict()["adjustments"][0]["amount"]) == \
        ("closed", "4200.00", "200.00")
    _late(closed, "2026-09-21", loans_new=10.0)
    assert _adjs(closed, period="2026-12")[1] == [("2026-09", "84.00", "36.00")]   # 4704 − 4420 − 200
    lifecycle.close(closed, DIRECTOR, "2026-12")
    assert _adjs(closed, period="2026-12")[1] == [("2026-09", "84.00", "36.00")]
    assert _adjs(closed, period="2027-01")[1] == []                   # nothing left to pay
    total = sum(D(a) for p in ("2026-11", "2026-12") for _, a, _ in _adjs(closed, period=p)[1])
    assert total == D("284.00") == D("4704.00") - D("4420.00")       # recomputed − frozen, paid exactly once
    # reopening December discards what it paid: the 84.00 is pending again in December
    lifecycle.reopen(closed, DIRECTOR, "2026-12", "补录")
    assert _adjs(closed, period="2026-12")[1] == [("2026-09", "84.00", "36.00")]


def test_no_adjustment_before_anything_is_closed_and_only_in_first_open_period(bank):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    _late(bank, "2026-09-20", deposits_new=10.0)
    assert _adjs(bank, period="2026-10")[1] == []
    lifecycle.close(bank, DIRECTOR, "2026-09")
    _late(bank, "2026-09-22", deposits_new=1.0)                      # +20.00 for September
    assert _adjs(bank, period="2026-10")[1] == [("2026-09", "20.00", "0.00")]
    assert _adjs(bank, period="2026-11")[1] == []                    # only the first open period pays
    assert lifecycle.settled_statement(bank, MANAGER, "A01", "2026-10").to_dict()["payable"] == "10522.28"


def test_import_effects_before_commit(closed):
    rows = pd.DataFrame([{"employee_id": "A01", "date": dt.date(2026, 9, 20), "deposits_new": 10.0}])
    eff = effects.closed_period_effects(
        closed, DIRECTOR, lambda e: store_logs.apply_daily(e, SYSTEM, rows, "late.xlsx", "l" * 64))
    assert eff.to_list() == [{"period": "2026-09", "managers": 1, "total": "200.00", "paid_in": "2026-11",
                              "by_manager": {"A01": "200.00"}}]
    assert eff.sentences("zh") == ["此次导入将改变已结账的 2026年9月:1 名客户经理合计 +200.00 元,将作为往期调整计入 2026年11月"]
    assert eff.sentences("en") == ["This import changes the closed period 2026-09: managers 1, +CNY 200.00 in "
                                   "total, paid as an adjustment in 2026-11"]
    # nothing was stored
    assert _adjs(closed)[1] == []
    assert store_logs.read_logs(closed, SYSTEM, start=dt.date(2026, 9, 20), end=dt.date(2026, 9, 20)).empty
    # a change outside the closed periods says nothing
    later = rows.assign(date=dt.date(2026, 11, 3))
    assert not effects.closed_period_effects(
        closed, DIRECTOR, lambda e: store_logs.apply_daily(e, SYSTEM, later, "n.xlsx", "n" * 64),
        months=["2026-11"]).any


def test_every_step_is_audited(closed):
    _late(closed, "2026-09-20", deposits_new=10.0)
    lifecycle.close(closed, DIRECTOR, "2026-11")
    a = audit.read_audit(closed, DIRECTOR, action="period_close")
    assert list(a["target"]) == ["2026-11", "2026-10", "2026-09"]
    assert json.loads(a["detail"].iat[0])["adjustments"] == 1


def test_target_split_effects_before_save(closed):
    """The monthly page's target split for a closed month: A01's card target 12 → 10 pays +30.00 (above);
    A02's 8 cards against a new target of 8 pay 8×30 either way: no change."""
    rows = pd.DataFrame([{"employee_id": "A01", "metric": "credit_cards", "value": 10.0},
                         {"employee_id": "A02", "metric": "credit_cards", "value": 8.0}])
    eff = routines.split_effects(closed, DIRECTOR, "零售一队", "2026-10", rows, {"credit_cards": 18.0})
    assert [(p.period, p.managers, str(p.total), p.paid_in) for p in eff.periods] == [("2026-10", 1, "30.00", "2026-11")]
    assert eff.sentences("en", "targets")[0].startswith("This target change changes the closed period 2026-10")
    assert routines.split_effects(closed, DIRECTOR, "零售一队", "2026-12", rows).periods == []   # an open month
    assert _adjs(closed)[1] == []                                                        # nothing stored


# ---------------------------------------------------------------- issue 11 gaps (c), (d), (e)

def test_deferred_difference_is_held_in_the_reserve_of_the_paying_period(closed):
    """Late loans 10 万元 for A01 on 2026-09-21: +120.00 performance, +36.00 deferred (120 × 0.3), the adjustment
    pays the net +84.00 in November. The test plan has no release rule, so every deferral is held:
    before: Sep 180.00 + Oct 720.00 = 900.00 held; after November closes: + 36.00 (as deferred in 2026-11) = 936.00."""
    assert cm.history(closed, DIRECTOR, "A01", "2026-11").reserve_held == D("900.00")
    _late(closed, "2026-09-21", loans_new=10.0)
    lifecycle.close(closed, DIRECTOR, "2026-11")
    h = cm.history(closed, DIRECTOR, "A01", "2026-11")
    assert h.reserve_held == D("936.00")
    rows = h.rows.set_index("period")
    assert (rows.loc["2026-09", "deferred"], rows.loc["2026-11", "deferred"]) == (D("180.00"), D("36.00"))
    assert [(i.period, i.amount) for i in h.instalments if i.period == "2026-11"] == [("2026-11", D("36.00"))]
    assert cm.history(closed, DIRECTOR, "A01", "2026-10").reserve_held == D("900.00")   # not before it is paid


@pytest.mark.parametrize("close_november, total, paid_in", [
    (False, None, None),                 # +200.00 not yet paid: undoing changes no closed period's payable
    (True, "-200.00", "2026-12"),        # paid in November: undo recomputes September 4420 − 4620 = −200.00
])
def test_undo_says_what_it_does_to_closed_periods_before_it_runs(closed, close_november, total, paid_in):
    import_id = _late(closed, "2026-09-20", deposits_new=10.0)
    if close_november:
        lifecycle.close(closed, DIRECTOR, "2026-11")
    eff = effects.undo_effects(closed, DIRECTOR, import_id)
    if total is None:
        # September recomputed with the late row = 4620.00; without it = 4420.00 (the frozen value): −200.00
        assert eff.to_list() == [{"period": "2026-09", "managers": 1, "total": "-200.00", "paid_in": "2026-11",
                                  "by_manager": {"A01": "-200.00"}}]
    else:
        assert eff.to_list() == [{"period": "2026-09", "managers": 1, "total": total, "paid_in": paid_in,
                                  "by_manager": {"A01": total}}]
        assert eff.sentences("zh", "undo") == [
            "此次撤销将改变已结账的 2026年9月:1 名客户经理合计 -200.00 元,将作为往期调整计入 2026年12月"]
    # the dry run stored nothing: the import is still in force
    assert not store_logs.read_logs(closed, SYSTEM, start=dt.date(2026, 9, 20), end=dt.date(2026, 9, 20)).empty
    store_imports.undo_import(closed, SYSTEM, import_id)
    with pytest.raises(AppError) as e:                                 # a refusal is said before the undo
        effects.undo_effects(closed, DIRECTOR, import_id)
    assert e.value.key == "ingest.store.already_undone"


def test_undo_dry_run_cli_prints_closed_period_effects(closed, capsys):
    from core import cli   # local: only this test drives the CLI
    from core.cli import data as data_cli
    import_id = _late(closed, "2026-09-20", deposits_new=10.0)
    lifecycle.close(closed, DIRECTOR, "2026-11")
    rc = cli.main(["--db", closed.test_url, "--json", "undo", str(import_id), "--dry-run"], areas=(data_cli,))
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc == {"ok": True, "dry_run": True, "import_id": import_id, "closed_period_effects": [
        {"period": "2026-09", "managers": 1, "total": "-200.00", "paid_in": "2026-12",
         "by_manager": {"A01": "-200.00"}}]}
    assert not store_logs.read_logs(closed, SYSTEM, start=dt.date(2026, 9, 20), end=dt.date(2026, 9, 20)).empty
    rc = cli.main(["--db", closed.test_url, "--json", "undo", str(import_id)], areas=(data_cli,))
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["status"] == "undone" and doc["closed_period_effects"][0]["total"] == "-200.00"


def test_manual_adjustment_without_a_statement_stays_pending(closed):
    """Z99 is on no roster and has no logs: no statement in November. His manual +50.00 stays pending through
    November's close (in no snapshot, not marked paid) while A01's +30.00 is paid in November."""
    from core.store import pay as store_pay   # local: only this test reads the adjustments table directly
    store_pay.add_manual_adjustment(closed, DIRECTOR, "Z99", "零售一队", "2026-10", 50.0, "补发")
    store_pay.add_manual_adjustment(closed, DIRECTOR, "A01", "零售一队", "2026-10", 30.0, "补发")
    lifecycle.close(closed, DIRECTOR, "2026-11")
    pending = store_pay.read_adjustments(closed, DIRECTOR, pending=True)
    assert list(pending["employee_id"]) == ["Z99"]
    paid = store_pay.read_adjustments(closed, DIRECTOR, paid_in="2026-11")
    assert list(paid["employee_id"]) == ["A01"]
    nov = lifecycle.settled_statement(closed, DIRECTOR, "A01", "2026-11")
    assert nov.to_dict()["payable"] == "4030.00"                      # 4000 base + 30.00
    assert "Z99" not in {s.statement.employee_id for s in lifecycle.settled_statements(closed, DIRECTOR, "2026-11")}
