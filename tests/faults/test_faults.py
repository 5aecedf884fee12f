"""Fault injection: a crash, a database restart, a full disk or a dropped connection in the middle of an import
leaves the store exactly as it was, and the next import works (issue 14, "Beyond the list").

Every fault hits the import's one write transaction after its rows are written and before it commits (the hook
is ``core.store.logs.finish_import``, the last step inside the transaction):

=====================================  ==========  ===============================================================
fault                                  databases   how
=====================================  ==========  ===============================================================
kill -9 of the importing process       both        ``python -m core import`` in a child process, SIGKILL
PostgreSQL restarted mid-import        PostgreSQL  ``pg_ctlcluster ... restart`` from inside the transaction
PostgreSQL restarted while serving     PostgreSQL  pages run (AppTest), restart, the same pages and an import again
disk full                              SQLite      the child's file-size limit (``ulimit -f``) below what the import needs
connection dropped mid-transaction     both        PostgreSQL: ``pg_terminate_backend``; SQLite: the DB-API
                                                   connection closed under the transaction
=====================================  ==========  ===============================================================

"The store" is every row of the tables an import writes (daily_logs, imports, import_changes, audit_log,
managers, targets), compared before and after. The PostgreSQL server is always running again when a test ends.
"""
from __future__ import annotations

import gc
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

# PostgreSQL restarts cut every connection on the server: run alone, after the parallel suite (scripts/test.sh).
pytestmark = pytest.mark.serial

from core import ingest
from core.cli import main as cli_main
from core.scope import SYSTEM
from core.store import logs as store_logs
from core.store import tables as t
from tests.views.helpers import run_page

ROOT = Path(__file__).resolve().parents[2]
PG_VERSION = next(iter(sorted(os.listdir("/etc/postgresql"))), None) if os.path.isdir("/etc/postgresql") else None
TABLES = [t.managers, t.daily_logs, t.imports, t.import_changes, t.targets, t.audit_log]
IDS = [f"CM{i:03d}" for i in range(1, 41)]
DAYS = [f"2026-11-{d:02d}" for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)]


def _csv(path: Path, header: list[str], rows: list[list]) -> Path:
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _daily(path: Path, visits: int, days=DAYS) -> Path:
    """40 managers × the days: 拜访 `visits`, 新增存款 visits × 1.5 万元, a note."""
    return _csv(path, ["日期", "工号", "拜访客户数", "新增存款(万元)", "工作日志"],
                [[d, e, visits, visits * 1.5, f"拜访{visits}户"] for d in days for e in IDS])


def snapshot(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for tb in TABLES:
            cols = [c for c in tb.columns]
            out[tb.name] = sorted((tuple(str(v) for v in r) for r in conn.execute(select(*cols))))
    return out


@pytest.fixture
def seeded(engine, tmp_path):
    """A roster of 40 managers and one import (visits 3) for 10 days: the store the faults must not change."""
    url = engine.test_url
    roster = _csv(tmp_path / "roster.csv", ["工号", "姓名", "团队", "条线", "职级"],
                  [[e, f"经理{e}", "对公一队" if i % 2 else "零售一队", "对公" if i % 2 else "零售", "客户经理"]
                   for i, e in enumerate(IDS)])
    assert cli_main(["--db", url, "--json", "roster", str(roster)]) == 0
    assert cli_main(["--db", url, "--json", "import", str(_daily(tmp_path / "base.csv", 3))]) == 0
    return engine


def _next_import_works(engine, tmp_path, before: dict) -> None:
    """The store is as it was; the same change imported again goes through and is all there."""
    assert snapshot(engine) == before
    out = ingest.import_files(engine, SYSTEM, "daily", [("again.csv", _daily(tmp_path / "again.csv", 7).read_bytes())])
    assert out.ok and out.summary.updated == len(IDS) * len(DAYS), out.problems
    with engine.connect() as conn:
        visits = conn.execute(select(t.daily_logs.c.visits)).scalars().all()
    assert len(visits) == len(IDS) * len(DAYS) and set(visits) == {7}


# ---------------------------------------------------------------- child processes

CHILD = textwrap.dedent('''
    import os, sys, time
    from pathlib import Path
    from core.store import logs
    marker = Path(sys.argv[2])
    if marker.name != "-":
        original = logs.finish_import
        def stall(*args, **kwargs):      # rows written, transaction still open: tell the parent, then wait
            result = original(*args, **kwargs)
            marker.write_text(str(os.getpid()))
            time.sleep(300)
            return result
        logs.finish_import = stall
    from core.cli import main
    sys.exit(main(["--db", sys.argv[1], "import", sys.argv[3]]))
''')


def _child(url: str, marker: str, csv_path: Path, preexec=None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen([sys.executable, "-c", CHILD, url, marker, str(csv_path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec)


def _wait_for(path: Path, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the import ended before the fault: {proc.communicate()}")
        assert time.monotonic() < deadline, "the import never reached its commit"
        time.sleep(0.05)


def test_kill_9_during_import(seeded, tmp_path):
    before = snapshot(seeded)
    marker = tmp_path / "in_tx"
    proc = _child(seeded.test_url, str(marker), _daily(tmp_path / "change.csv", 5))
    try:
        _wait_for(marker, proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    _next_import_works(seeded, tmp_path, before)


@pytest.fixture
def sqlite_seeded(sqlite_engine, tmp_path):
    url = sqlite_engine.test_url
    roster = _csv(tmp_path / "roster.csv", ["工号", "姓名", "团队", "条线", "职级"],
                  [[e, f"经理{e}", "对公一队", "对公", "客户经理"] for e in IDS])
    assert cli_main(["--db", url, "--json", "roster", str(roster)]) == 0
    assert cli_main(["--db", url, "--json", "import", str(_daily(tmp_path / "base.csv", 3))]) == 0
    return sqlite_engine


def test_disk_full_on_sqlite(sqlite_seeded, tmp_path, capfd):
    """The child may write no file past 64 KiB (``ulimit -f``): SQLite writes the transaction to the WAL file
    (the database file itself is only written at checkpoints), and an import of 400 rows with their change log
    needs far more — the write fails as on a full disk."""
    eng = sqlite_seeded
    db = Path(eng.url.database)
    eng.dispose()                                     # checkpoint: the WAL is folded into the database file
    before = snapshot(eng)
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0
    limit = 64 * 1024

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = _child(eng.test_url, "-", _daily(tmp_path / "change.csv", 5), preexec=small_disk)
    out, err = proc.communicate(timeout=300)
    text_out = (out + err).decode("utf-8", "replace")
    # exit 1 with the clear message (core/cli/main.py, error.database), not a traceback
    assert proc.returncode == 1, text_out[-2000:]
    assert "数据库未能完成操作" in text_out and "Traceback" not in text_out, text_out[-2000:]
    _next_import_works(eng, tmp_path, before)


def test_connection_dropped_mid_transaction(seeded, tmp_path, monkeypatch):
    eng = seeded
    before = snapshot(eng)
    original = store_logs.finish_import
    dropped = []

    def drop(conn, *args, **kwargs):
        if eng.dialect.name == "postgresql":
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            with _admin().connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            conn.connection.dbapi_connection.close()      # the SQLite handle goes away under the transaction
        dropped.append(True)
        return original(conn, *args, **kwargs)

    monkeypatch.setattr(store_logs, "finish_import", drop)
    with pytest.raises(Exception):
        ingest.import_files(eng, SYSTEM, "daily", [("change.csv", _daily(tmp_path / "change.csv", 5).read_bytes())])
    assert dropped
    monkeypatch.setattr(store_logs, "finish_import", original)
    _next_import_works(eng, tmp_path, before)


# ---------------------------------------------------------------- PostgreSQL restarts

def _admin():
    from tests.conftest import _pg_admin   # the test suite's admin engine (AUTOCOMMIT), only needed here
    return _pg_admin()


def _pg(action: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action],
                          capture_output=True, text=True, timeout=120)


def _pg_up() -> bool:
    try:
        with _admin().connect() as c:
            return c.execute(text("SELECT 1")).scalar() == 1
    except Exception:
        return False


@pytest.fixture
def pg_restartable(seeded):
    if seeded.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL restart")
    if PG_VERSION is None or os.geteuid() != 0:
        pytest.fail("restarting PostgreSQL needs pg_ctlcluster and root")
    yield seeded
    if not _pg_up():                                  # whatever happened, the server runs again afterwards
        _pg("start")
    deadline = time.monotonic() + 60
    while not _pg_up():
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.2)


def _restart_and_wait() -> None:
    res = _pg("restart")
    assert res.returncode == 0, res.stderr
    deadline = time.monotonic() + 60
    while not _pg_up():
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.2)
    _drop_stale_test_pools()


def _drop_stale_test_pools() -> None:
    """The test suite's own admin engines (tests/conftest.py: no pre-ping) still pool connections the restart
    closed; they are emptied so the suite can drop its databases. The application's engines
    (core.store.get_engine, pool_pre_ping) are left alone: that they recover by themselves is what is tested."""
    for obj in gc.get_objects():
        if isinstance(obj, Engine) and obj.dialect.name == "postgresql" and not obj.pool._pre_ping:
            obj.dispose()


def test_postgres_restarted_mid_import(pg_restartable, tmp_path, monkeypatch):
    eng = pg_restartable
    before = snapshot(eng)
    original = store_logs.finish_import

    def restart(conn, *args, **kwargs):
        _restart_and_wait()
        return original(conn, *args, **kwargs)

    monkeypatch.setattr(store_logs, "finish_import", restart)
    with pytest.raises(Exception):
        ingest.import_files(eng, SYSTEM, "daily", [("change.csv", _daily(tmp_path / "change.csv", 5).read_bytes())])
    monkeypatch.setattr(store_logs, "finish_import", original)
    _next_import_works(eng, tmp_path, before)


def test_postgres_restarted_while_the_app_serves(pg_restartable, tmp_path):
    """Pages served from the engine's pool, the server restarted under them: the next runs of the pages work
    (stale pooled connections are replaced), nothing stored changed, and the next import works."""
    eng = pg_restartable
    from core import auth   # accounts only for this page test (kept out of the module's imports on purpose)
    auth.create_user(eng, SYSTEM, "boss", None, "director", password="abc12345")
    url = eng.test_url
    query = {"day": "2026-11-13", "week": "2026-W46", "month": "2026-11"}
    for page in ("views/morning.py", "views/upload.py"):
        assert not run_page(page, url, "boss", query=query).exception
    before = snapshot(eng)
    _restart_and_wait()
    for page in ("views/morning.py", "views/upload.py", "views/weekly.py"):
        at = run_page(page, url, "boss", query=query)
        assert not at.exception, (page, at.exception)
    _next_import_works(eng, tmp_path, before)
