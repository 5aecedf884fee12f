"""The router (app.py): the landing page's period picker, filters from a bookmarked URL, big screen."""
import pytest

from core.i18n import t
from tests.views.helpers import rerun, run_page


@pytest.mark.parametrize("user, widget, label_key", [
    ("demo_director", "date_input", "filter.date"),     # lands on the morning meeting: a date
    ("demo_lead", "date_input", "filter.date"),
    ("demo_manager", "selectbox", "filter.month"),      # lands on his statement: a month
])
def test_landing_page_has_its_period_picker(demo_db_url, user, widget, label_key):
    at = run_page(None, demo_db_url, user)
    assert not at.exception
    assert t(label_key, "zh") in [w.label for w in getattr(at, widget)]


def test_bookmarked_filters_are_applied_and_kept_in_the_url(demo_db_url):
    at = run_page("views/weekly.py", demo_db_url, "demo_director", lang="en",
                  query={"team": "对公二队", "line": "corporate", "week": "2026-W46"})
    assert not at.exception
    ctx = at.session_state["_page_context"]
    assert (ctx.lang, ctx.team, ctx.line, ctx.week) == ("en", "对公二队", "corporate", "2026-W46")
    assert at.query_params["team"] == "对公二队" and at.query_params["week"] == "2026-W46"
    assert at.title[0].value.startswith(t("page.weekly", "en"))


def test_unknown_filter_values_fall_back_instead_of_failing(demo_db_url):
    at = run_page("views/weekly.py", demo_db_url, "demo_director",
                  query={"team": "不存在的队", "line": "nonsense", "week": "1999-W01"})
    assert not at.exception
    ctx = at.session_state["_page_context"]
    assert ctx.team is None and ctx.line is None and ctx.week == "2026-W47"   # the latest week with data


def test_big_screen_toggle_on_the_morning_page(demo_db_url):
    at = run_page(None, demo_db_url, "demo_director")
    at.toggle(key="w_big").set_value(True)
    rerun(at, demo_db_url)
    assert not at.exception
    assert at.session_state["_page_context"].big_screen
    assert any("stSidebar" in str(m.value) for m in at.markdown)   # the CSS that hides the sidebar
    assert at.query_params["big"] == "1"


def test_a_team_lead_cannot_widen_his_scope_through_the_url(demo_db_url):
    at = run_page("views/weekly.py", demo_db_url, "demo_lead", query={"team": "零售一队"})
    assert not at.exception
    ctx = at.session_state["_page_context"]
    assert ctx.scope.team == "对公一队" and ctx.team is None
    assert "零售一队" not in " ".join(str(m.value) for m in at.markdown)


def test_leaving_big_screen_brings_the_sidebar_back(demo_db_url):
    at = run_page(None, demo_db_url, "demo_director", query={"big": "1"})     # a bookmarked projector view
    assert at.session_state["_page_context"].big_screen
    at.button(key="w_exit_big").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert not at.session_state["_page_context"].big_screen
    assert at.toggle(key="w_big").value is False
    assert "big" not in at.query_params
