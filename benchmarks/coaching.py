"""Time the coaching page's model calls at branch scale (a script, not a test).

    .venv/bin/python benchmarks/coaching.py --managers 300 --db sqlite [--path /tmp/coach300.db]
    .venv/bin/python benchmarks/coaching.py --managers 300 --db postgresql://postgres@127.0.0.1:5432/coach300

The data is benchmarks/pages.py's ``synthetic()`` (every manager × every day of 2026) written through the
store's import functions (``load_store`` for SQLite; the same calls for PostgreSQL), plus 60 coaching sessions
with follow-ups in the 8 weeks before the review week, so "did coaching work?" evaluates those weeks. A database
that already holds the managers is reused. Timed, director scope, best of `--repeat`:
``coaching.review_for_week`` (the 辅导 and 周小结 review), ``coaching.session_review``, and the evidence of one
flag (``coaching.flag_evidence`` + its chart spec, what the page computes when a flag is opened); then the
page as a whole — ``benchmarks.pages.coaching_page``, the very calls views/coaching.py makes — as the median
CPU seconds of `--repeat` runs, with the load average (the machine is shared: CPU time, not wall time).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bulk import plant_sessions  # noqa: E402
from benchmarks.pages import AS_OF, WEEK, coaching_page, load_store, synthetic  # noqa: E402
from core import charts, coaching, store  # noqa: E402
from core.schema import METRICS  # noqa: E402
from core.scope import SYSTEM  # noqa: E402
from core.store import config as store_config  # noqa: E402
from core.store import logs as store_logs  # noqa: E402


def _engine(db: str, managers: int):
    if db == "sqlite" or db.startswith("sqlite"):
        path = Path(db[len("sqlite:///"):]) if db.startswith("sqlite:///") else Path(f"/tmp/coach{managers}.db")
        if path.exists():
            return store.get_engine(f"sqlite:///{path}")
        logs, roster, targets = synthetic(managers)
        eng = load_store(logs, roster, targets, path)
    else:
        eng = store.get_engine(db)
        store.init_db(eng)
        if not store.is_empty(eng):
            return eng
        logs, roster, targets = synthetic(managers)
        store_logs.apply_roster(eng, SYSTEM, roster[["employee_id", "name", "team", "line", "grade", "start_date",
                                                     "mentor_id", "active"]], "bench roster", "r")
        store_logs.apply_daily(eng, SYSTEM, logs[["employee_id", "date", *METRICS, "notes"]], "bench daily", "d")
        store_logs.apply_targets(eng, SYSTEM, targets, "bench targets", "t")
    plant_sessions(eng, WEEK)
    return eng


CPU: list[float] = []


def best(fn, repeat: int):
    """(best wall seconds, result); the CPU seconds of this process for that run are appended to CPU (on a
    shared machine the wall time includes waiting for a core; the CPU time does not, nor PostgreSQL's own)."""
    times, out = [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    wall, cpu = min(times)
    CPU.append(cpu)
    return wall, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--managers", type=int, default=300)
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-evidence", action="store_true", help="do not time the evidence charts")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    eng = _engine(args.db, args.managers)
    print(f"database ready in {time.perf_counter() - t0:.1f} s ({eng.dialect.name}, {args.managers} managers)")
    s, review = best(lambda: coaching.review_for_week(eng, SYSTEM, WEEK, as_of=AS_OF), args.repeat)
    print(f"review_for_week      {s:7.3f} s  cpu {CPU[-1]:6.3f} s  ({len(review.active)} active flags)")
    s, flags = best(lambda: coaching.flags_for_week(eng, SYSTEM, WEEK, as_of=AS_OF), args.repeat)
    print(f"flags_for_week       {s:7.3f} s  cpu {CPU[-1]:6.3f} s  ({len(flags)} flags)")
    s, sess = best(lambda: coaching.session_review(eng, SYSTEM, AS_OF), args.repeat)
    print(f"session_review       {s:7.3f} s  cpu {CPU[-1]:6.3f} s  ({len(sess)} sessions)")
    if args.no_evidence:
        pass
    elif review.active and hasattr(coaching, "flag_evidence"):
        f = review.active[0]

        def one():
            series = coaching.flag_evidence(eng, SYSTEM, WEEK, f, as_of=AS_OF)
            return charts.evidence_chart(series, f.rule_id, f.metric, "zh", name=f.manager_name).to_dict()
        s, _ = best(one, args.repeat)
        print(f"one flag's evidence  {s:7.3f} s  cpu {CPU[-1]:6.3f} s  ({f.rule_id} · {f.employee_id})")
    elif review.active:
        def every():
            return [charts.evidence_chart(review.series.get(f.key), f.rule_id, f.metric, "zh",
                                          name=f.manager_name).to_dict() for f in review.active
                    if review.series.get(f.key) is not None]
        s, out = best(every, 1)
        print(f"all evidence charts  {s:7.3f} s  cpu {CPU[-1]:6.3f} s  ({len(out)} chart specs)")
    ovr = store_config.calendar_overrides(eng)
    coaching_page(eng, ovr)                                 # warm-up
    cpu = []
    for _ in range(args.repeat):
        c0 = time.process_time()
        coaching_page(eng, ovr)
        cpu.append(time.process_time() - c0)
    print(f"coaching page        cpu {statistics.median(cpu):6.3f} s  (median of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
