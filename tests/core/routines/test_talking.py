"""Morning-meeting talking points: exact sentences in zh and en from hand-made inputs."""
from __future__ import annotations

import pandas as pd
import pytest

from core.routines import talking as briefing


def _row(level, entity, metric, actual, target, expected, left=6, status=None):
    """One month_progress row; the derived fields follow core.metrics' definitions."""
    gap = actual - expected
    ratio = actual / expected if expected else float("nan")
    if status is None:
        status = "ahead" if ratio >= 1.05 else "on_pace" if ratio >= 0.95 else "behind"
    remaining = max(target - actual, 0)
    return {"level": level, "entity": entity, "employee_id": None, "name": None if level == "branch" else entity,
            "team": None if level == "branch" else entity, "metric": metric, "actual": actual, "target": target,
            "expected": expected, "gap": gap, "attainment": actual / target, "pace_ratio": ratio, "status": status,
            "remaining": remaining, "daily_needed": remaining / left if left else float("nan"),
            "elapsed_workdays": 20 - left, "total_workdays": 20, "workdays_left": left, "month": "2026-11"}


def _snapshot(rows):
    return pd.DataFrame([{"employee_id": e, "name": n, "team": tm, "logged": lg, "visits": v, "new_customers": nc}
                         for e, n, tm, lg, v, nc in rows])


# 14 of 20 working days gone (70 %), 6 left.
BRANCH = pd.DataFrame([
    _row("branch", "branch", "deposits_new", 1500, 2000, 1400),     # 1.07 ahead
    _row("branch", "branch", "credit_cards", 66, 120, 84),          # 0.79 behind by 18; 54 left / 6 = 9 a day
    _row("branch", "branch", "mobile_banking", 100, 200, 140),      # 0.71 behind by 40; 100 / 6 = 16.7 → 17 a day
])
TEAMS = pd.DataFrame([
    _row("team", "对公一队", "deposits_new", 600, 1000, 700),       # 0.86 behind
    _row("team", "对公二队", "deposits_new", 900, 1000, 700),       # 1.29 ahead by 200, 90 % done
])
YESTERDAY = _snapshot([
    ("CM001", "张伟", "对公一队", True, 8, 3),
    ("CM002", "李娜", "对公二队", True, 10, 3),    # ties 张伟 on new customers, more visits → star
    ("CM003", "王芳", "零售一队", False, 0, 0),
])


@pytest.mark.parametrize("lang, expected", [
    ("zh", [
        "对公二队新增存款超序时进度 200.00 万元(完成率 90.0%,时间进度 70.0%)。",
        "昨日之星:李娜(对公二队)新增客户 3 户,拜访 10 户。",
        "手机银行落后序时进度 40 户,剩余 6 个工作日,每天需完成 17 户。",
        "信用卡落后序时进度 18 张,剩余 6 个工作日,每天需完成 9 张。",
        "昨日 1 人未提交日报:王芳。",
    ]),
    ("en", [
        "对公二队 ahead of pace on New deposits by 200.00 (CNY 10k) (90.0% done, 70.0% of the month gone).",
        "Yesterday's star: 李娜 (对公二队) won 3 customers from 10 visits.",
        "Mobile banking behind pace by 40 sign-ups with 6 working days left: 17 sign-ups a day to reach the target.",
        "Credit cards behind pace by 18 cards with 6 working days left: 9 cards a day to reach the target.",
        "1 manager did not log yesterday: 王芳.",
    ]),
])
def test_full_briefing_praise_first(lang, expected):
    assert briefing.talking_points(BRANCH, TEAMS, YESTERDAY, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    # nothing behind, everybody logged: two praise points topped up with the third
    ("zh", ["对公二队新增存款超序时进度 200.00 万元(完成率 90.0%,时间进度 70.0%)。",
            "昨日之星:张伟(对公一队)新增客户 3 户,拜访 8 户。",
            "昨日 2 位客户经理全部提交日报。"]),
    ("en", ["对公二队 ahead of pace on New deposits by 200.00 (CNY 10k) (90.0% done, 70.0% of the month gone).",
            "Yesterday's star: 张伟 (对公一队) won 3 customers from 8 visits.",
            "All 2 managers logged yesterday."]),
])
def test_top_up_to_three_points(lang, expected):
    branch = BRANCH.iloc[[0]]
    yesterday = YESTERDAY.iloc[[0, 1]].assign(visits=[8, 5])
    assert briefing.talking_points(branch, TEAMS, yesterday, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    # last day of the month: credit cards 120 − 66 = 54 short; nobody won a new customer → most visits (12)
    ("zh", ["昨日拜访最多:王芳(零售一队)拜访 12 户。",
            "信用卡距本月目标还差 54 张,本月已无剩余工作日。",
            "昨日 7 人未提交日报:A1、A2、A3、A4、A5 等 2 人。"]),
    ("en", ["Most visits yesterday: 王芳 (零售一队) with 12 visits.",
            "Credit cards 54 cards short of the month's target with no working days left.",
            "7 managers did not log yesterday: A1, A2, A3, A4, A5 and 2 more."]),
])
def test_month_end_and_many_missing(lang, expected):
    branch = pd.DataFrame([_row("branch", "branch", "credit_cards", 66, 120, 120, left=0)])
    missing = [(f"E{i}", f"A{i}", "对公一队", False, 0, 0) for i in range(1, 8)]
    yesterday = _snapshot([("CM003", "王芳", "零售一队", True, 12, 0)] + missing)
    assert briefing.talking_points(branch, TEAMS.iloc[0:0], yesterday, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    # one team selected: the team's own rows are praised under its name
    ("zh", "对公二队新增存款超序时进度 100.00 万元(完成率 80.0%,时间进度 70.0%)。"),
    ("en", "对公二队 ahead of pace on New deposits by 100.00 (CNY 10k) (80.0% done, 70.0% of the month gone)."),
])
def test_single_team_uses_scope_label(lang, expected):
    branch = pd.DataFrame([_row("branch", "branch", "deposits_new", 800, 1000, 700)])   # 1.14 ahead by 100
    team = pd.DataFrame([_row("team", "对公二队", "deposits_new", 800, 1000, 700)])
    points = briefing.talking_points(branch, team, YESTERDAY.iloc[0:0], lang)
    assert points == [expected]


def test_no_data_no_points():
    empty = pd.DataFrame()
    assert briefing.talking_points(empty, empty, empty, "zh") == []


def test_at_most_five_points():
    branch = pd.DataFrame([_row("branch", "branch", m, 10, 100, 70) for m in
                           ("credit_cards", "mobile_banking", "visits", "new_customers")])
    points = briefing.talking_points(branch, TEAMS, YESTERDAY, "zh")
    assert len(points) == 5
    assert points[0].startswith("对公二队")   # praise first


def test_month_leader_from_manager_progress():
    man = pd.DataFrame([
        {**_row("manager", "CM001", "credit_cards", 30, 20, 14), "employee_id": "CM001", "name": "张伟",
         "team": "对公一队"},   # attainment 150 % (the cap)
        {**_row("manager", "CM002", "credit_cards", 10, 20, 14), "employee_id": "CM002", "name": "李娜",
         "team": "对公二队"},
    ])
    points = briefing.talking_points(BRANCH.iloc[[0]], TEAMS.iloc[0:0], YESTERDAY.iloc[0:0], "zh",
                                     progress_manager=man)
    # no team rows and no label: the selection is the branch (全行); 1500 of 2000 = 75 %, 100 over pace
    assert points == ["全行新增存款超序时进度 100.00 万元(完成率 75.0%,时间进度 70.0%)。",
                      "本月综合排名第一:张伟(对公一队),综合得分 150.0%,1 项指标中 1 项已完成。"]


@pytest.mark.parametrize("snapshot, expected", [
    (YESTERDAY, {"managers": 3, "logged": 2, "not_logged": 1, "visits": 18.0, "new_customers": 6.0}),   # 8 + 10, 3 + 3
    (YESTERDAY.iloc[0:0], {"managers": 0, "logged": 0, "not_logged": 0, "visits": 0.0, "new_customers": 0.0}),
])
def test_yesterday_totals(snapshot, expected):
    got = briefing.yesterday_totals(snapshot)
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize("metric, value, lang, label, shown", [
    ("deposits_new", 1524.70, "zh", "新增存款(万元)", "1,525"),            # whole 万元, half up
    ("deposits_new", 1524.70, "en", "New deposits (CNY 10k)", "1,525"),
    ("visits", 134.0, "zh", "拜访客户数", "134"),
    ("credit_cards", 42.0, "en", "Credit cards", "42"),
    ("fee_income", 3022.5, "zh", "中间业务收入(元)", "3,023"),           # 3,022.5 rounds half up
])
def test_headline_tiles_put_the_unit_in_the_label(metric, value, lang, label, shown):
    assert briefing.tile_label(metric, lang) == label
    assert briefing.tile_value(metric, value, lang) == shown
