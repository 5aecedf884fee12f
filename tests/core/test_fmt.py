"""core/fmt.py: the one formatting layer of every table, chart, sentence and export — '—' for no value, whole counts, two decimals for
amounts, thousands separators, English plurals and 'CNY 10k'."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from core import fmt


@pytest.mark.parametrize("value, metric, want", [
    (None, "visits", "—"), (np.nan, "visits", "—"), (pd.NA, "deposits_new", "—"), (pd.NaT, None, "—"),
    (2905, "visits", "2,905"), (739.5, "visits", "740"),            # counts whole, half up
    (2958.1, "deposits_new", "2,958.10"), (1596666.7, "fee_income", "1,596,666.70"),
    (-0.004, "deposits_new", "0.00"), (-0.3, "visits", "0"), (0, "credit_cards", "0"),  # never "-0"
])
def test_number(value, metric, want):
    assert fmt.number(value, metric) == want


@pytest.mark.parametrize("value, metric, want", [
    (2.2, "credit_cards", "3"), (2.0, "credit_cards", "2"), (2.0000001, "visits", "2"),   # needed: counts up
    (285.5, "deposits_new", "285.50"), (None, "visits", "—"),
])
def test_number_up(value, metric, want):
    assert fmt.number_up(value, metric) == want


@pytest.mark.parametrize("func, value, want", [
    (fmt.signed, 12, "+12"), (fmt.signed, -3, "-3"), (fmt.signed, 0, "0"), (fmt.signed, None, "—"),
    (fmt.signed, -0.3, "0"), (fmt.signed, -0.4999, "0"), (fmt.signed, -0.5, "-1"), (fmt.signed, 0.3, "0"),
    (fmt.signed, -0.0, "0"), (fmt.signed_pct, -0.0004, "0.0%"), (fmt.signed_pct, -0.0005, "-0.1%"),
    (fmt.pct, 0.9353, "93.5%"), (fmt.pct, 0.944, "94.4%"), (fmt.pct, np.nan, "—"),
    (fmt.signed_pct, 0.1, "+10.0%"), (fmt.signed_pct, -0.05, "-5.0%"), (fmt.signed_pct, 0.0, "0.0%"),
    (fmt.rate, 1.3913, "1.39"), (fmt.rate, None, "—"),
    # a difference of two shares is in percentage points: 50% vs 40% is +10.0 points, not "+10.0%"
    (fmt.signed_points, 0.5 - 0.4, "+10.0"), (fmt.signed_points, 0.35 - 0.4, "-5.0"), (fmt.signed_points, 0.0, "0.0"),
    (fmt.signed_points, -0.0004, "0.0"), (fmt.signed_points, -0.0005, "-0.1"), (fmt.signed_points, 0.00049, "0.0"),
    (fmt.signed_points, np.nan, "—"), (fmt.signed_points, None, "—"),
])
def test_small_formats(func, value, want):
    assert func(value) == want


@pytest.mark.parametrize("value, want", [
    (Decimal("0.9353"), "93.5%"), (Decimal("0.944"), "94.4%"),     # the same decimals, side by side
    (Decimal("0.99996"), "99.9%"),                                  # truncated: not 100.0% before the target
    (Decimal("1.2"), "120.0%"), (Decimal("0"), "0.0%"), (None, "—"),
])
def test_pct_down_keeps_pct_decimals_and_truncates(value, want):
    assert fmt.pct_down(value) == want


@pytest.mark.parametrize("value, metric, want", [
    (-0.004, "deposits_new", "0.00"), (-0.005, "deposits_new", "-0.01"), (0.004, "deposits_new", "0.00"),
    (-0.2, "credit_cards", "0"), (2.5, "credit_cards", "+3"),
])
def test_signed_never_reads_negative_zero(value, metric, want):
    """The profile's 与进度差 read '-0' where the gap was a fraction of a unit behind the pace line."""
    assert fmt.signed(value, metric) == want


@pytest.mark.parametrize("metric, value, lang, want", [
    ("visits", 1, "en", "1 visit"), ("visits", 2, "en", "2 visits"), ("new_customers", 1, "en", "1 customer"),
    ("credit_cards", 1, "en", "1 card"), ("credit_cards", 1, "zh", "1 张"), ("visits", 1234, "en", "1,234 visits"),
    ("deposits_new", 2680.05, "en", "2,680.05 (CNY 10k)"), ("deposits_new", 2680.05, "zh", "2,680.05 万元"),
    ("fee_income", 1200, "en", "CNY 1,200.00"), ("visits", None, "en", "—"),
])
def test_amount_units_and_plurals(metric, value, lang, want):
    assert fmt.amount(metric, value, lang) == want


@pytest.mark.parametrize("metric, value, lang, how, text", [
    ("credit_cards", 17.6, "zh", "nearest", "18 张"),
    ("credit_cards", 16.2, "zh", "up", "17 张"),
    ("credit_cards", 9.0000000001, "en", "up", "9 cards"),      # float noise does not round up
    ("visits", 1234, "en", "nearest", "1,234 visits"),
    ("deposits_new", 1234.5, "zh", "nearest", "1,234.50 万元"),
    ("fee_income", 8800, "zh", "nearest", "8,800.00 元"),
    ("fee_income", 8800, "en", "nearest", "CNY 8,800.00"),
])
def test_amount_rounds_counts_nearest_or_up(metric, value, lang, how, text):
    assert fmt.amount(metric, value, lang, how) == text


@pytest.mark.parametrize("n, lang, want", [
    (1, "en", "1 coaching flag this week"), (2, "en", "2 coaching flags this week"),
    (0, "en", "0 coaching flags this week"), (1, "zh", "本周 1 条辅导提示"),
])
def test_plural(n, lang, want):
    assert fmt.plural("mine.flag_count", n, lang) == want


def test_table_same_decimals_per_unit_in_a_column():
    df = pd.DataFrame({"metric": ["visits", "deposits_new", "visits"], "actual": [2905.0, 2958.1, np.nan],
                       "att": [0.93531, 0.944, None], "who": ["A", None, "nan"]})
    out = fmt.table(df, {"actual": "metric", "att": "pct", "who": "text"}, metric="metric")
    assert out["actual"].tolist() == ["2,905", "2,958.10", "—"]
    assert out["att"].tolist() == ["93.5%", "94.4%", "—"]
    assert out["who"].tolist() == ["A", "—", "nan"]        # a name written 'nan' is a name, not a missing value


@pytest.mark.parametrize("metric, value, lang, want", [
    ("visits", 9, "zh", "9户"), ("visits", 9, "en", "9"),                       # English sentences name the unit
    ("visits", 12.5, "zh", "13户"), ("credit_cards", 2.4, "zh", "2张"),          # counts whole, half up
    ("deposits_new", 800.4, "zh", "800.40万元"), ("deposits_new", 800.4, "en", "800.40 (CNY 10k)"),
    ("fee_income", 3000, "zh", "3,000.00元"), ("fee_income", 3000, "en", "CNY 3,000.00"),
    ("deposits_new", None, "en", "—"), ("deposits_new", float("nan"), "zh", "—"),
    ("no_such_metric", 7.25, "en", "7"),
])
def test_figure_in_a_sentence(metric, value, lang, want):
    assert fmt.figure(metric, value, lang) == want


@pytest.mark.parametrize("d, sep, want", [
    (Decimal("1200"), True, "1,200"), (Decimal("1200.00"), False, "1200"), (Decimal("150.50"), True, "150.5"),
    (Decimal("0.05"), True, "0.05"), (Decimal("1E+3"), True, "1,000"), (Decimal("-2.500"), True, "-2.5"),
])
def test_exact_decimals_without_trailing_zeros(d, sep, want):
    assert fmt.exact(d, sep) == want


@pytest.mark.parametrize("x, want", [
    (np.int64(3), 3), (np.float64(1.234567), 1.2346), (float("nan"), None), (2.5, 2.5),
])
def test_json_num(x, want):
    got = fmt.json_num(x)
    assert got == want and type(got) is type(want)
