"""The batch path's shortcuts give what the plain definitions give (issue 12): Σ B(d) summed per logged balance
equals the day-by-day sum, exactly; the days behind a quantity, built when read, are the list they stand for; the
batch grouping of flows and balances equals the one-manager reading."""
from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.commission import inputs
from core.commission.periods import as_period
from core.commission import measure as avg
from core.commission.days import BalanceDays, FlowDays, own
from core.convert import ZERO

D0 = dt.date(2026, 3, 1)
amounts = st.decimals(min_value=Decimal("-99999.999999"), max_value=Decimal("999999.999999"), places=6,
                      allow_nan=False, allow_infinity=False).map(float)
logged = st.lists(st.tuples(st.integers(0, 60), amounts), max_size=25)


def _balances(entries) -> pd.DataFrame:
    return pd.DataFrame({"employee_id": "CM1", "date": [pd.Timestamp(D0 + dt.timedelta(days=k)) for k, _ in entries],
                         "deposit_balance": [v for _, v in entries]})


@settings(max_examples=200, deadline=None)
@given(logged, st.integers(0, 70), st.integers(0, 40))
def test_balance_total_is_the_day_by_day_sum(entries, first, length):
    bal = avg.Balances.of(_balances(entries))
    start = D0 + dt.timedelta(days=first - 5)
    end = start + dt.timedelta(days=length)
    by_day = bal.days(start, end)
    want = sum((b for _, b in by_day), ZERO)
    got = bal.total(start, end)
    assert got == want and str(got) == str(want)
    assert BalanceDays(bal, start, end) == by_day and len(BalanceDays(bal, start, end)) == len(by_day)


def test_balance_total_by_hand():
    # 100 logged on 3-02, 130 on 3-04: B = 0 (3-01), 100, 100, 130, 130 (3-05) → 460
    bal = avg.Balances.of(_balances([(1, 100.0), (3, 130.0)]))
    assert bal.total(D0, D0 + dt.timedelta(days=4)) == Decimal("460.0")
    a, days = avg.avg_daily(bal, as_period("2026-03"), D0 + dt.timedelta(days=4))
    assert a == Decimal("92.00") and len(days) == 5 and days[0] == (D0, ZERO)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["CM1", "CM2", "CM3"]), st.integers(0, 30), amounts), max_size=40))
def test_grouped_balances_equal_each_managers_own(rows):
    df = pd.DataFrame({"employee_id": [e for e, _, _ in rows],
                       "date": [pd.Timestamp(D0 + dt.timedelta(days=k)) for _, k, _ in rows],
                       "deposit_balance": [v for _, _, v in rows]}, columns=["employee_id", "date", "deposit_balance"])
    got = avg.balances_by_employee(df)
    for e in {e for e, _, _ in rows}:
        one = avg.Balances.of(df[df["employee_id"] == e])
        assert (got[e].dates, got[e].values) == (one.dates, one.values)


def test_flow_days_are_the_slice_they_stand_for():
    dates = [D0, D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=2)]
    vals = [Decimal("1.5"), Decimal("2"), Decimal("3.25")]
    days = FlowDays(dates, vals, 1, 3)
    assert len(days) == 2 and days == [(dates[1], vals[1]), (dates[2], vals[2])] and days[-1] == (dates[2], vals[2])
    assert list(days) == [(dates[1], vals[1]), (dates[2], vals[2])] and days != [(dates[1], vals[1])]
    assert not FlowDays(dates, vals, 2, 2) and own(days) is days and own([(D0, ZERO)]) == [(D0, ZERO)]
    assert pickle.loads(pickle.dumps(days)) == days


def test_flows_sum_and_days_within_the_period():
    logs = pd.DataFrame({"employee_id": ["CM1", "CM2", "CM1", "CM1"],
                         "date": pd.to_datetime(["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-31"]),
                         "deposits_new": [5.0, 7.0, 0.1, 0.2]})
    fl = inputs.flows_by_employee(logs, ["deposits_new"])
    q, days = fl["CM1"].quantities(["deposits_new", "loans_new"], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert q == {"deposits_new": Decimal("0.3"), "loans_new": ZERO}       # 0.1 + 0.2 exactly, not 0.30000000000000004
    assert days["deposits_new"] == [(dt.date(2026, 3, 2), Decimal("0.1")), (dt.date(2026, 3, 31), Decimal("0.2"))]
    assert days["loans_new"] == []
