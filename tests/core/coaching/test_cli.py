"""CLI: ``python -m core coaching --week W [--team] --json``, ``coaching-rules``, ``coaching-log``.

Data: tests/core/coaching/db_bank.py's bank (team A = E1..E3, team B = F1 alone), steady logs with
E1 complaining once on Tue 8 Dec (W50) and F1 at 2 visits a day from 30 Nov (low activity vs the branch).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from core import auth, cli
from core import coaching as c
from core.cli import coaching as coaching_cli
from core.i18n import t
from tests.core.coaching.db_bank import DIRECTOR, LEAD_A, _load_logs

D = dt.date
FLAG_KEYS = {"employee_id", "manager_name", "team", "rule_id", "severity", "metric", "period", "evidence",
             "reason_zh", "reason_en", "focus", "history", "weeks", "acknowledged", "ack_note", "ack_until"}


@pytest.fixture
def loaded(bank):
    _load_logs(bank, low_visits={"F1": 2.0}, complaints={("E1", D(2026, 12, 8)): 1})
    return bank


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        # Only this area's commands, so these tests do not depend on other areas' CLI modules.
        rc = cli.main(list(argv), areas=(coaching_cli,))
    except SystemExit as exc:   # argparse usage errors
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("json_first", [False, True])
def test_json_flags(loaded, capsys, json_first):
    argv = ["--db", loaded.test_url] + (["--json"] if json_first else []) + [
        "coaching", "--week", "2026-W50", "--as-of", "2026-12-13"] + ([] if json_first else ["--json"])
    rc, out, _ = run(capsys, *argv)
    assert rc == 0
    flags = json.loads(out)
    # Both medium: ordered by rule (low_activity comes before complaints in RULE_IDS).
    assert [(f["employee_id"], f["rule_id"], f["severity"]) for f in flags] == [
        ("F1", "low_activity", "medium"), ("E1", "complaints", "medium")]
    assert all(set(f) == FLAG_KEYS for f in flags)
    la = flags[0]
    assert la["evidence"] == {"visits": 10.0, "peer_median": 20.0, "share_of_median": 0.5, "weeks": 2,
                              "visits_prev": 10.0, "peer_median_prev": 20.0}
    # Low since W49, but the rule needs two low weeks: W49 (with W48 normal) did not fire, so W50 is new.
    assert la["history"] == "new" and la["weeks"] == 1
    assert la["focus"] == {"area": "attitude", "topic_zh": t("coaching.focus.low_activity", "zh"),
                           "topic_en": t("coaching.focus.low_activity", "en")}
    assert flags[1]["history"] == "new" and flags[1]["evidence"] == {"complaints": 1.0}
    assert set(c.RULE_IDS) >= {f["rule_id"] for f in flags}


@pytest.mark.parametrize("team,expected", [("A", ["E1"]), ("B", ["F1"]), ("C", [])])
def test_team_filter(loaded, capsys, team, expected):
    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching", "--week", "2026-W50", "--as-of", "2026-12-13",
                     "--team", team, "--json")
    assert rc == 0 and [f["employee_id"] for f in json.loads(out)] == expected


def test_team_lead_account_sees_his_team(loaded, capsys):
    auth.create_user(loaded, DIRECTOR, "lead_a", "王队长", role="team_lead", team="A",
                     password="Secret-pass-123-xyz")
    rc, out, _ = run(capsys, "--db", loaded.test_url, "--as", "lead_a", "coaching", "--week", "2026-W50",
                     "--as-of", "2026-12-13", "--json")
    assert rc == 0 and [f["employee_id"] for f in json.loads(out)] == ["E1"]


def test_text_output_and_acknowledged(loaded, capsys):
    c.ack_flag(loaded, LEAD_A, "E1", "complaints", "2026-W50", "客户误解")
    rc, out, _ = run(capsys, "--db", loaded.test_url, "--lang", "en", "coaching", "--week", "2026-W50",
                     "--as-of", "2026-12-13")
    assert rc == 0
    assert "F1" in out and "low_activity · New this week" in out
    assert "complaints · New this week [ack]" in out


@pytest.mark.parametrize("argv,rc_expected", [
    (["coaching"], 2),                                   # --week is required
    (["coaching", "--week", "2026-44"], 2),              # not an ISO week
    (["coaching", "--week", "2026-W50", "--as-of", "2026-12-01"], 1),   # before the week
])
def test_usage_errors(loaded, capsys, argv, rc_expected):
    rc, _, _ = run(capsys, "--db", loaded.test_url, *argv)
    assert rc == rc_expected


def test_rules_file_option_and_validation(loaded, capsys, tmp_path):
    off = tmp_path / "off.yaml"
    off.write_text("rules:\n  low_activity:\n    enabled: false\n", encoding="utf-8")
    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching", "--week", "2026-W50", "--as-of", "2026-12-13",
                     "--rules", str(off), "--json")
    assert rc == 0 and [f["rule_id"] for f in json.loads(out)] == ["complaints"]

    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  complaints:\n    min_count: -1\n  nope: {}\n", encoding="utf-8")
    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching-rules", str(bad), "--json")
    assert rc == 1
    doc = json.loads(out)
    assert doc["ok"] is False and [(e["line"], e["key"]) for e in doc["errors"]] == [
        (3, "rules.complaints.min_count"), (4, "rules.nope")]
    rc, _, err = run(capsys, "--db", loaded.test_url, "--lang", "zh", "coaching-rules", str(bad))
    assert rc == 1 and "第 3 行 rules.complaints.min_count" in err

    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching-rules", str(off), "--save", "--json")
    assert rc == 0 and json.loads(out)["saved"] is True
    assert not c.active_rules(loaded).enabled("low_activity")
    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching-rules")
    assert rc == 0 and out == "rules:\n  low_activity:\n    enabled: false\n"


def test_coaching_log(loaded, capsys):
    c.add_session(loaded, LEAD_A, date=D(2026, 12, 8), coach="王队长", employee_id="E1", topic="服务规范",
                   rule_id="complaints", follow_up=D(2026, 12, 10))
    c.add_session(loaded, LEAD_A, date=D(2026, 12, 8), coach="王队长", employee_id="E2", topic="日常",
                   follow_up=D(2026, 12, 20))
    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching-log", "--today", "2026-12-13", "--json")
    assert rc == 0
    rows = {r["employee_id"]: r for r in json.loads(out)}
    # E1's complaint was in W50, the week of the follow-up (10 Dec): the flag persists. Overdue: no outcome.
    assert (rows["E1"]["status"], rows["E1"]["overdue"]) == ("persisting", True)
    assert (rows["E2"]["status"], rows["E2"]["overdue"]) == ("pending", False)
    rc, out, _ = run(capsys, "--db", loaded.test_url, "coaching-log", "--today", "2026-12-13", "--overdue", "--json")
    assert [r["employee_id"] for r in json.loads(out)] == ["E1"]
