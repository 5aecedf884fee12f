"""追索扣回: a director forfeits part or all of a manager's unreleased risk reserve, with a reason (audited).

A forfeit recorded in month M takes from the instalments not yet released in M — due in M or later — the
earliest due first (:func:`core.commission.reserve.apply_forfeits`); it can never take more than they hold, and
forfeited amounts are never released. The statement of every period shows the instalments actually paid, and
the history shows the balance held, released and forfeited (:func:`core.commission.service.history`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission.periods import month_index
from core.commission.service import _visible_manager, history
from core.convert import ZERO, money
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs
from core.store import reserve as store_reserve

MAX_REASON = 500


def _amount(value) -> Decimal:
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise AppError("commission.reserve.bad_amount", value=str(value)) from None
    if not d.is_finite() or d <= 0 or money(d) != d:
        raise AppError("commission.reserve.bad_amount", value=str(value))
    return money(d)


def _month(value: str | None, today: dt.date | None) -> str:
    if value is None:
        return cal.month_key(today or dt.date.today())
    try:
        return cal.month_key(value)
    except ValueError:
        raise AppError("commission.reserve.bad_month", value=str(value)) from None


def unreleased(engine: Engine, scope: Scope, employee_id: str, month: str) -> Decimal:
    """What a forfeit recorded in `month` could still take: instalments due in `month` or later, net of forfeits."""
    h = history(engine, scope, employee_id, month)
    return money(sum((i.paid for i in h.instalments if month_index(i.month) >= month_index(month)), ZERO))


def forfeit_reserve(engine: Engine, scope: Scope, employee_id: str, amount, reason: str,
                    month: str | None = None, today: dt.date | None = None) -> int:
    """Record a forfeit of `amount` yuan of `employee_id`'s unreleased reserve in `month` (default: this month).
    Directors only (ScopeError otherwise); a reason is required; never more than the reserve still holds."""
    if not scope.may_configure:
        raise ScopeError("commission.reserve.director_only")
    row = _visible_manager(engine, scope, employee_id)
    reason = (reason or "").strip()
    if not reason:
        raise AppError("commission.reserve.no_reason")
    if len(reason) > MAX_REASON:
        raise AppError("commission.reserve.reason_too_long", n=MAX_REASON)
    d = _amount(amount)
    m = _month(month, today)
    available = unreleased(engine, scope, row["employee_id"], m)
    if d > available:
        raise AppError("commission.reserve.too_much", employee_id=row["employee_id"], amount=f"{d:,.2f}",
                       available=f"{available:,.2f}", month=m)
    return store_reserve.add_forfeit(engine, scope, row["employee_id"], m, d, reason)


def list_forfeits(engine: Engine, scope: Scope, employee_id: str | None = None) -> pd.DataFrame:
    """The forfeits the caller may see (a manager: his own), oldest first."""
    if employee_id is not None:
        _visible_manager(engine, scope, employee_id)
    return store_reserve.read_forfeits(engine, scope, employee_id=employee_id)


def forfeit_page(engine: Engine, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the settings form draws (directors only, ScopeError otherwise): the managers one may forfeit from
    (employee_id, name, team; active first) and every recorded forfeit, newest first."""
    if not scope.may_configure:
        raise ScopeError("commission.reserve.director_only")
    roster = store_logs.read_roster(engine, scope)
    if "active" in roster.columns:
        roster = roster.sort_values("active", ascending=False, kind="stable")
    recorded = store_reserve.read_forfeits(engine, scope).iloc[::-1].reset_index(drop=True)
    return roster[["employee_id", "name", "team"]].reset_index(drop=True), recorded


__all__ = ["MAX_REASON", "unreleased", "forfeit_reserve", "list_forfeits", "forfeit_page"]
