"""Coaching (辅导), as the team lead of 对公一队 does it on Friday: the week's flags — who, why in numbers, what
to coach, the evidence chart of the flag he opens — then a coaching session recorded for a flagged manager, and
the session in the coaching log.

The flags expected are core.coaching's for the lead's own scope and the same week and as-of date as the page.
The session is written with a topic unique to the run, so the journey leaves nothing another journey counts on.
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from core import auth, coaching
from core import calendar as cal
from core.i18n import fmt_week, t
from core.store import coaching as store_coaching
from tests.e2e.conftest import DEMO_END, LEAD_TEAM
from tests.e2e.helpers import (assert_no_error, goto_page, grid_text_with, main_area, main_text, screenshot,
                               section_text, select_option, set_language, sign_in, wait_idle)

pytestmark = pytest.mark.e2e

JOURNEY = "coaching"
WEEK = cal.week_key(DEMO_END)


def test_flags_record_session_and_log(page, e2e):
    lead = e2e.lead
    scope = auth.scope_for_username(e2e.engine, lead.username)
    review = coaching.review_for_week(e2e.engine, scope, WEEK, as_of=coaching.default_as_of(WEEK, dt.date.today()))
    flags = [f for f in review.active if not f.acknowledged]
    assert flags, "the demo bank plants coaching patterns in 对公一队's review week"
    assert {f.team for f in flags} == {LEAD_TEAM}

    sign_in(page, e2e.server, lead.username, lead.password, lead.display_name, lead.role)
    goto_page(page, "page.coaching", "zh", t("coaching.title", "zh"), t("coaching.flags.header", "zh"))
    assert_no_error(page, "zh")
    assert t("coaching.as_of", "zh", week=fmt_week(WEEK, "zh"), date=_fmt_date(review.as_of)) in main_text(page)

    # the flag list: how many, for whom, and why (the numbers), each with what to coach
    n = {s: sum(1 for f in flags if f.severity == s) for s in coaching.SEVERITIES}
    listed = section_text(page, t("coaching.flags.header", "zh"))
    assert t("coaching.flags.count", "zh", managers=len({f.employee_id for f in flags}), flags=len(flags), **n) \
        in listed
    for eid, group in coaching.group_by_manager(flags):
        assert t("coaching.flags.manager_header", "zh", name=group[0].manager_name, team=group[0].team,
                 n=len(group)) in main_text(page)
        for f in group:
            page_text = main_text(page)
            assert f.reason("zh") in page_text, f.reason("zh")
            assert t("coaching.flags.focus", "zh", area=t(f"coaching.ksa.{f.focus}", "zh"),
                     topic=f.focus_topic("zh")) in page_text
    # no evidence chart until a flag is opened; opening the first one draws its chart
    charts = main_area(page).locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() == 0
    main_area(page).get_by_text(t("coaching.evidence.show", "zh"), exact=True).first.click()
    wait_idle(page, t("coaching.flags.header", "zh"))
    charts.first.wait_for(state="visible", timeout=30_000)
    assert charts.count() == 1
    screenshot(page, e2e.backend, JOURNEY, "coaching", "zh")

    # record a session for the first flagged manager, prompted by the flag
    flag = coaching.sort_flags(flags)[0]
    select_option(page, t("coaching.session.flag", "zh"), f"{flag.manager_name} · {t(f'coaching.rule.{flag.rule_id}', 'zh')}")
    form = main_area(page).locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=t("coaching.session.save", "zh"))).first
    # the form starts from the flag: the flagged manager and the flag's coaching topic
    assert form.get_by_role("combobox", name=t("coaching.session.manager", "zh")).input_value() == \
        f"{flag.manager_name} ({flag.employee_id})"
    topic_box = form.get_by_label(t("coaching.session.topic", "zh"), exact=True)
    assert topic_box.input_value() == flag.focus_topic("zh")
    topic = f"{flag.focus_topic('zh')} · e2e-{uuid.uuid4().hex[:6]}"
    topic_box.fill(topic)
    form.get_by_label(t("coaching.session.actions", "zh"), exact=True).fill("每天拜访 4 户,周五复盘转化率")
    n_before = len(store_coaching.read_sessions(e2e.engine, scope))
    form.get_by_role("button", name=t("coaching.session.save", "zh")).click()
    wait_idle(page, t("coaching.log.header", "zh"))

    sessions = store_coaching.read_sessions(e2e.engine, scope)
    assert len(sessions) == n_before + 1
    mine = sessions[sessions["topic"] == topic]
    assert len(mine) == 1
    row = mine.iloc[0]
    assert row["employee_id"] == flag.employee_id and row["rule_id"] == flag.rule_id
    assert row["coach"] == lead.display_name
    wait_idle(page, t("coaching.session.saved", "zh", id=int(row["id"])), rerun=False)

    # …and it is listed in the coaching log, with the manager and the topic
    log = grid_text_with(page, topic, within=main_area(page))
    assert topic in log and flag.manager_name in log, log[:2000]
    screenshot(page, e2e.backend, JOURNEY, "coaching-logged", "zh")
    set_language(page, "en")
    wait_idle(page, t("coaching.log.header", "en"), t("coaching.flags.header", "en"))
    assert flag.reason("en") in main_text(page)
    screenshot(page, e2e.backend, JOURNEY, "coaching", "en")


def _fmt_date(d) -> str:
    from core.i18n import fmt_date
    return fmt_date(d, "zh")
