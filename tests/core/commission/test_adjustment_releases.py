"""The deferred difference of an adjustment (往期调整) is released on the later statements that its paying period's
schedule names, exactly once (issue 11 §2 with §4's reserve_release), on SQLite and PostgreSQL.

Worked by hand on the bank fixture (tests/core/commission/data.py), test plan + a reserve_release rule:
  September (A01, loans 50 万元) closed: 50 × 12 = 600.00, deferred 600 × 0.3 = 180.00.
  October (A01, loans 200 万元) closed: 200 × 12 = 2,400.00, deferred 720.00.
  late import A01 2026-09-21 loans 10.01 万元 → September recomputed: 60.01 × 12 = 720.12, deferred
      720.12 × 0.3 = 216.036 → 216.04: the adjustment paid in November (Q) carries the net
      +120.12 − 36.04 = +84.08 and holds the deferred difference X = 216.04 − 180.00 = 36.04 as deferred in Q.
  X in 3 instalments: 36.04 / 3 = 12.0133… → 12.01, 12.01 and the remainder 36.04 − 24.02 = 12.02.
  September's own instalments stay on its frozen 180.00 (60.00 each), never on the recomputed 216.04 (72.01 each):
  together 180.00 + 720.00 + 36.04 = 936.04 is released, no cent twice.
A01 has no logs after October: every later payable is base 4,000.00 + what is released (+ adjustments).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pandas as pd
import pytest

from core import commission as cm
from core.commission import forfeits, inputs, lifecycle
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.core.commission.data import DIRECTOR, MANAGER, PLAN_YAML

YEARLY = "reserve_release: {first_after_months: 12, every_months: 12, instalments: 3}\n"
MONTHLY = "reserve_release: {first_after_months: 1, every_months: 1, instalments: 3}\n"


def _adjusted(bank, rule: str):
    """Sep and Oct closed, the late September loans imported, November closed paying the adjustment."""
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + rule, activate=True)
    lifecycle.close(bank, DIRECTOR, "2026-09")
    lifecycle.close(bank, DIRECTOR, "2026-10")
    rows = pd.DataFrame([{"employee_id": "A01", "date": dt.date(2026, 9, 21), "loans_new": 10.01}])
    store_logs.apply_daily(bank, SYSTEM, rows, "late.xlsx", "l" * 64)
    nov = lifecycle.settled_statement(bank, DIRECTOR, "A01", "2026-11")
    assert [(a.period, a.amount, a.deferred) for a in nov.adjustments] == [("2026-09", D("84.08"), D("36.04"))]
    lifecycle.close(bank, DIRECTOR, "2026-11")
    return bank


@pytest.fixture
def yearly(bank):
    return _adjusted(bank, YEARLY)


@pytest.mark.parametrize("period, lines, payable", [
    ("2027-08", [], "4000.00"),
    # 12 months after September: its frozen 180.00 / 3, not the recomputed 216.04 / 3 = 72.01
    ("2027-09", [("2026-09", 1, "60.00")], "4060.00"),
    # 11 months after Q: October's first instalment only, nothing of X yet
    ("2027-10", [("2026-10", 1, "240.00")], "4240.00"),
    # exactly first_after_months (12) after Q: X's first instalment
    ("2027-11", [("2026-11", 1, "12.01")], "4012.01"),
    ("2027-12", [], "4000.00"),
    ("2028-11", [("2026-11", 2, "12.01")], "4012.01"),          # + every_months
    ("2029-09", [("2026-09", 3, "60.00")], "4060.00"),
    ("2029-11", [("2026-11", 3, "12.02")], "4012.02"),          # the last takes the remainder 36.04 − 24.02
    ("2029-12", [], "4000.00"),                                 # all paid out
])
def test_adjustment_deferral_is_released_on_its_schedule(yearly, period, lines, payable):
    s = cm.statement(yearly, MANAGER, "A01", period)
    assert [(i.period, i.number, str(i.paid)) for i in s.releases] == lines
    assert s.payable == D(payable)
    [same] = [x for x in cm.statements(yearly, DIRECTOR, period) if x.employee_id == "A01"]   # the batch path
    assert ([(i.period, i.number, str(i.paid)) for i in same.releases], same.payable) == (lines, D(payable))


@pytest.mark.parametrize("upto, held, released", [
    ("2026-11", "936.04", "0.00"),               # 180 + 720 + 36.04 deferred, nothing due yet
    ("2027-10", "636.04", "300.00"),             # 60 + 240
    ("2027-11", "624.03", "312.01"),             # + 12.01
    ("2029-11", "0.00", "936.04"),               # X's last instalment: every cent once
])
def test_reserve_balance_agrees_with_the_statements(yearly, upto, held, released):
    h = cm.history(yearly, MANAGER, "A01", upto)
    assert (h.reserve_held, h.reserve_released) == (D(held), D(released))


def test_never_paid_twice(yearly):
    """Summed over every statement from December 2026 to December 2029: exactly 936.04 released (36 monthly
    statements, each computed alone), and each instalment of X appears on one statement only."""
    seen, total = [], D(0)
    month = "2026-12"
    while month <= "2029-12":
        s = cm.statement(yearly, MANAGER, "A01", month)
        seen += [(i.period, i.number) for i in s.releases]
        total += s.reserve_released
        month = (pd.Period(month, "M") + 1).strftime("%Y-%m")
    assert total == D("936.04") - D("0.00")          # Sep 180 + Oct 720 + X 36.04 (nothing released in Nov)
    assert len(seen) == len(set(seen)) == 9          # 3 instalments × (Sep, Oct, X)


@pytest.mark.parametrize("amount, nov_2027, sep_2028, forfeited", [
    # a forfeit recorded in 2027-11 takes the earliest instalment due from then: X#1 12.01
    ("5.00", [("2026-11", 1, "7.01")], "60.00", "5.00"),
    # 20.00: X#1 12.01 entirely, then September's second (2028-09) 60.00 − 7.99 = 52.01
    ("20.00", [], "52.01", "20.00"),
])
def test_forfeit_reduces_the_adjustment_deferral(yearly, amount, nov_2027, sep_2028, forfeited):
    forfeits.forfeit_reserve(yearly, DIRECTOR, "A01", amount, "贷款 XD-7 转不良", month="2027-11")
    s = cm.statement(yearly, MANAGER, "A01", "2027-11")
    assert [(i.period, i.number, str(i.paid)) for i in s.releases] == nov_2027
    assert cm.statement(yearly, MANAGER, "A01", "2028-09").reserve_released == D(sep_2028)
    h = cm.history(yearly, MANAGER, "A01", "2029-11")
    assert (h.reserve_released, h.reserve_forfeited) == (D("936.04") - D(forfeited), D(forfeited))


# ---------------------------------------------------------------- releasing in a closed period

def test_closed_periods_release_from_their_snapshots(bank, monkeypatch):
    """Monthly schedule (1, 1, 3). Sep 180 → 60 in Oct, Nov, Dec; Oct 720 → 240 in Nov, Dec, Jan; X (paid in Nov)
    36.04 → 12.01 Dec, 12.01 Jan, 12.02 Feb. November was closed paying 60 + 240 = 300.00 and the +84.08.
    December: 60 + 240 + 12.01 = 312.01 → 4,312.01, closed; read back from its snapshot even when no release can
    be recomputed; no later close finds an adjustment (a recomputed September deferral would have made one)."""
    _adjusted(bank, MONTHLY)
    nov = lifecycle.settled_statement(bank, DIRECTOR, "A01", "2026-11")
    assert (nov.statement.reserve_released, nov.statement.payable) == (D("300.00"), D("4384.08"))
    dec = lifecycle.settled_statement(bank, DIRECTOR, "A01", "2026-12")
    assert (dec.statement.reserve_released, dec.statement.payable, dec.adjustments) == (D("312.01"), D("4312.01"), [])
    lifecycle.close(bank, DIRECTOR, "2026-12")

    def refuse(*_a, **_k):
        raise AssertionError("a closed period's releases are never recomputed")

    with monkeypatch.context() as mp:
        mp.setattr(inputs, "releases", refuse)
        frozen = lifecycle.settled_statement(bank, DIRECTOR, "A01", "2026-12")
    assert [(i.period, i.number, str(i.paid)) for i in frozen.statement.releases] == [
        ("2026-09", 3, "60.00"), ("2026-10", 2, "240.00"), ("2026-11", 1, "12.01")]
    assert frozen.status == "closed" and frozen.statement.payable == D("4312.01")
    jan = lifecycle.settled_statement(bank, DIRECTOR, "A01", "2027-01")
    assert (jan.statement.reserve_released, jan.adjustments) == (D("252.01"), [])      # 240 + 12.01
    lifecycle.close(bank, DIRECTOR, "2027-01")
    feb = lifecycle.settled_statement(bank, DIRECTOR, "A01", "2027-02")
    assert (feb.statement.reserve_released, feb.adjustments) == (D("12.02"), [])
    h = cm.history(bank, MANAGER, "A01", "2027-03")
    assert (h.reserve_held, h.reserve_released) == (D("0.00"), D("936.04"))
