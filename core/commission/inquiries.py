"""Questions on a statement (申诉 / 疑问) and acknowledgements (确认).

* A manager (or whoever may see him) raises a question on his statement as a whole or on one line.
* His team lead or a director answers it and resolves it as **explained** or **corrected**; a correction
  records a manual adjustment (amount, reason) paid in the first open period (:mod:`.adjustments`).
* A manager acknowledges a closed statement once, and the plan in force once per plan version
  (:func:`plan_key`); directors see who has not (:func:`unacknowledged`).
Scope is enforced here and in the store (:mod:`core.store.pay`); every step is audited there.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd
from sqlalchemy import Engine

from core.commission.book import PlanInForce
from core.commission.periods import Period, as_period
from core.commission.periods_state import state_of
from core.convert import money
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs
from core.store import pay as store_pay

RESOLUTIONS = ("answered", "explained", "corrected")
MAX_TEXT = 2000


def _manager(engine: Engine, scope: Scope, employee_id: str) -> dict:
    roster = store_logs.read_roster(engine, scope)
    rows = roster[roster["employee_id"] == str(employee_id)]
    if rows.empty or not scope.can_see_manager(str(employee_id), rows.iloc[0]["team"]):
        raise ScopeError("commission.err.scope", employee_id=employee_id)
    return rows.iloc[0].to_dict()


def _text(text: str | None, key: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AppError(key)
    if len(text) > MAX_TEXT:
        raise AppError("commission.pay.text_too_long", chars=len(text), limit=MAX_TEXT)
    return text


def raise_question(engine: Engine, scope: Scope, employee_id: str, period: str | Period, text: str,
                   line: str | None = None) -> int:
    """Raise a question on `employee_id`'s statement for `period` (on one line's metric, or the whole)."""
    per = as_period(period)
    row = _manager(engine, scope, employee_id)
    return store_pay.add_inquiry(engine, scope, row["employee_id"], row["team"], per.key, line or None,
                                 _text(text, "commission.pay.question_empty"))


def questions(engine: Engine, scope: Scope, open_only: bool = False, team: str | None = None,
              employee_id: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Questions the caller may see, newest first (open_only: open or answered, not yet resolved)."""
    return store_pay.read_inquiries(engine, scope, open_only=open_only, team=team, employee_id=employee_id,
                                    period=as_period(period).key if period else None)


def parse_amount(value) -> Decimal:
    """A correction's amount in yuan ('1,234.5', '-200'): AppError for anything else or for zero."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise AppError("commission.pay.bad_amount", value=str(value)) from None
    if not d.is_finite() or d == 0 or abs(d) >= Decimal("1e12"):
        raise AppError("commission.pay.bad_amount", value=str(value))
    return money(d)


def answer(engine: Engine, scope: Scope, inquiry_id: int, resolution: str, text: str,
           amount=None) -> int | None:
    """Answer a question: ``answered`` (still open for the manager to reply), ``explained`` or ``corrected``
    (with `amount`, recorded as a manual adjustment). Returns the adjustment's id for a correction."""
    if resolution not in RESOLUTIONS:
        raise AppError("commission.pay.bad_resolution", value=resolution, choices=", ".join(RESOLUTIONS))
    text = _text(text, "commission.pay.answer_empty")
    value = parse_amount(amount) if resolution == "corrected" else None
    return store_pay.resolve_inquiry(engine, scope, int(inquiry_id), resolution, text,
                                     None if value is None else float(value))


# ---------------------------------------------------------------- acknowledgements

def acknowledge_statement(engine: Engine, scope: Scope, employee_id: str, period: str | Period) -> None:
    """The manager confirms his closed statement for `period` (once)."""
    per = as_period(period)
    if not state_of(engine, per).is_closed:
        raise AppError("commission.pay.ack_not_closed", period=per.key)
    if not store_pay.read_snapshots(engine, scope, period=per.key, employee_id=str(employee_id)):
        raise AppError("commission.pay.not_in_closed", employee_id=employee_id, period=per.key)
    store_pay.add_ack(engine, scope, "statement", str(employee_id), per.key)


def statement_acknowledged(engine: Engine, employee_id: str, period: str | Period) -> bool:
    return not store_pay.read_acks(engine, "statement", as_period(period).key, str(employee_id)).empty


def unacknowledged(engine: Engine, scope: Scope, period: str | Period) -> pd.DataFrame:
    """Managers frozen in the closed `period` who have not confirmed their statement: employee_id, team."""
    per = as_period(period)
    acked = set(store_pay.read_acks(engine, "statement", per.key)["employee_id"])
    rows = [{"employee_id": s["employee_id"], "team": s["team"]}
            for s in store_pay.read_snapshots(engine, scope, period=per.key) if s["employee_id"] not in acked]
    return pd.DataFrame(rows, columns=["employee_id", "team"])


def plan_key(pif: PlanInForce) -> str:
    """The version a manager acknowledges: the stored plan's id, or the sample plan's name and date."""
    if pif.plan_id is not None:
        return f"plan:{pif.plan_id}"
    return f"sample:{pif.plan.name}:{pif.plan.effective_from.isoformat()}"[:100]


def acknowledge_plan(engine: Engine, scope: Scope, employee_id: str, pif: PlanInForce) -> None:
    store_pay.add_ack(engine, scope, "plan", str(employee_id), plan_key(pif))


def plan_acknowledged(engine: Engine, employee_id: str, pif: PlanInForce) -> bool:
    return not store_pay.read_acks(engine, "plan", plan_key(pif), str(employee_id)).empty


__all__ = ["RESOLUTIONS", "raise_question", "questions", "parse_amount", "answer", "acknowledge_statement",
           "statement_acknowledged", "unacknowledged", "plan_key", "acknowledge_plan", "plan_acknowledged"]
