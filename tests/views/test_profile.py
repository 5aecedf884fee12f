"""客户经理画像 page: renders in zh and en for each role, with no None/nan; a manager's own profile names nobody
else; another manager's ID is refused with the bilingual message. (Selecting a row in 周小结 to open a profile is a
browser journey: tests/e2e/test_profile.py — AppTest cannot select dataframe rows.)"""
from __future__ import annotations

import re

import pytest

from core import store
from core.i18n import t
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.views.helpers import rerun, run_page, texts

PAGE = "views/profile.py"
MONTH = "2026-11"


def _roster(url):
    return store_logs.read_roster(store.get_engine(url), SYSTEM)


def _own_id(url, username):
    from core import auth
    return auth.scope_for_username(store.get_engine(url), username).employee_id


def _open(url, user, lang, eid=None):
    """Open the profile page, then put ?id= in the URL as a drill-down link does (the router keeps it there)."""
    at = run_page(PAGE, url, user, lang=lang, query={"month": MONTH})
    if eid is not None and not at.exception:
        at.query_params["id"] = eid
        rerun(at, url)
    return at


def _cells(at) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_own_profile_names_nobody_else(demo_db_url, lang):
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang, query={"month": MONTH})
    assert not at.exception, at.exception
    assert not at.error
    body = texts(at) + "\n" + _cells(at)
    me = _own_id(demo_db_url, "demo_manager")
    roster = _roster(demo_db_url)
    mine = roster.loc[roster["employee_id"] == me, "name"].iat[0]
    assert t("profile.title_mine", lang) in body and mine in body
    assert t("profile.month", lang) in body and t("profile.days", lang) in body
    others = [n for n in roster["name"] if n != mine]
    assert not [n for n in others if n in body]           # no other manager's name anywhere
    assert not re.search(r"\b(None|nan|NaN)\b", body)


@pytest.mark.parametrize("user, lang", [("demo_lead", "zh"), ("demo_director", "en")])
def test_lead_and_director_open_a_managers_profile(demo_db_url, user, lang):
    roster = _roster(demo_db_url)
    from core import auth
    scope = auth.scope_for_username(store.get_engine(demo_db_url), user)
    eid = roster.loc[roster["team"] == (scope.team or roster["team"].iat[0]), "employee_id"].iat[0]
    name = roster.loc[roster["employee_id"] == eid, "name"].iat[0]
    eid = roster.loc[roster["team"] == (scope.team or roster["team"].iat[0]), "employee_id"].iat[-1]
    name = roster.loc[roster["employee_id"] == eid, "name"].iat[0]
    at = _open(demo_db_url, user, lang, eid)
    assert not at.exception, at.exception
    assert not at.error
    body = texts(at) + "\n" + _cells(at)
    assert t("profile.title_of", lang, name=name) in body
    assert not re.search(r"\b(None|nan|NaN)\b", body)
    assert at.query_params["id"] == [eid] or at.query_params["id"] == eid


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_asking_for_another_is_refused(demo_db_url, lang):
    me = _own_id(demo_db_url, "demo_manager")
    other = next(e for e in _roster(demo_db_url)["employee_id"] if e != me)
    at = _open(demo_db_url, "demo_manager", lang, other)
    assert not at.exception
    assert [e.value for e in at.error] == [t("profile.not_visible", lang, employee_id=other)]


def test_director_picks_another_manager(demo_db_url):
    roster = _roster(demo_db_url)
    first, other = roster["employee_id"].iat[0], roster["employee_id"].iat[5]
    at = _open(demo_db_url, "demo_director", "zh", first)
    assert t("profile.title_of", "zh", name=roster["name"].iat[0]) in texts(at)
    at.sidebar.selectbox(key="profile_pick").set_value(other)
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    assert t("profile.title_of", "zh", name=roster["name"].iat[5]) in texts(at)
    assert at.query_params["id"] in (other, [other])            # the URL follows the picker


def test_open_the_full_statement(demo_db_url):
    roster = _roster(demo_db_url)
    eid, name = roster["employee_id"].iat[3], roster["name"].iat[3]
    at = _open(demo_db_url, "demo_director", "en", eid)
    [b for b in at.button if b.label == t("profile.open_statement", "en")][0].click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    assert at.session_state["cm_manager"] == eid             # the statement page opens on him
    body = texts(at)
    assert t("page.commission", "en") in body and t("profile.title_of", "en", name=name) not in body
    assert name in body


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_days_read_as_cards_on_a_phone(demo_db_url, lang):
    """The days' table (eleven columns) has a card twin for a phone: one card per row of the table, with that day's
    figures that are not zero (as the table writes them) and its notes; the statement lines are rows/cards too."""
    from core import auth, fmt
    from core.i18n import fmt_date
    from core.routines import profile_page
    from core.schema import metric_label
    from ui.cards import label_html             # labels: escaped, the unit kept on one line
    from ui.text import html_text               # the cards' texts are escaped (notes are user text)
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang, query={"month": MONTH})
    assert not at.exception, at.exception
    scope = auth.scope_for_username(store.get_engine(demo_db_url), "demo_manager")
    m = profile_page(store.get_engine(demo_db_url), scope, scope.employee_id, MONTH, lang)
    [days_md] = [str(x.value) for x in at.markdown if 'class="mc-list mc-days' in str(x.value)]
    # English labels are long: one figure a line on a phone; Chinese keeps two a line
    assert ('class="mc-list mc-days mc-long-labels"' in days_md) == (lang == "en")
    day_cards = {re.search(r'mc-title">([^<]*)<', c).group(1): c
                 for c in days_md.split('<div class="mc-card">')[1:]}
    [grid] = [df.value for df in at.dataframe if len(df.value) == len(day_cards)]   # the laptop's table
    assert list(day_cards) == list(grid.iloc[:, 0]) and len(day_cards) > 0        # the same days, same order
    checked = 0
    for row in m.days[m.days["logged"]].itertuples():
        card = day_cards.get(fmt_date(row.date, lang))
        if card is None:                        # a day after the page's as-of date
            continue
        for c in ("visits", "new_customers", "deposits_new", "fee_income", "credit_cards"):
            v = getattr(row, c)
            assert (f"<dt>{label_html(metric_label(c, lang))}</dt>" in card) == (v != 0), (row.date, c, v)
            if v != 0:
                assert f">{fmt.number(v, c)}</dd>" in card
        if row.notes:
            assert html_text(row.notes) in card
        checked += 1
    assert checked >= 5
    # the statement's lines: the responsive rows of ui.cards (no table whose amounts scroll off a phone)
    assert any("lc-list" in str(x.value) and t("profile.col.how", lang) in str(x.value) for x in at.markdown)
