"""Next month's target split (目标分解): a team target divided between the team's managers.

The monthly wrap-up ends with "任务指标分解到个人": the team lead starts from the team's target for one metric
and splits it to each manager, then saves the split as next month's targets.

Methods
-------
* ``equal`` — every manager gets the same share.
* ``last_month_share`` — each manager gets the share of the team's result he or she produced last month.
  Rule for managers **without history** (not in ``last_month`` or NaN there, e.g. a new hire): each of them
  gets the per-head equal share ``team_total / n``; what is left is split between the managers with history in
  proportion to last month's result. Negative results (a deposit outflow) count as 0. When nobody with history
  produced anything (all ≤ 0), the split falls back to equal.
* hand edits — the team lead edits the numbers in a table; :func:`validate_split` reports how far the edited
  split is from the team total, and :func:`save_split` refuses a split that does not add up.

Rounding uses the largest-remainder method in whole units of ``10 ** -decimals``, so the managers' targets add up
*exactly* to the team total. Ties in the remainders go to the manager listed first.

Saving goes through :func:`core.store.logs.apply_targets` as an import of kind ``targets`` (file name
``target split <team> <month>``), so it is audited and can be undone on the import history like any upload.
Only a director or a team lead (for his own team) may save.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.commission.effects import Effects, closed_period_effects
from core.schema import FIELDS_BY_NAME, TARGET_METRICS
from core.convert import finite
from core.errors import AppError, ScopeError
from core.scope import Scope
from core.store import logs as store_logs

METHODS = ("equal", "last_month_share")
SPLIT_COLUMNS = ["employee_id", "share", "value", "basis"]


def default_decimals(metric: str) -> int:
    """Decimals a target of this metric is split to: counts and 元 in whole units, 万元 to 2 decimals."""
    f = FIELDS_BY_NAME[metric]
    if f.kind == "amount" and f.unit == "wan":
        return 2
    return 0


def _units(value: float, decimals: int) -> int:
    """`value` in whole units of 10**-decimals; raises if it has more decimals than that."""
    scaled = value * 10 ** decimals
    units = round(scaled)
    if abs(scaled - units) > max(1e-6, abs(scaled) * 1e-12):
        raise AppError("split.too_many_decimals", total=value, decimals=decimals)
    return int(units)


def largest_remainder(total_units: int, weights: list[float]) -> list[int]:
    """Split `total_units` whole units in proportion to `weights` so that the parts add up exactly.

    Every part gets the floor of its exact quota; the units left over go one each to the largest remainders,
    ties to the earlier position.
    """
    if total_units < 0:
        raise AppError("split.negative_total")
    if not weights:
        return []
    wsum = float(sum(weights))
    if wsum <= 0:
        raise AppError("split.no_weights")
    quotas = [total_units * w / wsum for w in weights]
    floors = [int(math.floor(q + 1e-9)) for q in quotas]
    rest = total_units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


def split_target(team_total: float, managers: list[str], method: str = "equal",
                 last_month: pd.Series | None = None, decimals: int = 0) -> pd.DataFrame:
    """Split a team target between managers.

    Returns one row per manager in the order given: ``employee_id``, ``share`` (fraction of the team total
    before rounding), ``value`` (rounded to `decimals`; the values add up exactly to `team_total`) and
    ``basis`` ("equal", "last_month" or "no_history").
    `last_month` is last month's result per manager (index employee_id), needed by ``last_month_share``.
    """
    if method not in METHODS:
        raise AppError("split.unknown_method", method=method, methods=", ".join(METHODS))
    if decimals < 0:
        raise AppError("split.bad_decimals")
    if team_total is None or not finite(team_total):
        raise AppError("split.total_not_number")
    if team_total < 0:
        raise AppError("split.negative_total")
    managers = list(dict.fromkeys(str(m) for m in managers))
    if not managers:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("share", "value") else "object")
                             for c in SPLIT_COLUMNS})
    n = len(managers)
    total_units = _units(float(team_total), decimals)

    basis = ["equal"] * n
    weights = [1.0 / n] * n
    if method == "last_month_share":
        hist = pd.Series(dtype="float64") if last_month is None else pd.to_numeric(last_month, errors="coerce")
        hist.index = hist.index.astype(str)
        known = [m in hist.index and pd.notna(hist.get(m)) for m in managers]
        past = [max(float(hist[m]), 0.0) if k else 0.0 for m, k in zip(managers, known)]
        with_history = sum(known)
        produced = sum(past)
        if with_history and produced > 0:
            left = with_history / n  # what the managers without history (1/n each) leave to the others
            weights = [(p / produced) * left if k else 1.0 / n for p, k in zip(past, known)]
            basis = ["last_month" if k else "no_history" for k in known]

    parts = largest_remainder(total_units, weights) if total_units else [0] * n
    scale = 10 ** decimals
    return pd.DataFrame({
        "employee_id": managers,
        "share": [float(w) for w in weights],
        "value": [round(p / scale, decimals) for p in parts],
        "basis": basis,
    })


@dataclass
class SplitCheck:
    """How a (hand-edited) split compares with the team total."""
    total: float            # sum of the managers' values
    team_total: float
    difference: float       # total - team_total (positive: more than the team target was handed out)
    missing: list[str] = field(default_factory=list)    # managers with no value
    negative: list[str] = field(default_factory=list)   # managers with a negative value

    @property
    def ok(self) -> bool:
        return not self.missing and not self.negative and abs(self.difference) < 1e-6


def validate_split(edited: pd.DataFrame, team_total: float, decimals: int = 6) -> SplitCheck:
    """Check an edited split (columns employee_id, value): the difference to the team total, blanks, negatives.

    The sum and difference are rounded to `decimals` so that float noise (0.1 + 0.2) is not reported.
    """
    values = pd.to_numeric(edited["value"], errors="coerce")
    ids = edited["employee_id"].astype(str)
    missing = sorted(ids[values.isna()].tolist())
    negative = sorted(ids[values < 0].tolist())
    total = round(float(values.fillna(0).sum()), decimals)
    return SplitCheck(total=total, team_total=float(team_total),
                      difference=round(total - float(team_total), decimals),
                      missing=missing, negative=negative)


def last_month_results(logs: pd.DataFrame, month: str, metric: str) -> pd.Series:
    """Each manager's result for `metric` in `month` (sum of the daily values), index employee_id.

    Managers with no daily row in that month are absent (they have no history for the split).
    """
    if metric not in TARGET_METRICS:
        raise AppError("split.not_target_metric", metrics=metric)
    if logs.empty:
        return pd.Series(dtype="float64", name=metric)
    a, b = cal.month_bounds(month)
    d = pd.to_datetime(logs["date"])
    rows = logs[(d >= pd.Timestamp(a)) & (d <= pd.Timestamp(b))]
    out = rows.groupby("employee_id")[metric].sum().astype("float64")
    out.name = metric
    return out


def team_total_from_targets(targets: pd.DataFrame, month: str, metric: str, employee_ids: list[str]) -> float:
    """The sum of `month`'s targets for `metric` over the given managers (0 when none is set)."""
    if targets.empty:
        return 0.0
    sel = targets[(targets["month"] == month) & (targets["metric"] == metric)
                  & targets["employee_id"].astype(str).isin([str(e) for e in employee_ids])]
    return float(sel["value"].sum())


def split_rows(split: pd.DataFrame, month: str, metric: str) -> pd.DataFrame:
    """A split (employee_id, value) as target rows in the store's long format (month, employee_id, metric, value)."""
    return pd.DataFrame({"month": month, "employee_id": split["employee_id"].astype(str).values,
                         "metric": metric, "value": pd.to_numeric(split["value"]).astype("float64").values})


def content_sha256(rows: pd.DataFrame) -> str:
    """A stable hash of target rows (sorted), recorded with the import for audit."""
    canon = rows.sort_values(["month", "employee_id", "metric"])
    text = "\n".join(f"{r.month}|{r.employee_id}|{r.metric}|{float(r.value):.6f}" for r in canon.itertuples())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_split(engine: Engine, scope: Scope, team: str, month: str, rows: pd.DataFrame,
               team_totals: dict[str, float] | None = None) -> store_logs.ImportSummary:
    """Save split targets for `team` and `month` (rows: employee_id, metric, value) as an undoable import.

    Refused (ScopeError) unless the caller is a director or the team's own lead; AppError when a metric
    cannot carry a target, a value is blank or negative, or — given `team_totals` {metric: total} — a metric's
    values do not add up to its team total.
    """
    if not scope.may_set_targets:
        raise ScopeError("scope.denied")
    scope.check_team(team)
    month = cal.month_key(month)
    rows = rows.copy()
    bad = sorted(set(rows["metric"]) - set(TARGET_METRICS))
    if bad:
        raise AppError("split.not_target_metric", metrics=", ".join(bad))
    values = pd.to_numeric(rows["value"], errors="coerce")
    if values.isna().any() or (values < 0).any() or not values.map(finite).all():   # no ±Inf reaches the store
        raise AppError("split.bad_value")
    rows["value"] = values.astype("float64")
    for metric, total in (team_totals or {}).items():
        check = validate_split(rows[rows["metric"] == metric], total)
        if not check.ok:
            raise AppError("split.does_not_add_up", metric=metric, total=check.total, team_total=total)
    out = pd.DataFrame({"month": month, "employee_id": rows["employee_id"].astype(str).values,
                        "metric": rows["metric"].values, "value": rows["value"].values})
    return store_logs.apply_targets(engine, scope, out, filename=f"target split {team} {month}",
                                    sha256=content_sha256(out), kind="targets")


def split_effects(engine: Engine, scope: Scope, team: str, month: str, rows: pd.DataFrame,
                  team_totals: dict[str, float] | None = None) -> Effects:
    """What saving this split would do to a closed pay period (issue 11; none while `month` is open), said before
    it is saved: a dry run of :func:`save_split`, rolled back. A split the save would refuse has no effect."""
    try:
        return closed_period_effects(engine, scope, lambda eng: save_split(eng, scope, team, month, rows, team_totals),
                                     months=[cal.month_key(month)])
    except AppError:
        return Effects()

