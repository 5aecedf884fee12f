"""Two Streamlit replicas behind nginx on one PostgreSQL database (deploy/nginx.conf.template, docs/DEPLOYMENT.md).

One fresh PostgreSQL database holds the demo bank and real accounts (tests/e2e/conftest.py `_prepare`); two
``streamlit run app.py`` replicas (tests/e2e/helpers.py `AppServer`) serve it; nginx — Debian's binary, in the
foreground as a child of this test, with its pid, logs and temp files under the test's tmp directory — proxies
a free 127.0.0.1 port to them with the shipped template. PostgreSQL only: replicas share one database server,
which SQLite (one file on one machine) is not.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from core.i18n import fmt_date, t
from core.routines import tile_label, tile_value
from core.scope import SYSTEM
from core.store import engine as store_engine
from core.store import logs as store_logs
from tests.e2e.conftest import _fresh_database, _prepare, meeting_day
from tests.e2e.helpers import (ARTIFACTS, REPO, RUN_COUNTER_JS, TIMEOUT, VIEWPORT, AppServer,
                               free_port, section_metrics, sidebar, sign_in, wait_idle)

pytestmark = pytest.mark.e2e

sys.path.insert(0, str(REPO / "deploy"))
import render_nginx  # noqa: E402  (deploy/ is scripts, not a package)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROUTE_COOKIE = "dash_route"


class Proxy:
    """nginx on a free port in front of `ports`, running in the foreground (daemon off) as our child."""

    def __init__(self, ports: list[int], prefix: Path):
        self.port = free_port()
        self.prefix = prefix
        self.conf = render_nginx.write(f"127.0.0.1:{self.port}", ports, prefix)
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(self.conf),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.error_log())
            try:
                with urllib.request.urlopen(self.base_url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nginx did not answer /_stcore/health: " + self.error_log())
            time.sleep(0.2)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def error_log(self) -> str:
        path = self.prefix / "logs" / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def upstreams_for(self, route: str) -> set[str]:
        """The replica addresses nginx sent the requests carrying sticky-route `route` to (from its access log)."""
        text = (self.prefix / "logs" / "access.log").read_text(errors="replace")
        return {m.group(1) for m in re.finditer(r"upstream=(\S+) route=" + re.escape(route) + r"\b", text)}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class Deployment:
    def __init__(self, url, engine, accounts, replicas, proxy, tmp):
        self.url, self.engine, self.replicas, self.proxy, self.tmp = url, engine, replicas, proxy, tmp
        self.director, self.lead, self.manager = accounts

    def replica_at(self, address: str) -> AppServer:
        return next(r for r in self.replicas if address.endswith(f":{r.port}"))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    if os.environ.get("TEST_PG") == "0":
        pytest.skip("replicas share a PostgreSQL database (TEST_PG=0 runs SQLite only)")
    if not os.path.exists(NGINX):
        pytest.fail(f"{NGINX} is missing: install Debian's nginx (bash scripts/system-deps.sh)")
    tmp = tmp_path_factory.mktemp("replicas")
    url, drop = _fresh_database("postgresql", tmp)
    engine = store_engine.get_engine(url)
    replicas: list[AppServer] = []
    proxy = None
    try:
        accounts = _prepare(engine, url)
        replicas = [AppServer(url, "postgresql", ARTIFACTS / "logs" / f"replica-{name}.log") for name in "AB"]
        errors: list[BaseException] = []

        def start(server):
            try:
                server.start()
            except BaseException as exc:   # reported below, in the test's thread
                errors.append(exc)
        threads = [threading.Thread(target=start, args=(r,)) for r in replicas]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            raise errors[0]
        proxy = Proxy([r.port for r in replicas], tmp / "nginx")
        yield Deployment(url, engine, accounts, replicas, proxy, tmp)
    finally:
        if proxy is not None:
            proxy.stop()
        for r in replicas:
            r.stop()
        engine.dispose()
        store_engine._ENGINES.pop(store_engine._normalise_pg(url), None)
        drop()


@pytest.fixture
def new_page(browser):
    """Pages each in a new browser context (its own cookies: its own session), closed after the test."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(TIMEOUT)
        ctx.add_init_script(RUN_COUNTER_JS)
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for ctx in contexts:
        ctx.close()


def _route(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == ROUTE_COOKIE)


def _sign_in(page, server, account) -> None:
    sign_in(page, server, account.username, account.password, account.display_name, account.role,
            query={"day": meeting_day().isoformat()})


def _deposits_tile(page) -> str:
    """Yesterday's 新增存款(万元) tile on the morning meeting (the landing page of a director)."""
    yday = meeting_day() - dt.timedelta(days=3)       # Monday 2026-11-23 → Friday 2026-11-20
    heading = t("morning.yesterday", "zh", date=fmt_date(yday, "zh"))
    tiles = {m["label"]: m["value"] for m in section_metrics(page, heading, at_least=5)}
    return tiles[tile_label("deposits_new", "zh")]


def _rerun(page) -> None:
    """One rerun of the script, as the 'R' shortcut (Streamlit's Rerun) does it."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")   # not typing in a field
    page.keyboard.press("r")
    wait_idle(page)


def test_an_import_by_another_process_shows_on_both_replicas_after_one_rerun(deployment, new_page):
    d = deployment
    yday = meeting_day() - dt.timedelta(days=3)
    logs = store_logs.read_logs(d.engine, SYSTEM, start=yday, end=yday)
    before_total = float(logs["deposits_new"].sum())
    before_cm002 = float(logs.loc[logs["employee_id"] == "CM002", "deposits_new"].sum())

    # Through the proxy: the session stays on one replica (every request with its route cookie went there).
    via_proxy = new_page()
    _sign_in(via_proxy, d.proxy, d.director)
    assert _deposits_tile(via_proxy) == tile_value("deposits_new", before_total)
    served = d.proxy.upstreams_for(_route(via_proxy))
    assert len(served) == 1, served
    home = d.replica_at(served.pop())
    other = next(r for r in d.replicas if r is not home)
    # The other replica, opened directly, with its caches warmed on the same data.
    direct = new_page()
    _sign_in(direct, other, d.director)
    assert _deposits_tile(direct) == tile_value("deposits_new", before_total)

    # A third process imports CM002's Friday: 新增存款 becomes 987 万元 (it was before_cm002).
    daily = d.tmp / "CM002_2026-11-20.csv"
    daily.write_text(f"日期,工号,新增存款(万元)\n{yday.isoformat()},CM002,987\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "core", "import", str(daily), "--db", d.url], cwd=REPO,
                         capture_output=True, text=True, timeout=120, env={**os.environ, "DASH_NO_DEMO": "1"})
    assert res.returncode == 0, res.stdout + res.stderr

    # Branch total after: before_total − before_cm002 + 987 (the sum of the other managers is unchanged).
    expected = tile_value("deposits_new", before_total - before_cm002 + 987)
    assert expected != tile_value("deposits_new", before_total)      # the figure really moves
    for page in (via_proxy, direct):
        _rerun(page)
        assert _deposits_tile(page) == expected
    assert d.proxy.upstreams_for(_route(via_proxy)) == {f"127.0.0.1:{home.port}"}


def test_a_second_browser_through_the_proxy_has_its_own_session(deployment, new_page):
    d = deployment
    first = new_page()
    _sign_in(first, d.proxy, d.director)
    second = new_page()
    second.goto(d.proxy.base_url + "/", wait_until="domcontentloaded")
    wait_idle(second, t("auth.signin_title", "zh"), rerun=False)        # not signed in: the first's session is not shared
    assert _route(second) != _route(first)
    m = d.manager
    sign_in(second, d.proxy, m.username, m.password, m.display_name, m.role)
    _rerun(first)
    director_line = t("app.signed_in_as", "zh", name=d.director.display_name, role=t("role.director", "zh"))
    manager_line = t("app.signed_in_as", "zh", name=m.display_name, role=t("role.manager", "zh"))
    assert director_line in sidebar(first).inner_text()
    assert manager_line not in sidebar(first).inner_text()
    assert manager_line in sidebar(second).inner_text()
    for page in (first, second):
        assert len(d.proxy.upstreams_for(_route(page))) == 1


def test_run_replicas_check_renders_a_config_nginx_accepts(tmp_path):
    if not os.path.exists(NGINX):
        pytest.fail(f"{NGINX} is missing: install Debian's nginx (bash scripts/system-deps.sh)")
    res = subprocess.run(["bash", str(REPO / "deploy" / "run-replicas.sh"), "--check", "--replicas", "3",
                          "--base-port", "9601", "--listen", "127.0.0.1:9600", "--prefix", str(tmp_path / "ng")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    conf = (tmp_path / "ng" / "nginx.conf").read_text()
    assert re.findall(r"server 127\.0\.0\.1:(\d+) ", conf) == ["9601", "9602", "9603"]
    assert "listen 127.0.0.1:9600;" in conf and "${" not in conf


def test_run_replicas_refuses_a_database_replicas_cannot_share(tmp_path):
    res = subprocess.run(["bash", str(REPO / "deploy" / "run-replicas.sh"), "--listen", "127.0.0.1:9600",
                          "--prefix", str(tmp_path / "ng")], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert res.returncode == 2
    assert "PostgreSQL" in res.stderr
