"""The coaching test bank, built in code (shared by the tests of this package).

Team A of five steady managers E1..E5 (since 2024, mentored) who log every working day 4 visits, 1 new
customer, 10 万元 new deposits, a 1,000 万元 deposit balance and a note, with monthly targets exactly on pace
(visits 4, new customers 1, deposits 10 per working day). Cases change E1 (or add a manager) and evaluate one
review week. Calendar facts used in the tests (chinesecalendar, no holidays): November 2026 has 21 working
days, its last 10 start on 17 Nov, last working day Mon 30 Nov; December 2026 has 23 working days;
2026-W50 = Mon 7 – Sun 13 Dec, 9 December working days up to the 13th.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core import calendar as cal
from core import coaching as c
from core.schema import METRICS

W50 = "2026-W50"
START = dt.date(2026, 8, 31)
END = dt.date(2026, 12, 13)
D = dt.date


def _roster(extra: list[dict] | None = None, team_size: int = 5) -> pd.DataFrame:
    rows = [{"employee_id": f"E{i}", "name": f"经理{i}", "team": "A", "line": "retail", "grade": "客户经理",
             "start_date": pd.Timestamp("2024-01-01"), "mentor_id": None, "active": True}
            for i in range(1, team_size + 1)]
    for r in extra or []:
        rows.append({"line": "retail", "grade": "客户经理", "active": True, "mentor_id": None,
                     "start_date": pd.Timestamp("2024-01-01"), **r})
    df = pd.DataFrame(rows)
    df["start_date"] = pd.to_datetime(df["start_date"])
    return df


def _logs(roster: pd.DataFrame, overrides=None, start=START, end=END) -> pd.DataFrame:
    days = cal.workdays(start, end, overrides)
    rows = []
    for eid, sd in zip(roster["employee_id"], roster["start_date"]):
        for d in days:
            if pd.notna(sd) and d < sd.date():
                continue
            row = {m: 0.0 for m in METRICS}
            row.update(employee_id=eid, date=pd.Timestamp(d), visits=4.0, new_customers=1.0, deposits_new=10.0,
                       deposit_balance=1000.0, notes="走访")
            rows.append(row)
    return pd.DataFrame(rows)


def _targets(roster: pd.DataFrame, overrides=None) -> pd.DataFrame:
    rows = []
    for month in ("2026-09", "2026-10", "2026-11", "2026-12"):
        n = len(cal.month_workdays(month, overrides))
        for eid in roster["employee_id"]:
            rows += [{"month": month, "employee_id": eid, "metric": "visits", "value": 4.0 * n},
                     {"month": month, "employee_id": eid, "metric": "new_customers", "value": 1.0 * n},
                     {"month": month, "employee_id": eid, "metric": "deposits_new", "value": 10.0 * n}]
    return pd.DataFrame(rows)


def _set(logs: pd.DataFrame, eid: str, start, end, **values) -> None:
    sel = (logs["employee_id"] == eid) & (logs["date"] >= pd.Timestamp(start)) & (logs["date"] <= pd.Timestamp(end))
    for k, v in values.items():
        logs.loc[sel, k] = v


def _drop(logs: pd.DataFrame, eid: str | None, *days) -> pd.DataFrame:
    sel = logs["date"].isin([pd.Timestamp(d) for d in days])
    if eid is not None:
        sel &= logs["employee_id"] == eid
    return logs[~sel].reset_index(drop=True)


def _bank(extra=None, team_size=5, overrides=None):
    roster = _roster(extra, team_size)
    return roster, _logs(roster, overrides), _targets(roster, overrides)


def _flags(logs, roster, targets, week=W50, rules=None, overrides=None, as_of=None):
    return c.evaluate(logs, roster, targets, week, rules or c.Rules.default(), overrides, as_of)


def _one(flags, eid, rule):
    hits = [f for f in flags if f.employee_id == eid and f.rule_id == rule and f.active]
    assert len(hits) <= 1
    return hits[0] if hits else None


