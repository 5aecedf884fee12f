"""晨会 page: renders on the demo bank and on an empty database, in zh and en, for team and line filters; the
'logged yesterday' tile equals what core.routines computes on the same data."""
from __future__ import annotations

import datetime as dt

import pytest

from core import calendar as cal, store
from core import routines as M
from core.routines import talking as briefing
from core.i18n import t
from core.scope import Scope
from core.store import logs as store_logs
from tests.views.helpers import run_page, texts

PAGE = "views/morning.py"
DAY = "2026-11-21"            # the demo bank ends on Friday 2026-11-20: "yesterday" is that Friday


@pytest.mark.parametrize("user, lang, query", [
    ("demo_director", "zh", {}),
    ("demo_director", "en", {}),
    ("demo_director", "zh", {"team": "对公二队"}),
    ("demo_director", "en", {"line": "retail"}),
    ("demo_lead", "en", {}),
    ("demo_manager", "zh", {}),
])
def test_renders_on_demo(demo_db_url, user, lang, query):
    at = run_page(PAGE, demo_db_url, user, lang=lang, query={"day": DAY, **query})
    assert not at.exception, at.exception
    assert not at.error
    body = texts(at)
    assert t("morning.talking_points", lang) in body
    if user == "demo_manager":   # his own page: where he stands, never a leaderboard of one
        assert t("mine.standing", lang) in body and t("morning.leaders_month", lang) not in body
    else:
        assert t("morning.leaders_month", lang) in body


def _html(at) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_big_screen_shows_one_slide_at_a_time(demo_db_url, lang):
    """The projector layout (ui/bigscreen.py): the slide picker, the first slide (yesterday) with the logged tile,
    then the coaching slide with the talking points; never the page's tables."""
    at = run_page(PAGE, demo_db_url, "demo_director", lang=lang, query={"day": DAY, "big": "1"})
    assert not at.exception, at.exception
    body = _html(at)
    assert t("morning.logged", lang) in body and "bs-tile" in body
    assert t("morning.talking_points", lang) not in body
    assert not at.dataframe
    picker = at.get("button_group")[0]
    picker.set_value("coaching").run()
    assert not at.exception
    body = _html(at)
    assert t("morning.talking_points", lang) in body and "<li>" in body
    assert "bs-tile" not in body


def test_logged_tile_matches_metrics(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_director", query={"day": DAY, "team": "对公一队"})
    assert not at.exception
    eng = store.get_engine(demo_db_url)
    yday = cal.previous_workday(dt.date.fromisoformat(DAY))
    roster = store_logs.read_roster(eng, Scope("director"), team="对公一队")
    logs = store_logs.read_logs(eng, Scope("director"), start=yday, end=yday, team="对公一队")
    tot = briefing.yesterday_totals(M.daily_snapshot(logs, roster, yday))
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[t("morning.logged", "zh")] == f"{tot['logged']} / {tot['managers']}"
    assert tiles["拜访客户数"] == f"{int(tot['visits']):,d}"               # the unit lives in the label
    assert tiles["新增存款(万元)"] == f"{tot['deposits_new']:,.0f}"


def test_a_manager_s_yesterday_tiles_are_his_exact_figures(demo_db_url):
    """His own day as his daily sheet has it: 新增存款 to the 0.01 万元 (the branch's headline tiles round to whole
    万元; on his own phone "74" for 73.60 reads as a wrong number)."""
    from core import auth
    at = run_page(PAGE, demo_db_url, "demo_manager", query={"day": DAY})
    assert not at.exception
    eng = store.get_engine(demo_db_url)
    me = auth.scope_for_username(eng, "demo_manager")
    yday = cal.previous_workday(dt.date.fromisoformat(DAY))
    row = store_logs.read_logs(eng, me, start=yday, end=yday).set_index("employee_id").loc[me.employee_id]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["新增存款(万元)"] == f"{float(row['deposits_new']):,.2f}"
    assert tiles["拜访客户数"] == f"{int(row['visits']):,d}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_database_says_upload(empty_db_url, lang):
    from core import auth
    from core.scope import SYSTEM
    auth.create_user(store.get_engine(empty_db_url), SYSTEM, "boss", "行长", "director", password="Str0ng-enough-pw!")
    at = run_page(PAGE, empty_db_url, "boss", lang=lang)
    assert not at.exception
    assert t("app.no_data", lang) in [i.value for i in at.info]
