"""Databases for page tests: the demo bank (end 2026-11-20) in a SQLite file, and an empty database."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from core import store
from core.store import engine as store_engine
from tests.views.helpers import DEMO_END


def _make_demo(path):
    from core import auth, demo
    url = f"sqlite:///{path}"
    eng = store.get_engine(url)
    store.init_db(eng)
    demo.load_demo(eng, end=dt.date.fromisoformat(DEMO_END))
    auth.ensure_demo_accounts(eng)
    eng.dispose()
    store_engine._ENGINES.pop(url, None)


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    _make_demo(path)
    return path


@pytest.fixture
def demo_db_url(demo_db_file, tmp_path):
    """A private copy of the demo database for one test (tests may write to it)."""
    dst = tmp_path / "demo.db"
    shutil.copy(demo_db_file, dst)
    return f"sqlite:///{dst}"


@pytest.fixture
def empty_db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    eng = store.get_engine(url)
    store.init_db(eng)
    return url
