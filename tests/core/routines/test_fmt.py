"""core/fmt.py: the routine pages' one formatting layer — '—' for no value, whole counts, two decimals for
amounts, thousands separators, English plurals and 'CNY 10k'."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import fmt


@pytest.mark.parametrize("value, metric, want", [
    (None, "visits", "—"), (np.nan, "visits", "—"), (pd.NA, "deposits_new", "—"), (pd.NaT, None, "—"),
    (2905, "visits", "2,905"), (739.5, "visits", "740"),            # counts whole, half up
    (2958.1, "deposits_new", "2,958.10"), (1596666.7, "fee_income", "1,596,666.70"),
    (-0.004, "deposits_new", "-0.00"), (0, "credit_cards", "0"),
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
    (fmt.pct, 0.9353, "93.5%"), (fmt.pct, 0.944, "94.4%"), (fmt.pct, np.nan, "—"),
    (fmt.signed_pct, 0.1, "+10.0%"), (fmt.signed_pct, -0.05, "-5.0%"), (fmt.signed_pct, 0.0, "0.0%"),
    (fmt.rate, 1.3913, "1.39"), (fmt.rate, None, "—"),
])
def test_small_formats(func, value, want):
    assert func(value) == want


@pytest.mark.parametrize("metric, value, lang, want", [
    ("visits", 1, "en", "1 visit"), ("visits", 2, "en", "2 visits"), ("new_customers", 1, "en", "1 customer"),
    ("credit_cards", 1, "en", "1 card"), ("credit_cards", 1, "zh", "1 张"), ("visits", 1234, "en", "1,234 visits"),
    ("deposits_new", 2680.05, "en", "2,680.05 (CNY 10k)"), ("deposits_new", 2680.05, "zh", "2,680.05 万元"),
    ("fee_income", 1200, "en", "CNY 1,200.00"), ("visits", None, "en", "—"),
])
def test_amount_units_and_plurals(metric, value, lang, want):
    assert fmt.amount(metric, value, lang) == want


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
