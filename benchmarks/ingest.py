"""Import benchmark: the full `core` import against the naive pandas pipeline, side by side in one run.

    python benchmarks/ingest.py [--rows 100000] [--managers 300] [--repeat 1] [--profile]

1. Writes (once; reused while the parameters match) a daily-log workbook of `--rows` rows — `--managers`
   managers over one year, headers as a team lead writes them — with openpyxl's write-only mode, plus the
   roster, into ``benchmarks/out/`` (git-ignored).
2. Runs each pipeline in its own fresh subprocess, into its own fresh SQLite file:
   (a) ``core.ingest.import_files(engine, scope, "daily", [(name, bytes)])`` — read, validate, store (one
       transaction, with the undo log), after loading the roster (not timed);
   (b) ``pandas.read_excel(path, engine="openpyxl")`` + ``DataFrame.to_sql``.
   Each child reports its wall time for the work and its peak resident memory (``ru_maxrss``).
3. Prints both, and the ratio (b)/(a). Target: (a) at least 5× faster than (b), peak memory under 1 GB.

``--profile`` also runs (a) under cProfile in a subprocess and prints the top functions by cumulative time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADERS = ["日期", "工号", "客户经理", "团队", "拜访客户数", "新增客户数", "新增存款(万元)", "存款余额(万元)",
           "新增贷款(万元)", "信用卡", "手机银行", "理财销售(万元)", "中间业务收入(元)", "贷后检查", "客户投诉",
           "工作日志"]
TEAMS = [f"{'对公' if i % 2 == 0 else '零售'}{i // 2 + 1}队" for i in range(20)]
NOTES = ("拜访恒通精密机械有限公司财务总监,沟通代发工资业务", "在锦绣花园社区开展金融知识宣传,推介大额存单",
         "电话回访存量客户12户,推荐稳健型理财", "对华鑫物流有限公司开展贷后检查,经营正常", "网点厅堂驻点营销")


def _paths(rows: int, managers: int) -> tuple[Path, Path]:
    return OUT / f"daily_{rows}_{managers}.xlsx", OUT / f"roster_{managers}.xlsx"


def make_workbooks(rows: int, managers: int) -> tuple[Path, Path]:
    """The roster and the daily-log workbook (reused when they exist)."""
    import numpy as np
    from openpyxl import Workbook

    daily, roster = _paths(rows, managers)
    OUT.mkdir(parents=True, exist_ok=True)
    ids = [f"E{i:04d}" for i in range(1, managers + 1)]
    names = [f"经理{i:04d}" for i in range(1, managers + 1)]
    teams = [TEAMS[i % len(TEAMS)] for i in range(managers)]
    if not roster.exists():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("花名册")
        ws.append(["工号", "姓名", "团队", "条线", "职级", "入职日期", "导师工号"])
        for i, eid in enumerate(ids):
            ws.append([eid, names[i], teams[i], "对公" if teams[i].startswith("对公") else "零售", "客户经理",
                       dt.date(2018, 1, 1) + dt.timedelta(days=i), None])
        wb.save(roster)
    if daily.exists():
        return daily, roster
    t0 = time.perf_counter()
    rng = np.random.default_rng(300)
    days_per = -(-rows // managers)
    start = dt.date(2025, 11, 1)
    dates = [start + dt.timedelta(days=i) for i in range(days_per)]   # one year of days (weekends included)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("日报")
    ws.append(HEADERS)
    n = 0
    for d in dates:
        for i, eid in enumerate(ids):
            if n >= rows:
                break
            r = rng.random(12)
            ws.append([d, eid, names[i], teams[i], int(r[0] * 8), int(r[1] * 3), round(r[2] * 200, 1),
                       round(20000 + r[3] * 20000, 2), round(r[4] * 150, 1), int(r[5] * 4), int(r[6] * 6),
                       round(r[7] * 100, 1), int(r[8] * 5000), int(r[9] * 2), 1 if r[10] < 0.01 else 0,
                       NOTES[int(r[11] * len(NOTES))]])
            n += 1
    wb.save(daily)
    print(f"wrote {daily.name}: {n:,} rows, {daily.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
    return daily, roster


# ---------------------------------------------------------------- the two pipelines (each in a child process)

def _peak_mb() -> float:
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def child_core(daily: str, roster: str, db: str) -> dict:
    from core import store
    from core.ingest import import_files
    from core.scope import SYSTEM

    engine = store.get_engine(f"sqlite:///{db}")
    store.init_db(engine)
    res = import_files(engine, SYSTEM, "roster", [(Path(roster).name, Path(roster).read_bytes())])
    assert res.ok, [p.as_dict("en") for p in res.errors][:5]
    t0 = time.perf_counter()
    data = Path(daily).read_bytes()
    out = import_files(engine, SYSTEM, "daily", [(Path(daily).name, data)])
    seconds = time.perf_counter() - t0
    if not out.ok:
        raise SystemExit(f"core import failed: {[p.as_dict('en') for p in out.errors][:5]}")
    return {"seconds": seconds, "peak_mb": _peak_mb(), "inserted": out.summary.inserted,
            "warnings": len(out.warnings)}


def child_pandas(daily: str, db: str) -> dict:
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db}")
    t0 = time.perf_counter()
    df = pd.read_excel(daily, engine="openpyxl")
    df.to_sql("daily_logs", engine, index=False)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": _peak_mb(), "inserted": len(df)}


def child_profile(daily: str, roster: str, db: str) -> dict:
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    res = child_core(daily, roster, db)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(35)
    res["profile"] = buf.getvalue()
    return res


def _run_child(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env,
                          cwd=str(ROOT))
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fresh(name: str) -> Path:
    p = OUT / name
    for suffix in ("", "-wal", "-shm"):
        q = Path(str(p) + suffix)
        if q.exists():
            q.unlink()
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="core import vs pandas.read_excel + to_sql")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--managers", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="run each pipeline this many times; report the best")
    ap.add_argument("--profile", action="store_true", help="also profile the core import")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        what, *rest = args.child
        res = {"core": child_core, "pandas": child_pandas, "profile": child_profile}[what](*rest)
        print(json.dumps(res))
        return 0

    daily, roster = make_workbooks(args.rows, args.managers)
    print(f"workbook: {daily} ({daily.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows, {args.managers} managers)")
    core_runs, pandas_runs = [], []
    for _ in range(args.repeat):
        core_runs.append(_run_child("core", str(daily), str(roster), str(_fresh("bench_core.db"))))
        pandas_runs.append(_run_child("pandas", str(daily), str(_fresh("bench_pandas.db"))))
    a = min(core_runs, key=lambda r: r["seconds"])
    b = min(pandas_runs, key=lambda r: r["seconds"])
    assert a["inserted"] == b["inserted"] == args.rows, (a["inserted"], b["inserted"])
    ratio = b["seconds"] / a["seconds"]
    print(f"(a) core import (read + validate + store): {a['seconds']:7.2f} s   peak memory {a['peak_mb']:6.0f} MB"
          f"   ({a['inserted']:,} rows, {a['warnings']} warnings)")
    print(f"(b) pandas.read_excel(openpyxl) + to_sql:   {b['seconds']:7.2f} s   peak memory {b['peak_mb']:6.0f} MB")
    print(f"ratio (b)/(a): {ratio:.1f}x   target ≥ 5x: {'met' if ratio >= 5 else 'NOT met'};"
          f"   peak < 1 GB: {'met' if a['peak_mb'] < 1024 else 'NOT met'}")
    if args.profile:
        p = _run_child("profile", str(daily), str(roster), str(_fresh("bench_profile.db")))
        print(p["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
