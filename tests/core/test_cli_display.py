"""``python -m core display``: create (address printed once), list, revoke, with --json."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from core import display
from core import cli
from core.scope import SYSTEM
from core.store import logs


@pytest.fixture
def db(engine):
    roster = pd.DataFrame([{"employee_id": "CM001", "name": "张伟", "team": "对公一队", "line": "corporate",
                            "grade": "客户经理", "start_date": dt.date(2024, 1, 1), "mentor_id": None}])
    logs.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r")
    return engine


def run(engine, *argv) -> int:
    return cli.main(["--db", engine.test_url, *argv])


def test_create_list_revoke_json(db, capsys):
    assert run(db, "display", "create", "--scope", "team", "--team", "对公一队", "--label", "对公一队晨会",
               "--base-url", "https://dash.bank.example", "--json") == 0
    made = json.loads(capsys.readouterr().out)
    assert made["url"].startswith("https://dash.bank.example/?display=")
    token = made["url"].split("display=")[1]
    assert display.open_link(db, token).scope.team == "对公一队"      # the printed address opens the kiosk

    assert run(db, "display", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["status"], r["team"]) for r in listed] == [(made["id"], "active", "对公一队")]
    assert token not in json.dumps(listed)

    assert run(db, "display", "revoke", str(made["id"]), "--json") == 0
    assert json.loads(capsys.readouterr().out)["revoked"] is True
    assert display.open_link(db, token) is None
    assert run(db, "display", "revoke", str(made["id"])) == 0
    assert "已经撤销" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["display", "create", "--scope", "team", "--label", "x"], "需要指定团队"),
    (["display", "create", "--scope", "team", "--team", "无此队", "--label", "x"], "无此队"),
    (["display", "revoke", "42"], "42"),
])
def test_refusals_exit_1_with_a_message(db, capsys, argv, message):
    assert run(db, *argv) == 1
    assert message in capsys.readouterr().err


def test_text_list(db, capsys):
    run(db, "display", "list")
    assert "还没有投屏链接" in capsys.readouterr().out
    run(db, "display", "create", "--scope", "branch", "--label", "三楼")
    out = capsys.readouterr().out
    assert "三楼" in out and "http://localhost:8501/?display=" in out
    run(db, "display", "list", "--lang", "en")
    assert "active" in capsys.readouterr().out
