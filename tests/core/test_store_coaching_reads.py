"""The coaching rules' grouped reads (core/store/coaching_reads.py), on the small bank of the coaching tests.

Bank: E1, E2, E3 (team A) and F1 (team B) log every working day 31 Aug – 13 Dec 2026: 4 visits, 1 new customer,
10 万元 new deposits, balance 1000 万元 (F1 2 visits a day from 30 Nov). Scoped inside the SQL.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.store import coaching_reads as reads
from tests.core.coaching.db_bank import DIRECTOR, LEAD_B, MGR_E1, _load_logs, seed

D = dt.date


@pytest.fixture
def bank(engine):
    seed(engine)
    _load_logs(engine, low_visits={"F1": 2.0})
    return engine


def test_week_sums_per_manager_and_week(bank):
    got = reads.week_sums(bank, DIRECTOR, D(2026, 11, 23), D(2026, 11, 30), ["visits", "deposits_new"])
    by = {(r.employee_id, r.monday.date()): (r.visits, r.deposits_new, r.logged_days) for r in got.itertuples()}
    # W48 (23–27 Nov): 5 working days × 4 visits = 20, × 10 万元 = 50; W49: F1 5 × 2 = 10 visits.
    assert by[("E1", D(2026, 11, 23))] == (20.0, 50.0, 5)
    assert by[("F1", D(2026, 11, 23))] == (20.0, 50.0, 5)
    assert by[("F1", D(2026, 11, 30))] == (10.0, 50.0, 5)
    assert len(by) == 8


def test_week_sums_cut_at_end_and_scoped(bank):
    # W49 cut at Wednesday 2 Dec: 3 days; a team lead of B sees F1 only, a manager himself only.
    got = reads.week_sums(bank, LEAD_B, D(2026, 11, 30), D(2026, 11, 30), ["visits"], end=D(2026, 12, 2))
    assert got[["employee_id", "visits", "logged_days"]].values.tolist() == [["F1", 6.0, 3]]
    mine = reads.week_sums(bank, MGR_E1, D(2026, 11, 30), D(2026, 11, 30), ["visits"])
    assert mine["employee_id"].tolist() == ["E1"]


def test_range_sums_and_week_marks(bank):
    # 1–4 Dec 2026 (Tue–Fri): 4 days; F1 4 × 2 = 8 visits, the others 16.
    got = reads.range_sums(bank, DIRECTOR, D(2026, 12, 1), D(2026, 12, 4), ["visits"])
    assert got["visits"].to_dict() == {"E1": 16.0, "E2": 16.0, "E3": 16.0, "F1": 8.0}
    marks = reads.week_marks(bank, DIRECTOR, D(2026, 11, 30), D(2026, 11, 30))
    row = marks[marks["employee_id"] == "E1"].iloc[0]
    assert [row[f"d{j}"] for j in range(7)] == [1, 1, 1, 1, 1, 0, 0]
    assert row["last"] == pd.Timestamp("2026-12-04")
    assert reads.bare_rows(bank, DIRECTOR, D(2026, 11, 30), D(2026, 12, 6)).empty


def test_balances_carried_in_and_bounds(bank):
    rows = reads.balance_rows(bank, MGR_E1, D(2026, 11, 1), D(2026, 11, 3), lookback=D(2026, 10, 1))
    # 1 Nov is a Sunday: the balance carried in is Friday 30 Oct's; then Mon 2 and Tue 3 Nov.
    assert [(r.date.date(), r.deposit_balance) for r in rows.itertuples()] == [
        (D(2026, 10, 30), 1000.0), (D(2026, 11, 2), 1000.0), (D(2026, 11, 3), 1000.0)]
    b = reads.balance_bounds(bank, DIRECTOR, D(2026, 11, 1), D(2026, 11, 30), D(2026, 11, 30), D(2026, 10, 1))
    assert b.to_dict("index")["F1"] == {"low": 1000.0, "at": 1000.0}
    only = reads.balance_rows(bank, DIRECTOR, D(2026, 11, 2), D(2026, 11, 2), employee_ids=["E2"])
    assert only["employee_id"].tolist() == ["E2"]


def _random_balances(engine, seed_: int) -> None:
    """Balances on random days (weekends too), gaps of weeks, some rows without a balance, some negative."""
    import random

    from core.schema import METRICS
    from core.scope import SYSTEM
    from core.store.logs import apply_daily
    rnd = random.Random(seed_)
    rows = []
    day = D(2026, 6, 1)
    while day <= D(2026, 12, 13):
        for eid in ("E1", "E2", "E3", "F1"):
            if rnd.random() < 0.35 or (eid == "E3" and D(2026, 9, 10) <= day <= D(2026, 11, 5)):
                continue                                     # not logged (E3 away for two months)
            row = {m: 0.0 for m in METRICS}
            pick = rnd.random()
            bal = None if pick < 0.2 else round(rnd.uniform(-50, 5000), 2)
            row.update(employee_id=eid, date=day, deposit_balance=bal)
            rows.append(row)
        day += dt.timedelta(days=1)
    apply_daily(engine, SYSTEM, pd.DataFrame(rows), "balances.xlsx", "l")


@pytest.mark.parametrize("seed_", [1, 2, 3])
def test_carried_in_from_the_month_rollups_is_the_raw_rows_answer(engine, seed_):
    """Before the first of a month the balance carried in is read from the month rollups: for every month, every
    lookback (the day before, mid-month, the month start, 35 days back and beyond) and scope it is exactly the
    last usable balance the raw rows give, with its day."""
    seed(engine)
    _random_balances(engine, seed_)
    compared = 0
    with engine.connect() as conn:
        for a in (D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)):
            for back in (1, 12, 31, 35, 36, 61, 95, 200):
                lookback = a - dt.timedelta(days=back)
                for scope in (DIRECTOR, LEAD_B, MGR_E1):
                    got = reads._carried_in(conn, scope, a, lookback).sort_index()
                    want = reads._carried_in_rows(conn, scope, a, lookback).sort_index()
                    pd.testing.assert_frame_equal(got, want, check_names=False,
                                                  obj=f"carried into {a} from {lookback} ({scope.role})")
                    compared += len(want)
    assert compared > 150          # the managers' carried balances were there to compare, not empty frames
