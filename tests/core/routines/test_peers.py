"""Peer figures without the peers (core/store/peers.py) and the ranks and medians made of them
(core/routines/peers.py), on SQLite and PostgreSQL; the team lead's 全行 rows equal the director's branch rows.

The bank (November 2026, logs on Mon 11-02 and Tue 11-03; visits targets):
    team A: E1 visits 10 (target 20), E2 20 (20), E3 30 (20)
    team B: E4 5 (10), E5 15 (30); E6 inactive, 40 visits logged, no target
E1 logs deposits_new 60 on 11-02 and 40 on 11-03 (2 days with a deposit sale); credit_cards 1 on 11-02.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.errors import AppError
from core.routines import peers as P
from core.routines.frames import workday_info
from core.routines.progress import month_progress
from core.schema import METRICS
from core.scope import SYSTEM, Scope
from core.store import logs as sl
from core.store.peers import peer_figures

D1, D2 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
VISITS = {"E1": 10, "E2": 20, "E3": 30, "E4": 5, "E5": 15, "E6": 40}
TARGETS = {"E1": 20, "E2": 20, "E3": 20, "E4": 10, "E5": 30}
NAMES = {"E1": "张伟", "E2": "李娜", "E3": "王芳", "E4": "赵强", "E5": "钱敏", "E6": "孙丽"}


def _seed(engine):
    roster = pd.DataFrame([{"employee_id": e, "name": NAMES[e], "team": "A" if e in ("E1", "E2", "E3") else "B",
                            "line": "corporate", "grade": "客户经理", "start_date": pd.Timestamp("2020-01-01"),
                            "mentor_id": None, "active": e != "E6"} for e in NAMES])
    sl.apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r" * 64)
    rows = []
    for e, v in VISITS.items():      # half the visits each day
        for d in (D1, D2):
            r = {m: 0.0 for m in METRICS}
            r.update(employee_id=e, date=d, visits=v / 2, deposit_balance=np.nan, notes="")
            if e == "E1":
                r.update(deposits_new=60.0 if d == D1 else 40.0, credit_cards=1.0 if d == D1 else 0.0)
            rows.append(r)
    sl.apply_daily(engine, SYSTEM, pd.DataFrame(rows), "daily.xlsx", "d" * 64)
    tg = pd.DataFrame([{"month": "2026-11", "employee_id": e, "metric": "visits", "value": float(v)}
                       for e, v in TARGETS.items()])
    sl.apply_targets(engine, SYSTEM, tg, "targets.xlsx", "t" * 64)
    return engine


@pytest.fixture
def bank(engine):
    return _seed(engine)


MANAGER = Scope("manager", username="e2", team="A", employee_id="E2")
LEAD_B = Scope("team_lead", username="lb", team="B")


def test_peer_rows_are_anonymous_and_complete(bank):
    p = peer_figures(bank, MANAGER, D1, D2, month="2026-11")
    assert not {"employee_id", "name", "team"} & set(p.columns)
    strings = {str(v) for c in p.columns for v in p[c].tolist()} | set(map(str, p.columns))
    assert not strings & (set(NAMES) | set(NAMES.values()) | {"A", "B"})
    assert len(p) == 6                                     # E6 is inactive but logged: counted, as the pages do
    assert p["own"].sum() == 1 and float(p.loc[p["own"], "visits"].iat[0]) == 20.0
    assert sorted(p.loc[p["own_team"], "visits"]) == [10.0, 20.0, 30.0]
    assert set(p.loc[p["own_team"], "team_no"]) == {0} and set(p.loc[~p["own_team"], "team_no"]) == {1}
    e1 = p[p["visits"] == 10.0].iloc[0]                    # 60 + 40 on two days; 1 card
    assert (e1["deposits_new"], e1["days_deposits_new"], e1["credit_cards"], e1["days_logged"]) == (100.0, 2, 1, 2)
    assert p["target_visits"].sum() == 100.0 and p["target_visits"].isna().sum() == 1


@pytest.mark.parametrize("scope, own_team_visits", [
    (MANAGER, [10.0, 20.0, 30.0]),
    (LEAD_B, [5.0, 15.0, 40.0]),
    (SYSTEM, []),                                          # a director has no team of his own
])
def test_own_team_follows_the_scope(bank, scope, own_team_visits):
    p = peer_figures(bank, scope, D1, D2)
    assert sorted(p.loc[p["own_team"], "visits"]) == own_team_visits


@pytest.mark.parametrize("scope, start, end, key", [
    (Scope("manager", username="x", employee_id="NOPE"), D1, D2, "peers.unknown_self"),
    (MANAGER, D2, D1, "peers.bad_period"),
])
def test_refusals(bank, scope, start, end, key):
    with pytest.raises(AppError) as e:
        peer_figures(bank, scope, start, end)
    assert e.value.key == key


def test_standing_ranks_and_medians(bank):
    st = P.standing(peer_figures(bank, MANAGER, D1, D2, month="2026-11"), ["visits"])
    # scores (visits attainment, capped at 150 %): A 0.5, 1.0, 1.5; B 0.5, 0.5; E6 no target → not ranked
    assert (st.score, st.team_rank, st.team_n, st.team_median) == (1.0, 2, 3, 1.0)
    assert (st.branch_rank, st.branch_n, st.branch_median) == (2, 5, 0.5)
    v = st.metrics.set_index("metric").loc["visits"]
    # visits: team 10, 20, 30 → 2nd of 3, median 20; branch 10, 20, 30, 5, 15, 40 → 3rd of 6, median 17.5
    assert (v["team_rank"], v["team_n"], v["team_median"]) == (2, 3, 20.0)
    assert (v["branch_rank"], v["branch_n"], v["branch_median"]) == (3, 6, 17.5)
    assert v["team_median_attainment"] == 1.0 and v["branch_median_attainment"] == 0.5


def test_ties_share_the_better_rank():
    peers = pd.DataFrame({"own": [False, True, False], "own_team": [True, True, True], "team_no": [0, 0, 0],
                          "visits": [7.0, 7.0, 3.0], "target_visits": [7.0, 7.0, 6.0]})
    st = P.standing(peers, ["visits"])
    assert (st.team_rank, st.branch_rank, st.branch_n) == (1, 1, 3)      # 100 %, 100 %, 50 %


def test_not_among_the_peers_gives_an_empty_standing():
    assert P.standing(pd.DataFrame({"own": [False], "own_team": [False], "team_no": [1], "visits": [1.0]}),
                      ["visits"]).branch_n == 0


def test_team_rank_and_branch_rows(bank):
    w = workday_info("2026-11", D2)
    p = peer_figures(bank, LEAD_B, dt.date(2026, 11, 1), D2, month="2026-11")
    # team sums: A 60 / 60 = 100 %; B 5 + 15 + 40 = 60 / 40 = 150 % (capped 1.5) → B first of 2
    tr = P.team_rank(p, ["visits"], w)
    assert (tr.rank, tr.n, tr.score, tr.median) == (1, 2, 1.5, 1.25)
    branch = P.branch_rows(p, ["visits"], w).iloc[0]
    # branch: 120 visits against 100; 2 of 21 working days gone → expected 100 × 2 / 21
    assert (branch["actual"], branch["target"]) == (120.0, 100.0)
    assert branch["expected"] == pytest.approx(100 * 2 / 21) and branch["level"] == "branch"


def test_lead_branch_rows_equal_the_directors(bank):
    """The team lead's 全行 rows (from anonymous sums) are the director's branch rows, figure for figure."""
    w = workday_info("2026-11", D2)
    mine = P.branch_rows(peer_figures(bank, LEAD_B, dt.date(2026, 11, 1), D2, month="2026-11"), ["visits"], w)
    logs = sl.read_logs(bank, SYSTEM)
    director = month_progress(logs, sl.read_targets(bank, SYSTEM), sl.read_roster(bank, SYSTEM), "2026-11", D2,
                              level="branch", metrics=["visits"])
    cols = ["actual", "target", "expected", "gap", "attainment", "pace_ratio", "remaining", "daily_needed"]
    pd.testing.assert_frame_equal(mine[cols].reset_index(drop=True), director[cols].reset_index(drop=True))
