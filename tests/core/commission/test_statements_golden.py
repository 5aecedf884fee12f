"""The month's statements, recorded: run_period / statements / settled_statements on the demo bank under a plan using
日均, tiers, the attainment multiplier and reserve instalments, for a director and a team lead, compared with the
golden JSON produced by the code before the batch read of issue 12 (tests/core/commission/golden/statements.json).

A rewrite of how statements are read may change speed, never a cent: every line (quantity, amount, how, days),
every deduction, the factor, deferred and released amounts, payable, status and adjustments must stay as recorded.
Regenerate only for an intended change of results: ``GOLDEN_WRITE=1 pytest tests/core/commission/test_statements_golden.py``
(SQLite), and say why in the commit.

The fixture: the demo bank ending 2026-11-20 (first logged month 2026-05); May and June closed; then a late June row
for the first manager (loans +25 万元, deposit balance +300 万元 on 2026-06-29), so July (the first open period)
carries an adjustment with a deferred part; November releases the instalments of August–October.
"""
from __future__ import annotations

import datetime as dt
import time
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from core import commission as cm
from core import demo
from core.commission import lifecycle
from core.scope import SYSTEM, Scope
from core.store import logs as store_logs

GOLDEN = Path(__file__).parent / "golden" / "statements.json"
END = dt.date(2026, 11, 20)
PLAN = cm.SAMPLE_PLAN.read_text(encoding="utf-8")
EXTRA_ITEM = "  - metric: deposit_balance\n    measure: avg_daily_increase\n    base: previous_period\n    rate: 0.5\n"
EXTRA = ("attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, "
         "{factor: 1.1}]}\nreserve_release: {first_after_months: 1, every_months: 1, instalments: 3}\n")
DIRECTOR = Scope("director", username="boss")
PERIODS = ("2026-06", "2026-07", "2026-11")


def golden_plan() -> str:
    text = PLAN.replace("items:\n", "items:\n" + EXTRA_ITEM, 1)
    lines = [ln for ln in text.splitlines() if not ln.startswith(("attainment_multiplier:", "reserve_release:",
                                                                  "reserve_release_after_months:"))]
    return "\n".join(lines) + "\n" + EXTRA


def _next_second() -> None:
    start = dt.datetime.now().replace(microsecond=0)
    while dt.datetime.now().replace(microsecond=0) == start:
        time.sleep(0.05)


def build(engine) -> str:
    """Load the fixture into `engine`; returns the team lead's team."""
    demo.load_demo(engine, end=END)
    cm.upload_plan(engine, DIRECTOR, golden_plan(), activate=True)
    # The store keeps whole seconds and an adjustment names the imports made from its close's second on: let that
    # second pass, so the demo's own imports are never named as reasons, however fast the machine is.
    _next_second()
    lifecycle.close(engine, DIRECTOR, "2026-05")
    lifecycle.close(engine, DIRECTOR, "2026-06")
    roster = store_logs.read_roster(engine, SYSTEM).sort_values("employee_id")
    first = roster.iloc[0]
    late = pd.DataFrame([{"employee_id": first["employee_id"], "date": dt.date(2026, 6, 29), "loans_new": 25.0,
                          "deposit_balance": 300.0}])
    store_logs.apply_daily(engine, SYSTEM, late, "late.xlsx", "g" * 64)
    return str(first["team"])


def _stable(d: dict) -> dict:
    """The close time differs from run to run: recorded as whether it is set."""
    return {**d, "closed_at": d.get("closed_at") is not None}


def record(engine, team: str) -> dict:
    lead = Scope("team_lead", username="lead", team=team)
    out = {}
    for who, scope in (("director", DIRECTOR), ("team_lead", lead)):
        for p in PERIODS:
            run = cm.run_period(engine, scope, p)
            out[f"{who} run_period {p}"] = {
                "statements": [s.to_dict("zh", with_days=True) for s in run.statements],
                "errors": [e.message("zh") for e in run.errors]}
            out[f"{who} statements {p} en"] = [s.to_dict("en") for s in cm.statements(engine, scope, p)]
            out[f"{who} settled {p}"] = [_stable(s.to_dict("zh"))
                                         for s in lifecycle.settled_statements(engine, scope, p)]
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))


@pytest.fixture
def golden_bank(engine):
    return engine, build(engine)


def test_statements_equal_the_golden_record(golden_bank):
    engine, team = golden_bank
    got = record(engine, team)
    if os.environ.get("GOLDEN_WRITE") and engine.dialect.name == "sqlite":
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == want[key], key


def test_the_record_covers_what_it_claims():
    """The golden file is not trivial: 日均 lines, a factor other than 1, releases, tiers, an adjustment, closed."""
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    nov = want["director settled 2026-11"]
    assert len(nov) >= 30
    assert any(ln["measure"] == "avg_daily_increase" and ln["avg_daily"] != "0.00" for s in nov for ln in s["lines"])
    assert {s["factor"] for s in nov} - {"1"}
    assert any(s["reserve_released"] != "0.00" for s in nov)
    assert any(ln["kind"] == "marginal" and len(ln["how"].split(" + ")) > 1 for s in nov for ln in s["lines"])
    assert all(s["status"] == "open" for s in nov)
    july = want["director settled 2026-07"]
    assert any(a["deferred"] != "0.00" for s in july for a in s["adjustments"])
    assert all(s["status"] == "closed" for s in want["director settled 2026-06"])
    assert 0 < len(want["team_lead run_period 2026-11"]["statements"]) < len(want["director run_period 2026-11"]["statements"])
