"""Performance pay under 绩效全面买单制: the plan model, its validation, and the statement with every line behind it.

The plan file
-------------
A bank writes its plan as YAML (see ``sample_data/plan_2026.yaml``)::

    name: 2026年客户经理绩效计价办法
    effective_from: 2026-01-01     # applies from this date until the next activated plan's date
    settlement: monthly            # monthly | quarterly (quantities and targets summed over the quarter)
    base_pay: {客户经理: 4000, ...}            # yuan per month, by grade
    grade_coefficient: {客户经理: 1.0, ...}    # the same grades
    items:                          # one per product; each has exactly one of `rate` / `tiers`
      - {metric: loans_new, rate: 12, deferred_share: 0.3}
      - {metric: credit_cards, rate: 30, above_target_rate: 45}
      - {metric: new_customers, tiers: {mode: marginal, bands: [{upto: 10, rate: 50}, {rate: 80}]}}
    deductions: [{metric: complaints, amount: 200}]
    floor: null                     # minimum performance pay; null = 下不保底
    cap: null                       # maximum performance pay; null = 上不封顶
    pay_bands: {一般: 1500, 优秀: 6000}
    reserve_release_after_months: 12

Computation for one manager and one period (all money in :class:`~decimal.Decimal`, rounded to 0.01 yuan
half up wherever "round" is written):

1. Each item. ``rate``: quantity × rate. ``tiers`` ``mode: marginal``: each band pays its rate on the part of
   the quantity inside it; bands cover (previous upto, upto], the first band starts at 0 and the last band
   is open (no ``upto``). ``mode: slab``: the whole quantity at the rate of the band that contains it (a
   quantity equal to ``upto`` is in that band). ``above_target_rate``: units up to the manager's target for
   the period at ``rate``, units above at ``above_target_rate`` (no target set: all at ``rate``). A negative
   quantity (a reversal) pays negatively, at ``rate`` or at the first band's rate. Each item is rounded.
2. gross = sum of items; performance = round(gross × grade coefficient).
3. performance −= sum of deductions (each round(quantity × amount); deductions are not multiplied by the
   coefficient).
4. performance is clamped to [floor, cap] where they are set.
5. deferred (风险补偿金) = round(Σ item × coefficient × deferred_share), clamped to [0, max(performance, 0)]:
   the reserve never takes more than the performance pay, and a reversal never pays the reserve out.
6. payable = base pay × months in the period + performance − deferred.

Quantities are the sum over the period of the manager's daily values (each day's float converted with
``Decimal(str(round(x, 6)))``); targets are the sum of the monthly targets of the months in the period (a
metric with no target row in any of those months has no target).

Pay bands
---------
``pay_bands: {一般: 1500, 优秀: 6000}`` gives the lower bound of each band on the period's (final) performance
pay: performance < 1500 → 不合格 (failing), 1500 ≤ performance < 6000 → 一般 (ordinary), ≥ 6000 → 优秀
(excellent). Either key may be left out (e.g. only ``优秀``: below it is 一般); thresholds must increase.

Risk reserve
------------
The reserve balance is the sum of ``deferred`` over the manager's periods up to the one asked about. With
``reserve_release_after_months: N`` in the plan in force for that period, an amount deferred in a period
whose last month lies N or more months before the last month of the period asked about is released (paid
out) and no longer counts in the balance.

Plans are chosen per period: the activated plan with the greatest ``effective_from`` on or before the
period's first day (``core.store.plans``).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import Engine

from core import calendar as cal
from core import schema
from core.i18n import t
from core.scope import Scope, ScopeError

CENT = Decimal("0.01")
ZERO = Decimal("0")
SAMPLE_PLAN = Path(__file__).resolve().parent.parent / "sample_data" / "plan_2026.yaml"

SETTLEMENTS = ("monthly", "quarterly")
TIER_MODES = ("marginal", "slab")
# Pay bands, lowest first. The plan gives the lower bound of every band but the first.
PAY_BANDS = ("不合格", "一般", "优秀")
PAY_BAND_KEYS = {"不合格": "failing", "一般": "ordinary", "优秀": "excellent"}

TOP_KEYS = ("name", "effective_from", "settlement", "base_pay", "grade_coefficient", "items", "deductions",
            "floor", "cap", "pay_bands", "reserve_release_after_months", "description")
REQUIRED_TOP = ("name", "effective_from", "settlement", "base_pay", "grade_coefficient", "items")
ITEM_KEYS = ("metric", "rate", "tiers", "above_target_rate", "deferred_share")
TIER_KEYS = ("mode", "bands")
BAND_KEYS = ("upto", "rate")
DEDUCTION_KEYS = ("metric", "amount")


def money(x) -> Decimal:
    """Round to 0.01 yuan, half up (never '-0.00')."""
    d = Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)
    return d if d != 0 else Decimal("0.00")


def money_str(x) -> str:
    return str(money(x))


def to_decimal(x) -> Decimal:
    """A stored float (or int/Decimal) as an exact Decimal: ``Decimal(str(round(x, 6)))``; NaN/None → 0."""
    if x is None:
        return ZERO
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int):
        return Decimal(x)
    f = float(x)
    if f != f:
        return ZERO
    d = Decimal(str(round(f, 6)))
    return d if d != 0 else ZERO


def fmt_num(d: Decimal, sep: bool = True) -> str:
    """A quantity or rate without trailing zeros or exponent: 1200, 150.5, 0.05 (thousands separated)."""
    d = Decimal(d)
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    else:
        d = d.normalize()
    return f"{d:,f}" if sep else f"{d:f}"


# ====================================================================== errors

class CommissionError(ValueError):
    """A statement that cannot be computed (bad period, grade missing from the plan...), in both languages."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)

    def __reduce__(self):  # pickles (st.cache_data) by key and params, not by the English text
        return (_rebuild_commission_error, (self.key, self.params))


def _rebuild_commission_error(key: str, params: dict) -> "CommissionError":
    return CommissionError(key, **params)


@dataclass(frozen=True)
class PlanIssue:
    line: int | None          # 1-based line in the YAML, None when unknown
    path: str                 # e.g. items[2].tiers.bands
    key: str                  # message key in core/locales/commission.yaml
    params: tuple = ()        # (name, value) pairs for the message

    def message(self, lang: str = "zh") -> str:
        text = t(self.key, lang, **dict(self.params))
        if self.line is None:
            return t("commission.plan.issue_noline", lang, path=self.path or "plan", message=text)
        return t("commission.plan.issue", lang, line=self.line, path=self.path or "plan", message=text)


class PlanError(ValueError):
    """A plan that was rejected; ``issues`` says what and where (line numbers), in both languages."""

    def __init__(self, issues: list[PlanIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(i.message("en") for i in self.issues))

    def __reduce__(self):
        return (PlanError, (self.issues,))

    def message(self, lang: str = "zh") -> str:
        return "\n".join(i.message(lang) for i in self.issues)

    def messages(self, lang: str = "zh") -> list[str]:
        return [i.message(lang) for i in self.issues]


# ====================================================================== plan model

@dataclass(frozen=True)
class Band:
    upto: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Tiers:
    mode: str                 # marginal | slab
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Item:
    metric: str
    rate: Decimal | None = None
    tiers: Tiers | None = None
    above_target_rate: Decimal | None = None
    deferred_share: Decimal = ZERO
    line: int | None = None

    @property
    def kind(self) -> str:
        if self.tiers is not None:
            return self.tiers.mode
        return "above_target" if self.above_target_rate is not None else "rate"


@dataclass(frozen=True)
class Deduction:
    metric: str
    amount: Decimal
    line: int | None = None


@dataclass(frozen=True)
class Plan:
    name: str
    effective_from: dt.date
    settlement: str
    base_pay: Mapping[str, Decimal]
    grade_coefficient: Mapping[str, Decimal]
    items: tuple[Item, ...]
    deductions: tuple[Deduction, ...] = ()
    floor: Decimal | None = None
    cap: Decimal | None = None
    pay_bands: tuple[tuple[str, Decimal], ...] = ()     # (band, lower bound), increasing
    reserve_release_after_months: int | None = None
    description: str = ""
    source: str = field(default="", repr=False, compare=False)

    @property
    def metrics(self) -> tuple[str, ...]:
        seen = [i.metric for i in self.items] + [d.metric for d in self.deductions]
        return tuple(dict.fromkeys(seen))

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(self.base_pay)

    def item(self, metric: str) -> Item | None:
        return next((i for i in self.items if i.metric == metric), None)

    def band_of(self, performance: Decimal) -> str | None:
        """The pay band (不合格 / 一般 / 优秀) of a period's performance pay, None when the plan sets none."""
        if not self.pay_bands:
            return None
        band = _band_below(self.pay_bands[0][0])
        for name, lower in self.pay_bands:
            if performance >= lower:
                band = name
        return band


def _band_below(name: str) -> str:
    return PAY_BANDS[PAY_BANDS.index(name) - 1]


def pay_band_names(plan: Plan) -> list[str]:
    """The bands a performance can fall in under `plan`, lowest first ([] when the plan sets none)."""
    if not plan.pay_bands:
        return []
    return [_band_below(plan.pay_bands[0][0])] + [name for name, _ in plan.pay_bands]


# ====================================================================== YAML with line numbers

class _Loc:
    """A parsed YAML value with the 1-based line of its node (mappings also keep each key's line)."""

    __slots__ = ("value", "line", "key_lines")

    def __init__(self, value, line: int, key_lines: dict | None = None):
        self.value, self.line, self.key_lines = value, line, key_lines or {}


def _load_located(text: str) -> _Loc:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanError([PlanIssue(1, "", "commission.plan.empty_file")])
        return _convert(node, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PlanError([PlanIssue(line, "", "commission.plan.yaml_error",
                                   (("detail", str(exc.problem or exc.context or exc)),))]) from None
    except yaml.YAMLError as exc:
        raise PlanError([PlanIssue(None, "", "commission.plan.yaml_error", (("detail", str(exc)),))]) from None
    finally:
        loader.dispose()


def _convert(node, loader) -> _Loc:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out, key_lines = {}, {}
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise PlanError([PlanIssue(k_node.start_mark.line + 1, "", "commission.plan.bad_key",
                                           (("name", str(key)),))])
            key = str(key)
            if key in out:
                raise PlanError([PlanIssue(k_node.start_mark.line + 1, "", "commission.plan.duplicate_key",
                                           (("name", key), ("first", key_lines[key])))])
            out[key] = _convert(v_node, loader)
            key_lines[key] = k_node.start_mark.line + 1
        return _Loc(out, line, key_lines)
    if isinstance(node, yaml.SequenceNode):
        return _Loc([_convert(n, loader) for n in node.value], line)
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError):  # e.g. 2026-13-01 looks like a date but is not one
        value = node.value
    return _Loc(value, line)


# ====================================================================== validation

class _Checker:
    def __init__(self):
        self.issues: list[PlanIssue] = []

    def add(self, line, path, key, **params):
        self.issues.append(PlanIssue(line, path, key, tuple(params.items())))

    def mapping(self, loc: _Loc, path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict | None:
        if not isinstance(loc.value, dict):
            self.add(loc.line, path, "commission.plan.not_mapping")
            return None
        allowed = tuple(allowed)
        for k in loc.value:
            if k not in allowed:
                self.add(loc.key_lines.get(k, loc.line), path, "commission.plan.unknown_key", name=k,
                         allowed=", ".join(allowed))
        for k in required:
            if k not in loc.value:
                self.add(loc.line, path, "commission.plan.missing_key", name=k)
        return loc.value

    def number(self, loc: _Loc, path: str, minimum: Decimal | None = ZERO, maximum: Decimal | None = None,
               strict: bool = False) -> Decimal | None:
        v = loc.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add(loc.line, path, "commission.plan.not_number", value=_show(v))
            return None
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            self.add(loc.line, path, "commission.plan.not_number", value=_show(v))
            return None
        d = Decimal(str(v))
        if minimum is not None and (d < minimum or (strict and d == minimum)):
            self.add(loc.line, path, "commission.plan.not_positive" if strict else "commission.plan.negative",
                     value=fmt_num(d, sep=False))
            return None
        if maximum is not None and d > maximum:
            self.add(loc.line, path, "commission.plan.share_range", value=fmt_num(d, sep=False))
            return None
        return d

    def optional_number(self, m: dict, key: str, path: str, **kw) -> Decimal | None:
        loc = m.get(key)
        if loc is None or loc.value is None:
            return None
        return self.number(loc, f"{path}.{key}" if path else key, **kw)

    def metric(self, loc: _Loc, path: str, flows_only: bool = True) -> str | None:
        v = loc.value
        if not isinstance(v, str) or v not in schema.METRICS:
            self.add(loc.line, path, "commission.plan.unknown_metric", metric=_show(v),
                     known=", ".join(m for m in schema.FLOW_METRICS))
            return None
        if flows_only and v not in schema.FLOW_METRICS:
            self.add(loc.line, path, "commission.plan.stock_metric", metric=v)
            return None
        return v


def _show(v) -> str:
    return "null" if v is None else str(v)


def _sub(m: dict, key: str, parent: _Loc) -> _Loc:
    """The located value under `key`, or a null one on the parent's line."""
    return m.get(key) or _Loc(None, parent.line)


def parse_plan(text: str) -> Plan:
    """Parse and validate a plan's YAML. Raises :class:`PlanError` listing every problem with its line."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanError([PlanIssue(None, "", "commission.plan.not_utf8")]) from None
    root = _load_located(text)
    c = _Checker()
    top = c.mapping(root, "", TOP_KEYS, REQUIRED_TOP)
    if top is None:
        raise PlanError(c.issues)

    name = None
    if "name" in top:
        v = top["name"].value
        if not isinstance(v, str) or not v.strip():
            c.add(top["name"].line, "name", "commission.plan.not_text")
        else:
            name = v.strip()

    effective = None
    if "effective_from" in top:
        loc = top["effective_from"]
        v = loc.value
        if isinstance(v, dt.datetime):
            effective = v.date()
        elif isinstance(v, dt.date):
            effective = v
        elif isinstance(v, str):
            try:
                effective = dt.date.fromisoformat(v.strip())
            except ValueError:
                pass
        if effective is None:
            c.add(loc.line, "effective_from", "commission.plan.bad_date", value=_show(v))

    settlement = None
    if "settlement" in top:
        loc = top["settlement"]
        if loc.value not in SETTLEMENTS:
            c.add(loc.line, "settlement", "commission.plan.bad_settlement", value=_show(loc.value))
        else:
            settlement = loc.value

    base_pay = _grade_map(c, top, "base_pay", strict=False)
    coefs = _grade_map(c, top, "grade_coefficient", strict=False)
    if base_pay is not None and coefs is not None:
        for g in base_pay:
            if g not in coefs:
                c.add(top["base_pay"].key_lines.get(g), f"base_pay.{g}", "commission.plan.grade_no_coefficient",
                      grade=g)
        for g in coefs:
            if g not in base_pay:
                c.add(top["grade_coefficient"].key_lines.get(g), f"grade_coefficient.{g}",
                      "commission.plan.grade_no_base", grade=g)

    items = _items(c, top)
    deductions = _deductions(c, top)

    floor = c.optional_number(top, "floor", "")
    cap = c.optional_number(top, "cap", "")
    if floor is not None and cap is not None and floor > cap:
        c.add(top["floor"].line, "floor", "commission.plan.floor_above_cap", floor=fmt_num(floor, False),
              cap=fmt_num(cap, False))

    pay_bands = _pay_bands(c, top)

    release = None
    loc = top.get("reserve_release_after_months")
    if loc is not None and loc.value is not None:
        v = loc.value
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            c.add(loc.line, "reserve_release_after_months", "commission.plan.bad_months", value=_show(v))
        else:
            release = v

    description = ""
    loc = top.get("description")
    if loc is not None and loc.value is not None:
        if not isinstance(loc.value, str):
            c.add(loc.line, "description", "commission.plan.not_text")
        else:
            description = loc.value.strip()

    if c.issues:
        raise PlanError(sorted(c.issues, key=lambda i: (i.line or 0)))
    return Plan(name=name, effective_from=effective, settlement=settlement, base_pay=base_pay,
                grade_coefficient=coefs, items=tuple(items), deductions=tuple(deductions), floor=floor, cap=cap,
                pay_bands=pay_bands, reserve_release_after_months=release, description=description, source=text)


def _grade_map(c: _Checker, top: dict, key: str, strict: bool) -> dict[str, Decimal] | None:
    loc = top.get(key)
    if loc is None:
        return None
    m = c.mapping(loc, key, allowed=tuple(loc.value) if isinstance(loc.value, dict) else ())
    if m is None:
        return None
    if not m:
        c.add(loc.line, key, "commission.plan.empty")
        return None
    out = {}
    ok = True
    for g, v in m.items():
        d = c.number(v, f"{key}.{g}", strict=strict)
        if d is None:
            ok = False
        else:
            out[g] = d
    return out if ok else None


def _items(c: _Checker, top: dict) -> list[Item]:
    loc = top.get("items")
    if loc is None:
        return []
    if not isinstance(loc.value, list):
        c.add(loc.line, "items", "commission.plan.not_list")
        return []
    if not loc.value:
        c.add(loc.line, "items", "commission.plan.empty")
        return []
    out, seen = [], {}
    for i, it in enumerate(loc.value):
        path = f"items[{i}]"
        m = c.mapping(it, path, ITEM_KEYS, ("metric",))
        if m is None:
            continue
        metric = c.metric(m["metric"], f"{path}.metric") if "metric" in m else None
        if metric is not None:
            if metric in seen:
                c.add(m["metric"].line, f"{path}.metric", "commission.plan.duplicate_metric", metric=metric,
                      first=seen[metric])
            else:
                seen[metric] = m["metric"].line
        has_rate = "rate" in m and m["rate"].value is not None
        has_tiers = "tiers" in m and m["tiers"].value is not None
        rate = tiers = above = None
        if has_rate and has_tiers:
            c.add(it.line, path, "commission.plan.rate_and_tiers")
        elif not has_rate and not has_tiers:
            c.add(it.line, path, "commission.plan.no_rate")
        if has_rate:
            rate = c.number(m["rate"], f"{path}.rate")
        if has_tiers:
            tiers = _tiers(c, m["tiers"], f"{path}.tiers")
        if "above_target_rate" in m and m["above_target_rate"].value is not None:
            above = c.number(m["above_target_rate"], f"{path}.above_target_rate")
            if has_tiers:
                c.add(m["above_target_rate"].line, f"{path}.above_target_rate", "commission.plan.above_with_tiers")
            if metric is not None and metric not in schema.TARGET_METRICS:
                c.add(m["above_target_rate"].line, f"{path}.above_target_rate", "commission.plan.no_target_metric",
                      metric=metric, known=", ".join(schema.TARGET_METRICS))
        share = ZERO
        if "deferred_share" in m and m["deferred_share"].value is not None:
            share = c.number(m["deferred_share"], f"{path}.deferred_share", minimum=ZERO, maximum=Decimal(1))
            share = ZERO if share is None else share
        out.append(Item(metric=metric or "", rate=rate, tiers=tiers, above_target_rate=above, deferred_share=share,
                        line=it.line))
    return out


def _tiers(c: _Checker, loc: _Loc, path: str) -> Tiers | None:
    m = c.mapping(loc, path, TIER_KEYS, TIER_KEYS)
    if m is None:
        return None
    mode = None
    if "mode" in m:
        if m["mode"].value not in TIER_MODES:
            c.add(m["mode"].line, f"{path}.mode", "commission.plan.bad_mode", value=_show(m["mode"].value))
        else:
            mode = m["mode"].value
    if "bands" not in m:
        return None
    bl = m["bands"]
    bpath = f"{path}.bands"
    if not isinstance(bl.value, list):
        c.add(bl.line, bpath, "commission.plan.not_list")
        return None
    if not bl.value:
        c.add(bl.line, bpath, "commission.plan.empty")
        return None
    bands, prev, ok = [], None, True
    n = len(bl.value)
    for j, b in enumerate(bl.value):
        p = f"{bpath}[{j}]"
        bm = c.mapping(b, p, BAND_KEYS, ("rate",))
        if bm is None:
            ok = False
            continue
        rate = c.number(bm["rate"], f"{p}.rate") if "rate" in bm else None
        upto = None
        if "upto" in bm and bm["upto"].value is not None:
            upto = c.number(bm["upto"], f"{p}.upto", strict=True)
            if upto is None:
                ok = False
            elif prev is not None and upto <= prev:
                c.add(bm["upto"].line, bpath, "commission.plan.bands_order", value=fmt_num(upto, False),
                      previous=fmt_num(prev, False))
                ok = False
            if upto is not None:
                prev = upto if prev is None or upto > prev else prev
            if j == n - 1 and upto is not None:
                c.add(b.line, p, "commission.plan.last_band_closed")
                ok = False
        elif j < n - 1:
            c.add(b.line, p, "commission.plan.open_band_not_last")
            ok = False
        if rate is None:
            ok = False
        bands.append(Band(upto=upto, rate=rate))
    if not ok or mode is None:
        return None
    return Tiers(mode=mode, bands=tuple(bands))


def _deductions(c: _Checker, top: dict) -> list[Deduction]:
    loc = top.get("deductions")
    if loc is None or loc.value is None:
        return []
    if not isinstance(loc.value, list):
        c.add(loc.line, "deductions", "commission.plan.not_list")
        return []
    out = []
    for i, d in enumerate(loc.value):
        path = f"deductions[{i}]"
        m = c.mapping(d, path, DEDUCTION_KEYS, DEDUCTION_KEYS)
        if m is None:
            continue
        metric = c.metric(m["metric"], f"{path}.metric") if "metric" in m else None
        amount = c.number(m["amount"], f"{path}.amount") if "amount" in m else None
        if metric is not None and amount is not None:
            out.append(Deduction(metric=metric, amount=amount, line=d.line))
    return out


def _pay_bands(c: _Checker, top: dict) -> tuple[tuple[str, Decimal], ...]:
    loc = top.get("pay_bands")
    if loc is None or loc.value is None:
        return ()
    allowed = PAY_BANDS[1:]
    m = c.mapping(loc, "pay_bands", allowed)
    if m is None:
        return ()
    if not m:
        c.add(loc.line, "pay_bands", "commission.plan.empty")
        return ()
    out = []
    for name in allowed:
        if name in m:
            d = c.number(m[name], f"pay_bands.{name}", minimum=None)
            if d is not None:
                out.append((name, d))
    for (a, da), (b, db) in zip(out, out[1:]):
        if db <= da:
            c.add(m[b].line, "pay_bands", "commission.plan.pay_bands_order", low=a, high=b,
                  low_value=fmt_num(da, False), high_value=fmt_num(db, False))
    return tuple(out)


def load_plan_file(path: str | Path) -> Plan:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"plan file not found: {p}")
    return parse_plan(p.read_bytes())


def sample_plan() -> Plan:
    """The example plan shipped in sample_data/ (used when no plan has been activated)."""
    return load_plan_file(SAMPLE_PLAN)


# ====================================================================== periods

@dataclass(frozen=True)
class Period:
    key: str                  # '2026-10' or '2026-Q3'
    kind: str                 # monthly | quarterly
    months: tuple[str, ...]

    @property
    def start(self) -> dt.date:
        return cal.month_bounds(self.months[0])[0]

    @property
    def end(self) -> dt.date:
        return cal.month_bounds(self.months[-1])[1]


_Q_RE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.I)


def parse_period(text: str) -> Period:
    """'2026-10' (also 2026/10, 2026年10月) → a month; '2026-Q3' → a quarter. Raises CommissionError."""
    s = str(text).strip()
    m = _Q_RE.match(s)
    if m:
        key = f"{int(m.group(1)):04d}-Q{m.group(2)}"
        return Period(key, "quarterly", tuple(cal.quarter_months(key)))
    try:
        y, mo = cal.parse_month(s)
    except ValueError:
        raise CommissionError("commission.err.bad_period", value=s) from None
    key = f"{y:04d}-{mo:02d}"
    return Period(key, "monthly", (key,))


def quarter_of(month: str) -> str:
    y, m = cal.parse_month(month)
    return f"{y:04d}-Q{(m - 1) // 3 + 1}"


def period_for(month: str, settlement: str) -> Period:
    """The settlement period (month or quarter) that contains `month`."""
    return parse_period(cal.month_key(month) if settlement == "monthly" else quarter_of(month))


def check_period(plan: Plan, period: Period) -> None:
    if period.kind != plan.settlement:
        example = "2026-10" if plan.settlement == "monthly" else "2026-Q3"
        raise CommissionError("commission.err.period_kind", plan=plan.name, period=period.key,
                              settlement=t(f"commission.settlement.{plan.settlement}", "en"), example=example)


# ====================================================================== computation

@dataclass(frozen=True)
class Segment:
    quantity: Decimal
    rate: Decimal
    amount: Decimal           # quantity × rate, unrounded
    band: int | None = None   # band index for tiers
    above_target: bool = False


@dataclass
class Line:
    metric: str
    kind: str                         # rate | above_target | marginal | slab
    quantity: Decimal
    segments: list[Segment]
    amount: Decimal                   # rounded
    target: Decimal | None = None
    deferred_share: Decimal = ZERO
    days: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    def how(self, lang: str = "zh") -> str:
        return how_text(self, lang)


@dataclass
class DeductionLine:
    metric: str
    quantity: Decimal
    rate: Decimal                     # yuan per unit
    amount: Decimal                   # rounded
    days: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    def how(self, lang: str = "zh") -> str:
        return f"{_q_unit(self.metric, self.quantity, lang)} × {_yuan_rate(self.rate, lang)}"


@dataclass
class Statement:
    employee_id: str
    name: str
    team: str
    grade: str
    period: str
    settlement: str
    months: int
    plan_name: str
    plan_effective_from: dt.date
    base_pay_monthly: Decimal
    base_pay: Decimal                 # × months
    lines: list[Line]
    gross: Decimal
    coefficient: Decimal
    performance_before_deductions: Decimal
    deduction_lines: list[DeductionLine]
    deductions: Decimal
    performance_before_clamp: Decimal
    clamp: str | None                 # floor | cap | None
    performance: Decimal
    deferred_before_limit: Decimal
    deferred: Decimal
    payable: Decimal
    pay_band: str | None
    quantities: dict[str, Decimal] = field(default_factory=dict)
    targets: dict[str, Decimal | None] = field(default_factory=dict)

    def line(self, metric: str) -> Line | None:
        return next((ln for ln in self.lines if ln.metric == metric), None)

    def to_dict(self, lang: str = "zh", with_days: bool = False) -> dict:
        """The statement as JSON-ready data: money as strings with two decimals."""
        def days(ds):
            return [{"date": d.isoformat(), "value": fmt_num(v, sep=False)} for d, v in ds]

        lines = []
        for ln in self.lines:
            row = {"metric": ln.metric, "quantity": fmt_num(ln.quantity, sep=False), "unit": unit_label(ln.metric, lang),
                   "amount": money_str(ln.amount), "how": ln.how(lang), "kind": ln.kind,
                   "target": None if ln.target is None else fmt_num(ln.target, sep=False),
                   "deferred_share": fmt_num(ln.deferred_share, sep=False)}
            if with_days:
                row["days"] = days(ln.days)
            lines.append(row)
        deds = []
        for d in self.deduction_lines:
            row = {"metric": d.metric, "quantity": fmt_num(d.quantity, sep=False), "unit": unit_label(d.metric, lang),
                   "amount": money_str(d.amount), "how": d.how(lang)}
            if with_days:
                row["days"] = days(d.days)
            deds.append(row)
        return {
            "employee_id": self.employee_id, "name": self.name, "team": self.team, "grade": self.grade,
            "period": self.period, "settlement": self.settlement, "months": self.months,
            "plan": self.plan_name, "plan_effective_from": self.plan_effective_from.isoformat(),
            "base_pay": money_str(self.base_pay), "lines": lines, "gross": money_str(self.gross),
            "coefficient": fmt_num(self.coefficient, sep=False),
            "performance_before_deductions": money_str(self.performance_before_deductions),
            "deductions": money_str(self.deductions), "deduction_lines": deds,
            "performance_before_clamp": money_str(self.performance_before_clamp), "clamp": self.clamp,
            "performance": money_str(self.performance), "deferred": money_str(self.deferred),
            "payable": money_str(self.payable), "pay_band": self.pay_band,
        }


def item_segments(item: Item, quantity: Decimal, target: Decimal | None = None) -> list[Segment]:
    """How one item pays `quantity` (step 1), as segments of quantity × rate (unrounded)."""
    q = Decimal(quantity)
    if item.tiers is None:
        rate = item.rate
        if item.above_target_rate is not None and target is not None and q > target:
            base_q = max(target, ZERO)
            segs = []
            if base_q > 0:
                segs.append(Segment(base_q, rate, base_q * rate))
            extra = q - base_q
            segs.append(Segment(extra, item.above_target_rate, extra * item.above_target_rate, above_target=True))
            return segs
        return [Segment(q, rate, q * rate)]
    bands = item.tiers.bands
    if item.tiers.mode == "slab" or q <= 0:
        for idx, b in enumerate(bands):
            if b.upto is None or q <= b.upto:
                return [Segment(q, b.rate, q * b.rate, band=idx)]
    segs, lower = [], ZERO
    for idx, b in enumerate(bands):
        top = q if b.upto is None else min(q, b.upto)
        part = top - lower
        if part > 0:
            segs.append(Segment(part, b.rate, part * b.rate, band=idx))
        if b.upto is None or q <= b.upto:
            break
        lower = b.upto
    return segs


def compute(plan: Plan, *, employee_id: str, grade: str, period: str | Period,
            quantities: Mapping[str, Decimal], targets: Mapping[str, Decimal | None] | None = None,
            name: str = "", team: str = "", days: Mapping[str, list] | None = None) -> Statement:
    """Steps 1–6 for one manager and one period, from quantities (and targets) already summed."""
    per = period if isinstance(period, Period) else parse_period(period)
    check_period(plan, per)
    if grade not in plan.base_pay or grade not in plan.grade_coefficient:
        raise CommissionError("commission.err.grade_missing", employee_id=employee_id, name=name, grade=grade,
                              plan=plan.name, grades="、".join(plan.grades))
    targets = targets or {}
    days = days or {}
    coef = plan.grade_coefficient[grade]
    lines = []
    for item in plan.items:
        q = Decimal(quantities.get(item.metric, ZERO))
        tgt = targets.get(item.metric)
        segs = item_segments(item, q, tgt)
        amount = money(sum((s.amount for s in segs), ZERO))
        lines.append(Line(metric=item.metric, kind=item.kind, quantity=q, segments=segs, amount=amount,
                          target=tgt if item.metric in schema.TARGET_METRICS else None,
                          deferred_share=item.deferred_share, days=list(days.get(item.metric, []))))
    gross = sum((ln.amount for ln in lines), ZERO)
    perf0 = money(gross * coef)
    ded_lines = []
    for d in plan.deductions:
        q = Decimal(quantities.get(d.metric, ZERO))
        ded_lines.append(DeductionLine(metric=d.metric, quantity=q, rate=d.amount, amount=money(q * d.amount),
                                       days=list(days.get(d.metric, []))))
    ded_total = sum((d.amount for d in ded_lines), ZERO)
    perf1 = perf0 - ded_total
    perf, clamp = perf1, None
    if plan.floor is not None and perf < plan.floor:
        perf, clamp = plan.floor, "floor"
    if plan.cap is not None and perf > plan.cap:
        perf, clamp = plan.cap, "cap"
    perf = money(perf)
    deferred_raw = money(sum((ln.amount * coef * ln.deferred_share for ln in lines), ZERO))
    deferred = min(max(deferred_raw, ZERO), max(perf, ZERO))
    deferred = money(deferred)
    months = len(per.months)
    base_m = plan.base_pay[grade]
    base = money(base_m * months)
    payable = money(base + perf - deferred)
    return Statement(
        employee_id=employee_id, name=name, team=team, grade=grade, period=per.key, settlement=plan.settlement,
        months=months, plan_name=plan.name, plan_effective_from=plan.effective_from, base_pay_monthly=money(base_m),
        base_pay=base, lines=lines, gross=money(gross), coefficient=coef, performance_before_deductions=perf0,
        deduction_lines=ded_lines, deductions=money(ded_total), performance_before_clamp=money(perf1), clamp=clamp,
        performance=perf, deferred_before_limit=deferred_raw, deferred=deferred, payable=payable,
        pay_band=plan.band_of(perf), quantities={m: Decimal(quantities.get(m, ZERO)) for m in plan.metrics},
        targets={m: targets.get(m) for m in plan.metrics})


# ---------------------------------------------------------------- display text

def unit_label(metric: str, lang: str = "zh") -> str:
    u = schema.metric_unit_label(metric, lang)
    return "" if u == "count" else u


def _q_unit(metric: str, q: Decimal, lang: str) -> str:
    u = unit_label(metric, lang)
    return f"{fmt_num(q)} {u}".rstrip() if u else fmt_num(q)


def _yuan_rate(rate: Decimal, lang: str) -> str:
    return f"{fmt_num(rate)} 元" if lang == "zh" else f"CNY {fmt_num(rate)}"


def _rate_text(metric: str, rate: Decimal, lang: str) -> str:
    """A rate as written on the statement: yuan per unit, or a percentage for metrics counted in yuan."""
    if schema.FIELDS_BY_NAME[metric].unit == "yuan":
        return f"{fmt_num(rate * 100, sep=False)}%"
    return _yuan_rate(rate, lang)


def how_text(line: Line, lang: str = "zh") -> str:
    """'12 张 × 30 元 + 3 张 × 45 元' — how the line's amount was reached."""
    parts = [f"{_q_unit(line.metric, s.quantity, lang)} × {_rate_text(line.metric, s.rate, lang)}"
             for s in line.segments]
    text = " + ".join(parts) if parts else f"0 × {_rate_text(line.metric, ZERO, lang)}"
    if line.kind == "above_target":
        if line.target is None:
            text += t("commission.how.no_target", lang)
        else:
            text += t("commission.how.target", lang, target=_q_unit(line.metric, line.target, lang))
    elif line.kind == "slab" and line.segments:
        text += t("commission.how.slab_band", lang, band=(line.segments[0].band or 0) + 1)
    return text


def metric_name(metric: str, lang: str = "zh") -> str:
    return schema.metric_label(metric, lang, with_unit=False)


def band_name(band: str | None, lang: str = "zh") -> str:
    if band is None:
        return "—"
    return t(f"commission.band.{PAY_BAND_KEYS[band]}", lang)


# ---------------------------------------------------------------- what-if and hints

@dataclass(frozen=True)
class Hint:
    metric: str
    kind: str            # target | marginal | slab
    need: Decimal        # more units needed
    boundary: Decimal    # the target or band limit
    rate: Decimal        # the rate that applies beyond it
    whole: bool = False  # slab: the new rate applies to the whole quantity

    def text(self, lang: str = "zh") -> str:
        need = _q_unit(self.metric, self.need, lang)
        at = _q_unit(self.metric, self.boundary, lang)
        rate = _rate_text(self.metric, self.rate, lang)
        return t(f"commission.hint.{self.kind}", lang, metric=metric_name(self.metric, lang), need=need, at=at,
                 rate=rate)


def next_step(item: Item, quantity: Decimal, target: Decimal | None = None) -> Hint | None:
    """How far `quantity` is from the next better rate: the target (above_target_rate) or the next band.

    Count metrics need whole units: a slab band is left only when the quantity passes ``upto``, so the need
    is ``floor(upto) + 1 − quantity``; for amounts the need is ``upto − quantity`` ("more than").
    """
    q = Decimal(quantity)
    counts = schema.FIELDS_BY_NAME[item.metric].kind == "count"
    if item.tiers is None:
        if item.above_target_rate is None or target is None or q >= target:
            return None
        return Hint(item.metric, "target", target - q, target, item.above_target_rate)
    bands = item.tiers.bands
    for idx, b in enumerate(bands):
        if b.upto is None:
            return None
        if q <= b.upto:
            nxt = bands[idx + 1]
            if item.tiers.mode == "marginal":
                return Hint(item.metric, "marginal", b.upto - q, b.upto, nxt.rate)
            if counts:
                need = b.upto.to_integral_value(rounding="ROUND_FLOOR") + 1 - q
            else:
                need = b.upto - q
            return Hint(item.metric, "slab", need, b.upto, nxt.rate, whole=True)
    return None


def hints(plan: Plan, stmt: Statement) -> list[Hint]:
    out = []
    for ln in stmt.lines:
        item = plan.item(ln.metric)
        h = next_step(item, ln.quantity, ln.target)
        if h is not None:
            out.append(h)
    return out


def what_if(plan: Plan, stmt: Statement, extra: Mapping[str, Decimal | float | int]) -> Statement:
    """The statement again with extra units per metric added to the period's quantities."""
    q = dict(stmt.quantities)
    for m, v in extra.items():
        if v:
            q[m] = q.get(m, ZERO) + (v if isinstance(v, Decimal) else to_decimal(v))
    days = {ln.metric: ln.days for ln in stmt.lines}
    days.update({d.metric: d.days for d in stmt.deduction_lines})
    return compute(plan, employee_id=stmt.employee_id, grade=stmt.grade, period=stmt.period, quantities=q,
                   targets=stmt.targets, name=stmt.name, team=stmt.team, days=days)


def band_hint(plan: Plan, performance: Decimal) -> tuple[str, Decimal] | None:
    """The next pay band above `performance` and the performance pay still missing, None at the top."""
    for name, lower in plan.pay_bands:
        if performance < lower:
            return name, money(lower - performance)
    return None


# ====================================================================== reading the store

def _store_plans():
    from core.store import plans as store_plans
    return store_plans


def _logs_api():
    from core.store import logs as store_logs
    return store_logs


def _visible_manager(engine: Engine, scope: Scope, employee_id: str) -> dict:
    """The roster row of `employee_id`, or ScopeError when the caller may not see that manager."""
    roster = _logs_api().read_roster(engine, scope)
    rows = roster[roster["employee_id"] == str(employee_id)]
    if rows.empty:
        if scope.is_director:
            raise CommissionError("commission.err.not_on_roster", employee_id=employee_id)
        raise ScopeError(t("commission.err.scope", "en", employee_id=employee_id))
    row = rows.iloc[0].to_dict()
    if not scope.can_see_manager(row["employee_id"], row["team"]):
        raise ScopeError(t("commission.err.scope", "en", employee_id=employee_id))
    return row


def _quantities(logs: pd.DataFrame, metrics: Iterable[str]) -> tuple[dict, dict]:
    """Per metric: the period's sum (Decimal, per-day conversion) and the non-zero days behind it."""
    q, days = {}, {}
    for m in metrics:
        if logs.empty or m not in logs:
            q[m], days[m] = ZERO, []
            continue
        vals = [(d.date(), to_decimal(v)) for d, v in zip(logs["date"], logs[m])]
        vals = [(d, v) for d, v in vals if v != 0]
        q[m] = sum((v for _, v in vals), ZERO)
        days[m] = vals
    return q, days


def _targets_for(targets: pd.DataFrame, months: Iterable[str], metrics: Iterable[str]) -> dict:
    out = {}
    months = set(months)
    sub = targets[targets["month"].isin(months)] if not targets.empty else targets
    for m in metrics:
        rows = sub[sub["metric"] == m] if not sub.empty else sub
        out[m] = None if rows.empty else sum((to_decimal(v) for v in rows["value"]), ZERO)
    return out


@dataclass
class PeriodRun:
    """Every visible manager's statement for one period, and the managers that could not be computed."""
    period: Period
    plan: Plan
    plan_source: str                              # "db" | "sample" | "file"
    statements: list[Statement]
    errors: list[CommissionError]


def resolve_plan(engine: Engine, period: Period, plan: Plan | None = None) -> tuple[Plan, str]:
    if plan is not None:
        return plan, "file"
    pif = _store_plans().plan_in_force(engine, period.start)
    return pif.plan, pif.source


def statement(engine: Engine, scope: Scope, employee_id: str, period: str | Period,
              plan: Plan | None = None) -> Statement:
    """One manager's statement. Raises ScopeError for a manager the caller may not see."""
    per = period if isinstance(period, Period) else parse_period(period)
    row = _visible_manager(engine, scope, employee_id)
    plan, _src = resolve_plan(engine, per, plan)
    check_period(plan, per)
    logs = _logs_api().read_logs(engine, scope, start=per.start, end=per.end, employee_id=row["employee_id"])
    targets = _logs_api().read_targets(engine, scope, months=list(per.months), employee_id=row["employee_id"])
    q, days = _quantities(logs, plan.metrics)
    return compute(plan, employee_id=row["employee_id"], grade=row["grade"], period=per, quantities=q,
                   targets=_targets_for(targets, per.months, plan.metrics), name=row["name"], team=row["team"],
                   days=days)


def run_period(engine: Engine, scope: Scope, period: str | Period, plan: Plan | None = None,
               team: str | None = None, line: str | None = None) -> PeriodRun:
    """Statements of every manager the caller may see (active, or with logs in the period)."""
    per = period if isinstance(period, Period) else parse_period(period)
    plan, src = resolve_plan(engine, per, plan)
    check_period(plan, per)
    api = _logs_api()
    roster = api.read_roster(engine, scope, team=team, line=line)
    logs = api.read_logs(engine, scope, start=per.start, end=per.end, team=team, line=line)
    targets = api.read_targets(engine, scope, months=list(per.months), team=team, line=line)
    with_logs = set(logs["employee_id"])
    roster = roster[roster["active"] | roster["employee_id"].isin(with_logs)]
    out, errors = [], []
    by_emp = dict(tuple(logs.groupby("employee_id"))) if not logs.empty else {}
    t_by_emp = dict(tuple(targets.groupby("employee_id"))) if not targets.empty else {}
    empty_t = targets.iloc[0:0]
    for r in roster.itertuples(index=False):
        if not scope.can_see_manager(r.employee_id, r.team):
            continue
        q, days = _quantities(by_emp.get(r.employee_id, logs.iloc[0:0]), plan.metrics)
        tg = _targets_for(t_by_emp.get(r.employee_id, empty_t), per.months, plan.metrics)
        try:
            out.append(compute(plan, employee_id=r.employee_id, grade=r.grade, period=per, quantities=q, targets=tg,
                               name=r.name, team=r.team, days=days))
        except CommissionError as exc:
            errors.append(exc)
    return PeriodRun(per, plan, src, out, errors)


def statements(engine: Engine, scope: Scope, period: str | Period, plan: Plan | None = None,
               team: str | None = None, line: str | None = None) -> list[Statement]:
    """Like :func:`run_period` but strict: any manager that cannot be computed raises (all named at once)."""
    run = run_period(engine, scope, period, plan, team=team, line=line)
    if run.errors:
        if len(run.errors) == 1:
            raise run.errors[0]
        raise CommissionError("commission.err.many", count=len(run.errors),
                              detail="; ".join(str(e) for e in run.errors))
    return run.statements


# ---------------------------------------------------------------- history and reserve

@dataclass
class History:
    rows: pd.DataFrame            # period, plan, gross, performance, deductions, deferred, payable, released
    reserve_held: Decimal
    reserve_released: Decimal
    release_after_months: int | None

    def as_records(self) -> list[dict]:
        return self.rows.to_dict("records")


def _month_index(month: str) -> int:
    y, m = cal.parse_month(month)
    return y * 12 + m - 1


def history(engine: Engine, scope: Scope, employee_id: str, upto: str | Period, months_back: int = 36) -> History:
    """The manager's statements for each settlement period up to `upto` (from his first logged month, at most
    `months_back` months), and his risk-reserve balance. Periods without a plan in force are skipped."""
    per = upto if isinstance(upto, Period) else parse_period(upto)
    row = _visible_manager(engine, scope, employee_id)
    api = _logs_api()
    book = _store_plans().plan_book(engine)
    first_month = cal.add_months(per.months[-1], -(months_back - 1))
    logs = api.read_logs(engine, scope, start=cal.month_bounds(first_month)[0], end=per.end,
                         employee_id=row["employee_id"])
    start_month = per.months[0]
    if not logs.empty:
        start_month = min(start_month, cal.month_key(logs["date"].min()))
    months = []
    m = start_month
    while _month_index(m) <= _month_index(per.months[-1]):
        months.append(m)
        m = cal.add_months(m, 1)
    targets = api.read_targets(engine, scope, months=months, employee_id=row["employee_id"])
    periods: list[tuple[Period, Plan]] = []
    seen = set()
    for m in months:
        pl = book.plan_for(cal.month_bounds(m)[0])
        if pl is None:
            continue
        p = period_for(m, pl.settlement)
        if p.key in seen:
            continue
        pl = book.plan_for(p.start) or pl
        if pl.settlement != p.kind:
            continue
        seen.add(p.key)
        periods.append((p, pl))
    current_plan = book.plan_for(per.start)
    release = current_plan.reserve_release_after_months if current_plan else None
    recs = []
    held = released = ZERO
    for p, pl in periods:
        sub = logs[(logs["date"] >= pd.Timestamp(p.start)) & (logs["date"] <= pd.Timestamp(p.end))]
        q, _days = _quantities(sub, pl.metrics)
        tg = _targets_for(targets, p.months, pl.metrics)
        try:
            s = compute(pl, employee_id=row["employee_id"], grade=row["grade"], period=p, quantities=q, targets=tg,
                        name=row["name"], team=row["team"])
        except CommissionError:
            continue
        age = _month_index(per.months[-1]) - _month_index(p.months[-1])
        is_released = release is not None and age >= release
        if is_released:
            released += s.deferred
        else:
            held += s.deferred
        recs.append({"period": p.key, "plan": pl.name, "gross": s.gross, "performance": s.performance,
                     "deductions": s.deductions, "deferred": s.deferred, "payable": s.payable,
                     "pay_band": s.pay_band, "released": is_released})
    cols = ["period", "plan", "gross", "performance", "deductions", "deferred", "payable", "pay_band", "released"]
    return History(pd.DataFrame(recs, columns=cols), money(held), money(released), release)


# ---------------------------------------------------------------- payout summary (team leads, directors)

def summary_frame(stmts: list[Statement]) -> pd.DataFrame:
    """One row per statement (money as float yuan for charts and tables)."""
    cols = ["employee_id", "name", "team", "grade", "gross", "performance", "deferred", "payable", "pay_band"]
    return pd.DataFrame([{"employee_id": s.employee_id, "name": s.name, "team": s.team, "grade": s.grade,
                          "gross": float(s.gross), "performance": float(s.performance),
                          "deferred": float(s.deferred), "payable": float(s.payable), "pay_band": s.pay_band}
                         for s in stmts], columns=cols)


def team_summary(stmts: list[Statement], plan: Plan) -> pd.DataFrame:
    """Per team: managers, total and mean payable, performance, reserve, and how many fall in each pay band.

    Money columns are Decimal (exact sums); the last row is the total over all teams."""
    bands = pay_band_names(plan)
    recs = []
    groups: dict[str, list[Statement]] = {}
    for s in stmts:
        groups.setdefault(s.team, []).append(s)

    def row(team, ss):
        n = len(ss)
        pay = sum((s.payable for s in ss), ZERO)
        perf = sum((s.performance for s in ss), ZERO)
        r = {"team": team, "managers": n, "payable": money(pay), "performance": money(perf),
             "deferred": money(sum((s.deferred for s in ss), ZERO)),
             "mean_payable": money(pay / n) if n else money(0),
             "median_performance": money(pd.Series([s.performance for s in ss]).median()) if n else money(0)}
        for b in bands:
            r[b] = sum(1 for s in ss if s.pay_band == b)
        return r

    for team in sorted(groups):
        recs.append(row(team, groups[team]))
    if len(groups) > 1:
        recs.append(row(None, stmts))
    cols = ["team", "managers", "payable", "performance", "deferred", "mean_payable", "median_performance", *bands]
    return pd.DataFrame(recs, columns=cols)


# ---------------------------------------------------------------- plan comparison (dry run)

def _payable_over(engine: Engine, scope: Scope, plan: Plan | None, months: list[str], team=None):
    """{employee_id: (payable, performance)} summed over the plan's periods covering `months`; plus errors."""
    out: dict[str, list] = {}
    errors = []
    keys = []
    for m in months:
        if plan is None:
            pif = _store_plans().plan_in_force(engine, cal.month_bounds(m)[0], fallback=True, required=False)
            if pif is None:
                continue
            pl = pif.plan
        else:
            pl = plan
        p = period_for(m, pl.settlement)
        if p.key in keys:
            continue
        keys.append(p.key)
        run = run_period(engine, scope, p, pl, team=team)
        errors.extend(run.errors)
        for s in run.statements:
            acc = out.setdefault(s.employee_id, [s.name, s.team, s.grade, ZERO, ZERO])
            acc[3] += s.payable
            acc[4] += s.performance
    return out, errors


def compare_plans(engine: Engine, scope: Scope, new_plan: Plan, month: str, team: str | None = None):
    """Dry run: every visible manager's pay under the plan in force and under `new_plan`, side by side.

    The span compared is the month, or its quarter when either plan settles quarterly (a monthly plan is then
    summed over the quarter's three months). Returns (DataFrame, errors) where the frame has employee_id,
    name, team, grade, old_payable, new_payable, delta, old_performance, new_performance (Decimal) and
    errors lists the managers that cannot be computed under either plan.
    """
    month = cal.month_key(month)
    old_pif = _store_plans().plan_in_force(engine, cal.month_bounds(month)[0], required=False)
    old_plan = old_pif.plan if old_pif else None
    quarterly = new_plan.settlement == "quarterly" or (old_plan is not None and old_plan.settlement == "quarterly")
    months = cal.quarter_months(quarter_of(month)) if quarterly else [month]
    old, old_err = _payable_over(engine, scope, None, months, team) if old_plan else ({}, [])
    new, new_err = _payable_over(engine, scope, new_plan, months, team)
    recs = []
    for eid in sorted(set(old) | set(new)):
        info = new.get(eid) or old.get(eid)
        o, n = old.get(eid), new.get(eid)
        recs.append({"employee_id": eid, "name": info[0], "team": info[1], "grade": info[2],
                     "old_payable": money(o[3]) if o else None, "new_payable": money(n[3]) if n else None,
                     "delta": money(n[3] - o[3]) if (o and n) else None,
                     "old_performance": money(o[4]) if o else None, "new_performance": money(n[4]) if n else None})
    cols = ["employee_id", "name", "team", "grade", "old_payable", "new_payable", "delta", "old_performance",
            "new_performance"]
    span = quarter_of(month) if quarterly else month
    return pd.DataFrame(recs, columns=cols), old_err + new_err, span


__all__ = ["Band", "Tiers", "Item", "Deduction", "Plan", "PlanIssue", "PlanError", "CommissionError", "Period",
           "Segment", "Line", "DeductionLine", "Statement", "Hint", "PeriodRun", "History", "money", "money_str",
           "to_decimal", "fmt_num", "parse_plan", "load_plan_file", "sample_plan", "parse_period", "period_for",
           "quarter_of", "check_period", "item_segments", "compute", "how_text", "unit_label", "metric_name",
           "band_name", "next_step", "hints", "what_if", "band_hint", "statement", "statements", "run_period",
           "resolve_plan", "history", "summary_frame", "team_summary", "compare_plans", "pay_band_names"]
