"""core.metrics against hand-worked values.

Calendar facts used (see test_calendar.py): October 2026 has 18 working days; National Day Oct 1–7 is off;
Thu 10-08, Fri 10-09 and 调休 Sat 10-10 are the working days of ISO week 2026-W41 (Mon 10-05 … Sun 10-11);
September 2026 has 22 working days, November 21, December 23.

Fixture (October 2026 unless noted), roster: E1 Alice and E2 Bob in team A; E3 Carol and E4 Dan in team B;
E5 Eve in team B is inactive.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core import routines as M
from core.errors import AppError
from core.schema import FLOW_METRICS, METRICS

D = dt.date
NAN = float("nan")


def _log(eid, day, **vals):
    row = {"employee_id": eid, "date": pd.Timestamp(day)}
    for m in METRICS:
        row[m] = float(vals.get(m, NAN if m == "deposit_balance" else 0.0))
    row["notes"] = vals.get("notes")
    return row


ROSTER = pd.DataFrame({
    "employee_id": ["E1", "E2", "E3", "E4", "E5"],
    "name": ["Alice", "Bob", "Carol", "Dan", "Eve"],
    "team": ["A", "A", "B", "B", "B"],
    "line": ["retail"] * 5, "grade": ["客户经理"] * 5,
    "start_date": pd.to_datetime(["2020-01-01", "2021-05-01", None, "2026-10-09", "2019-01-01"]),
    "mentor_id": [None] * 5,
    "active": [True, True, True, True, False],
})


def _frame(rows, roster=ROSTER):
    df = pd.DataFrame(rows)
    info = roster.set_index("employee_id")
    df["manager_name"] = df["employee_id"].map(info["name"])
    df["team"] = df["employee_id"].map(info["team"])
    df["line"] = "retail"
    df["grade"] = "客户经理"
    return df.sort_values(["date", "employee_id"]).reset_index(drop=True)


LOGS = _frame([
    _log("E1", "2026-09-03", visits=3),
    _log("E1", "2026-09-30", visits=5),
    _log("E1", "2026-10-08", visits=6, new_customers=2, credit_cards=1, deposits_new=50),
    _log("E1", "2026-10-09", visits=4, new_customers=1, mobile_banking=2, wealth_sales=10, notes="ok"),
    _log("E1", "2026-10-12", visits=100),
    _log("E2", "2026-10-08", visits=12, new_customers=3, loans_new=20),
    _log("E3", "2026-10-09", visits=15),
    _log("E4", "2026-10-08"),                          # logged, all zero, no notes → "empty"
])

TARGETS = pd.DataFrame([
    ("2026-10", "E1", "visits", 90.0), ("2026-10", "E2", "visits", 90.0), ("2026-10", "E3", "visits", 180.0),
    ("2026-10", "E1", "deposits_new", 100.0),
    ("2026-09", "E1", "visits", 220.0),
    ("2026-11", "E1", "visits", 210.0), ("2026-12", "E1", "visits", 230.0),
], columns=["month", "employee_id", "metric", "value"])

AS_OF = D(2026, 10, 9)   # elapsed 2 (10-08, 10-09), total 18, left 16


def _row(df, **keys):
    sel = df
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"expected one row for {keys}, got {len(sel)}"
    return sel.iloc[0]


def close(a, b):
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None or (isinstance(a, float) and math.isnan(a))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# ------------------------------------------------------------------ status thresholds

@pytest.mark.parametrize("ratio, has_target, expected", [
    (1.05, True, "ahead"), (1.2, True, "ahead"), (1.0499, True, "on_pace"), (1.0, True, "on_pace"),
    (0.95, True, "on_pace"), (0.9499, True, "behind"), (0.0, True, "behind"),
    (NAN, True, "on_pace"),     # a target, nothing expected yet (no working day elapsed)
    (1.2, False, None),         # no target → no status
])
def test_status_of(ratio, has_target, expected):
    assert M.status_of(ratio, has_target) == expected


# ------------------------------------------------------------------ totals

@pytest.mark.parametrize("start, end, expected_visits, days", [
    # E1: 10-08 6 + 10-09 4 = 10; 10-12 is outside
    ("2026-10-08", "2026-10-09", {"E1": 10, "E2": 12, "E3": 15, "E4": 0}, {"E1": 2, "E2": 1, "E3": 1, "E4": 1}),
    # whole October: E1 6 + 4 + 100 = 110
    ("2026-10-01", "2026-10-31", {"E1": 110, "E2": 12, "E3": 15, "E4": 0}, {"E1": 3, "E2": 1, "E3": 1, "E4": 1}),
    # September: E1 3 + 5 = 8 only
    ("2026-09-01", "2026-09-30", {"E1": 8}, {"E1": 2}),
    ("2026-08-01", "2026-08-31", {}, {}),
])
def test_period_totals(start, end, expected_visits, days):
    out = M.period_totals(LOGS, start, end, roster=ROSTER)
    assert dict(zip(out["employee_id"], out["visits"])) == expected_visits
    assert dict(zip(out["employee_id"], out["days_logged"])) == days
    assert list(out.columns[:3]) == ["employee_id", "name", "team"]
    # unsorted input gives the same answer (mask path instead of binary search)
    shuffled = LOGS.sample(frac=1.0, random_state=1)
    out2 = M.period_totals(shuffled, start, end, roster=ROSTER)
    assert dict(zip(out2["employee_id"], out2["visits"])) == expected_visits


def test_period_totals_names_from_logs_and_by_team():
    out = M.period_totals(LOGS, "2026-10-08", "2026-10-09")
    assert dict(zip(out["employee_id"], out["name"])) == {"E1": "Alice", "E2": "Bob", "E3": "Carol", "E4": "Dan"}
    by_team = M.period_totals(LOGS, "2026-10-08", "2026-10-09", by=("team",), metrics=["visits"])
    # A: 10 + 12 = 22; B: 15 + 0 = 15
    assert dict(zip(by_team["team"], by_team["visits"])) == {"A": 22.0, "B": 15.0}


def test_period_totals_refuses_balance():
    with pytest.raises(AppError) as exc:
        M.period_totals(LOGS, "2026-10-01", "2026-10-31", metrics=["deposit_balance"])
    assert exc.value.key == "metrics.error.stock"


@pytest.mark.parametrize("day, logged, empty, visits", [
    # 10-09: E1 logged 4 (notes "ok"), E2 absent, E3 15, E4 absent (started 10-09, so listed); E5 inactive
    (D(2026, 10, 9), {"E1": True, "E2": False, "E3": True, "E4": False},
     {"E1": False, "E2": False, "E3": False, "E4": False}, {"E1": 4, "E2": 0, "E3": 15, "E4": 0}),
    # 10-08: E4 has not started yet (start_date 10-09) but logged an all-zero row → listed, logged, empty
    (D(2026, 10, 8), {"E1": True, "E2": True, "E3": False, "E4": True},
     {"E1": False, "E2": False, "E3": False, "E4": True}, {"E1": 6, "E2": 12, "E3": 0, "E4": 0}),
])
def test_daily_snapshot(day, logged, empty, visits):
    snap = M.daily_snapshot(LOGS, ROSTER, day)
    assert dict(zip(snap["employee_id"], snap["logged"])) == logged
    assert dict(zip(snap["employee_id"], snap["empty"])) == empty
    assert dict(zip(snap["employee_id"], snap["visits"])) == visits
    assert snap["deposit_balance"].isna().all()
    assert list(snap["team"]) == sorted(snap["team"])


def test_missing_logs_week_41():
    # working days 10-08, 10-09, 10-10.  E1 logged 08, 09 → missing 10; E2 08 → 09, 10; E3 09 → 08, 10;
    # E4 started 10-09 → due 09, 10, logged none of them → 2 missing (its 10-08 row predates its start)
    out = M.missing_logs(LOGS, ROSTER, "2026-10-05", "2026-10-11").set_index("employee_id")
    assert out.loc["E1", "missing_dates"] == [D(2026, 10, 10)]
    assert out.loc["E2", "missing_dates"] == [D(2026, 10, 9), D(2026, 10, 10)]
    assert out.loc["E3", "missing_dates"] == [D(2026, 10, 8), D(2026, 10, 10)]
    assert out.loc["E4", "missing_dates"] == [D(2026, 10, 9), D(2026, 10, 10)]
    assert dict(out["workdays"]) == {"E1": 3, "E2": 3, "E3": 3, "E4": 2}
    assert dict(out["logged_workdays"]) == {"E1": 2, "E2": 1, "E3": 1, "E4": 0}
    assert out.loc["E1", "last_logged"] == pd.Timestamp("2026-10-09")
    assert "E5" not in out.index


# ------------------------------------------------------------------ pace

# expected = target × 2 / 18.  E1 visits: 90 × 2/18 = 10, actual 6 + 4 = 10 → ratio 1.0, gap 0, attainment 10/90,
# remaining 80 → 80 / 16 = 5 per day.  E2: expected 10, actual 12 → 1.2 ahead, gap +2.
# E3: 180 × 2/18 = 20, actual 15 → 0.75 behind, gap −5, remaining 165 → 165/16 = 10.3125.
# E1 deposits_new: 100 × 2/18 = 11.111…, actual 50 → 4.5 ahead, attainment 0.5.
# E4: no target → status None.
@pytest.mark.parametrize("entity, metric, actual, target, expected, status, daily_needed", [
    ("E1", "visits", 10, 90, 10, "on_pace", 5.0),
    ("E2", "visits", 12, 90, 10, "ahead", 78 / 16),
    ("E3", "visits", 15, 180, 20, "behind", 165 / 16),
    ("E1", "deposits_new", 50, 100, 100 * 2 / 18, "ahead", 50 / 16),
    ("E4", "visits", 0, NAN, NAN, None, NAN),
])
def test_month_progress_manager(entity, metric, actual, target, expected, status, daily_needed):
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF)
    r = _row(p, entity=entity, metric=metric)
    assert close(r["actual"], actual) and close(r["target"], target) and close(r["expected"], expected)
    assert r["status"] == status
    assert close(r["daily_needed"], daily_needed)
    assert close(r["gap"], actual - expected if target == target else NAN)
    assert close(r["attainment"], actual / target if target == target else NAN)
    assert (r["elapsed_workdays"], r["total_workdays"], r["workdays_left"]) == (2, 18, 16)


def test_month_progress_entities():
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF)
    # E5 is inactive and has nothing in October → left out; one row per target metric per manager
    assert sorted(p["entity"].unique()) == ["E1", "E2", "E3", "E4"]
    assert len(p) == 4 * 8


# Team A visits: actual 10 + 12 = 22, target 180, expected 180 × 2/18 = 20 → 1.1 ahead, gap +2.
# Team B: actual 15 + 0 = 15, target 180 (E4 has none), expected 20 → 0.75 behind.
# Branch: 37 vs 360 → expected 40, ratio 0.925 behind, gap −3, attainment 37/360.
@pytest.mark.parametrize("level, entity, actual, target, expected, status", [
    ("team", "A", 22, 180, 20, "ahead"),
    ("team", "B", 15, 180, 20, "behind"),
    ("branch", "branch", 37, 360, 40, "behind"),
])
def test_month_progress_rollup(level, entity, actual, target, expected, status):
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF, level=level)
    r = _row(p, entity=entity, metric="visits")
    assert (r["actual"], r["target"]) == (actual, target)
    assert close(r["expected"], expected) and close(r["gap"], actual - expected)
    assert close(r["attainment"], actual / target)
    assert r["status"] == status
    both = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF, level="all")
    assert list(pd.unique(both["level"])) == ["manager", "team", "branch"]


@pytest.mark.parametrize("as_of, elapsed, e1_actual, status", [
    (D(2026, 10, 4), 0, 0, "on_pace"),       # inside the holiday: nothing expected yet
    (D(2026, 10, 8), 1, 6, "ahead"),         # expected 90 × 1/18 = 5, actual 6 → 1.2
    (D(2026, 10, 31), 18, 110, "ahead"),     # full month: 110 vs 90
])
def test_month_progress_as_of(as_of, elapsed, e1_actual, status):
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", as_of)
    r = _row(p, entity="E1", metric="visits")
    assert r["elapsed_workdays"] == elapsed and r["actual"] == e1_actual
    assert r["status"] == status


def test_month_progress_override_changes_pace():
    # the bank closes 10-09: total 17, elapsed by 10-09 = 1 → E3 expected 180 / 17, actual 15 → 1.4167 ahead
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF, overrides={D(2026, 10, 9): False})
    r = _row(p, entity="E3", metric="visits")
    assert (r["total_workdays"], r["elapsed_workdays"]) == (17, 1)
    assert close(r["expected"], 180 / 17) and r["status"] == "ahead"


def test_pace_series_team_a():
    s = M.pace_series(LOGS, TARGETS, "2026-10", AS_OF, "visits", team="A", roster=ROSTER).set_index("date")
    assert len(s) == 31
    # Oct 1–7 are off: workday_no 0, target pace 0
    assert (s.loc["2026-10-01":"2026-10-07", "target_pace"] == 0).all()
    # team A target 180 over 18 working days → 10 per working day
    assert s.loc["2026-10-08", "target_pace"] == 10 and s.loc["2026-10-09", "target_pace"] == 20
    assert s.loc["2026-10-10", "target_pace"] == 30      # 调休 Saturday moves the line
    assert s.loc["2026-10-11", "target_pace"] == 30      # Sunday flat
    assert s.loc["2026-10-31", "target_pace"] == 180
    # cumulative actual: 10-08 6 + 12 = 18; 10-09 + 4 = 22; after as_of NaN (the 100 on 10-12 is not shown)
    assert s.loc["2026-10-08", "actual_cum"] == 18 and s.loc["2026-10-09", "actual_cum"] == 22
    assert np.isnan(s.loc["2026-10-10", "actual_cum"])
    assert s["target"].iloc[0] == 180


@pytest.mark.parametrize("kwargs, target, cum_on_9th", [
    ({}, 360, 37),                      # everyone: 90 + 90 + 180; 10 + 12 + 15
    ({"employee_id": "E3"}, 180, 15),
    ({"team": "B"}, 180, 15),           # team from the logs' team column
])
def test_pace_series_scopes(kwargs, target, cum_on_9th):
    s = M.pace_series(LOGS, TARGETS, "2026-10", AS_OF, "visits", **kwargs).set_index("date")
    assert s["target"].iloc[0] == target and s.loc["2026-10-09", "actual_cum"] == cum_on_9th


# ------------------------------------------------------------------ leaders

def test_leaders_and_ties():
    tot = M.period_totals(LOGS, "2026-10-08", "2026-10-09", roster=ROSTER)
    top = M.leaders(tot, "visits", n=2)
    # 15 (E3), 12 (E2); share of 37 total
    assert list(top["employee_id"]) == ["E3", "E2"] and list(top["rank"]) == [1, 2]
    assert close(top["share"].iloc[0], 15 / 37)
    tie = pd.DataFrame({"employee_id": ["X", "Y", "Z", "W"], "name": list("XYZW"), "team": list("AABB"),
                        "visits": [5.0, 5.0, 3.0, 0.0]})
    t2 = M.leaders(tie, "visits", n=1)
    assert list(t2["employee_id"]) == ["X", "Y"] and list(t2["rank"]) == [1, 1]   # tie at the cut kept
    board = M.leaderboard(tie, ["visits"], n=None)
    assert list(board["rank"]) == [1, 1, 3]            # W with 0 is not ranked


def test_furthest_behind():
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF)
    fb = M.furthest_behind(p)
    # scores: E1 mean(1.0, 4.5) = 2.75, E2 1.2, E3 0.75 → only E3 is behind
    assert list(fb["employee_id"]) == ["E3"]
    r = fb.iloc[0]
    assert close(r["score"], 0.75) and r["worst_metric"] == "visits" and close(r["worst_gap"], -5)
    assert r["metrics_behind"] == 1 and r["status"] == "behind"
    every = M.furthest_behind(p, n=5, only_behind=False)
    assert list(every["employee_id"]) == ["E3", "E2", "E1"]


# ------------------------------------------------------------------ weekly

@pytest.mark.parametrize("week, as_of, expected", [
    # W41: Oct working days in the week 3 (08, 09, 10) → 90 × 3/18 = 15
    ("2026-W41", None, 15.0),
    # as_of Fri 10-09: 2 working days → 90 × 2/18 = 10
    ("2026-W41", D(2026, 10, 9), 10.0),
    # W40 (Sep 28 – Oct 4): Sep part 3 of 22 working days → 220 × 3/22 = 30; Oct part has 0 working days
    ("2026-W40", None, 30.0),
    # W49 (Nov 30 – Dec 6): Nov 1 of 21 → 210/21 = 10; Dec 4 of 23 → 230 × 4/23 = 40 → 50
    ("2026-W49", None, 50.0),
])
def test_week_target_share(week, as_of, expected):
    s = M.week_target_share(TARGETS, week, metrics=["visits"], as_of=as_of)
    assert close(_row(s, employee_id="E1", metric="visits")["week_target"], expected)


def test_week_comparison():
    wc = M.week_comparison(LOGS, TARGETS, ROSTER, "2026-W41", level="all", metrics=["visits"])
    e1 = _row(wc, level="manager", entity="E1")
    # this week 6 + 4 = 10 (10-12 is next week); previous week (W40) 09-30: 5 → change 5, +100 %
    assert (e1["this_week"], e1["prev_week"], e1["change"]) == (10, 5, 5) and close(e1["change_pct"], 1.0)
    # week target 15 → 10/15 = 0.667 behind
    assert close(e1["week_target"], 15) and close(e1["week_attainment"], 10 / 15) and e1["status"] == "behind"
    assert e1["week_workdays"] == 3
    e2 = _row(wc, level="manager", entity="E2")
    assert e2["prev_week"] == 0 and np.isnan(e2["change_pct"])
    a = _row(wc, level="team", entity="A")
    # team A: 10 + 12 = 22 vs 5; target 15 + 15 = 30 → 22/30
    assert (a["this_week"], a["prev_week"], a["week_target"]) == (22, 5, 30) and close(a["week_attainment"], 22 / 30)
    b = _row(wc, level="branch", entity="branch")
    # branch: 22 + 15 = 37; target 15 + 15 + 30 = 60
    assert (b["this_week"], b["week_target"]) == (37, 60)


def test_week_comparison_as_of_cuts_both_weeks():
    # as_of Fri 10-09: this week Mon–Fri = 10; last week Mon 09-28 – Fri 10-02 = 5; share 90 × 2/18 = 10 → 1.0
    wc = M.week_comparison(LOGS, TARGETS, ROSTER, "2026-W41", metrics=["visits"], as_of=D(2026, 10, 9))
    e1 = _row(wc, entity="E1")
    assert (e1["this_week"], e1["prev_week"], e1["week_target"]) == (10, 5, 10) and e1["status"] == "on_pace"


def test_visits_heatmap():
    h = M.visits_heatmap(LOGS, ROSTER, "2026-W41")
    assert len(h) == 4 * 7                       # E1–E4 × Mon..Sun (E5 inactive)
    e1 = h[h["employee_id"] == "E1"].set_index("date")
    assert e1.loc["2026-10-08", "value"] == 6 and e1.loc["2026-10-09", "value"] == 4
    assert not e1.loc["2026-10-05", "is_workday"] and e1.loc["2026-10-10", "is_workday"]
    assert not e1.loc["2026-10-10", "logged"] and np.isnan(e1.loc["2026-10-10", "value"])
    assert (e1["week_total"] == 10).all()
    assert list(pd.unique(h["employee_id"])) == ["E1", "E2", "E3", "E4"]


# ------------------------------------------------------------------ funnel

# 10-08..10-09 products sold:
#   E1 10-08: credit_cards 1 + (deposits_new 50 > 0) 1 = 2; 10-09: mobile_banking 2 + (wealth 10 > 0) 1 = 3 → 5
#   E2 10-08: loans_new 20 > 0 → 1.   E3: 0.   E4: 0.
# E1: visits 10, new 3, products 5 → 0.3, 5/3, 0.5.  Team A: 22, 6, 6 → 6/22, 1.0, 6/22.
@pytest.mark.parametrize("entity, stages, rates, peer", [
    ("E1", (10, 3, 5), (0.3, 5 / 3, 0.5), (6 / 22, 1.0, 6 / 22)),
    ("E2", (12, 3, 1), (0.25, 1 / 3, 1 / 12), (6 / 22, 1.0, 6 / 22)),
    ("E3", (15, 0, 0), (0.0, NAN, 0.0), (0.0, NAN, 0.0)),      # team B: 15 visits, 0 new, 0 products
    ("E4", (0, 0, 0), (NAN, NAN, NAN), (0.0, NAN, 0.0)),
])
def test_funnel_manager(entity, stages, rates, peer):
    f = M.funnel(LOGS, "2026-10-08", "2026-10-09", roster=ROSTER)
    r = _row(f, entity=entity)
    assert tuple(r[list(M.FUNNEL_STAGES)]) == stages
    for got, want in zip(r[["visit_to_new", "new_to_product", "visit_to_product"]], rates):
        assert close(got, want)
    for got, want in zip(r[["peer_visit_to_new", "peer_new_to_product", "peer_visit_to_product"]], peer):
        assert close(got, want)
    assert close(r["visit_to_new_vs_peer"], rates[0] - peer[0] if rates[0] == rates[0] else NAN)


def test_funnel_team_and_branch():
    t = M.funnel(LOGS, "2026-10-08", "2026-10-09", level="team", roster=ROSTER)
    a = _row(t, entity="A")
    # A: 22, 6, 6; branch: 37, 6, 6 → peer visit_to_new 6/37
    assert tuple(a[list(M.FUNNEL_STAGES)]) == (22, 6, 6) and close(a["peer_visit_to_new"], 6 / 37)
    b = M.funnel(LOGS, "2026-10-08", "2026-10-09", level="branch")
    assert tuple(b.iloc[0][list(M.FUNNEL_STAGES)]) == (37, 6, 6)
    st = M.funnel_stages(b)
    assert list(st["stage"]) == list(M.FUNNEL_STAGES) and close(st["rate"].iloc[1], 6 / 37)
    # products sold is not a conversion of new customers: no rate there, 6 products / 37 visits per visit instead
    assert close(st["rate"].iloc[2], NAN) and close(st["per_visit"].iloc[2], 6 / 37)
    assert close(st["per_visit"].iloc[1], NAN)


# ------------------------------------------------------------------ monthly

def _progress(rows):
    """A manager-level progress frame from (employee_id, team, metric, attainment) tuples."""
    df = pd.DataFrame(rows, columns=["employee_id", "team", "metric", "attainment"])
    df["level"] = "manager"
    df["entity"] = df["employee_id"]
    df["name"] = df["employee_id"].str.lower()
    return df


RANK_INPUT = _progress([
    ("E1", "A", "visits", 2.0), ("E1", "A", "deposits_new", 0.5),    # min(2.0, 1.5)=1.5, 0.5 → 1.0
    ("E2", "A", "visits", 1.2), ("E2", "A", "deposits_new", 0.8),    # (1.2 + 0.8) / 2 = 1.0
    ("E3", "B", "visits", 0.9), ("E3", "B", "deposits_new", NAN),    # 0.9 over one metric
    ("E4", "B", "visits", NAN),                                      # no target → not ranked
    ("E6", "B", "visits", 0.4), ("E6", "B", "loans_new", 0.6),       # 0.5
])


@pytest.mark.parametrize("n, ids, ranks", [
    (None, ["E1", "E2", "E3", "E6"], [1, 1, 3, 4]),
    (1, ["E1", "E2"], [1, 1]),        # a tie at the cut-off keeps both
    (3, ["E1", "E2", "E3"], [1, 1, 3]),
])
def test_ranking(n, ids, ranks):
    r = M.ranking(RANK_INPUT, n=n)
    assert list(r["employee_id"]) == ids and list(r["rank"]) == ranks


def test_ranking_details_and_bottom():
    r = M.ranking(RANK_INPUT, n=None).set_index("employee_id")
    assert close(r.loc["E1", "score"], 1.0) and close(r.loc["E3", "score"], 0.9) and close(r.loc["E6", "score"], 0.5)
    assert dict(r["metrics_scored"]) == {"E1": 2, "E2": 2, "E3": 1, "E6": 2}
    assert dict(r["metrics_met"]) == {"E1": 1, "E2": 1, "E3": 0, "E6": 0}
    assert (r.loc["E1", "best_metric"], r.loc["E1", "worst_metric"]) == ("visits", "deposits_new")
    # without the cap E1 would score (2.0 + 0.5)/2 = 1.25
    assert close(M.ranking(RANK_INPUT, n=None, cap=10).set_index("employee_id").loc["E1", "score"], 1.25)
    b = M.bottom_ranking(RANK_INPUT, n=2)
    assert list(b["employee_id"]) == ["E6", "E3"] and list(b["rank"]) == [4, 3]


@pytest.mark.parametrize("exclude, ids", [
    ((), ["E6", "E3"]),
    (["E1", "E2", "E3"], ["E6"]),               # the top 3 shown above: only E6 is left for the bottom
    (["E1", "E2", "E3", "E6"], []),             # the top list holds everyone ranked: no bottom to show
])
def test_bottom_leaves_out_those_already_in_the_top(exclude, ids):
    assert list(M.bottom_ranking(RANK_INPUT, n=2, exclude=exclude)["employee_id"]) == ids


def test_attainment_matrix():
    p = M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF, level="all", metrics=["visits", "deposits_new"])
    mat = M.attainment_matrix(p)
    e1 = _row(mat, level="manager", entity="E1")
    # visits 10/90, deposits 50/100; score = mean(min(.111, 1.5), min(.5, 1.5)) = 0.30556
    assert close(e1["visits"], 10 / 90) and close(e1["deposits_new"], 0.5)
    assert close(e1["score"], (10 / 90 + 0.5) / 2)
    e4 = _row(mat, level="manager", entity="E4")
    assert np.isnan(e4["visits"]) and np.isnan(e4["score"])
    br = _row(mat, level="branch", entity="branch")
    assert close(br["visits"], 37 / 360)
    assert list(mat.columns) == ["level", "entity", "employee_id", "name", "team", "visits", "deposits_new", "score"]


@pytest.mark.parametrize("values, counts", [
    # <60: 0.5, −0.1 | 60–80: 0.6, 0.79 | 80–100: none | 100–120: 1.0 | ≥120: 1.25, 3.0; NaN ignored
    ([0.5, 0.6, 0.79, 1.0, 1.25, NAN, -0.1, 3.0], [2, 2, 0, 1, 2]),
    ([], [0, 0, 0, 0, 0]),
])
def test_distribution(values, counts):
    d = M.distribution(values)
    assert list(d["count"]) == counts
    total = sum(counts)
    assert list(d["share"]) == ([c / total for c in counts] if total else [0.0] * 5)
    assert list(d["band"]) == list(M.ATTAINMENT_BAND_LABELS)


@pytest.mark.parametrize("level, entity, as_of, current, previous", [
    # October: E1 6 + 4 + 100 = 110; September: 3 + 5 = 8
    ("manager", "E1", None, 110, 8),
    # month to date 10-09: Oct 1–9 = 10 vs Sep 1–9 = 3
    ("manager", "E1", D(2026, 10, 9), 10, 3),
    # E2 had no rows in September → previous NaN (no data ≠ zero)
    ("manager", "E2", None, 12, NAN),
    # team A: 110 + 12 = 122 vs 8
    ("team", "A", None, 122, 8),
    ("branch", "branch", None, 137, 8),
])
def test_month_over_month(level, entity, as_of, current, previous):
    mom = M.month_over_month(LOGS, "2026-10", level=level, roster=ROSTER, as_of=as_of)
    r = _row(mom, entity=entity, metric="visits")
    assert close(r["current"], current) and close(r["previous"], previous)
    assert close(r["change"], current - previous if previous == previous else NAN)
    assert r["previous_month"] == "2026-09"


def test_year_over_year_without_last_year():
    yoy = M.year_over_year(LOGS, "2026-10", roster=ROSTER)
    assert yoy["previous"].isna().all() and yoy["change"].isna().all()
    assert (yoy["previous_month"] == "2025-10").all()
    last_year = pd.concat([LOGS, _frame([_log("E1", "2025-10-15", visits=40)])], ignore_index=True)
    r = _row(M.year_over_year(last_year, "2026-10"), entity="E1", metric="visits")
    # 110 vs 40 → +70, +175 %
    assert (r["current"], r["previous"], r["change"]) == (110, 40, 70) and close(r["change_pct"], 70 / 40)


# ------------------------------------------------------------------ 日均 vs 时点

BAL = _frame([
    _log("E1", "2026-09-01", deposit_balance=90),
    _log("E1", "2026-09-30", deposit_balance=100),
    _log("E1", "2026-10-08", deposit_balance=130),
    _log("E1", "2026-10-09", visits=3),                 # a row without a balance is ignored
    _log("E1", "2026-10-30", deposit_balance=160),
    _log("E2", "2026-08-31", deposit_balance=50),
    _log("E2", "2026-10-15", deposit_balance=70),
    _log("E3", "2026-10-09", deposit_balance=200),
])


# E1 October: 10-01..07 carry 100 (7 days), 10-08..29 130 (22), 10-30..31 160 (2)
#   → (700 + 2860 + 320) / 31 = 3880/31 = 125.16; 时点 160; 160 / 125.16 = 1.278 < 1.3 → no spike
#   (the spike threshold is the coaching rules' month_end_spike.ratio, default 1.3; it was 1.10 before)
#   September: 09-01..29 90 (29 days), 09-30 100 → (2610 + 100)/30 = 90.333
# E2 October: 10-01..14 50 (14), 10-15..31 70 (17) → (700 + 1190)/31 = 60.968; 70/60.968 = 1.148 < 1.3 → no spike;
#   September: 50 all month (carried from 08-31) → 50
# E3: 200 from 10-09 (23 days counted) → 200, ratio 1 → no spike; no previous month
@pytest.mark.parametrize("eid, adb, month_end, spike, days, prev_adb", [
    ("E1", 3880 / 31, 160, False, 31, 2710 / 30),
    ("E2", 1890 / 31, 70, False, 31, 50),
    ("E3", 200, 200, False, 23, NAN),
])
def test_average_daily_balance(eid, adb, month_end, spike, days, prev_adb):
    out = M.average_daily_balance(BAL, "2026-10", roster=ROSTER)
    r = _row(out, employee_id=eid)
    assert close(r["adb"], adb) and close(r["month_end"], month_end)
    assert close(r["spike_ratio"], month_end / adb) and bool(r["spike"]) is spike
    assert r["days_counted"] == days and close(r["prev_adb"], prev_adb)
    assert close(r["adb_increment"], adb - prev_adb if prev_adb == prev_adb else NAN)
    assert set(out["employee_id"]) == {"E1", "E2", "E3"}


# the threshold is a parameter (the page passes the coaching rules' ratio): at 1.10, E1 (1.278) and E2 (1.148)
# spike, E3 (1.0) does not; at 1.278 exactly E1 still spikes (≥), E2 does not
@pytest.mark.parametrize("ratio, spiking", [(1.10, {"E1", "E2"}), (160 / (3880 / 31), {"E1"}), (1.3, set())])
def test_average_daily_balance_spike_threshold(ratio, spiking):
    out = M.average_daily_balance(BAL, "2026-10", roster=ROSTER, spike_at=ratio)
    assert set(out.loc[out["spike"].astype(bool), "employee_id"]) == spiking


def test_average_daily_balance_month_to_date():
    # as_of 10-15: E1 10-01..07 100 (7), 10-08..15 130 (8) → (700 + 1040)/15 = 116; 时点 130
    r = _row(M.average_daily_balance(BAL, "2026-10", as_of=D(2026, 10, 15)), employee_id="E1")
    assert close(r["adb"], 116) and r["month_end"] == 130 and r["days_counted"] == 15


def test_balance_series():
    s = M.balance_series(BAL, "2026-10", employee_id="E1").set_index("date")
    assert s.loc["2026-10-07", "balance"] == 100 and s.loc["2026-10-31", "balance"] == 160
    assert close(s.loc["2026-10-31", "adb_to_date"], 3880 / 31)


# ------------------------------------------------------------------ edge cases

def test_empty_inputs_do_not_crash():
    empty = LOGS.iloc[0:0]
    no_t = TARGETS.iloc[0:0]
    p = M.month_progress(empty, no_t, ROSTER, "2026-10", AS_OF)
    assert sorted(p["entity"].unique()) == ["E1", "E2", "E3", "E4"] and (p["actual"] == 0).all()
    assert p["status"].isna().all()
    assert M.furthest_behind(p).empty and M.ranking(p).empty
    assert len(M.daily_snapshot(empty, ROSTER, AS_OF)) == 4
    assert M.average_daily_balance(empty, "2026-10").empty
    assert M.funnel(empty, "2026-10-01", "2026-10-31").empty
    assert len(M.week_comparison(empty, no_t, ROSTER, "2026-W41")) == 4 * 8
    assert len(M.visits_heatmap(empty, ROSTER, "2026-W41")) == 28
    assert M.month_over_month(empty, "2026-10").empty
    d = M.daily_totals(empty, "2026-10-01", "2026-10-07")
    assert len(d) == 7 and (d["visits"] == 0).all()


def test_daily_totals_by_team():
    d = M.daily_totals(LOGS, "2026-10-08", "2026-10-09", metrics=["visits"], by="team")
    got = {(r.date.day, r.team): r.visits for r in d.itertuples()}
    # 10-08: A 6 + 12 = 18, B 0 (E4); 10-09: A 4, B 15
    assert got == {(8, "A"): 18, (8, "B"): 0, (9, "A"): 4, (9, "B"): 15}
    assert d["is_workday"].all()


def test_flow_metrics_exclude_balance():
    assert "deposit_balance" not in FLOW_METRICS


@pytest.mark.parametrize("metric, target, cum_on_9th", [
    ("visits", 360, 37),          # 90 + 90 + 180; 10 + 12 + 15
    ("deposits_new", 100, 50),    # E1 only
    ("loans_new", NAN, 20),       # no target → NaN line; E2 20 on 10-08
])
def test_pace_table_matches_pace_series(metric, target, cum_on_9th):
    tab = M.pace_table(LOGS, TARGETS, "2026-10", AS_OF, ["visits", "deposits_new", "loans_new"])
    assert len(tab) == 3 * 31
    part = tab[tab["metric"] == metric].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, M.pace_series(LOGS, TARGETS, "2026-10", AS_OF, metric))
    s = part.set_index("date")
    assert close(s["target"].iloc[0], target) and s.loc["2026-10-09", "actual_cum"] == cum_on_9th
