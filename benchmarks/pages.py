"""Time the data computation behind each routine page (晨会 / 周小结 / 月总结) and compare it with the floor.

Data sets, all built in memory:
* ``demo``  — the demo bank (core.demo.generate: 32 managers, 26 weeks of working-day logs);
* ``110k``  — synthetic, 300 managers × every calendar day of 2026 (109,500 rows);
* ``2M``    — synthetic, 5,500 managers × every calendar day of 2026 (2,007,500 rows).

Floor: one ``logs.groupby("employee_id")[FLOW_METRICS].sum()`` over the same rows. Each page's computation gets
the whole frame (the worst case: the app's loaders only read the dates a page needs) and must stay within
5× the floor and under 1.5 GB peak memory at 2M rows. Time = best of ``--repeat`` runs. Memory = the frame itself
"alloc peak" = tracemalloc peak of one page computation (what the page allocates on top of the data; numpy and
pandas buffers are traced) and "process peak RSS" = the whole process's peak resident memory while the page runs,
data included (VmHWM reset through /proc/self/clear_refs before each measured run; Linux).

    python -m benchmarks.pages [--repeat 5] [--sizes demo,110k,2M]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import calendar as cal  # noqa: E402
from core import metrics as M  # noqa: E402
from core.schema import FLOW_METRICS, METRICS, TARGET_METRICS  # noqa: E402

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


# ------------------------------------------------------------------ the pages' computations

def morning(logs, roster, targets, overrides=None):
    """晨会: yesterday per manager, who did not log, month-to-date progress (manager/team/branch), pace series per
    target metric, leaders of yesterday and of the month, furthest behind."""
    day = cal.previous_workday(AS_OF, overrides)
    month = cal.month_key(AS_OF)
    snap = M.daily_snapshot(logs, roster, day)
    prog = M.month_progress(logs, targets, roster, month, day, overrides, level="all")
    series = M.pace_table(logs, targets, month, day, TARGET_METRICS, overrides, roster=roster)
    mtd = M.period_totals(logs, cal.month_bounds(month)[0], day, roster=roster)
    lead_day = [M.leaders(snap, m, 3) for m in ("visits", "new_customers", "deposits_new")]
    lead_month = [M.leaders(mtd, m, 3) for m in ("visits", "new_customers", "deposits_new")]
    behind = M.furthest_behind(prog[prog["level"] == "manager"], 5)
    return snap, prog, series, lead_day, lead_month, behind


def weekly(logs, roster, targets, overrides=None):
    """周小结: week vs previous week vs target share (all levels), leaderboard, visits heatmap, funnel (manager and
    team), daily trend by team, log compliance."""
    mon, sun = cal.week_bounds(WEEK)
    cmp_ = M.week_comparison(logs, targets, roster, WEEK, overrides, level="all")
    totals = M.period_totals(logs, mon, sun, roster=roster)
    board = M.leaderboard(totals, TARGET_METRICS, n=10)
    heat = M.visits_heatmap(logs, roster, WEEK, overrides)
    fun = M.funnel(logs, mon, sun, "manager", roster)
    fun_t = M.funnel(logs, mon, sun, "team", roster)
    trend = M.daily_totals(logs, mon, sun, ["visits", "new_customers"], by="team", overrides=overrides)
    miss = M.missing_logs(logs, roster, mon, sun, overrides)
    return cmp_, board, heat, fun, fun_t, trend, miss


def monthly(logs, roster, targets, overrides=None):
    """月总结: attainment table (all levels), ranking top 10 / bottom 5 / distribution, month-over-month and
    year-over-year (manager and team), deposit 日均 vs 时点."""
    last = cal.month_bounds(MONTH)[1]
    prog = M.month_progress(logs, targets, roster, MONTH, last, overrides, level="all")
    mat = M.attainment_matrix(prog)
    man = prog[prog["level"] == "manager"]
    top = M.ranking(man, 10)
    bottom = M.bottom_ranking(man, 5)
    dist = M.distribution(M.ranking(man, None)["score"])
    mom = M.month_over_month(logs, MONTH, "manager", roster)
    mom_t = M.month_over_month(logs, MONTH, "team", roster)
    yoy = M.year_over_year(logs, MONTH, "manager", roster)
    adb = M.average_daily_balance(logs, MONTH, overrides, roster=roster)
    return mat, top, bottom, dist, mom, mom_t, yoy, adb


PAGES = {"morning 晨会": morning, "weekly 周小结": weekly, "monthly 月总结": monthly}


def floor(logs, roster, targets, overrides=None):
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
    ap.add_argument("--sizes", default="demo,110k,2M")
    args = ap.parse_args(argv)
    builders = {"demo": demo_bank, "110k": lambda: synthetic(300), "2M": lambda: synthetic(5_500)}
    rows = []
    for size in args.sizes.split(","):
        t0 = time.perf_counter()
        logs, roster, targets = builders[size]()
        gen = time.perf_counter() - t0
        gc.collect()
        print(f"# {size}: {len(logs):,} log rows, {roster.shape[0]:,} managers, {len(targets):,} target rows, "
              f"process RSS with the data {_vm_hwm_mb() or 0:,.0f} MB peak so far (built in {gen:.1f} s)",
              flush=True)
        data = (logs, roster, targets)
        f = best_time(floor, data, args.repeat)
        rows.append((size, len(logs), "floor groupby().sum()", f, 1.0, peak_alloc(floor, data) / 2**20,
                     peak_rss(floor, data)))
        for name, fn in PAGES.items():
            t = best_time(fn, data, args.repeat)
            rows.append((size, len(logs), name, t, t / f, peak_alloc(fn, data) / 2**20, peak_rss(fn, data)))
        del logs, roster, targets, data
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
