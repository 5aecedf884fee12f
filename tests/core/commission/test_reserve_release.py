"""The risk reserve released in instalments and forfeited (issue 11 §4): the split, the schedule, the periods
that pay them, the payable, forfeits (追索扣回) and their storage, the history balance and the CLI — pure and on
SQLite and PostgreSQL, every amount worked out by hand.

The bank fixture's A01 defers 180.00 in 2026-09 (loans 50 × 12 × 0.3) and 720.00 in 2026-10 (200 × 12 × 0.3);
his October statement is payable 10502.28 before any release (test_compute's manager A)."""
from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from core import cli
from core import commission as cm
from core.cli import commission as commission_cli
from core.cli import reserve as reserve_cli
from core.commission import forfeits, reserve
from core.commission.plan import ReserveRelease
from core.commission.xlsx import statement_xlsx, xlsx_amounts
from core.errors import AppError, ScopeError
from core.store.audit import read_audit
from tests.core.commission.data import DIRECTOR, LEAD, MANAGER, PLAN_YAML


@pytest.mark.parametrize("amount, n, parts", [
    ("100.00", 3, ["33.33", "33.33", "33.34"]),       # the last takes the remainder
    ("100.00", 1, ["100.00"]),
    ("792.00", 3, ["264.00", "264.00", "264.00"]),
    ("10.00", 6, ["1.67", "1.67", "1.67", "1.67", "1.67", "1.65"]),    # 1.666… → 1.67; 10 − 8.35
    ("0.02", 3, ["0.01", "0.01", "0.00"]),
    ("180.00", 7, ["25.71"] * 6 + ["25.74"]),         # 25.714… → 25.71; 180 − 154.26
    ("0.05", 2, ["0.03", "0.02"]),                    # 0.025 → 0.03 (half up); 0.05 − 0.03
])
def test_split(amount, n, parts):
    got = reserve.split(D(amount), n)
    assert got == [D(p) for p in parts] and sum(got) == D(amount)


@pytest.mark.parametrize("rule, months", [
    (ReserveRelease(12, 12, 3), ["2027-09", "2028-09", "2029-09"]),
    (ReserveRelease(1, 2, 3), ["2026-10", "2026-12", "2027-02"]),
    (ReserveRelease(12, 12, 1), ["2027-09"]),         # reserve_release_after_months: 12
    (None, [reserve.NEVER]),                           # no release rule: held
])
def test_schedule(rule, months):
    inst = reserve.schedule([reserve.Deferral("2026-09", "2026-09", D("180.00"), rule)])
    assert [i.month for i in inst] == months and sum(i.amount for i in inst) == D("180.00")


def _two_deferrals():
    # Sep 180 → 60 in Oct, Dec, Feb; Oct 720 → 240 in Nov, Jan, Mar (first after 1 month, then every 2)
    r = ReserveRelease(1, 2, 3)
    return reserve.schedule([reserve.Deferral("2026-09", "2026-09", D(180), r),
                             reserve.Deferral("2026-10", "2026-10", D(720), r)])


@pytest.mark.parametrize("forfeit, taken, unapplied", [
    # in Nov: instalments due from Nov, earliest first: Oct#1 (Nov) 240 → 100 taken from it
    ([("2026-11", D(100))], {("2026-10", 1): "100"}, "0.00"),
    # 300 in Nov: Oct#1 240, then Sep#2 (Dec) 60
    ([("2026-11", D(300))], {("2026-10", 1): "240", ("2026-09", 2): "60"}, "0.00"),
    # in Oct: Sep#1 (Oct) comes first
    ([("2026-10", D(70))], {("2026-09", 1): "60", ("2026-10", 1): "10"}, "0.00"),
    # more than everything due from Feb (60 + 240 = 300): 50 finds nothing
    ([("2027-02", D(350))], {("2026-09", 3): "60", ("2026-10", 3): "240"}, "50.00"),
    # two forfeits in order: the second takes what the first left
    ([("2026-11", D(200)), ("2026-11", D(50))], {("2026-10", 1): "240", ("2026-09", 2): "10"}, "0.00"),
])
def test_forfeits_take_earliest_due_first(forfeit, taken, unapplied):
    inst, left = reserve.apply_forfeits(_two_deferrals(), forfeit)
    got = {(i.period, i.number): i.forfeited for i in inst if i.forfeited}
    assert got == {k: D(v) for k, v in taken.items()} and left == D(unapplied)


# ================================================================ on the statement and in the history

INSTALMENTS = "reserve_release: {first_after_months: 1, every_months: 2, instalments: 3}\n"


@pytest.mark.parametrize("rule, period, released, payable", [
    # Sep 180 → 60 each in 2026-10, 2026-12, 2027-02; Oct 720 → 240 each in 2026-11, 2027-01, 2027-03
    (INSTALMENTS, "2026-10", "60.00", "10562.28"),       # 10502.28 + 60
    (INSTALMENTS, "2026-11", "240.00", "4240.00"),       # no November logs: base 4000 + 240
    (INSTALMENTS, "2026-12", "60.00", "4060.00"),
    (INSTALMENTS, "2027-01", "240.00", "4240.00"),
    (INSTALMENTS, "2027-03", "240.00", "4240.00"),
    (INSTALMENTS, "2027-04", "0.00", "4000.00"),         # all paid out
    # seven monthly instalments: Sep 25.71 × 6 + 25.74 (Oct 2026 … Apr 2027); Oct 102.86 × 6 + 102.84 (Nov … May)
    ("reserve_release: {first_after_months: 1, every_months: 1, instalments: 7}\n", "2026-11", "128.57",
     "4128.57"),                                          # Sep#2 25.71 + Oct#1 102.86
    ("reserve_release: {first_after_months: 1, every_months: 1, instalments: 7}\n", "2027-04", "128.60",
     "4128.60"),                                          # Sep#7 25.74 + Oct#6 102.86
    ("reserve_release: {first_after_months: 1, every_months: 1, instalments: 7}\n", "2027-05", "102.84",
     "4102.84"),                                          # Oct#7
    # the old key: one instalment after 2 months
    ("reserve_release_after_months: 2\n", "2026-11", "180.00", "4180.00"),
    ("reserve_release_after_months: 2\n", "2026-12", "720.00", "4720.00"),
    ("", "2026-12", "0.00", "4000.00"),                  # no rule: held
])
def test_released_amounts_are_paid(bank, rule, period, released, payable):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + rule, activate=True)
    s = cm.statement(bank, MANAGER, "A01", period)
    assert (s.reserve_released, s.payable) == (D(released), D(payable))
    assert s.to_dict()["reserve_released"] == released
    assert sum(i.paid for i in s.releases) == D(released)
    [same] = [x for x in cm.statements(bank, DIRECTOR, period) if x.employee_id == "A01"]
    assert (same.reserve_released, same.payable) == (D(released), D(payable))


@pytest.mark.parametrize("upto, held, released", [
    ("2026-10", "840.00", "60.00"),      # 900 − Sep#1
    ("2026-12", "540.00", "360.00"),     # 60 + 240 + 60
    ("2027-03", "0.00", "900.00"),
])
def test_history_balance(bank, upto, held, released):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + INSTALMENTS, activate=True)
    h = cm.history(bank, MANAGER, "A01", upto)
    assert (h.reserve_held, h.reserve_released, h.reserve_forfeited) == (D(held), D(released), D("0.00"))


def test_forfeit_flow(bank):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + INSTALMENTS, activate=True)
    # as of November everything from Nov on is unreleased: 900 − Sep#1 60 = 840
    assert forfeits.unreleased(bank, DIRECTOR, "A01", "2026-11") == D("840.00")
    fid = forfeits.forfeit_reserve(bank, DIRECTOR, "A01", "100", "贷款 XD-118 逾期转不良", month="2026-11")
    # November's instalment Oct#1 240 loses 100: 140 paid; payable 4000 + 140
    s = cm.statement(bank, MANAGER, "A01", "2026-11")
    assert (s.reserve_released, s.payable) == (D("140.00"), D("4140.00"))
    assert "已追索扣回 100.00 元" in s.to_dict("zh")["reserve_released_lines"][0]["how"]
    h = cm.history(bank, MANAGER, "A01", "2026-11")
    # released 60 (Oct) + 140 (Nov) = 200; forfeited 100; held 900 − 200 − 100 = 600
    assert (h.reserve_held, h.reserve_released, h.reserve_forfeited) == (D("600.00"), D("200.00"), D("100.00"))
    assert list(h.forfeits["id"]) == [fid] and h.forfeits["reason"].iloc[0] == "贷款 XD-118 逾期转不良"
    # everything still held from December (Sep#2 60 + Oct#2 240 + Sep#3 60 + Oct#3 240 = 600) can go, not a cent more
    with pytest.raises(AppError) as e:
        forfeits.forfeit_reserve(bank, DIRECTOR, "A01", "600.01", "再扣", month="2026-12")
    assert e.value.key == "commission.reserve.too_much" and "600.00" in e.value.message("en")
    forfeits.forfeit_reserve(bank, DIRECTOR, "A01", "600.00", "全部扣回", month="2026-12")
    # forfeited amounts are never released
    for period in ("2026-12", "2027-01", "2027-02", "2027-03"):
        s = cm.statement(bank, DIRECTOR, "A01", period)
        assert (s.reserve_released, s.payable) == (D("0.00"), D("4000.00")), period
    h = cm.history(bank, DIRECTOR, "A01", "2027-03")
    assert (h.reserve_held, h.reserve_released, h.reserve_forfeited) == (D("0.00"), D("200.00"), D("700.00"))
    audit = read_audit(bank, DIRECTOR, action="reserve_forfeit")
    assert len(audit) == 2 and set(audit["target"]) == {"A01"}
    # the manager sees his own forfeits; other managers' are not his to list
    assert len(forfeits.list_forfeits(bank, MANAGER)) == 2


@pytest.mark.parametrize("scope, amount, reason, month, key", [
    (LEAD, "100", "x", "2026-11", "commission.reserve.director_only"),
    (MANAGER, "100", "x", "2026-11", "commission.reserve.director_only"),
    (DIRECTOR, "100", "  ", "2026-11", "commission.reserve.no_reason"),
    (DIRECTOR, "100", "x" * 501, "2026-11", "commission.reserve.reason_too_long"),
    (DIRECTOR, "0", "x", "2026-11", "commission.reserve.bad_amount"),
    (DIRECTOR, "-5", "x", "2026-11", "commission.reserve.bad_amount"),
    (DIRECTOR, "1.234", "x", "2026-11", "commission.reserve.bad_amount"),
    (DIRECTOR, "abc", "x", "2026-11", "commission.reserve.bad_amount"),
    (DIRECTOR, "NaN", "x", "2026-11", "commission.reserve.bad_amount"),
    (DIRECTOR, "100", "x", "2026-13", "commission.reserve.bad_month"),
    (DIRECTOR, "840.01", "x", "2026-11", "commission.reserve.too_much"),     # 840.00 unreleased
])
def test_forfeit_refused(bank, scope, amount, reason, month, key):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + INSTALMENTS, activate=True)
    with pytest.raises((AppError, ScopeError)) as e:
        forfeits.forfeit_reserve(bank, scope, "A01", amount, reason, month=month)
    assert e.value.key == key
    assert e.value.message("zh") and e.value.message("en")
    assert forfeits.list_forfeits(bank, DIRECTOR).empty                      # nothing stored


# ================================================================ CLI

def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        rc = cli.main(list(argv), areas=(commission_cli, reserve_cli))
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_json(bank, capsys):
    multiplier = ("attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, "
                  "{factor: 1.1}]}\n")
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML + INSTALMENTS + multiplier, activate=True)
    rc, out, _ = run(capsys, "--db", bank.test_url, "--json", "reserve", "forfeit", "A01", "--amount", "100",
                     "--reason", "贷款转不良", "--month", "2026-11")
    assert rc == 0
    got = json.loads(out)
    # October's deferral under the factor 1.1 (cards 15/12 capped 1.2): 2400 × 1.1 × 0.3 = 792 → 264 × 3;
    # unreleased in Nov: Sep#2,#3 120 + 792 = 912; − 100 = 812
    assert {k: got[k] for k in ("ok", "employee_id", "month", "amount", "held")} == \
        {"ok": True, "employee_id": "A01", "month": "2026-11", "amount": "100.00", "held": "812.00"}
    rc, out, _ = run(capsys, "--db", bank.test_url, "--json", "reserve", "list")
    [row] = json.loads(out)
    assert (row["employee_id"], row["amount"], row["reason"], row["created_by"]) == ("A01", "100.00", "贷款转不良",
                                                                                    "system")
    rc, out, _ = run(capsys, "--db", bank.test_url, "--json", "commission", "--period", "2026-10", "--manager", "A01")
    [s] = json.loads(out)
    # 8164.51 − 200 = 7964.51 performance; − 792 reserve + 60 (Sep#1) + base 4000 = 11232.51
    assert (s["attainment"], s["factor"], s["reserve_released"], s["payable"]) == ("1.2", "1.1", "60.00", "11232.51")
    # the workbook carries the same lines
    book = xlsx_amounts(statement_xlsx(cm.statement(bank, DIRECTOR, "A01", "2026-10")))
    assert (book["factor"], book["reserve_released:2026-09:1"], book["payable"]) == ("1.1", "60.00", "11232.51")
    rc, out, _ = run(capsys, "--db", bank.test_url, "--json", "commission", "--period", "2026-11", "--manager", "A01")
    [s] = json.loads(out)
    # Nov: Oct#1 264 − 100 forfeited = 164; no targets in November → no composite, factor 1
    assert (s["attainment"], s["factor"], s["reserve_released"], s["payable"]) == (None, "1", "164.00", "4164.00")
    rc, _out, err = run(capsys, "--db", bank.test_url, "reserve", "forfeit", "A01", "--amount", "9999",
                        "--reason", "x", "--month", "2026-11")
    assert rc == 1 and "812.00" in err
    rc, out, _ = run(capsys, "--db", bank.test_url, "--lang", "en", "commission", "--period", "2026-10",
                     "--manager", "A01")
    assert "Attainment factor" in out and "Risk reserve released" in out and "instalment 1 of 3" in out
