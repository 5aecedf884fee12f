"""``python -m core users ...``: add, list, disable, enable, reset, unlock; passwords never echoed; exit 1 with a
clear message on errors."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core import auth, cli
from core.cli import users as cli_users_mod
from core.scope import SYSTEM
from core.store import accounts as acc
from core.store import audit, logs

ROOT = Path(__file__).resolve().parents[2]
PW = "Secret2026x"


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")


@pytest.fixture
def db(engine):
    roster = pd.DataFrame([
        {"employee_id": "CM001", "name": "张伟", "team": "对公一队", "line": "corporate", "grade": "高级客户经理",
         "start_date": dt.date(2024, 1, 1), "mentor_id": None},
        {"employee_id": "CM002", "name": "李娜", "team": "对公一队", "line": "corporate", "grade": "客户经理",
         "start_date": dt.date(2024, 1, 1), "mentor_id": None}])
    logs.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r")
    return engine


def run(engine, argv: list[str], stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(["--db", engine.test_url, *argv])


@pytest.mark.parametrize("argv, stdin, expected", [
    (["users", "add", "Boss", "--role", "director", "--password-stdin"], PW + "\n",
     dict(username="boss", role="director", team=None, employee_id=None, has_password=True)),
    (["users", "add", "lead1", "--role", "team_lead", "--team", "对公一队", "--employee", "CM001",
      "--password-stdin"], PW + "\r\n",
     dict(username="lead1", role="team_lead", team="对公一队", employee_id="CM001", display_name="张伟")),
    (["users", "add", "cm002", "--role", "manager", "--employee", "CM002", "--name", "小李", "--password", PW], None,
     dict(username="cm002", role="manager", team="对公一队", display_name="小李", has_password=True)),
    (["users", "add", "sso.li", "--role", "manager", "--employee", "CM002", "--email", "li@bank.example"], "",
     dict(username="sso.li", email="li@bank.example", has_password=False)),
])
def test_add(db, monkeypatch, capsys, argv, stdin, expected):
    assert run(db, argv, stdin if stdin is not None else "", monkeypatch) == 0
    user = acc.get_user(db, expected["username"])
    for k, v in expected.items():
        assert user[k] == v, k
    out = capsys.readouterr()
    assert PW not in out.out + out.err
    if expected.get("has_password"):
        assert auth.authenticate(db, expected["username"], PW).ok
    created = audit.read_audit(db, SYSTEM, action="user_create")
    assert list(zip(created["username"], created["target"])) == [("system", expected["username"])]


@pytest.mark.parametrize("argv, stdin, message", [
    (["users", "add", "boss", "--role", "director", "--password-stdin"], "short1\n", "at least 8"),
    (["users", "add", "boss", "--role", "director", "--password-stdin"], "\n", "No password"),
    (["users", "add", "lead", "--role", "team_lead", "--team", "对公九队", "--password", PW], None, "no team 对公九队"),
    (["users", "add", "mgr", "--role", "manager", "--employee", "CM999", "--password", PW], None,
     "CM999 is not on the roster"),
    (["users", "add", "mgr", "--role", "manager", "--password", PW], None, "needs an employee ID"),
    (["users", "disable", "ghost"], None, "no account ghost"),
    (["users", "reset", "ghost", "--password-stdin"], PW + "\n", "no account ghost"),
    (["users", "enable", "ghost"], None, "no account ghost"),
])
def test_errors_exit_1_with_a_clear_message(db, monkeypatch, capsys, argv, stdin, message):
    assert run(db, ["--lang", "en", *argv], stdin if stdin is not None else "", monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err
    assert acc.list_users(db) == []


def test_errors_in_chinese_and_json(db, monkeypatch, capsys):
    assert run(db, ["users", "add", "mgr", "--role", "manager", "--employee", "CM999", "--password", PW],
               "", monkeypatch) == 1
    assert "工号 CM999 不在花名册中" in capsys.readouterr().err
    assert run(db, ["--json", "users", "disable", "ghost"], "", monkeypatch) == 1
    assert json.loads(capsys.readouterr().out) == {"ok": False, "error": "没有用户名为 ghost 的账号。"}


def test_unknown_role_is_a_usage_error(db, monkeypatch):
    with pytest.raises(SystemExit) as ei:
        run(db, ["users", "add", "boss", "--role", "admin"], "", monkeypatch)
    assert ei.value.code == 2


def test_list_text_and_json(db, monkeypatch, capsys):
    run(db, ["users", "add", "boss", "--role", "director", "--password", PW], None, monkeypatch)
    run(db, ["users", "add", "cm002", "--role", "manager", "--employee", "CM002", "--password", PW], None,
        monkeypatch)
    run(db, ["users", "disable", "cm002"], None, monkeypatch)
    capsys.readouterr()
    assert run(db, ["users", "list"], None, monkeypatch) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["username", "role", "team", "employee", "status", "sign-in", "name"]
    assert lines[1].split()[:6] == ["boss", "director", "-", "-", "active", "password"]
    assert lines[2].split() == ["cm002", "manager", "对公一队", "CM002", "disabled", "password", "李娜"]
    for argv in (["users", "list", "--json"], ["--json", "users", "list"]):
        assert run(db, argv, None, monkeypatch) == 0
        data = json.loads(capsys.readouterr().out)
        assert [(u["username"], u["role"], u["active"]) for u in data] == [("boss", "director", True),
                                                                            ("cm002", "manager", False)]
        assert all("password_hash" not in u for u in data)


def test_disable_enable_reset_unlock(db, monkeypatch, capsys):
    run(db, ["users", "add", "boss", "--role", "director", "--password", PW], None, monkeypatch)
    run(db, ["users", "add", "cm002", "--role", "manager", "--employee", "CM002", "--password", PW], None,
        monkeypatch)
    assert run(db, ["--lang", "en", "users", "disable", "CM002"], None, monkeypatch) == 0
    assert "Disabled account cm002" in capsys.readouterr().out
    assert not auth.authenticate(db, "cm002", PW).ok
    assert run(db, ["--lang", "en", "users", "disable", "cm002"], None, monkeypatch) == 0
    assert "already so" in capsys.readouterr().out
    assert run(db, ["users", "enable", "cm002"], None, monkeypatch) == 0
    for _ in range(5):
        auth.authenticate(db, "cm002", "wrong999")
    assert auth.authenticate(db, "cm002", PW).reason == "locked"
    assert run(db, ["users", "unlock", "cm002"], None, monkeypatch) == 0
    assert auth.authenticate(db, "cm002", PW).ok
    assert run(db, ["users", "reset", "cm002", "--password-stdin"], "NewSecret99\n", monkeypatch) == 0
    out = capsys.readouterr()
    assert "NewSecret99" not in out.out + out.err
    assert auth.authenticate(db, "cm002", "NewSecret99").ok
    assert not auth.authenticate(db, "cm002", PW).ok
    actions = list(audit.read_audit(db, SYSTEM)["action"])[::-1]
    assert [a for a in actions if a.startswith(("user_", "password_"))] == [
        "user_create", "user_create", "user_disable", "user_enable", "user_unlock", "password_reset"]


def test_last_director_cannot_be_disabled(db, monkeypatch, capsys):
    run(db, ["users", "add", "boss", "--role", "director", "--password", PW], None, monkeypatch)
    assert run(db, ["--lang", "en", "users", "disable", "boss"], None, monkeypatch) == 1
    assert "last active director" in capsys.readouterr().err
    assert acc.get_user(db, "boss")["active"]


@pytest.mark.parametrize("typed, again, rc", [(PW, PW, 0), (PW, PW + "x", 1)])
def test_prompted_password_is_asked_twice(db, monkeypatch, capsys, typed, again, rc):
    answers = iter([typed, again])
    monkeypatch.setattr(cli_users_mod, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(cli_users_mod.getpass, "getpass", lambda prompt="": next(answers))
    assert run(db, ["users", "add", "boss", "--role", "director"], None, monkeypatch) == rc
    assert (acc.get_user(db, "boss") is not None) is (rc == 0)


@pytest.mark.parametrize("as_user, rc", [("boss", 0), ("lead1", 1)])
def test_acting_as_an_account(db, monkeypatch, capsys, as_user, rc):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    auth.create_user(db, SYSTEM, "lead1", None, "team_lead", team="对公一队", password=PW)
    assert run(db, ["--as", as_user, "users", "add", "new.one", "--role", "director", "--password", PW], None,
               monkeypatch) == rc
    assert (acc.get_user(db, "new.one") is not None) is (rc == 0)
    if rc == 0:
        assert audit.read_audit(db, SYSTEM, action="user_create")["username"].iat[0] == "boss"


def test_password_from_stdin_in_a_real_process(db):
    # The same command line as `python -m core users add ...`, in a real process.
    code = "import sys; from core import cli; sys.exit(cli.main(sys.argv[1:]))"
    env = {**os.environ, "DASH_ARGON2_FAST": "1", "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", code, "--db", db.test_url, "--lang", "en", "users", "add", "boss",
                        "--role", "director", "--password-stdin"], input=PW + "\n", capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Created account boss (director)" in p.stdout
    assert PW not in p.stdout + p.stderr
    assert auth.authenticate(db, "boss", PW).ok
