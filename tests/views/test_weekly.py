"""周小结 page: renders on the demo bank and on an empty database, in zh and en, for team and line filters; the
visits tile equals core.routines.week_comparison on the same data; the export button is there."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from core import routines as M, store
from core import fmt
from core.i18n import t
from core.scope import Scope
from core.store import logs as store_logs
from tests.views.helpers import run_page, texts

PAGE = "views/weekly.py"
WEEK = "2026-W47"


@pytest.mark.parametrize("user, lang, query", [
    ("demo_director", "zh", {}),
    ("demo_director", "en", {}),
    ("demo_director", "zh", {"team": "零售二队"}),
    ("demo_director", "en", {"line": "corporate"}),
    ("demo_lead", "zh", {}),
    ("demo_manager", "en", {}),
])
def test_renders_on_demo(demo_db_url, user, lang, query):
    at = run_page(PAGE, demo_db_url, user, lang=lang, query={"week": WEEK, **query})
    assert not at.exception, at.exception
    assert not at.error
    body = texts(at)
    # a manager gets his own week (no summary of teams that is only himself); the others the team/branch summary
    assert t("mine.my_week" if user == "demo_manager" else "weekly.summary", lang) in body
    assert t("mine.days_chart" if user == "demo_manager" else "weekly.heatmap", lang) in body


def test_visits_tile_matches_metrics(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_director", query={"week": WEEK, "line": "retail"})
    assert not at.exception
    eng = store.get_engine(demo_db_url)
    d = Scope("director")
    logs = store_logs.read_logs(eng, d, start="2026-11-09", end="2026-11-22", line="retail")
    roster = store_logs.read_roster(eng, d, line="retail")
    targets = store_logs.read_targets(eng, d, months=["2026-11"], line="retail")
    cmp_ = M.week_comparison(logs, targets, roster, WEEK, level="branch", as_of="2026-11-22")
    visits = cmp_.set_index("metric").loc["visits", "this_week"]
    deposits = cmp_.set_index("metric").loc["deposits_new", "this_week"]
    tiles = {m.label: m.value for m in at.metric}
    # the unit in the label, a bare number as the value (a value with its unit was cut off in a laptop's tile)
    assert tiles["拜访客户数"] == fmt.number(visits, "visits")
    assert tiles["新增存款(万元)"] == fmt.number(deposits, "deposits_new") and "." in tiles["新增存款(万元)"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_database_says_upload(empty_db_url, lang):
    from core import auth
    from core.scope import SYSTEM
    auth.create_user(store.get_engine(empty_db_url), SYSTEM, "boss", "行长", "director", password="Str0ng-enough-pw!")
    at = run_page(PAGE, empty_db_url, "boss", lang=lang)
    assert not at.exception
    assert t("app.no_data", lang) in [i.value for i in at.info]


def test_page_model_has_the_coaching_flags(demo_db_url):
    """The weekly model reads the coaching review (no failure) and keeps only active flags of its managers."""
    import datetime as dt
    eng = store.get_engine(demo_db_url)
    model = M.weekly_page(eng, Scope("director"), WEEK, line="retail", today=dt.date(2026, 11, 22))
    assert model.state == "ok" and model.as_of == dt.date(2026, 11, 22)
    assert model.flags_failed is False and model.flags is not None
    ids = set(store_logs.read_roster(eng, Scope("director"), line="retail")["employee_id"])
    assert all(f.active and f.employee_id in ids for f in model.flags)


def test_lead_branch_rows_are_the_branch(demo_db_url):
    """A team lead's 全行 rows are the branch's figures (the director's), not his team repeated."""
    import datetime as dt
    from core.auth import scope_for_username
    eng = store.get_engine(demo_db_url)
    lead = M.weekly_page(eng, scope_for_username(eng, "demo_lead"), WEEK, today=dt.date(2026, 11, 22))
    boss = M.weekly_page(eng, Scope("director"), WEEK, today=dt.date(2026, 11, 22))
    cols = ["metric", "this_week", "prev_week", "change", "week_target", "week_attainment", "status"]
    mine = lead.summary[lead.summary["level"] == "branch"][cols].reset_index(drop=True)
    theirs = boss.summary[boss.summary["level"] == "branch"][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs, check_exact=False, rtol=1e-9)
    team = lead.summary[lead.summary["level"] == "team"]
    assert list(team["entity"].unique()) == ["对公一队"]
    assert (mine["this_week"] > team["this_week"].to_numpy()).all()      # the branch is more than one team


def test_lead_gets_the_prefilled_template_and_the_reminder(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", query={"week": "2026-W48"})
    assert not at.exception
    assert t("weekly.template_download", "zh") in [b.label for b in at.get("download_button")]
    body = texts(at)
    assert t("weekly.missing", "zh") in body
    boss = run_page(PAGE, demo_db_url, "demo_director", query={"week": WEEK})
    assert t("weekly.template_download", "zh") not in [b.label for b in boss.get("download_button")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_funnel_vs_team_is_in_percentage_points(demo_db_url, lang):
    """50% against the team's 40% is "+10.0" under a header that says points — "+10.0%" would read as a relative
    change."""
    import re
    at = run_page(PAGE, demo_db_url, "demo_lead", lang=lang, query={"week": WEEK})
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe if "visit_to_new_vs_peer" in d.value.columns]
    assert frames, "the funnel table is on the page"
    df = frames[0]
    shown = [v for v in df["visit_to_new_vs_peer"] if v != fmt.BLANK]
    assert shown and all(re.fullmatch(r"[+-]?\d+\.\d", v) for v in shown), shown
    for own, peer, diff in zip(df["visit_to_new"], df["peer_visit_to_new"], df["visit_to_new_vs_peer"]):
        if fmt.BLANK in (own, peer, diff):
            continue
        assert abs(float(own.rstrip("%")) - float(peer.rstrip("%")) - float(diff)) <= 0.11, (own, peer, diff)
    config = [d.proto.columns for d in at.dataframe if "visit_to_new_vs_peer" in d.value.columns][0]
    assert t("report.col.vs_peer_points", lang) in json.loads(config)["visit_to_new_vs_peer"]["label"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flags_table_names_each_flag_before_its_long_reason(demo_db_url, lang):
    """A reason is a sentence that a table cell cuts off; the flag's short name beside it is always whole."""
    from core.coaching import RULE_IDS
    at = run_page(PAGE, demo_db_url, "demo_director", lang=lang, query={"week": WEEK})
    assert not at.exception, at.exception
    frames = [d for d in at.dataframe if "reason" in d.value.columns]
    assert frames, "the week's flags table is on the page"
    df = frames[0].value
    names = {t(f"coaching.rule.{r}", lang) for r in RULE_IDS}
    assert len(df) and set(df["rule"]) <= names and list(df.columns[:3]) == ["name", "team", "rule"]
    assert json.loads(frames[0].proto.columns)["rule"]["label"] == t("report.col.rule", lang)
