"""Browser journeys: a real ``streamlit run app.py`` on a fresh database, driven with Debian's Chromium.

Fixtures (each xdist worker builds its own; nothing is shared between workers):

* ``e2e`` (session, parametrised over the backends "sqlite" and "postgresql"): a fresh database holding the demo
  bank (``core.demo.load_demo(engine, end=2026-11-20)``) and real password accounts made with
  ``core.auth.create_user`` — a director, the team lead of 对公一队 and the manager CM002 — and the app server
  started on it with DASH_NO_DEMO=1. The journeys share it; a journey that changes data restores it.
* ``browser`` (session): one headless Chromium (``/usr/bin/chromium``, never a Playwright download).
* ``page`` (function): a new browser context (1400×900, downloads accepted), closed after the test. When a test
  fails, a screenshot goes to test-artifacts/failures/ and the server's last output is added to the report.

Set TEST_PG=0 to run SQLite only (never in CI).
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from core import store
from core.store import engine as store_engine
from tests.conftest import BACKENDS, _pg_admin, _pg_url
from tests.e2e.helpers import (ARTIFACTS, CHROMIUM, DEMO_END, FAILURES, LAUNCH_ARGS, RUN_COUNTER_JS, TIMEOUT,
                               VIEWPORT, AppServer)

os.environ.setdefault("DASH_ARGON2_FAST", "1")   # the server gets the same: hashes made here verify there

DIRECTOR = dict(username="wang.director", password="Chenhui2026", display_name="王行长", role="director")
LEAD_TEAM = "对公一队"
LEAD = dict(username="li.lead", password="Zhouxiaojie26", display_name="李队长", role="team_lead", team=LEAD_TEAM)
MANAGER = dict(username="cm002", password="Jixiao2026", role="manager", employee_id="CM002")


@dataclass
class Account:
    username: str
    password: str
    display_name: str
    role: str
    team: str | None = None
    employee_id: str | None = None


@dataclass
class E2E:
    backend: str
    db_url: str
    engine: object
    server: AppServer
    director: Account
    lead: Account
    manager: Account
    tmp: Path

    @property
    def base_url(self) -> str:
        return self.server.base_url


def _prepare(engine, url: str) -> tuple[Account, Account, Account]:
    """The demo bank plus three real accounts with passwords (made by a director, as in production)."""
    from core import auth, demo
    from core.scope import SYSTEM
    from core.store import logs as store_logs

    store.init_db(engine)
    demo.load_demo(engine, end=DEMO_END)
    roster = store_logs.read_roster(engine, SYSTEM)
    seniors = roster[(roster["team"] == LEAD_TEAM) & (roster["grade"] == "高级客户经理")]
    lead_emp = str(seniors["employee_id"].iloc[0]) if len(seniors) else None
    if lead_emp == MANAGER["employee_id"]:
        lead_emp = str(seniors["employee_id"].iloc[1]) if len(seniors) > 1 else None

    made = []
    for spec, extra in ((DIRECTOR, {}), (LEAD, {"employee_id": lead_emp}), (MANAGER, {})):
        kw = {k: v for k, v in {**spec, **extra}.items() if k not in ("username", "password", "role", "display_name")}
        user = auth.create_user(engine, SYSTEM, spec["username"], spec.get("display_name"), spec["role"],
                                password=spec["password"], **kw)
        made.append(Account(user["username"], spec["password"], user["display_name"], user["role"], user["team"],
                            user["employee_id"]))
    return tuple(made)


def _fresh_database(backend: str, tmp: Path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'e2e.db'}"

        def drop():
            pass
        return url, drop
    name = f"dash_e2e_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return _pg_url(name), drop


@pytest.fixture(scope="session", params=BACKENDS)
def e2e(request, tmp_path_factory):
    backend = request.param
    tmp = tmp_path_factory.mktemp(f"e2e_{backend}")
    url, drop = _fresh_database(backend, tmp)
    engine = store.get_engine(url)
    try:
        director, lead, manager = _prepare(engine, url)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        server = AppServer(url, backend, ARTIFACTS / "logs" / f"server-{backend}-{worker}.log").start()
    except BaseException:
        store.dispose_all()
        drop()
        raise
    env = E2E(backend, url, engine, server, director, lead, manager, tmp)
    request.node.stash[_SERVER_KEY] = server
    _SERVERS.append(server)
    yield env
    _SERVERS.remove(server)
    server.stop()
    engine.dispose()
    store_engine._ENGINES.pop(store_engine._normalise_pg(url), None)
    drop()


_SERVER_KEY = pytest.StashKey[AppServer]()
_SERVERS: list[AppServer] = []


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (bash scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page (1400×900, downloads accepted); evidence is kept when the test fails."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", device_scale_factor=1)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(RUN_COUNTER_JS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        name = request.node.nodeid.split("::")[-1].replace("/", "_").replace("[", "_").replace("]", "")
        try:
            pg.screenshot(path=str(FAILURES / f"{name}.png"), full_page=True)
        except Exception:
            pass
        for server in _SERVERS:
            request.node.add_report_section("call", f"streamlit ({server.backend}) output",
                                            server.log_tail(4000))
        if errors:
            request.node.add_report_section("call", "browser page errors", "\n".join(errors))
    context.close()


@pytest.fixture
def downloads(tmp_path) -> Path:
    d = tmp_path / "downloads"
    d.mkdir()
    return d


def meeting_day() -> dt.date:
    """The morning meeting the journeys look at: the first working day after the demo's last logged day."""
    from core import calendar as cal
    d = DEMO_END + dt.timedelta(days=1)
    while not cal.is_workday(d):
        d += dt.timedelta(days=1)
    return d
