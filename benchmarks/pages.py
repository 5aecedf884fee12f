"""Time each routine page's model (晨会 / 周小结 / 月总结: one core.routines *_page call — the store reads with the
caller's scope plus the computation) and compare it with the floor.

Data sets, built in memory and written through the store's import functions into a temporary SQLite database:
* ``small`` — synthetic, 20 managers × every calendar day of 2026 (7,300 rows; a quick check);
* ``demo``  — the demo bank (core.demo.generate: 32 managers, 26 weeks of working-day logs);
* ``110k``  — synthetic, 300 managers × every calendar day of 2026 (109,500 rows);
* ``2M``    — synthetic, 5,500 managers × every calendar day of 2026 (2,007,500 rows; slow to store).

Floor: reading the monthly page's 13-month window with ``read_logs`` and one ``groupby("employee_id").sum()``.
Time = best of ``--repeat`` runs. "alloc peak" = tracemalloc peak of one page call; "process peak RSS" = the
whole process's peak resident memory while the page runs (VmHWM reset through /proc/self/clear_refs before each
measured run; Linux).

    python benchmarks/pages.py [--repeat 5] [--sizes small,demo,110k,2M]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import calendar as cal  # noqa: E402
from core import routines, store  # noqa: E402
from core.schema import FLOW_METRICS, METRICS, TARGET_METRICS  # noqa: E402
from core.scope import SYSTEM  # noqa: E402
from core.store import logs as store_logs  # noqa: E402

YEAR = 2026
AS_OF = dt.date(2026, 10, 15)          # a Thursday after National Day: morning meeting "today"
WEEK = cal.week_key(dt.date(2026, 10, 12))   # 2026-W42
MONTH = "2026-09"                      # a finished month for the wrap-up (with August before it)


# ------------------------------------------------------------------ data

def synthetic(n_managers: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """logs (read_logs contract), roster, targets for `n_managers` × every calendar day of YEAR."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31", freq="D")
    ids = np.array([f"CM{i:05d}" for i in range(n_managers)], dtype=object)
    n_teams = max(4, n_managers // 75)
    teams = np.array([f"团队{i % n_teams + 1:03d}" for i in range(n_managers)], dtype=object)
    names = np.array([f"经理{i:05d}" for i in range(n_managers)], dtype=object)
    n = len(days) * n_managers
    logs = pd.DataFrame({
        "employee_id": np.tile(ids, len(days)),
        "date": np.repeat(days.to_numpy(), n_managers),
    })
    lam = {"visits": 4, "new_customers": 1, "credit_cards": 0.5, "mobile_banking": 1, "post_loan_checks": 0.3,
           "complaints": 0.01}
    for m in METRICS:
        if m in lam:
            logs[m] = rng.poisson(lam[m], n).astype("float64")
        elif m == "deposit_balance":
            bal = 1000 + rng.normal(0, 5, n).cumsum() * 0.0 + rng.gamma(5, 400, n_managers)[np.arange(n) % n_managers]
            bal[rng.random(n) < 0.3] = np.nan
            logs[m] = bal
        elif m == "fee_income":
            logs[m] = np.round(rng.gamma(1.0, 300, n) * (rng.random(n) < 0.4), 2)
        else:
            logs[m] = np.round(rng.gamma(1.0, 20, n) * (rng.random(n) < 0.25), 4)
    logs["notes"] = None
    logs["manager_name"] = np.tile(names, len(days))
    logs["team"] = np.tile(teams, len(days))
    logs["line"] = "retail"
    logs["grade"] = "客户经理"
    roster = pd.DataFrame({"employee_id": ids, "name": names, "team": teams, "line": "retail", "grade": "客户经理",
                           "start_date": pd.Timestamp("2020-01-01"), "mentor_id": None, "active": True})
    months = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    k = len(TARGET_METRICS)
    targets = pd.DataFrame({
        "month": np.repeat(np.array(months, dtype=object), n_managers * k),
        "employee_id": np.tile(np.repeat(ids, k), len(months)),
        "metric": np.tile(np.array(TARGET_METRICS, dtype=object), n_managers * len(months)),
        "value": rng.uniform(20, 200, len(months) * n_managers * k).round(0),
    })
    return logs, roster, targets


def demo_bank():
    from core import demo
    bank = demo.generate(dt.date(2026, 10, 16))
    info = bank.roster.set_index("employee_id")
    logs = bank.logs.copy()
    logs["manager_name"] = logs["employee_id"].map(info["name"])
    for c in ("team", "line", "grade"):
        logs[c] = logs["employee_id"].map(info[c])
    return logs, bank.roster, bank.targets


# ------------------------------------------------------------------ the store

def load_store(logs, roster, targets, path: Path):
    """A SQLite database at `path` holding the rows, written through the store's own import functions."""
    eng = store.get_engine(f"sqlite:///{path}")
    store.init_db(eng)
    store_logs.apply_roster(eng, SYSTEM, roster[["employee_id", "name", "team", "line", "grade", "start_date",
                                                 "mentor_id", "active"]], "bench roster", "r")
    store_logs.apply_daily(eng, SYSTEM, logs[["employee_id", "date", *METRICS, "notes"]], "bench daily", "d")
    store_logs.apply_targets(eng, SYSTEM, targets, "bench targets", "t")
    return eng


# ------------------------------------------------------------------ the pages: one page-model call each

def morning(eng):
    return routines.morning_page(eng, SYSTEM, AS_OF, overrides={})


def weekly(eng):
    return routines.weekly_page(eng, SYSTEM, WEEK, overrides={}, today=AS_OF)


def monthly(eng):
    return routines.monthly_page(eng, SYSTEM, MONTH, overrides={})


PAGES = {"morning 晨会": morning, "weekly 周小结": weekly, "monthly 月总结": monthly}


def floor(eng):
    """Read the monthly page's window (13 months) and sum it per manager: what any page costs at least."""
    first = cal.month_bounds(cal.add_months(MONTH, -12))[0]
    logs = store_logs.read_logs(eng, SYSTEM, start=first, end=cal.month_bounds(MONTH)[1])
    return logs.groupby("employee_id")[list(FLOW_METRICS)].sum()


# ------------------------------------------------------------------ measuring

def best_time(fn, args, repeat: int) -> float:
    fn(*args)   # warm-up (calendar caches, imports)
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def _vm_hwm_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def peak_rss(fn, args) -> float | None:
    """Process peak RSS (MB) while `fn` runs, the data already in memory: VmHWM reset via /proc/self/clear_refs
    (Linux); None where that is not available."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    fn(*args)
    return _vm_hwm_mb()


def peak_alloc(fn, args) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="small,demo,110k")
    args = ap.parse_args(argv)
    builders = {"small": lambda: synthetic(20), "demo": demo_bank, "110k": lambda: synthetic(300),
                "2M": lambda: synthetic(5_500)}
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    rows = []
    for size in args.sizes.split(","):
        t0 = time.perf_counter()
        logs, roster, targets = builders[size]()
        eng = load_store(logs, roster, targets, tmp / f"{size}.db")
        gen = time.perf_counter() - t0
        gc.collect()
        print(f"# {size}: {len(logs):,} log rows, {roster.shape[0]:,} managers, {len(targets):,} target rows, "
              f"process RSS {_vm_hwm_mb() or 0:,.0f} MB peak so far (built and stored in {gen:.1f} s)",
              flush=True)
        data = (eng,)
        f = best_time(floor, data, args.repeat)
        rows.append((size, len(logs), "floor groupby().sum()", f, 1.0, peak_alloc(floor, data) / 2**20,
                     peak_rss(floor, data)))
        for name, fn in PAGES.items():
            t = best_time(fn, data, args.repeat)
            rows.append((size, len(logs), name, t, t / f, peak_alloc(fn, data) / 2**20, peak_rss(fn, data)))
        del logs, roster, targets, data
        eng.dispose()
        gc.collect()
    print()
    print(f"{'data':<6} {'rows':>10}  {'computation':<22} {'time ms':>9} {'× floor':>8} {'alloc peak MB':>14} "
          f"{'process peak RSS MB':>20}")
    for size, n, name, t, ratio, peak, rss_mb in rows:
        rss_txt = f"{rss_mb:,.0f}" if rss_mb is not None else "n/a"
        print(f"{size:<6} {n:>10,}  {name:<22} {t * 1000:>9.1f} {ratio:>8.2f} {peak:>14.1f} {rss_txt:>20}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess max RSS (whole run, incl. data generation): {rss:,.0f} MB")
    worst = max((r for r in rows if r[2] != "floor groupby().sum()" and r[0] == "2M"), key=lambda r: r[4],
                default=None)
    if worst:
        top_rss = max((r[6] or 0) for r in rows if r[0] == "2M")
        print(f"worst page at 2M rows: {worst[2]} at {worst[4]:.2f}× the floor (target ≤ 5×); "
              f"highest process peak RSS during a 2M computation {top_rss:,.0f} MB (target < 1,536 MB)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
