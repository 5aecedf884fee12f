"""Benchmark data: synthetic managers, daily logs and targets, bulk-loaded into a fresh migrated database.

Sizes (``SIZES``): ``110k`` = 300 managers × every calendar day of 2026 (109,500 rows); ``2m`` = 5,500 managers ×
every calendar day (2,007,500 rows); ``25m`` = 100,000 managers × the first 250 China working days of 2026
(25,000,000 rows). Logs are generated in chunks of managers, so 25M rows never sit in memory at once.

Loading bypasses the importer (this is about reading speed, not import speed — benchmarks/ingest.py times
imports): on PostgreSQL with COPY through psycopg 3 straight into teams, managers, daily_logs and targets; on
SQLite with executemany in one transaction. Then :func:`after_load`.

``synthetic`` and ``load_store`` keep their old signatures (other scripts import them from benchmarks.pages).
"""
from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from core import calendar as cal
from core import store
from core.schema import METRICS, TARGET_METRICS
from core.scope import SYSTEM
from core.store import engine as store_engine
from core.store import logs as store_logs

YEAR = 2026
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LOG_COLUMNS = ["employee_id", "date", *METRICS, "notes"]
ROSTER_COLUMNS = ["employee_id", "name", "team", "line", "grade", "start_date", "mentor_id", "active"]
_LAM = {"visits": 4, "new_customers": 1, "credit_cards": 0.5, "mobile_banking": 1, "post_loan_checks": 0.3,
        "complaints": 0.01}


@dataclass(frozen=True)
class Size:
    managers: int
    workdays_only: bool     # False: every calendar day of YEAR

    def days(self) -> pd.DatetimeIndex:
        days = pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31", freq="D")
        if self.workdays_only:
            days = pd.DatetimeIndex([d for d in days if cal.is_workday(d.date())][:250])
        return days

    @property
    def rows(self) -> int:
        return self.managers * len(self.days())


SIZES = {"110k": Size(300, False), "2m": Size(5_500, False), "25m": Size(100_000, True)}


# ------------------------------------------------------------------ generation

def _ids(n: int) -> np.ndarray:
    return np.array([f"CM{i:06d}" if n > 99_999 else f"CM{i:05d}" for i in range(n)], dtype=object)


def _teams(n: int) -> np.ndarray:
    n_teams = max(4, n // 75)
    return np.array([f"团队{i % n_teams + 1:04d}" for i in range(n)], dtype=object)


def _metrics(rng, n: int, n_managers: int, base: np.ndarray) -> dict:
    """Metric columns for n rows laid out day-major over n_managers (row i is manager i % n_managers)."""
    out = {}
    for m in METRICS:
        if m in _LAM:
            out[m] = rng.poisson(_LAM[m], n).astype("float64")
        elif m == "deposit_balance":
            bal = base[np.arange(n) % n_managers] + 1000.0
            bal[rng.random(n) < 0.3] = np.nan
            out[m] = bal
        elif m == "fee_income":
            out[m] = np.round(rng.gamma(1.0, 300, n) * (rng.random(n) < 0.4), 2)
        else:
            out[m] = np.round(rng.gamma(1.0, 20, n) * (rng.random(n) < 0.25), 4)
    return out


def synthetic(n_managers: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """logs (read_logs contract), roster, targets for `n_managers` × every calendar day of YEAR, in memory."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31", freq="D")
    ids, teams = _ids(n_managers), _teams(n_managers)
    names = np.array([f"经理{i:05d}" for i in range(n_managers)], dtype=object)
    n = len(days) * n_managers
    logs = pd.DataFrame({"employee_id": np.tile(ids, len(days)), "date": np.repeat(days.to_numpy(), n_managers)})
    for m, col in _metrics(rng, n, n_managers, rng.gamma(5, 400, n_managers)).items():
        logs[m] = col
    logs["notes"] = None
    logs["manager_name"] = np.tile(names, len(days))
    logs["team"] = np.tile(teams, len(days))
    logs["line"] = "retail"
    logs["grade"] = "客户经理"
    return logs, roster_frame(n_managers), targets_frame(n_managers, rng)


def roster_frame(n_managers: int) -> pd.DataFrame:
    ids = _ids(n_managers)
    return pd.DataFrame({"employee_id": ids, "name": [f"经理{i:05d}" for i in range(n_managers)],
                         "team": _teams(n_managers), "line": "retail", "grade": "客户经理",
                         "start_date": pd.Timestamp("2020-01-01"), "mentor_id": None, "active": True})


def targets_frame(n_managers: int, rng) -> pd.DataFrame:
    """Monthly targets of every manager for each month of YEAR and each target metric."""
    ids, k = _ids(n_managers), len(TARGET_METRICS)
    months = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    return pd.DataFrame({
        "month": np.repeat(np.array(months, dtype=object), n_managers * k),
        "employee_id": np.tile(np.repeat(ids, k), len(months)),
        "metric": np.tile(np.array(TARGET_METRICS, dtype=object), n_managers * len(months)),
        "value": rng.uniform(20, 200, len(months) * n_managers * k).round(0),
    })


def log_chunks(size: Size, seed: int = 7, rows_per_chunk: int = 1_000_000) -> Iterator[pd.DataFrame]:
    """The daily logs of `size` (columns LOG_COLUMNS, dates as 'YYYY-MM-DD'), a slice of managers at a time."""
    days = size.days()
    day_txt = np.datetime_as_string(days.to_numpy(), unit="D").astype(object)
    ids = _ids(size.managers)
    per = max(1, rows_per_chunk // len(days))
    base = np.random.default_rng(seed).gamma(5, 400, size.managers)
    for k, lo in enumerate(range(0, size.managers, per)):
        part = ids[lo:lo + per]
        rng = np.random.default_rng(seed * 1_000_003 + k)
        n = len(part) * len(days)
        frame = pd.DataFrame({"employee_id": np.tile(part, len(days)), "date": np.repeat(day_txt, len(part))})
        for m, col in _metrics(rng, n, len(part), base[lo:lo + per]).items():
            frame[m] = col
        frame["notes"] = None
        yield frame


# ------------------------------------------------------------------ loading

def after_load(engine) -> None:
    """What must happen after a bulk load, before the pages are timed: the per manager × week and × month rollup
    tables are rebuilt from the raw rows (COPY and executemany bypass the importer that keeps them in its
    transaction: ``python -m core rollups rebuild`` does the same), then the planner's statistics are refreshed
    (ANALYZE), so the first queries are not planned on an empty table's estimates."""
    from core.store import rollups
    rollups.rebuild(engine)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _copy(raw, table: str, columns: list[str], frames) -> int:
    n = 0
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as cp:
            for frame in frames:
                buf = io.StringIO()
                frame[columns].to_csv(buf, index=False, header=False, na_rep="")
                cp.write(buf.getvalue())
                n += len(frame)
    return n


def _executemany(raw, table: str, columns: list[str], frames) -> int:
    n = 0
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for frame in frames:
        part = frame[columns].astype(object)
        part = part.where(part.notna(), None)
        raw.executemany(sql, part.itertuples(index=False, name=None))
        n += len(frame)
    return n


def bulk_load(engine, size: Size, seed: int = 7) -> int:
    """Roster, logs and targets of `size` into a fresh migrated database (COPY / executemany); the log row count."""
    roster = roster_frame(size.managers)
    roster["start_date"] = "2020-01-01"
    teams = pd.DataFrame({"name": sorted(set(roster["team"])), "line": "retail"})
    targets = targets_frame(size.managers, np.random.default_rng(seed + 1))
    fairy = engine.raw_connection()
    try:
        raw = fairy.driver_connection
        if engine.dialect.name == "postgresql":
            _copy(raw, "teams", ["name", "line"], [teams])
            _copy(raw, "managers", ROSTER_COLUMNS, [roster])
            n = _copy(raw, "daily_logs", LOG_COLUMNS, log_chunks(size, seed))
            _copy(raw, "targets", ["month", "employee_id", "metric", "value"], [targets])
            raw.commit()
        else:
            roster["active"] = 1
            raw.execute("BEGIN")
            _executemany(raw, "teams", ["name", "line"], [teams])
            _executemany(raw, "managers", ROSTER_COLUMNS, [roster])
            n = _executemany(raw, "daily_logs", LOG_COLUMNS, log_chunks(size, seed))
            _executemany(raw, "targets", ["month", "employee_id", "metric", "value"], [targets])
            raw.execute("COMMIT")
    finally:
        fairy.close()
    after_load(engine)
    return n


def fresh_database(db: str, tmp: Path, pg_admin_url: str = PG_ADMIN_URL, label: str = "bench"
                   ) -> tuple[str, Callable[[], None]]:
    """A new empty database: (url, drop). SQLite: a file under `tmp`; PostgreSQL: CREATE DATABASE beside the
    admin URL's database."""
    if db == "sqlite":
        path = tmp / f"{label}-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")]
    name = f"{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return pg_admin_url.rsplit("/", 1)[0] + "/" + name, drop


def build(size_key: str, db: str, tmp: Path, pg_admin_url: str = PG_ADMIN_URL):
    """A fresh migrated database holding size `size_key`: (engine, url, drop, log rows, seconds to build)."""
    t0 = dt.datetime.now()
    url, drop = fresh_database(db, tmp, pg_admin_url, label=f"bench_{size_key}")
    eng = store.get_engine(url)
    store.init_db(eng)
    n = bulk_load(eng, SIZES[size_key])
    return eng, url, drop, n, (dt.datetime.now() - t0).total_seconds()


def existing(url: str):
    """A benchmark database built earlier (pages.py --keep / --build-only): (engine, url, no-op drop, log rows, 0 s)."""
    eng = store.get_engine(url)
    with eng.connect() as c:
        n = c.execute(text("SELECT count(*) FROM daily_logs")).scalar_one()
    return eng, url, (lambda: None), n, 0.0


def plant_sessions(engine, week: str, per_300: int = 60) -> int:
    """Coaching sessions with follow-ups in the 8 weeks before `week` (60 per 300 managers, at most 1,000), so the
    coaching page's "did coaching work?" has weeks to judge; none if the database has sessions already. The count."""
    from core import coaching   # only the benchmarks that time the coaching page plant sessions
    with engine.connect() as c:
        if c.execute(text("SELECT count(*) FROM coaching_sessions")).scalar_one():
            return 0
        ids = [r[0] for r in c.execute(text("SELECT employee_id FROM managers ORDER BY employee_id"))]
    n = min(1_000, max(1, len(ids) * per_300 // 300))
    monday = dt.date.fromisocalendar(*map(int, week.replace("-W", " ").split()), 1)
    for i, eid in enumerate(ids[:n]):
        fu = monday - dt.timedelta(weeks=i % 8, days=-2)
        coaching.add_session(engine, SYSTEM, date=fu - dt.timedelta(days=7), coach="行长", employee_id=eid,
                             topic="拜访", rule_id=coaching.RULE_IDS[i % len(coaching.RULE_IDS)], actions="陪访",
                             follow_up=fu)
    return n


def dispose(engine, url: str) -> None:
    engine.dispose()
    store_engine._ENGINES.pop(store_engine._normalise_pg(url), None)


def load_store(logs, roster, targets, path: Path):
    """A SQLite database at `path` holding the rows, written through the store's own import functions."""
    eng = store.get_engine(f"sqlite:///{path}")
    store.init_db(eng)
    store_logs.apply_roster(eng, SYSTEM, roster[ROSTER_COLUMNS], "bench roster", "r")
    store_logs.apply_daily(eng, SYSTEM, logs[["employee_id", "date", *METRICS, "notes"]], "bench daily", "d")
    store_logs.apply_targets(eng, SYSTEM, targets, "bench targets", "t")
    return eng
