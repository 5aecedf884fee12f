"""CLI: ``period list|close|reopen|review``, ``inquiries list``, ``commission --json`` status and adjustments,
``plans activate --retroactive`` and the import's ``closed_period_effects``.

Under the test plan: A01's September payable 4420.00; a late September row of 10 万元 new deposits adds
10×20 = 200.00, paid in November (no logs: base pay 4000.00 + 200.00 = 4200.00).
"""
from __future__ import annotations

import json

import pytest

from core import cli
from core import commission as cm
from core.cli import commission as commission_cli
from core.cli import data as data_cli
from core.cli import inquiries as inquiries_cli
from core.cli import period as period_cli
from core.commission import inquiries as inq
from tests.core.commission.data import DIRECTOR, MANAGER, PLAN_YAML, plan_text

AREAS = (commission_cli, period_cli, inquiries_cli, data_cli)


def run(capsys, engine, *argv) -> tuple[int, str, str]:
    try:
        rc = cli.main(["--db", engine.test_url, *argv], areas=AREAS)
    except SystemExit as exc:   # argparse usage errors
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def paid(bank):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    return bank


def test_period_commands(paid, capsys):
    rc, out, _ = run(capsys, paid, "period", "list", "--json")
    assert (rc, [(r["period"], r["status"]) for r in json.loads(out)]) == (0, [("2026-09", "open"), ("2026-10", "open")])
    rc, out, err = run(capsys, paid, "period", "close", "2026-10", "--json")
    assert rc == 1 and "2026-09" in json.loads(out)["error"]                  # earlier period open
    rc, out, _ = run(capsys, paid, "period", "close", "2026-09", "--json")
    assert rc == 0 and json.loads(out)["statements"] == 3
    rc, out, _ = run(capsys, paid, "period", "review", "2026-10", "--until", "2026-11-05", "--json")
    assert rc == 0
    rc, out, _ = run(capsys, paid, "period", "list", "--json")
    assert [(r["period"], r["status"]) for r in json.loads(out)] == [("2026-09", "closed"), ("2026-10", "in_review")]
    rc, _, err = run(capsys, paid, "period", "reopen", "2026-09")
    assert rc == 2 and "--reason" in err                                       # usage
    rc, out, _ = run(capsys, paid, "--lang", "en", "period", "reopen", "2026-09", "--reason", "recount")
    assert rc == 0 and out.strip() == "2026-09 reopened."
    rc, out, _ = run(capsys, paid, "period", "list")
    assert out.splitlines()[0].split()[:2] == ["2026-09", "未结账(测算中)"]


def test_commission_json_status_and_adjustments(paid, capsys, tmp_path):
    assert run(capsys, paid, "period", "close", "2026-09")[0] == 0
    assert run(capsys, paid, "period", "close", "2026-10")[0] == 0
    late = tmp_path / "late.csv"
    late.write_text("日期,工号,新增存款(万元)\n2026-09-20,A01,10\n", encoding="utf-8")
    rc, out, _ = run(capsys, paid, "import", str(late), "--dry-run", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["closed_period_effects"] == [
        {"period": "2026-09", "managers": 1, "total": "200.00", "paid_in": "2026-11", "by_manager": {"A01": "200.00"}}]
    rc, out, _ = run(capsys, paid, "import", str(late), "--dry-run")
    assert "此次导入将改变已结账的 2026年9月:1 名客户经理合计 +200.00 元,将作为往期调整计入 2026年11月" in out
    assert run(capsys, paid, "import", str(late))[0] == 0
    rc, out, _ = run(capsys, paid, "commission", "--period", "2026-09", "--manager", "A01", "--json")
    [s] = json.loads(out)
    assert (s["status"], s["payable"], s["closed_by"], s["adjustments"]) == ("closed", "4420.00", "system", [])
    rc, out, _ = run(capsys, paid, "commission", "--period", "2026-11", "--json")
    docs = {d["employee_id"]: d for d in json.loads(out)}
    assert docs["A01"]["status"] == "open" and docs["A01"]["payable"] == "4200.00"
    assert [(a["period"], a["amount"]) for a in docs["A01"]["adjustments"]] == [("2026-09", "200.00")]
    assert docs["A01"]["adjustments"][0]["reasons"][0]["kind"] == "days"
    assert docs["A02"]["adjustments"] == [] and docs["A02"]["payable"] == "5500.00"
    rc, out, _ = run(capsys, paid, "commission", "--period", "2026-11", "--manager", "A01")
    assert "2026-09 往期调整" in out and "200.00 元" in out


def test_retroactive_activation(paid, capsys, tmp_path):
    run(capsys, paid, "period", "close", "2026-09")
    pid = cm.upload_plan(paid, DIRECTOR, plan_text("2026-09-01", name="新方案", deposit_rate=30))
    rc, out, _ = run(capsys, paid, "plans", "activate", str(pid), "--json")
    assert rc == 1 and "2026-09" in json.loads(out)["error"]
    rc, out, _ = run(capsys, paid, "plans", "activate", str(pid), "--retroactive", "--json")
    assert rc == 0 and json.loads(out)["closed_period_effects"] == []   # no September deposits: no change


def test_inquiries_list(paid, capsys):
    a = inq.raise_question(paid, MANAGER, "A01", "2026-10", "贷款少算")
    inq.raise_question(paid, MANAGER, "A01", "2026-09", "整体有疑问")
    inq.answer(paid, DIRECTOR, a, "explained", "按方案无误")
    rc, out, _ = run(capsys, paid, "inquiries", "list", "--json")
    rows = json.loads(out)
    assert rc == 0 and [(r["period"], r["status"]) for r in rows] == [("2026-09", "open"), ("2026-10", "explained")]
    rc, out, _ = run(capsys, paid, "inquiries", "list", "--open", "--json")
    assert [r["text"] for r in json.loads(out)] == ["整体有疑问"]
    rc, out, _ = run(capsys, paid, "inquiries", "list", "--open", "--team", "对公一队", "--json")
    assert json.loads(out) == []
