"""First start on an empty database (no DASH_NO_DEMO): the app loads the demo sub-branch itself and says so, the
sign-in page offers one-click demo sign-in, and a demo director lands on the morning meeting. Once a real director
account exists, the one-click buttons are gone (the journeys' shared database has one: checked there too).
"""
from __future__ import annotations

import os

import pytest

from core import auth, store
from core.i18n import t
from core.store import logs as store_logs
from core.scope import SYSTEM
from tests.conftest import BACKENDS
from tests.e2e.conftest import _fresh_database
from tests.e2e.helpers import (ARTIFACTS, AppServer, assert_no_error, main_area, nav_titles, open_app, screenshot,
                               sidebar, wait_idle)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=BACKENDS)
def empty_app(request, tmp_path_factory):
    backend = request.param
    url, drop = _fresh_database(backend, tmp_path_factory.mktemp(f"first_{backend}"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    server = AppServer(url, backend, ARTIFACTS / "logs" / f"server-first-{backend}-{worker}.log",
                       extra_env={"DASH_NO_DEMO": "0"}).start()
    yield backend, url, server
    server.stop()
    store.dispose_all()
    drop()


def test_demo_loads_itself_and_one_click_sign_in(page, empty_app):
    backend, url, server = empty_app
    open_app(page, server)
    # the first visitor is told the demo bank was loaded, and sees the demo banner with three buttons
    wait_idle(page, t("auth.demo_banner", "zh"), t("auth.demo_as_director", "zh"), rerun=False)
    engine = store.get_engine(url)
    assert len(store_logs.read_roster(engine, SYSTEM)) == 32
    assert auth.demo_signin_available(engine)
    for role in ("director", "team_lead", "manager"):
        assert main_area(page).get_by_role("button", name=t(f"auth.demo_as_{role}", "zh")).is_visible()
    screenshot(page, backend, "first-start", "signin", "zh")

    main_area(page).get_by_role("button", name=t("auth.demo_as_director", "zh")).click()
    wait_idle(page, t("morning.talking_points", "zh"), t("app.demo_banner", "zh"), t("app.demo_loaded", "zh"))
    assert_no_error(page, "zh")
    assert nav_titles(page)[0] == t("page.morning", "zh")
    demo = auth.demo_accounts(engine)["director"]
    assert t("app.signed_in_as", "zh", name=demo["display_name"], role=t("role.director", "zh")) in \
        sidebar(page).inner_text()
    screenshot(page, backend, "first-start", "morning", "zh")


def test_no_demo_buttons_once_a_real_director_exists(page, e2e):
    open_app(page, e2e.server)
    wait_idle(page, t("auth.signin_title", "zh"), rerun=False)
    assert main_area(page).get_by_role("button", name=t("auth.demo_as_director", "zh")).count() == 0
    if auth.demo_mode(e2e.engine):
        assert t("auth.demo_closed", "zh") in main_area(page).inner_text()
    screenshot(page, e2e.backend, "first-start", "signin-closed", "zh")
