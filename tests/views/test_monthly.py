"""月总结 page: renders on the demo bank and on an empty database, in zh and en, for team and line filters; the
new-deposits tile equals core.routines.month_progress on the same data; the target split shows for a director
and a team lead, not for a manager."""
from __future__ import annotations

import datetime as dt

import pytest

from core import calendar as cal, store
from core import routines as M
from core import fmt
from core.i18n import t
from core.scope import Scope
from core.store import logs as store_logs
from tests.views.helpers import run_page, texts

PAGE = "views/monthly.py"
MONTH = "2026-11"


@pytest.mark.parametrize("user, lang, query, split", [
    ("demo_director", "zh", {}, True),
    ("demo_director", "en", {}, True),
    ("demo_director", "zh", {"team": "对公一队"}, True),
    ("demo_director", "en", {"line": "retail"}, True),
    ("demo_director", "zh", {"month": "2026-10"}, True),
    ("demo_lead", "zh", {}, True),
    ("demo_manager", "en", {}, False),
])
def test_renders_on_demo(demo_db_url, user, lang, query, split):
    at = run_page(PAGE, demo_db_url, user, lang=lang, query={"month": MONTH, **query})
    assert not at.exception, at.exception
    assert not at.error
    body = texts(at)
    # a manager sees where he stands (rank and medians), not a 十佳 table of one
    assert t("mine.standing" if user == "demo_manager" else "monthly.ranking", lang) in body
    month = query.get("month", MONTH)
    assert (t("monthly.split", lang, month=cal.add_months(month, 1) if lang == "en" else
              f"{int(cal.add_months(month, 1)[:4])}年{int(cal.add_months(month, 1)[5:])}月") in body) is split


def test_deposit_tile_matches_metrics(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_director", query={"month": MONTH, "team": "对公二队"})
    assert not at.exception
    eng = store.get_engine(demo_db_url)
    d = Scope("director")
    first, last = cal.month_bounds(MONTH)
    as_of = min(last, dt.date.today())
    logs = store_logs.read_logs(eng, d, start=first, end=last, team="对公二队")
    roster = store_logs.read_roster(eng, d, team="对公二队")
    targets = store_logs.read_targets(eng, d, months=[MONTH], team="对公二队")
    prog = M.month_progress(logs, targets, roster, MONTH, as_of, level="branch")
    actual = prog.set_index("metric").loc["deposits_new", "actual"]
    tiles = {m.label: m.value for m in at.metric}
    # the unit in the label, a bare number as the value (a value with its unit was cut off in a laptop's tile)
    assert tiles["新增存款(万元)"] == fmt.number(actual, "deposits_new") and "." in tiles["新增存款(万元)"]


def test_split_table_adds_up_to_the_team_target(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", query={"month": MONTH})
    assert not at.exception
    assert any(s.value.startswith("合计") for s in at.success)   # the default split equals the team target


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_database_says_upload(empty_db_url, lang):
    from core import auth
    from core.scope import SYSTEM
    auth.create_user(store.get_engine(empty_db_url), SYSTEM, "boss", "行长", "director", password="Str0ng-enough-pw!")
    at = run_page(PAGE, empty_db_url, "boss", lang=lang)
    assert not at.exception
    assert t("app.no_data", lang) in [i.value for i in at.info]


def test_spike_threshold_is_the_coaching_rule(demo_db_url):
    """One month-end spike definition: the monthly model flags 时点 ≥ month_end_spike.ratio × 日均, the ratio of
    the active coaching rules (1.3 by default), not a page constant."""
    from core import coaching, measures
    eng = store.get_engine(demo_db_url)
    model = M.monthly_page(eng, Scope("director"), "2026-10")
    ratio = coaching.active_rules(eng).p("month_end_spike", "ratio")
    assert model.spike_ratio == ratio
    adb = model.adb
    assert len(adb)
    expected = measures.is_spike(adb["month_end"].to_numpy(), adb["adb"].to_numpy(), ratio)
    assert adb["spike"].astype(bool).tolist() == list(expected)
    assert model.spikes == adb.loc[adb["spike"].astype(bool), "name"].tolist()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_compare_reads_as_cards(demo_db_url, lang):
    """A manager's 环比与同比: one card per metric (a five-column table scrolled sideways on a phone), this month
    as its headline and last month's same days, 环比 and 同比 as core computes them."""
    import re
    from core import auth
    from core.routines import monthly_page
    from core.schema import metric_label
    from ui.text import html_text
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang, query={"month": MONTH})
    assert not at.exception, at.exception
    eng = store.get_engine(demo_db_url)
    scope = auth.scope_for_username(eng, "demo_manager")
    end = store_logs.log_date_range(eng, scope)[1]        # the page's as-of day (ui.context.month_as_of)
    first, last = cal.month_bounds(MONTH)
    as_of = min(last, dt.date.today(), *([end] if end and end >= first else []))
    rows = monthly_page(eng, scope, MONTH, as_of, lang=lang).mine.rows
    [md] = [str(x.value) for x in at.markdown if 'class="mc-list mc-compare"' in str(x.value)]
    cards = md.split('<div class="mc-card">')[1:]
    assert len(cards) == len(rows) > 0
    assert not [df for df in at.dataframe if t("mine.col.mom", lang) in df.value.columns]   # no table left
    for card, r in zip(cards, rows.itertuples()):
        assert re.search(r'mc-title">([^<]*)<', card).group(1) == html_text(metric_label(r.metric, lang))
        assert f'mc-big">{html_text(fmt.number(r.actual, r.metric))}<' in card
        assert f">{html_text(fmt.signed_pct(r.mom_pct))}</dd>" in card
        assert f">{html_text(fmt.signed_pct(r.yoy_pct))}</dd>" in card


@pytest.mark.parametrize("user, query, top_n, bottom_shown", [
    ("demo_lead", {}, 10, False),                     # his team is smaller than the top 10: everyone is above
    ("demo_director", {"team": "对公一队"}, 3, True),    # top 3 of a team: the bottom is the others
    ("demo_director", {}, 10, True),                  # the whole branch
])
def test_top_and_bottom_never_list_the_same_manager(demo_db_url, user, query, top_n, bottom_shown):
    at = run_page(PAGE, demo_db_url, user, query={"month": MONTH, **query})
    assert not at.exception, at.exception
    if top_n != 10:
        at.number_input(key="monthly_top_n").set_value(top_n).run()
        assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe if "rank" in d.value.columns]
    top = frames[0]
    assert len(top) >= top_n or not bottom_shown
    if not bottom_shown:
        assert len(frames) == 1 and t("monthly.bottom_all_above", "zh", n=len(top)) in texts(at)
    else:
        bottom = frames[1]
        assert len(bottom) and not set(top["name"]) & set(bottom["name"]), (list(top["name"]), list(bottom["name"]))
