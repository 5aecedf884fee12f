"""core/store/aggregates.py: the routine pages' GROUP BY reads, hand-worked, scoped, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import update

from core import measures
from core.errors import AppError
from core.schema import METRICS
from core.scope import SYSTEM, Scope
from core.store import aggregates as agg
from core.store import logs as sl
from core.store import tables as t

D = dt.date
LEAD = Scope("team_lead", "lead", team="对公一队")
ME = Scope("manager", "e1", employee_id="E1")

# (employee_id, date, visits, deposits_new, loans_new, deposit_balance); E1, E2 in 对公一队 (corporate), E3 in
# 零售一队 (retail). 2026-10-30 is a Friday (ISO week 44), 2026-11-02 a Monday (week 45).
ROWS = [
    ("E1", D(2026, 10, 30), 2, 5.0, 0.0, 100.0),
    ("E1", D(2026, 11, 2), 3, 10.5, 0.0, 120.0),
    ("E1", D(2026, 11, 3), 4, 0.0, 20.0, np.nan),
    ("E1", D(2026, 11, 5), 1, -2.0, 0.0, 90.0),
    ("E2", D(2026, 11, 2), 5, 0.0, 0.0, np.nan),
    ("E2", D(2026, 11, 3), 0, 3.25, 0.0, 200.0),
    ("E3", D(2026, 11, 2), 7, 2.25, 1.0, 50.0),
    ("E3", D(2026, 11, 4), 6, 0.0, 0.0, 55.0),
]


def roster():
    return pd.DataFrame([
        {"employee_id": e, "name": n, "team": tm, "line": ln, "grade": "客户经理",
         "start_date": pd.Timestamp("2020-01-01"), "mentor_id": None}
        for e, n, tm, ln in (("E1", "张伟", "对公一队", "corporate"), ("E2", "李娜", "对公一队", "corporate"),
                             ("E3", "王芳", "零售一队", "retail"))])


@pytest.fixture
def bank(engine):
    sl.apply_roster(engine, SYSTEM, roster(), "roster", "r")
    out = []
    for eid, d, v, dep, loans, bal in ROWS:
        r = {m: 0.0 for m in METRICS}
        r.update(employee_id=eid, date=d, visits=v, deposits_new=dep, loans_new=loans, deposit_balance=bal, notes="")
        out.append(r)
    sl.apply_daily(engine, SYSTEM, pd.DataFrame(out), "logs", "d")
    return engine


def _rows(df, cols):
    return [tuple(None if isinstance(v, float) and np.isnan(v) else v for v in r)
            for r in df[cols].itertuples(index=False, name=None)]


# 2026-11-02..05: E1 visits 3+4+1 = 8, deposits 10.5+0−2 = 8.5, loans 20, 3 days, deposit days > 0: 1 (the −2 is
# not a sale), loan days 1; E2 visits 5+0 = 5, deposits 3.25, 2 days, 1 deposit day; E3 visits 7+6 = 13, deposits
# 2.25, loans 1, 2 days, 1 deposit day, 1 loan day.
E1 = ("E1", 8.0, 8.5, 20.0, 1, 1, 3)
E2 = ("E2", 5.0, 3.25, 0.0, 1, 0, 2)
E3 = ("E3", 13.0, 2.25, 1.0, 1, 1, 2)


@pytest.mark.parametrize("scope, kw, want", [
    (SYSTEM, {}, [E1, E2, E3]),
    (LEAD, {}, [E1, E2]),                                   # a lead: his team only
    (ME, {}, [E1]),                                         # a manager: himself only
    (SYSTEM, {"team": "零售一队"}, [E3]),
    (SYSTEM, {"line": "corporate"}, [E1, E2]),
    (LEAD, {"team": "零售一队"}, []),                        # a filter never widens the scope
    (SYSTEM, {"employee_id": "E2"}, [E2]),
], ids=["director", "lead", "manager", "team", "line", "lead-other-team", "one-manager"])
def test_period_sums(bank, scope, kw, want):
    got = agg.period_sums(bank, scope, D(2026, 11, 2), D(2026, 11, 5), ["visits", "deposits_new", "loans_new"],
                          positive_days=["deposits_new", "loans_new"], **kw)
    cols = ["employee_id", "visits", "deposits_new", "loans_new", "days_deposits_new", "days_loans_new",
            "days_logged"]
    assert list(got.columns) == cols
    assert _rows(got, cols) == want


def test_period_sums_empty_and_refused(bank):
    assert agg.period_sums(bank, SYSTEM, D(2026, 11, 6), D(2026, 11, 1)).empty          # start after end
    assert agg.period_sums(bank, SYSTEM, D(2026, 12, 1), D(2026, 12, 31)).empty
    with pytest.raises(AppError) as e:
        agg.period_sums(bank, SYSTEM, D(2026, 11, 1), D(2026, 11, 5), ["deposit_balance"])
    assert e.value.key == "metrics.error.stock"
    with pytest.raises(AppError) as e:
        agg.period_sums(bank, SYSTEM, D(2026, 11, 1), D(2026, 11, 5), ["nonsense"])
    assert e.value.key == "aggregates.unknown_metric"


@pytest.mark.parametrize("fn, keys, col", [
    (lambda e, s: agg.week_sums(e, s, ["2026-W44", "2026-W45"], ["visits", "deposits_new"]), ("2026-W44", "2026-W45"),
     "week"),
    (lambda e, s: agg.month_sums(e, s, ["2026-10", "2026-11"], ["visits", "deposits_new"]), ("2026-10", "2026-11"),
     "month"),
    (lambda e, s: agg.periods_sums(e, s, {"a": (D(2026, 10, 26), D(2026, 11, 1)), "b": (D(2026, 11, 2), D(2026, 11, 8))},
                                   ["visits", "deposits_new"]), ("a", "b"), "period"),
], ids=["weeks", "months", "periods"])
@pytest.mark.parametrize("scope, ids", [(SYSTEM, ["E1", "E2", "E3"]), (LEAD, ["E1", "E2"]), (ME, ["E1"])],
                         ids=["director", "lead", "manager"])
def test_grain_sums(bank, fn, keys, col, scope, ids):
    got = fn(bank, scope)
    # week 44 / October / period a: E1 on 10-30 only (2 visits, 5 deposits); week 45 / November: as above
    want = [(keys[0], "E1", 2.0, 5.0, 1)] + [(keys[1], *r) for r in (("E1", 8.0, 8.5, 3), ("E2", 5.0, 3.25, 2),
                                                                       ("E3", 13.0, 2.25, 2)) if r[0] in ids]
    assert _rows(got, [col, "employee_id", "visits", "deposits_new", "days_logged"]) == want


def test_periods_must_not_overlap(bank):
    with pytest.raises(AppError) as e:
        agg.periods_sums(bank, SYSTEM, {"a": (D(2026, 11, 1), D(2026, 11, 3)), "b": (D(2026, 11, 3), D(2026, 11, 5))})
    assert e.value.key == "aggregates.overlap"
    empty = agg.periods_sums(bank, SYSTEM, {"a": (D(2026, 11, 3), D(2026, 11, 2))})
    assert empty.empty and "period" in empty.columns


@pytest.mark.parametrize("scope, want", [
    # 11-02: 3 + 5 + 7 = 15 visits by 3 managers; 11-03: 4 + 0 = 4 by 2; 11-04: 6 by 1 (E3)
    (SYSTEM, [("2026-11-02", 15.0, 3), ("2026-11-03", 4.0, 2), ("2026-11-04", 6.0, 1)]),
    (LEAD, [("2026-11-02", 8.0, 2), ("2026-11-03", 4.0, 2)]),
    (ME, [("2026-11-02", 3.0, 1), ("2026-11-03", 4.0, 1)]),
], ids=["director", "lead", "manager"])
def test_daily_sums(bank, scope, want):
    got = agg.daily_sums(bank, scope, D(2026, 11, 2), D(2026, 11, 4), ["visits"])
    assert [(d.date().isoformat(), v, n) for d, v, n in got[["date", "visits", "managers"]].itertuples(
        index=False, name=None)] == want


@pytest.mark.parametrize("scope, want", [
    (ME, [("E1", "2026-11-02", 3.0), ("E1", "2026-11-03", 4.0), ("E1", "2026-11-05", 1.0)]),
    (LEAD, [("E1", "2026-11-02", 3.0), ("E1", "2026-11-03", 4.0), ("E1", "2026-11-05", 1.0),
            ("E2", "2026-11-02", 5.0), ("E2", "2026-11-03", 0.0)]),
], ids=["manager", "lead"])
def test_daily_values(bank, scope, want):
    got = agg.daily_values(bank, scope, D(2026, 11, 1), D(2026, 11, 7), "visits")
    assert [(e, d.date().isoformat(), v) for e, d, v in got.itertuples(index=False, name=None)] == want


CUR, PREV, OCT1 = (D(2026, 11, 1), D(2026, 11, 5)), (D(2026, 10, 1), D(2026, 10, 31)), D(2026, 10, 1)


@pytest.mark.parametrize("scope, periods, lookback, want", [
    # E1 in 11-01..05: 100 carried from 10-30, 120 on 11-02 carried over 11-03 (no balance logged) and 11-04, 90 on
    # 11-05: 5 days, 100+120+120+120+90 = 550, on the 5th 90. October: 100 on the 30th and 31st = 200 over 2 days.
    # E2: 200 from 11-03 to 11-05 = 600 over 3 days; nothing in October. E3: 50, 50, 55, 55 = 210 over 4 days.
    (SYSTEM, {"cur": CUR, "prev": PREV}, OCT1,
     [("cur", "E1", 5, 550.0, 90.0), ("cur", "E2", 3, 600.0, 200.0), ("cur", "E3", 4, 210.0, 55.0),
      ("prev", "E1", 2, 200.0, 100.0)]),
    # cut at 11-03: E1 100+120+120 = 340 (3 days, 120 at the end), E2 200 (1 day), E3 50+50 = 100 (2 days)
    (SYSTEM, {"cur": (D(2026, 11, 1), D(2026, 11, 3))}, OCT1,
     [("cur", "E1", 3, 340.0, 120.0), ("cur", "E2", 1, 200.0, 200.0), ("cur", "E3", 2, 100.0, 50.0)]),
    # looking back only from 11-01: E1's 10-30 balance is not carried, 11-01 unknown: 120×3 + 90 = 450 over 4 days
    (ME, {"cur": CUR}, D(2026, 11, 1), [("cur", "E1", 4, 450.0, 90.0)]),
    (LEAD, {"cur": CUR}, OCT1, [("cur", "E1", 5, 550.0, 90.0), ("cur", "E2", 3, 600.0, 200.0)]),
], ids=["director", "cut", "short-lookback", "lead"])
def test_balance_figures(bank, scope, periods, lookback, want):
    got = agg.balance_figures(bank, scope, periods, lookback)
    assert _rows(got, ["period", "employee_id", "known_days", "balance_sum", "point"]) == want


def test_balance_figures_agree_with_carried_balances(bank):
    """The same 日均 and 时点 as core.measures over the raw balances, per manager, for several periods."""
    raw = sl.read_logs(bank, SYSTEM)[["employee_id", "date", "deposit_balance"]]
    for a, b in ((D(2026, 11, 1), D(2026, 11, 5)), (D(2026, 10, 29), D(2026, 11, 2)), (D(2026, 11, 4), D(2026, 11, 4))):
        grid = measures.carried_balances(raw, a, b, OCT1)
        got = agg.balance_figures(bank, SYSTEM, {"p": (a, b)}, OCT1).set_index("employee_id")
        known = grid.notna().sum()
        ids = sorted(known[known > 0].index)
        assert sorted(got.index[got["known_days"] > 0]) == ids
        for e in ids:
            assert got.at[e, "balance_sum"] / got.at[e, "known_days"] == pytest.approx(measures.average_daily(grid)[e])
            assert got.at[e, "point"] == pytest.approx(measures.point_balance(grid)[e])


def test_values_the_pages_read_as_not_logged_are_not_summed(bank):
    """A stored value beyond STORE_LIMIT (written around the checks) counts as blank, as read_logs reads it."""
    with bank.begin() as conn:
        conn.execute(update(t.daily_logs).where(t.daily_logs.c.employee_id == "E3",
                                                t.daily_logs.c.date == D(2026, 11, 4)).values(visits=5e13,
                                                                                              deposit_balance=5e13))
    got = agg.period_sums(bank, SYSTEM, D(2026, 11, 2), D(2026, 11, 5), ["visits"], team="零售一队")
    assert _rows(got, ["employee_id", "visits", "days_logged"]) == [("E3", 7.0, 2)]   # 7 + blank, still 2 days
    bal = agg.balance_figures(bank, SYSTEM, {"cur": CUR}, OCT1, team="零售一队")
    assert _rows(bal, ["employee_id", "known_days", "balance_sum", "point"]) == [("E3", 4, 200.0, 50.0)]  # 50 × 4
