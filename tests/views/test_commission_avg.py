"""The 日均 "why" caption on the statement page (issue 11 §4), through the real app, in zh and en.

Hand-worked fixture (the balances of tests/core/commission/test_avg_daily.py): A01 logs deposit_balance 1,000 万元 on
2026-09-28, 1,200 on 2026-10-08 and 900 on 2026-10-20; B01 logs a visit on 2026-10-31, so October counts all
31 days. B(d) in October: Oct 1–7 1,000 × 7 = 7,000; Oct 8–19 1,200 × 12 = 14,400; Oct 20–31 900 × 12 = 10,800;
Σ = 32,200 over 31 days → 1,038.709… → 日均 1,038.71. September (the base, previous_period): Sep 1–27 nothing (0),
Sep 28–30 1,000 × 3 = 3,000 / 30 = 100.00. Increase 1,038.71 − 100.00 = 938.71 万元, × 2 元 = 1,877.42 元.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import auth, store
from core import commission as cm
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.core.commission.data import DIRECTOR, PLAN_YAML, ROSTER
from tests.views.helpers import card_lists, run_page

PAGE = "views/commission.py"
ITEM = "{metric: deposit_balance, measure: avg_daily_increase, base: previous_period, rate: 2}"


@pytest.fixture
def avg_db_url(empty_db_url):
    eng = store.get_engine(empty_db_url)
    store_logs.apply_roster(eng, SYSTEM, ROSTER, "roster.xlsx", "r" * 64)
    daily = pd.DataFrame([
        {"employee_id": "A01", "date": dt.date(2026, 9, 28), "deposit_balance": 1000.0},
        {"employee_id": "A01", "date": dt.date(2026, 10, 8), "deposit_balance": 1200.0},
        {"employee_id": "A01", "date": dt.date(2026, 10, 20), "deposit_balance": 900.0},
        {"employee_id": "B01", "date": dt.date(2026, 10, 31), "visits": 1.0},
    ])
    store_logs.apply_daily(eng, SYSTEM, daily, "daily.xlsx", "d" * 64)
    cm.upload_plan(eng, DIRECTOR, PLAN_YAML.replace("items:\n", f"items:\n  - {ITEM}\n"), activate=True)
    auth.create_user(eng, SYSTEM, "zhangwei", "张伟", "manager", password="Str0ng-enough-pw!", employee_id="A01")
    return empty_db_url


CAPTION = {
    "zh": "31 天每日余额之和 ÷ 31 = 日均 1,038.71 万元。日均 1,038.71 万元(31 天) − 上期 2026-09 日均 100 万元 = 938.71 万元",
    "en": ("sum of 31 daily balances ÷ 31 = average 1,038.71 (CNY 10k). average daily balance 1,038.71 (CNY 10k) "
           "over 31 days − previous period 2026-09 average 100 (CNY 10k) = 938.71 (CNY 10k)"),
}
EXPANDER = {"zh": "存款余额: 938.71 万元(来自 31 天)", "en": "Deposit balance: 938.71 (CNY 10k), from 31 days"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_avg_daily_why_caption(avg_db_url, lang):
    at = run_page(PAGE, avg_db_url, "zhangwei", lang=lang)
    assert not at.exception
    labels = [e.label for e in at.expander]
    captions = [str(c.value) for c in at.caption]
    assert EXPANDER[lang] in labels
    assert CAPTION[lang] in captions
    # the days behind it: B(d) for each of October's 31 days, Σ 32,200 (7 × 1,000 + 12 × 1,200 + 12 × 900)
    [box] = [e for e in at.expander if e.label == EXPANDER[lang]]
    days = box.dataframe[0].value
    values = [float(str(v).replace(",", "")) for v in days.iloc[:, 1]]
    assert len(values) == 31 and sum(values) == 32200
    assert (values[0], values[7], values[19], values[30]) == (1000, 1200, 900, 900)    # Oct 1, 8, 20, 31
    assert CAPTION[lang] in [str(c.value) for c in box.caption]
    # the line's amount: 938.71 × 2 = 1,877.42
    amounts = [row[2] for lst in card_lists(at) for row in lst["rows"]]
    assert "1,877.42" in amounts, amounts
