"""A branch's month of statements (issue 12): run_period and the payout tab (payout_summary, commission_page) for
5,500 managers, on SQLite and PostgreSQL. A script, not a test.

    .venv/bin/python benchmarks/statements.py --managers 5500 --months 1 --db sqlite
    .venv/bin/python benchmarks/statements.py --managers 5500 --months 12 --db postgresql --repeat 3
    .venv/bin/python benchmarks/statements.py --managers 5500 --keep /tmp/stmt.db   # keep the SQLite file, then
    .venv/bin/python benchmarks/statements.py --url sqlite:////tmp/stmt.db --month 2026-01   # time it again

Data: benchmarks/pages.py's synthetic bank (every calendar day of its year for every manager), cut to the first
`--months` months, loaded through the store's own imports; the plan is the sample plan with a 日均 increase item,
the attainment multiplier and reserve instalments (tests/core/commission/test_statements_golden.py's plan).
The statements timed are those of the last loaded month. Prints seconds (median of --repeat) per call: wall clock
and this process's CPU time (on a shared machine the CPU time is the steadier figure; PostgreSQL's own work is
in the wall clock only).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.bulk import YEAR, load_store, synthetic  # noqa: E402
from core import commission as cm  # noqa: E402
from core import store  # noqa: E402
from core.schema import METRICS  # noqa: E402
from core.scope import SYSTEM, Scope  # noqa: E402
from core.store import logs as store_logs  # noqa: E402

EXTRA_ITEM = "  - metric: deposit_balance\n    measure: avg_daily_increase\n    base: previous_period\n    rate: 0.5\n"
EXTRA = ("attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, "
         "{factor: 1.1}]}\nreserve_release: {first_after_months: 1, every_months: 1, instalments: 3}\n")
DIRECTOR = Scope("director", username="boss")


def plan_text() -> str:
    text_ = cm.SAMPLE_PLAN.read_text(encoding="utf-8").replace("items:\n", "items:\n" + EXTRA_ITEM, 1)
    lines = [ln for ln in text_.splitlines() if not ln.startswith(("attainment_multiplier:", "reserve_release:",
                                                                   "reserve_release_after_months:"))]
    return "\n".join(lines) + "\n" + EXTRA


def _pg_engine():
    name = f"bench_stmt_{uuid.uuid4().hex[:8]}"
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng = store.get_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    store.init_db(eng)

    def drop():
        eng.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return eng, drop


def load(n: int, months: int, db: str, path: Path):
    logs, roster, targets = synthetic(n)
    last = f"{YEAR}-{months:02d}"
    logs = logs[logs["date"].dt.strftime("%Y-%m") <= last]
    targets = targets[targets["month"] <= last]
    if db == "sqlite":
        eng, drop = load_store(logs, roster, targets, path), (lambda: None)
    else:
        eng, drop = _pg_engine()
        store_logs.apply_roster(eng, SYSTEM, roster[["employee_id", "name", "team", "line", "grade", "start_date",
                                                     "mentor_id", "active"]], "bench roster", "r")
        store_logs.apply_daily(eng, SYSTEM, logs[["employee_id", "date", *METRICS, "notes"]], "bench daily", "d")
        store_logs.apply_targets(eng, SYSTEM, targets, "bench targets", "t")
    cm.upload_plan(eng, DIRECTOR, plan_text().replace("effective_from: 2026-01-01", f"effective_from: {YEAR}-01-01"),
                   activate=True)
    return eng, drop, last, len(logs)


def existing(url: str):
    """A database loaded by an earlier run (--keep, or a PostgreSQL database left in place): (engine, no-op drop)."""
    eng = store.get_engine(url)
    with eng.connect() as c:
        n = c.execute(text("SELECT count(*) FROM daily_logs")).scalar_one()
    return eng, (lambda: None), n


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of this process (the machine is shared: CPU is the steadier)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--managers", type=int, default=5500)
    ap.add_argument("--months", type=int, default=1)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="SQLite: load into this file and keep it (time it again later with --url)")
    ap.add_argument("--url", help="time a database loaded earlier (with the plan) instead of loading one")
    ap.add_argument("--month", help="with --url: the month whose statements are timed (default: --months' last)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if a.url:
            eng, drop, rows = existing(a.url)
            month = a.month or f"{YEAR}-{a.months:02d}"
            print(f"{rows:,} rows in {a.url}; statements of {month}", flush=True)
        else:
            path = Path(a.keep).resolve() if a.keep else Path(tmp) / "bench.db"
            eng, drop, month, rows = load(a.managers, a.months, a.db, path)
            if a.keep:
                print(f"kept: sqlite:///{path}", flush=True)
            print(f"loaded {rows:,} rows ({a.managers:,} managers × {a.months} months) on {a.db} in "
                  f"{time.perf_counter() - t0:.1f} s; statements of {month}", flush=True)
        try:
            run = cm.run_period(eng, DIRECTOR, month)
            print(f"  {len(run.statements):,} statements, {len(run.errors)} errors, "
                  f"payable total {sum(s.payable for s in run.statements):,.2f}", flush=True)
            for label, fn in (("run_period", lambda: cm.run_period(eng, DIRECTOR, month)),
                              ("payout_summary", lambda: cm.payout_summary(eng, DIRECTOR, month)),
                              ("commission_page", lambda: cm.commission_page(eng, DIRECTOR, month))):
                wall, cpu = timed(fn, a.repeat)
                print(f"  {label:16s} {wall:8.2f} s wall {cpu:8.2f} s CPU", flush=True)
        finally:
            drop()


if __name__ == "__main__":
    main()
