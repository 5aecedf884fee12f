"""Fixtures of the group-robot tests: the local robot server and a small bank stored through the normal write path.

The bank: team 对公一队 (C1 张伟 with mobile 13800138001, C2 李娜 with mobile 13800138002, C3 王强 without one) and
team 零售一队 (R1 赵敏, mobile 13900139001). Everyone logs every working day of November 2026 from Mon 2 Nov to
Thu 19 Nov (4 visits, 1 new customer, 10 万元 deposits); on Fri 20 Nov only C1 and R1 log. So the reminder sent
on Mon 23 Nov (whose previous working day is Fri 20 Nov) names C2, C3 (对公一队) and nobody of 零售一队.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import calendar as cal
from core.schema import METRICS
from core.scope import SYSTEM
from core.store.logs import apply_daily, apply_roster, apply_targets
from tests.core.notify.robots import Robots

MONDAY = dt.date(2026, 11, 23)
FRIDAY = dt.date(2026, 11, 20)
PEOPLE = [("C1", "张伟", "对公一队", "corporate", "13800138001"), ("C2", "李娜", "对公一队", "corporate", "13800138002"),
          ("C3", "王强", "对公一队", "corporate", None), ("R1", "赵敏", "零售一队", "retail", "13900139001")]


@pytest.fixture
def robots():
    r = Robots().start()
    yield r
    r.stop()


def store_bank(engine) -> None:
    roster = pd.DataFrame([{"employee_id": e, "name": n, "team": tm, "line": ln, "grade": "客户经理",
                            "start_date": pd.Timestamp("2024-01-01"), "mentor_id": None, "mobile": m}
                           for e, n, tm, ln, m in PEOPLE])
    apply_roster(engine, SYSTEM, roster, "roster.xlsx", "r" * 64)
    rows = []
    for d in cal.workdays(dt.date(2026, 11, 2), FRIDAY):
        for eid, *_ in PEOPLE:
            if d == FRIDAY and eid not in ("C1", "R1"):
                continue
            row = {m: 0.0 for m in METRICS}
            row.update(employee_id=eid, date=pd.Timestamp(d), visits=4.0, new_customers=1.0, deposits_new=10.0,
                       deposit_balance=1000.0, notes="走访")
            rows.append(row)
    apply_daily(engine, SYSTEM, pd.DataFrame(rows), "daily.xlsx", "d" * 64)
    n = len(cal.month_workdays("2026-11"))
    targets = [{"month": "2026-11", "employee_id": e, "metric": m, "value": v * n}
               for e, *_ in PEOPLE for m, v in (("visits", 4.0), ("deposits_new", 12.0))]
    apply_targets(engine, SYSTEM, pd.DataFrame(targets), "targets.xlsx", "t" * 64)


@pytest.fixture
def bank(engine):
    store_bank(engine)
    return engine
