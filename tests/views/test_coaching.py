"""辅导 page on the demo bank (end 2026-11-20, review week 2026-W47): praise, flags grouped by manager (a
flag's evidence chart when it is opened), scope (a team lead sees his team, a manager himself, read-only),
acknowledging a flag and recording a coaching session through the page."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from core import auth, store
from core.i18n import t
from core.scope import SYSTEM
from core.store import coaching as sc
from tests.views.helpers import rerun, run_page, texts

PAGE = "views/coaching.py"
WEEK = "2026-W47"


def _headers(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


@pytest.mark.parametrize("user,lang,present,absent", [
    # demo_lead: team lead of 对公一队 (CM001–CM008): CM002 declining, CM005 month-end spike, CM008 no mentor.
    ("demo_director", "zh", ["CM019", "CM005"], []),
    ("demo_director", "en", ["CM026", "CM002"], []),
    ("demo_lead", "zh", ["CM002", "CM005", "CM008"], ["CM019", "CM026"]),
    ("demo_manager", "en", ["CM002"], ["CM005", "CM019"]),
])
def test_renders_flags_in_scope(demo_db_url, user, lang, present, absent):
    at = run_page(PAGE, demo_db_url, user, lang=lang, query={"week": WEEK})
    assert not at.exception, at.exception
    assert not at.error
    body = texts(at)
    assert t("coaching.title", lang) in body and t("coaching.flags.header", lang) in body
    assert t("coaching.praise.header", lang) in body
    eng = store.get_engine(demo_db_url)
    names = dict(store.logs.read_roster(eng, SYSTEM)[["employee_id", "name"]].values)
    heads = _headers(at)
    for eid in present:
        assert f"#### {names[eid]}" in heads, eid
    for eid in absent:
        assert f"#### {names[eid]}" not in heads, eid
    assert len(at.get("vega_lite_chart")) == 0          # no evidence chart until a flag is opened


@pytest.mark.parametrize("user,flag,series", [
    ("demo_lead", "CM002_declining", 8),            # 8 weeks of the manager against the peer median
    ("demo_director", "CM005_month_end_spike", 1),  # the daily balance against the month's 日均
])
def test_evidence_chart_when_a_flag_is_opened(demo_db_url, user, flag, series):
    at = run_page(PAGE, demo_db_url, user, lang="zh", query={"week": WEEK})
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 0
    at.toggle(key=f"evidence_{flag}").set_value(True)
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    [chart] = at.get("vega_lite_chart")
    spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
    assert t(f"coaching.rule.{flag.split('_', 1)[1]}", "zh") in spec
    if series == 8:
        assert all(f"2026-W{w}" in spec for w in range(40, 48))


def test_manager_is_read_only(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_manager", lang="en", query={"week": WEEK})
    assert not at.exception
    assert t("coaching.read_only", "en") in [i.value for i in at.info]
    labels = [b.label for b in at.button]
    assert t("coaching.ack.button", "en") not in labels and t("coaching.session.save", "en") not in labels


def test_acknowledge_a_flag(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en", query={"week": WEEK})
    assert not at.exception
    at.text_area(key="ack_CM002_declining_note").input("Talked on Monday; client moved to head office")
    submit = [b for b in at.button if b.label == t("coaching.ack.button", "en")
              and "ack_CM002_declining" in (b.form_id or "")]
    submit[0].click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    eng = store.get_engine(demo_db_url)
    acks = sc.read_acks(eng, SYSTEM, week=WEEK)
    assert acks[["employee_id", "rule_id", "until_week"]].values.tolist() == [["CM002", "declining", "2026-W51"]]
    assert t("coaching.ack.saved", "en") in texts(at)
    # Next visit: the acknowledged flag no longer shouts; it is hidden behind a toggle (muted when shown).
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en", query={"week": WEEK})
    assert not at.exception
    assert t("coaching.flags.hidden_acknowledged", "en", n=1) in texts(at)
    at.toggle(key="coaching_show_acked").set_value(True)
    rerun(at, demo_db_url)
    assert any("Acknowledged (until 2026-W51)" in str(c.value) for c in at.caption)


def test_record_a_session_from_a_flag(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="zh", query={"week": WEEK})
    assert not at.exception
    at.selectbox(key="coaching_session_flag").set_value(("CM002", "declining"))
    rerun(at, demo_db_url)
    assert at.text_input(key="cs_topic_CM002_declining").value == t("coaching.focus.declining", "zh")
    at.text_area(key="cs_actions_CM002_declining").input("每周两次重点客户回访")
    [submit] = [b for b in at.button if b.label == t("coaching.session.save", "zh")]
    submit.click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    eng = store.get_engine(demo_db_url)
    df = sc.read_sessions(eng, SYSTEM)
    row = df.iloc[0]
    assert (row["employee_id"], row["rule_id"], row["topic"], row["actions"]) == (
        "CM002", "declining", t("coaching.focus.declining", "zh"), "每周两次重点客户回访")
    assert row["created_by"] == "demo_lead" and row["coach"]
    assert row["follow_up"] - row["date"] == dt.timedelta(days=14)
    assert t("coaching.log.header", "zh") in texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_database_says_upload(empty_db_url, lang):
    auth.create_user(store.get_engine(empty_db_url), SYSTEM, "boss", "行长", "director", password="Str0ng-enough-pw!")
    at = run_page(PAGE, empty_db_url, "boss", lang=lang)
    assert not at.exception
    assert t("app.no_data", lang) in [i.value for i in at.info]


# ------------------------------------------------------------------------------------------ settings → rules

@pytest.mark.parametrize("text,saved,message", [
    ("rules:\n  complaints:\n    min_count: 0\n", False,
     "line 3: rules.complaints.min_count: 0 is outside the allowed range [1, 100]"),
    ("rules:\n  lazy: {}\n", False, "line 2: rules.lazy: unknown rule id lazy"),
    ("rules:\n  complaints:\n    enabled: false\n", True, None),
])
def test_settings_rules_editor(demo_db_url, text, saved, message):
    at = run_page("views/settings.py", demo_db_url, "demo_director", lang="en")
    assert not at.exception, at.exception
    at.text_area(key="set_rules_text").input(text)
    at.button(key="set_rules_save").click()
    rerun(at, demo_db_url)
    assert not at.exception, at.exception
    stored = store.config.get_setting(store.get_engine(demo_db_url), "coaching_rules")
    if saved:
        assert stored == text
        assert t("coaching.settings.saved", "en") in texts(at)
    else:
        assert stored is None
        assert any(message in str(e.value) for e in at.error)


def test_settings_rules_render_refuses_non_directors():
    # The settings page is for directors only; the rules section's own guard also refuses other roles.
    from streamlit.testing.v1 import AppTest

    def script():  # AppTest runs this function's source alone: its imports must be inside it
        import datetime as dt

        from core.scope import Scope
        from ui.context import PageContext
        from views import settings_rules
        ctx = PageContext(engine=None, scope=Scope("team_lead", username="x", team="A"), lang="en",
                          today=dt.date(2026, 11, 23), day=dt.date(2026, 11, 20), week="2026-W47", month="2026-11")
        settings_rules.render(ctx)

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert [i.value for i in at.info] == [t("coaching.settings.director_only", "en")]
    assert not at.text_area
