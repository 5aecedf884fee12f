"""What a change would do to closed periods, said before it is committed; retroactive plans.

:func:`closed_period_effects` runs the change for real inside a transaction that is rolled back (a dry run:
the change's own writes and the recomputation read the same uncommitted rows), recomputes the closed periods'
payables (without adjustments) before and inside it, and reports per closed period how many managers change and
by how much, and which open period will pay it:
"此次导入将改变已结账的 2026年10月: 3 名客户经理合计 +1,234.00 元,将作为往期调整计入 2026年11月".
The upload check, the undo confirmation (:func:`undo_effects`), the target split and plan activation call it;
the CLI prints it as ``closed_period_effects`` (``undo ID --dry-run`` too).

:func:`activate_plan` refuses a plan whose ``effective_from`` falls in (or before the end of) a closed period
unless asked for explicitly (``retroactive``); its effect is then paid as adjustments.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, Engine

from core import calendar as cal
from core.commission import service
from core.commission.adjustments import base_payable
from core.commission.book import get_plan
from core.commission.periods import as_period
from core.commission.periods_state import closed_periods, current_open
from core.convert import ZERO, money, money_str
from core.errors import AppError
from core.i18n import fmt_yuan, t
from core.scope import Scope
from core.store import imports as store_imports
from core.store import plans as store_plans


# ---------------------------------------------------------------- a dry run on one connection

class _Inner:
    """The outer connection as a store function sees it: a nested transaction (savepoint) per write."""

    def __init__(self, conn: Connection):
        self._conn = conn

    def execution_options(self, **_kw):
        return self

    def begin(self):
        return self._conn.begin_nested()

    def close(self) -> None:
        return None

    def __enter__(self):
        return self._conn

    def __exit__(self, *exc):
        return False

    def __getattr__(self, name):
        return getattr(self._conn, name)


class _DryEngine:
    """An Engine stand-in whose every connection is one outer connection, rolled back by the caller."""

    def __init__(self, conn: Connection):
        self._conn = conn
        self.dialect = conn.dialect
        self.url = conn.engine.url

    def connect(self):
        return _Inner(self._conn)


@dataclass
class PeriodEffect:
    period: str
    managers: int
    total: Decimal
    paid_in: str | None
    by_manager: dict[str, Decimal] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"period": self.period, "managers": self.managers, "total": money_str(self.total),
                "paid_in": self.paid_in,
                "by_manager": {k: money_str(v) for k, v in sorted(self.by_manager.items())}}


@dataclass
class Effects:
    periods: list[PeriodEffect] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.periods)

    def to_list(self) -> list[dict]:
        return [p.to_dict() for p in self.periods]

    def sentences(self, lang: str = "zh", action: str = "import") -> list[str]:
        out = []
        for p in self.periods:
            sign = "+" if p.total > 0 else ""
            out.append(t("commission.pay.effect", lang, action=t(f"commission.pay.action.{action}", lang),
                         period=_period_name(p.period, lang), managers=p.managers,
                         total=sign + fmt_yuan(p.total, lang), paid_in=_period_name(p.paid_in, lang)))
        return out


def _period_name(key: str | None, lang: str) -> str:
    if key is None:
        return "—"
    per = as_period(key)
    if per.kind == "quarterly":
        y, q = key.split("-Q")
        return f"{y}年第{q}季度" if lang == "zh" else f"Q{q} {y}"
    y, m = cal.parse_month(key)
    return f"{y}年{m}月" if lang == "zh" else f"{y}-{m:02d}"


def _payables(engine, scope: Scope, period: str) -> dict[str, Decimal]:
    try:
        run = service.run_period(engine, scope, period)
    except AppError:          # the period cannot be computed at all (no plan): nothing to compare
        return {}
    return {s.employee_id: base_payable(s) for s in run.statements}


def closed_period_effects(engine: Engine, scope: Scope, change: Callable[[object], object],
                          months: Iterable[str] | None = None) -> Effects:
    """What `change` (called with an engine; it writes as usual) would do to the closed periods' pay.

    `months` limits the closed periods looked at to those containing one of them (default: all). The change is
    rolled back whatever happens; an AppError it raises is raised here too. No closed period: no dry run."""
    closed = closed_periods(engine)
    if months is not None:
        wanted = set(months)
        closed = [c for c in closed if wanted & set(as_period(c.period).months)]
    if not closed:
        return Effects()
    before = {c.period: _payables(engine, scope, c.period) for c in closed}
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            dry = _DryEngine(conn)
            change(dry)
            after = {c.period: _payables(dry, scope, c.period) for c in closed}
        finally:
            outer.rollback()
    paid_in = current_open(engine)
    out = []
    for c in closed:
        b, a = before[c.period], after[c.period]
        diff = {eid: money(a.get(eid, ZERO) - b.get(eid, ZERO)) for eid in set(a) | set(b)}
        diff = {k: v for k, v in diff.items() if v != 0}
        if diff:
            out.append(PeriodEffect(c.period, len(diff), money(sum(diff.values(), ZERO)),
                                    paid_in.key if paid_in else None, diff))
    return Effects(out)


def import_effects(engine: Engine, scope: Scope, kind: str, rows, apply: Callable[[object], object]) -> Effects:
    """What storing an upload's parsed `rows` (`apply(engine)` stores them) would do to closed periods: only the
    closed periods of the rows' dates (daily logs) or months (targets) are looked at; a roster change (grade,
    team) may touch any. Never raises: an upload the store would refuse is reported by the import itself."""
    months = None
    if kind == "daily" and "date" in rows:
        months = {cal.month_key(d) for d in rows["date"]}
    elif kind == "targets" and "month" in rows:
        months = set(rows["month"])
    try:
        return closed_period_effects(engine, scope, apply, months=months)
    except AppError:
        return Effects()


def undo_effects(engine: Engine, scope: Scope, import_id: int) -> Effects:
    """What undoing import `import_id` would do to closed periods (the undo runs and is rolled back). A refusal
    (already undone, changed by a later import, out of the caller's scope) raises the AppError / ScopeError the
    undo itself would, even with no closed period."""
    def undo(eng) -> None:
        store_imports.undo_import(eng, scope, import_id)

    if not closed_periods(engine):
        with engine.connect() as conn:          # still a dry run, so that a refusal is said before the undo
            outer = conn.begin()
            try:
                undo(_DryEngine(conn))
            finally:
                outer.rollback()
        return Effects()
    return closed_period_effects(engine, scope, undo)


# ---------------------------------------------------------------- plan activation

def retroactive_periods(engine: Engine, effective_from) -> list[str]:
    """Closed periods a plan effective from `effective_from` could change (those ending on or after it)."""
    return [c.period for c in closed_periods(engine) if as_period(c.period).end >= effective_from]


def activation_effects(engine: Engine, scope: Scope, plan_id: int) -> Effects:
    """What activating stored plan `plan_id` would do to closed periods."""
    return closed_period_effects(engine, scope, lambda eng: store_plans.activate_plan(eng, scope, plan_id))


def activate_plan(engine: Engine, scope: Scope, plan_id: int, retroactive: bool = False) -> tuple[list[int], Effects]:
    """Activate a stored plan; refused (AppError) when it reaches into a closed period unless `retroactive`.
    Returns the replaced versions and the effect on closed periods (paid as adjustments)."""
    plan = get_plan(engine, plan_id)
    touched = retroactive_periods(engine, plan.effective_from)
    if touched and not retroactive:
        raise AppError("commission.pay.retroactive", plan=plan.name, date=plan.effective_from.isoformat(),
                       periods="、".join(touched))
    effects = activation_effects(engine, scope, plan_id) if touched else Effects()
    return store_plans.activate_plan(engine, scope, plan_id), effects


__all__ = ["PeriodEffect", "Effects", "closed_period_effects", "import_effects", "undo_effects", "retroactive_periods", "activation_effects",
           "activate_plan"]
