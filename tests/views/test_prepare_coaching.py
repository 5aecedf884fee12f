"""After stored data changes the app evaluates the latest week's coaching in the background
(ui.data.prepare_coaching → core.coaching.prepare_week), so the first person to open 周小结 or 辅导 reads the shared
evaluation instead of waiting for it: once per database, data version and week."""
from __future__ import annotations

import datetime as dt

import pytest

from core import coaching as c
from core.coaching import service
from core.scope import Scope
from tests.core.coaching.db_bank import LEAD_A, _load_logs, seed
from ui import data as ui_data

WEEK, TODAY = "2026-W50", dt.date(2026, 12, 13)


@pytest.fixture
def evaluations(monkeypatch):
    calls = []
    real = service.with_history
    monkeypatch.setattr(service, "with_history", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_the_week_is_ready_before_anyone_opens_it(sqlite_engine, monkeypatch, evaluations):
    monkeypatch.delenv("DASH_PREPARE", raising=False)
    monkeypatch.setattr(ui_data, "engine_for", lambda url: sqlite_engine)
    monkeypatch.setattr(ui_data, "_prepared", set())
    seed(sqlite_engine)
    _load_logs(sqlite_engine, low_visits={"F1": 2.0}, complaints={("E1", dt.date(2026, 12, 8)): 1})
    url = str(sqlite_engine.url)
    th = ui_data.prepare_coaching(url, "v1", WEEK, TODAY)
    assert th is not None
    th.join(60)
    assert not th.is_alive() and len(evaluations) == 1
    assert ui_data.prepare_coaching(url, "v1", WEEK, TODAY) is None          # once per version and week
    # the director's weekly page and a team lead's coaching page read it: no second evaluation
    director = Scope("director", username="boss")
    assert {f.key for f in c.flags_for_week(sqlite_engine, director, WEEK, as_of=c.default_as_of(WEEK, TODAY))
            if f.active} == {("E1", "complaints"), ("F1", "low_activity")}
    lead = c.review_for_week(sqlite_engine, LEAD_A, WEEK, as_of=c.default_as_of(WEEK, TODAY))
    assert {f.key for f in lead.active} == {("E1", "complaints")}
    assert len(evaluations) == 1


def test_switched_off_or_failing_it_takes_nothing_down(sqlite_engine, monkeypatch, caplog):
    monkeypatch.setenv("DASH_PREPARE", "0")
    monkeypatch.setattr(ui_data, "_prepared", set())
    assert ui_data.prepare_coaching("sqlite:///x.db", "v1", WEEK, TODAY) is None
    monkeypatch.delenv("DASH_PREPARE")

    def broken(url):
        raise RuntimeError("database is down")
    monkeypatch.setattr(ui_data, "engine_for", broken)
    th = ui_data.prepare_coaching("sqlite:///x.db", "v1", WEEK, TODAY)
    th.join(10)
    assert "preparing the coaching of 2026-W50 failed" in caplog.text


def test_the_app_prepares_the_latest_week_when_a_page_opens(demo_db_url, monkeypatch, evaluations):
    """The real app on the demo bank: the director opens 晨会, the latest logged week's coaching is evaluated in the
    background, and his 周小结 afterwards reads it (no evaluation of its own)."""
    import threading

    from core import store
    from core import calendar as cal
    from core.store import logs as store_logs
    from tests.views.helpers import run_page
    monkeypatch.setenv("DASH_PREPARE", "1")
    monkeypatch.setattr(ui_data, "_prepared", set())
    at = run_page("views/morning.py", demo_db_url, "demo_director")
    assert not at.exception
    for th in [th for th in threading.enumerate() if th.name.startswith("prepare-coaching-")]:
        th.join(120)
    assert len(evaluations) == 1
    eng = store.get_engine(demo_db_url)
    week = cal.week_key(store_logs.log_date_range(eng, Scope("director", username="boss"))[1])
    c.flags_for_week(eng, Scope("director", username="boss"), week,
                     as_of=c.default_as_of(week, dt.date.today()))
    assert len(evaluations) == 1
