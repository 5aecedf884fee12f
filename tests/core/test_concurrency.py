"""Two team leads uploading at the same moment (SQLite file and PostgreSQL): no lost or duplicated rows.

Imports go through core.store.logs.apply_daily, each one write transaction serialised against other writers
(SQLite BEGIN IMMEDIATE, PostgreSQL advisory lock), so concurrent imports run one after the other: every key
ends up stored exactly once, with the value of whichever import committed last, and both imports are recorded.
"""
from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
from sqlalchemy import func, select

from core.scope import SYSTEM, Scope
from core.store import logs
from core.store import tables as t

TEAM_A, TEAM_B = "对公一队", "零售一队"
A = ["A1", "A2", "A3"]
B = ["B1", "B2"]
LEAD_A = Scope("team_lead", "lead_a", TEAM_A)
LEAD_B = Scope("team_lead", "lead_b", TEAM_B)
DIRECTOR = Scope("director", "boss")
DAYS = [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(10)]   # 2026-11-02 .. 11-11


def _roster() -> pd.DataFrame:
    return pd.DataFrame([{"employee_id": e, "name": e, "team": TEAM_A if e in A else TEAM_B,
                          "line": "corporate" if e in A else "retail", "grade": "客户经理",
                          "start_date": None, "mentor_id": None} for e in A + B])


def _rows(ids: list[str], days: list[dt.date], visits: float) -> pd.DataFrame:
    return pd.DataFrame([{"employee_id": e, "date": d, "visits": visits, "deposits_new": visits / 2}
                         for e in ids for d in days])


@pytest.fixture
def branch(engine):
    logs.apply_roster(engine, SYSTEM, _roster(), "roster.xlsx", "r")
    return engine


def _stored(engine) -> tuple[int, int, float, float]:
    """(rows, distinct keys, sum of visits, sum of deposits_new) of daily_logs."""
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(t.daily_logs)).scalar()
        keys = conn.execute(select(func.count()).select_from(
            select(t.daily_logs.c.employee_id, t.daily_logs.c.date).distinct().subquery())).scalar()
        v, d = conn.execute(select(func.sum(t.daily_logs.c.visits), func.sum(t.daily_logs.c.deposits_new))).one()
    return int(n), int(keys), float(v or 0), float(d or 0)


def _run_at_once(jobs) -> list:
    """Run the callables in threads released by one barrier; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return results


def test_two_leads_disjoint_teams_at_once(branch):
    # Lead A: 3 managers × 10 days, visits 1 → 30 rows, 30 visits.  Lead B: 2 × 10 days, visits 2 → 20 rows, 40.
    a = _rows(A, DAYS, 1.0)
    b = _rows(B, DAYS, 2.0)
    sa, sb = _run_at_once([lambda: logs.apply_daily(branch, LEAD_A, a, "a.xlsx", "sa"),
                           lambda: logs.apply_daily(branch, LEAD_B, b, "b.xlsx", "sb")])
    assert (sa.inserted, sb.inserted) == (30, 20)
    assert _stored(branch) == (50, 50, 70.0, 35.0)     # deposits_new = visits / 2
    imps = logs.list_imports(branch, SYSTEM)
    daily = imps[imps["kind"] == "daily"]
    assert sorted(daily["filename"]) == ["a.xlsx", "b.xlsx"]
    assert sorted(daily["inserted"]) == [20, 30]
    assert sorted(logs.list_imports(branch, LEAD_A)["filename"]) == ["a.xlsx"]


@pytest.mark.parametrize("rounds", [3])
def test_overlapping_imports_at_once_keep_one_row_per_key(branch, rounds):
    # Two uploads (a director's and lead A's) of the same 3 managers: days 0-6 (21 rows) and days 4-9 (18 rows),
    # overlapping on days 4-6 (3 × 3 = 9 keys). Union: 3 × 10 = 30 keys. The overlap keys take the value of the
    # import that committed last (the higher import id). Each round uses new values, so every round updates.
    first = DAYS[:7]
    second = DAYS[4:]
    for r in range(rounds):
        v1, v2 = 10.0 * (r + 1), 10.0 * (r + 1) + 1
        s1, s2 = _run_at_once([
            lambda: logs.apply_daily(branch, DIRECTOR, _rows(A, first, v1), f"d{r}.xlsx", f"d{r}"),
            lambda: logs.apply_daily(branch, LEAD_A, _rows(A, second, v2), f"l{r}.xlsx", f"l{r}")])
        last_v = v2 if s2.import_id > s1.import_id else v1
        # days 0-3 (12 keys) hold v1, days 7-9 (9 keys) hold v2, days 4-6 (9 keys) hold the later import's value
        expected_visits = 12 * v1 + 9 * v2 + 9 * last_v
        assert _stored(branch) == (30, 30, expected_visits, expected_visits / 2)
        # Both imports are recorded, and together they account for every key they carried: 21 + 18 rows.
        for s in (s1, s2):
            assert s.inserted + s.updated + s.unchanged == (21 if s is s1 else 18)
        if r == 0:
            assert s1.inserted + s2.inserted == 30       # each key inserted once, by one of them
            later = s2 if s2.import_id > s1.import_id else s1
            assert later.updated == 9                    # ... and the overlap updated by the later one
    imps = logs.list_imports(branch, SYSTEM)
    assert len(imps[imps["kind"] == "daily"]) == 2 * rounds
    with branch.connect() as conn:
        changes = conn.execute(select(func.count()).select_from(t.import_changes)
                               .where(t.import_changes.c.table_name == "daily_logs")).scalar()
    assert changes == sum(int(x) for x in imps.loc[imps["kind"] == "daily", ["inserted", "updated"]].sum())


def test_many_uploads_of_the_same_rows_at_once(branch):
    # Four uploads of identical rows (all managers, 10 days, visits 3): exactly one inserts the 50 rows, the
    # other three find them unchanged. Nothing is duplicated and every import is recorded.
    rows = _rows(A + B, DAYS, 3.0)
    results = _run_at_once([(lambda i=i: logs.apply_daily(branch, DIRECTOR, rows, f"same{i}.xlsx", f"s{i}"))
                            for i in range(4)])
    assert sorted((s.inserted, s.unchanged) for s in results) == [(0, 50), (0, 50), (0, 50), (50, 0)]
    assert _stored(branch) == (50, 50, 150.0, 75.0)
    assert len(logs.list_imports(branch, SYSTEM)) == 1 + 4     # the roster and the four uploads


# A separate Python process per upload, as two team leads' sessions on a shared server would be. Each waits
# for the same start file, imports, and prints its summary as JSON.
_CHILD = """
import datetime as dt, json, os, sys, time
import pandas as pd
from core import store
from core.scope import Scope
from core.store import logs
url, scope, ids, days, visits, name, go = json.loads(sys.argv[1])
eng = store.get_engine(url)
rows = pd.DataFrame([{"employee_id": e, "date": dt.date.fromisoformat(d), "visits": visits,
                      "deposits_new": visits / 2} for e in ids for d in days])
open(go + "." + name, "w").close()          # ready: imports done, rows built
deadline = time.time() + 120
while not os.path.exists(go) and time.time() < deadline:
    time.sleep(0.005)
s = logs.apply_daily(eng, Scope(*scope), rows, name, name)
print(json.dumps([name, s.import_id, s.inserted, s.updated]))
"""


def test_two_processes_import_at_once(branch, tmp_path):
    # Lead A (A1-A3, days 0-9, visits 1: 30 rows) and a director (A3 + B1-B2, days 5-9, visits 4: 15 rows, of
    # which A3 days 5-9 = 5 keys overlap) import from two processes released together.
    # Union: 30 + 10 = 40 keys. visits: 25 keys only in A's file → 25; 10 only in the director's → 40;
    # the 5 overlapping keys hold the later import's value (and the later import updated them).
    import json
    import os
    import subprocess
    import sys
    import time
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    go = str(tmp_path / "go")
    url = branch.test_url
    jobs = [(url, ("team_lead", "lead_a", TEAM_A, None), A, [d.isoformat() for d in DAYS], 1.0, "pa.xlsx", go),
            (url, ("director", "boss", None, None), ["A3"] + B, [d.isoformat() for d in DAYS[5:]], 4.0, "pb.xlsx", go)]
    env = dict(os.environ, PYTHONPATH=root)
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(job)], cwd=root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for job in jobs]
    deadline = time.time() + 120        # release them only when both are up and polling for the start file
    while not all(os.path.exists(f"{go}.{job[5]}") for job in jobs) and time.time() < deadline:
        assert all(p.poll() is None for p in procs), "a child exited before the start"
        time.sleep(0.01)
    open(go, "w").close()
    got = {}
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-2000:]
        name, import_id, inserted, updated = json.loads(out.strip().splitlines()[-1])
        got[name] = (import_id, inserted, updated)
    (ida, ins_a, upd_a), (idb, ins_b, upd_b) = got["pa.xlsx"], got["pb.xlsx"]
    last_v = 4.0 if idb > ida else 1.0
    assert ins_a + ins_b == 40
    assert upd_a + upd_b == 5
    visits = 25 * 1.0 + 10 * 4.0 + 5 * last_v
    assert _stored(branch) == (40, 40, visits, visits / 2)
    assert sorted(logs.list_imports(branch, SYSTEM)["filename"]) == ["pa.xlsx", "pb.xlsx", "roster.xlsx"]
