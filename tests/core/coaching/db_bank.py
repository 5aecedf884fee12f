"""A small bank in the database for the coaching services, sessions and CLI tests (SQLite and PostgreSQL).

Roster: team A = E1, E2, E3 (a peer group of 3), team B = F1 alone (compared with the whole branch).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core import calendar as cal
from core.schema import METRICS
from core.scope import SYSTEM, Scope
from core.store.logs import apply_daily, apply_roster, apply_targets

D = dt.date
DIRECTOR = Scope("director", username="boss")
LEAD_A = Scope("team_lead", username="lead_a", team="A")
LEAD_B = Scope("team_lead", username="lead_b", team="B")
MGR_E1 = Scope("manager", username="e1", employee_id="E1")
MGR_E2 = Scope("manager", username="e2", employee_id="E2")


def _roster() -> pd.DataFrame:
    rows = [("E1", "甲", "A"), ("E2", "乙", "A"), ("E3", "丙", "A"), ("F1", "丁", "B")]
    return pd.DataFrame([{"employee_id": e, "name": n, "team": tm, "line": "retail", "grade": "客户经理",
                          "start_date": pd.Timestamp("2024-01-01"), "mentor_id": "E2" if e != "E2" else "E1",
                          "active": True} for e, n, tm in rows])


def seed(engine):
    """The roster of the bank (the `bank` fixture of tests/core/coaching/conftest.py)."""
    apply_roster(engine, SYSTEM, _roster(), "roster.xlsx", "r")
    return engine


def _load_logs(engine, low_visits: dict[str, float] | None = None, complaints: dict | None = None) -> None:
    """Steady logs 31 Aug – 13 Dec 2026 (4 visits a day); `low_visits` from 30 Nov; complaints {(eid, date): n}."""
    rows = []
    for d in cal.workdays(D(2026, 8, 31), D(2026, 12, 13)):
        for eid in ("E1", "E2", "E3", "F1"):
            row = {m: 0.0 for m in METRICS}
            v = (low_visits or {}).get(eid) if d >= D(2026, 11, 30) else None
            row.update(employee_id=eid, date=d, visits=v if v is not None else 4.0, new_customers=1.0,
                       deposits_new=10.0, deposit_balance=1000.0, notes="走访",
                       complaints=float((complaints or {}).get((eid, d), 0)))
            rows.append(row)
    apply_daily(engine, SYSTEM, pd.DataFrame(rows), "logs.xlsx", "l")
    tg = [{"month": m, "employee_id": e, "metric": "new_customers", "value": 1.0 * len(cal.month_workdays(m))}
          for m in ("2026-11", "2026-12") for e in ("E1", "E2", "E3", "F1")]
    apply_targets(engine, SYSTEM, pd.DataFrame(tg), "targets.xlsx", "t")
