"""CLI: ``python -m core commission`` JSON output, exit codes, --as scoping, plans sub-commands; the .xlsx
statement agrees with the CLI's JSON to the cent."""
from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from core import cli
from core import commission as cm
from core.cli import commission as commission_cli
from core.commission.xlsx import xlsx_amounts
from tests.core.commission.data import DIRECTOR, PLAN_YAML

MONEY_KEYS = ("base_pay", "gross", "deductions", "performance", "deferred", "payable")


@pytest.fixture
def plan_file(tmp_path):
    p = tmp_path / "plan.yaml"
    p.write_text(PLAN_YAML, encoding="utf-8")
    return p


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        # only this area's commands, so these tests do not depend on other areas' CLI modules
        rc = cli.main(list(argv), areas=(commission_cli,))
    except SystemExit as exc:   # argparse usage errors
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def test_json_statement_for_one_manager(bank, capsys, plan_file):
    rc, out, _ = run(capsys, "--db", bank.test_url, "commission", "--period", "2026-10", "--manager", "A01",
                     "--plan", str(plan_file), "--json")
    assert rc == 0
    [s] = json.loads(out)
    assert {k: s[k] for k in ("employee_id", "period", *MONEY_KEYS, "coefficient")} == {
        "employee_id": "A01", "period": "2026-10",
        "base_pay": "4000.00", "gross": "7422.28",          # 3010+2400+495+900+617.28
        "deductions": "200.00", "performance": "7222.28",   # 7422.28×1.0 − 1×200
        "deferred": "720.00", "payable": "10502.28",        # 2400×0.3 ; 4000+7222.28−720
        "coefficient": "1"}
    lines = {ln["metric"]: ln for ln in s["lines"]}
    assert lines["credit_cards"] == {**lines["credit_cards"], "quantity": "15", "amount": "495.00",
                                     "how": "12 张 × 30 元 + 3 张 × 45 元(目标 12 张)"}
    assert lines["deposits_new"]["quantity"] == "150.5"


def test_json_all_visible_managers_and_days(bank, capsys, plan_file):
    rc, out, _ = run(capsys, "--db", bank.test_url, "--json", "commission", "--period", "2026-10",
                     "--plan", str(plan_file), "--days")
    assert rc == 0
    data = {s["employee_id"]: s for s in json.loads(out)}
    assert {k: v["payable"] for k, v in data.items()} == {
        "A01": "10502.28", "A02": "9476.04", "B01": "3493.83"}   # hand-worked in test_commission
    dep = next(ln for ln in data["A01"]["lines"] if ln["metric"] == "deposits_new")
    assert dep["days"] == [{"date": "2026-10-09", "value": "100.25"}, {"date": "2026-10-20", "value": "50.25"}]


def test_plan_in_force_without_plan_option(bank, capsys):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    rc, out, _ = run(capsys, "--db", bank.test_url, "commission", "--period", "2026-10", "--manager", "A02", "--json")
    assert rc == 0 and json.loads(out)[0]["payable"] == "9476.04"


def test_quarterly_period(bank, capsys, tmp_path):
    p = tmp_path / "q.yaml"
    p.write_text(PLAN_YAML.replace("settlement: monthly", "settlement: quarterly"), encoding="utf-8")
    rc, out, _ = run(capsys, "--db", bank.test_url, "commission", "--period", "2026-Q4", "--manager", "A01",
                     "--plan", str(p), "--json")
    [s] = json.loads(out)
    assert rc == 0 and (s["period"], s["base_pay"], s["payable"]) == ("2026-Q4", "12000.00", "18502.28")
    # 4000×3 ; 12000 + 7222.28 − 720


@pytest.mark.parametrize("argv, code, message", [
    (["commission", "--period", "2026-13"], 2, ""),                                  # not a period: usage
    (["commission", "--period", "2026-Q3", "--plan", "{plan}"], 1, "settles monthly"),  # quarter vs monthly plan
    (["commission", "--period", "2026-10", "--manager", "NOPE", "--plan", "{plan}"], 1, "not on the roster"),
    (["commission", "--period", "2026-10", "--plan", "{bad}"], 1, "line 11: items[1].deferred_share"),
    (["commission", "--period", "2026-10", "--plan", "{missing}"], 1, "not found"),
    (["commission", "--period", "2026-10", "--xlsx", "x.xlsx"], 2, "--manager"),
])
def test_exit_codes(bank, capsys, tmp_path, plan_file, argv, code, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN_YAML.replace("deferred_share: 0.3", "deferred_share: 3"), encoding="utf-8")
    argv = [a.format(plan=plan_file, bad=bad, missing=tmp_path / "none.yaml") for a in argv]
    rc, out, err = run(capsys, "--db", bank.test_url, "--lang", "en", *argv)
    assert rc == code
    assert message in out + err


def test_json_error_shape(bank, capsys, plan_file):
    rc, out, _ = run(capsys, "--db", bank.test_url, "--lang", "en", "commission", "--period", "2026-Q3",
                     "--plan", str(plan_file), "--json")
    assert rc == 1 and json.loads(out)["ok"] is False and "2026-10" in json.loads(out)["error"]


def test_manager_account_gets_only_his_statement(bank, capsys, plan_file):
    from core import auth
    auth.create_user(bank, DIRECTOR, "zhangwei", "张伟", role="manager", employee_id="A01",
                     password="Secret-pass-123-xyz")
    rc, out, _ = run(capsys, "--db", bank.test_url, "--as", "zhangwei", "commission", "--period", "2026-10",
                     "--plan", str(plan_file), "--json")
    assert rc == 0 and [s["employee_id"] for s in json.loads(out)] == ["A01"]
    rc, out, err = run(capsys, "--db", bank.test_url, "--as", "zhangwei", "commission", "--period", "2026-10",
                       "--manager", "A02", "--plan", str(plan_file), "--json")
    assert rc == 1 and "A02" in out


def test_xlsx_equals_cli_json_to_the_cent(bank, capsys, plan_file, tmp_path):
    x = tmp_path / "s.xlsx"
    for eid in ("A01", "A02", "B01"):
        rc, out, _ = run(capsys, "--db", bank.test_url, "commission", "--period", "2026-10", "--manager", eid,
                         "--plan", str(plan_file), "--xlsx", str(x), "--json")
        assert rc == 0
        [s] = json.loads(out)
        values = xlsx_amounts(x.read_bytes())
        for key in MONEY_KEYS:
            assert values[key] == s[key], (eid, key)
        for ln in s["lines"]:
            assert values[f"line:{ln['metric']}"] == ln["amount"], (eid, ln["metric"])
        assert D(values["coefficient"]) == D(s["coefficient"])


def test_text_output_lists_the_steps(bank, capsys, plan_file):
    rc, out, _ = run(capsys, "--db", bank.test_url, "--lang", "en", "commission", "--period", "2026-10",
                     "--manager", "A01", "--plan", str(plan_file))
    assert rc == 0
    assert "10502.28" in out and "Payable" in out and "12 × CNY 30 + 3 × CNY 45" in out


def test_plans_commands(bank, capsys, plan_file, tmp_path):
    url = bank.test_url
    rc, out, _ = run(capsys, "--db", url, "plans", "check", str(plan_file), "--month", "2026-10", "--json")
    data = json.loads(out)
    # the plan in force is the sample plan (nothing activated); the new one is the test plan
    assert rc == 0 and data["period"] == "2026-10"
    new = {r["employee_id"]: r["new_payable"] for r in data["managers"]}
    assert new == {"A01": "10502.28", "A02": "9476.04", "B01": "3493.83"}
    rc, out, _ = run(capsys, "--db", url, "plans", "upload", str(plan_file), "--json")
    pid = json.loads(out)["plan_id"]
    assert rc == 0
    rc, out, _ = run(capsys, "--db", url, "plans", "activate", str(pid), "--json")
    assert rc == 0 and json.loads(out)["ok"]
    rc, out, _ = run(capsys, "--db", url, "plans", "list", "--json")
    assert [(p["id"], p["active"]) for p in json.loads(out)] == [(pid, True)]
    rc, out, _ = run(capsys, "--db", url, "plans", "show", str(pid))
    assert rc == 0 and "测试方案" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN_YAML.replace("settlement: monthly", "settlement: weekly"), encoding="utf-8")
    rc, out, err = run(capsys, "--db", url, "--lang", "en", "plans", "upload", str(bad))
    assert rc == 1 and "line 3: settlement" in err
    rc, out, err = run(capsys, "--db", url, "plans", "activate", "999")
    assert rc == 1
