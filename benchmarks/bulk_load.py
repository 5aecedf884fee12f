"""Bulk-load benchmark: a year of daily logs straight into ``core.store.logs.apply_daily``, beside a floor.

    python benchmarks/bulk_load.py --db postgresql [--managers 5500] [--days 365] [--paths copy,rows,floor]
    python benchmarks/bulk_load.py --db sqlite --managers 300 --days 365 --paths rows,floor

A synthetic DataFrame (`--managers` × `--days` rows, every metric, a balance on most days, a note on some) is
imported into a fresh database with the roster already loaded (not timed). Each path runs in its own subprocess
and its own fresh database, and prints wall time, rows/s and peak RSS:

* ``copy``  — apply_daily through COPY and set-based SQL (PostgreSQL, more than bulk.COPY_THRESHOLD rows),
  then the time of ``rollups rebuild`` (``core.store.rollups.rebuild``) on the loaded rows;
* ``rows``  — apply_daily through the row-by-row path (the threshold forced above the row count): "before";
* ``floor`` — a plain COPY (PostgreSQL) / executemany (SQLite) of the same rows into an empty table with the
  same columns and no keys: no validation, no undo records, no rollups.

PostgreSQL: ``--pg-url`` (default postgresql+psycopg://postgres@127.0.0.1:5432/test) is the server; the
benchmark creates and drops its own databases. SQLite: files under benchmarks/out/ (git-ignored).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np      # noqa: E402  (after the sys.path line, so the script runs from anywhere)
import pandas as pd     # noqa: E402

from core import store  # noqa: E402
from core.schema import METRICS  # noqa: E402
from core.scope import SYSTEM  # noqa: E402
from core.store import bulk, rollups  # noqa: E402
from core.store import logs as sl  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def roster(managers: int) -> pd.DataFrame:
    teams = [f"{'对公' if i % 2 == 0 else '零售'}{i // 2 + 1}队" for i in range(max(2, managers // 15))]
    return pd.DataFrame({"employee_id": [f"E{i:05d}" for i in range(managers)],
                         "name": [f"经理{i:05d}" for i in range(managers)],
                         "team": [teams[i % len(teams)] for i in range(managers)],
                         "line": ["corporate" if teams[i % len(teams)].startswith("对公") else "retail"
                                  for i in range(managers)],
                         "grade": "客户经理", "start_date": pd.Timestamp("2020-01-01"), "mentor_id": None})


def daily(managers: int, days: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = managers * days
    start = dt.date(2025, 1, 1)
    df = pd.DataFrame({"employee_id": np.repeat([f"E{i:05d}" for i in range(managers)], days),
                       "date": np.tile([start + dt.timedelta(days=k) for k in range(days)], managers)})
    for m in METRICS:
        df[m] = rng.integers(0, 6, n).astype("float64")
    df["deposits_new"] = np.round(rng.gamma(2.0, 30.0, n), 2)
    df["loans_new"] = np.round(rng.gamma(1.0, 20.0, n), 2)
    bal = np.round(rng.uniform(1_000, 50_000, n), 2)
    bal[rng.random(n) < 0.2] = np.nan            # a fifth of the days without a logged balance
    df["deposit_balance"] = bal
    notes = np.array(["拜访客户,沟通代发工资业务", "厅堂驻点营销", None, None, None], dtype=object)
    df["notes"] = notes[rng.integers(0, len(notes), n)]
    return df


def _fresh(db: str, pg_url: str):
    """(engine, drop) for a new, migrated database."""
    from sqlalchemy import create_engine, text   # the benchmark's own admin connection
    if db == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"bulk_{uuid.uuid4().hex[:8]}.db"
        eng = store.get_engine(f"sqlite:///{path}")
        store.init_db(eng)
        return eng, lambda: (eng.dispose(), path.unlink(missing_ok=True),
                             Path(f"{path}-wal").unlink(missing_ok=True), Path(f"{path}-shm").unlink(missing_ok=True))
    name = f"bench_bulk_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng = store.get_engine(pg_url.rsplit("/", 1)[0] + "/" + name)
    store.init_db(eng)

    def drop():
        eng.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return eng, drop


def _floor(eng, df: pd.DataFrame) -> float:
    """A plain COPY / executemany of the same rows into an empty table with the same columns, no keys."""
    cols = ["employee_id", "date", *METRICS, "notes"]
    with store.write_begin(eng) as conn:
        num = ", ".join(f"{m} NUMERIC(20, 6)" for m in METRICS)
        conn.exec_driver_sql(f"CREATE TABLE floor_logs (employee_id VARCHAR(50), date DATE, {num}, notes TEXT)")
    t0 = time.perf_counter()
    with store.write_begin(eng) as conn:
        if eng.dialect.name == "postgresql":
            fields = [bulk._text_field(df["employee_id"]), df["date"].map({d: d.isoformat() for d in set(df["date"])}),
                      *[bulk._float_field(df[m]) for m in METRICS], bulk._text_field(df["notes"])]
            bulk._copy(conn, "floor_logs", cols, fields)
        else:
            rows = list(zip(df["employee_id"], df["date"].map(lambda d: d.isoformat()),
                            *[df[m].astype(object).where(df[m].notna(), None) for m in METRICS], df["notes"]))
            conn.exec_driver_sql(f"INSERT INTO floor_logs VALUES ({', '.join(['?'] * len(cols))})", rows)
    return time.perf_counter() - t0


def one(path: str, db: str, managers: int, days: int, pg_url: str) -> dict:
    eng, drop = _fresh(db, pg_url)
    try:
        sl.apply_roster(eng, SYSTEM, roster(managers), "roster", "r" * 64)
        df = daily(managers, days)
        out = {"path": path, "db": db, "rows": len(df)}
        if path == "floor":
            out["seconds"] = _floor(eng, df)
        else:
            bulk.COPY_THRESHOLD = 0 if path == "copy" else 10**12
            t0 = time.perf_counter()
            s = sl.apply_daily(eng, SYSTEM, df, "bench.xlsx", "b" * 64)
            out["seconds"] = time.perf_counter() - t0
            assert s.inserted == len(df), s
            t0 = time.perf_counter()
            built = rollups.rebuild(eng)
            out["rebuild_seconds"] = time.perf_counter() - t0
            out["rollup_rows"] = built
            t0 = time.perf_counter()
            out["check_differences"] = len(rollups.check(eng))
            out["check_seconds"] = time.perf_counter() - t0
        out["rows_per_s"] = out["rows"] / out["seconds"]
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out
    finally:
        drop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--managers", type=int, default=5500)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--paths", default="copy,floor", help="comma-separated: copy, rows, floor")
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one, a.db, a.managers, a.days, a.pg_url)))
        return
    for path in a.paths.split(","):
        cmd = [sys.executable, __file__, "--db", a.db, "--managers", str(a.managers), "--days", str(a.days),
               "--pg-url", a.pg_url, "--one", path.strip()]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(f"{path}: failed\n{res.stderr[-2000:]}")
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        line = (f"{r['db']:<10} {r['path']:<6} {r['rows']:>10,} rows  {r['seconds']:8.1f} s  "
                f"{r['rows_per_s']:>10,.0f} rows/s  peak RSS {r['peak_rss_mb']:,.0f} MB")
        if "rebuild_seconds" in r:
            line += (f"  | rollups rebuild {r['rebuild_seconds']:.1f} s ({r['rollup_rows']['week_rollups']:,} week, "
                     f"{r['rollup_rows']['month_rollups']:,} month rows), check {r['check_seconds']:.1f} s, "
                     f"{r['check_differences']} differences")
        print(line, flush=True)


if __name__ == "__main__":
    main()
