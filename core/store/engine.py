"""Engines, migrations and all-or-nothing write transactions (re-exported by ``core.store``).

URL: the `url` argument, else the DATABASE_URL environment variable, else ``sqlite:///data/dashboard.db``.
Every read takes the caller's :class:`core.scope.Scope` and never returns rows outside it.
Submodules: ``core.store.logs`` (roster, daily logs, targets), ``core.store.imports`` (import records, undo),
``core.store.audit``,
``core.store.config`` (settings, calendar overrides); feature modules add their own
(``accounts``, ``coaching``, ``plans``).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from core.store import tables as t

DEFAULT_URL = "sqlite:///data/dashboard.db"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"   # Alembic scripts
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def resolve_url(url: str | None = None) -> str:
    return url or os.environ.get("DATABASE_URL") or DEFAULT_URL


def _normalise_pg(url: str) -> str:
    # Accept postgres:// and postgresql:// and use the psycopg (3) driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process. SQLite files get WAL, foreign keys and a busy timeout."""
    url = _normalise_pg(resolve_url(url))
    with _LOCK:
        eng = _ENGINES.get(url)
        if eng is not None:
            return eng
        u = make_url(url)
        if u.get_backend_name() == "sqlite":
            if u.database and u.database != ":memory:":
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            eng = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

            @event.listens_for(eng, "connect")
            def _on_connect(dbapi_conn, _rec):
                dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                if u.database and u.database != ":memory:":
                    cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=60000")
                cur.close()

            @event.listens_for(eng, "begin")
            def _on_begin(conn):
                # Writers take the database write lock at the start of the transaction, so two imports
                # at the same moment run one after the other instead of failing half-way.
                if conn.get_execution_options().get("write"):
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.exec_driver_sql("BEGIN")
        else:
            eng = create_engine(url, pool_pre_ping=True)
        _ENGINES[url] = eng
        return eng


def dispose_all() -> None:
    with _LOCK:
        for eng in _ENGINES.values():
            eng.dispose()
        _ENGINES.clear()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def write_begin(engine: Engine):
    """A write transaction (context manager yielding a Connection), serialised against other writers.

    SQLite: BEGIN IMMEDIATE. PostgreSQL: a transaction-scoped advisory lock.
    """
    return _WriteTx(engine)


class _WriteTx:
    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self):
        self.conn = self.engine.connect().execution_options(write=True)
        self.tx = self.conn.begin()
        if is_postgres(self.engine):
            self.conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self.conn.close()
        return False


def init_db(engine: Engine) -> None:
    """Create or migrate the schema to the newest Alembic revision (safe to call on every start)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with write_begin(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")   # every branch of the migration tree


def current_revision(engine: Engine) -> str | None:
    """The schema's revision ('+'-joined, sorted, when several migration branches are applied)."""
    with engine.connect() as conn:
        try:
            rows = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
        except Exception:  # no alembic_version table yet: a database never migrated
            return None
    return "+".join(rows) or None


def is_empty(engine: Engine) -> bool:
    """True when no manager is on the roster (a fresh database)."""
    with engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(t.managers)).scalar()


def data_version(engine: Engine) -> str:
    """A string that changes whenever stored data changes (for cache keys)."""
    with engine.connect() as conn:
        imp = conn.execute(select(func.max(t.imports.c.id), func.count(t.imports.c.undone_at))).one()
        # Sign-ins are audited too, but change no data: leave them out so a sign-in keeps the caches warm.
        aud = conn.execute(select(func.max(t.audit_log.c.id)).where(~t.audit_log.c.action.like("login%"))).scalar()
        coach = conn.execute(select(func.max(t.coaching_sessions.c.id))).scalar()
        acks = conn.execute(select(func.max(t.flag_acks.c.id))).scalar()
        plans_ = conn.execute(select(func.max(t.plans.c.id), func.max(t.plans.c.activated_at))).one()
    return f"{imp[0]}:{imp[1]}:{aud}:{coach}:{acks}:{plans_[0]}:{plans_[1]}"
