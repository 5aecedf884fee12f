"""Late changes to closed periods as adjustments (往期调整), never rewrites.

For a closed period P and a manager, with payables taken **without** adjustments::

    adjustment(P) = recomputed(P) − frozen(P) − Σ recomputed adjustments for P already frozen in closed periods

It is paid in the first open period after the last closed one (:func:`core.commission.periods_state.current_open`);
a negative amount is a recovery (追扣). The deferred amount moves the same way (``deferred`` of a line):
the line carries the net payable difference and the deferred difference is held in the reserve as deferred in
the open period (counted in the reserve once that period closes, and released on the later statements its
schedule names: :func:`core.commission.inputs.adjustment_deferrals`). Manual adjustments (a corrected question) are stored with
no paying period until a period closes with a statement for the manager; they are never netted against
recomputations.

Recomputed(P) is the statement computed today (data, roster, targets and plan as they are now) for the managers
frozen in P, and for a manager not frozen in P only when he now has logged quantities in P (a late upload for
someone who had none). The reasons name what changed: the plan, the grade, a target, the days behind a
quantity, and the imports made or undone since the close that touched the manager in P.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine

from core import fmt
from core.commission import service
from core.commission.compute import Statement
from core.commission.periods import as_period
from core.commission.periods_state import PeriodState, closed_periods
from core.commission.snapshot import thaw
from core.commission.text import metric_name
from core.convert import ZERO, dec, money, money_str
from core.errors import AppError
from core.i18n import t
from core.scope import Scope
from core.store import pay as store_pay


@dataclass
class Adjustment:
    period: str                       # the period it corrects
    amount: Decimal                   # yuan; negative = recovery
    reasons: list = field(default_factory=list)
    kind: str = "recomputed"          # recomputed | manual
    deferred: Decimal = ZERO
    employee_id: str = ""
    id: int | None = None

    def to_dict(self) -> dict:
        return {"period": self.period, "amount": money_str(self.amount), "reasons": self.reasons,
                "kind": self.kind, "deferred": money_str(self.deferred)}


def describe(reason: dict, lang: str = "zh") -> str:
    """One reason of an adjustment as a sentence ("新增存款 由 0 改为 10(日期:2026-09-20)")."""
    kind = reason.get("kind")
    p = {k: v for k, v in reason.items() if k != "kind"}
    if "metric" in p:
        p["metric"] = metric_name(p["metric"], lang)
    if kind == "days":
        p["days"] = "、".join(p.get("days") or []) if lang == "zh" else ", ".join(p.get("days") or [])
    if kind == "target":
        p = {**p, "from": p.get("from") or "—", "to": p.get("to") or "—"}
    if kind in ("plan", "grade", "target", "days", "import", "undo", "manual", "inquiry", "new_statement"):
        return t(f"commission.pay.reason.{kind}", lang, **p)
    return str(reason)


def base_payable(s: Statement) -> Decimal:
    """The statement's payable without adjustments."""
    return money(s.payable - getattr(s, "adjustment_total", ZERO))


def _changed_days(old: list, new: list) -> list[str]:
    a, b = dict(old), dict(new)
    return sorted(d.isoformat() for d in set(a) | set(b) if a.get(d) != b.get(d))


def reasons_for(frozen: Statement | None, now: Statement, changes: list[dict]) -> list[dict]:
    """What differs between the frozen and the recomputed statement, and the imports since the close that touched
    the manager in the period (`changes`: :func:`core.store.pay.changes_since` rows)."""
    out = []
    if frozen is None:
        out.append({"kind": "new_statement"})
    else:
        if (frozen.plan_name, frozen.plan_effective_from) != (now.plan_name, now.plan_effective_from):
            out.append({"kind": "plan", "from": frozen.plan_name, "to": now.plan_name,
                        "effective_from": now.plan_effective_from.isoformat()})
        if frozen.grade != now.grade:
            out.append({"kind": "grade", "from": frozen.grade, "to": now.grade})
        for m in sorted(set(frozen.targets) | set(now.targets)):
            a, b = frozen.targets.get(m), now.targets.get(m)
            if a != b:
                out.append({"kind": "target", "metric": m, "from": None if a is None else fmt.exact(a, sep=False),
                            "to": None if b is None else fmt.exact(b, sep=False)})
        old_days, new_days = frozen.days_by_metric(), now.days_by_metric()
        for m in sorted(set(frozen.quantities) | set(now.quantities)):
            a, b = frozen.quantities.get(m, ZERO), now.quantities.get(m, ZERO)
            days = _changed_days(old_days.get(m, []), new_days.get(m, []))
            if a != b or days:
                out.append({"kind": "days", "metric": m, "from": fmt.exact(a, sep=False), "to": fmt.exact(b, sep=False),
                            "days": days})
    seen = set()
    for c in changes:
        key = (c["id"], c["status"])
        if key in seen:
            continue
        seen.add(key)
        out.append({"kind": "undo" if c["status"] == "undone" else "import", "import_id": int(c["id"]),
                    "filename": c["filename"], "import_kind": c["kind"]})
    return out


def _touches(change: dict, employee_id: str, period) -> bool:
    key = change["row_key"]
    if str(key.get("employee_id")) != employee_id:
        return False
    if change["table_name"] == "daily_logs":
        return period.start.isoformat() <= str(key.get("date")) <= period.end.isoformat()
    if change["table_name"] == "targets":
        return key.get("month") in period.months
    return True                                             # the roster: grade, team


def _already_frozen(engine: Engine, scope: Scope, employee_id: str | None) -> dict:
    """(employee_id, corrected period) → (amount, deferred) of recomputed adjustments already paid."""
    df = store_pay.read_adjustments(engine, scope, employee_id=employee_id, kind="recomputed")
    out: dict = {}
    for r in df.to_dict("records"):
        if r["paid_in"] is None or r["paid_in"] != r["paid_in"]:
            continue
        a, d = out.get((r["employee_id"], r["corrects"]), (ZERO, ZERO))
        out[(r["employee_id"], r["corrects"])] = (a + dec(r["amount"]), d + dec(r["deferred"]))
    return out


def _recomputed(engine: Engine, scope: Scope, period: str, employee_id: str | None,
                team: str | None) -> dict[str, Statement]:
    if employee_id is not None:
        try:
            return {employee_id: service.statement(engine, scope, employee_id, period)}
        except AppError:           # no longer computable (grade left the plan, off the roster): nothing to adjust
            return {}
    run = service.run_period(engine, scope, period, team=team)
    return {s.employee_id: s for s in run.statements}


def _has_quantities(s: Statement) -> bool:
    return any(v != 0 for v in s.quantities.values())


def recomputed_for_period(engine: Engine, scope: Scope, closed: PeriodState, employee_id: str | None = None,
                          team: str | None = None, frozen_after: dict | None = None) -> list[Adjustment]:
    """The recomputed adjustment lines for one closed period (one per manager whose pay changed)."""
    per = as_period(closed.period)
    snaps = {s["employee_id"]: s for s in store_pay.read_snapshots(engine, scope, period=per.key,
                                                                      employee_id=employee_id)
             if team is None or s["team"] == team}
    now = _recomputed(engine, scope, per.key, employee_id, team)
    frozen_after = _already_frozen(engine, scope, employee_id) if frozen_after is None else frozen_after
    changes = None
    out = []
    for eid in sorted(set(snaps) | set(now)):
        snap, s = snaps.get(eid), now.get(eid)
        if s is None:
            continue
        if snap is None and not _has_quantities(s):
            continue
        frozen_pay = dec(snap["payable"]) if snap else ZERO
        frozen_def = dec(snap["deferred"]) if snap else ZERO
        paid_a, paid_d = frozen_after.get((eid, per.key), (ZERO, ZERO))
        amount = money(base_payable(s) - frozen_pay - paid_a)
        deferred = money(s.deferred - frozen_def - paid_d)
        if amount == 0 and deferred == 0:
            continue
        if changes is None:
            changes = store_pay.changes_since(engine, closed.closed_at or dt.datetime.min)
        mine = [c for c in changes if _touches(c, eid, per)]
        frozen = thaw(snap["statement"]) if snap else None
        out.append(Adjustment(per.key, amount, reasons_for(frozen, s, mine), "recomputed", deferred, eid))
    return out


def pending(engine: Engine, scope: Scope, employee_id: str | None = None,
            team: str | None = None) -> dict[str, list[Adjustment]]:
    """Adjustments the first open period pays, by manager: recomputed ones for every closed period, then the
    manual ones not yet paid (also while no period is closed: the first period with statements pays them)."""
    out: dict[str, list[Adjustment]] = {}
    closed = closed_periods(engine)
    frozen_after = _already_frozen(engine, scope, employee_id)
    for c in closed:
        for a in recomputed_for_period(engine, scope, c, employee_id, team, frozen_after):
            out.setdefault(a.employee_id, []).append(a)
    manual = store_pay.read_adjustments(engine, scope, employee_id=employee_id, pending=True)
    for r in manual.to_dict("records"):
        if team is not None and r["team"] != team:
            continue
        out.setdefault(r["employee_id"], []).append(_from_row(r))
    return out


def _from_row(r: dict) -> Adjustment:
    return Adjustment(r["corrects"], money(dec(r["amount"])), r["reasons"], r["kind"], money(dec(r["deferred"])),
                      r["employee_id"], int(r["id"]))


def paid_in(engine: Engine, scope: Scope, period: str, employee_id: str | None = None) -> dict[str, list[Adjustment]]:
    """Adjustments frozen in the closed `period`, by manager."""
    out: dict[str, list[Adjustment]] = {}
    for r in store_pay.read_adjustments(engine, scope, employee_id=employee_id, paid_in=period).to_dict("records"):
        out.setdefault(r["employee_id"], []).append(_from_row(r))
    return out


def total(adjs: list[Adjustment]) -> Decimal:
    return money(sum((a.amount for a in adjs), ZERO))


def store_rows(adjs: list[Adjustment], teams: dict[str, str]) -> list[dict]:
    """Recomputed adjustments as pay_adjustments rows (for :func:`core.store.pay.close_period`)."""
    return [{"employee_id": a.employee_id, "team": teams.get(a.employee_id), "corrects": a.period,
             "amount": float(a.amount), "deferred": float(a.deferred), "reasons": _json(a.reasons)}
            for a in adjs if a.kind == "recomputed"]


def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False)


__all__ = ["Adjustment", "describe", "base_payable", "reasons_for", "recomputed_for_period", "pending", "paid_in", "total",
           "store_rows"]
