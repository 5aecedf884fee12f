"""Golden outputs of the coaching services on the demo bank: the speed rewrite must not change a single flag.

The demo bank (core.demo, end 2026-11-20, every planted pattern flags) is loaded into the `engine` database
(SQLite and PostgreSQL), with a few coaching sessions (follow-ups in past weeks) and one acknowledgement. For a
director, the team lead of 对公一队 and the manager CM002 (declining), over review weeks W44–W47, the outputs of
``review_for_week`` (flags with rule, manager, severity, reason texts, evidence, history, acks; the praise
list; the evidence series of every active flag, by ``flag_evidence``), ``flags_for_week``, ``session_review``
and ``fired_by_week`` are compared with ``golden/review.json``.

The golden file was written by the code *before* the speed rewrite of issue 12. Regenerate it only when a flag
is meant to change (a rule's definition), never to make a speed change pass:

    GOLDEN_REGEN=1 TEST_PG=0 .venv/bin/python -m pytest -p no:cacheprovider -q tests/core/coaching/test_review_golden.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from core import coaching, demo
from core.scope import Scope

GOLDEN = Path(__file__).parent / "golden" / "review.json"
END = dt.date(2026, 11, 20)
WEEKS = ("2026-W44", "2026-W45", "2026-W46", "2026-W47")
DIRECTOR = Scope("director", username="boss")
LEAD = Scope("team_lead", username="lead1", team="对公一队")
MANAGER = Scope("manager", username="cm002", employee_id="CM002")
SCOPES = {"director": DIRECTOR, "lead": LEAD, "manager": MANAGER}


def _plain(v):
    """JSON-comparable values: floats rounded to 9 significant digits, NaN as None, dates as ISO text."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        items = [_plain(x) for x in v]
        return sorted(items, key=json.dumps) if isinstance(v, set) else items
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.isoformat()
    if hasattr(v, "item"):                      # numpy scalars
        v = v.item()
    if isinstance(v, float):
        return None if math.isnan(v) else float(f"{v:.9g}")
    return v


def _frame(df: pd.DataFrame) -> list[dict]:
    return [_plain(r) for r in df.to_dict("records")]


def _seed(engine) -> None:
    demo.load_demo(engine, end=END)
    # Sessions whose follow-ups fall in past weeks (resolved / persisting), one pending, one with no rule.
    d = DIRECTOR
    coaching.add_session(engine, d, date=dt.date(2026, 11, 2), coach="行长", employee_id="CM002", topic="拜访节奏",
                         rule_id="declining", actions="每周复盘", follow_up=dt.date(2026, 11, 13))
    coaching.add_session(engine, d, date=dt.date(2026, 11, 3), coach="行长", employee_id="CM026", topic="活动量",
                         rule_id="low_activity", actions="陪访", follow_up=dt.date(2026, 11, 10))
    coaching.add_session(engine, d, date=dt.date(2026, 10, 26), coach="行长", employee_id="CM019", topic="投诉",
                         rule_id="complaints", actions="话术", follow_up=dt.date(2026, 11, 4))
    coaching.add_session(engine, d, date=dt.date(2026, 11, 16), coach="行长", employee_id="CM011", topic="进度",
                         rule_id="behind_pace", actions="拆解目标", follow_up=dt.date(2026, 11, 27))
    coaching.add_session(engine, d, date=dt.date(2026, 11, 9), coach="行长", employee_id="CM003", topic="交流",
                         actions="", follow_up=dt.date(2026, 11, 12))
    coaching.ack_flag(engine, d, "CM030", "missing_logs", "2026-W46", "请假", "2026-W47")


def _outputs(engine) -> dict:
    out: dict = {}
    for sname, scope in SCOPES.items():
        for week in WEEKS:
            as_of = min(coaching.default_as_of(week, END), END)
            rv = coaching.review_for_week(engine, scope, week, as_of=as_of)
            out[f"review/{sname}/{week}"] = {
                "as_of": rv.as_of.isoformat(),
                "flags": [_plain(f.to_dict()) for f in rv.flags],
                "series": {f"{f.employee_id}/{f.rule_id}": _frame(coaching.flag_evidence(engine, scope, week, f,
                                                                                          as_of=as_of))
                           for f in sorted(rv.active, key=lambda f: f.key)},
                "improved": _frame(rv.improved)}
            out[f"flags/{sname}/{week}"] = [_plain(f.to_dict()) for f in
                                            coaching.flags_for_week(engine, scope, week, as_of=as_of)]
        sr = coaching.session_review(engine, scope, END)
        out[f"sessions/{sname}"] = _frame(sr[["id", "employee_id", "rule_id", "follow_up", "status", "overdue"]])
    out["team/零售二队/2026-W47"] = [_plain(f.to_dict()) for f in coaching.review_for_week(
        engine, DIRECTOR, "2026-W47", team="零售二队", as_of=END).flags]
    fired = coaching.fired_by_week(engine, list(WEEKS) + ["2026-W48"], END)
    out["fired_by_week"] = {wk: _plain(keys) for wk, keys in sorted(fired.items())}
    return out


@pytest.fixture
def outputs(engine):
    _seed(engine)
    return _outputs(engine)


def test_review_matches_golden(outputs, request):
    if os.environ.get("GOLDEN_REGEN") == "1" and "sqlite" in request.node.name:
        GOLDEN.write_text(json.dumps(outputs, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(outputs) == sorted(golden)
    for key in golden:
        assert outputs[key] == golden[key], key


def test_golden_covers_every_planted_pattern():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    fired = {f["rule_id"] for f in golden["review/director/2026-W47"]["flags"]} | {
        f["rule_id"] for k, v in golden.items() if k.startswith("review/director/") for f in v["flags"]}
    assert fired == set(coaching.RULE_IDS)
    statuses = {r["status"] for r in golden["sessions/director"]}
    assert {"resolved", "pending", "no_rule"} <= statuses
    assert all(f["employee_id"] == "CM002" for k, v in golden.items() if k.startswith("review/manager/")
               for f in v["flags"])
    assert all(f["team"] == "对公一队" for k, v in golden.items() if k.startswith("review/lead/2026-W4")
               and isinstance(v, dict) for f in v["flags"])
