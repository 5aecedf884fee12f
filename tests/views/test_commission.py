"""绩效测算 page through the real app: a manager sees only his own statement (numbers equal to core's), what-if,
history; team leads and directors pick anyone they supervise and see the payout summary; the sample-plan notice."""
from __future__ import annotations

import pytest

from core import auth, store
from core import commission as cm
from core.i18n import t as tr
from tests.views.helpers import DEMO_END, card_list, card_lists, rerun, run_page, texts

PAGE = "views/commission.py"
MONTH = DEMO_END[:7]   # the month filter defaults to the latest logged month


def _scope(url: str, username: str):
    return auth.scope_for_username(store.get_engine(url), username)


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_sees_his_own_statement_equal_to_core(demo_db_url, lang):
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang)
    assert not at.exception
    scope = _scope(demo_db_url, "demo_manager")
    month = MONTH
    stmt = cm.statement(store.get_engine(demo_db_url), scope, scope.employee_id, month)
    tiles = _metrics(at)
    yuan = (lambda d: f"{cm.money(d):,.2f} 元") if lang == "zh" else (lambda d: f"CNY {cm.money(d):,.2f}")
    t = (lambda k: tr(k, lang))
    assert tiles[t("commission.step.payable")] == yuan(stmt.payable)
    assert tiles[t("commission.step.gross")] == yuan(stmt.gross)
    assert tiles[t("commission.step.deferred")] == yuan(stmt.deferred)
    # no manager picker and no payout summary for a manager
    assert not [s for s in at.selectbox if s.key == "cm_manager"]
    assert not at.tabs
    # the statement table shows every line's amount as core computed it
    # the statement's lines (cards on a phone) show every line's how-text and amount as core computed them
    lines = card_list(at, t("commission.col.item"))
    assert lines == [(cm.metric_name(ln.metric, lang), ln.how(lang), f"{ln.amount:,.2f}") for ln in stmt.lines]
    assert stmt.name in texts(at)
    assert at.get("download_button")


def test_what_if_updates_the_estimate(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_manager", lang="en")
    scope = _scope(demo_db_url, "demo_manager")
    month = MONTH
    stmt = cm.statement(store.get_engine(demo_db_url), scope, scope.employee_id, month)
    key = f"cm_wi_{stmt.employee_id}_{stmt.period}_credit_cards"
    box = next(n for n in at.number_input if n.key == key)
    box.set_value(5)
    rerun(at, demo_db_url)
    assert not at.exception
    w = cm.what_if(cm.parse_plan(cm.SAMPLE_PLAN.read_text(encoding="utf-8")), stmt, {"credit_cards": 5})
    assert _metrics(at)["Estimated payable"] == f"CNY {w.payable:,.2f}"


def test_team_lead_picks_a_team_member_and_sees_the_summary(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    assert not at.exception
    picker = next(s for s in at.selectbox if s.key == "cm_manager")
    scope = _scope(demo_db_url, "demo_lead")
    roster = store.logs.read_roster(store.get_engine(demo_db_url), scope)
    assert set(picker.options) == {f"{r.employee_id} {r.name} · {r.team}" for r in roster.itertuples()}
    assert len(at.tabs) == 3
    assert "Payout summary" in [tab.label for tab in at.tabs]
    assert "Total payable" in _metrics(at)


def test_director_sees_summary_with_pay_bands(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_director", lang="zh")
    assert not at.exception
    scope = _scope(demo_db_url, "demo_director")
    month = MONTH
    run = cm.run_period(store.get_engine(demo_db_url), scope, month)
    total = sum((s.payable for s in run.statements), cm.ZERO)
    assert _metrics(at)["应发合计"] == f"{cm.money(total):,.2f} 元"
    assert "考核档次(按绩效工资)" in texts(at)
    assert "示例方案" in texts(at)        # no plan activated in the demo: the page says so


def test_manager_without_roster_entry_gets_a_clear_message(demo_db_url):
    from core.scope import SYSTEM
    eng = store.get_engine(demo_db_url)
    auth.create_user(eng, SYSTEM, "ghost", "Ghost", role="manager", employee_id="CM001",
                     password="Ghost-pass-12345")
    with eng.begin() as conn:   # the roster entry disappears after the account was made
        from sqlalchemy import update
        from core.store import tables as tb
        conn.execute(update(tb.users).where(tb.users.c.username == "ghost").values(employee_id="GONE"))
    at = run_page(PAGE, demo_db_url, "ghost", lang="en")
    assert not at.exception
    assert "not on the roster" in texts(at)


# ---------------------------------------------------------------- settings → plans (views/settings_plans.py)

def _settings_script(db_url: str, role: str, month: str) -> None:
    import datetime as dt

    from core import store as _store
    from core.scope import Scope
    from ui.context import PageContext, set_context
    from views import settings_plans
    eng = _store.get_engine(db_url)
    scope = Scope("director", username="boss") if role == "director" else Scope("team_lead", username="l", team="x")
    set_context(PageContext(engine=eng, scope=scope, lang="en", today=dt.date(2026, 11, 20), day=dt.date(2026, 11, 20),
                            week="2026-W47", month=month, db_url=db_url))
    from ui.context import get_context
    settings_plans.render(get_context())


def _settings(db_url: str, role: str = "director"):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_settings_script, args=(db_url, role, MONTH), default_timeout=120)
    at.run()
    return at


def test_settings_upload_dry_run_and_activate(demo_db_url):
    at = _settings(demo_db_url)
    assert not at.exception
    assert "example plan" in texts(at)
    # a plan paying 2× the sample's deposit rate: upload → valid → dry run shows everyone's old and new pay
    text = cm.SAMPLE_PLAN.read_text(encoding="utf-8").replace("name: 2026年客户经理绩效计价办法", "name: 新方案") \
        .replace("    rate: 2\n", "    rate: 4\n")
    at.file_uploader[0].set_value(("new.yaml", text.encode("utf-8"), "text/yaml"))
    at.run()
    assert not at.exception
    assert "Valid: 新方案" in texts(at)
    eng = store.get_engine(demo_db_url)
    frame, _errors, _span = cm.compare_plans(eng, auth.scope_for_username(eng, "demo_director"),
                                             cm.parse_plan(text), MONTH)
    table = at.dataframe[-1].value
    assert list(table["new"]) == [f"{cm.money(v):,.2f}" for v in frame["new_payable"]]
    assert all(d > 0 for d in frame["delta"] if d is not None) and len(frame) == 32
    next(b for b in at.button if b.key == "sp_save_activate").click()
    at.run()
    assert not at.exception
    listed = cm.list_plans(eng, auth.scope_for_username(eng, "demo_director"))
    assert list(listed["name"]) == ["新方案"] and bool(listed["active"].iat[0])
    assert "Stored and activated plan version" in texts(at)


def test_settings_rejects_an_invalid_plan_with_its_line(demo_db_url):
    at = _settings(demo_db_url)
    bad = cm.SAMPLE_PLAN.read_text(encoding="utf-8").replace("deferred_share: 0.3", "deferred_share: 1.3")
    at.file_uploader[0].set_value(("bad.yaml", bad.encode("utf-8"), "text/yaml"))
    at.run()
    assert not at.exception
    shown = "\n".join(str(c.value) for c in at.code)
    line = 1 + bad.splitlines().index(next(ln for ln in bad.splitlines() if "deferred_share: 1.3" in ln))
    assert f"line {line}: items[1].deferred_share: must be between 0 and 1 (got 1.3)" in shown


def test_settings_section_is_for_directors_only(demo_db_url):
    at = _settings(demo_db_url, role="team_lead")
    assert not at.exception
    assert not at.file_uploader and at.error


# ================================================================ pay lifecycle (issue 11): closed statements, questions

def _close_through(url: str, last: str) -> None:
    """Close every period with statements up to `last` (as the demo director)."""
    from core.commission import lifecycle, periods_state
    eng = store.get_engine(url)
    director = _scope(url, "demo_director")
    for p in periods_state.periods_with_statements(eng, upto=last):
        lifecycle.close(eng, director, p.key)


def _questions(at):
    return next(d.value for d in at.dataframe if "question" in d.value.columns)


def _button(at, key):
    return next(b for b in at.button if b.key == key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_closed_statement_badge_and_acknowledgement(demo_db_url, lang):
    _close_through(demo_db_url, "2026-10")
    eng = store.get_engine(demo_db_url)
    scope = _scope(demo_db_url, "demo_manager")
    frozen = cm.statement(eng, scope, scope.employee_id, "2026-10")
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang, session={"f_month": "2026-10"})
    assert not at.exception
    shown = texts(at)
    assert tr("commission.pay.badge.closed", lang, date="", by="").split(" ")[0][:3] in shown
    assert _metrics(at)[tr("commission.step.payable", lang)].endswith(f"{frozen.payable:,.2f}" + (" 元" if lang == "zh" else ""))
    key = f"cmp_ack_{scope.employee_id}_2026-10"
    _button(at, key).click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert tr("commission.pay.ack.done", lang) in texts(at)
    assert not [b for b in at.button if b.key == key]


def test_question_answered_and_corrected_becomes_an_adjustment(demo_db_url):
    """Manager raises a question on October's loans line; the lead corrects it with +150.00; November's
    statement shows the adjustment and its payable rises by exactly 150.00."""
    _close_through(demo_db_url, "2026-10")
    eng = store.get_engine(demo_db_url)
    manager = _scope(demo_db_url, "demo_manager")
    november = cm.statement(eng, manager, manager.employee_id, "2026-11")
    # the manager raises it on the closed October statement
    at = run_page(PAGE, demo_db_url, "demo_manager", lang="en", session={"f_month": "2026-10"})
    at.selectbox(key="cmp_q_line").set_value("loans_new")
    at.text_area(key="cmp_q_text").input("My October loans look short by one contract")
    next(b for b in at.button if "Send the question" in b.label).click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert "Question #1 sent" in texts(at)
    mine = _questions(at)
    assert list(mine["status"]) == ["Open"] and list(mine["line"]) == ["New loans"]
    # the lead sees it in his open questions and corrects it
    lead = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    assert not lead.exception
    assert lead.selectbox(key="cmp_inbox_pick").value == 1
    lead.radio(key="cmp_res_1").set_value("corrected")
    lead.text_area(key="cmp_ans_1").input("One loan of 25 万元 was logged late")
    lead.text_input(key="cmp_amt_1").input("150")
    next(b for b in lead.button if "Save the answer" in b.label).click()
    rerun(lead, demo_db_url)
    assert not lead.exception
    assert "an adjustment of CNY 150.00" in texts(lead)
    # the manager sees the answer on October and the adjustment in November
    at = run_page(PAGE, demo_db_url, "demo_manager", lang="en", session={"f_month": "2026-10"})
    mine = _questions(at)
    assert list(mine["status"]) == ["Corrected"] and list(mine["answer"]) == ["One loan of 25 万元 was logged late"]
    at = run_page(PAGE, demo_db_url, "demo_manager", lang="en", session={"f_month": "2026-11"})
    assert not at.exception
    adj = next(c["rows"] for c in card_lists(at) if c["head"] and c["head"][1] == tr("commission.pay.col.reason", "en"))
    assert [(item, amount) for item, _how, amount in adj] == [("Adjustment for 2026-10", "150.00")]
    assert _metrics(at)["Payable"] == f"CNY {november.payable + 150:,.2f}"


@pytest.mark.parametrize("amount, message", [("abc", "Not a valid adjustment amount: abc"),
                                             ("", "Not a valid adjustment amount")])
def test_a_bad_correction_is_refused_in_words(demo_db_url, amount, message):
    from core.commission import inquiries as inq
    eng = store.get_engine(demo_db_url)
    manager = _scope(demo_db_url, "demo_manager")
    inq.raise_question(eng, manager, manager.employee_id, "2026-11", "?")
    lead = run_page(PAGE, demo_db_url, "demo_lead", lang="en")
    lead.radio(key="cmp_res_1").set_value("corrected")
    lead.text_area(key="cmp_ans_1").input("fix")
    lead.text_input(key="cmp_amt_1").input(amount)
    next(b for b in lead.button if "Save the answer" in b.label).click()
    rerun(lead, demo_db_url)
    assert not lead.exception
    assert any(message in e.value for e in lead.error)
    assert inq.questions(eng, manager)["status"].tolist() == ["open"]


def test_plan_document_acknowledged_once_per_version(demo_db_url):
    at = run_page(PAGE, demo_db_url, "demo_manager", lang="zh")
    assert not at.exception
    assert "应发 = 基本工资 + 绩效工资 − 计提风险补偿金 + 释放风险补偿金 + 往期调整。" in texts(at)
    assert "延期支付" not in texts(at)    # the statement calls it 风险补偿金: one word for one thing
    next(b for b in at.button if b.key.startswith("cmp_plan_ack_")).click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert tr("commission.pay.plan.acked", "zh") in texts(at)
    assert not [b for b in at.button if b.key.startswith("cmp_plan_ack_")]


def test_settings_periods_tab_close_review_reopen(demo_db_url):
    from core.commission import periods_state
    eng = store.get_engine(demo_db_url)
    first = periods_state.periods_with_statements(eng)[0].key
    at = run_page("views/settings.py", demo_db_url, "demo_director", lang="en")
    assert not at.exception
    assert at.selectbox(key="spp_period").value == first
    _button(at, "spp_close").click()
    rerun(at, demo_db_url)
    assert not at.exception
    assert f"{first} is closed." in texts(at)
    assert periods_state.state_of(eng, first).status == "closed"
    at.selectbox(key="spp_period").set_value(first)
    rerun(at, demo_db_url)
    _button(at, "spp_reopen").click()                       # no reason: refused in words
    rerun(at, demo_db_url)
    assert any("needs a reason" in e.value for e in at.error)
    at.text_input(key="spp_reason").input("late corrections")
    _button(at, "spp_reopen").click()
    rerun(at, demo_db_url)
    assert f"{first} is open again." in texts(at)
    assert periods_state.state_of(eng, first).note == "late corrections"


# ================================================================ attainment factor, reserve releases, forfeits (issue 11 §4)

MULTIPLIER = ("attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, "
              "{factor: 1.1}]}\n")
INSTALMENTS = "reserve_release: {first_after_months: 1, every_months: 2, instalments: 3}\n"


@pytest.fixture
def bank_url(engine):
    """The core tests' small bank (tests/core/commission/data.py) on SQLite and PostgreSQL, with a plan paying an
    attainment factor and releasing the reserve in 3 instalments (1 month after, then every 2), and accounts:
    zhangwei (manager A01) and boss (director)."""
    from core.scope import SYSTEM
    from core.store import logs as store_logs
    from tests.core.commission.data import DAILY, PLAN_YAML, ROSTER, TARGETS
    store_logs.apply_roster(engine, SYSTEM, ROSTER, "roster.xlsx", "r" * 64)
    store_logs.apply_daily(engine, SYSTEM, DAILY, "daily.xlsx", "d" * 64)
    store_logs.apply_targets(engine, SYSTEM, TARGETS, "targets.xlsx", "t" * 64)
    auth.create_user(engine, SYSTEM, "zhangwei", "张伟", role="manager", employee_id="A01", password="Zhang-pass-12345")
    auth.create_user(engine, SYSTEM, "boss", "Boss", role="director", password="Boss-pass-123456")
    cm.upload_plan(engine, SYSTEM, PLAN_YAML + MULTIPLIER + INSTALMENTS, activate=True)
    return engine.test_url


def _lang(at) -> str:
    return "en" if at.query_params.get("lang") in ("en", ["en"]) else "zh"


def _steps(at) -> dict:
    """The steps table (step → (how, amount)), in the order shown."""
    return {step: (how, amount) for step, how, amount in card_list(at, tr("commission.col.step", _lang(at)))}


@pytest.mark.parametrize("lang, factor_how, release_how, formula", [
    ("zh", "1 项指标完成率 信用卡 120.0%,平均 120.0% → 完成率系数 1.1", "2026-09 计提的风险补偿金第 1/3 期",
     "底薪 + 绩效工资 − 风险补偿金 + 释放风险补偿金"),
    ("en", "attainment of 1 targeted metric Credit cards 120.0%, mean 120.0% → factor 1.1",
     "reserve held in 2026-09, instalment 1 of 3", "base pay + performance pay − risk reserve + reserve released"),
])
def test_statement_shows_the_factor_and_the_release_like_the_cli(bank_url, lang, factor_how, release_how, formula):
    # A01, October: cards 15 / target 12 = 1.25 → capped 1.2 → factor 1.1; gross 7422.28 × 1 × 1.1 = 8164.508
    # → 8164.51; − complaint 200 = 7964.51; reserve 2400 × 1.1 × 0.3 = 792.00. September (no target: factor 1)
    # deferred 50 × 12 × 0.3 = 180.00 → 60.00 released in October (then December, February).
    # payable = 4000 + 7964.51 − 792.00 + 60.00 = 11232.51
    at = run_page(PAGE, bank_url, "zhangwei", lang=lang, session={"f_month": "2026-10"})
    assert not at.exception
    t = (lambda k: tr(k, lang))
    steps = _steps(at)
    assert steps[t("commission.step.attainment")] == (factor_how, "1.1")
    assert steps[t("commission.step.before_deductions")] == ("7,422.28 × 1 × 1.1", "8,164.51")
    assert steps[t("commission.step.deferred")][1] == "-792.00"
    assert steps[t("commission.step.reserve_released")] == (release_how, "60.00")
    assert steps[t("commission.step.payable")] == (formula, "11,232.51")
    order = list(steps)
    assert order.index(t("commission.step.deferred")) + 1 == order.index(t("commission.step.reserve_released"))
    # the same numbers as the statement object and the CLI JSON
    eng = store.get_engine(bank_url)
    d = cm.statement(eng, _scope(bank_url, "zhangwei"), "A01", "2026-10").to_dict(lang)
    assert (d["factor"], d["attainment"], d["payable"], d["reserve_released"]) == ("1.1", "1.2", "11232.51", "60.00")
    assert [(r["how"], r["amount"]) for r in d["reserve_released_lines"]] == [(release_how, "60.00")]
    # the reserve section: held 180 + 792 − 60 = 912.00; released 60.00; the 3-instalment rule in words
    m = _metrics(at)
    yuan = (lambda s: f"{s} 元") if lang == "zh" else (lambda s: f"CNY {s}")
    assert (m[t("commission.page.reserve_held")], m[t("commission.page.reserve_released")],
            m[t("commission.page.reserve_forfeited")]) == (yuan("912.00"), yuan("60.00"), yuan("0.00"))
    assert tr("commission.page.reserve_rule_instalments", lang, n=3, first=1, every=2) in texts(at)


def _settings_page(url: str):
    at = run_page("views/settings.py", url, "boss", lang="en")
    assert not at.exception
    return at


@pytest.mark.parametrize("amount, month, reason, error", [
    ("abc", "2026-10", "bad loan", "'abc' is not an amount to forfeit"),
    ("-5", "2026-10", "bad loan", "'-5' is not an amount to forfeit"),
    ("10", "2026-10", "", "a forfeit needs a reason"),
    ("10", "October", "bad loan", "'October' is not a month"),
    # unreleased from October: Sep 60 × 3 + Oct 264 × 3 = 972.00, not a cent more
    ("972.01", "2026-10", "bad loan", "has only 972.00 of unreleased risk reserve in 2026-10"),
])
def test_a_bad_forfeit_is_refused_in_words_and_nothing_stored(bank_url, amount, month, reason, error):
    from core.commission import forfeits
    at = _settings_page(bank_url)
    at.selectbox(key="spf_manager").set_value("A01")
    at.text_input(key="spf_amount").input(amount)
    at.text_input(key="spf_month").input(month)
    at.text_area(key="spf_reason").input(reason)
    next(b for b in at.button if b.label == "Record the forfeit").click()
    rerun(at, bank_url)
    assert not at.exception
    assert any(error in e.value for e in at.error)
    assert forfeits.list_forfeits(store.get_engine(bank_url), _scope(bank_url, "boss")).empty


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_director_forfeit_shows_in_the_list_and_the_managers_reserve(bank_url, lang):
    at = _settings_page(bank_url)
    at.selectbox(key="spf_manager").set_value("A01")
    at.text_input(key="spf_amount").input("25.50")
    at.text_input(key="spf_month").input("2026-10")
    at.text_area(key="spf_reason").input("贷款 XD-118 逾期转不良")
    next(b for b in at.button if b.label == "Record the forfeit").click()
    rerun(at, bank_url)
    assert not at.exception
    # a forfeit in October takes from Sep#1 (due October) first: 60 − 25.50 = 34.50 still paid; what a forfeit
    # in October could still take (everything due from October on): 972.00 − 25.50 = 946.50
    assert "Forfeit #1 recorded: employee A01, 2026-10, CNY 25.50 taken; CNY 946.50 remains unreleased." in texts(at)
    listed = next(d.value for d in at.dataframe if "reason" in d.value.columns and "manager" in d.value.columns)
    assert (list(listed["manager"]), list(listed["month"]), list(listed["amount"]), list(listed["reason"]),
            list(listed["by"])) == (["A01"], ["2026-10"], ["25.50"], ["贷款 XD-118 逾期转不良"], ["boss"])
    # the manager: October's release line shows what was taken, the payable 11172.51 + 34.50 = 11207.01;
    # the reserve: released 34.50, forfeited 25.50, held 972.00 − 34.50 − 25.50 = 912.00
    mgr = run_page(PAGE, bank_url, "zhangwei", lang=lang, session={"f_month": "2026-10"})
    assert not mgr.exception
    t = (lambda k: tr(k, lang))
    how, amount = _steps(mgr)[t("commission.step.reserve_released")]
    assert amount == "34.50" and how.endswith(tr("commission.how.release_forfeited", lang, amount="25.50"))
    assert _steps(mgr)[t("commission.step.payable")][1] == "11,207.01"
    m = _metrics(mgr)
    yuan = (lambda s: f"{s} 元") if lang == "zh" else (lambda s: f"CNY {s}")
    assert (m[t("commission.page.reserve_held")], m[t("commission.page.reserve_released")],
            m[t("commission.page.reserve_forfeited")]) == (yuan("912.00"), yuan("34.50"), yuan("25.50"))
    mine = next(d.value for d in mgr.dataframe if "reason" in d.value.columns)
    assert (list(mine["month"]), list(mine["amount"]), list(mine["reason"])) == \
        (["2026-10"], ["25.50"], ["贷款 XD-118 逾期转不良"])
    sched = next(d.value for d in mgr.dataframe if "paid" in d.value.columns)
    assert list(sched["paid"]) == ["34.50", "264.00", "60.00", "264.00", "60.00", "264.00"]


def _table_and_cards(at, columns: set, name: str):
    """The laptop table with `columns` and its phone twin, the card list mc-<name>: (table, [(title, card html)])."""
    import html
    import re
    [grid] = [df.value for df in at.dataframe if columns <= set(df.value.columns)]
    [body] = [str(m.value) for m in at.markdown if f'class="mc-list mc-{name}"' in str(m.value)]
    cards = body.split('<div class="mc-card">')[1:]
    return grid, [(html.unescape(re.search(r'mc-title">([^<]*)<', c).group(1)), c) for c in cards]


def _month_text(key: str, lang: str) -> str:
    y, m = key.split("-")                       # 2026-05 reads 2026年5月 on a Chinese card
    return f"{int(y)}年{int(m)}月" if lang == "zh" else key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pay_history_has_cards_for_a_phone(demo_db_url, lang):
    """The pay history's seven columns scrolled sideways on a phone: its card twin (shown under 640 px) has one
    card per period of the table, with that period's payable as the headline and its figures."""
    from html import escape
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang)
    assert not at.exception
    grid, cards = _table_and_cards(at, {"period", "payable", "plan"}, "history")
    assert len(cards) == len(grid) >= 2
    for (title, card), (_, r) in zip(cards, grid.iterrows()):
        assert title == f'{_month_text(r["period"], lang)} · {tr("commission.step.payable", lang)}'
        assert f'mc-big">{r["payable"]}<' in card
        assert f'>{escape(r["performance"])}</dd>' in card and f'>{escape(r["band"])}</dd>' in card


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reserve_instalments_have_cards_for_a_phone(demo_db_url, lang):
    """The release schedule's six columns scrolled sideways inside its expander on a phone: its card twin has one
    card per instalment, titled by the period it was held in and its number, the amount paid as the headline."""
    from html import escape
    at = run_page(PAGE, demo_db_url, "demo_manager", lang=lang)
    assert not at.exception
    grid, cards = _table_and_cards(at, {"held_in", "instalment", "paid"}, "instalments")
    assert len(cards) == len(grid) >= 1
    for (title, card), (_, r) in zip(cards, grid.iterrows()):
        assert title == (f'{_month_text(r["held_in"], lang)} · {tr("commission.page.col.instalment", lang)} '
                         f'{r["instalment"]}')
        assert f'mc-big">{r["paid"]}<' in card
        assert f'>{escape(r["scheduled"])}</dd>' in card and f'>{escape(r["forfeited"])}</dd>' in card
