"""Reading a plan's YAML into a :class:`~core.commission.plan.Plan`, reporting every problem with its line.

Built on the one located-YAML loader (:mod:`core.config_yaml`): syntax errors, duplicate keys, unknown or
missing keys and non-numbers come with the generic ``config.*`` messages; what only a pay plan can get wrong
(a stock metric paid as a flow, bands out of order, a grade without coefficient...) with ``commission.plan.*``
messages. All problems are raised together as ``AppError("commission.plan.invalid", problems=[Located...])``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from core import config_yaml as cy
from core import schema
from core.commission.plan import (
    AVG_MEASURES,
    BASES,
    MEASURES,
    PAY_BANDS,
    SETTLEMENTS,
    TIER_MODES,
    AttainmentMultiplier,
    Band,
    Deduction,
    Item,
    Plan,
    Relative,
    ReserveRelease,
    Tiers,
)
from core import fmt
from core.config_yaml import Checker, Node
from core.convert import ZERO
from core.errors import AppError

SAMPLE_PLAN = Path(__file__).resolve().parent.parent.parent / "sample_data" / "plan_2026.yaml"
INVALID = "commission.plan.invalid"

TOP_KEYS = ("name", "effective_from", "settlement", "base_pay", "grade_coefficient", "items", "deductions",
            "floor", "cap", "pay_bands", "reserve_release_after_months", "reserve_release", "attainment_multiplier",
            "description")
REQUIRED_TOP = ("name", "effective_from", "settlement", "base_pay", "grade_coefficient", "items")
ITEM_KEYS = ("metric", "rate", "tiers", "above_target_rate", "deferred_share", "measure", "base")
TIER_KEYS = ("mode", "bands")
BAND_KEYS = ("upto", "rate")
DEDUCTION_KEYS = ("metric", "amount")
RELATIVE_KEYS = ("share", "of")
MULTIPLIER_KEYS = ("cap", "bands")
MULTIPLIER_BAND_KEYS = ("below", "factor")
RELEASE_KEYS = ("first_after_months", "every_months", "instalments")


# ---------------------------------------------------------------- checks only a plan has

def _amount(c: Checker, node: Node, path: str, minimum: Decimal | None = ZERO, maximum: Decimal | None = None,
            strict: bool = False) -> Decimal | None:
    """A number (exact Decimal) ≥ minimum (> when `strict`) and ≤ maximum, with the plan's own wording."""
    d = c.number(node, path)
    if d is None:
        return None
    if minimum is not None and (d < minimum or (strict and d == minimum)):
        c.add(node.line, path, "commission.plan.not_positive" if strict else "commission.plan.negative",
              value=fmt.exact(d, sep=False))
        return None
    if maximum is not None and d > maximum:
        c.add(node.line, path, "commission.plan.share_range", value=fmt.exact(d, sep=False))
        return None
    return d


def _optional_amount(c: Checker, m: dict, key: str) -> Decimal | None:
    node = m.get(key)
    if node is None or node.value is None:
        return None
    return _amount(c, node, key)


def _metric(c: Checker, node: Node, path: str, measure: str = "sum") -> str | None:
    """A metric paid by `measure`: a flow summed over the period, or the deposit balance's 日均 (avg measures)."""
    v = node.value
    if not isinstance(v, str) or v not in schema.METRICS:
        c.add(node.line, path, "commission.plan.unknown_metric", metric=cy.show(v),
              known=", ".join(schema.FLOW_METRICS))
        return None
    if measure in AVG_MEASURES:
        if v != "deposit_balance":
            c.add(node.line, path, "commission.plan.avg_needs_balance", metric=v, measure=measure)
            return None
    elif v not in schema.FLOW_METRICS:
        c.add(node.line, path, "commission.plan.stock_metric", metric=v)
        return None
    return v


def _nonempty_list(c: Checker, node: Node, path: str) -> list[Node] | None:
    items = c.sequence(node, path)
    if items is not None and not items:
        c.add(node.line, path, "commission.plan.empty")
        return None
    return items


def _text(c: Checker, node: Node, path: str, required: bool) -> str | None:
    v = node.value
    if not isinstance(v, str) or (required and not v.strip()):
        c.add(node.line, path, "config.not_text", value=cy.show(v))
        return None
    return v.strip()


def _date(c: Checker, node: Node, path: str) -> dt.date | None:
    v = node.value
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    c.add(node.line, path, "commission.plan.bad_date", value=cy.show(v))
    return None


# ---------------------------------------------------------------- the plan

def parse_plan(text: str | bytes) -> Plan:
    """Parse and validate a plan's YAML. Raises AppError ``commission.plan.invalid`` listing every problem."""
    try:
        text = cy.decode(text)
        root = cy.load(text)
    except AppError as exc:
        raise AppError(INVALID, exc.problems) from None
    c = Checker()
    top = c.mapping(root, "", TOP_KEYS, REQUIRED_TOP)
    if top is None:
        c.raise_if_any(INVALID)
    name = _text(c, top["name"], "name", required=True) if "name" in top else None
    effective = _date(c, top["effective_from"], "effective_from") if "effective_from" in top else None
    settlement = None
    if "settlement" in top:
        settlement = c.choice(top["settlement"], "settlement", SETTLEMENTS, key="commission.plan.bad_settlement")

    base_pay = _grade_map(c, top, "base_pay")
    coefs = _grade_map(c, top, "grade_coefficient")
    if base_pay is not None and coefs is not None:
        for g in base_pay:
            if g not in coefs:
                c.add(top["base_pay"].key_line(g), f"base_pay.{g}", "commission.plan.grade_no_coefficient", grade=g)
        for g in coefs:
            if g not in base_pay:
                c.add(top["grade_coefficient"].key_line(g), f"grade_coefficient.{g}",
                      "commission.plan.grade_no_base", grade=g)

    items = _items(c, top)
    deductions = _deductions(c, top)
    floor, floor_rule = _limit(c, top, "floor")
    cap, cap_rule = _limit(c, top, "cap")
    if floor is not None and cap is not None and floor > cap:
        c.add(top["floor"].line, "floor", "commission.plan.floor_above_cap", floor=fmt.exact(floor, False),
              cap=fmt.exact(cap, False))
    pay_bands = _pay_bands(c, top)

    release = None
    node = top.get("reserve_release_after_months")
    if node is not None and node.value is not None:
        release = _months(c, node, "reserve_release_after_months")
        if release is not None and settlement == "quarterly" and release % 3:
            c.add(node.line, "reserve_release_after_months", "commission.plan.release_quarterly", value=release)
    schedule = _release(c, top, settlement)
    if schedule is not None and node is not None and node.value is not None:
        c.add(top["reserve_release"].line, "reserve_release", "commission.plan.release_twice")
    multiplier = _multiplier(c, top)

    description = ""
    node = top.get("description")
    if node is not None and node.value is not None:
        description = _text(c, node, "description", required=False) or ""

    c.raise_if_any(INVALID)
    return Plan(name=name, effective_from=effective, settlement=settlement, base_pay=base_pay,
                grade_coefficient=coefs, items=tuple(items), deductions=tuple(deductions), floor=floor, cap=cap,
                pay_bands=pay_bands, reserve_release_after_months=release, description=description, source=text,
                attainment_multiplier=multiplier, release=schedule, floor_rule=floor_rule, cap_rule=cap_rule)


def _months(c: Checker, node: Node, path: str, minimum: int = 1) -> int | None:
    v = node.value
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        c.add(node.line, path, "commission.plan.bad_months", value=cy.show(v))
        return None
    return v


def _limit(c: Checker, top: dict, key: str) -> tuple[Decimal | None, Relative | None]:
    """floor / cap: an amount of yuan, or ``{share: 0.8, of: 6000}`` (a share of a reference pay)."""
    node = top.get(key)
    if node is None or node.value is None:
        return None, None
    if not isinstance(node.value, dict):
        return _amount(c, node, key), None
    m = c.mapping(node, key, RELATIVE_KEYS, RELATIVE_KEYS)
    share = _amount(c, m["share"], f"{key}.share", strict=True) if "share" in m else None
    of = _amount(c, m["of"], f"{key}.of") if "of" in m else None
    if share is None or of is None:
        return None, None
    rule = Relative(share, of)
    return rule.amount, rule


def _release(c: Checker, top: dict, settlement: str | None) -> ReserveRelease | None:
    """``reserve_release: {first_after_months, every_months, instalments}`` (every_months needed from 2 instalments)."""
    node = top.get("reserve_release")
    if node is None or node.value is None:
        return None
    m = c.mapping(node, "reserve_release", RELEASE_KEYS, ("first_after_months",))
    if m is None:
        return None
    first = _months(c, m["first_after_months"], "reserve_release.first_after_months") \
        if "first_after_months" in m else None
    n = _months(c, m["instalments"], "reserve_release.instalments") if "instalments" in m else 1
    every = None
    if "every_months" in m:
        every = _months(c, m["every_months"], "reserve_release.every_months")
    elif n is not None and n > 1:
        c.add(node.line, "reserve_release", "config.missing_key", name="every_months")
        return None
    if first is None or n is None or ("every_months" in m and every is None):
        return None
    every = every if every is not None else first
    if settlement == "quarterly":
        for k, v in (("first_after_months", first), ("every_months", every)):
            if v % 3 and (k == "first_after_months" or n > 1):
                c.add(m[k].line if k in m else node.line, f"reserve_release.{k}",
                      "commission.plan.release_quarterly", value=v)
    return ReserveRelease(first, every, n)


def _multiplier(c: Checker, top: dict) -> AttainmentMultiplier | None:
    """``attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, ..., {factor: 1.1}]}``."""
    node = top.get("attainment_multiplier")
    if node is None or node.value is None:
        return None
    path = "attainment_multiplier"
    m = c.mapping(node, path, MULTIPLIER_KEYS, ("bands",))
    if m is None:
        return None
    cap = None
    if "cap" in m and m["cap"].value is not None:
        cap = _amount(c, m["cap"], f"{path}.cap", strict=True)
    entries = _nonempty_list(c, m["bands"], f"{path}.bands") if "bands" in m else None
    if entries is None:
        return None
    bands, prev, ok, n = [], None, True, len(entries)
    for j, b in enumerate(entries):
        p = f"{path}.bands[{j}]"
        bm = c.mapping(b, p, MULTIPLIER_BAND_KEYS, ("factor",))
        if bm is None:
            ok = False
            continue
        factor = _amount(c, bm["factor"], f"{p}.factor") if "factor" in bm else None
        below = None
        if "below" in bm and bm["below"].value is not None:
            below = _amount(c, bm["below"], f"{p}.below", strict=True)
            if below is not None and prev is not None and below <= prev:
                c.add(bm["below"].line, f"{path}.bands", "commission.plan.below_order",
                      value=fmt.exact(below, False), previous=fmt.exact(prev, False))
                ok = False
            if below is not None:
                prev = below if prev is None or below > prev else prev
            if j == n - 1:
                c.add(b.line, p, "commission.plan.last_factor_closed")
                ok = False
        elif j < n - 1:
            c.add(b.line, p, "commission.plan.open_factor_not_last")
            ok = False
        if factor is None or ("below" in bm and bm["below"].value is not None and below is None):
            ok = False
        bands.append((below, factor))
    if not ok or (cap is None and "cap" in m and m["cap"].value is not None):
        return None
    return AttainmentMultiplier(cap, tuple(bands))


def _grade_map(c: Checker, top: dict, key: str) -> dict[str, Decimal] | None:
    node = top.get(key)
    if node is None:
        return None
    m = c.mapping(node, key)
    if m is None:
        return None
    if not m:
        c.add(node.line, key, "commission.plan.empty")
        return None
    out = {g: _amount(c, v, f"{key}.{g}") for g, v in m.items()}
    return None if any(d is None for d in out.values()) else out


def _items(c: Checker, top: dict) -> list[Item]:
    node = top.get("items")
    entries = _nonempty_list(c, node, "items") if node is not None else None
    out, seen = [], {}
    for i, it in enumerate(entries or ()):
        path = f"items[{i}]"
        m = c.mapping(it, path, ITEM_KEYS, ("metric",))
        if m is None:
            continue
        measure, base = _measure(c, m, path)
        metric = _metric(c, m["metric"], f"{path}.metric", measure or "sum") if "metric" in m else None
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
            rate = _amount(c, m["rate"], f"{path}.rate")
        if has_tiers:
            tiers = _tiers(c, m["tiers"], f"{path}.tiers")
        if "above_target_rate" in m and m["above_target_rate"].value is not None:
            above_node, above_path = m["above_target_rate"], f"{path}.above_target_rate"
            above = _amount(c, above_node, above_path)
            if has_tiers:
                c.add(above_node.line, above_path, "commission.plan.above_with_tiers")
            if metric is not None and metric not in schema.TARGET_METRICS and metric != "deposit_balance":
                c.add(above_node.line, above_path, "commission.plan.no_target_metric", metric=metric,
                      known=", ".join(schema.TARGET_METRICS))
        share = ZERO
        if "deferred_share" in m and m["deferred_share"].value is not None:
            share = _amount(c, m["deferred_share"], f"{path}.deferred_share", minimum=ZERO, maximum=Decimal(1))
            share = ZERO if share is None else share
        out.append(Item(metric=metric or "", rate=rate, tiers=tiers, above_target_rate=above, deferred_share=share,
                        line=it.line, measure=measure or "sum", base=base))
    return out


def _measure(c: Checker, m: dict, path: str) -> tuple[str | None, str | None]:
    """An item's ``measure`` (default sum) and, for avg_daily_increase, its required ``base``."""
    measure = "sum"
    if "measure" in m and m["measure"].value is not None:
        measure = c.choice(m["measure"], f"{path}.measure", MEASURES, key="commission.plan.bad_measure")
    base = None
    has_base = "base" in m and m["base"].value is not None
    if measure == "avg_daily_increase":
        if not has_base:
            c.add(m["measure"].line, path, "commission.plan.base_missing", choices=", ".join(BASES))
        else:
            base = c.choice(m["base"], f"{path}.base", BASES, key="commission.plan.bad_base")
    elif has_base and measure is not None:
        c.add(m["base"].line, f"{path}.base", "commission.plan.base_unused", measure=measure)
    return measure, base


def _tiers(c: Checker, node: Node, path: str) -> Tiers | None:
    m = c.mapping(node, path, TIER_KEYS, TIER_KEYS)
    if m is None:
        return None
    mode = c.choice(m["mode"], f"{path}.mode", TIER_MODES, key="commission.plan.bad_mode") if "mode" in m else None
    if "bands" not in m:
        return None
    bpath = f"{path}.bands"
    entries = _nonempty_list(c, m["bands"], bpath)
    if entries is None:
        return None
    bands, prev, ok = [], None, True
    n = len(entries)
    for j, b in enumerate(entries):
        p = f"{bpath}[{j}]"
        bm = c.mapping(b, p, BAND_KEYS, ("rate",))
        if bm is None:
            ok = False
            continue
        rate = _amount(c, bm["rate"], f"{p}.rate") if "rate" in bm else None
        upto = None
        if "upto" in bm and bm["upto"].value is not None:
            upto = _amount(c, bm["upto"], f"{p}.upto", strict=True)
            if upto is None:
                ok = False
            elif prev is not None and upto <= prev:
                c.add(bm["upto"].line, bpath, "commission.plan.bands_order", value=fmt.exact(upto, False),
                      previous=fmt.exact(prev, False))
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


def _deductions(c: Checker, top: dict) -> list[Deduction]:
    node = top.get("deductions")
    if node is None or node.value is None:
        return []
    out = []
    for i, d in enumerate(c.sequence(node, "deductions") or ()):
        path = f"deductions[{i}]"
        m = c.mapping(d, path, DEDUCTION_KEYS, DEDUCTION_KEYS)
        if m is None:
            continue
        metric = _metric(c, m["metric"], f"{path}.metric") if "metric" in m else None
        amount = _amount(c, m["amount"], f"{path}.amount") if "amount" in m else None
        if metric is not None and amount is not None:
            out.append(Deduction(metric=metric, amount=amount, line=d.line))
    return out


def _pay_bands(c: Checker, top: dict) -> tuple[tuple[str, Decimal], ...]:
    node = top.get("pay_bands")
    if node is None or node.value is None:
        return ()
    allowed = PAY_BANDS[1:]
    m = c.mapping(node, "pay_bands", allowed)
    if m is None:
        return ()
    if not m:
        c.add(node.line, "pay_bands", "commission.plan.empty")
        return ()
    out = []
    for name in allowed:
        if name in m:
            d = _amount(c, m[name], f"pay_bands.{name}", minimum=None)
            if d is not None:
                out.append((name, d))
    for (a, da), (b, db) in zip(out, out[1:]):
        if db <= da:
            c.add(m[b].line, "pay_bands", "commission.plan.pay_bands_order", low=a, high=b,
                  low_value=fmt.exact(da, False), high_value=fmt.exact(db, False))
    return tuple(out)


def load_plan_file(path: str | Path) -> Plan:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"plan file not found: {p}")
    return parse_plan(p.read_bytes())


def sample_plan() -> Plan:
    """The example plan shipped in sample_data/ (used when no plan has been activated)."""
    return load_plan_file(SAMPLE_PLAN)


__all__ = ["SAMPLE_PLAN", "parse_plan", "load_plan_file", "sample_plan"]
