"""``python -m core webhooks ...`` and ``python -m core digest ...`` against the local robot server."""
from __future__ import annotations

import json

import pytest

from core import auth, cli
from core.i18n import t
from core.scope import SYSTEM

KEY = "73febdcb-1b38-4d1b-a994-790f21fc8d30"
TOKEN = "d1ngtalk0access0token99"
SECRET = "SEC0123456789abcdef"


def run(engine, *argv):
    return cli.main(["--db", engine.test_url, *argv])


def test_add_list_test_remove_never_show_the_key_or_secret(bank, robots, capsys):
    robots.wecom_keys.add(KEY)
    robots.dingtalk[TOKEN] = SECRET
    assert run(bank, "webhooks", "add", "--platform", "wecom", "--url", robots.wecom_url(KEY)) == 0
    assert run(bank, "webhooks", "add", "--platform", "dingtalk", "--url", robots.dingtalk_url(TOKEN),
               "--secret", SECRET, "--team", "对公一队") == 0
    assert run(bank, "webhooks", "list") == 0
    assert run(bank, "webhooks", "list", "--json") == 0
    assert run(bank, "webhooks", "test", "2") == 0
    out = capsys.readouterr().out
    assert KEY not in out and TOKEN not in out and SECRET not in out
    assert "key=73fe…8d30" in out and "access_token=d1ng…en99" in out and "SEC••••••ef" in out
    assert t("notify.cli.sent_ok", "zh", attempts=1) in out
    assert run(bank, "webhooks", "remove", "2") == 0
    assert run(bank, "webhooks", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out.split("\n", 1)[1])["webhooks"]
    assert [r["platform"] for r in rows] == ["wecom"]


@pytest.mark.parametrize("argv, message", [
    (["webhooks", "add", "--platform", "wecom", "--url", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"],
     "notify.not_https"),
    (["webhooks", "remove", "9"], "notify.no_webhook"),
    (["digest", "morning", "--day", "2026-11-23", "--send"], "notify.no_webhooks"),
])
def test_errors_exit_1_with_a_clear_message(bank, capsys, argv, message):
    assert run(bank, *argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert t(message, "zh", url="http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=••••••", id=9) in err


def test_digest_dry_run_prints_and_sends_nothing_then_send_posts(bank, robots, capsys):
    robots.wecom_keys.add(KEY)
    run(bank, "webhooks", "add", "--platform", "wecom", "--url", robots.wecom_url(KEY), "--team", "对公一队")
    capsys.readouterr()
    assert run(bank, "digest", "reminders", "--day", "2026-11-23", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "- 李娜(对公一队)\n- 王强(对公一队)" in out and "→ @ 13800138002" in out
    assert robots.requests == []
    assert run(bank, "digest", "reminders", "--day", "2026-11-23", "--send") == 0
    assert len(robots.requests) == 2                                   # markdown + the @-mention text
    assert run(bank, "digest", "morning", "--day", "2026-11-21", "--send") == 0    # a Saturday
    assert t("notify.skipped_dayoff", "zh", date="2026-11-21") in capsys.readouterr().out
    assert len(robots.requests) == 2


def test_a_failed_send_exits_1_and_is_in_the_log(bank, robots, capsys):
    run(bank, "webhooks", "add", "--platform", "wecom", "--url", robots.wecom_url("revoked-key-0000"))
    assert run(bank, "webhooks", "test", "1") == 1
    assert run(bank, "webhooks", "log", "--failed") == 0
    out = capsys.readouterr().out
    assert "FAIL ×1" in out and "invalid webhook url" in out


def test_a_team_lead_may_not_configure(bank, capsys, monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")
    auth.create_user(bank, SYSTEM, "lead", "团队长", "team_lead", team="对公一队", password="S3cret-pass-word")
    assert run(bank, "--as", "lead", "webhooks", "add", "--platform", "wecom", "--url",
               "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == 1
    assert run(bank, "--as", "lead", "digest", "morning", "--day", "2026-11-23", "--dry-run") == 1
    assert "error:" in capsys.readouterr().err
