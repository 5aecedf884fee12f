"""Questions on a statement: raise, answer, resolve explained / corrected (a manual adjustment), scope, acks.

Under the test plan: A01's October is 10502.28; a correction of +150.00 on his closed September is paid in
October (the first open period): 10502.28 + 150.00 = 10652.28.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from core import commission as cm
from core.commission import inquiries as inq
from core.commission import lifecycle
from core.commission.book import plan_in_force
from core.errors import AppError, ScopeError
from core.store import audit
from tests.core.commission.data import DIRECTOR, LEAD, LEAD_B, MANAGER, PLAN_YAML


@pytest.fixture
def sept(bank):
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    lifecycle.close(bank, DIRECTOR, "2026-09")
    return bank


def test_question_corrected_becomes_an_adjustment(sept):
    iid = inq.raise_question(sept, MANAGER, "A01", "2026-09", "九月贷款少算了一笔", line="loans_new")
    q = inq.questions(sept, LEAD, open_only=True)
    assert list(q["id"]) == [iid] and q["line"].iat[0] == "loans_new" and q["status"].iat[0] == "open"
    adj_id = inq.answer(sept, LEAD, iid, "corrected", "补发 9 月 25 日漏记贷款", amount="150")
    assert adj_id is not None
    mine = inq.questions(sept, MANAGER)
    assert (mine["status"].iat[0], mine["answer"].iat[0], mine["answered_by"].iat[0]) == \
        ("corrected", "补发 9 月 25 日漏记贷款", "lead1")
    s = lifecycle.settled_statement(sept, MANAGER, "A01", "2026-10")
    d = s.to_dict()
    assert [(a["period"], a["amount"], a["kind"]) for a in d["adjustments"]] == [("2026-09", "150.00", "manual")]
    assert d["payable"] == "10652.28"
    assert d["adjustments"][0]["reasons"] == [{"kind": "inquiry", "inquiry_id": iid, "line": "loans_new",
                                               "text": "补发 9 月 25 日漏记贷款"}]
    assert inq.questions(sept, LEAD, open_only=True).empty
    # closing October pays it; a reopen makes it pending again (a manual adjustment is never discarded)
    lifecycle.close(sept, DIRECTOR, "2026-10")
    assert lifecycle.settled_statement(sept, MANAGER, "A01", "2026-10").to_dict()["payable"] == "10652.28"
    assert lifecycle.settled_statement(sept, MANAGER, "A01", "2026-11").to_dict()["adjustments"] == []
    lifecycle.reopen(sept, DIRECTOR, "2026-10", "重算")
    assert lifecycle.settled_statement(sept, MANAGER, "A01", "2026-10").to_dict()["payable"] == "10652.28"
    actions = set(audit.read_audit(sept, DIRECTOR)["action"])
    assert {"inquiry_raise", "inquiry_resolve", "adjustment_manual"} <= actions


@pytest.mark.parametrize("resolution, text, amount, key", [
    ("explained", "", None, "commission.pay.answer_empty"),
    ("corrected", "补发", None, "commission.pay.bad_amount"),
    ("corrected", "补发", "abc", "commission.pay.bad_amount"),
    ("corrected", "补发", "0", "commission.pay.bad_amount"),
    ("rejected", "不行", None, "commission.pay.bad_resolution"),
])
def test_bad_answers_are_refused_and_nothing_changes(sept, resolution, text, amount, key):
    iid = inq.raise_question(sept, MANAGER, "A01", "2026-09", "?")
    with pytest.raises(AppError) as e:
        inq.answer(sept, LEAD, iid, resolution, text, amount=amount)
    assert e.value.key == key and e.value.message("en") and e.value.message("zh")
    assert inq.questions(sept, LEAD, open_only=True)["status"].tolist() == ["open"]


@pytest.mark.parametrize("text, key", [("  ", "commission.pay.question_empty"),
                                       ("长" * 2001, "commission.pay.text_too_long")])
def test_bad_questions(sept, text, key):
    with pytest.raises(AppError) as e:
        inq.raise_question(sept, MANAGER, "A01", "2026-09", text)
    assert e.value.key == key


@pytest.mark.parametrize("raiser, employee_id, answerer, ok", [
    (MANAGER, "A02", None, False),          # a teammate's statement
    (LEAD_B, "A01", None, False),           # another team
    (MANAGER, "A01", MANAGER, False),       # a manager cannot answer his own question
    (MANAGER, "A01", LEAD_B, False),        # another team's lead
    (MANAGER, "A01", LEAD, True),
    (MANAGER, "A01", DIRECTOR, True),
])
def test_scope(sept, raiser, employee_id, answerer, ok):
    if answerer is None:
        with pytest.raises(ScopeError):
            inq.raise_question(sept, raiser, employee_id, "2026-09", "?")
        return
    iid = inq.raise_question(sept, raiser, employee_id, "2026-09", "?")
    if ok:
        inq.answer(sept, answerer, iid, "explained", "按方案计算无误")
        assert inq.questions(sept, answerer)["status"].iat[0] == "explained"
    else:
        with pytest.raises(ScopeError):
            inq.answer(sept, answerer, iid, "explained", "按方案计算无误")
    assert inq.questions(sept, LEAD_B).empty                # the other team sees none of it


def test_resolved_question_cannot_be_answered_twice(sept):
    iid = inq.raise_question(sept, MANAGER, "A01", "2026-09", "?")
    inq.answer(sept, LEAD, iid, "explained", "无误")
    with pytest.raises(AppError) as e:
        inq.answer(sept, DIRECTOR, iid, "corrected", "补", amount="1")
    assert e.value.key == "commission.pay.inquiry_closed"


def test_acknowledgements(sept):
    with pytest.raises(AppError) as e:
        inq.acknowledge_statement(sept, MANAGER, "A01", "2026-10")          # not closed
    assert e.value.key == "commission.pay.ack_not_closed"
    with pytest.raises(ScopeError):
        inq.acknowledge_statement(sept, LEAD, "A01", "2026-09")             # only the manager himself
    assert list(inq.unacknowledged(sept, DIRECTOR, "2026-09")["employee_id"]) == ["A01", "A02", "B01"]
    inq.acknowledge_statement(sept, MANAGER, "A01", "2026-09")
    inq.acknowledge_statement(sept, MANAGER, "A01", "2026-09")              # once
    assert inq.statement_acknowledged(sept, "A01", "2026-09")
    assert list(inq.unacknowledged(sept, DIRECTOR, "2026-09")["employee_id"]) == ["A02", "B01"]
    assert list(inq.unacknowledged(sept, LEAD, "2026-09")["employee_id"]) == ["A02"]
    pif = plan_in_force(sept, dt.date(2026, 10, 1))
    assert not inq.plan_acknowledged(sept, "A01", pif)
    inq.acknowledge_plan(sept, MANAGER, "A01", pif)
    assert inq.plan_acknowledged(sept, "A01", pif)
    new = cm.upload_plan(sept, DIRECTOR, PLAN_YAML.replace("2026-01-01", "2026-10-01"), activate=True)
    pif2 = plan_in_force(sept, dt.date(2026, 10, 1))
    assert pif2.plan_id == new and not inq.plan_acknowledged(sept, "A01", pif2)   # once per version
    a = audit.read_audit(sept, DIRECTOR)
    assert json.loads(a[a["action"] == "ack_statement"]["detail"].iat[0]) == {"subject": "2026-09"}


def test_correction_before_any_close_is_paid_in_the_first_period(bank):
    """Nothing closed: the first period with statements (2026-09) pays a correction: A01 4420.00 + 100.00;
    closing September freezes it with the adjustment, and October does not pay it again."""
    cm.upload_plan(bank, DIRECTOR, PLAN_YAML, activate=True)
    iid = inq.raise_question(bank, MANAGER, "A01", "2026-10", "十月少算")
    inq.answer(bank, DIRECTOR, iid, "corrected", "补发", amount="100")
    sep = lifecycle.settled_statement(bank, MANAGER, "A01", "2026-09").to_dict()
    assert (sep["payable"], [a["amount"] for a in sep["adjustments"]]) == ("4520.00", ["100.00"])
    assert lifecycle.settled_statement(bank, MANAGER, "A01", "2026-10").to_dict()["adjustments"] == []
    lifecycle.close(bank, DIRECTOR, "2026-09")
    sep = lifecycle.settled_statement(bank, MANAGER, "A01", "2026-09").to_dict()
    assert (sep["status"], sep["payable"], [a["amount"] for a in sep["adjustments"]]) == ("closed", "4520.00", ["100.00"])
    assert lifecycle.settled_statement(bank, MANAGER, "A01", "2026-10").to_dict()["payable"] == "10502.28"
