"""core/commission/charts.py: the payout distribution counts managers, so its axis ticks whole numbers."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

from types import SimpleNamespace

from core.commission.charts import distribution_chart, history_chart
from core.commission.plan_yaml import sample_plan


def test_distribution_counts_managers_in_whole_ticks():
    plan = sample_plan()
    # three managers in two bins: a count axis of 0..2 would get 0.5 ticks by default
    summary = pd.DataFrame({"name": ["甲", "乙", "丙"], "team": ["一队"] * 3, "performance": [1200.0, 1300.0, 5100.0],
                            "pay_band": [plan.band_of(Decimal(1200)), plan.band_of(Decimal(1300)), plan.band_of(Decimal(5100))]})
    spec = distribution_chart(summary, plan, "en").to_dict()
    bars = spec["layer"][0]["encoding"]["y"]
    assert bars["aggregate"] == "count"
    assert bars["axis"]["tickMinStep"] == 1 and bars["axis"]["format"] == "d"


def _history(bands):
    n = len(bands)
    return SimpleNamespace(rows=pd.DataFrame({"period": [f"2026-{m:02d}" for m in range(1, n + 1)],
                                              "performance": [5000.0] * n, "payable": [9000.0] * n,
                                              "deferred": [300.0] * n, "pay_band": bands}))


def test_history_legend_has_no_blank_band_unless_a_period_has_none():
    """The pay history's legend listed a '—' band on every statement, though every period had its band."""
    plan = sample_plan()
    banded = [plan.band_of(Decimal(1200)), plan.band_of(Decimal(5100))]
    domain = history_chart(_history(banded), "en").to_dict()["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert "—" not in domain and len(domain) == 3           # failing / ordinary / excellent
    domain = history_chart(_history(banded + [None]), "en").to_dict()["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert domain[-1] == "—" and len(domain) == 4


def test_history_subtitle_is_one_legend_word_a_line():
    """A chart title never wraps: the subtitle's three parts are three lines (one line ran past a phone's chart)."""
    for lang, first in (("zh", "柱:绩效工资(按考核档次着色);"), ("en", "Bars: performance pay (coloured by pay band);")):
        sub = history_chart(_history([None]), lang).to_dict()["title"]["subtitle"]
        assert len(sub) == 3 and sub[0] == first
