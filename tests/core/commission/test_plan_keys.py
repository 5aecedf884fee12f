"""The plan keys of issue 11 §4 — measure/base (日均), attainment_multiplier, reserve_release, relative floor/cap:
what they parse to, every problem with its line (in both languages), and the sample plan's documented examples.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import commission as cm
from core.commission.plan import AttainmentMultiplier, Relative, ReserveRelease
from core.commission.plan_yaml import SAMPLE_PLAN
from core.errors import AppError
from tests.core.commission.data import PLAN_YAML

# PLAN_YAML: line 7 is the first item ("  - metric: deposits_new", its rate on line 8); the file has 23 lines,
# so a key appended to it is on line 24.
FIRST_ITEM = "  - metric: deposits_new\n    rate: 20\n"


def with_item(*lines: str) -> str:
    """PLAN_YAML with the first item replaced by `lines` (the first of them on line 7)."""
    return PLAN_YAML.replace(FIRST_ITEM, "".join(f"{ln}\n" for ln in lines))


def errors(text: str, lang: str = "en") -> list[str]:
    with pytest.raises(AppError) as e:
        cm.parse_plan(text)
    return e.value.messages(lang)


# ================================================================ what valid keys parse to

@pytest.mark.parametrize("text, check", [
    # measure defaults to sum, no base
    (PLAN_YAML, lambda p: (p.items[0].measure, p.items[0].base) == ("sum", None)),
    (with_item("  - metric: deposit_balance", "    measure: avg_daily", "    rate: 5"),
     lambda p: (p.items[0].metric, p.items[0].measure, p.items[0].base) == ("deposit_balance", "avg_daily", None)),
    (with_item("  - metric: deposit_balance", "    measure: avg_daily_increase", "    base: year_start",
               "    rate: 5"),
     lambda p: (p.items[0].measure, p.items[0].base) == ("avg_daily_increase", "year_start")),
    # 日均 items may have tiers and above_target_rate like sums
    (with_item("  - metric: deposit_balance", "    measure: avg_daily_increase", "    base: previous_period",
               "    tiers: {mode: marginal, bands: [{upto: 100, rate: 2}, {rate: 3}]}"),
     lambda p: p.items[0].kind == "marginal"),
    (with_item("  - metric: deposit_balance", "    measure: avg_daily", "    rate: 2", "    above_target_rate: 3"),
     lambda p: p.items[0].kind == "above_target"),
    (PLAN_YAML + "attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, "
                 "{factor: 1.1}]}\n",
     lambda p: p.attainment_multiplier == AttainmentMultiplier(
         D("1.2"), ((D("0.6"), D("0.8")), (D("1.0"), D("1.0")), (None, D("1.1"))))),
    # cap is optional: no cap on each metric's attainment
    (PLAN_YAML + "attainment_multiplier: {bands: [{factor: 1}]}\n",
     lambda p: p.attainment_multiplier == AttainmentMultiplier(None, ((None, D(1)),))),
    (PLAN_YAML + "reserve_release: {first_after_months: 12, every_months: 12, instalments: 3}\n",
     lambda p: p.reserve_release == ReserveRelease(12, 12, 3)),
    # one instalment needs no every_months
    (PLAN_YAML + "reserve_release: {first_after_months: 6}\n", lambda p: p.reserve_release == ReserveRelease(6, 6, 1)),
    # the old key means one instalment after N months
    (PLAN_YAML + "reserve_release_after_months: 12\n",
     lambda p: (p.reserve_release, p.reserve_release_after_months) == (ReserveRelease(12, 12, 1), 12)),
    (PLAN_YAML, lambda p: p.reserve_release is None),
    # 80% of 6000 = 4800.00; 1.5 × 5123.45 = 7685.175 → 7685.18 (half up)
    (PLAN_YAML.replace("floor: null", "floor: {share: 0.8, of: 6000}"),
     lambda p: (p.floor, p.floor_rule) == (D("4800.00"), Relative(D("0.8"), D("6000")))),
    (PLAN_YAML.replace("cap: null", "cap: {share: 1.5, of: 5123.45}"),
     lambda p: (p.cap, p.cap_rule) == (D("7685.18"), Relative(D("1.5"), D("5123.45")))),
    (PLAN_YAML.replace("settlement: monthly", "settlement: quarterly")
     + "reserve_release: {first_after_months: 12, every_months: 6, instalments: 2}\n",
     lambda p: p.reserve_release == ReserveRelease(12, 6, 2)),
])
def test_valid_keys(text, check):
    assert check(cm.parse_plan(text))


# ================================================================ every problem with its line

@pytest.mark.parametrize("text, expected", [
    (with_item("  - metric: deposit_balance", "    measure: avg_daily_increase", "    rate: 5"),
     ("line 8: items[0]: measure: avg_daily_increase needs a base (previous_period, year_start, "
      "same_period_last_year)")),
    (with_item("  - metric: deposit_balance", "    measure: avg", "    rate: 5"),
     "line 8: items[0].measure: measure must be one of sum, avg_daily, avg_daily_increase (got avg)"),
    (with_item("  - metric: deposit_balance", "    measure: avg_daily_increase", "    base: last_year", "    rate: 5"),
     "line 9: items[0].base: base must be one of previous_period, year_start, same_period_last_year (got last_year)"),
    (with_item("  - metric: deposit_balance", "    measure: avg_daily", "    base: year_start", "    rate: 5"),
     "line 9: items[0].base: base is used only with measure: avg_daily_increase (this item's measure is avg_daily)"),
    (with_item("  - metric: deposits_new", "    base: year_start", "    rate: 5"),
     "line 8: items[0].base: base is used only with measure: avg_daily_increase (this item's measure is sum)"),
    (with_item("  - metric: deposits_new", "    measure: avg_daily", "    rate: 5"),
     ("line 7: items[0].metric: measure: avg_daily (average daily balance) applies to deposit_balance only, "
      "not to 'deposits_new'")),
    (with_item("  - metric: deposit_balance", "    measure: sum", "    rate: 5"),
     "line 7: items[0].metric: 'deposit_balance' is a balance, not a flow"),
    (PLAN_YAML + "attainment_multiplier: {cap: 1.2, bands: [{below: 1.0, factor: 1.0}, {below: 0.6, factor: 0.8}, "
                 "{factor: 1.1}]}\n",
     "line 24: attainment_multiplier.bands: 'below' values must increase (0.6 after 1)"),
    (PLAN_YAML + "attainment_multiplier: {bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.1}]}\n",
     "line 24: attainment_multiplier.bands[1]: the last band must have no 'below'"),
    (PLAN_YAML + "attainment_multiplier: {bands: [{factor: 0.8}, {below: 1.0, factor: 1.1}, {factor: 1}]}\n",
     "line 24: attainment_multiplier.bands[0]: only the last band may have no 'below'"),
    (PLAN_YAML + "attainment_multiplier: {cap: 0, bands: [{factor: 1}]}\n",
     "line 24: attainment_multiplier.cap: must be greater than 0 (got 0)"),
    (PLAN_YAML + "attainment_multiplier: {bands: [{below: 0.6, factor: -1}, {factor: 1}]}\n",
     "line 24: attainment_multiplier.bands[0].factor: must not be negative (got -1)"),
    (PLAN_YAML + "attainment_multiplier: {bands: [{below: 0, factor: 1}, {factor: 1}]}\n",
     "line 24: attainment_multiplier.bands[0].below: must be greater than 0 (got 0)"),
    (PLAN_YAML + "attainment_multiplier: {bands: []}\n", "line 24: attainment_multiplier.bands: must not be empty"),
    (PLAN_YAML + "attainment_multiplier: {cap: 1.2}\n", "line 24: attainment_multiplier: required key bands is missing"),
    (PLAN_YAML + "attainment_multiplier: {bands: [{below: 0.6}, {factor: 1}]}\n",
     "line 24: attainment_multiplier.bands[0]: required key factor is missing"),
    (PLAN_YAML + "attainment_multiplier:\n  cap: 1.2\n  band: []\n",
     "line 26: attainment_multiplier.band: unknown key"),
    (PLAN_YAML + "reserve_release: {first_after_months: 12, every_months: 12, instalments: 0}\n",
     "line 24: reserve_release.instalments: must be a whole number of months, 1 or more (got 0)"),
    (PLAN_YAML + "reserve_release: {first_after_months: 1.5}\n",
     "line 24: reserve_release.first_after_months: must be a whole number of months, 1 or more (got 1.5)"),
    (PLAN_YAML + "reserve_release: {first_after_months: 12, instalments: 3}\n",
     "line 24: reserve_release: required key every_months is missing"),
    (PLAN_YAML + "reserve_release: {every_months: 12, instalments: 3}\n",
     "line 24: reserve_release: required key first_after_months is missing"),
    (PLAN_YAML + "reserve_release_after_months: 12\nreserve_release: {first_after_months: 12}\n",
     "line 25: reserve_release: write either reserve_release or reserve_release_after_months, not both"),
    (PLAN_YAML.replace("settlement: monthly", "settlement: quarterly")
     + "reserve_release:\n  first_after_months: 12\n  every_months: 4\n  instalments: 3\n",
     "line 26: reserve_release.every_months: under quarterly settlement the months must be a multiple of 3 (got 4)"),
    (PLAN_YAML.replace("settlement: monthly", "settlement: quarterly") + "reserve_release_after_months: 13\n",
     "line 24: reserve_release_after_months: under quarterly settlement the months must be a multiple of 3 (got 13)"),
    (PLAN_YAML.replace("floor: null", "floor: {share: 0, of: 6000}"),
     "line 21: floor.share: must be greater than 0 (got 0)"),
    (PLAN_YAML.replace("floor: null", "floor: {share: 0.8, of: -1}"), "line 21: floor.of: must not be negative (got -1)"),
    (PLAN_YAML.replace("floor: null", "floor: {share: 0.8}"), "line 21: floor: required key of is missing"),
    (PLAN_YAML.replace("cap: null", "cap: {share: 0.8, of: 5000, per: month}"), "line 22: cap.per: unknown key"),
    # 0.8 × 6000 = 4800 > 4000
    (PLAN_YAML.replace("floor: null", "floor: {share: 0.8, of: 6000}").replace("cap: null", "cap: 4000"),
     "line 21: floor: floor (4800) must not be above cap (4000)"),
])
def test_problems_are_located(text, expected):
    msgs = errors(text)
    assert any(m.startswith(expected) for m in msgs), msgs
    assert len(errors(text, "zh")) == len(msgs)


def test_all_problems_at_once():
    text = (with_item("  - metric: deposit_balance", "    measure: avg_daily_increase", "    rate: 5")
            .replace("floor: null", "floor: {share: 0, of: 6000}")
            + "attainment_multiplier: {bands: []}\nreserve_release: {first_after_months: 0}\n")
    lines = [m.split(":")[0] for m in errors(text)]
    assert lines == ["line 8", "line 22", "line 25", "line 26"]      # item, floor, multiplier, release


# ================================================================ the sample plan documents every key

def _sample_with_examples() -> str:
    """The sample plan with its #EXAMPLE lines used as its comments say: the item into items, the rest
    replacing floor: null and reserve_release_after_months."""
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    examples = [ln[len("#EXAMPLE "):] for ln in text.splitlines() if ln.startswith("#EXAMPLE ")]
    item = [ln for ln in examples if ln.startswith("  ")][:4]
    rest = [ln for ln in examples if ln not in item]
    out = []
    for ln in text.splitlines():
        if ln.startswith(("floor: null", "reserve_release_after_months:")):
            continue
        out.append(ln)
        if ln == "items:":
            out += item
    return "\n".join(out + rest) + "\n"


def test_sample_plan_examples_are_valid():
    p = cm.parse_plan(_sample_with_examples())
    assert (p.items[0].metric, p.items[0].measure, p.items[0].base, p.items[0].rate) == \
        ("deposit_balance", "avg_daily_increase", "previous_period", D(3))
    assert p.attainment_multiplier.cap == D("1.2") and p.attainment_multiplier.factor_for(D("0.6")) == D("1.0")
    assert p.reserve_release == ReserveRelease(12, 12, 3)
    assert p.floor == D("4800.00")


def test_sample_plan_documents_every_key():
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    for key in ("measure:", "avg_daily_increase", "previous_period", "same_period_last_year", "year_start",
                "attainment_multiplier:", "below:", "factor:", "reserve_release:", "first_after_months:",
                "every_months:", "instalments:", "share:", "of:"):
        assert key in text, key
