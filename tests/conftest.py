"""Shared fixtures.

* ``engine``: a fresh, migrated database for each test, on SQLite and on PostgreSQL (two test runs).
  PostgreSQL: 127.0.0.1:5432 (override with TEST_PG_URL), trust auth; each test gets its own database cloned
  from a migrated template. Set TEST_PG=0 to run SQLite only (never in CI: CI must test both).
* ``sqlite_engine``: SQLite only, for tests where the backend does not matter.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from core import store
from core.store import engine as store_engine

# The app evaluates the latest week's coaching in the background after data changes (ui.data.prepare_coaching);
# tests switch it off (their own servers included) so no thread outlives a test's database. Its own test turns it on.
os.environ.setdefault("DASH_PREPARE", "0")

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite"] + ([] if os.environ.get("TEST_PG") == "0" else ["postgresql"])


@pytest.fixture(autouse=True)
def _fresh_coaching_memo():
    """Each test starts without another test's shared coaching evaluations (core.coaching.memo)."""
    from core.coaching import memo
    memo.clear()
    yield
    memo.clear()


def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_template():
    """A migrated template database; per-test databases are cloned from it (fast)."""
    name = f"dash_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng = store.get_engine(_pg_url(name))
    store.init_db(eng)
    store.dispose_all()
    yield name
    store.dispose_all()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _new_pg(template: str | None = None):
    """A new PostgreSQL database (a copy of `template`, else empty): (engine, url, drop)."""
    name = f"dash_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    url = _pg_url(name)
    eng = store.get_engine(url)
    return eng, url, lambda: _drop_pg(admin, eng, url, name)


def _fresh_pg(request):
    return _new_pg(request.getfixturevalue("pg_template"))


def _drop_pg(admin, eng, url, name):
    eng.dispose()
    store_engine._ENGINES.pop(store_engine._normalise_pg(url), None)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'test.db'}"
    eng = store.get_engine(url)
    store.init_db(eng)

    def done():
        eng.dispose()
        store_engine._ENGINES.pop(url, None)
    return eng, url, done


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    """A fresh migrated database: SQLite and PostgreSQL."""
    if request.param == "sqlite":
        eng, url, done = _fresh_sqlite(tmp_path)
    else:
        eng, url, done = _fresh_pg(request)
    eng.test_url = url  # type: ignore[attr-defined]
    yield eng
    done()


@pytest.fixture(params=BACKENDS)
def fresh_engine(request, tmp_path):
    """An empty database with no schema at all (for migration tests): SQLite and PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'blank.db'}"
        eng = store.get_engine(url)
        yield eng
        eng.dispose()
        store_engine._ENGINES.pop(url, None)
        return
    eng, _url, drop = _new_pg()
    yield eng
    drop()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng, url, done = _fresh_sqlite(tmp_path)
    eng.test_url = url  # type: ignore[attr-defined]
    yield eng
    done()
